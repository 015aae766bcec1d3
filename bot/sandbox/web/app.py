"""The sandbox page and its JSON API: a small Slack in the browser, over the Slack double.

Everything a person does goes through the double's signed HTTP path (`send_command`, `send_block_action`…), so
the bot sees exactly what Slack would send it. The only things the page asks of the bot itself are the clock
(jump to the next due reminder or digest) and who the managers are, for the person switcher.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from bot.domain.capabilities import shortcuts
from bot.i18n import Words
from bot.sandbox.clock import SandboxClock
from bot.sandbox.records import AppReply, Ephemeral, FileRecord, Message
from bot.sandbox.server import SlackDouble
from bot.sandbox.web.blockkit import Directory, blocks_html, mrkdwn_html, view_html
from bot.sandbox.workspace import FakeUser, Workspace

STATIC = Path(__file__).parent / "static"
HOME = "home"
BOT_NAME = "Ops Assistant"
MAX_ADVANCE = timedelta(days=366)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Jump:
    """What a move of the clock did: how many deliveries went out, the new time, and what it jumped to."""

    delivered: int
    now: datetime
    due: datetime | None


class TimeControls(Protocol):
    """The bot-side controls the page may use (`bot.sandbox.runner.SandboxTime`)."""

    clock: SandboxClock

    async def jump_to_next_due(self) -> Jump: ...

    async def advance(self, delta: timedelta) -> Jump: ...

    async def managers(self, *, fresh: bool = False) -> frozenset[str]: ...


class BadRequest(Exception):
    """Shown to the page as a 400 with this text."""


@dataclass(slots=True)
class PageState:
    double: SlackDouble
    controls: TimeControls
    words: Words
    bot_url: str
    # Validation errors the bot answered to a submission, per person and view (id and hash, so an update clears them).
    errors: dict[tuple[str, str, str], dict[str, str]]


PAGE_KEY = web.AppKey("sandbox_page", PageState)


def build_page_app(double: SlackDouble, controls: TimeControls, *, words: Words, bot_url: str) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 64 * 1024)
    app[PAGE_KEY] = PageState(double=double, controls=controls, words=words, bot_url=bot_url.rstrip("/"), errors={})
    app.router.add_get("/", page)
    app.router.add_static("/static/", STATIC, append_version=False)
    app.router.add_get("/api/state", state)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/upload", upload)
    app.router.add_post("/api/action", action)
    app.router.add_post("/api/submit", submit)
    app.router.add_post("/api/close", close)
    app.router.add_post("/api/shortcut", shortcut)
    app.router.add_post("/api/home", home_opened)
    app.router.add_post("/api/clock/next", clock_next)
    app.router.add_post("/api/clock/advance", clock_advance)
    app.router.add_get("/files/{file_id}", file_download)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    app.middlewares.append(_errors_as_json)
    return app


@web.middleware
async def _errors_as_json(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except BadRequest as exc:
        return web.json_response({"ok": False, "error": str(exc)}, status=400)
    except LookupError as exc:  # the double found no such element, message or modal
        return web.json_response({"ok": False, "error": str(exc).strip("'\"")}, status=409)
    return response


# ---- the page ------------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{([a-z_.]+)\}\}")
# Words the page's script shows; the page's own words come from the catalog in the sandbox's language.
SCRIPT_LABELS = (
    "only_you",
    "replies",
    "reply",
    "reply_in_thread",
    "edited",
    "delivered",
    "nothing_due",
    "jumped",
    "home_empty",
    "failed",
    "slackbot",
    "channels",
    "direct_messages",
    "apps",
    "home",
    "close",
    "app",
    "bot_not_member",
    "more_actions",
)


async def page(request: web.Request) -> web.Response:
    page_state = request.app[PAGE_KEY]
    words = page_state.words
    template = (STATIC / "page.html").read_text(encoding="utf-8")
    labels = {key: words(f"sandbox.page.{key}") for key in SCRIPT_LABELS}
    # Inside <script>: "<" escaped so no text can close the element.
    labels_json = json.dumps(labels, ensure_ascii=False).replace("<", "\\u003c")

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "labels_json":
            return labels_json
        if key == "lang":
            return words.language
        if key == "workspace":
            return html.escape(page_state.double.workspace.team_name)
        return html.escape(words(f"sandbox.page.{key}"))

    body = _PLACEHOLDER.sub(fill, template)
    return web.Response(text=body, content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-store"})


# ---- reading what a person sees ------------------------------------------------------------------------------


def _directory(workspace: Workspace, person: FakeUser, now: datetime) -> Directory:
    return Directory(
        people={u.id: u.real_name for u in workspace.users},
        channels={c.id: c.name for c in workspace.channels},
        usergroups={g.id: g.handle for g in workspace.usergroups},
        zone=ZoneInfo(person.tz),
        locale=person.locale,
        now=now,
    )


def _language_name(locale: str) -> str:
    return {"it": "Italiano", "en": "English"}.get(locale.split("-")[0].lower(), locale)


def _role(person: FakeUser, managers: frozenset[str]) -> str:
    if person.is_owner:
        return "owner"
    if person.is_admin:
        return "admin"
    return "manager" if person.id in managers else "staff"


def _people(workspace: Workspace, managers: frozenset[str]) -> list[dict[str, Any]]:
    people = []
    for user in workspace.users:
        if user.is_bot:
            continue
        role = _role(user, managers)
        language = _language_name(user.locale)
        people.append(
            {
                "id": user.id,
                "name": user.real_name,
                "tz": user.tz,
                "locale": user.locale,
                "language": language,
                "role": role,
                "label": f"{user.real_name} \u2014 {user.tz} \u00b7 {language} \u00b7 {role}",
            }
        )
    return people


def _conversations(workspace: Workspace, person: FakeUser) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"id": c.id, "name": f"#{c.name}", "kind": "channel", "bot_member": workspace.bot_user_id in c.members}
        for c in workspace.channels
        if person.id in c.members
    ]
    found.append({"id": workspace.dm_channel_id(person.id), "name": BOT_NAME, "kind": "dm", "bot_member": True})
    found.append({"id": HOME, "name": HOME, "kind": "home", "bot_member": True})
    return found


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


def _file_json(record: FileRecord) -> dict[str, Any]:
    slack = record.to_slack()
    return {"id": record.id, "name": record.filename, "url": f"/files/{record.id}", "mimetype": slack["mimetype"]}


def _author(workspace: Workspace, item: Message | Ephemeral, words: Words) -> tuple[str, bool]:
    if isinstance(item, Ephemeral):
        return (words("sandbox.page.slackbot"), True) if item.source == "slack" else (BOT_NAME, True)
    if item.from_bot or item.user == workspace.bot_user_id:
        return BOT_NAME, True
    user = workspace.user(item.user)
    return (user.real_name if user else item.user), False


def _message_json(
    page_state: PageState, item: Message | Ephemeral, directory: Directory, thread_count: int = 0
) -> dict[str, Any]:
    workspace = page_state.double.workspace
    author, from_bot = _author(workspace, item, page_state.words)
    body = blocks_html(item.blocks, directory) if item.blocks else mrkdwn_html(item.text, directory)
    seconds = _ts_key(item.ts)[0]
    at = datetime.fromtimestamp(seconds, tz=directory.zone)
    message: dict[str, Any] = {
        "ts": item.ts,
        "author": author,
        "bot": from_bot,
        "time": at.strftime("%H:%M"),
        "date": at.strftime("%Y-%m-%d"),
        "html": body,
        "ephemeral": isinstance(item, Ephemeral),
        "files": [],
        "thread_count": thread_count,
        "thread_ts": item.thread_ts,
        "edited": False,
        "reactions": [],
    }
    if isinstance(item, Message):
        message["files"] = [_file_json(f) for f in item.files]
        message["edited"] = item.edited_ts is not None
        message["reactions"] = [
            {"name": name, "html": mrkdwn_html(f":{name}:", directory), "count": len(users)}
            for name, users in item.reactions.items()
            if users
        ]
    return message


def _is_reply(item: Message | Ephemeral) -> bool:
    return item.thread_ts is not None and item.thread_ts != item.ts


def _timeline(
    page_state: PageState, person: FakeUser, conversation: str, directory: Directory
) -> tuple[list[dict[str, Any]], dict[str, list[Message | Ephemeral]]]:
    """Top-level messages and the person's ephemerals, oldest first; and each thread's replies by parent ts."""
    double = page_state.double
    items: list[Message | Ephemeral] = [*double.messages(conversation), *double.ephemerals(person.id, conversation)]
    items.sort(key=lambda item: _ts_key(item.ts))
    threads: dict[str, list[Message | Ephemeral]] = {}
    for item in items:
        if _is_reply(item):
            assert item.thread_ts is not None
            threads.setdefault(item.thread_ts, []).append(item)
    top = [
        _message_json(page_state, item, directory, len(threads.get(item.ts, [])))
        for item in items
        if not _is_reply(item)
    ]
    return top, threads


def _view_json(
    page_state: PageState, person: FakeUser, view: Mapping[str, Any], directory: Directory
) -> dict[str, Any]:
    key = (person.id, str(view.get("id")), str(view.get("hash")))
    errors = page_state.errors.get(key)
    title = view.get("title") or {}
    submit = view.get("submit") or {}
    close = view.get("close") or {}
    return {
        "id": view.get("id"),
        "hash": view.get("hash"),
        "html": view_html(view, directory, errors=errors),
        "title": title.get("text", "") if isinstance(title, Mapping) else "",
        "submit": submit.get("text") if isinstance(submit, Mapping) else None,
        "close": close.get("text") if isinstance(close, Mapping) else None,
        "errors": errors or {},
    }


async def state(request: web.Request) -> web.Response:
    page_state = request.app[PAGE_KEY]
    double = page_state.double
    workspace = double.workspace
    # A first visit names nobody: the page starts as the first sample person.
    asked = request.query.get("person") or next(u.id for u in workspace.users if not u.is_bot)
    person = _person(workspace, asked)
    conversation = request.query.get("conversation") or workspace.dm_channel_id(person.id)
    _check_conversation(workspace, person, conversation)
    now = page_state.controls.clock.now()
    directory = _directory(workspace, person, now)
    managers = await page_state.controls.managers()
    messages: list[dict[str, Any]] = []
    thread: dict[str, Any] | None = None
    home: dict[str, Any] | None = None
    if conversation == HOME:
        view = double.home_view(person.id)
        home = _view_json(page_state, person, view, directory) if view else None
    else:
        messages, threads = _timeline(page_state, person, conversation, directory)
        parent_ts = request.query.get("thread")
        if parent_ts:
            parent = _find_item(double, person, conversation, parent_ts)
            replies = threads.get(parent_ts, [])
            thread = {
                "ts": parent_ts,
                "parent": _message_json(page_state, parent, directory, len(replies)) if parent else None,
                "messages": [_message_json(page_state, item, directory) for item in replies],
            }
    stack = double.open_views(person.id)
    modal = _view_json(page_state, person, stack[-1], directory) if stack else None
    local = now.astimezone(ZoneInfo(person.tz))
    return web.json_response(
        {
            "person": person.id,
            "conversation": conversation,
            "people": _people(workspace, managers),
            "conversations": _conversations(workspace, person),
            "messages": messages,
            "thread": thread,
            "view": modal["html"] if modal else None,
            "modal": modal,
            "home": home["html"] if home else None,
            "home_view": home,
            "shortcuts": [
                {"callback_id": s.callback_id, "name": page_state.words(f"shortcut.{s.callback_id}.name")}
                for s in shortcuts()
            ],
            "clock": now.isoformat(),
            "clock_text": f"{local:%a %d %b %Y, %H:%M} ({person.tz})",
            "offset_seconds": int(page_state.controls.clock.offset.total_seconds()),
        },
        headers={"Cache-Control": "no-store"},
    )


# ---- acting as a person --------------------------------------------------------------------------------------


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("expected a JSON object") from None
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object")
    return body


def _person(workspace: Workspace, user_id: object) -> FakeUser:
    user = workspace.user(str(user_id)) if isinstance(user_id, str) else None
    if user is None or user.is_bot:
        raise BadRequest(f"unknown person {user_id!r}")
    return user


def _check_conversation(workspace: Workspace, person: FakeUser, conversation: str) -> None:
    if conversation in (HOME, workspace.dm_channel_id(person.id)):
        return
    channel = workspace.channel(conversation)
    if channel is None or person.id not in channel.members:
        raise BadRequest(f"{person.real_name} is not in {conversation!r}")


def _find_item(double: SlackDouble, person: FakeUser, conversation: str, ts: str) -> Message | Ephemeral | None:
    """A message the person sees in the conversation, by ts: their ephemerals first, then everyone's."""
    for ephemeral in double.ephemerals(person.id, conversation):
        if ephemeral.ts == ts:
            return ephemeral
    return next((m for m in double.messages(conversation) if m.ts == ts), None)


