"""`/ops checklist …` text → typed requests. Pure: no store, no Slack; raises ParseError.

    /ops checklist                                   list the checklists
    /ops checklist create Opening                    (crea, new, nuova)
    /ops checklist add Opening Turn on the ovens     a yes/no item (aggiungi)
    /ops checklist add Opening Fridge temperature number 0-5 °C     a reading with its allowed range and unit
    /ops checklist add Opening Frigo numero 0-5 °C   the same in Italian; `Fridge 0-5 °C` (a range and a unit) too
    /ops checklist add Opening Notes note            free text (nota)
    /ops checklist add Opening                       opens the modal
    /ops checklist remove Opening 3                  (rimuovi)
    /ops checklist show Opening                      (mostra)
    /ops checklist schedule Opening every day at 7:30 in #ops due 8:00
                                                     (pianifica … ogni giorno alle 7:30 … entro le 8:00)
    /ops checklist unschedule Opening                (stop)
    /ops checklist history Opening                   (storico)
    /ops checklist export Opening 2026-11            CSV by DM (esporta); the month defaults to the current one

The checklist's name in `add` is resolved against the stored names by the service (the longest that fits), so
names of several words need no quotes; everywhere else the name is simply the rest of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.domain.checklists import ItemKind, ItemSpec
from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.parsing.dates import Every, parse_every
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first

_NUM = r"[-+\u2212]?\d{1,9}(?:[.,]\d+)?"
_RANGE = rf"(?P<low>{_NUM})\s*(?:\.\.|-|\u2013|—|\bto\b|\ba\b)\s*(?P<high>{_NUM})"
_UNIT = r"(?P<unit>[^\s\d\-+\u2212.,][^\s]{0,15})"
_NUMBER_TAIL = re.compile(
    rf"\s+(?:number|numero|num|reading|lettura)(?:\s+{_RANGE})?(?:\s*{_UNIT})?\s*$", re.IGNORECASE
)
_RANGE_TAIL = re.compile(rf"\s+{_RANGE}\s*{_UNIT}\s*$", re.IGNORECASE)
_NOTE_TAIL = re.compile(r"\s+(?:note|nota|notes|note\s+libere|text|testo)\s*$", re.IGNORECASE)
_CHECK_TAIL = re.compile(r"\s+(?:yes/no|yes-no|yesno|sì/no|si/no|check|spunta)\s*$", re.IGNORECASE)
_VALUE = re.compile(rf"^\s*(?P<number>{_NUM})\s*(?P<unit>[^\s\d.,][^\s\d]{{0,15}})?\s*$")

_CHANNEL = re.compile(r"(?:\s+(?:in|nel|nella|on|to|su))?\s*<#(?P<id>[CG][A-Z0-9]{2,})(?:\|[^>]*)?>", re.IGNORECASE)
_PLAIN_CHANNEL = re.compile(r"(?:^|\s)#[\w-]+")
_DEADLINE = re.compile(
    r"\s+(?:due|deadline|by|entro(?:\s+le)?|entro\s+l'|scadenza|termine)\s+(?:at\s+|alle\s+|ore\s+|le\s+)?"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<meridiem>am|pm)?\s*$",
    re.IGNORECASE,
)
_EVERY = re.compile(r"(?:^|\s)(?:every|each|ogni)\s", re.IGNORECASE)
_MONTH = re.compile(r"\s+(?P<year>\d{4})-(?P<month>\d{1,2})\s*$")
_POSITION = re.compile(r"\s+#?(?P<n>\d{1,3})\s*$")

VERBS = {
    "list": ("list", "elenco", "ls"),
    "create": ("create", "crea", "new", "nuova"),
    "add": ("add", "aggiungi"),
    "remove": ("remove", "rimuovi", "delete-item"),
    "show": ("show", "mostra", "vedi"),
    "schedule": ("schedule", "pianifica", "programma"),
    "unschedule": ("unschedule", "stop", "ferma"),
    "history": ("history", "storico"),
    "export": ("export", "esporta", "csv"),
}
_VERB_OF = {word: verb for verb, words in VERBS.items() for word in words}


@dataclass(frozen=True, slots=True)
class ListChecklists:
    """`/ops checklist` alone: the workspace's checklists."""


@dataclass(frozen=True, slots=True)
class CreateChecklist:
    name: str


@dataclass(frozen=True, slots=True)
class AddItem:
    text: str  # the checklist's name then the item's label; the service tells them apart
    spec: ItemSpec  # kind, range and unit; its label is filled in by the service


@dataclass(frozen=True, slots=True)
class RemoveItem:
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class ShowChecklist:
    name: str


@dataclass(frozen=True, slots=True)
class ScheduleChecklist:
    name: str
    every: Every
    channel: ChannelId | None  # None: the channel the command was typed in
    deadline: time | None


@dataclass(frozen=True, slots=True)
class Unschedule:
    name: str


@dataclass(frozen=True, slots=True)
class History:
    name: str


@dataclass(frozen=True, slots=True)
class ExportRecord:
    name: str
    month: tuple[int, int] | None


ChecklistCommand = (
    ListChecklists
    | CreateChecklist
    | AddItem
    | RemoveItem
    | ShowChecklist
    | ScheduleChecklist
    | Unschedule
    | History
    | ExportRecord
)


def _needs_name(rest: str, example: str) -> str:
    if not rest.strip():
        raise ParseError(Msg.of("checklist.error.no_name"), example=Msg.of(example))
    return rest.strip()


