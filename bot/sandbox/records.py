"""What the Slack double remembers: the calls it answered and what a person would now see in Slack.

Records are frozen; an edit replaces a record, so a test holding an old one still sees what was there then.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One request the app made: a Web API method, or `response_url` for a post to a response URL."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    token: str | None = None  # the token the call bore, to tell which installation (workspace) made it

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def body(self) -> dict[str, Any]:
        """The same as `response`: what the double answered."""
        return self.response


@dataclass(frozen=True, slots=True)
class FileRecord:
    id: str
    filename: str
    title: str
    content: bytes
    user: str
    team: str
    created: int
    url_private: str
    channels: tuple[str, ...] = ()
    mimetype: str | None = None  # as the uploader's client declared it; guessed from the name when None

    @property
    def filetype(self) -> str:
        _, _, ext = self.filename.rpartition(".")
        return ext.lower() if ext and ext != self.filename else "binary"

    def to_slack(self) -> dict[str, Any]:
        """The file object of files.completeUploadExternal, files.info and a message's (or event's) `files`."""
        mimetype = self.mimetype or mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.filename,
            "title": self.title,
            "mimetype": mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": self.user,
            "user_team": self.team,
            "editable": False,
            "size": len(self.content),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(self.channels) and all(c.startswith("C") for c in self.channels),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": self.url_private,
            "url_private_download": self.url_private + "?download=1",
            "permalink": self.url_private,
            "comments_count": 0,
            "is_starred": False,
            "shares": {},
            "channels": [c for c in self.channels if c.startswith("C")],
            "groups": [],
            "ims": [c for c in self.channels if c.startswith("D")],
            "has_more_shares": False,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A message as everyone in the channel sees it, with edits applied."""

    channel: str
    ts: str
    user: str
    text: str
    team: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    files: tuple[FileRecord, ...] = ()
    bot_id: str | None = None
    app_id: str | None = None
    edited_ts: str | None = None
    reactions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def from_bot(self) -> bool:
        return self.bot_id is not None

    def to_slack(self) -> dict[str, Any]:
        """The message object Slack returns from chat.postMessage and puts in interaction payloads."""
        message: dict[str, Any] = {"user": self.user, "type": "message", "ts": self.ts}
        if self.bot_id is not None:
            message["bot_id"] = self.bot_id
            message["app_id"] = self.app_id
        message["text"] = self.text
        message["team"] = self.team
        if self.blocks:
            message["blocks"] = self.blocks
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            message["metadata"] = self.metadata
        if self.files:
            message["files"] = [f.to_slack() for f in self.files]
            message["upload"] = False
            message["display_as_bot"] = False
        if self.edited_ts is not None:
            message["edited"] = {"user": self.user, "ts": self.edited_ts}
        if self.reactions:
            message["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)} for name, users in self.reactions.items()
            ]
        return message

    def all_text(self) -> str:
        """The fallback text and every text in the blocks, for assertions that do not care where words are."""
        return "\n".join([self.text, *_texts(self.blocks)])


EphemeralSource = Literal["chat.postEphemeral", "response_url", "command_reply", "slack"]


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """A message only `user` sees ("Only visible to you"), in `channel`."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    source: EphemeralSource = "chat.postEphemeral"

    def all_text(self) -> str:
        return "\n".join([self.text, *_texts(self.blocks)])


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") in ("plain_text", "mrkdwn") and "text" in node else []
        if node.get("type") == "text" and isinstance(node.get("text"), str):  # rich_text elements
            found.append(node["text"])
        for value in node.values():
            if isinstance(value, dict | list):
                found.extend(_texts(value))
        return found
    if isinstance(node, list):
        return [text for child in node for text in _texts(child)]
    return []


@dataclass(frozen=True, slots=True)
class AppReply:
    """What the app answered to a request the double sent it as Slack."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def acked_in_time(self) -> bool:
        """Slack gives up on a request after 3 seconds (and retries events)."""
        return self.status == 200 and self.elapsed < 3.0