_MENTION = re.compile(r"(?<![\w<|^])@([A-Za-z0-9][\w.\-]*)")
_CHANNEL = re.compile(r"(?<![\w<|&])#([a-z0-9][a-z0-9_\-]*)")
_BOT_MENTION = re.compile(r"@ops[ \-]assistant\b", re.IGNORECASE)


def slack_text(workspace: Workspace, text: str, *, command: bool) -> str:
    """What a Slack client sends for typed text: `@name` and `#channel` become Slack's escaped references.

    Slash commands get the `|name` form (the app's manifest asks for escaping), messages the bare id.
    """
    bot = f"<@{workspace.bot_user_id}>"
    text = _BOT_MENTION.sub(bot, text)

    def person_or_group(match: re.Match[str]) -> str:
        name = match.group(1).rstrip(".-")
        rest = match.group(1)[len(name) :]
        user = next((u for u in workspace.users if u.name.lower() == name.lower()), None)
        if user is not None:
            if user.is_bot:
                return bot + rest
            return (f"<@{user.id}|{user.name}>" if command else f"<@{user.id}>") + rest
        group = next((g for g in workspace.usergroups if g.handle.lower() == name.lower()), None)
        if group is not None:
            return f"<!subteam^{group.id}|@{group.handle}>" + rest
        return match.group(0)

    def channel(match: re.Match[str]) -> str:
        name = match.group(1).rstrip("-_")
        found = workspace.channel_by_name(name)
        if found is None:
            return match.group(0)
        return f"<#{found.id}|{found.name}>" + match.group(1)[len(name) :]

    return _CHANNEL.sub(channel, _MENTION.sub(person_or_group, text))


