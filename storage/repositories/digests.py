"""The read-only queries digests are made of. Every query is filtered by team and bounded by an index range; a long
list comes back cut to its first few rows with its count (`COUNT(*) OVER ()`, evaluated before `LIMIT`), and the
weekly numbers are counted in SQL, one row per day.

The interval queries ("overlapping today") are kept to index ranges that do not grow with history: a shift lasts
at most a day (its end is on its own day or the next), an appointment at most `MAX_SLOT`, so their starts are
bounded on both sides; a single meeting has no such bound, so it is found by its end (only meetings not over yet
are read); a series by the partial index that holds series only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.appointments import MAX_SLOT, AppointmentStatus
from bot.domain.cases import CaseKind, CaseStatus, Severity
from bot.domain.digests import (
    AppointmentLine,
    AwayLine,
    CaseLine,
    FeedbackYesterday,
    MeetingLine,
    MeetingRows,
    OpenCases,
    OutOfRange,
    ShiftLine,
    TaskGroup,
    TaskLine,
    TasksDue,
    Top,
    UnfinishedRun,
    average,
    summary_of,
    top_tag,
)
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.meetings import Meeting, MeetingStatus, Override, Rsvp
from bot.domain.shifts import ShiftStatus
from bot.domain.tasks import TaskStatus
from storage.models_appointments import AppointmentRow
from storage.models_cases import CaseRow
from storage.models_checklists import ChecklistEntryRow, ChecklistItemRow, ChecklistRow, ChecklistRunRow
from storage.models_feedback import FeedbackRow
from storage.models_meetings import MeetingAttendeeRow, MeetingOverrideRow, MeetingRow
from storage.models_people import HolidayRow, TimeOffRow
from storage.models_shifts import ShiftRow
from storage.models_tasks import TaskRow

# A shift ends on its own local day or the next: never more than a day and a DST hour after it starts.
LONGEST_SHIFT = timedelta(hours=25)
ACTIVE_CASES = tuple(status.value for status in CaseStatus if status.is_active)
# Appointments a digest shows: confirmed, and asked for but not answered yet.
SHOWN_APPOINTMENTS = (AppointmentStatus.CONFIRMED.value, AppointmentStatus.PENDING.value)


def _total() -> Any:
    """How many rows the query matched, on every row, before LIMIT cuts them."""
    return func.count().over().label("total")


def _bucket(column: Any, edges: Sequence[datetime]) -> ColumnElement[int]:
    """Which day between consecutive `edges` a value falls in: 0, 1, 2…"""
    return case(*((column < edge, index) for index, edge in enumerate(edges[1:-1])), else_=len(edges) - 2)


class SqlDigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- people ----------------------------------------------------------------------------------------------

    async def shifts(
        self, team: TeamId, since: datetime, until: datetime, limit: int, *, user: UserId | None = None
    ) -> Top[ShiftLine]:
        """Live shifts (worked or open) overlapping [since, until), earliest first."""
        query = select(ShiftRow.user_id, ShiftRow.role, ShiftRow.starts_utc, ShiftRow.ends_utc, _total()).where(
            ShiftRow.team_id == team,
            ShiftRow.status != ShiftStatus.CANCELLED.value,
            ShiftRow.starts_utc > since - LONGEST_SHIFT,
            ShiftRow.starts_utc < until,
            ShiftRow.ends_utc > since,
        )
        if user is not None:
            query = query.where(ShiftRow.user_id == user)
        rows = (await self._session.execute(query.order_by(ShiftRow.starts_utc, ShiftRow.id).limit(limit))).all()
        lines = tuple(
            ShiftLine(UserId(row.user_id) if row.user_id else None, row.role, row.starts_utc, row.ends_utc)
            for row in rows
        )
        return Top(lines, rows[0].total if rows else 0)

    async def away(self, team: TeamId, day: date, limit: int, *, user: UserId | None = None) -> Top[AwayLine]:
        """Time off (not cancelled) that includes `day`, by who is back first."""
        query = select(
            TimeOffRow.user_id,
            TimeOffRow.first_day,
            TimeOffRow.last_day,
            TimeOffRow.reason,
            TimeOffRow.cover_user,
            _total(),
        ).where(
            TimeOffRow.team_id == team,
            TimeOffRow.last_day >= day,
            TimeOffRow.first_day <= day,
            TimeOffRow.cancelled_at.is_(None),
        )
        if user is not None:
            query = query.where(TimeOffRow.user_id == user)
        rows = (
            await self._session.execute(
                query.order_by(TimeOffRow.last_day, TimeOffRow.user_id, TimeOffRow.id).limit(limit)
            )
        ).all()
        lines = tuple(
            AwayLine(
                UserId(row.user_id),
                row.first_day,
                row.last_day,
                row.reason,
                UserId(row.cover_user) if row.cover_user else None,
            )
            for row in rows
        )
        return Top(lines, rows[0].total if rows else 0)

    async def holiday(self, team: TeamId, day: date) -> str | None:
        name = await self._session.scalar(
            select(HolidayRow.name).where(HolidayRow.team_id == team, HolidayRow.day == day)
        )
        return str(name) if name is not None else None

    # ---- meetings and appointments ---------------------------------------------------------------------------

    async def meetings(
        self, team: TeamId, since: datetime, until: datetime, limit: int, *, user: UserId | None = None
    ) -> MeetingRows:
        """Scheduled single meetings overlapping the range (the first few, and their count), and every scheduled
        series that may have an occurrence in it, with its moved and cancelled occurrences."""
        singles = select(
            MeetingRow.id,
            MeetingRow.title,
            MeetingRow.starts_utc,
            MeetingRow.ends_utc,
            MeetingRow.place,
            MeetingRow.organizer,
            _total(),
        ).where(
            MeetingRow.team_id == team,
            MeetingRow.status == MeetingStatus.SCHEDULED.value,
            MeetingRow.ends_utc > since,
            MeetingRow.starts_utc < until,
            MeetingRow.rrule.is_(None),
        )
        series = select(MeetingRow).where(
            MeetingRow.team_id == team,
            MeetingRow.rrule.is_not(None),
            or_(MeetingRow.series_ends_utc.is_(None), MeetingRow.series_ends_utc > since),
            MeetingRow.status == MeetingStatus.SCHEDULED.value,
            MeetingRow.starts_utc < until,
        )
        if user is not None:
            singles = self._involving(singles, team, user)
            series = self._involving(series, team, user)
        rows = (await self._session.execute(singles.order_by(MeetingRow.starts_utc, MeetingRow.id).limit(limit))).all()
        lines = tuple(
            MeetingLine(row.id, row.title, row.starts_utc, row.ends_utc, row.place, UserId(row.organizer), False)
            for row in rows
        )
        found = list(await self._session.scalars(series.order_by(MeetingRow.id)))
        overrides: dict[int, list[Override]] = defaultdict(list)
        if found:
            for o in await self._session.scalars(
                select(MeetingOverrideRow)
                .where(MeetingOverrideRow.team_id == team, MeetingOverrideRow.meeting_id.in_([m.id for m in found]))
                .order_by(MeetingOverrideRow.original_utc)
            ):
                overrides[o.meeting_id].append(Override(o.original_utc, o.starts_utc, o.ends_utc, o.cancelled))
        return MeetingRows(
            Top(lines, rows[0].total if rows else 0),
            tuple(_series(row, tuple(overrides[row.id])) for row in found),
        )

    @staticmethod
    def _involving(query: Select[Any], team: TeamId, user: UserId) -> Select[Any]:
        attending = select(MeetingAttendeeRow.meeting_id).where(
            MeetingAttendeeRow.team_id == team,
            MeetingAttendeeRow.user_id == user,
            MeetingAttendeeRow.rsvp != Rsvp.DECLINED.value,
        )
        return query.where(or_(MeetingRow.organizer == user, MeetingRow.id.in_(attending)))

    async def appointments(
        self, team: TeamId, since: datetime, until: datetime, limit: int, *, user: UserId | None = None
    ) -> Top[AppointmentLine]:
        """Confirmed and pending appointments overlapping the range, earliest first."""
        query = select(
            AppointmentRow.id,
            AppointmentRow.manager_id,
            AppointmentRow.booker_id,
            AppointmentRow.visitor_name,
            AppointmentRow.topic,
            AppointmentRow.starts_utc,
            AppointmentRow.ends_utc,
            AppointmentRow.status,
            _total(),
        ).where(
            AppointmentRow.team_id == team,
            AppointmentRow.starts_utc >= since - MAX_SLOT,
            AppointmentRow.starts_utc < until,
            AppointmentRow.ends_utc > since,
            AppointmentRow.status.in_(SHOWN_APPOINTMENTS),
        )
        if user is not None:
            query = query.where(or_(AppointmentRow.manager_id == user, AppointmentRow.booker_id == user))
        rows = (
            await self._session.execute(query.order_by(AppointmentRow.starts_utc, AppointmentRow.id).limit(limit))
        ).all()
        lines = tuple(
            AppointmentLine(
                appointment_id=row.id,
                manager=UserId(row.manager_id),
                booker=UserId(row.booker_id) if row.booker_id else None,
                visitor=row.visitor_name,
                topic=row.topic,
                starts=row.starts_utc,
                ends=row.ends_utc,
                confirmed=row.status == AppointmentStatus.CONFIRMED.value,
            )
            for row in rows
        )
        return Top(lines, rows[0].total if rows else 0)

    # ---- tasks -----------------------------------------------------------------------------------------------

    async def tasks_due(self, team: TeamId, since: datetime, until: datetime, people: int, each: int) -> TasksDue:
        """Open tasks due before `until`, by assignee (whoever's task is most overdue first): the counts for
        everyone, and the first `each` tasks of the first `people`."""
        due = [TaskRow.team_id == team, TaskRow.status == TaskStatus.OPEN.value, TaskRow.due_utc < until]
        counts = (
            await self._session.execute(
                select(
                    TaskRow.assignee,
                    func.count().label("n"),
                    func.sum(case((TaskRow.due_utc < since, 1), else_=0)).label("overdue"),
                    func.min(TaskRow.due_utc).label("first"),
                )
                .where(*due)
                .group_by(TaskRow.assignee)
            )
        ).all()
        if not counts:
            return TasksDue()
        ordered = sorted(counts, key=lambda row: (row.first, row.assignee))
        shown = [row.assignee for row in ordered[:people]]
        ranked = (
            select(
                TaskRow.assignee,
                TaskRow.number,
                TaskRow.title,
                TaskRow.due_utc,
                func.row_number()
                .over(partition_by=TaskRow.assignee, order_by=(TaskRow.due_utc, TaskRow.number))
                .label("place"),
            )
            .where(*due, TaskRow.assignee.in_(shown))
            .subquery()
        )
        tasks: dict[str, list[TaskLine]] = defaultdict(list)
        for row in await self._session.execute(
            select(ranked).where(ranked.c.place <= each).order_by(ranked.c.assignee, ranked.c.place)
        ):
            tasks[row.assignee].append(TaskLine(row.number, row.title, row.due_utc, row.due_utc < since))
        groups = tuple(
            TaskGroup(UserId(row.assignee), int(row.overdue), int(row.n) - int(row.overdue), tuple(tasks[row.assignee]))
            for row in ordered[:people]
        )
        overdue = sum(int(row.overdue) for row in counts)
        return TasksDue(Top(groups, len(counts)), overdue, sum(int(row.n) for row in counts) - overdue)

    async def tasks_of(self, team: TeamId, user: UserId, since: datetime, until: datetime, limit: int) -> Top[TaskLine]:
        rows = (
            await self._session.execute(
                select(TaskRow.number, TaskRow.title, TaskRow.due_utc, _total())
                .where(
                    TaskRow.team_id == team,
                    TaskRow.status == TaskStatus.OPEN.value,
                    TaskRow.assignee == user,
                    TaskRow.due_utc < until,
                )
                .order_by(TaskRow.due_utc, TaskRow.number)
                .limit(limit)
            )
        ).all()
        lines = tuple(TaskLine(row.number, row.title, row.due_utc, row.due_utc < since) for row in rows)
        return Top(lines, rows[0].total if rows else 0)

    # ---- checklists ------------------------------------------------------------------------------------------

    async def unfinished_runs(
        self, team: TeamId, since: datetime, until: datetime, limit: int, items_shown: int
    ) -> Top[UnfinishedRun]:
        """Runs due in the range with an item nobody ticked (or that was unticked again), earliest first."""
        runs = (
            await self._session.execute(
                select(ChecklistRunRow.id, ChecklistRunRow.due_utc, ChecklistRunRow.item_ids, ChecklistRow.name)
                .join(ChecklistRow, ChecklistRow.id == ChecklistRunRow.checklist_id)
                .where(
                    ChecklistRunRow.team_id == team,
                    ChecklistRunRow.due_utc >= since,
                    ChecklistRunRow.due_utc < until,
                    ChecklistRow.team_id == team,
                )
                .order_by(ChecklistRunRow.due_utc, ChecklistRunRow.id)
            )
        ).all()
        if not runs:
            return Top()
        # The latest entry for each item of each run says whether it is done (an untick is not).
        done: dict[tuple[int, int], bool] = {}
        for entry in await self._session.execute(
            select(ChecklistEntryRow.run_id, ChecklistEntryRow.item_id, ChecklistEntryRow.checked)
            .where(ChecklistEntryRow.team_id == team, ChecklistEntryRow.run_id.in_([run.id for run in runs]))
            .order_by(ChecklistEntryRow.id)
        ):
            done[(entry.run_id, entry.item_id)] = entry.checked is not False
        unfinished = [
            (run, open_ids)
            for run in runs
            if (open_ids := [int(item) for item in run.item_ids if not done.get((run.id, int(item)), False)])
        ]
        shown = unfinished[:limit]
        wanted = {item for _, open_ids in shown for item in open_ids[:items_shown]}
        labels: dict[int, str] = {}
        if wanted:
            for item in await self._session.execute(
                select(ChecklistItemRow.id, ChecklistItemRow.label).where(
                    ChecklistItemRow.team_id == team, ChecklistItemRow.id.in_(wanted)
                )
            ):
                labels[item.id] = item.label
        lines = tuple(
            UnfinishedRun(
                run.id,
                run.name,
                run.due_utc,
                Top(tuple(labels.get(item, "?") for item in open_ids[:items_shown]), len(open_ids)),
                len(run.item_ids),
            )
            for run, open_ids in shown
        )
        return Top(lines, len(unfinished))

    async def out_of_range(self, team: TeamId, since: datetime, until: datetime, limit: int) -> Top[OutOfRange]:
        """Readings entered in the range that were outside their item's range, in the order they were entered."""
        rows = (
            await self._session.execute(
                select(
                    ChecklistEntryRow.number,
                    ChecklistEntryRow.done_by,
                    ChecklistEntryRow.done_at,
                    ChecklistItemRow.label,
                    ChecklistItemRow.unit,
                    ChecklistItemRow.minimum,
                    ChecklistItemRow.maximum,
                    ChecklistRow.name,
                    _total(),
                )
                .join(ChecklistItemRow, ChecklistItemRow.id == ChecklistEntryRow.item_id)
                .join(ChecklistRow, ChecklistRow.id == ChecklistItemRow.checklist_id)
                .where(
                    ChecklistEntryRow.team_id == team,
                    ChecklistEntryRow.done_at >= since,
                    ChecklistEntryRow.done_at < until,
                    ChecklistEntryRow.in_range == false(),
                    ChecklistItemRow.team_id == team,
                    ChecklistRow.team_id == team,
                )
                .order_by(ChecklistEntryRow.done_at, ChecklistEntryRow.id)
                .limit(limit)
            )
        ).all()
        lines = tuple(
            OutOfRange(
                checklist=row.name,
                item=row.label,
                value=row.number,
                unit=row.unit,
                minimum=row.minimum,
                maximum=row.maximum,
                by=UserId(row.done_by),
                at=row.done_at,
            )
            for row in rows
        )
        return Top(lines, rows[0].total if rows else 0)

    # ---- cases and feedback ----------------------------------------------------------------------------------

    async def open_cases(self, team: TeamId, now: datetime, limit: int, *, assignee: UserId | None = None) -> OpenCases:
        """Active cases, those past a target first (longest past first), then by their next target."""
        breached = or_(and_(CaseRow.first_response_at.is_(None), CaseRow.respond_by < now), CaseRow.resolve_by < now)
        target = case((CaseRow.first_response_at.is_(None), CaseRow.respond_by), else_=CaseRow.resolve_by)
        query = select(
            CaseRow.number,
            CaseRow.kind,
            CaseRow.severity,
            CaseRow.status,
            CaseRow.description,
            CaseRow.forgotten,
            CaseRow.assignee,
            CaseRow.respond_by,
            CaseRow.resolve_by,
            CaseRow.first_response_at,
            _total(),
            func.sum(case((breached, 1), else_=0)).over().label("breached"),
        ).where(CaseRow.team_id == team, CaseRow.status.in_(ACTIVE_CASES))
        if assignee is not None:
            query = query.where(CaseRow.assignee == assignee)
        rows = (
            await self._session.execute(
                query.order_by(case((breached, 0), else_=1), target, CaseRow.number).limit(limit)
            )
        ).all()
        lines = tuple(
            CaseLine(
                number=row.number,
                kind=CaseKind(row.kind),
                severity=Severity(row.severity),
                status=CaseStatus(row.status),
                summary=summary_of(row.description, forgotten=row.forgotten),
                assignee=UserId(row.assignee) if row.assignee else None,
                target=row.resolve_by if row.first_response_at is not None else row.respond_by,
                responded=row.first_response_at is not None,
                breached=(row.first_response_at is None and row.respond_by < now) or row.resolve_by < now,
            )
            for row in rows
        )
        if not rows:
            return OpenCases()
        return OpenCases(Top(lines, rows[0].total), int(rows[0].breached))

    async def feedback(self, team: TeamId, since: datetime, until: datetime) -> FeedbackYesterday:
        """One day's feedback in one line: how many, the average rating, the tag most of them carry."""
        rows = (
            await self._session.execute(
                select(FeedbackRow.rating, FeedbackRow.tags).where(
                    FeedbackRow.team_id == team, FeedbackRow.created_at >= since, FeedbackRow.created_at < until
                )
            )
        ).all()
        if not rows:
            return FeedbackYesterday()
        tag, count = top_tag([[tag for tag in row.tags.split(",") if tag] for row in rows])
        return FeedbackYesterday(len(rows), average(sum(row.rating for row in rows), len(rows)), tag, count)

    # ---- the weekly numbers ----------------------------------------------------------------------------------

    async def _per_day(
        self, column: Any, edges: Sequence[datetime], *conditions: ColumnElement[bool], sums: Sequence[Any] = ()
    ) -> list[list[int]]:
        """Rows with `column` in [edges[0], edges[-1]) counted per day (and `sums` added up per day): one list per
        figure, one number per day."""
        days = len(edges) - 1
        inner = (
            select(_bucket(column, edges).label("day"), *(value.label(f"s{i}") for i, value in enumerate(sums)))
            .where(*conditions, column >= edges[0], column < edges[-1])
            .subquery()
        )
        # Grouped in an outer query: PostgreSQL would not see two bound copies of the CASE as the same expression.
        query = select(
            inner.c.day, func.count(), *(func.coalesce(func.sum(inner.c[f"s{i}"]), 0) for i in range(len(sums)))
        ).group_by(inner.c.day)
        figures = [[0] * days for _ in range(1 + len(sums))]
        for row in await self._session.execute(query):
            for figure, value in enumerate(row[1:]):
                figures[figure][int(row[0])] = int(value)
        return figures

    async def task_numbers(self, team: TeamId, edges: Sequence[datetime]) -> tuple[list[int], list[int]]:
        (done,) = await self._per_day(TaskRow.done_at, edges, TaskRow.team_id == team)
        (created,) = await self._per_day(TaskRow.created_at, edges, TaskRow.team_id == team)
        return done, created

    async def case_numbers(
        self, team: TeamId, edges: Sequence[datetime], now: datetime
    ) -> tuple[list[int], list[int], list[int]]:
        # As insights judge a case (bot.domain.feedback.CaseFacts): resolving or closing answers it too.
        answered = func.coalesce(CaseRow.first_response_at, CaseRow.resolved_at, CaseRow.closed_at)
        settled = func.coalesce(CaseRow.resolved_at, CaseRow.closed_at)
        active = CaseRow.status.in_(ACTIVE_CASES)
        missed = or_(
            answered > CaseRow.respond_by,
            and_(answered.is_(None), active, CaseRow.respond_by < now),
            settled > CaseRow.resolve_by,
            and_(settled.is_(None), active, CaseRow.resolve_by < now),
        )
        opened, breached = await self._per_day(
            CaseRow.created_at, edges, CaseRow.team_id == team, sums=[case((missed, 1), else_=0)]
        )
        # Closed on the day it was resolved (or closed without being resolved): two index ranges, one per column.
        window = and_(CaseRow.resolved_at >= edges[0], CaseRow.resolved_at < edges[-1])
        closed_only = and_(CaseRow.resolved_at.is_(None), CaseRow.closed_at >= edges[0], CaseRow.closed_at < edges[-1])
        (closed,) = await self._per_day(settled, edges, CaseRow.team_id == team, or_(window, closed_only))
        return opened, closed, breached

    async def rating_numbers(self, team: TeamId, edges: Sequence[datetime]) -> tuple[list[int], list[int]]:
        counts, totals = await self._per_day(
            FeedbackRow.created_at, edges, FeedbackRow.team_id == team, sums=[FeedbackRow.rating]
        )
        return counts, totals


def _series(row: MeetingRow, overrides: tuple[Override, ...]) -> Meeting:
    """A series as the domain works out its occurrences; its attendees are not read (a digest does not list them)."""
    return Meeting(
        id=row.id,
        team=TeamId(row.team_id),
        title=row.title,
        organizer=UserId(row.organizer),
        starts=row.starts_utc,
        ends=row.ends_utc,
        zone=row.zone,
        place=row.place,
        room_id=row.room_id,
        room_name=None,
        agenda=(),
        channel=ChannelId(row.channel) if row.channel else None,
        lead=timedelta(minutes=row.lead_minutes),
        rrule=row.rrule,
        local_start=datetime.fromisoformat(row.local_start) if row.local_start else None,
        sequence=row.sequence,
        status=MeetingStatus(row.status),
        attendees=(),
        overrides=overrides,
    )
