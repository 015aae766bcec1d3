"""Block Kit messages for every reply, built with slack_sdk's models (which validate as they build).

Each function takes a `Words` (the reader's catalog) and plain domain values, and returns a `Reply`: the
blocks plus a plain-text fallback for notifications and screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, Literal

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
)

from bot.domain.audit import AuditEntry
from bot.domain.capabilities import CAPABILITIES, Capability
from bot.domain.configuration import SettingChange
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role
from bot.domain.team import RoleChange, RoleListing
from bot.domain.workspace import Setting, WorkspaceSettings
from bot.i18n import Words
from bot.rendering.kit import MAX_TEXT, clip, context, header, section
from bot.rendering.time import minutes_text, slack_date

MAX_FIELDS = 10  # and for the fields of one section
MAX_AUDIT_LINES = 50
MAX_AUDIT_LINE = 400


@dataclass(frozen=True, slots=True, init=False)
class Reply:
    """A message ready to send: blocks validated and serialized once, when the reply is made."""

    text: str
    blocks: tuple[dict[str, Any], ...]
    response_type: Literal["ephemeral", "in_channel"]

    def __init__(
        self,
        text: str,
        blocks: Sequence[Block] = (),
        response_type: Literal["ephemeral", "in_channel"] = "ephemeral",
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "blocks", tuple(block.to_dict() for block in blocks))
        object.__setattr__(self, "response_type", response_type)

    def as_message(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}

    def prefixed(self, text: str, *blocks: Block) -> Reply:
        """The same message with `blocks` on top and `text` before its notification text."""
        combined = Reply(f"{text} {self.text}", blocks, self.response_type)
        object.__setattr__(combined, "blocks", combined.blocks + self.blocks)
        return combined

    def as_response(self) -> dict[str, Any]:
        """For `ack(...)` of a slash command or a `response_url` post."""
        return {"response_type": self.response_type, **self.as_message()}


def _capability_line(words: Words, capability: Capability) -> str:
    name = words(f"cap.{capability.id}.name")
    example = words(f"cap.{capability.id}.example")
    status = "" if capability.available else "  _" + words("help.coming_soon") + "_"
    return f"*{name}* — {words(f'cap.{capability.id}.summary')}{status}\n`{example}`"


@cache  # the same for every reader of a language, and the most used reply of all
def help_overview(words: Words) -> Reply:
    everyday = [c for c in CAPABILITIES if not c.admin]
    admin = [c for c in CAPABILITIES if c.admin and c.id != "help"]
    blocks: list[Block] = [header(words("help.title")), section(words("help.intro"))]
    # A few sections of several lines each rather than one block per capability: the same reading, and a
    # payload Slack (and our ack path) handles in a fraction of the time.
    blocks += [section("\n\n".join(_capability_line(words, c) for c in group)) for group in _groups(everyday)]
    blocks.append(DividerBlock())
    admin_lines = "\n\n".join(_capability_line(words, c) for c in admin)
    blocks.append(section("*" + words("help.admin_title") + "*\n\n" + admin_lines))
    blocks.append(context(words("help.footer")))
    names = ", ".join(words(f"cap.{c.id}.name") for c in CAPABILITIES if c.id != "help")
    return Reply(text=words("help.fallback", capabilities=names), blocks=blocks)


def _groups(capabilities: list[Capability], size: int = 4) -> list[list[Capability]]:
    """Chunks small enough that a section stays far below Slack's 3000 characters in any language."""
    return [capabilities[start : start + size] for start in range(0, len(capabilities), size)]


def help_topic(words: Words, capability: Capability) -> Reply:
    name = words(f"cap.{capability.id}.name")
    blocks: list[Block] = [header(name), section(words(f"cap.{capability.id}.summary"))]
    blocks.append(section(words(f"cap.{capability.id}.detail")))
    if not capability.available:
        blocks.append(context(words("help.topic_coming_soon", capability=name)))
    return Reply(text=f"{name}: {words(f'cap.{capability.id}.summary')}", blocks=blocks)


def coming_soon(words: Words, capability: Capability) -> Reply:
    name = words(f"cap.{capability.id}.name")
    text = words("help.not_yet", capability=name)
    return Reply(text=text, blocks=[section(text), context(words("help.see_help"))])


def unknown_command(words: Words, typed: str, suggestion: str | None) -> Reply:
    text = (
        words("router.unknown_with_suggestion", typed=typed, suggestion=suggestion)
        if suggestion
        else words("router.unknown", typed=typed)
    )
    return Reply(text=text, blocks=[section(":thinking_face: " + text), context(words("help.see_help"))])


