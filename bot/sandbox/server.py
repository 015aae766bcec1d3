"""`SlackDouble`: a real HTTP server on loopback that plays Slack for the bot.

It answers the Web API (`/api/{method}`), response URLs (`/response/{token}`) and file uploads, records what
the app did as a person in Slack would see it, and sends the app signed requests as Slack does (see driver.py).

One double is one workspace. For an app installed in several workspaces, `link` other doubles to the one the
app's API URL points at: calls bearing another workspace's token are handed to that double. The OAuth v2
install flow (/oauth/v2/authorize, oauth.v2.access, token rotation) is served by any of them (see oauth.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from yarl import URL

from bot.sandbox import response_url
from bot.sandbox.driver import AppUrls, SlackToApp
from bot.sandbox.oauth import (
    CODE_TTL_SECONDS,
    AuthorizeRequest,
    Credentials,
    Grant,
    RefreshGrant,
    new_code,
    new_token,
    split_scopes,
)
from bot.sandbox.records import AppReply, Ephemeral, FileRecord, Message, RecordedCall
from bot.sandbox.state import SandboxState
from bot.sandbox.webapi import WebApi
from bot.sandbox.workspace import Workspace

T = TypeVar("T")

_NO_AUTH_METHODS = frozenset({"api.test"})
_OAUTH_ACCESS = "oauth.v2.access"  # authenticated by the app's client id and secret, not by a token
_Answer = tuple[int, dict[str, Any], dict[str, str]]


class SlackDouble(SlackToApp):
    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        bot_token: str = "xoxb-test-token",
        signing_secret: str = "test-signing-secret",
        verification_token: str = "test-verification-token",
        clock: Callable[[], float] = time.time,
        app_timeout: float = 10.0,
        client_id: str = "1111.2222",
        client_secret: str = "test-client-secret",
        redirect_uri: str | None = None,
    ) -> None:
        self.workspace = workspace or Workspace.sample()
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.verification_token = verification_token
        # The app's OAuth credentials; every double of an app has the same ones by default, like the secret.
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri  # the app's configured Redirect URL, used when authorize omits one
        self.authorize_requests: list[AuthorizeRequest] = []
        self._state = SandboxState(self.workspace, clock, lambda: self.base_url)
        self._credentials = Credentials()
        self._credentials.accept(bot_token, kind="bot", user_id=self.workspace.bot_user_id, now=clock())
        self._grants: dict[str, Grant] = {}
        self._linked: list[SlackDouble] = []
        self._linked_by: SlackDouble | None = None
        self._installer: tuple[str, str] | None = None
        self._deny_next_install = False
        self._token_lifetime: float | None = None
        self._api = WebApi(self._state)
        self._rate_limits: dict[str, list[int]] = {}
        self._changed: asyncio.Condition | None = None
        self._app_urls: AppUrls | None = None
        self._session: aiohttp.ClientSession | None = None
        self._app_timeout = app_timeout
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self.web_app = web.Application()
        self.web_app.add_routes(
            [
                web.route("*", "/api/{method}", self._handle_api),
                web.post("/response/{token}", self._handle_response_url),
                web.post("/upload/v1/{file_id}", self._handle_upload),
                web.get("/files-pri/{key}/{name}", self._handle_download),
                web.get("/oauth/v2/authorize", self._handle_authorize),
            ]
        )

    # ---- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # The condition belongs to the running loop; made here so a double can be restarted under a new loop.
        self._changed = asyncio.Condition()
        self._runner = web.AppRunner(self.web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._base_url = f"http://{bound_host}:{bound_port}/"

    async def stop(self) -> None:
        await self._close_session()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SlackDouble:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the Slack double is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """For `AsyncWebClient(base_url=…)`: slack_sdk appends the method name, so it must end with `/api/`."""
        return self.base_url + "api/"

    @property
    def authorize_url(self) -> str:
        """For the app's OAuth settings (slack_sdk's `authorization_url`): where "Add to Slack" sends people."""
        return self.base_url + "oauth/v2/authorize"

    # ---- workspaces and tokens ---------------------------------------------------------------------------------

    def link(self, other: SlackDouble) -> None:
        """Serve `other`'s workspace through this double's Web API: a call bearing a token `other` knows is
        answered and recorded by `other`. The app keeps one API URL (this double's) for every workspace."""
        if other is self:
            raise ValueError("a double cannot be linked to itself")
        if any(double.workspace.team_id == other.workspace.team_id for double in self._network()):
            raise ValueError(f"workspace {other.workspace.team_id} is already served by this double or a linked one")
        self._linked.append(other)
        if other._linked_by is None:
            other._linked_by = self

    def accept_token(self, token: str, *, expires_in: float | None = None) -> None:
        """Make `token` one of this workspace's bot tokens (e.g. an installation a test stored beforehand)."""
        now = self._state.clock()
        self._credentials.accept(token, kind="bot", user_id=self.workspace.bot_user_id, now=now, lifetime=expires_in)

    @property
    def accepted_tokens(self) -> frozenset[str]:
        """The tokens that may call the Web API for this workspace now (not revoked, not expired)."""
        return self._credentials.valid(self._state.clock())

    def revoke_tokens(self) -> None:
        """Every token of this workspace answers token_revoked from now on; refresh tokens stop working."""
        self._credentials.revoke_all()

    # ---- OAuth switches ----------------------------------------------------------------------------------------

    def approve_installs(self, team_id: str, user_id: str) -> None:
        """Who approves the next installs at /oauth/v2/authorize: a person of this or a linked workspace."""
        double = self._double_for_team(team_id)
        if double is None:
            raise LookupError(f"{team_id} is neither this double's workspace nor a linked one")
        user = double.workspace.user(user_id)
        if user is None or user.is_bot:
            raise LookupError(f"{user_id} is not a person of workspace {team_id}")
        self._installer = (team_id, user_id)

    def deny_installs(self) -> None:
        """The next person at /oauth/v2/authorize presses Cancel: the app gets `error=access_denied`."""
        self._deny_next_install = True

    def enable_token_rotation(self, lifetime_seconds: float = 43200) -> None:
        """Tokens from oauth.v2.access then expire after `lifetime_seconds` (double's clock) and come with a
        refresh token. It is the app's setting: enable it on the double the app calls; a linked double's own
        setting takes precedence for installs into its workspace."""
        self._token_lifetime = lifetime_seconds

    async def uninstall(self) -> tuple[AppReply, AppReply]:
        """Someone removes the app from this workspace: its tokens stop working and the app is told as Slack
        tells it, `tokens_revoked` then `app_uninstalled`."""
        user_tokens = self._credentials.tokens.values()
        oauth_users = sorted({t.user_id for t in user_tokens if t.kind == "user" and not t.revoked})
        self.revoke_tokens()
        revoked = await self.send_event(
            {"type": "tokens_revoked", "tokens": {"oauth": oauth_users, "bot": [self.workspace.bot_user_id]}}
        )
        uninstalled = await self.send_event({"type": "app_uninstalled"})
        return revoked, uninstalled

    # ---- behaviour switches ------------------------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls to `method` get HTTP 429 with `Retry-After`, as Slack's tier limits do."""
        self._rate_limits.setdefault(method, []).extend([retry_after] * times)

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger_id as if `user_id` had just interacted; it expires 3 s later on the double's clock."""
        return self._state.issue_trigger(user_id)

    def post_as(self, user_id: str, text: str, channel_id: str, *, thread_ts: str | None = None) -> Message:
        """A person posts a message the app is not told about (seed history, or someone else's message)."""
        user = self.workspace.user(user_id)
        if user is None:
            raise LookupError(f"{user_id} is not a user of the double's workspace")
        return self._state.add_message(channel_id, user, text, thread_ts=thread_ts)

    # ---- HTTP handlers -----------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _read_args(request)
        token = _bearer(request) or args.pop("token", None)
        args.pop("token", None)
        # The workspace is chosen by the token, as in Slack; a token nobody knows stays here to be refused.
        owner = self._token_owner(token) if token and method != _OAUTH_ACCESS else None
        handler = owner or self
        status, body, headers = handler._answer(method, args, token, _basic(request))
        recorded = {key: value for key, value in args.items() if key != "client_secret"}
        handler._state.calls.append(RecordedCall(method, recorded, status, body, token))
        await handler._notify()
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, args: dict[str, Any], token: str | None, client: tuple[str, str] | None) -> _Answer:
        queued = self._rate_limits.get(method)
        if queued:
            retry_after = queued.pop(0)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        if method == _OAUTH_ACCESS:
            return 200, self._oauth_access(args, client), {}
        if method in _NO_AUTH_METHODS:
            return 200, self._api.call(method, args), {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        error = self._credentials.check(token, self._state.clock())
        if error is not None:
            return 200, {"ok": False, "error": error}, {}
        body = self._api.call(method, args)
        issued = self._credentials.tokens[token]
        if method == "auth.test" and body.get("ok") and issued.kind == "user":
            person = self.workspace.user(issued.user_id)
            body.pop("bot_id", None)  # a user token speaks for the person who installed, not the bot
            body.update(user_id=issued.user_id, user=person.name if person else issued.user_id)
        return 200, body, {}

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if request.content_type == "application/x-www-form-urlencoded":  # legacy clients send payload=<json>
            raw = str((await request.post()).get("payload", "")).encode()
        outcome = response_url.post(self._state, request.match_info["token"], raw)
        try:
            args: dict[str, Any] = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            args = {"raw": raw.decode(errors="replace")}
        response = {"ok": outcome.status == 200, "effect": outcome.effect}
        if outcome.status != 200:
            response["error"] = outcome.body
        self._state.calls.append(RecordedCall("response_url", args, outcome.status, response))
        await self._notify()
        content_type = "application/json" if outcome.status == 200 else "text/plain"
        body = json.dumps({"ok": True}) if outcome.status == 200 else outcome.body
        return web.Response(status=outcome.status, text=body, content_type=content_type)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self._state.uploads.get(request.match_info["file_id"])
        if upload is None:
            return web.Response(status=404, text="file_not_found")
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            content = await part.read() if isinstance(part, aiohttp.BodyPartReader) else b""
        else:
            content = await request.read()
        upload.content = bytes(content)
        self._state.calls.append(
            RecordedCall("upload", {"file_id": upload.file_id, "size": len(content)}, 200, {"ok": True})
        )
        await self._notify()
        return web.Response(text=f"OK - {len(content)}")

    async def _handle_download(self, request: web.Request) -> web.Response:
        if self._credentials.check(_bearer(request) or "", self._state.clock()) is not None:
            return web.Response(status=403, text="invalid_auth")
        file_id = request.match_info["key"].rpartition("-")[2]
        record = self._state.files.get(file_id)
        if record is None:
            return web.Response(status=404, text="file_not_found")
        return web.Response(body=record.content, content_type="application/octet-stream")

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """The "Add to Slack" page: the chosen person approves (or cancels) and is sent back to the app."""
        query = request.query
        client_id = query.get("client_id", "")
        if client_id != self.client_id:
            return _error_page("Invalid client_id parameter")
        redirect_uri = query.get("redirect_uri") or self.redirect_uri
        if not redirect_uri:
            return _error_page("redirect_uri did not match any configured URIs")
        state = query.get("state")
        team_id, user_id = self._installer or self._default_installer()
        scopes, user_scopes = split_scopes(query.get("scope")), split_scopes(query.get("user_scope"))
        params: dict[str, str]
        code: str | None = None
        if self._deny_next_install:
            self._deny_next_install = False
            params = {"error": "access_denied"}
        else:
            now = self._state.clock()
            code = new_code(team_id, now)
            self._grants[code] = Grant(code, team_id, user_id, scopes, user_scopes, redirect_uri, now)
            params = {"code": code}
        if state is not None:
            params["state"] = state
        approved = code is not None
        asked = AuthorizeRequest(client_id, scopes, user_scopes, state, redirect_uri, team_id, user_id, approved, code)
        self.authorize_requests.append(asked)
        await self._notify()
        return web.Response(status=302, headers={"Location": str(URL(redirect_uri).update_query(params))})

    # ---- OAuth v2 ----------------------------------------------------------------------------------------------

    def _network(self) -> list[SlackDouble]:
        """This double and every double linked to it, directly or through another, this one first."""
        seen: list[SlackDouble] = []
        pending: list[SlackDouble] = [self]
        while pending:
            double = pending.pop(0)
            if all(double is not known for known in seen):
                seen.append(double)
                pending.extend(double._linked)
        return seen

    def _token_owner(self, token: str) -> SlackDouble | None:
        # Known includes revoked and expired tokens, so they get token_revoked / token_expired, not invalid_auth.
        return next((double for double in self._network() if double._credentials.knows(token)), None)

    def _double_for_team(self, team_id: str) -> SlackDouble | None:
        return next((double for double in self._network() if double.workspace.team_id == team_id), None)

    def _default_installer(self) -> tuple[str, str]:
        people = [user for user in self.workspace.users if not user.is_bot]
        if not people:
            raise LookupError(f"workspace {self.workspace.team_id} has nobody to approve an install")
        chosen = next((user for user in people if user.is_owner or user.is_admin), people[0])
        return self.workspace.team_id, chosen.id

    def _oauth_access(self, args: dict[str, Any], client: tuple[str, str] | None) -> dict[str, Any]:
        """oauth.v2.access: a code from the authorize page, or a refresh token, for the workspace's tokens."""
        client_id, client_secret = client or (str(args.get("client_id", "")), str(args.get("client_secret", "")))
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant_type = args.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            return self._refresh(str(args.get("refresh_token", "")))
        if grant_type != "authorization_code":
            return {"ok": False, "error": "invalid_grant_type"}
        code = str(args.get("code", ""))
        issuer = next((double for double in self._network() if code in double._grants), None)
        if issuer is None:
            return {"ok": False, "error": "invalid_code"}
        grant = issuer._grants.pop(code)  # single use: even a failed exchange spends the code
        if issuer._state.clock() - grant.issued_at > CODE_TTL_SECONDS:
            return {"ok": False, "error": "invalid_code"}
        redirect_uri = args.get("redirect_uri")
        if redirect_uri and redirect_uri != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        target = self._double_for_team(grant.team_id)
        if target is None:
            return {"ok": False, "error": "invalid_code"}
        return target._install(grant, self._lifetime_for(target))

    def _lifetime_for(self, target: SlackDouble) -> float | None:
        return target._token_lifetime if target._token_lifetime is not None else self._token_lifetime

    def _install(self, grant: Grant, lifetime: float | None) -> dict[str, Any]:
        """New tokens for this workspace, answered in the shape of Slack's oauth.v2.access."""
        ws, now = self.workspace, self._state.clock()
        access_token = new_token("bot", ws.team_id, ws.bot_user_id)
        self._credentials.accept(access_token, kind="bot", user_id=ws.bot_user_id, now=now, lifetime=lifetime)
        authed_user: dict[str, Any] = {"id": grant.user_id, "scope": ",".join(grant.user_scopes)}
        if grant.user_scopes:
            user_token = new_token("user", ws.team_id, grant.user_id)
            self._credentials.accept(user_token, kind="user", user_id=grant.user_id, now=now, lifetime=lifetime)
            authed_user.update(access_token=user_token, token_type="user")
            if lifetime is not None:
                authed_user["refresh_token"] = self._credentials.add_refresh(
                    "user", grant.user_id, grant.user_id, grant.user_scopes
                )
                authed_user["expires_in"] = int(lifetime)
        body: dict[str, Any] = {
            "ok": True,
            "app_id": ws.app_id,
            "authed_user": authed_user,
            "scope": ",".join(grant.scopes),
            "token_type": "bot",
            "access_token": access_token,
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if lifetime is not None:
            body["refresh_token"] = self._credentials.add_refresh("bot", ws.bot_user_id, grant.user_id, grant.scopes)
            body["expires_in"] = int(lifetime)
        return body

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        for double in self._network():
            grant = double._credentials.refresh_tokens.pop(refresh_token, None)
            if grant is not None:  # a refresh token is spent by its use; the new one replaces it
                return double._renew(grant, self._lifetime_for(double) or 43200)
        return {"ok": False, "error": "invalid_refresh_token"}

    def _renew(self, grant: RefreshGrant, lifetime: float) -> dict[str, Any]:
        """A fresh token of the same kind; the previous access token keeps working until its own expiry."""
        ws = self.workspace
        access_token = new_token(grant.kind, ws.team_id, grant.user_id)
        self._credentials.accept(
            access_token, kind=grant.kind, user_id=grant.user_id, now=self._state.clock(), lifetime=lifetime
        )
        who = {"bot_user_id": grant.user_id} if grant.kind == "bot" else {"user_id": grant.user_id}
        return {
            "ok": True,
            "app_id": ws.app_id,
            "scope": ",".join(grant.scopes),
            "token_type": grant.kind,
            "access_token": access_token,
            "refresh_token": self._credentials.add_refresh(grant.kind, grant.user_id, grant.installer_id, grant.scopes),
            "expires_in": int(lifetime),
            **who,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _urls(self) -> AppUrls:
        # A linked double not told where the app listens sends to where the double it is linked to sends.
        if self._app_urls is None and self._linked_by is not None:
            return self._linked_by._urls()
        return super()._urls()

    # ---- what happened -----------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        return self._state.calls

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self._state.calls if c.method == method]

    def messages(self, channel_id: str) -> list[Message]:
        """What everyone in the channel sees, oldest first; a user id means that user's DM with the bot."""
        if self.workspace.user(channel_id) is not None:
            channel_id = self.workspace.dm_channel_id(channel_id)
        return list(self._state.channel_messages.get(channel_id, []))

    def dm(self, user_id: str) -> list[Message]:
        """The person's DM with the bot: their own messages and the bot's, oldest first."""
        return self.messages(self.workspace.dm_channel_id(user_id))

    def ephemerals(self, user_id: str, channel_id: str | None = None) -> list[Ephemeral]:
        """ "Only visible to you" messages the person currently sees, oldest first."""
        return [e for e in self._state.ephemeral_messages if e.user == user_id and channel_id in (None, e.channel)]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        return self._state.home_views.get(user_id)

    def open_views(self, user_id: str) -> list[dict[str, Any]]:
        """The person's modal stack, bottom first; the last one is what they see."""
        return list(self._state.modal_stacks.get(user_id, []))

    @property
    def files(self) -> list[FileRecord]:
        return list(self._state.files.values())

    def reset_records(self) -> None:
        self._state.reset()
        self.authorize_requests.clear()

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    # A `timeout` argument rather than asyncio.timeout() around the call: the double can then say what it saw.
    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 2.0) -> T:  # noqa: ASYNC109
        """Wait until `predicate()` returns something other than None (re-checked after every change)."""
        if self._changed is None:
            raise RuntimeError("the Slack double is not started")
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        value = predicate()
                        if value is not None:
                            return value
                        await self._changed.wait()
            except TimeoutError:
                raise TimeoutError(self._describe_wait(predicate, timeout)) from None

    def _describe_wait(self, predicate: Callable[[], object], timeout: float) -> str:
        try:
            source = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            source = getattr(predicate, "__qualname__", repr(predicate))
        lines = [f"Slack double: nothing matched within {timeout}s: {source}"]
        for channel_id, messages in self._state.channel_messages.items():
            for message in messages[-3:]:
                lines.append(f"  message in {channel_id} by {message.user} at {message.ts}: {message.text[:80]!r}")
        for ephemeral in self._state.ephemeral_messages[-5:]:
            lines.append(f"  ephemeral to {ephemeral.user} in {ephemeral.channel}: {ephemeral.text[:80]!r}")
        for user_id, stack in self._state.modal_stacks.items():
            lines.append(f"  open views of {user_id}: {[v.get('callback_id') or v['id'] for v in stack]}")
        calls = self._state.calls[-8:]
        if calls:
            described = ", ".join(f"{c.method}→{c.status} {c.response.get('error', 'ok')}" for c in calls)
            lines.append(f"  last calls: {described}")
        else:
            lines.append("  the app made no calls")
        return "\n".join(lines)


def _bearer(request: web.Request) -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _basic(request: web.Request) -> tuple[str, str] | None:
    """(client_id, client_secret) from HTTP Basic auth, as slack_sdk sends them to oauth.v2.access."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("latin1")
    except binascii.Error:
        return None
    login, colon, password = decoded.partition(":")
    return (login, password) if colon else None


def _error_page(message: str) -> web.Response:
    """Slack answers a broken authorize link with an error page for the person, not a redirect to the app."""
    page = f"<!doctype html><title>Slack</title><h1>Something went wrong</h1><p>{message}</p>"
    return web.Response(status=400, text=page, content_type="text/html")


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Slack accepts arguments in the query string, a form body or a JSON body; slack_sdk uses all three."""
    args: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return args
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return args
        if isinstance(body, dict):
            args.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        args.update({key: value for key, value in form.items() if isinstance(value, str)})
    return args
