"""`/ops appointment …` and `/ops appointments …` (and `appuntamento`, `appuntamenti`) → typed requests.

    /ops appointments hours                                     your bookable hours (orari)
    /ops appointments hours @giulia                             someone's
    /ops appointments hours mon-fri 14:00-17:00 slot 30m        publish yours (lun-ven 14:00-17:00 slot 30m)
    /ops appointments hours @giulia mon-fri 14:00-17:00         a manager publishes for another manager
    /ops appointments hours off                                 stop taking bookings (chiudi)
    /ops appointment slots @giulia [tomorrow]                   free slots: that day, or the next week (liberi)
    /ops appointment book @giulia tomorrow 15:00 [about supplier contract]         (prenota … riguardo …)
    /ops appointment add [@giulia] tomorrow 11:00 Mario Rossi (supplier) [+39 333 1234567] [about invoices]
                                                                an outside visitor (aggiungi)
    /ops appointment list                                       yours to come (elenco)
    /ops appointment cancel 7                                   (annulla)

Dates and times are read on the writer's clock (`parse_when`'s grammar: "tomorrow 15:00", "venerdì alle 11",
"3 December at 10"); a booking needs a time, not just a day. Hours are read as for working hours
(`bot.parsing.people.parse_hours`: "mon-fri 14:00-17:00", "lun-ven dalle 14 alle 17"), then on the manager's clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.appointments import DEFAULT_SLOT
from bot.domain.ids import UserId
from bot.domain.messages import Msg
from bot.domain.people_time import WorkingHours
from bot.parsing.dates import Every, When, parse_when, split_trailing_when
from bot.parsing.errors import ParseError
from bot.parsing.people import normalize, parse_hours, read_day
from bot.parsing.tokens import duration, split_first, user_mention

HOURS = {"hours", "orari", "orario", "availability", "disponibilità", "disponibilita"}
SLOTS = {"slots", "slot", "free", "liberi", "libero", "posti", "disponibili"}
BOOK = {"book", "prenota", "request", "richiedi"}
ADD = {"add", "aggiungi", "visitor", "visitatore", "new", "nuovo"}
LIST = {"list", "elenco", "lista", "mine", "miei", "show", "mostra"}
CANCEL = {"cancel", "annulla", "cancella", "remove", "rimuovi", "delete", "elimina"}
_OFF = {"off", "none", "stop", "close", "closed", "chiudi", "chiuso", "nessuno", "basta"}
# What introduces the subject of an appointment, after the time ("… tomorrow 15:00 about the contract"); the
# short Italian words only when none of the others is there ("… domani alle 15 per il contratto").
_ABOUT = {"about", "re", "re:", "regarding", "topic", "subject", "riguardo", "oggetto", "motivo", "argomento"}
_ABOUT_WEAK = {"per", "su"}
_SLOT = re.compile(
    r"(?:^|\s)(?:slots?|durata|length|lunghezza)\s+(?:of\s+|da\s+|di\s+)?"
    r"(?P<length>\S+(?:\s+(?:min|mins|minutes|minuti|h|hours?|or[ae]))?)\s*$"
)
_ID = re.compile(r"^#?(\d{1,9})$")
# A telephone number at the end of a visitor's description: "+39 333 1234567", "02-1234567", "(555) 010-9999".
_PHONE = re.compile(r"(?:^|\s)(?P<phone>\+?\(?\d[\d\s().\-/]{4,}\d)\s*$")
# The longest date phrase tried at the start of a booking ("venerdì 24 dicembre 2026 alle 15").
MAX_WHEN_WORDS = 7
_TIME_WORDS = {"noon", "midday", "midnight", "mezzogiorno", "mezzanotte"}


@dataclass(frozen=True, slots=True)
class ShowHours:
    manager: UserId | None  # None: the person asking


@dataclass(frozen=True, slots=True)
class PublishHours:
    manager: UserId | None
    hours: WorkingHours
    slot: timedelta


@dataclass(frozen=True, slots=True)
class WithdrawHours:
    manager: UserId | None


@dataclass(frozen=True, slots=True)
class ListSlots:
    manager: UserId
    day: date | None  # None: the next week


@dataclass(frozen=True, slots=True)
class Book:
    manager: UserId
    starts: datetime
    topic: str


@dataclass(frozen=True, slots=True)
class AddVisitor:
    manager: UserId | None  # None: the person asking
    starts: datetime
    visitor: str
    phone: str
    topic: str


@dataclass(frozen=True, slots=True)
class ListAppointments:
    """`/ops appointment list` (or nothing): yours to come."""


@dataclass(frozen=True, slots=True)
class CancelAppointment:
    id: int


AppointmentRequest = (
    ShowHours | PublishHours | WithdrawHours | ListSlots | Book | AddVisitor | ListAppointments | CancelAppointment
)


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(example))


# ---- hours -----------------------------------------------------------------------------------------------------


def _slot_length(text: str) -> tuple[str, timedelta]:
    """`mon-fri 14:00-17:00 slot 30m` → ("mon-fri 14:00-17:00", 30 minutes); without `slot`, the default."""
    found = _SLOT.search(text)
    if found is None:
        return text, DEFAULT_SLOT
    raw = found["length"].strip()
    length = duration(raw) or (duration(raw + "m") if raw.isdigit() else None)
    if length is None:
        raise _error("appointment.error.slot_unreadable", "appointment.example.hours", text=raw)
    return text[: found.start()].strip(), length


def _hours(text: str) -> PublishHours | ShowHours | WithdrawHours:
    words = text.split()
    manager = user_mention(words[0]) if words else None
    rest = " ".join(words[1:]) if manager is not None else text.strip()
    if not rest:
        return ShowHours(manager)
    if normalize(rest) in _OFF:
        return WithdrawHours(manager)
    body, slot = _slot_length(rest)
    try:
        hours = parse_hours(body)
    except ParseError as error:
        raise ParseError(error.message, example=Msg.of("appointment.example.hours")) from None
    return PublishHours(manager, hours, slot)


# ---- times -----------------------------------------------------------------------------------------------------


def _has_time(phrase: str) -> bool:
    return any(char.isdigit() for char in phrase) or any(normalize(word) in _TIME_WORDS for word in phrase.split())


def _leading_when(text: str, *, now: datetime, zone: ZoneInfo, example: str) -> tuple[When, str]:
    """The longest date-and-time phrase at the start of `text` (the grammar only: what follows is free text, a
    name or a subject), and the rest. The phrase must carry a time: a day alone is not a booking."""
    words = text.split()
    problem: ParseError | None = None
    for size in range(min(MAX_WHEN_WORDS, len(words)), 0, -1):
        phrase = " ".join(words[:size])
        try:
            before, found = split_trailing_when(phrase, now=now, zone=zone)
        except ParseError as error:  # readable, but in the past
            problem = problem or error
            continue
        if found is None or before:
            continue
        if isinstance(found, Every):
            raise _error("appointment.error.recurring", example, text=phrase)
        if not _has_time(phrase):
            raise _error("appointment.error.no_time", example, text=phrase)
        return found, " ".join(words[size:])
    if problem is not None:
        raise ParseError(problem.message, example=Msg.of(example))
    raise _error("appointment.error.no_when", example, text=" ".join(words[:MAX_WHEN_WORDS]))


def _split_about(text: str) -> tuple[str, str]:
    """`tomorrow 15:00 about the contract` → ("tomorrow 15:00", "the contract"): the first `about` after a word."""
    words = text.split()
    for keywords in (_ABOUT, _ABOUT_WEAK):
        for index, word in enumerate(words):
            if index > 0 and word.lower() in keywords:
                return " ".join(words[:index]), " ".join(words[index + 1 :])
    return text.strip(), ""


def _book(text: str, *, now: datetime, zone: ZoneInfo) -> Book:
    example = "appointment.example.book"
    words = text.split()
    manager = user_mention(words[0]) if words else None
    if manager is None:
        raise _error("appointment.error.no_manager", example)
    when_text, topic = _split_about(" ".join(words[1:]))
    if not when_text:
        raise _error("appointment.error.no_when", example, text="")
    try:
        when, rest = _leading_when(when_text, now=now, zone=zone, example=example)
    except ParseError as error:
        if error.message.key != "appointment.error.no_when":
            raise
        # Not the grammar's: the whole phrase through the guarded fallback ("December 3rd, 3pm").
        return Book(manager, _whole_when(when_text, now=now, zone=zone, example=example), topic)
    # Words after the time without `about` are the subject too ("… tomorrow 15:00 supplier contract").
    return Book(manager, when.at, " ".join(part for part in (rest, topic) if part))


def _whole_when(text: str, *, now: datetime, zone: ZoneInfo, example: str) -> datetime:
    phrase = " ".join(text.split())
    try:
        when = parse_when(phrase, now=now, zone=zone)
    except ParseError as error:
        raise ParseError(error.message, example=Msg.of(example)) from None
    if not _has_time(phrase):
        raise _error("appointment.error.no_time", example, text=phrase)
    return when.at


def _add(text: str, *, now: datetime, zone: ZoneInfo) -> AddVisitor:
    example = "appointment.example.add"
    words = text.split()
    manager = user_mention(words[0]) if words else None
    body = " ".join(words[1:]) if manager is not None else text.strip()
    if not body:
        raise _error("appointment.error.no_when", example, text="")
    described, topic = _split_about(body)
    when, visitor = _leading_when(described, now=now, zone=zone, example=example)
    phone = ""
    found = _PHONE.search(visitor)
    if found is not None and sum(char.isdigit() for char in found["phone"]) >= 6:
        phone = found["phone"].strip()
        visitor = visitor[: found.start()].strip()
    if not visitor:
        raise _error("appointment.error.no_visitor", example)
    return AddVisitor(manager, when.at, visitor, phone, topic)


def _number(text: str) -> int:
    found = _ID.match(text.strip())
    if found is None:
        raise _error("appointment.error.id", "appointment.example.cancel", text=text.strip())
    return int(found.group(1))


def parse_appointment_command(text: str, *, now: datetime, zone: ZoneInfo) -> AppointmentRequest:
    """Times are read in `zone`, the writer's."""
    verb, rest = split_first(text)
    if not verb or verb in LIST:
        if rest:
            raise _error("appointment.error.list_extra", "appointment.example.list", text=rest)
        return ListAppointments()
    if verb in HOURS:
        return _hours(rest)
    if verb in SLOTS:
        words = rest.split()
        manager = user_mention(words[0]) if words else None
        if manager is None:
            raise _error("appointment.error.no_manager", "appointment.example.slots")
        day_text = " ".join(words[1:])
        if not day_text:
            return ListSlots(manager, None)
        return ListSlots(manager, read_day(day_text, now=now, zone=zone, example="appointment.example.slots"))
    if verb in BOOK:
        return _book(rest, now=now, zone=zone)
    if verb in ADD:
        return _add(rest, now=now, zone=zone)
    if verb in CANCEL:
        return CancelAppointment(_number(rest))
    raise _error("appointment.error.verb", "appointment.example.book", text=verb)


def parse_proposal(text: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """The other time a manager offers, typed in the form ("tomorrow 16:00", "venerdì alle 10")."""
    if not text.strip():
        raise _error("appointment.error.no_when", "appointment.example.propose", text="")
    return _whole_when(text, now=now, zone=zone, example="appointment.example.propose")