def _reply_json(reply: AppReply | None) -> dict[str, Any]:
    if reply is None or reply.status == 200:
        return {"ok": True}
    return {"ok": False, "status": reply.status, "error": reply.body[:300]}


async def send(request: web.Request) -> web.Response:
    page_state = request.app[PAGE_KEY]
    double = page_state.double
    workspace = double.workspace
    body = await _body(request)
    person = _person(workspace, body.get("person"))
    conversation = str(body.get("conversation") or workspace.dm_channel_id(person.id))
    _check_conversation(workspace, person, conversation)
    if conversation == HOME:
        raise BadRequest("the Home tab has no message box")
    text = str(body.get("text") or "").strip()
    thread_ts = body.get("thread_ts") or None
    if not text:
        raise BadRequest("nothing to send")
    if text.startswith("/"):
        command, _, rest = text.partition(" ")
        if command != "/ops":
            raise BadRequest(f"{command} is not a command here; try /ops help")
        reply: AppReply | None = await double.send_command(
            person.id, slack_text(workspace, rest.strip(), command=True), channel_id=conversation
        )
        await page_state.controls.managers(fresh=True)  # a role may have changed
        return web.json_response(_reply_json(reply))
    typed = slack_text(workspace, text, command=False)
    thread = str(thread_ts) if thread_ts else None
    if conversation == workspace.dm_channel_id(person.id):
        reply = await double.send_message_im(person.id, typed, thread_ts=thread)
    elif f"<@{workspace.bot_user_id}>" in typed and _bot_is_member(workspace, conversation):
        reply = await double.send_app_mention(person.id, typed, conversation, thread_ts=thread)
    else:  # a message the bot is not told about, as in Slack when nobody mentions it
        double.post_as(person.id, typed, conversation, thread_ts=thread)
        reply = None
    return web.json_response(_reply_json(reply))


