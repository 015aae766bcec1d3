"""The Slack Web API methods the bot calls, answered the way Slack answers them.

One small handler per method, registered in `WebApi.methods`. A handler returns the success body without
`ok`; a failure raises `ApiError`, which becomes Slack's `{"ok": false, "error": …}` (HTTP 200, as Slack does).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.sandbox import limits
from bot.sandbox.records import FileRecord, Message
from bot.sandbox.state import PendingUpload, SandboxState
from bot.sandbox.workspace import FakeChannel, FakeUser

Args = dict[str, Any]
Body = dict[str, Any]
T = TypeVar("T")

# Slack shows long names; zoneinfo knows only abbreviations. Unknown ones fall back to the abbreviation.
_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "JST": "Japan Standard Time",
}


class ApiError(Exception):
    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def body(self) -> Body:
        body: Body = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


# ---- argument helpers: Slack takes query, form or JSON, so values may be strings or already decoded ---------------


def arg_str(args: Args, name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)


def arg_json(args: Args, name: str, error: str = "invalid_arguments") -> Any:
    value = args.get(name)
    if isinstance(value, str):
        if value == "":
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise ApiError(error, f"[ERROR] invalid JSON [json-pointer:/{name}]") from None
    return value


def arg_bool(args: Args, name: str) -> bool:
    value = args.get(name)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def arg_int(args: Args, name: str, default: int) -> int:
    value = args.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments", f"[ERROR] must be an integer [json-pointer:/{name}]") from None


def require(args: Args, *names: str) -> None:
    missing = [name for name in names if arg_str(args, name) is None]
    if missing:
        raise ApiError("invalid_arguments", *(f"[ERROR] missing required field: {name}" for name in missing))


def message_content(args: Args) -> tuple[str, list[dict[str, Any]] | None]:
    """(text, blocks) of a message post, checked against Slack's limits; blocks None when not given."""
    text = arg_str(args, "text") or ""
    blocks = arg_json(args, "blocks", "invalid_blocks_format")
    if blocks is not None:
        errors = limits.message_block_errors(blocks)
        if errors:
            raise ApiError("invalid_blocks", *errors)
    if len(text) > limits.MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    return text, blocks


