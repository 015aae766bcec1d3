"""What a shift is: a person (or nobody yet, for an open shift) working a wall-clock range on one local day.

A shift is written on the calendar of the workspace it belongs to ("Friday 7:00-15:00" in Rome) and kept as that
local day and those times plus the UTC instants they make, so it stays 7:00 on both sides of a DST change. A shift
that ends at or before its start runs past midnight (22:00-06:00). Weekly patterns ("every weekday 7:00-15:00")
are expanded into concrete shifts a few weeks ahead, each of which can be swapped or cancelled alone.

This module holds the values and the rules; `bot.domain.shifting` is the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.messages import Msg

MAX_ROLE = 40
MAX_DUTY_TITLE = 200
# How far ahead a weekly pattern is turned into shifts, and how often that horizon is topped up.
PATTERN_HORIZON = timedelta(weeks=8)
# A person's roles are the roles of their shifts from this far back (and every one to come).
ROLE_MEMORY = timedelta(weeks=8)
MAX_SHIFT_HOURS = 16
MAX_IMPORT_ROWS = 2000
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


class ShiftStatus(StrEnum):
    SCHEDULED = "scheduled"  # someone works it
    OPEN = "open"  # posted for eligible people to claim
    CANCELLED = "cancelled"


class SwapStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    VOID = "void"  # the shift changed hands or was cancelled before the answer


class DutyKind(StrEnum):
    CHECKLIST = "checklist"
    TASK = "task"


def clean_role(text: str) -> str:
    return " ".join(text.split()).lower()


def shift_span(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of a shift on a local day; an end at or before the start is on the next day.

    Wall-clock times are placed with zoneinfo's fold=0: a start inside a spring-forward gap moves on by the gap,
    and a time repeated in the autumn is its first instance, as for recurring reminders.
    """
    starts = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
    end_day = day if end > start else day + timedelta(days=1)
    ends = datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
    return starts, ends


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week `day` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class ShiftTimes:
    """A shift as asked for: a local day, a wall-clock range and a role ("" for none)."""

    day: date
    start: time
    end: time
    role: str = ""


@dataclass(frozen=True, slots=True)
class ShiftDraft:
    team: TeamId
    user: UserId | None
    role: str
    day: date
    start: time
    end: time
    zone: str
    status: ShiftStatus
    created_by: UserId
    created_at: datetime
    pattern_id: int | None = None

    def span(self) -> tuple[datetime, datetime]:
        return shift_span(self.day, self.start, self.end, ZoneInfo(self.zone))


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    team: TeamId
    user: UserId | None
    role: str
    day: date
    start: time
    end: time
    zone: str
    starts: datetime
    ends: datetime
    status: ShiftStatus
    created_by: UserId
    pattern_id: int | None = None
    start_schedule_id: int | None = None
    post_channel: ChannelId | None = None
    post_ts: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is ShiftStatus.OPEN

    @property
    def is_live(self) -> bool:
        return self.status is not ShiftStatus.CANCELLED

    def overlaps(self, starts: datetime, ends: datetime) -> bool:
        return self.starts < ends and starts < self.ends

    def covers(self, at: datetime) -> bool:
        return self.starts <= at < self.ends


@dataclass(frozen=True, slots=True)
class PatternDraft:
    team: TeamId
    user: UserId
    role: str
    days: tuple[int, ...]
    start: time
    end: time
    zone: str
    first_day: date
    created_by: UserId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ShiftPattern:
    id: int
    team: TeamId
    user: UserId
    role: str
    days: tuple[int, ...]
    start: time
    end: time
    zone: str
    first_day: date
    through: date
    created_by: UserId

    def days_between(self, first: date, last: date) -> list[date]:
        """The pattern's working days from `first` to `last` inclusive (never before its own first day)."""
        day = max(first, self.first_day)
        found: list[date] = []
        while day <= last:
            if day.weekday() in self.days:
                found.append(day)
            day += timedelta(days=1)
        return found


@dataclass(frozen=True, slots=True)
class SwapRequest:
    id: int
    team: TeamId
    shift_id: int
    from_user: UserId
    to_user: UserId
    asked_by: UserId
    status: SwapStatus


@dataclass(frozen=True, slots=True)
class Duty:
    """A checklist or task handed to the first person whose shift (of `role`, or any when "") starts on one of
    `days`; a task duty's title is the task, a checklist duty's title is the checklist's name."""

    id: int
    team: TeamId
    role: str
    kind: DutyKind
    checklist_id: int | None
    title: str
    days: tuple[int, ...]
    created_by: UserId

    def applies(self, shift: Shift) -> bool:
        return shift.day.weekday() in self.days and (not self.role or self.role == shift.role)


@dataclass(frozen=True, slots=True)
class DutyDraft:
    team: TeamId
    role: str
    kind: DutyKind
    checklist_id: int | None
    title: str
    days: tuple[int, ...]
    created_by: UserId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Handout:
    """One duty given out on one day: to whom, on which shift, and what it became (a task or a checklist run)."""

    id: int
    duty_id: int
    day: date
    shift_id: int
    user: UserId
    task_id: int | None
    run_id: int | None


@dataclass(frozen=True, slots=True)
class SharedFile:
    id: int
    team: TeamId
    user: UserId
    file_id: str
    name: str
    url: str
    size: int
    shared_at: datetime
    imported_at: datetime | None


@dataclass(frozen=True, slots=True)
class Absence:
    """Someone off on (some of) the rota's days: time off, or a public holiday for everyone."""

    user: UserId | None  # None: a public holiday
    first: date
    last: date
    label: str


@dataclass(frozen=True, slots=True)
class Rota:
    """One week's shifts in the reader's zone, with who is off and the public holidays."""

    first: date
    last: date
    zone: ZoneInfo
    shifts: tuple[Shift, ...]
    absences: tuple[Absence, ...]

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    @property
    def people(self) -> list[UserId]:
        """Everyone with a shift or time off this week, in order of their first shift."""
        seen: dict[UserId, None] = {}
        for shift in sorted(self.shifts, key=lambda s: (s.starts, s.id)):
            if shift.user is not None:
                seen.setdefault(shift.user)
        for absence in self.absences:
            if absence.user is not None:
                seen.setdefault(absence.user)
        return list(seen)

    def on(self, user: UserId | None, day: date) -> list[Shift]:
        return [shift for shift in self.shifts if shift.user == user and self.local_day(shift) == day]

    def local_day(self, shift: Shift) -> date:
        return shift.starts.astimezone(self.zone).date()

    def absence(self, user: UserId | None, day: date) -> Absence | None:
        for absence in self.absences:
            if absence.user in (user, None) and absence.first <= day <= absence.last:
                return absence
        return None


@dataclass(frozen=True, slots=True)
class ImportedRow:
    line: int
    shift: Shift


@dataclass(frozen=True, slots=True)
class ImportReport:
    """A rota import: the shifts made, and each refused line with why."""

    file_name: str
    added: tuple[ImportedRow, ...]
    refused: tuple[tuple[int, Msg], ...]


def overlapping(
    shifts: Iterable[Shift], starts: datetime, ends: datetime, *, ignore: int | None = None
) -> Shift | None:
    for shift in shifts:
        if shift.id != ignore and shift.is_live and shift.overlaps(starts, ends):
            return shift
    return None
