"""The App Home tab. Later capabilities add their sections (tasks, meetings, cases…) here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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

from bot.domain.appointments import Appointment
from bot.domain.capabilities import CAPABILITIES
from bot.domain.meetings import Meeting
from bot.domain.roles import Actor
from bot.domain.shifting import Today
from bot.i18n import Words
from bot.rendering.meetings import when_text
from bot.rendering.shifts import shift_line, span_text

MAX_NAMES = 30  # a section holds 3000 characters


def _next_meeting(words: Words, upcoming: Sequence[tuple[Meeting, datetime, datetime]]) -> str:
    if not upcoming:
        return words("home.no_meeting")
    meeting, starts, ends = upcoming[0]
    return words("home.next_meeting", id=meeting.id, title=meeting.title, when=when_text(starts, ends))


def _next_appointment(words: Words, appointments: Sequence[Appointment]) -> str | None:
    if not appointments:
        return None
    first = appointments[0]
    who = first.visitor_name or (f"<@{first.booker}>" if first.booker else "")
    return words("home.next_appointment", id=first.id, who=who, when=when_text(first.starts, first.ends))


def _today(
    words: Words,
    today: Today,
    upcoming: Sequence[tuple[Meeting, datetime, datetime]] = (),
    appointments: Sequence[Appointment] = (),
) -> str:
    mine = (
        words("home.next_shift", shift=shift_line(words, today.mine, with_person=False))
        if today.mine is not None
        else words("home.no_shift")
    )
    working = (
        words("home.on_now", people=", ".join(f"<@{s.user}> {span_text(s)}" for s in today.working[:MAX_NAMES]))
        if today.working
        else words("home.nobody_on")
    )
    away = (
        words("home.away_today", people=", ".join(f"<@{user}>" for user in today.away[:MAX_NAMES]))
        if today.away
        else words("home.nobody_away")
    )
    lines = [mine, _next_meeting(words, upcoming), _next_appointment(words, appointments), working, away]
    return f"*{words('home.today')}*\n" + "\n".join(f"• {line}" for line in lines if line)


def _today_blocks(
    words: Words,
    today: Today | None,
    meetings_ahead: Sequence[tuple[Meeting, datetime, datetime]],
    appointments: Sequence[Appointment],
) -> list[Block]:
    if today is None:
        return []
    return [SectionBlock(text=MarkdownTextObject(text=_today(words, today, meetings_ahead, appointments)))]


def home_view(
    words: Words,
    actor: Actor,
    today: Today | None = None,
    meetings_ahead: Sequence[tuple[Meeting, datetime, datetime]] = (),
    appointments: Sequence[Appointment] = (),
) -> dict[str, Any]:
    available = [c for c in CAPABILITIES if c.available and c.id != "help"]
    upcoming = [c for c in CAPABILITIES if not c.available]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=words("home.title"))),
        SectionBlock(
            text=MarkdownTextObject(
                text=words("home.you", user=f"<@{actor.user}>", role=actor.role.label(), timezone=str(actor.timezone))
            )
        ),
        *_today_blocks(words, today, meetings_ahead, appointments),
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