def paginate(items: Sequence[T], args: Args, default_limit: int) -> tuple[list[T], str]:
    """Slack's cursor pagination: an opaque base64 cursor, and "" as next_cursor on the last page."""
    limit = arg_int(args, "limit", default_limit) or default_limit
    cursor = arg_str(args, "cursor")
    start = 0
    if cursor is not None:
        try:
            start = int(base64.b64decode(cursor, validate=True).decode().removeprefix("offset:"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError("invalid_cursor") from None
    page = list(items[start : start + limit])
    end = start + len(page)
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return page, next_cursor


class WebApi:
    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._ws = state.workspace
        self.methods: dict[str, Callable[[Args], Body]] = {
            "api.test": self.api_test,
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.members": self.conversations_members,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
            "files.info": self.files_info,
            "reactions.add": self.reactions_add,
            "usergroups.users.list": self.usergroups_users_list,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
        }

    def call(self, method: str, args: Args) -> Body:
        handler = self.methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        try:
            return {"ok": True, **handler(args)}
        except ApiError as error:
            return error.body()

    # ---- lookups -----------------------------------------------------------------------------------------------

    def _user(self, user_id: str | None) -> FakeUser:
        user = self._ws.user(user_id) if user_id else None
        if user is None:
            raise ApiError("user_not_found")
        return user

    def _conversation(self, channel: str | None) -> str:
        """A channel id from what Slack accepts: an id, a `#name`, or a user id (meaning the DM with the bot)."""
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.startswith(("U", "W")) and self._ws.user(channel) is not None:
            return self._ws.dm_channel_id(channel)
        if self._ws.dm_user(channel) is not None:
            return channel
        found = self._ws.channel(channel) or self._ws.channel_by_name(channel)
        if found is None or (found.is_private and self._ws.bot_user_id not in found.members):
            raise ApiError("channel_not_found")  # Slack hides private channels the bot is not in
        return found.id

    def _members(self, channel_id: str) -> tuple[str, ...]:
        dm_user = self._ws.dm_user(channel_id)
        if dm_user is not None:
            return (dm_user.id, self._ws.bot_user_id)
        channel = self._ws.channel(channel_id)
        return channel.members if channel else ()

    def _postable(self, channel: str | None) -> str:
        channel_id = self._conversation(channel)
        if self._ws.bot_user_id not in self._members(channel_id):
            raise ApiError("not_in_channel")
        return channel_id

    def _own_message(self, args: Args, ts_field: str, not_own: str) -> Message:
        require(args, ts_field)
        channel_id = self._conversation(arg_str(args, "channel"))
        message = self._state.find_message(channel_id, str(arg_str(args, ts_field)))
        if message is None:
            raise ApiError("message_not_found")
        if message.user != self._ws.bot_user_id:
            raise ApiError(not_own)
        return message

    # ---- auth --------------------------------------------------------------------------------------------------

    def api_test(self, args: Args) -> Body:
        return {"args": args} if args else {}

    def auth_test(self, args: Args) -> Body:
        return {
            "url": f"https://{self._ws.team_domain}.slack.com/",
            "team": self._ws.team_name,
            "user": self._ws.bot_user.name,
            "team_id": self._ws.team_id,
            "user_id": self._ws.bot_user_id,
            "bot_id": self._ws.bot_id,
            "is_enterprise_install": False,
        }

    # ---- chat --------------------------------------------------------------------------------------------------

    def chat_post_message(self, args: Args) -> Body:
        channel_id = self._postable(arg_str(args, "channel"))
        text, blocks = message_content(args)
        if not text and not blocks and not args.get("attachments"):
            raise ApiError("no_text")
        metadata = arg_json(args, "metadata", "invalid_metadata_format")
        message = self._state.add_message(
            channel_id,
            self._ws.bot_user,
            text,
            blocks=blocks,
            thread_ts=arg_str(args, "thread_ts"),
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        return {"channel": channel_id, "ts": message.ts, "message": message.to_slack()}

    def chat_post_ephemeral(self, args: Args) -> Body:
        channel_id = self._postable(arg_str(args, "channel"))
        user = self._user(arg_str(args, "user"))
        if user.id not in self._members(channel_id):
            raise ApiError("user_not_in_channel")
        text, blocks = message_content(args)
        if not text and not blocks and not args.get("attachments"):
            raise ApiError("no_text")
        ephemeral = self._state.add_ephemeral(
            channel_id, user.id, text, blocks=blocks, thread_ts=arg_str(args, "thread_ts")
        )
        return {"message_ts": ephemeral.ts}

    def chat_update(self, args: Args) -> Body:
        message = self._own_message(args, "ts", "cant_update_message")
        text, blocks = message_content(args)
        if arg_str(args, "text") is None and blocks is None and not args.get("attachments"):
            raise ApiError("no_text")
        changes: dict[str, Any] = {}
        # Fields the caller leaves out keep their previous value, as in Slack.
        if arg_str(args, "text") is not None:
            changes["text"] = text
        if blocks is not None:
            changes["blocks"] = blocks
        metadata = arg_json(args, "metadata", "invalid_metadata_format")
        if isinstance(metadata, dict):
            changes["metadata"] = metadata
        updated = self._state.edit_message(message, **changes)
        return {"channel": updated.channel, "ts": updated.ts, "text": updated.text, "message": updated.to_slack()}

    def chat_delete(self, args: Args) -> Body:
        message = self._own_message(args, "ts", "cant_delete_message")
        self._state.delete_message(message)
        return {"channel": message.channel, "ts": message.ts}

    def chat_get_permalink(self, args: Args) -> Body:
        channel_id = self._conversation(arg_str(args, "channel"))
        require(args, "message_ts")
        message = self._state.find_message(channel_id, str(arg_str(args, "message_ts")))
        if message is None:
            raise ApiError("message_not_found")
        link = f"https://{self._ws.team_domain}.slack.com/archives/{channel_id}/p{message.ts.replace('.', '')}"
        if message.thread_ts is not None and message.thread_ts != message.ts:
            link += f"?thread_ts={message.thread_ts}&cid={channel_id}"
        return {"channel": channel_id, "permalink": link}

    # ---- conversations -----------------------------------------------------------------------------------------

    def _channel_object(self, channel_id: str, include_num_members: bool) -> Body:
        dm_user = self._ws.dm_user(channel_id)
        if dm_user is not None:
            return {
                "id": channel_id,
                "created": 1700000000,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self._ws.team_id,
                "updated": 1700000000000,
                "user": dm_user.id,
                "is_user_deleted": False,
                "priority": 0,
            }
        channel: FakeChannel | None = self._ws.channel(channel_id)
        assert channel is not None
        body: Body = {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "created": 1700000000,
            "is_archived": False,
            "is_general": channel.name == "general",
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self._ws.team_id,
            "updated": 1700000000000,
            "creator": next((u.id for u in self._ws.users if u.is_owner), ""),
            "is_ext_shared": False,
            "shared_team_ids": [self._ws.team_id],
            "is_member": self._ws.bot_user_id in channel.members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if include_num_members:
            body["num_members"] = len(channel.members)
        return body

    def conversations_open(self, args: Args) -> Body:
        users = [u for u in (arg_str(args, "users") or "").split(",") if u]
        if not users:
            channel = arg_str(args, "channel")
            if channel is None:
                raise ApiError("users_list_not_supplied")
            return {"channel": {"id": self._conversation(channel)}}
        if len(users) > 1:
            raise ApiError("not_supported", "[ERROR] the Slack double opens only one-to-one DMs")
        user = self._user(users[0])
        if user.is_bot:
            raise ApiError("cannot_dm_bot")
        channel_id = self._ws.dm_channel_id(user.id)
        if arg_bool(args, "return_im"):
            return {"no_op": True, "already_open": True, "channel": self._channel_object(channel_id, False)}
        return {"no_op": True, "already_open": True, "channel": {"id": channel_id}}

    def conversations_info(self, args: Args) -> Body:
        channel_id = self._conversation(arg_str(args, "channel"))
        return {"channel": self._channel_object(channel_id, arg_bool(args, "include_num_members"))}

    def conversations_members(self, args: Args) -> Body:
        channel_id = self._conversation(arg_str(args, "channel"))
        page, next_cursor = paginate(self._members(channel_id), args, 100)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _readable(self, args: Args) -> str:
        channel_id = self._conversation(arg_str(args, "channel"))
        if self._ws.bot_user_id not in self._members(channel_id):
            raise ApiError("not_in_channel")
        return channel_id

    def conversations_history(self, args: Args) -> Body:
        channel_id = self._readable(args)
        oldest = float(arg_str(args, "oldest") or 0)
        latest = float(arg_str(args, "latest") or "inf")
        inclusive = arg_bool(args, "inclusive")
        with_metadata = arg_bool(args, "include_all_metadata")

        def in_range(ts: float) -> bool:
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        top_level = [
            m
            for m in reversed(self._state.channel_messages.get(channel_id, []))
            if (m.thread_ts is None or m.thread_ts == m.ts) and in_range(float(m.ts))
        ]
        page, next_cursor = paginate(top_level, args, 100)
        return {
            "messages": [_listed(m, with_metadata) for m in page],
            "has_more": bool(next_cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def conversations_replies(self, args: Args) -> Body:
        channel_id = self._readable(args)
        require(args, "ts")
        ts = str(arg_str(args, "ts"))
        thread = [m for m in self._state.channel_messages.get(channel_id, []) if ts in (m.ts, m.thread_ts)]
        if not thread:
            raise ApiError("thread_not_found")
        page, next_cursor = paginate(thread, args, 1000)
        with_metadata = arg_bool(args, "include_all_metadata")
        return {
            "messages": [_listed(m, with_metadata) for m in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # ---- users and groups --------------------------------------------------------------------------------------

    def _user_object(self, user: FakeUser, include_locale: bool) -> Body:
        now = datetime.fromtimestamp(self._state.clock(), tz=ZoneInfo(user.tz))
        offset = now.utcoffset()
        abbreviation = now.tzname() or user.tz
        first_name, _, last_name = user.real_name.partition(" ")
        profile: Body = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.name,
            "display_name_normalized": user.name,
            "fields": None,
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + user.id[-11:].lower(),
            "first_name": first_name,
            "last_name": last_name,
            "image_48": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=48",
            "team": self._ws.team_id,
        }
        if user.email is not None:
            profile["email"] = user.email
        if user.is_bot:
            profile.update(bot_id=self._ws.bot_id, api_app_id=self._ws.app_id, always_active=True)
        body: Body = {
            "id": user.id,
            "team_id": self._ws.team_id,
            "name": user.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": user.real_name,
            # Slack always sends the zone; `tz_offset` is a snapshot that goes stale across DST.
            "tz": user.tz,
            "tz_label": _TZ_LABELS.get(abbreviation, abbreviation),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_primary_owner": user.is_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": user.email is not None,
            "who_can_share_contact_card": "EVERYONE",
        }
        if include_locale:
            body["locale"] = user.locale
        return body

    def users_info(self, args: Args) -> Body:
        user = self._user(arg_str(args, "user"))
        return {"user": self._user_object(user, arg_bool(args, "include_locale"))}

    def users_list(self, args: Args) -> Body:
        page, next_cursor = paginate(self._ws.users, args, 200)
        include_locale = arg_bool(args, "include_locale")
        return {
            "members": [self._user_object(u, include_locale) for u in page],
            "cache_ts": int(self._state.clock()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def users_lookup_by_email(self, args: Args) -> Body:
        email = arg_str(args, "email")
        user = next((u for u in self._ws.users if email and u.email == email), None)
        if user is None:
            raise ApiError("users_not_found")
        return {"user": self._user_object(user, False)}

    def usergroups_users_list(self, args: Args) -> Body:
        group_id = arg_str(args, "usergroup")
        group = self._ws.usergroup(group_id) if group_id else None
        if group is None:
            raise ApiError("no_such_subteam")
        return {"users": list(group.users)}

    # ---- reactions ---------------------------------------------------------------------------------------------

    def reactions_add(self, args: Args) -> Body:
        channel_id = self._conversation(arg_str(args, "channel"))
        name = arg_str(args, "name")
        if name is None:
            raise ApiError("invalid_name")
        timestamp = arg_str(args, "timestamp")
        if timestamp is None:
            raise ApiError("no_item_specified")
        message = self._state.find_message(channel_id, timestamp)
        if message is None:
            raise ApiError("message_not_found")
        name = name.strip(":")
        users = message.reactions.get(name, ())
        if self._ws.bot_user_id in users:
            raise ApiError("already_reacted")
        reactions = {**message.reactions, name: (*users, self._ws.bot_user_id)}
        self._state.replace_message(message, dataclasses.replace(message, reactions=reactions))
        return {}

    # ---- files -------------------------------------------------------------------------------------------------

    def files_get_upload_url_external(self, args: Args) -> Body:
        require(args, "filename", "length")
        length = arg_int(args, "length", 0)
        if length <= 0:
            raise ApiError("invalid_arguments", "[ERROR] must be greater than 0 [json-pointer:/length]")
        file_id = self._state.next_id("F")
        self._state.uploads[file_id] = PendingUpload(file_id, str(arg_str(args, "filename")), length)
        return {"upload_url": f"{self._state.base_url()}upload/v1/{file_id}", "file_id": file_id}

    def files_complete_upload_external(self, args: Args) -> Body:
        entries = arg_json(args, "files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: files")
        channel_ids: list[str] = []
        if arg_str(args, "channel_id") is not None:
            channel_ids.append(self._postable(arg_str(args, "channel_id")))
        channel_ids += [self._postable(c) for c in (arg_str(args, "channels") or "").split(",") if c]
        pending: list[tuple[PendingUpload, str]] = []
        for entry in entries:
            upload = self._state.uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if upload is None or upload.content is None:
                raise ApiError("file_not_found")
            pending.append((upload, str(entry.get("title") or upload.filename)))
        created = int(self._state.clock())
        files: list[FileRecord] = []
        for upload, title in pending:
            del self._state.uploads[upload.file_id]
            assert upload.content is not None
            record = FileRecord(
                id=upload.file_id,
                filename=upload.filename,
                title=title,
                content=upload.content,
                user=self._ws.bot_user_id,
                team=self._ws.team_id,
                created=created,
                url_private=f"{self._state.base_url()}files-pri/{self._ws.team_id}-{upload.file_id}/{upload.filename}",
                channels=tuple(channel_ids),
            )
            self._state.files[record.id] = record
            files.append(record)
        for channel_id in channel_ids:
            self._state.add_message(
                channel_id,
                self._ws.bot_user,
                arg_str(args, "initial_comment") or "",
                thread_ts=arg_str(args, "thread_ts"),
                files=tuple(files),
            )
        return {"files": [f.to_slack() for f in files]}

    def files_info(self, args: Args) -> Body:
        """A file the bot can see: one it uploaded, or one shared where it is a member (its DMs included)."""
        require(args, "file")
        record = self._state.files.get(str(arg_str(args, "file")))
        if record is None or not (
            record.user == self._ws.bot_user_id
            or any(self._ws.bot_user_id in self._members(channel) for channel in record.channels)
        ):
            raise ApiError("file_not_found")
        return {"file": record.to_slack(), "comments": [], "response_metadata": {"next_cursor": ""}}

    # ---- views -------------------------------------------------------------------------------------------------

    def _view_spec(self, args: Args) -> dict[str, Any]:
        spec = arg_json(args, "view")
        if spec is None:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: view")
        errors = limits.view_errors(spec)
        if errors:
            raise ApiError("invalid_arguments", *errors)
        assert isinstance(spec, dict)
        return spec

    def _trigger_user(self, args: Args) -> str:
        trigger_id = arg_str(args, "trigger_id")
        if trigger_id is None:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        error, user_id = self._state.check_trigger(trigger_id)
        if error is not None:
            raise ApiError(error)
        return user_id

    def views_open(self, args: Args) -> Body:
        user_id = self._trigger_user(args)
        spec = self._view_spec(args)
        if spec.get("type") != "modal":
            raise ApiError("invalid_arguments", "[ERROR] must be modal [json-pointer:/view/type]")
        view = self._state.build_view(spec)
        self._state.modal_stacks[user_id] = [view]
        return {"view": view}

    def views_push(self, args: Args) -> Body:
        user_id = self._trigger_user(args)
        spec = self._view_spec(args)
        stack = self._state.modal_stacks.get(user_id, [])
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= limits.MAX_VIEW_STACK:
            raise ApiError("push_limit_reached")
        view = self._state.build_view(spec, previous=stack[-1], root=stack[0])
        stack.append(view)
        return {"view": view}

    def views_update(self, args: Args) -> Body:
        view_id, external_id = arg_str(args, "view_id"), arg_str(args, "external_id")
        if view_id is None and external_id is None:
            raise ApiError("invalid_arguments", "[ERROR] missing required field: view_id or external_id")
        spec = self._view_spec(args)
        found = self._state.find_view(view_id, external_id)
        if found is None:
            raise ApiError("not_found")
        user_id, old = found
        expected_hash = arg_str(args, "hash")
        if expected_hash is not None and expected_hash != old["hash"]:
            raise ApiError("hash_conflict")
        view = self._state.build_view(spec, keep=old)
        self._state.replace_view(user_id, old, view)
        return {"view": view}

    def views_publish(self, args: Args) -> Body:
        user = self._user(arg_str(args, "user_id"))
        spec = self._view_spec(args)
        if spec.get("type") != "home":
            raise ApiError("invalid_arguments", "[ERROR] must be home [json-pointer:/view/type]")
        old = self._state.home_views.get(user.id)
        expected_hash = arg_str(args, "hash")
        if old is not None and expected_hash is not None and expected_hash != old["hash"]:
            raise ApiError("hash_conflict")
        view = self._state.build_view(spec, keep=old)
        self._state.home_views[user.id] = view
        return {"view": view}


def _listed(message: Message, with_metadata: bool) -> Body:
    """A message as conversations.history lists it: metadata only when asked for, as in Slack."""
    listed = message.to_slack()
    if not with_metadata:
        listed.pop("metadata", None)
    return listed
