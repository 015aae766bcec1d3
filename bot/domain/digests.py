"""What a digest says: the facts of one day (or week) in a workspace, read from the store with a few indexed
queries per section, never by loading whole tables.

- The daily digest: who is on shift and who is away today (and today's public holiday); today's meetings (each
  occurrence of a series included) and the managers' confirmed or pending appointments; open tasks due today or
  overdue, grouped by person; yesterday's checklist runs left unfinished and readings out of range; active
  customer cases, those past a target first; yesterday's feedback in one line; stock items below their minimum
  (read through the stock capability's `LowStockReader`, furthest below first).
- The weekly digest: the week's numbers (tasks done and created, cases opened, closed and breached, the average
  rating) with a daily series for the chart, against the week before.
- The personal digest: one person's day (their shifts, meetings and appointments, tasks, cases).

"Today" is the local day in the zone given (the workspace's). A long section keeps its first few items and how
many there are in all (`Top`). Which channel gets which digest, and when, is the scheduling capability's; this
module only knows what goes in one. No Slack, no SQL here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.cases import CaseKind, CaseStatus, Severity, case_label
from bot.domain.clock import Clock
from bot.domain.ids import TeamId, UserId
from bot.domain.meetings import Meeting
from bot.domain.people_time import local_midnight

if TYPE_CHECKING:  # ports imports this module's values; the service only needs the factory's type
    from bot.domain.ports import UnitOfWorkFactory

T = TypeVar("T")

# How many items a long section shows before "…and N more".
TOP = 8
# Tasks: how many people, and how many of each one's tasks.
TOP_PEOPLE = 8
TASKS_EACH = 3
# The open items named for each unfinished checklist run.
OPEN_ITEMS_SHOWN = 5
SUMMARY_CHARS = 80
_TENTH = Decimal("0.1")


class Section(StrEnum):
    PEOPLE = "people"
    MEETINGS = "meetings"
    TASKS = "tasks"
    CHECKLISTS = "checklists"
    CASES = "cases"
    FEEDBACK = "feedback"
    STOCK = "stock"


ALL_SECTIONS: frozenset[Section] = frozenset(Section)


def day_span(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants (UTC) a local day runs from and to: 23 or 25 hours on a DST change."""
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def average(total: int, count: int) -> Decimal | None:
    """To one decimal, halves up, as insights round theirs; None for nothing to average."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Top(Generic[T]):
    """The first items of a long list, and how many there are in all."""

    items: tuple[T, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


# ---- the daily digest's sections -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShiftLine:
    user: UserId | None  # None: an open shift nobody has claimed yet
    role: str
    starts: datetime
    ends: datetime


@dataclass(frozen=True, slots=True)
class AwayLine:
    user: UserId
    first: date
    last: date
    reason: str
    cover: UserId | None


@dataclass(frozen=True, slots=True)
class PeopleToday:
    shifts: Top[ShiftLine] = Top()
    away: Top[AwayLine] = Top()
    holiday: str | None = None  # today's public holiday, by name

    @property
    def is_empty(self) -> bool:
        return not self.shifts and not self.away and self.holiday is None


@dataclass(frozen=True, slots=True)
class MeetingLine:
    meeting_id: int
    title: str
    starts: datetime  # this occurrence's, for a series
    ends: datetime
    place: str
    organizer: UserId
    recurring: bool


@dataclass(frozen=True, slots=True)
class AppointmentLine:
    appointment_id: int
    manager: UserId
    booker: UserId | None  # None: an outside visitor
    visitor: str
    topic: str
    starts: datetime
    ends: datetime
    confirmed: bool  # False: asked for, the manager has not answered yet


@dataclass(frozen=True, slots=True)
class MeetingsToday:
    meetings: Top[MeetingLine] = Top()
    appointments: Top[AppointmentLine] = Top()

    @property
    def is_empty(self) -> bool:
        return not self.meetings and not self.appointments


@dataclass(frozen=True, slots=True)
class TaskLine:
    number: int
    title: str
    due: datetime
    overdue: bool  # due before the day began


@dataclass(frozen=True, slots=True)
class TaskGroup:
    """One person's open tasks due today or before: how many of each, and the first few, most overdue first."""

    assignee: UserId
    overdue: int
    today: int
    tasks: tuple[TaskLine, ...]

    @property
    def total(self) -> int:
        return self.overdue + self.today


