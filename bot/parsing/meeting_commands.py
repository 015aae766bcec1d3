"""The management words of `/ops meeting …` (`riunione`), `/ops room …` (`sala`) and `/ops calendar`:

    /ops meeting list                               my meetings, two weeks (elenco)
    /ops meeting cancel 42                          (annulla)
    /ops meeting cancel 42 on 2026-12-14            one occurrence of a series
    /ops meeting move 42 to tomorrow 15:00          (sposta 42 a domani alle 15)
    /ops meeting move 42 on 2026-12-07 to 2026-12-08 10:00     one occurrence of a series
    /ops room add Room 2 capacity 8                 (sala aggiungi Sala 2 capienza 8)
    /ops room                                       the rooms
    /ops calendar [reset]                           my calendar feed's address (calendario [reimposta])
    /ops meeting poll Menu tasting with @maria @luca for 1h options friday 15:00 / monday 10:00 / tuesday 16:00
                                                    (sondaggio … opzioni venerdì 15:00 / lunedì 10:00)
    /ops agenda 42 Discuss the new supplier         an item on meeting 42's agenda
    /ops minutes [42]                               recent minutes, or meeting 42's (verbale [42])

Anything else after `/ops meeting` is a meeting to schedule (`bot.parsing.meetings`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.ids import ChannelId, UserId
from bot.domain.messages import Msg
from bot.parsing.dates import parse_when
from bot.parsing.errors import ParseError
from bot.parsing.people import read_day
from bot.parsing.tokens import split_first

LIST = {"list", "elenco", "lista", "mine", "mie"}
CANCEL = {"cancel", "annulla", "cancella", "delete", "elimina"}
MOVE = {"move", "reschedule", "sposta", "rinvia"}
FIND = {"find", "trova", "cerca"}
POLL = {"poll", "sondaggio", "vote", "vota"}
_OPTIONS = re.compile(r"\s(?:options|opzioni|choices|scelte)\s*:?\s", re.I)
_SEPARATOR = re.compile(r"\s*(?:/|\||;|\s+or\s+|\s+oppure\s+)\s*", re.I)
_ID = re.compile(r"^#?(\d{1,9})$")
_ON = re.compile(r"^(?P<id>#?\d{1,9})\s+(?:on|il|del)\s+(?P<day>.+?)(?:\s+(?:to|a|al|alle)\s+(?P<when>.+))?$", re.I)
_TO = re.compile(r"^(?P<id>#?\d{1,9})\s+(?:to|a|al|alle|per)\s+(?P<when>.+)$", re.I)
_CAPACITY = re.compile(
    r"^(?P<name>.+?)\s+(?:capacity|capienza|posti|seats|for|per)\s+(?P<n>\d{1,4})(?:\s+(?:people|persone))?$", re.I
)


@dataclass(frozen=True, slots=True)
class ListMeetings:
    """My meetings from now."""


@dataclass(frozen=True, slots=True)
class CancelMeeting:
    id: int
    day: date | None = None  # one occurrence of a series


@dataclass(frozen=True, slots=True)
class MoveMeeting:
    id: int
    starts: datetime
    day: date | None = None  # one occurrence of a series


@dataclass(frozen=True, slots=True)
class AddRoom:
    name: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class ListRooms:
    """`/ops room` alone."""


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(f"meeting.example.{example}"))


def _number(text: str, example: str) -> int:
    found = _ID.match(text.strip())
    if found is None:
        raise _error("meeting.error.id", example, text=text.strip())
    return int(found.group(1))


def parse_manage(verb: str, rest: str, *, now: datetime, zone: ZoneInfo) -> ListMeetings | CancelMeeting | MoveMeeting:
    if verb in LIST:
        return ListMeetings()
    if verb in CANCEL:
        on = _ON.match(rest.strip())
        if on is not None and on["when"] is None:
            day = read_day(on["day"], now=now, zone=zone, example="meeting.example.cancel")
            return CancelMeeting(_number(on["id"], "cancel"), day)
        return CancelMeeting(_number(rest, "cancel"))
    on = _ON.match(rest.strip())
    if on is not None and on["when"] is not None:
        day = read_day(on["day"], now=now, zone=zone, example="meeting.example.move")
        when = parse_when(on["when"], now=now, zone=zone)
        return MoveMeeting(_number(on["id"], "move"), when.at, day)
    to = _TO.match(rest.strip())
    if to is None:
        raise _error("meeting.error.move_shape", "move")
    try:
        when = parse_when(to["when"], now=now, zone=zone)
    except ParseError as error:
        raise ParseError(error.message, example=Msg.of("meeting.example.move")) from None
    return MoveMeeting(_number(to["id"], "move"), when.at)


def parse_room(text: str) -> AddRoom | ListRooms:
    verb, rest = split_first(text)
    if not verb or verb in LIST:
        return ListRooms()
    if verb not in {"add", "aggiungi", "new", "nuova"}:
        raise _error("meeting.error.room_verb", "room", text=verb)
    found = _CAPACITY.match(rest.strip())
    if found is not None:
        return AddRoom(" ".join(found["name"].split()), int(found["n"]))
    if not rest.strip():
        raise _error("meeting.error.room_name", "room", most="60")
    return AddRoom(" ".join(rest.split()), None)


def parse_calendar(text: str) -> bool:
    """Whether the feed's address should be replaced (`reset`)."""
    word = text.strip().lower()
    if word in {"", "show", "url", "link"}:
        return False
    if word in {"reset", "reimposta", "rigenera", "new", "nuovo"}:
        return True
    raise _error("meeting.error.calendar_verb", "calendar", text=text.strip())


