"""Block Kit for appointments: bookable hours, free slots with their Book buttons, the manager's request DM with
Accept / Decline / Propose another time (and its form), the colleague's Accept / Decline of another time, the
visitor card, the list, cancellations, the reminder, and the calendar feed's event.

Appointment times are Slack date tokens, so the manager in Rome and the colleague in New York each read their own
clock; bookable hours are the manager's wall clock, shown with its zone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.domain.appointment_service import FreeSlots
from bot.domain.appointments import MAX_SLOTS_SHOWN, SLOTS_AHEAD, Appointment, AppointmentStatus, BookableHours
from bot.domain.ids import UserId
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.calendar import CalendarEvent
from bot.rendering.kit import button, clip, context, section
from bot.rendering.people import hours_text
from bot.rendering.time import slack_date

BOOK = "appointment_book"
ACCEPT = "appointment_accept"
DECLINE = "appointment_decline"
PROPOSE = "appointment_propose"
PROPOSAL_ACCEPT = "appointment_proposal_accept"
PROPOSAL_DECLINE = "appointment_proposal_decline"
PROPOSE_MODAL = "appointment_propose_modal"
WHEN_BLOCK = "when"
WHEN_ACTION = "text"
MAX_LISTED = 40


def _mention(user: str) -> str:
    return f"<@{user}>"


def when_text(starts: datetime, ends: datetime, zone: str) -> str:
    """`<date and time>-<time>` as Slack tokens (the fallback is the manager's clock)."""
    local_end = ends.astimezone(ZoneInfo(zone))
    end = f"<!date^{int(ends.timestamp())}^{{time}}|{local_end:%H:%M}>"
    return f"{slack_date(starts, ZoneInfo(zone))}\u2013{end}"


def _when(appointment: Appointment) -> str:
    return when_text(appointment.starts, appointment.ends, appointment.zone)


def _visitor(words: Words, appointment: Appointment) -> str:
    return words("appointment.visitor", name=appointment.visitor_name)


def party(words: Words, appointment: Appointment, reader: UserId) -> str:
    """Who the reader meets: for the manager, the colleague or the visitor; for anyone else, the manager."""
    if reader != appointment.manager:
        return _mention(appointment.manager)
    if appointment.booker is None:
        return _visitor(words, appointment)
    return _mention(appointment.booker)


def _details(words: Words, appointment: Appointment, reader: UserId) -> list[str]:
    """The subject, and a visitor's telephone for whoever sees the manager's side."""
    lines: list[str] = []
    if appointment.topic:
        lines.append(words("appointment.topic", topic=appointment.topic))
    if appointment.visitor_phone and reader != appointment.booker:
        lines.append(words("appointment.phone", phone=appointment.visitor_phone))
    return lines


def _card(words: Words, line: str, appointment: Appointment, reader: UserId, emoji: str = "") -> list[Block]:
    blocks: list[Block] = [section((emoji + " " if emoji else "") + line)]
    details = _details(words, appointment, reader)
    if details:
        blocks.append(context(" · ".join(details)))
    return blocks


# ---- bookable hours ---------------------------------------------------------------------------------------------


def _hours_line(words: Words, hours: BookableHours) -> str:
    return words(
        "appointment.hours_line",
        hours=hours_text(words, hours.hours),
        minutes=int(hours.slot.total_seconds() // 60),
        zone=hours.zone,
    )


def hours_shown(words: Words, actor: Actor, manager: UserId, hours: BookableHours | None) -> Reply:
    mine = manager == actor.user
    if hours is None:
        line = words("appointment.hours_none_mine") if mine else words("appointment.hours_none", user=_mention(manager))
        hint = words("appointment.hours_hint_publish") if mine else words("appointment.hours_hint_ask")
        return Reply(text=line, blocks=[section(line), context(hint)])
    title = words("appointment.hours_title_mine") if mine else words("appointment.hours_title", user=_mention(manager))
    line = f"*{title}* {_hours_line(words, hours)}"
    return Reply(text=line, blocks=[section(line), context(words("appointment.slots_hint"))])


def hours_published(words: Words, hours: BookableHours) -> Reply:
    line = words("appointment.hours_published", user=_mention(hours.manager), hours=_hours_line(words, hours))
    hint = words("appointment.slots_hint")
    return Reply(text=line, blocks=[section(":calendar: " + line), context(hint)])


def hours_withdrawn(words: Words, manager: UserId) -> Reply:
    line = words("appointment.hours_withdrawn", user=_mention(manager))
    return Reply(text=line, blocks=[section(line)])


# ---- free slots -------------------------------------------------------------------------------------------------


def book_value(manager: UserId, starts: datetime) -> str:
    return json.dumps({"m": manager, "s": int(starts.timestamp())}, separators=(",", ":"))


def free_slots(words: Words, found: FreeSlots) -> Reply:
    manager = _mention(found.manager)
    hours = _hours_line(words, found.hours)
    if not found.slots:
        line = (
            words("appointment.slots_none_day", user=manager, day=found.day.isoformat())
            if found.day is not None
            else words("appointment.slots_none", user=manager, days=SLOTS_AHEAD.days)
        )
        return Reply(text=line, blocks=[section(line), context(words("appointment.slots_hours", hours=hours))])
    title = (
        words("appointment.slots_title_day", user=manager, day=found.day.isoformat(), n=len(found.slots))
        if found.day is not None
        else words("appointment.slots_title", user=manager, n=len(found.slots), days=SLOTS_AHEAD.days)
    )
    blocks: list[Block] = [section(f"*{title}*")]
    for begin, end in found.slots[:MAX_SLOTS_SHOWN]:
        blocks.append(
            section(
                when_text(begin, end, found.hours.zone),
                accessory=button(words, "appointment.book", BOOK, book_value(found.manager, begin)),
            )
        )
    notes = [words("appointment.slots_hours", hours=hours), words("appointment.slots_book_hint")]
    if len(found.slots) > MAX_SLOTS_SHOWN:
        notes.insert(0, words("appointment.slots_more", n=len(found.slots) - MAX_SLOTS_SHOWN))
    blocks.append(context(" · ".join(notes)))
    return Reply(text=title, blocks=blocks)


# ---- a colleague's booking --------------------------------------------------------------------------------------


def requested(words: Words, appointment: Appointment) -> Reply:
    """To the colleague who booked."""
    line = words(
        "appointment.requested", id=appointment.id, user=_mention(appointment.manager), when=_when(appointment)
    )
    return Reply(
        text=line, blocks=_card(words, line, appointment, appointment.booker or appointment.manager, ":hourglass:")
    )


def request_dm(words: Words, appointment: Appointment) -> Reply:
    """To the manager, with Accept / Decline / Propose another time."""
    line = words(
        "appointment.request",
        id=appointment.id,
        user=_mention(appointment.booker or appointment.created_by),
        when=_when(appointment),
    )
    value = str(appointment.id)
    blocks = _card(words, line, appointment, appointment.manager, ":calendar:")
    blocks.append(
        ActionsBlock(
            block_id=f"appointment_request:{appointment.id}",
            elements=[
                button(words, "appointment.accept", ACCEPT, value, primary=True),
                button(words, "appointment.decline", DECLINE, value),
                button(words, "appointment.propose", PROPOSE, value),
            ],
        )
    )
    return Reply(text=line, blocks=blocks)


def decided_for_manager(words: Words, appointment: Appointment) -> Reply:
    """What the request DM becomes once the manager has answered."""
    key = (
        "appointment.you_accepted" if appointment.status is AppointmentStatus.CONFIRMED else "appointment.you_declined"
    )
    line = words(key, id=appointment.id, user=party(words, appointment, appointment.manager), when=_when(appointment))
    return Reply(text=line, blocks=_card(words, line, appointment, appointment.manager))


def decision_to_booker(words: Words, appointment: Appointment) -> Reply:
    accepted = appointment.status is AppointmentStatus.CONFIRMED
    key = "appointment.accepted" if accepted else "appointment.declined"
    line = words(key, id=appointment.id, user=_mention(appointment.manager), when=_when(appointment))
    reader = appointment.booker or appointment.manager
    return Reply(text=line, blocks=_card(words, line, appointment, reader, ":white_check_mark:" if accepted else ""))


def proposal_modal(words: Words, appointment: Appointment, metadata: str) -> dict[str, object]:
    """ "Propose another time": one field, read on the manager's clock; the appointment travels in the metadata."""
    return View(
        type="modal",
        callback_id=PROPOSE_MODAL,
        private_metadata=metadata,
        title=PlainTextObject(text=clip(words("appointment.propose_title"), 24)),
        submit=PlainTextObject(text=clip(words("appointment.propose_submit"), 24)),
        close=PlainTextObject(text=clip(words("appointment.propose_close"), 24)),
        blocks=[
            section(
                words(
                    "appointment.propose_intro",
                    id=appointment.id,
                    user=party(words, appointment, appointment.manager),
                    when=_when(appointment),
                )
            ),
            InputBlock(
                block_id=WHEN_BLOCK,
                label=PlainTextObject(text=words("appointment.propose_label")),
                hint=PlainTextObject(text=words("appointment.propose_hint")),
                element=PlainTextInputElement(
                    action_id=WHEN_ACTION,
                    max_length=100,
                    placeholder=PlainTextObject(text=words("appointment.propose_placeholder")),
                ),
            ),
        ],
    ).to_dict()


def proposal_sent(words: Words, appointment: Appointment) -> Reply:
    """What the manager's request DM becomes: the other time offered, waiting for the colleague."""
    line = words(
        "appointment.proposal_sent",
        id=appointment.id,
        user=party(words, appointment, appointment.manager),
        when=_when(appointment),
    )
    return Reply(text=line, blocks=_card(words, line, appointment, appointment.manager, ":arrows_counterclockwise:"))


def proposal_dm(words: Words, appointment: Appointment) -> Reply:
    """To the colleague, with Accept / Decline."""
    previous = (
        slack_date(appointment.previous_starts, ZoneInfo(appointment.zone))
        if appointment.previous_starts is not None
        else ""
    )
    line = words(
        "appointment.proposal",
        id=appointment.id,
        user=_mention(appointment.manager),
        previous=previous,
        when=_when(appointment),
    )
    value = str(appointment.id)
    blocks = _card(words, line, appointment, appointment.booker or appointment.manager, ":arrows_counterclockwise:")
    blocks.append(
        ActionsBlock(
            block_id=f"appointment_proposal:{appointment.id}",
            elements=[
                button(words, "appointment.accept", PROPOSAL_ACCEPT, value, primary=True),
                button(words, "appointment.decline", PROPOSAL_DECLINE, value),
            ],
        )
    )
    return Reply(text=line, blocks=blocks)


def proposal_answered(words: Words, appointment: Appointment) -> Reply:
    """What the colleague's DM becomes once they have answered."""
    accepted = appointment.status is AppointmentStatus.CONFIRMED
    key = "appointment.you_took_proposal" if accepted else "appointment.you_refused_proposal"
    line = words(key, id=appointment.id, user=_mention(appointment.manager), when=_when(appointment))
    return Reply(text=line, blocks=_card(words, line, appointment, appointment.booker or appointment.manager))


def proposal_result(words: Words, appointment: Appointment) -> Reply:
    """To the manager."""
    accepted = appointment.status is AppointmentStatus.CONFIRMED
    key = "appointment.proposal_taken" if accepted else "appointment.proposal_refused"
    line = words(key, id=appointment.id, user=party(words, appointment, appointment.manager), when=_when(appointment))
    return Reply(
        text=line, blocks=_card(words, line, appointment, appointment.manager, ":white_check_mark:" if accepted else "")
    )


# ---- visitors ---------------------------------------------------------------------------------------------------


def visitor_added(words: Words, appointment: Appointment) -> Reply:
    """To whoever added the visitor."""
    line = words(
        "appointment.visitor_added",
        id=appointment.id,
        visitor=_visitor(words, appointment),
        user=_mention(appointment.manager),
        when=_when(appointment),
    )
    return Reply(text=line, blocks=_card(words, line, appointment, appointment.manager, ":calendar:"))


def visitor_told(words: Words, appointment: Appointment) -> Reply:
    """To the manager, when an assistant added the visitor."""
    line = words(
        "appointment.visitor_told",
        id=appointment.id,
        user=_mention(appointment.created_by),
        visitor=_visitor(words, appointment),
        when=_when(appointment),
    )
    return Reply(text=line, blocks=_card(words, line, appointment, appointment.manager, ":calendar:"))


# ---- the list, cancellations, the reminder ------------------------------------------------------------------------


def _list_line(words: Words, appointment: Appointment, reader: UserId) -> str:
    parts = [f"`#{appointment.id}`", _when(appointment), "\u2014", party(words, appointment, reader)]
    if appointment.topic:
        parts.append("\u2014 " + appointment.topic)
    if appointment.visitor_phone and reader != appointment.booker:
        parts.append(f"({appointment.visitor_phone})")
    if appointment.status is not AppointmentStatus.CONFIRMED:
        parts.append("_" + words(f"appointment.status.{appointment.status.value}") + "_")
    return " ".join(parts)


def listing(words: Words, actor: Actor, appointments: Sequence[Appointment]) -> Reply:
    if not appointments:
        line = words("appointment.list_empty")
        return Reply(text=line, blocks=[section(line), context(words("appointment.list_hint"))])
    title = words("appointment.list_title", n=len(appointments))
    lines = [_list_line(words, appointment, actor.user) for appointment in appointments[:MAX_LISTED]]
    blocks: list[Block] = [section(f"*{title}*"), section("\n".join(lines))]
    notes = [words("appointment.list_hint")]
    if len(appointments) > MAX_LISTED:
        notes.insert(0, words("appointment.list_more", n=len(appointments) - MAX_LISTED))
    blocks.append(context(" · ".join(notes)))
    return Reply(text=title, blocks=blocks)


def cancelled(words: Words, appointment: Appointment, reader: UserId) -> Reply:
    """To whoever cancelled."""
    line = words(
        "appointment.cancelled", id=appointment.id, user=party(words, appointment, reader), when=_when(appointment)
    )
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def cancelled_told(words: Words, appointment: Appointment, reader: UserId, by: UserId) -> Reply:
    """To the others in it."""
    line = words("appointment.cancelled_told", id=appointment.id, by=_mention(by), when=_when(appointment))
    return Reply(text=line, blocks=_card(words, line, appointment, reader, ":wastebasket:"))


def reminder(words: Words, appointment: Appointment, reader: UserId) -> Reply:
    line = words(
        "appointment.reminder", id=appointment.id, user=party(words, appointment, reader), when=_when(appointment)
    )
    return Reply(text=line, blocks=_card(words, line, appointment, reader, ":alarm_clock:"))


# ---- the calendar feed ----------------------------------------------------------------------------------------------


def calendar_event(appointment: Appointment, words: Words | None = None) -> CalendarEvent:
    """The appointment as a feed event (no organizer: a feed publishes, it does not invite).

    The summary is the subject and the visitor, as written; `words` adds the reader's word for "appointment"
    when there is neither.
    """
    summary = " \u2014 ".join(part for part in (appointment.visitor_name, appointment.topic) if part)
    if not summary:
        summary = words("appointment.ics_summary", id=appointment.id) if words is not None else f"#{appointment.id}"
    description = "\n".join(
        line
        for line in (
            appointment.topic,
            appointment.visitor_name,
            appointment.visitor_phone,
        )
        if line
    )
    return CalendarEvent(
        uid=appointment.uid,
        sequence=appointment.sequence,
        summary=summary,
        starts=appointment.starts,
        ends=appointment.ends,
        zone=appointment.zone,
        organizer=None,
        description=description,
        cancelled=appointment.status is AppointmentStatus.CANCELLED,
    )