@dataclass(frozen=True, slots=True)
class TasksDue:
    groups: Top[TaskGroup] = Top()  # the total is how many people have such tasks
    overdue: int = 0
    today: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.overdue and not self.today


@dataclass(frozen=True, slots=True)
class UnfinishedRun:
    run_id: int
    checklist: str
    due: datetime
    open_items: Top[str]  # the labels of the items nobody ticked, in the checklist's order
    items: int  # how many items the run had


@dataclass(frozen=True, slots=True)
class OutOfRange:
    checklist: str
    item: str
    value: Decimal | None
    unit: str | None
    minimum: Decimal | None
    maximum: Decimal | None
    by: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class ChecklistsYesterday:
    unfinished: Top[UnfinishedRun] = Top()
    out_of_range: Top[OutOfRange] = Top()

    @property
    def is_empty(self) -> bool:
        return not self.unfinished and not self.out_of_range


@dataclass(frozen=True, slots=True)
class CaseLine:
    number: int
    kind: CaseKind
    severity: Severity
    status: CaseStatus
    summary: str  # the start of the description; "" once the customer's data has been forgotten
    assignee: UserId | None
    target: datetime  # the next target: the first response, or the resolution once answered
    responded: bool  # whether `target` is the resolution
    breached: bool  # a target has passed: no first response by its time, or not resolved by its time

    @property
    def label(self) -> str:
        return case_label(self.number)


@dataclass(frozen=True, slots=True)
class OpenCases:
    """Active cases (open, in progress, waiting on the customer): those past a target first, then the soonest."""

    cases: Top[CaseLine] = Top()
    breached: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.cases


@dataclass(frozen=True, slots=True)
class FeedbackYesterday:
    count: int = 0
    average: Decimal | None = None
    top_tag: str | None = None
    top_tag_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.count


@dataclass(frozen=True, slots=True)
class LowStockLine:
    """An item below its minimum (the stock capability's), in its own unit."""

    name: str
    quantity: Decimal
    minimum: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class LowStockToday:
    items: Top[LowStockLine] = Top()

    @property
    def is_empty(self) -> bool:
        return not self.items


LowStockReader = Callable[[TeamId, int], Awaitable[Top[LowStockLine]]]


@dataclass(frozen=True, slots=True)
class DailyDigest:
    team: TeamId
    day: date
    zone: ZoneInfo
    sections: frozenset[Section]
    people: PeopleToday = PeopleToday()
    meetings: MeetingsToday = MeetingsToday()
    tasks: TasksDue = TasksDue()
    checklists: ChecklistsYesterday = ChecklistsYesterday()
    cases: OpenCases = OpenCases()
    feedback: FeedbackYesterday = FeedbackYesterday()
    stock: LowStockToday = LowStockToday()

    @property
    def is_quiet(self) -> bool:
        """Nothing to say in any section asked for."""
        return all(
            part.is_empty
            for part in (self.people, self.meetings, self.tasks, self.checklists, self.cases, self.feedback, self.stock)
        )


# ---- the weekly digest -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Numbers:
    """One stretch's counts. A case counts as opened (and, if it missed a target, as breached) in the stretch it
    was opened, judged as things stand now, as insights count them; closed where it was resolved or closed."""

    tasks_done: int = 0
    tasks_created: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    cases_breached: int = 0
    ratings: int = 0  # how many pieces of feedback
    rating_total: int = 0  # their ratings added up

    @property
    def average_rating(self) -> Decimal | None:
        return average(self.rating_total, self.ratings)

    def __add__(self, other: Numbers) -> Numbers:
        return Numbers(
            self.tasks_done + other.tasks_done,
            self.tasks_created + other.tasks_created,
            self.cases_opened + other.cases_opened,
            self.cases_closed + other.cases_closed,
            self.cases_breached + other.cases_breached,
            self.ratings + other.ratings,
            self.rating_total + other.rating_total,
        )

    @property
    def is_empty(self) -> bool:
        return self == Numbers()


