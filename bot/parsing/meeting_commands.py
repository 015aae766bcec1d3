"""The management words of `/ops meeting …` (`riunione`), `/ops room …` (`sala`) and `/ops calendar`:

    /ops meeting list                               my meetings, two weeks (elenco)
    /ops meeting cancel 42                          (annulla)
    /ops meeting cancel 42 on 2026-12-14            one occurrence of a series
    /ops meeting move 42 to tomorrow 15:00          (sposta 42 a domani alle 15)
    /ops meeting move 42 on 2026-12-07 to 2026-12-08 10:00     one occurrence of a series
    /ops room add Room 2 capacity 8                 (sala aggiungi Sala 2 capienza 8)
    /ops room                                       the rooms
    /ops calendar [reset]                           my calendar feed's address (calendario [reimposta])

Anything else after `/ops meeting` is a meeting to schedule (`bot.parsing.meetings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.messages import Msg
from bot.parsing.dates import parse_when
from bot.parsing.errors import ParseError
from bot.parsing.people import read_day
from bot.parsing.tokens import split_first

LIST = {"list", "elenco", "lista", "mine", "mie"}
CANCEL = {"cancel", "annulla", "cancella", "delete", "elimina"}
MOVE = {"move", "reschedule", "sposta", "rinvia"}
FIND = {"find", "trova", "cerca"}
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
