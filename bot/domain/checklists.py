"""Checklists: opening, closing and stock-take routines, posted to a channel on a schedule and ticked off there.

A checklist is a named list of items: yes/no (ticked), a number (with an optional allowed range and unit) or a
note. A schedule posts it to a channel (`Kind.CHECKLIST`, one message per occurrence, a backlog coalesced into
one). Each post is a *run*: every tick and value is an entry (who, when, what), kept for the record that
food-safety inspectors ask for. A number outside its range is flagged at once and opens a task; items still
open at the run's deadline are reported once (`Kind.CHECKLIST_DEADLINE`).

This module holds the values and rules; `bot.domain.checklisting` is the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidRequest
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg
from bot.domain.reminders import Schedule

MAX_NAME = 60
MAX_LABEL = 150
MAX_UNIT = 12
MAX_NOTE = 500
MAX_ITEMS = 100
MAX_SCHEDULES = 10
HISTORY_RUNS = 10
# Numbers are stored as Numeric(12, 3): nine digits before the point, three after.
MAX_DIGITS = 9
PLACES = 3


class ItemKind(StrEnum):
    CHECK = "check"  # yes/no: ticked when done
    NUMBER = "number"  # a reading, e.g. a fridge temperature, checked against its range
    NOTE = "note"  # free text


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A new item as asked for: from `/ops checklist add …` or the modal."""

    label: str
    kind: ItemKind = ItemKind.CHECK
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    checklist_id: int
    position: int
    label: str
    kind: ItemKind
    minimum: Decimal | None
    maximum: Decimal | None
    unit: str | None

    @property
    def has_range(self) -> bool:
        return self.minimum is not None and self.maximum is not None

    def in_range(self, value: Decimal) -> bool | None:
        """None when the item has no range to be outside of."""
        if self.minimum is None or self.maximum is None:
            return None
        return self.minimum <= value <= self.maximum


@dataclass(frozen=True, slots=True)
class Checklist:
    id: int
    team: TeamId
    name: str
    created_by: UserId
    items: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class ChecklistSchedule:
    id: int
    checklist_id: int
    channel: ChannelId
    next_at: datetime | None
    zone: str
    rrule: str | None
    local_start: datetime | None
    deadline: time | None

    @classmethod
    def of(cls, schedule: Schedule) -> ChecklistSchedule:
        deadline = schedule.payload.get("deadline")
        return cls(
            id=schedule.id,
            checklist_id=int(schedule.payload.get("checklist", "0")),
            channel=ChannelId(schedule.recipient),
            next_at=schedule.next_fire,
            zone=schedule.zone,
            rrule=schedule.rrule,
            local_start=schedule.local_start,
            deadline=time.fromisoformat(deadline) if deadline else None,
        )