@dataclass(frozen=True, slots=True)
class DayNumbers:
    day: date
    numbers: Numbers


@dataclass(frozen=True, slots=True)
class WeeklyDigest:
    team: TeamId
    first: date  # Monday
    last: date  # Sunday
    zone: ZoneInfo
    sections: frozenset[Section]
    this_week: Numbers
    last_week: Numbers
    days: tuple[DayNumbers, ...]  # this week's, Monday to Sunday: the chart's series

    @property
    def is_quiet(self) -> bool:
        return self.this_week.is_empty and self.last_week.is_empty


# ---- the personal digest ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonalDigest:
    team: TeamId
    user: UserId
    day: date
    zone: ZoneInfo
    shifts: Top[ShiftLine] = Top()
    meetings: Top[MeetingLine] = Top()
    appointments: Top[AppointmentLine] = Top()
    tasks: Top[TaskLine] = Top()
    cases: OpenCases = OpenCases()

    @property
    def is_quiet(self) -> bool:
        return not (self.shifts or self.meetings or self.appointments or self.tasks or self.cases.cases)


# ---- reading them ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingRows:
    """What the store gives for a stretch of time: single meetings already cut to the first few (with their
    count), and every series that may occur then, whose occurrences the domain works out."""

    singles: Top[MeetingLine]
    series: tuple[Meeting, ...]


def may_occur(meeting: Meeting, since: datetime, until: datetime) -> bool:
    """Whether a series can have an occurrence overlapping [since, until): its next start after `since` less its
    length, or a moved occurrence, falls there. One step of the rule instead of the hundreds `Meeting.occurrences`
    walks through, for the many series that have nothing on a given day."""
    recurrence = meeting.recurrence
    if recurrence is None:
        return True
    following = recurrence.next_after(max(since - meeting.duration, meeting.starts - timedelta(microseconds=1)))
    if following is not None and following < until:
        return True
    return any(
        o.starts is not None and o.ends is not None and o.starts < until and since < o.ends for o in meeting.overrides
    )


def meetings_between(rows: MeetingRows, since: datetime, until: datetime, limit: int) -> Top[MeetingLine]:
    """Singles and each occurrence of a series in [since, until), moved occurrences where they now are, in order."""
    occurring = [
        MeetingLine(meeting.id, meeting.title, begin, end, meeting.place, meeting.organizer, True)
        for meeting in rows.series
        if may_occur(meeting, since, until)
        for begin, end in meeting.occurrences(since, until)
    ]
    merged = sorted([*rows.singles.items, *occurring], key=lambda line: (line.starts, line.meeting_id))
    return Top(tuple(merged[:limit]), rows.singles.total + len(occurring))


