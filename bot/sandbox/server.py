"""`SlackDouble`: a real HTTP server on loopback that plays Slack for the bot.

It answers the Web API (`/api/{method}`), response URLs (`/response/{token}`) and file uploads, records what
the app did as a person in Slack would see it, and sends the app signed requests as Slack does (see driver.py).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from bot.sandbox import response_url
from bot.sandbox.driver import AppUrls, SlackToApp
from bot.sandbox.records import Ephemeral, FileRecord, Message, RecordedCall
from bot.sandbox.state import SandboxState
from bot.sandbox.webapi import WebApi
from bot.sandbox.workspace import Workspace

T = TypeVar("T")

_NO_AUTH_METHODS = frozenset({"api.test"})


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
    ) -> None:
        self.workspace = workspace or Workspace.sample()
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.verification_token = verification_token
        self._state = SandboxState(self.workspace, clock, lambda: self.base_url)
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
        headers: dict[str, str] = {}
        status = 200
        queued = self._rate_limits.get(method)
        if queued:
            retry_after = queued.pop(0)
            status, body = 429, {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(retry_after)
        elif method not in _NO_AUTH_METHODS and not token:
            body = {"ok": False, "error": "not_authed"}
        elif method not in _NO_AUTH_METHODS and token != self.bot_token:
            body = {"ok": False, "error": "invalid_auth"}
        else:
            body = self._api.call(method, args)
        self._state.calls.append(RecordedCall(method, args, status, body))
        await self._notify()
        return web.json_response(body, status=status, headers=headers)

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
        if _bearer(request) != self.bot_token:
            return web.Response(status=403, text="invalid_auth")
        file_id = request.match_info["key"].rpartition("-")[2]
        record = self._state.files.get(file_id)
        if record is None:
            return web.Response(status=404, text="file_not_found")
        return web.Response(body=record.content, content_type="application/octet-stream")

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