def unknown_help_topic(words: Words, typed: str, suggestion: str | None) -> Reply:
    text = (
        words("help.unknown_topic_with_suggestion", typed=typed, suggestion=suggestion)
        if suggestion
        else words("help.unknown_topic", typed=typed)
    )
    return Reply(text=text, blocks=[section(text), context(words("help.see_help"))])


def problem(words: Words, message: Msg, example: Msg | None) -> Reply:
    """What was wrong, and a correct example to copy: the answer to any request that could not be done."""
    text = words.msg(message)
    blocks: list[Block] = [section(":warning: " + text)]
    if example is not None:
        blocks.append(context(words("error.example", example=words.msg(example))))
    return Reply(text=text, blocks=blocks)


def apology(words: Words, error_id: str) -> Reply:
    text = words("error.unexpected", error_id=error_id)
    return Reply(text=text, blocks=[section(":face_with_head_bandage: " + text)])


def _mention(user: str) -> str:
    return f"<@{user}>"


def role_listing(words: Words, listing: RoleListing) -> Reply:
    lines = []
    for role in (Role.ADMIN, Role.MANAGER):
        holders = listing.holders(role)
        people = ", ".join(_mention(user) for user in holders) if holders else words("role.nobody")
        lines.append(f"*{words.msg(role.label())}*: {people}")
    text = "\n".join(lines)
    blocks: list[Block] = [
        header(words("role.title")),
        section(text),
        context(words("role.everyone_else") + "  " + words("role.slack_admins_note")),
    ]
    return Reply(text=words("role.title") + "\n" + text, blocks=blocks)


def role_changed(words: Words, change: RoleChange) -> Reply:
    text = words("role.changed", user=_mention(change.user), before=change.before.label(), after=change.after.label())
    return Reply(text=text, blocks=[section(":white_check_mark: " + text)])


def _setting_value(words: Words, settings: WorkspaceSettings, setting: Setting) -> str:
    value = settings.value_of(setting)
    if isinstance(value, timedelta):
        return words("config.after_delay", delay=minutes_text(value))
    if value is None:
        return words("config.not_set")
    if setting is Setting.LANGUAGE:
        return words(f"language.{value}")
    if setting in (Setting.CASES_CHANNEL, Setting.STOCK_CHANNEL, Setting.DIGEST_CHANNEL):
        return f"<#{value}>"
    return str(value)


def config_view(words: Words, settings: WorkspaceSettings) -> Reply:
    lines = [
        f"*{words(f'config.setting.{setting.value}')}* (`{setting.value}`): {_setting_value(words, settings, setting)}"
        for setting in Setting
    ]
    text = "\n".join(lines)
    return Reply(
        text=words("config.title") + "\n" + text,
        blocks=[header(words("config.title")), section(text), context(words("config.how_to_change"))],
    )


def config_changed(words: Words, change: SettingChange) -> Reply:
    text = words(
        "config.changed",
        setting=words(f"config.setting.{change.setting.value}"),
        before=_setting_value(words, change.before, change.setting),
        after=_setting_value(words, change.after, change.setting),
    )
    return Reply(text=text, blocks=[section(":white_check_mark: " + text)])


def audit_list(words: Words, actor: Actor, entries: Sequence[AuditEntry]) -> Reply:
    if not entries:
        text = words("audit.empty")
        return Reply(text=text, blocks=[section(text)])
    lines = [_audit_line(entry, actor) for entry in entries[:MAX_AUDIT_LINES]]
    # Lines are packed into as few sections as fit Slack's 3000 characters each; every line is clipped well
    # below that, so no section is ever empty and 50 entries stay far under 50 blocks.
    blocks: list[Block] = [header(words("audit.title"))]
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(item) + 1 for item in chunk) + len(line) > MAX_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return Reply(text=words("audit.title"), blocks=blocks)


def _audit_line(entry: AuditEntry, actor: Actor) -> str:
    details = ", ".join(f"{key}: {value}" for key, value in entry.details.items())
    line = f"{slack_date(entry.at, actor.timezone)} — {_mention(entry.actor)} `{entry.action}` {entry.target}"
    if details:
        line += f" ({details})"
    return clip(line, MAX_AUDIT_LINE)


def not_understood(words: Words, typed: str) -> Reply:
    text = words("dm.not_understood", typed=clip(typed, 200))
    return Reply(text=text, blocks=[section(text), context(words("dm.examples"))])


def greeting(words: Words) -> Reply:
    text = words("dm.greeting")
    return Reply(text=text, blocks=[section(text), context(words("help.see_help"))])