def summary_of(description: str, *, forgotten: bool) -> str:
    if forgotten:
        return ""
    text = " ".join(description.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "\u2026"


def top_tag(tag_lists: Sequence[Sequence[str]]) -> tuple[str | None, int]:
    """The tag most pieces of feedback carry (the first alphabetically of a tie), and how many carry it."""
    counts: dict[str, int] = {}
    for tags in tag_lists:
        for tag in set(tags):
            counts[tag] = counts.get(tag, 0) + 1
    if not counts:
        return None, 0
    tag, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return tag, count


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class DigestService:
    """Reads a digest's facts in one unit of work; changes nothing."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, low_stock: LowStockReader | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._low_stock = low_stock  # the stock capability's low items, when it is there

    async def daily(self, team: TeamId, day: date, zone: ZoneInfo, sections: frozenset[Section]) -> DailyDigest:
        """`day`'s digest on the clock of `zone`; a section not asked for is left empty."""
        starts, ends = day_span(day, zone)
        yesterday = local_midnight(day - timedelta(days=1), zone)
        now = self._clock.now()
        digest = DailyDigest(team, day, zone, frozenset(sections))
        rows: MeetingRows | None = None
        async with self._uow() as uow:
            found = uow.digests
            if Section.PEOPLE in sections:
                people = PeopleToday(
                    await found.shifts(team, starts, ends, TOP),
                    await found.away(team, day, TOP),
                    await found.holiday(team, day),
                )
                digest = replace(digest, people=people)
            if Section.MEETINGS in sections:
                rows = await found.meetings(team, starts, ends, TOP)
                digest = replace(
                    digest, meetings=MeetingsToday(appointments=await found.appointments(team, starts, ends, TOP))
                )
            if Section.TASKS in sections:
                digest = replace(digest, tasks=await found.tasks_due(team, starts, ends, TOP_PEOPLE, TASKS_EACH))
            if Section.CHECKLISTS in sections:
                checklists = ChecklistsYesterday(
                    await found.unfinished_runs(team, yesterday, starts, TOP, OPEN_ITEMS_SHOWN),
                    await found.out_of_range(team, yesterday, starts, TOP),
                )
                digest = replace(digest, checklists=checklists)
            if Section.CASES in sections:
                digest = replace(digest, cases=await found.open_cases(team, now, TOP))
            if Section.FEEDBACK in sections:
                digest = replace(digest, feedback=await found.feedback(team, yesterday, starts))
        if Section.STOCK in sections and self._low_stock is not None:
            digest = replace(digest, stock=LowStockToday(await self._low_stock(team, TOP)))
        if rows is not None:  # the series' occurrences are worked out with the transaction over
            digest = replace(
                digest, meetings=replace(digest.meetings, meetings=meetings_between(rows, starts, ends, TOP))
            )
        return digest

    async def weekly(
        self, team: TeamId, week_start: date, zone: ZoneInfo, sections: frozenset[Section]
    ) -> WeeklyDigest:
        """The week (Monday to Sunday) that `week_start` is in, against the week before, day by day."""
        first = monday_of(week_start)
        # 15 local midnights: last week's Monday to the night after this week's Sunday, 14 days between them.
        edges = [local_midnight(first + timedelta(days=offset), zone) for offset in range(-7, 8)]
        now = self._clock.now()
        days = [Numbers()] * 14
        async with self._uow() as uow:
            found = uow.digests
            if Section.TASKS in sections:
                done, created = await found.task_numbers(team, edges)
                days = [replace(n, tasks_done=a, tasks_created=b) for n, a, b in zip(days, done, created, strict=True)]
            if Section.CASES in sections:
                opened, closed, breached = await found.case_numbers(team, edges, now)
                days = [
                    replace(n, cases_opened=a, cases_closed=b, cases_breached=c)
                    for n, a, b, c in zip(days, opened, closed, breached, strict=True)
                ]
            if Section.FEEDBACK in sections:
                counts, totals = await found.rating_numbers(team, edges)
                days = [replace(n, ratings=a, rating_total=b) for n, a, b in zip(days, counts, totals, strict=True)]
        return WeeklyDigest(
            team=team,
            first=first,
            last=first + timedelta(days=6),
            zone=zone,
            sections=frozenset(sections),
            this_week=sum(days[7:], Numbers()),
            last_week=sum(days[:7], Numbers()),
            days=tuple(DayNumbers(first + timedelta(days=offset), days[7 + offset]) for offset in range(7)),
        )

    async def personal(self, team: TeamId, user: UserId, day: date, zone: ZoneInfo) -> PersonalDigest:
        """`user`'s day: their shifts, meetings and appointments, open tasks due by tonight, and active cases."""
        starts, ends = day_span(day, zone)
        now = self._clock.now()
        async with self._uow() as uow:
            found = uow.digests
            shifts = await found.shifts(team, starts, ends, TOP, user=user)
            rows = await found.meetings(team, starts, ends, TOP, user=user)
            appointments = await found.appointments(team, starts, ends, TOP, user=user)
            tasks = await found.tasks_of(team, user, starts, ends, TOP)
            cases = await found.open_cases(team, now, TOP, assignee=user)
        meetings = meetings_between(rows, starts, ends, TOP)
        return PersonalDigest(team, user, day, zone, shifts, meetings, appointments, tasks, cases)
