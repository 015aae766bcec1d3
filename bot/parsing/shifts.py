"""`/ops shift …`, `/ops rota …` and `/ops onshift …` (and `turno`, `turni`, `di turno`) → typed requests.

    /ops shift add @maria friday 7:00-15:00 role kitchen      one shift (aggiungi … venerdì 7-15 ruolo cucina)
    /ops shift add @maria every weekday 7:00-15:00 role kitchen
                                                             a weekly pattern (ogni giorno feriale, every mon, wed)
    /ops shift list [@maria]                                 someone's next two weeks (elenco)
    /ops shift cancel 31                                     (annulla)
    /ops shift stop 3                                        ends weekly pattern 3 and its shifts to come (ferma)
    /ops shift swap 31 with @sam                             asks Sam to take shift 31 (scambia 31 con @sam)
    /ops shift open saturday 9:00-17:00 role kitchen         an open shift anyone eligible can claim (apri)
    /ops shift import                                        the CSV file last shared with the bot (importa)
    /ops shift duty add kitchen checklist Opening [every weekday]
    /ops shift duty add anyone task Clean the fryer           duties for whoever starts a shift (compito)
    /ops shift duty list | remove 2
    /ops rota [this week|next week]                          (turni [questa settimana|prossima settimana])
    /ops onshift [role]                                      who is working now (di turno [ruolo])

The day is anything `read_day` reads ("friday", "venerdì", "24/12", "2026-12-24"), the times are a range as
for working hours ("7:00-15:00", "7-15", "dalle 7 alle 15"); an end at or before the start is past midnight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.domain.ids import UserId
from bot.domain.messages import Msg
from bot.domain.shifts import ALL_DAYS, DutyKind, ShiftTimes
from bot.parsing.errors import ParseError
from bot.parsing.people import TIME_RANGE, clock_time, normalize, read_day, weekdays_of
from bot.parsing.tokens import split_first, user_mention

_ROLE = re.compile(r"(?:^|\s)(?:role|as|ruolo|come|in)\s+(?P<role>.+)$")
_EVERY = re.compile(r"^(?:every|each|ogni|tutti\s+i|tutte\s+le)\s+(?P<days>.+)$")
_ID = re.compile(r"^#?(\d{1,9})$")
_SWAP = re.compile(r"^#?(?P<id>\d{1,9})\s+(?:with|to|con|a)\s+(?P<who>\S+)$", re.IGNORECASE)
_ANYONE = {"anyone", "any", "all", "everyone", "onshift", "chiunque", "tutti", "qualsiasi"}

ADD = {"add", "aggiungi", "new", "nuovo"}
LIST = {"list", "elenco", "lista", "show", "mostra"}
CANCEL = {"cancel", "annulla", "remove", "rimuovi", "delete", "elimina"}
STOP = {"stop", "ferma", "end", "termina"}
SWAP = {"swap", "scambia", "scambio", "cambio"}
OPEN = {"open", "apri", "offer", "offri", "post"}
IMPORT = {"import", "importa", "upload", "carica"}
DUTY = {"duty", "duties", "compito", "compiti", "mansione", "mansioni"}
_NEXT_WEEK = {"next week", "next", "prossima settimana", "settimana prossima", "prossima"}
_THIS_WEEK = {"", "this week", "this", "questa settimana", "settimana", "questa", "now", "current"}
_CHECKLIST_WORDS = {"checklist", "lista", "list"}
_TASK_WORDS = {"task", "compito", "attività", "attivita", "todo"}


@dataclass(frozen=True, slots=True)
class AddShift:
    user: UserId
    times: ShiftTimes


@dataclass(frozen=True, slots=True)
class AddPattern:
    user: UserId
    days: tuple[int, ...]
    start: time
    end: time
    role: str


@dataclass(frozen=True, slots=True)
class ListShifts:
    user: UserId | None


@dataclass(frozen=True, slots=True)
class CancelShift:
    id: int


@dataclass(frozen=True, slots=True)
class StopPattern:
    id: int


@dataclass(frozen=True, slots=True)
class SwapShift:
    id: int
    to_user: UserId


@dataclass(frozen=True, slots=True)
class OpenShift:
    times: ShiftTimes


@dataclass(frozen=True, slots=True)
class ImportShifts:
    """`/ops shift import`: the CSV last shared with the bot."""


@dataclass(frozen=True, slots=True)
class AddDuty:
    role: str
    kind: DutyKind
    text: str
    days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ListDuties:
    """`/ops shift duty` or `… duty list`."""


@dataclass(frozen=True, slots=True)
class RemoveDuty:
    id: int


ShiftRequest = (
    AddShift
    | AddPattern
    | ListShifts
    | CancelShift
    | StopPattern
    | SwapShift
    | OpenShift
    | ImportShifts
    | AddDuty
    | ListDuties
    | RemoveDuty
)


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(f"shift.example.{example}"))


def _number(text: str, example: str) -> int:
    found = _ID.match(text.strip())
    if found is None:
        raise _error("shift.error.id", example, text=text.strip())
    return int(found.group(1))


def _when(text: str, example: str) -> tuple[str, time, time, str]:
    """`friday 7:00-15:00 role kitchen` → ("friday", 07:00, 15:00, "kitchen")."""
    normalized = normalize(text)
    role = ""
    found_role = _ROLE.search(normalized)
    span = TIME_RANGE.search(normalized)
    if found_role is not None and (span is None or found_role.start() > span.start()):
        role = found_role["role"].strip()
        normalized = normalized[: found_role.start()].strip()
        span = TIME_RANGE.search(normalized)
    if span is None:
        raise _error("shift.error.no_times", example, text=text.strip())
    start, end = clock_time(span["a"]), clock_time(span["b"])
    if start is None or end is None:
        raise _error("shift.error.no_times", example, text=text.strip())
    day = (normalized[: span.start()] + " " + normalized[span.end() :]).strip()
    return day, start, end, role


def _every_days(text: str) -> tuple[int, ...] | None:
    """The days after "every": `day` and `giorno` alone are all seven."""
    return ALL_DAYS if text.strip() in {"day", "days", "giorno"} else weekdays_of(text)


def _times(text: str, *, now: datetime, zone: ZoneInfo, example: str) -> ShiftTimes:
    day_text, start, end, role = _when(text, example)
    if not day_text:
        raise _error("shift.error.no_day", example, text=text.strip())
    day = read_day(day_text, now=now, zone=zone, example=f"shift.example.{example}")
    return ShiftTimes(day, start, end, role)


def _add(text: str, *, now: datetime, zone: ZoneInfo) -> AddShift | AddPattern:
    first = text.split(maxsplit=1)
    person = user_mention(first[0]) if first else None
    if person is None:
        raise _error("shift.error.no_person", "add")
    rest = first[1] if len(first) > 1 else ""
    day_text, start, end, role = _when(rest, "add")
    every = _EVERY.match(day_text)
    if every is not None:
        days = _every_days(every["days"])
        if days is None:
            raise _error("shift.error.days", "pattern", text=every["days"])
        return AddPattern(person, days, start, end, role)
    if not day_text:
        raise _error("shift.error.no_day", "add", text=rest.strip())
    day = read_day(day_text, now=now, zone=zone, example="shift.example.add")
    return AddShift(person, ShiftTimes(day, start, end, role))


def _duty(text: str) -> AddDuty | ListDuties | RemoveDuty:
    verb, rest = split_first(text)
    if not verb or verb in LIST:
        return ListDuties()
    if verb in CANCEL:
        return RemoveDuty(_number(rest, "duty"))
    if verb not in ADD:
        raise _error("shift.error.duty_verb", "duty", text=verb)
    parts = rest.split(maxsplit=2)
    if len(parts) < 3:
        raise _error("shift.error.duty_shape", "duty")
    role_word, kind_word, body = parts[0].lower(), parts[1].lower(), parts[2]
    role = "" if role_word in _ANYONE else role_word
    if kind_word in _CHECKLIST_WORDS:
        kind = DutyKind.CHECKLIST
    elif kind_word in _TASK_WORDS:
        kind = DutyKind.TASK
    else:
        raise _error("shift.error.duty_kind", "duty", text=kind_word)
    days: tuple[int, ...] = ALL_DAYS
    normalized = normalize(body)
    tail = re.search(r"\s(?:every|ogni|on|il|di)\s+(?P<days>.+)$", normalized)
    if tail is not None:
        found = _every_days(tail["days"])
        if found is not None:
            days = found
            body = body[: len(body) - (len(normalized) - tail.start())]
    return AddDuty(role, kind, body.strip(), days)


def parse_shift_command(text: str, *, now: datetime, zone: ZoneInfo) -> ShiftRequest:
    verb, rest = split_first(text)
    if not verb or verb in LIST:
        if not rest:
            return ListShifts(None)
        person = user_mention(rest.split()[0])
        if person is None:
            raise _error("shift.error.no_person", "list")
        return ListShifts(person)
    if verb in ADD:
        return _add(rest, now=now, zone=zone)
    if verb in CANCEL:
        return CancelShift(_number(rest, "cancel"))
    if verb in STOP:
        words = rest.split()
        if words and words[0].lower() in {"pattern", "schema", "settimanale", "weekly"}:
            rest = " ".join(words[1:])
        return StopPattern(_number(rest, "stop"))
    if verb in SWAP:
        found = _SWAP.match(rest.strip())
        who = user_mention(found["who"]) if found is not None else None
        if found is None or who is None:
            raise _error("shift.error.swap_shape", "swap")
        return SwapShift(int(found["id"]), who)
    if verb in OPEN:
        return OpenShift(_times(rest, now=now, zone=zone, example="open"))
    if verb in IMPORT:
        return ImportShifts()
    if verb in DUTY:
        return _duty(rest)
    raise _error("shift.error.verb", "add", text=verb)


def parse_rota_command(text: str) -> int:
    """How many weeks from this one: `this week` (or nothing) 0, `next week` 1."""
    phrase = normalize(text)
    if phrase in _THIS_WEEK:
        return 0
    if phrase in _NEXT_WEEK:
        return 1
    raise _error("shift.error.rota_week", "rota", text=text.strip())


def parse_onshift_command(text: str) -> str | None:
    """The role asked about, or None for everyone working now."""
    role = " ".join(text.split()).lower()
    return role or None
