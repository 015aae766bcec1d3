"""The App Home tab. Later capabilities add their sections (tasks, meetings, cases…) here."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.capabilities import CAPABILITIES
from bot.domain.roles import Actor
from bot.i18n import Words


def home_view(words: Words, actor: Actor) -> dict[str, Any]:
    available = [c for c in CAPABILITIES if c.available and c.id != "help"]
    upcoming = [c for c in CAPABILITIES if not c.available]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=words("home.title"))),
        SectionBlock(
            text=MarkdownTextObject(
                text=words("home.you", user=f"<@{actor.user}>", role=actor.role.label(), timezone=str(actor.timezone))
            )
        ),
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text="*"
                + words("home.available")
                + "*\n"
                + "\n".join(f"• `{words(f'cap.{c.id}.example')}` — {words(f'cap.{c.id}.summary')}" for c in available)
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="*" + words("home.upcoming") + "*\n" + ", ".join(words(f"cap.{c.id}.name") for c in upcoming)
            )
        ),
        ContextBlock(elements=[MarkdownTextObject(text=words("help.see_help"))]),
    ]
    return View(type="home", blocks=blocks).to_dict()