@dataclass(frozen=True, slots=True)
class PollText:
    """The meeting part (title, invitees, duration, place) as text for the meeting parser, and each option."""

    meeting: str
    options: tuple[str, ...]


def split_poll(text: str) -> PollText:
    """`Menu tasting with @maria for 1h options friday 15:00 / monday 10:00` → the meeting and its options."""
    found = _OPTIONS.search(" " + text)
    if found is None:
        raise _error("meeting.error.poll_shape", "poll")
    meeting = (" " + text)[: found.start()].strip()
    options = tuple(part.strip() for part in _SEPARATOR.split((" " + text)[found.end() :]) if part.strip())
    if not meeting or not options:
        raise _error("meeting.error.poll_shape", "poll")
    return PollText(meeting, options)


@dataclass(frozen=True, slots=True)
class AddAgenda:
    id: int
    item: str


def parse_agenda(text: str) -> AddAgenda:
    number, rest = split_first(text)
    found = _ID.match(number)
    if found is None or not rest.strip():
        raise _error("meeting.error.agenda_shape", "agenda")
    return AddAgenda(int(found.group(1)), rest.strip())


def parse_minutes(text: str) -> int | None:
    """The meeting whose minutes to show, or None for my recent ones."""
    if not text.strip():
        return None
    return _number(text, "minutes")


# ---- the meeting form (`/ops meeting` alone) -------------------------------------------------------------------


class FormErrors(Exception):
    """Fields of the meeting form to fix, by block id."""

    def __init__(self, errors: Mapping[str, Msg]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class MeetingForm:
    title: str
    starts: datetime
    duration: timedelta
    attendees: tuple[UserId, ...]
    place: str
    agenda: tuple[str, ...]
    lead: timedelta
    channel: ChannelId | None


def _field(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    entry = values.get(block) or {}
    return next(iter(entry.values()), {}) if isinstance(entry, dict) else {}


def read_form(values: Mapping[str, Any], *, now: datetime, zone: ZoneInfo) -> MeetingForm:
    """The form's `state.values` → a meeting, or `FormErrors` naming each field to fix."""
    errors: dict[str, Msg] = {}
    title = " ".join(str(_field(values, "title").get("value") or "").split())
    if not title:
        errors["title"] = Msg.of("meeting.parse.no_title")
    starts = now
    try:
        day = date.fromisoformat(str(_field(values, "date").get("selected_date") or ""))
        clock = time.fromisoformat(str(_field(values, "start").get("selected_time") or ""))
    except ValueError:
        errors["date"] = Msg.of("meeting.form.bad_date")
    else:
        starts = datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
        if starts <= now:
            errors["date"] = Msg.of("meeting.error.past")
    duration = timedelta(minutes=int((_field(values, "duration").get("selected_option") or {}).get("value") or 30))
    attendees = tuple(UserId(str(user)) for user in _field(values, "attendees").get("selected_users") or [])
    if not attendees:
        errors["attendees"] = Msg.of("meeting.error.nobody")
    place = " ".join(str(_field(values, "place").get("value") or "").split())
    agenda = tuple(
        line.strip(" -•*\t")
        for line in str(_field(values, "agenda").get("value") or "").splitlines()
        if line.strip(" -•*\t")
    )
    lead = timedelta(minutes=int((_field(values, "lead").get("selected_option") or {}).get("value") or 15))
    channel = _field(values, "channel").get("selected_channel")
    if errors:
        raise FormErrors(MappingProxyType(errors))
    return MeetingForm(
        title, starts, duration, attendees, place, agenda, lead, ChannelId(str(channel)) if channel else None
    )