def _bot_is_member(workspace: Workspace, channel_id: str) -> bool:
    channel = workspace.channel(channel_id)
    return channel is not None and workspace.bot_user_id in channel.members


async def upload(request: web.Request) -> web.Response:
    """A file dropped into the person's DM with the bot (a CSV to import, a receipt…)."""
    double = request.app[PAGE_KEY].double
    form = await request.post()
    person = _person(double.workspace, form.get("person"))
    field = form.get("file")
    if not isinstance(field, web.FileField):
        raise BadRequest("no file")
    content = field.file.read()
    text = form.get("text")
    reply = await double.send_file_share_im(
        person.id,
        Path(field.filename or "file").name,
        content,
        text=slack_text(double.workspace, text, command=False) if isinstance(text, str) else "",
        mimetype=field.content_type or "application/octet-stream",
    )
    return web.json_response(_reply_json(reply))


def _live_view(double: SlackDouble, person: FakeUser, view_id: str) -> dict[str, Any]:
    for candidate in reversed(double.open_views(person.id)):
        if str(candidate.get("id")) == view_id:
            return cast(dict[str, Any], candidate)  # mypy loses the type in this loop
    home = double.home_view(person.id)
    if home is not None and home.get("id") == view_id:
        return home
    raise LookupError(f"{person.real_name} has no open view {view_id}")