def parse_checklist_command(text: str, *, now: datetime, zone: ZoneInfo) -> ChecklistCommand:
    word, rest = split_first(text)
    if not word:
        return ListChecklists()
    verb = _VERB_OF.get(word)
    if verb is None:
        return ShowChecklist(text.strip())  # `/ops checklist Opening` shows it
    if verb == "list":
        return ListChecklists()
    if verb == "create":
        return CreateChecklist(_needs_name(rest, "checklist.example.create"))
    if verb == "add":
        return parse_add(_needs_name(rest, "checklist.example.add"))
    if verb == "remove":
        return _parse_remove(rest)
    if verb == "show":
        return ShowChecklist(_needs_name(rest, "checklist.example.show"))
    if verb == "schedule":
        return parse_schedule(rest, now=now, zone=zone)
    if verb == "unschedule":
        return Unschedule(_needs_name(rest, "checklist.example.unschedule"))
    if verb == "history":
        return History(_needs_name(rest, "checklist.example.history"))
    return _parse_export(rest)


def parse_number(text: str) -> Decimal:
    """A reading as typed: `4`, `4.5`, `4,5`, `-18`, `4 °C`. Never a float."""
    match = _VALUE.match(text)
    if match is None:
        raise ParseError(
            Msg.of("checklist.error.bad_number", value=text.strip()[:40]), example=Msg.of("checklist.example.number")
        )
    return _decimal(match.group("number"))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace("\u2212", "-").replace(",", "."))
    except InvalidOperation as error:  # the pattern admits only digits; kept for safety
        raise ParseError(Msg.of("checklist.error.bad_number", value=text)) from error


def parse_add(text: str) -> AddItem:
    """The item's type, range and unit come last; everything before them is the name and the label."""
    for pattern in (_NUMBER_TAIL, _RANGE_TAIL):
        match = pattern.search(text)
        if match is not None and match.start() > 0:
            low, high, unit = match.group("low"), match.group("high"), match.group("unit")
            spec = ItemSpec(
                label="",
                kind=ItemKind.NUMBER,
                minimum=_decimal(low) if low else None,
                maximum=_decimal(high) if high else None,
                unit=unit,
            )
            return AddItem(text[: match.start()].strip(), spec)
    match = _NOTE_TAIL.search(text)
    if match is not None and match.start() > 0:
        return AddItem(text[: match.start()].strip(), ItemSpec(label="", kind=ItemKind.NOTE))
    match = _CHECK_TAIL.search(text)
    if match is not None and match.start() > 0:
        return AddItem(text[: match.start()].strip(), ItemSpec(label=""))
    return AddItem(text.strip(), ItemSpec(label=""))


def parse_range(low: str, high: str) -> tuple[Decimal | None, Decimal | None]:
    """The modal's optional minimum and maximum fields."""
    return (parse_number(low) if low.strip() else None, parse_number(high) if high.strip() else None)


def _parse_remove(rest: str) -> RemoveItem:
    match = _POSITION.search(" " + rest)
    if match is None or not (" " + rest)[: match.start()].strip():
        raise ParseError(Msg.of("checklist.error.remove_needs_number"), example=Msg.of("checklist.example.remove"))
    return RemoveItem((" " + rest)[: match.start()].strip(), int(match.group("n")))


def parse_schedule(rest: str, *, now: datetime, zone: ZoneInfo) -> ScheduleChecklist:
    example = Msg.of("checklist.example.schedule")
    channel: ChannelId | None = None
    found = _CHANNEL.search(rest)
    if found is not None:
        channel = ChannelId(found.group("id"))
        rest = rest[: found.start()] + rest[found.end() :]
    elif _PLAIN_CHANNEL.search(rest):
        # Only an escaped mention names a channel for certain; `#ops` typed as text cannot be looked up.
        raise ParseError(Msg.of("checklist.error.channel"), example=example)
    deadline: time | None = None
    due = _DEADLINE.search(rest)
    if due is not None:
        deadline = _wall_time(due.group("hour"), due.group("minute"), due.group("meridiem"))
        rest = rest[: due.start()]
    every = _EVERY.search(rest)
    if every is None:
        raise ParseError(Msg.of("checklist.error.no_every", text=rest.strip()), example=example)
    name = rest[: every.start()].strip()
    if not name:
        raise ParseError(Msg.of("checklist.error.no_name"), example=example)
    phrase = rest[every.start() :].strip()
    return ScheduleChecklist(name, parse_every(phrase, now=now, zone=zone), channel, deadline)


def _wall_time(hour_text: str, minute_text: str | None, meridiem: str | None) -> time:
    hour, minute = int(hour_text), int(minute_text or 0)
    valid = hour <= 23 and minute <= 59
    if meridiem is not None:
        valid = valid and 1 <= hour <= 12
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    if not valid:
        raise ParseError(
            Msg.of("checklist.error.bad_deadline", text=f"{hour_text}:{minute_text or '00'}"),
            example=Msg.of("checklist.example.schedule"),
        )
    return time(hour, minute)


def _parse_export(rest: str) -> ExportRecord:
    example = "checklist.example.export"
    month: tuple[int, int] | None = None
    found = _MONTH.search(" " + rest)
    if found is not None:
        year, number = int(found.group("year")), int(found.group("month"))
        if not 1 <= number <= 12 or not 2000 <= year <= 2100:
            raise ParseError(Msg.of("checklist.error.bad_month", text=found.group(0).strip()), example=Msg.of(example))
        month = (year, number)
        rest = (" " + rest)[: found.start()]
    return ExportRecord(_needs_name(rest, example), month)