@dataclass(frozen=True, slots=True)
class ChecklistOverview:
    checklist: Checklist
    schedules: tuple[ChecklistSchedule, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing a person did on a run: ticked or unticked an item, entered a number or a note."""

    id: int
    run_id: int
    item_id: int
    by: UserId
    at: datetime
    checked: bool | None = None
    number: Decimal | None = None
    note: str | None = None
    in_range: bool | None = None
    flagged: bool = False
    task_id: int | None = None

    @property
    def completes(self) -> bool:
        """Whether the item counts as done after this entry (an untick does not)."""
        return self.checked is not False


@dataclass(frozen=True, slots=True)
class NewEntry:
    run_id: int
    item_id: int
    by: UserId
    at: datetime
    checked: bool | None = None
    number: Decimal | None = None
    note: str | None = None
    in_range: bool | None = None
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class NewRun:
    team: TeamId
    checklist_id: int
    schedule_id: int
    occurrence_key: str
    channel: ChannelId
    due: datetime
    deadline: datetime | None
    zone: str
    item_ids: tuple[int, ...]
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Run:
    """One posting of a checklist: the items as they were then, and everything entered on it."""

    id: int
    team: TeamId
    checklist_id: int
    name: str
    created_by: UserId
    schedule_id: int
    occurrence_key: str
    channel: ChannelId
    ts: str | None
    due: datetime
    deadline: datetime | None
    zone: str
    items: tuple[Item, ...]
    entries: tuple[Entry, ...] = ()
    deadline_reported: bool = False

    def current(self, item_id: int) -> Entry | None:
        """The latest entry for an item: what the message shows."""
        found = [entry for entry in self.entries if entry.item_id == item_id]
        return found[-1] if found else None

    def is_done(self, item: Item) -> bool:
        current = self.current(item.id)
        return current is not None and current.completes

    @property
    def open_items(self) -> list[Item]:
        return [item for item in self.items if not self.is_done(item)]

    @property
    def done_count(self) -> int:
        return len(self.items) - len(self.open_items)

    @property
    def out_of_range(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.in_range is False]

    def item(self, item_id: int) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)

    def local_day(self) -> date:
        return self.due.astimezone(ZoneInfo(self.zone)).date()


@dataclass(frozen=True, slots=True)
class Posting:
    """A run with how the channel reads it: the workspace's language and zone."""

    run: Run
    language: Language
    zone: ZoneInfo
    late: bool = False


@dataclass(frozen=True, slots=True)
class Flag:
    """An out-of-range number, to be told to the channel at once."""

    item: Item
    entry: Entry
    task_id: int | None


@dataclass(frozen=True, slots=True)
class Change:
    """What a tick or a value did: the run as it now is, the entry made, and a flag if it needs one."""

    posting: Posting
    entry: Entry
    flag: Flag | None = None


@dataclass(frozen=True, slots=True)
class Added:
    checklist: Checklist
    item: Item


@dataclass(frozen=True, slots=True)
class NeedsItem:
    """`/ops checklist add Opening` with nothing after the name: the person gets the modal."""

    checklist: Checklist


@dataclass(frozen=True, slots=True)
class DeadlineReport:
    posting: Posting
    open_items: tuple[Item, ...]
    managers: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class ExportRow:
    day: date
    at: time | None  # None: never done on that day
    item: str
    kind: ItemKind
    checked: bool | None
    number: Decimal | None
    note: str | None
    unit: str | None
    in_range: bool | None
    by: str | None  # the person's name as Slack shows it


@dataclass(frozen=True, slots=True)
class Export:
    checklist: Checklist
    year: int
    month: int
    rows: tuple[ExportRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class MessageLink:
    """Where a Slack message is; the Tasks capability turns it into the link on the task."""

    channel: ChannelId
    ts: str


class TaskOpener(Protocol):
    """Opens a follow-up task for an out-of-range reading; the Tasks capability implements it.

    Returns the new task's id, or None when no task could be opened (the flag in the channel is posted anyway).
    """

    async def open_for_checklist(
        self, team: TeamId, *, title: str, assignee: UserId, created_by: UserId, link: MessageLink
    ) -> int | None: ...


def clean_text(text: str) -> str:
    return " ".join(text.split())


def name_key(name: str) -> str:
    """How names are compared: case and spacing do not matter ("opening" is "Opening")."""
    return clean_text(name).casefold()


def quantize(value: Decimal) -> Decimal:
    """A number as it is stored; refuses what the column cannot hold instead of rounding it silently."""
    if not value.is_finite():
        raise InvalidRequest(Msg.of("checklist.error.bad_number", value=str(value)))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PLACES:
        raise InvalidRequest(Msg.of("checklist.error.too_precise", value=str(value), places=PLACES))
    if abs(value) >= Decimal(10) ** MAX_DIGITS:
        raise InvalidRequest(Msg.of("checklist.error.bad_number", value=str(value)))
    return value


def format_number(value: Decimal) -> str:
    """`4.500` → `4.5`, `5.000` → `5`, never `5E+1`."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"