def _values(raw: object) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise BadRequest("values must be {block_id: {action_id: value}}")
    return {str(block): {str(a): v for a, v in by_action.items()} for block, by_action in raw.items()}


async def action(request: web.Request) -> web.Response:
    double = request.app[PAGE_KEY].double
    workspace = double.workspace
    body = await _body(request)
    person = _person(workspace, body.get("person"))
    action_id = str(body.get("action_id") or "")
    if not action_id:
        raise BadRequest("action_id is required")
    block_id = str(body["block_id"]) if body.get("block_id") else None
    value = body.get("value")
    if body.get("view_id"):
        live = _live_view(double, person, str(body["view_id"]))
        reply = await double.send_block_action(
            person.id,
            action_id,
            value,
            view=live,
            block_id=block_id,
            state_values=_values(body.get("values")) or None,
        )
        return web.json_response(_reply_json(reply))
    conversation = str(body.get("conversation") or "")
    _check_conversation(workspace, person, conversation)
    message = _find_item(double, person, conversation, str(body.get("message_ts") or ""))
    if message is None:
        raise LookupError(f"no message {body.get('message_ts')!r} in {conversation}")
    reply = await double.send_block_action(person.id, action_id, value, message=message, block_id=block_id)
    return web.json_response(_reply_json(reply))


async def submit(request: web.Request) -> web.Response:
    page_state = request.app[PAGE_KEY]
    double = page_state.double
    body = await _body(request)
    person = _person(double.workspace, body.get("person"))
    live = _live_view(double, person, str(body.get("view_id") or ""))
    reply = await double.send_view_submission(person.id, view=live, values=_values(body.get("values")))
    errors = _submission_errors(reply)
    if errors:
        page_state.errors[(person.id, str(live.get("id")), str(live.get("hash")))] = errors
    result = _reply_json(reply)
    result["errors"] = errors
    return web.json_response(result)


def _submission_errors(reply: AppReply) -> dict[str, str]:
    if reply.status != 200 or not reply.body.strip():
        return {}
    try:
        answer = reply.json()
    except json.JSONDecodeError:
        return {}
    if not isinstance(answer, dict) or answer.get("response_action") != "errors":
        return {}
    errors = answer.get("errors")
    return {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}


async def close(request: web.Request) -> web.Response:
    double = request.app[PAGE_KEY].double
    body = await _body(request)
    person = _person(double.workspace, body.get("person"))
    view_id = body.get("view_id")
    live = _live_view(double, person, str(view_id)) if view_id else None
    reply = await double.send_view_closed(person.id, live)
    return web.json_response(_reply_json(reply))


