"""The Slack double's world: messages, ephemerals, views, files, and the trigger ids and response URLs it issued.

Synchronous and free of HTTP, so the Web API handlers, the response-URL endpoint and the app driver share one
model; the server wakes waiters after every change.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.sandbox import limits
from bot.sandbox.records import Ephemeral, EphemeralSource, FileRecord, Message, RecordedCall
from bot.sandbox.workspace import FakeUser, Workspace


@dataclass(frozen=True, slots=True)
class MessageRef:
    """The message an interaction came from, so `replace_original` / `delete_original` know what to change."""

    kind: Literal["message", "ephemeral"]
    channel: str
    ts: str
    user: str | None = None  # the viewer, for ephemerals


@dataclass(slots=True)
class ResponseUrl:
    token: str
    issued_at: float
    user_id: str
    channel_id: str
    original: MessageRef | None
    url: str
    uses: int = 0


@dataclass(slots=True)
class PendingUpload:
    file_id: str
    filename: str
    length: int
    content: bytes | None = None


@dataclass(slots=True)
class SandboxState:
    workspace: Workspace
    clock: Callable[[], float]
    base_url: Callable[[], str]
    calls: list[RecordedCall] = field(default_factory=list)
    channel_messages: dict[str, list[Message]] = field(default_factory=dict)
    ephemeral_messages: list[Ephemeral] = field(default_factory=list)
    modal_stacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    uploads: dict[str, PendingUpload] = field(default_factory=dict)
    triggers: dict[str, tuple[float, str]] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrl] = field(default_factory=dict)
    _last_ts_micros: int = 0
    _counter: int = 0

    def reset(self) -> None:
        """Forget what happened; keep issued triggers and URLs so an app mid-flight does not see odd errors."""
        self.calls.clear()
        self.channel_messages.clear()
        self.ephemeral_messages.clear()
        self.modal_stacks.clear()
        self.home_views.clear()
        self.files.clear()
        self.uploads.clear()

    # ---- identifiers -------------------------------------------------------------------------------------------

    def next_ts(self) -> str:
        """A message timestamp from the injected clock, strictly increasing like Slack's."""
        micros = int(self.clock() * 1_000_000)
        if micros <= self._last_ts_micros:
            micros = self._last_ts_micros + 100
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def next_id(self, prefix: str) -> str:
        """Slack-looking ids (V…, F…, Ev…): uppercase alphanumerics after a type prefix."""
        self._counter += 1
        return f"{prefix}0{self._counter:05d}{secrets.token_hex(2).upper()}"

    def issue_trigger(self, user_id: str) -> str:
        self._counter += 1
        trigger_id = f"{self._counter}.{self.workspace.team_id[1:]}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = (self.clock(), user_id)
        return trigger_id

    def check_trigger(self, trigger_id: str) -> tuple[str | None, str]:
        """(error, user_id): Slack accepts a trigger_id only within 3 seconds of the interaction."""
        issued = self.triggers.get(trigger_id)
        if issued is None:
            return "invalid_trigger_id", ""
        issued_at, user_id = issued
        if self.clock() - issued_at > limits.TRIGGER_ID_TTL_SECONDS:
            return "expired_trigger_id", user_id
        return None, user_id

    def issue_response_url(self, user_id: str, channel_id: str, original: MessageRef | None) -> ResponseUrl:
        token = f"{self.workspace.team_id}-{secrets.token_hex(12)}"
        url = f"{self.base_url()}response/{token}"
        hook = ResponseUrl(token, self.clock(), user_id, channel_id, original, url)
        self.response_urls[token] = hook
        return hook

    # ---- messages ----------------------------------------------------------------------------------------------

    def add_message(
        self,
        channel: str,
        user: FakeUser,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        files: tuple[FileRecord, ...] = (),
    ) -> Message:
        is_bot = user.id == self.workspace.bot_user_id
        message = Message(
            channel=channel,
            ts=self.next_ts(),
            user=user.id,
            text=text,
            team=self.workspace.team_id,
            blocks=with_block_ids(blocks or []),
            thread_ts=thread_ts,
            metadata=metadata,
            files=files,
            bot_id=self.workspace.bot_id if is_bot else None,
            app_id=self.workspace.app_id if is_bot else None,
        )
        self.channel_messages.setdefault(channel, []).append(message)
        return message

    def find_message(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.channel_messages.get(channel, []) if m.ts == ts), None)

    def replace_message(self, old: Message, new: Message) -> None:
        messages = self.channel_messages[old.channel]
        messages[messages.index(old)] = new

    def edit_message(self, old: Message, **changes: Any) -> Message:
        if "blocks" in changes:
            changes["blocks"] = with_block_ids(changes["blocks"])
        new = dataclasses.replace(old, edited_ts=self.next_ts(), **changes)
        self.replace_message(old, new)
        return new

    def delete_message(self, message: Message) -> None:
        self.channel_messages[message.channel].remove(message)

    def add_ephemeral(
        self,
        channel: str,
        user_id: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        source: EphemeralSource = "chat.postEphemeral",
    ) -> Ephemeral:
        ephemeral = Ephemeral(
            channel, user_id, self.next_ts(), text, with_block_ids(blocks or []), thread_ts, source=source
        )
        self.ephemeral_messages.append(ephemeral)
        return ephemeral

    def find_ephemeral(self, user_id: str, ts: str) -> Ephemeral | None:
        return next((e for e in self.ephemeral_messages if e.user == user_id and e.ts == ts), None)

    def replace_ephemeral(self, old: Ephemeral, text: str, blocks: list[dict[str, Any]]) -> Ephemeral:
        # Slack keeps an ephemeral's place (and ts) when it is replaced through its response URL.
        new = dataclasses.replace(old, text=text, blocks=with_block_ids(blocks))
        self.ephemeral_messages[self.ephemeral_messages.index(old)] = new
        return new

    def delete_ephemeral(self, ephemeral: Ephemeral) -> None:
        self.ephemeral_messages.remove(ephemeral)

    # ---- views -------------------------------------------------------------------------------------------------

    def find_view(self, view_id: str | None, external_id: str | None) -> tuple[str, dict[str, Any]] | None:
        """(user_id, view) for an open modal or a published Home tab."""
        candidates = [(u, v) for u, stack in self.modal_stacks.items() for v in stack]
        candidates += list(self.home_views.items())
        for user_id, view in candidates:
            if (view_id and view["id"] == view_id) or (external_id and view.get("external_id") == external_id):
                return user_id, view
        return None

    def replace_view(self, user_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if self.home_views.get(user_id) is old:
            self.home_views[user_id] = new
            return
        stack = self.modal_stacks[user_id]
        stack[next(i for i, v in enumerate(stack) if v is old)] = new

    def build_view(
        self,
        spec: dict[str, Any],
        *,
        previous: dict[str, Any] | None = None,
        root: dict[str, Any] | None = None,
        keep: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The view object Slack stores and returns, from the app's view payload.

        `keep` is the view being updated: its id, stack position and entered state survive an update.
        """
        view_id = keep["id"] if keep else self.next_id("V")
        ws = self.workspace
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": ws.team_id,
            "type": spec.get("type", "modal"),
            "blocks": with_block_ids(list(spec.get("blocks", []))),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": keep["state"] if keep else {"values": {}},
            "hash": f"{int(self.clock())}.{secrets.token_hex(4)}",
            "title": spec.get("title"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": keep["previous_view_id"] if keep else (previous["id"] if previous else None),
            "root_view_id": keep["root_view_id"] if keep else (root["id"] if root else view_id),
            "app_id": ws.app_id,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        return view


def with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack gives every block without a block_id a random one; interaction payloads then carry it."""
    return [block if "block_id" in block else {**block, "block_id": secrets.token_hex(3)} for block in blocks]