async def shortcut(request: web.Request) -> web.Response:
    """A message shortcut (the message's "More actions" menu), such as Create task."""
    double = request.app[PAGE_KEY].double
    body = await _body(request)
    person = _person(double.workspace, body.get("person"))
    callback_id = str(body.get("callback_id") or "")
    if callback_id not in {s.callback_id for s in shortcuts()}:
        raise BadRequest(f"unknown shortcut {callback_id!r}")
    conversation = str(body.get("conversation") or "")
    _check_conversation(double.workspace, person, conversation)
    message = _find_item(double, person, conversation, str(body.get("message_ts") or ""))
    if not isinstance(message, Message):
        raise LookupError(f"no message {body.get('message_ts')!r} in {conversation}")
    reply = await double.send_message_shortcut(person.id, callback_id, message)
    return web.json_response(_reply_json(reply))


async def home_opened(request: web.Request) -> web.Response:
    double = request.app[PAGE_KEY].double
    body = await _body(request)
    person = _person(double.workspace, body.get("person"))
    reply = await double.send_app_home_opened(person.id)
    return web.json_response(_reply_json(reply))


# ---- time ----------------------------------------------------------------------------------------------------


def _posted(double: SlackDouble) -> dict[str, set[str]]:
    """Every message's ts by conversation (channels and the people's DMs with the bot)."""
    workspace = double.workspace
    conversations = [c.id for c in workspace.channels]
    conversations += [workspace.dm_channel_id(u.id) for u in workspace.users if not u.is_bot]
    return {conversation: {m.ts for m in double.messages(conversation)} for conversation in conversations}


def _where(double: SlackDouble, before: Mapping[str, set[str]]) -> list[str]:
    """Where new messages appeared since `before`: `#ops`, `Maria Rossi (DM)`…"""
    workspace = double.workspace
    places = []
    for conversation, seen in _posted(double).items():
        if not seen - before.get(conversation, set()):
            continue
        channel = workspace.channel(conversation)
        person = workspace.dm_user(conversation)
        places.append(f"#{channel.name}" if channel else f"{person.real_name if person else conversation} (DM)")
    return places


def _jump_json(jump: Jump, where: list[str]) -> dict[str, Any]:
    return {
        "ok": True,
        "delivered": jump.delivered,
        "clock": jump.now.isoformat(),
        "due": jump.due.isoformat() if jump.due else None,
        "where": where,
    }


async def clock_next(request: web.Request) -> web.Response:
    page_state = request.app[PAGE_KEY]
    before = _posted(page_state.double)
    jump = await page_state.controls.jump_to_next_due()
    return web.json_response(_jump_json(jump, _where(page_state.double, before)))


async def clock_advance(request: web.Request) -> web.Response:
    body = await _body(request)
    seconds = body.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
        raise BadRequest("seconds must be a positive number")
    delta = timedelta(seconds=seconds)
    if delta > MAX_ADVANCE:
        raise BadRequest("at most a year at a time")
    page_state = request.app[PAGE_KEY]
    before = _posted(page_state.double)
    jump = await page_state.controls.advance(delta)
    return web.json_response(_jump_json(jump, _where(page_state.double, before)))


# ---- files and feeds -----------------------------------------------------------------------------------------


async def file_download(request: web.Request) -> web.Response:
    double = request.app[PAGE_KEY].double
    file_id = request.match_info["file_id"]
    record = next((f for f in double.files if f.id == file_id), None)
    if record is None:
        return web.Response(status=404, text="file not found")
    mimetype = str(record.to_slack()["mimetype"])
    inline = mimetype.startswith("image/")
    disposition = "inline" if inline else "attachment"
    return web.Response(
        body=record.content,
        content_type=mimetype,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(record.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def calendar_feed(request: web.Request) -> web.Response:
    """Calendar links the bot hands out point at the page; the feed itself is the bot's (`GET /calendar/…`)."""
    page_state = request.app[PAGE_KEY]
    url = f"{page_state.bot_url}/calendar/{quote(request.match_info['token'])}.ics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.read()
        return web.Response(status=response.status, body=body, content_type=response.content_type)
