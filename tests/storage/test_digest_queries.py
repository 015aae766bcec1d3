"""The digests' facts as the store gives them, on SQLite and PostgreSQL: the right rows for the local day (and no
others: other days, cancelled or finished things, another workspace), long lists cut with their count, the weekly
numbers counted per day, and on SQLite every query an index range rather than a scan of a table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cases import CaseKind, CaseStatus, Severity
from bot.domain.clock import ManualClock
from bot.domain.digests import (
    ALL_SECTIONS,
    TOP,
    AwayLine,
    DigestService,
    FeedbackYesterday,
    MeetingLine,
    Section,
    ShiftLine,
    TaskLine,
)
from bot.domain.ids import TeamId, UserId
from bot.domain.shifts import shift_span
from storage.base import Base
from storage.db import session_factory
from storage.models_appointments import AppointmentRow
from storage.models_cases import CaseRow
from storage.models_checklists import ChecklistEntryRow, ChecklistItemRow, ChecklistRow, ChecklistRunRow
from storage.models_feedback import FeedbackRow
from storage.models_meetings import MeetingAttendeeRow, MeetingOverrideRow, MeetingRow
from storage.models_people import HolidayRow, TimeOffRow
from storage.models_shifts import ShiftRow
from storage.models_tasks import TaskRow
from storage.unit_of_work import SqlUnitOfWork

ROME = ZoneInfo("Europe/Rome")
TEAM, OTHER = TeamId("T1"), TeamId("T2")
MARIA, LUCA, SAM, GIULIA = UserId("U0MARIA"), UserId("U0LUCA"), UserId("U0SAM"), UserId("U0GIULIA")
DAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Rome


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME).astimezone(UTC)


def yesterday(hour: int, minute: int = 0) -> datetime:
    return local(DAY - timedelta(days=1), hour, minute)


def today(hour: int, minute: int = 0) -> datetime:
    return local(DAY, hour, minute)


def service(engine: AsyncEngine) -> DigestService:
    return DigestService(lambda: SqlUnitOfWork(session_factory(engine)), ManualClock(NOW))


async def seed(engine: AsyncEngine, *rows: Base) -> list[Any]:
    """Rows inserted as given; they come back with their ids."""
    async with session_factory(engine)() as session, session.begin():
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows if hasattr(row, "id")]


def shift(team: TeamId, user: UserId | None, day: date, start: time, end: time, **values: Any) -> ShiftRow:
    starts, ends = shift_span(day, start, end, ROME)
    fields: dict[str, Any] = {
        "team_id": team,
        "user_id": user,
        "role": "kitchen",
        "day": day,
        "start_local": start,
        "end_local": end,
        "zone": "Europe/Rome",
        "starts_utc": starts,
        "ends_utc": ends,
        "status": "scheduled" if user else "open",
        "created_by": GIULIA,
        "created_at": NOW,
    }
    return ShiftRow(**{**fields, **values})


def time_off(team: TeamId, user: UserId, first: date, last: date, **values: Any) -> TimeOffRow:
    fields: dict[str, Any] = {
        "team_id": team,
        "user_id": user,
        "first_day": first,
        "last_day": last,
        "zone": "Europe/Rome",
        "starts_utc": local(first, 0),
        "ends_utc": local(last + timedelta(days=1), 0),
        "reason": "holiday",
        "created_by": user,
        "created_at": NOW,
    }
    return TimeOffRow(**{**fields, **values})


def meeting(team: TeamId, title: str, starts: datetime, minutes: int = 30, **values: Any) -> MeetingRow:
    fields: dict[str, Any] = {
        "team_id": team,
        "title": title,
        "organizer": GIULIA,
        "starts_utc": starts,
        "ends_utc": starts + timedelta(minutes=minutes),
        "zone": "Europe/Rome",
        "place": "Room 2",
        "agenda": "",
        "lead_minutes": 15,
        "sequence": 0,
        "status": "scheduled",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return MeetingRow(**{**fields, **values})


def appointment(team: TeamId, starts: datetime, status: str, **values: Any) -> AppointmentRow:
    fields: dict[str, Any] = {
        "team_id": team,
        "manager_id": GIULIA,
        "booker_id": MARIA,
        "created_by": MARIA,
        "starts_utc": starts,
        "ends_utc": starts + timedelta(minutes=30),
        "zone": "Europe/Rome",
        "status": status,
        "topic": "supplier contract",
        "visitor_name": "",
        "visitor_phone": "",
        "sequence": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return AppointmentRow(**{**fields, **values})


def task(team: TeamId, number: int, assignee: UserId, due: datetime | None, **values: Any) -> TaskRow:
    fields: dict[str, Any] = {
        "team_id": team,
        "number": number,
        "title": f"Task {number}",
        "notes": "",
        "assignee": assignee,
        "created_by": GIULIA,
        "status": "open",
        "priority": "normal",
        "tags": "",
        "due_utc": due,
        "zone": "Europe/Rome",
        "created_at": NOW - timedelta(days=30),
        "spawned_next": False,
    }
    return TaskRow(**{**fields, **values})


def customer_case(team: TeamId, number: int, created: datetime, **values: Any) -> CaseRow:
    fields: dict[str, Any] = {
        "team_id": team,
        "number": number,
        "kind": "complaint",
        "status": "open",
        "severity": "normal",
        "category": "",
        "arrived_by": "in_person",
        "customer_name": "Anna Neri",
        "customer_phone": "",
        "customer_email": "",
        "description": f"Case number {number}",
        "created_by": GIULIA,
        "created_at": created,
        "updated_at": created,
        "respond_by": created + timedelta(hours=4),
        "resolve_by": created + timedelta(days=3),
    }
    return CaseRow(**{**fields, **values})


def feedback(team: TeamId, rating: int, at: datetime, tags: str = "") -> FeedbackRow:
    return FeedbackRow(team_id=team, rating=rating, text="", tags=tags, source="", recorded_by=SAM, created_at=at)


# ---- people -----------------------------------------------------------------------------------------------------


async def test_people_on_shift_and_away_today(engine: AsyncEngine) -> None:
    await seed(
        engine,
        shift(TEAM, MARIA, DAY, time(7), time(15)),
        shift(TEAM, None, DAY, time(18), time(23)),  # open, nobody yet
        # Last night's shift still running this morning counts; one that ended at midnight does not.
        shift(TEAM, LUCA, DAY - timedelta(days=1), time(22), time(6)),
        shift(TEAM, SAM, DAY - timedelta(days=1), time(16), time(0)),
        shift(TEAM, SAM, DAY, time(9), time(17), status="cancelled"),
        shift(TEAM, SAM, DAY + timedelta(days=1), time(7), time(15)),
        shift(OTHER, SAM, DAY, time(7), time(15)),
        time_off(TEAM, SAM, DAY - timedelta(days=2), DAY + timedelta(days=1), cover_user=MARIA),
        time_off(TEAM, LUCA, DAY, DAY),
        time_off(TEAM, GIULIA, DAY, DAY, cancelled_at=NOW, cancelled_by=GIULIA),
        time_off(TEAM, GIULIA, DAY + timedelta(days=1), DAY + timedelta(days=3)),
        time_off(OTHER, MARIA, DAY, DAY),
        HolidayRow(team_id=TEAM, day=DAY, name="Sant'Andrea", zone="Europe/Rome", created_by=GIULIA, created_at=NOW),
        HolidayRow(
            team_id=OTHER, day=DAY - timedelta(days=1), name="Other", zone="UTC", created_by=SAM, created_at=NOW
        ),
    )
    digest = await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.PEOPLE}))
    people = digest.people
    assert people.shifts.items == (
        ShiftLine(LUCA, "kitchen", yesterday(22), today(6)),
        ShiftLine(MARIA, "kitchen", today(7), today(15)),
        ShiftLine(None, "kitchen", today(18), today(23)),
    )
    assert people.shifts.total == 3
    assert people.away.items == (
        AwayLine(LUCA, DAY, DAY, "holiday", None),
        AwayLine(SAM, DAY - timedelta(days=2), DAY + timedelta(days=1), "holiday", MARIA),
    )
    assert people.holiday == "Sant'Andrea"
    # Sections not asked for stay empty.
    assert digest.tasks.is_empty
    assert digest.cases.is_empty
    assert not digest.is_quiet


async def test_an_empty_workspace_is_quiet(engine: AsyncEngine) -> None:
    await seed(engine, shift(OTHER, MARIA, DAY, time(7), time(15)), task(OTHER, 1, MARIA, today(10)))
    digest = await service(engine).daily(TEAM, DAY, ROME, ALL_SECTIONS)
    assert digest.is_quiet
    weekly = await service(engine).weekly(TEAM, DAY, ROME, ALL_SECTIONS)
    assert weekly.is_quiet
    personal = await service(engine).personal(TEAM, MARIA, DAY, ROME)
    assert personal.is_quiet


# ---- meetings and appointments ------------------------------------------------------------------------------------


async def test_meetings_today_with_each_occurrence_of_a_series(engine: AsyncEngine) -> None:
    monday_week_ago = DAY - timedelta(days=7)
    daily = meeting(
        TEAM,
        "Stand-up",
        local(monday_week_ago, 9),
        15,
        rrule="FREQ=DAILY",
        local_start=datetime.combine(monday_week_ago, time(9)).isoformat(),
    )
    weekly_moved = meeting(
        TEAM,
        "Weekly sync",
        local(monday_week_ago - timedelta(days=7), 14),
        60,
        rrule="FREQ=WEEKLY",
        local_start=datetime.combine(monday_week_ago - timedelta(days=7), time(14)).isoformat(),
    )
    ended_series = meeting(
        TEAM,
        "Old series",
        local(DAY - timedelta(days=30), 10),
        rrule="FREQ=DAILY;COUNT=3",
        local_start=datetime.combine(DAY - timedelta(days=30), time(10)).isoformat(),
        series_ends_utc=local(DAY - timedelta(days=28), 10, 30),
    )
    ids = await seed(
        engine,
        daily,
        weekly_moved,
        ended_series,
        meeting(TEAM, "Supplier call", today(11)),
        meeting(TEAM, "Overnight stock-take", yesterday(22), 180),
        meeting(TEAM, "Yesterday", yesterday(11)),
        meeting(TEAM, "Tomorrow", local(DAY + timedelta(days=1), 0)),
        meeting(TEAM, "Cancelled", today(12), status="cancelled"),
        meeting(TEAM, "Draft", today(13), status="draft"),
        meeting(OTHER, "Theirs", today(11)),
        appointment(TEAM, today(15), "confirmed"),
        appointment(TEAM, today(16), "pending", booker_id=None, visitor_name="Mario Rossi"),
        appointment(TEAM, today(17), "declined"),
        appointment(TEAM, today(10), "cancelled"),
        appointment(TEAM, local(DAY + timedelta(days=1), 9), "confirmed"),
        appointment(OTHER, today(15), "confirmed"),
    )
    # This Monday's weekly sync moved to 16:00.
    await seed(
        engine,
        MeetingOverrideRow(
            team_id=TEAM,
            meeting_id=ids[1],
            original_utc=today(14),
            starts_utc=today(16),
            ends_utc=today(17),
            cancelled=False,
        ),
    )
    digest = await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.MEETINGS}))
    found = digest.meetings.meetings
    assert [(line.title, line.starts, line.ends, line.recurring) for line in found.items] == [
        ("Overnight stock-take", yesterday(22), today(1), False),
        ("Stand-up", today(9), today(9, 15), True),
        ("Supplier call", today(11), today(11, 30), False),
        ("Weekly sync", today(16), today(17), True),
    ]
    assert found.total == 4
    appointments = digest.meetings.appointments
    assert [(a.starts, a.booker, a.visitor, a.confirmed) for a in appointments.items] == [
        (today(15), MARIA, "", True),
        (today(16), None, "Mario Rossi", False),
    ]


async def test_a_cancelled_occurrence_is_not_today(engine: AsyncEngine) -> None:
    start = DAY - timedelta(days=3)
    (series_id,) = await seed(
        engine,
        meeting(
            TEAM,
            "Stand-up",
            local(start, 9),
            rrule="FREQ=DAILY",
            local_start=datetime.combine(start, time(9)).isoformat(),
        ),
    )
    await seed(
        engine,
        MeetingOverrideRow(
            team_id=TEAM, meeting_id=series_id, original_utc=today(9), starts_utc=None, ends_utc=None, cancelled=True
        ),
    )
    digest = await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.MEETINGS}))
    assert digest.meetings.is_empty


# ---- tasks ------------------------------------------------------------------------------------------------------


async def test_tasks_due_today_and_overdue_grouped_by_person(engine: AsyncEngine) -> None:
    await seed(
        engine,
        task(TEAM, 1, MARIA, today(17)),
        task(TEAM, 2, MARIA, yesterday(9)),
        task(TEAM, 3, MARIA, local(DAY - timedelta(days=5), 9)),
        task(TEAM, 4, MARIA, local(DAY - timedelta(days=4), 9)),
        task(TEAM, 5, LUCA, today(23, 30)),
        task(TEAM, 6, LUCA, local(DAY + timedelta(days=1), 0, 30)),  # tomorrow
        task(TEAM, 7, LUCA, yesterday(8), status="done", done_at=yesterday(9)),
        task(TEAM, 8, LUCA, None),  # no due time
        task(OTHER, 9, LUCA, yesterday(8)),
    )
    digest = await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.TASKS}))
    due = digest.tasks
    assert (due.overdue, due.today, due.groups.total) == (3, 2, 2)
    maria, luca = due.groups.items
    assert (maria.assignee, maria.overdue, maria.today) == (MARIA, 3, 1)
    # The first three, most overdue first.
    assert [line.number for line in maria.tasks] == [3, 4, 2]
    assert maria.tasks[0] == TaskLine(3, "Task 3", local(DAY - timedelta(days=5), 9), True)
    assert luca.tasks == (TaskLine(5, "Task 5", today(23, 30), False),)
    personal = await service(engine).personal(TEAM, MARIA, DAY, ROME)
    assert [line.number for line in personal.tasks.items] == [3, 4, 2, 1]
    assert personal.tasks.total == 4


async def test_a_long_list_is_cut_with_its_count(engine: AsyncEngine) -> None:
    people = [UserId(f"U{n:03d}") for n in range(TOP + 3)]
    await seed(
        engine,
        *(task(TEAM, n + 1, user, today(10, n)) for n, user in enumerate(people)),
        *(shift(TEAM, user, DAY, time(7, n), time(15)) for n, user in enumerate(people)),
    )
    digest = await service(engine).daily(TEAM, DAY, ROME, ALL_SECTIONS)
    assert (len(digest.tasks.groups.items), digest.tasks.groups.total, digest.tasks.groups.more) == (TOP, TOP + 3, 3)
    assert (len(digest.people.shifts.items), digest.people.shifts.total) == (TOP, TOP + 3)
    assert [line.user for line in digest.people.shifts.items] == people[:TOP]


# ---- checklists -------------------------------------------------------------------------------------------------


async def test_checklists_left_unfinished_and_readings_out_of_range_yesterday(engine: AsyncEngine) -> None:
    (opening,) = await seed(
        engine, ChecklistRow(team_id=TEAM, name="Opening", name_key="opening", created_by=GIULIA, created_at=NOW)
    )
    items = await seed(
        engine,
        *(
            ChecklistItemRow(
                team_id=TEAM,
                checklist_id=opening,
                position=n,
                label=label,
                kind=kind,
                minimum=Decimal("0") if kind == "number" else None,
                maximum=Decimal("4.5") if kind == "number" else None,
                unit="°C" if kind == "number" else None,
                created_at=NOW,
            )
            for n, (label, kind) in enumerate([("Fridge", "number"), ("Lights", "check"), ("Till", "check")])
        ),
    )

    def run(key: str, due: datetime) -> ChecklistRunRow:
        return ChecklistRunRow(
            team_id=TEAM,
            checklist_id=opening,
            schedule_id=1,
            occurrence_key=key,
            channel="C1",
            due_utc=due,
            zone="Europe/Rome",
            item_ids=items,
            started_at=due,
        )

    done_run, open_run, today_run = await seed(
        engine, run("a", yesterday(7)), run("b", yesterday(18)), run("c", today(7))
    )

    def entry(run_id: int, item: int, at: datetime, **values: Any) -> ChecklistEntryRow:
        return ChecklistEntryRow(team_id=TEAM, run_id=run_id, item_id=item, done_by=MARIA, done_at=at, **values)

    await seed(
        engine,
        entry(done_run, items[0], yesterday(7, 5), number=Decimal("7.5"), in_range=False, flagged=True),
        entry(done_run, items[0], yesterday(7, 6), number=Decimal("3"), in_range=True),
        entry(done_run, items[1], yesterday(7, 7), checked=True),
        entry(done_run, items[2], yesterday(7, 8), checked=True),
        entry(open_run, items[1], yesterday(18, 1), checked=True),
        entry(open_run, items[1], yesterday(18, 2), checked=False),  # unticked again: open
        entry(open_run, items[2], yesterday(18, 3), checked=True),
        entry(today_run, items[0], today(7, 1), number=Decimal("9"), in_range=False, flagged=True),
    )
    found = (await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.CHECKLISTS}))).checklists
    (unfinished,) = found.unfinished.items
    assert (unfinished.run_id, unfinished.checklist, unfinished.due, unfinished.items) == (
        open_run,
        "Opening",
        yesterday(18),
        3,
    )
    assert unfinished.open_items.items == ("Fridge", "Lights")
    (flag,) = found.out_of_range.items
    assert (flag.checklist, flag.item, flag.value, flag.unit, flag.by, flag.at) == (
        "Opening",
        "Fridge",
        Decimal("7.5"),
        "°C",
        MARIA,
        yesterday(7, 5),
    )
    assert (flag.minimum, flag.maximum) == (Decimal("0"), Decimal("4.5"))


# ---- cases and feedback -----------------------------------------------------------------------------------------


async def test_open_cases_past_a_target_first_then_soonest(engine: AsyncEngine) -> None:
    await seed(
        engine,
        customer_case(TEAM, 1, NOW - timedelta(hours=1)),  # answer by 11:00 UTC
        customer_case(TEAM, 2, NOW - timedelta(hours=5)),  # response target missed an hour ago
        customer_case(TEAM, 3, NOW - timedelta(days=4), first_response_at=NOW - timedelta(days=4), assignee=LUCA),
        customer_case(TEAM, 4, NOW - timedelta(hours=2), first_response_at=NOW, status="in_progress"),
        customer_case(TEAM, 5, NOW - timedelta(days=5), status="resolved", resolved_at=NOW - timedelta(days=1)),
        customer_case(TEAM, 6, NOW - timedelta(hours=9), status="waiting", description="x" * 200, forgotten=True),
        customer_case(OTHER, 7, NOW - timedelta(days=9)),
    )
    cases = (await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.CASES}))).cases
    assert [(c.number, c.breached) for c in cases.cases.items] == [
        (3, True),  # resolution missed a day ago
        (6, True),  # response missed five hours ago
        (2, True),
        (1, False),
        (4, False),
    ]
    assert (cases.cases.total, cases.breached) == (5, 3)
    first, forgotten = cases.cases.items[:2]
    assert (first.kind, first.severity, first.status, first.assignee) == (
        CaseKind.COMPLAINT,
        Severity.NORMAL,
        CaseStatus.OPEN,
        LUCA,
    )
    assert (first.responded, first.target) == (True, NOW - timedelta(days=1))
    assert forgotten.summary == ""
    assert cases.cases.items[3].summary == "Case number 1"
    mine = await service(engine).personal(TEAM, LUCA, DAY, ROME)
    assert [c.number for c in mine.cases.cases.items] == [3]


async def test_yesterdays_feedback_in_one_line(engine: AsyncEngine) -> None:
    await seed(
        engine,
        feedback(TEAM, 5, yesterday(0, 0), ",service,food,"),
        feedback(TEAM, 4, yesterday(12), ",food,"),
        feedback(TEAM, 2, yesterday(23, 59), ",service,"),
        feedback(TEAM, 1, today(0, 0), ",service,"),
        feedback(TEAM, 1, yesterday(0, 0) - timedelta(seconds=1), ",service,"),
        feedback(OTHER, 1, yesterday(12), ",service,"),
    )
    found = (await service(engine).daily(TEAM, DAY, ROME, frozenset({Section.FEEDBACK}))).feedback
    # 11 / 3 = 3.67; food and service are both on two: the first alphabetically.
    assert found == FeedbackYesterday(3, Decimal("3.7"), "food", 2)


# ---- the weekly numbers and the personal digest -----------------------------------------------------------------


async def test_the_weeks_numbers_per_day_against_the_week_before(engine: AsyncEngine) -> None:
    monday = DAY - timedelta(days=7)  # the week of 23-29 November; the week before is 16-22

    def on(offset: int, hour: int = 12) -> datetime:
        return local(monday + timedelta(days=offset), hour)

    await seed(
        engine,
        task(TEAM, 1, MARIA, None, created_at=on(0), status="done", done_at=on(1)),
        task(TEAM, 2, MARIA, None, created_at=on(0, 0), status="done", done_at=on(6, 23)),
        task(TEAM, 3, MARIA, None, created_at=on(-1, 23)),  # Sunday before: last week's
        task(TEAM, 4, MARIA, None, created_at=on(-7, 0), status="done", done_at=on(-3)),
        task(TEAM, 5, MARIA, None, created_at=on(7, 0), status="done", done_at=on(7, 1)),  # this Monday: neither
        task(OTHER, 6, MARIA, None, created_at=on(2), status="done", done_at=on(2)),
        customer_case(TEAM, 1, on(2), first_response_at=on(2, 13), resolve_by=NOW + timedelta(days=1)),  # in time
        customer_case(TEAM, 2, on(2), respond_by=on(2, 13)),  # never answered: breached
        customer_case(TEAM, 3, on(3), status="resolved", first_response_at=on(3, 13), resolved_at=on(4)),
        customer_case(
            TEAM, 4, on(-5), status="closed", closed_at=on(5), first_response_at=on(-5, 13), resolve_by=on(6)
        ),
        customer_case(
            TEAM, 5, on(-6), status="closed", first_response_at=on(-6, 13), resolved_at=on(-4), closed_at=on(1)
        ),
        feedback(TEAM, 5, on(0)),
        feedback(TEAM, 4, on(0)),
        feedback(TEAM, 2, on(6)),
        feedback(TEAM, 3, on(-2)),
    )
    weekly = await service(engine).weekly(TEAM, monday + timedelta(days=3), ROME, ALL_SECTIONS)
    assert (weekly.first, weekly.last) == (monday, monday + timedelta(days=6))
    now, before = weekly.this_week, weekly.last_week
    assert (now.tasks_done, now.tasks_created, before.tasks_done, before.tasks_created) == (2, 2, 1, 2)
    # Case 2's response was due at 13:00 on Wednesday and never came; case 5 was resolved (last week) then closed.
    assert (now.cases_opened, now.cases_closed, now.cases_breached) == (3, 2, 1)
    assert (before.cases_opened, before.cases_closed, before.cases_breached) == (2, 1, 0)
    assert (now.ratings, now.average_rating, before.ratings, before.average_rating) == (3, Decimal("3.7"), 1, 3)
    assert [point.day for point in weekly.days] == [monday + timedelta(days=n) for n in range(7)]
    assert [point.numbers.tasks_done for point in weekly.days] == [0, 1, 0, 0, 0, 0, 1]
    assert [point.numbers.cases_closed for point in weekly.days] == [0, 0, 0, 0, 1, 1, 0]
    assert [point.numbers.ratings for point in weekly.days] == [2, 0, 0, 0, 0, 0, 1]
    only_tasks = await service(engine).weekly(TEAM, monday, ROME, frozenset({Section.TASKS}))
    assert (only_tasks.this_week.tasks_done, only_tasks.this_week.cases_opened, only_tasks.this_week.ratings) == (
        2,
        0,
        0,
    )


async def test_the_personal_digest_is_that_persons_day(engine: AsyncEngine) -> None:
    ids = await seed(
        engine,
        meeting(TEAM, "Mine", today(10), organizer=MARIA),
        meeting(TEAM, "Invited", today(11)),
        meeting(TEAM, "Declined", today(12)),
        meeting(TEAM, "Not me", today(13)),
        shift(TEAM, MARIA, DAY, time(7), time(15)),
        shift(TEAM, LUCA, DAY, time(7), time(15)),
        appointment(TEAM, today(15), "confirmed"),
        appointment(TEAM, today(16), "confirmed", booker_id=LUCA),
    )
    await seed(
        engine,
        MeetingAttendeeRow(team_id=TEAM, meeting_id=ids[1], user_id=MARIA, rsvp="going", suggestion=""),
        MeetingAttendeeRow(team_id=TEAM, meeting_id=ids[2], user_id=MARIA, rsvp="declined", suggestion=""),
        MeetingAttendeeRow(team_id=TEAM, meeting_id=ids[3], user_id=LUCA, rsvp="going", suggestion=""),
    )
    mine = await service(engine).personal(TEAM, MARIA, DAY, ROME)
    assert mine.meetings.items == (
        MeetingLine(ids[0], "Mine", today(10), today(10, 30), "Room 2", MARIA, False),
        MeetingLine(ids[1], "Invited", today(11), today(11, 30), "Room 2", GIULIA, False),
    )
    assert [line.user for line in mine.shifts.items] == [MARIA]
    assert [line.starts for line in mine.appointments.items] == [today(15)]
    assert not mine.is_quiet


# ---- every query an index range ---------------------------------------------------------------------------------

_TABLES = (
    "tasks",
    "cases",
    "meetings",
    "meeting_overrides",
    "meeting_attendees",
    "shifts",
    "time_off",
    "holidays",
    "appointments",
    "checklists",
    "checklist_runs",
    "checklist_entries",
    "checklist_items",
    "feedback",
)
_SCAN = re.compile(r"^SCAN (\w+)")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_every_digest_query_is_an_index_range_on_sqlite(engine: AsyncEngine) -> None:
    if engine.dialect.name != "sqlite":
        return  # the plans are SQLite's; PostgreSQL's depend on its statistics
    await seed(engine, task(TEAM, 1, MARIA, today(9)), customer_case(TEAM, 1, NOW))
    digests = service(engine)
    with statements(engine) as seen:
        await digests.daily(TEAM, DAY, ROME, ALL_SECTIONS)
        await digests.weekly(TEAM, DAY, ROME, ALL_SECTIONS)
        await digests.personal(TEAM, MARIA, DAY, ROME)
    assert len(seen) >= 15
    scans: list[str] = []
    async with engine.connect() as connection:
        for statement, parameters in seen:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            for row in plan:
                found = _SCAN.match(str(row[-1]))
                if found and found.group(1) in _TABLES:
                    scans.append(f"{row[-1]} in {statement.split()[0:12]}")
        assert scans == []
        # And the plans do use the digest's own indexes where nothing else would serve.
        used = set()
        for statement, parameters in seen:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            used |= {name for row in plan for name in re.findall(r"INDEX (\w+)", str(row[-1]))}
    assert {
        "ix_tasks_team_created",
        "ix_tasks_team_done",
        "ix_meetings_team_status_ends",
        "ix_meetings_team_series_starts",
        "ix_checklist_runs_team_due",
        "ix_checklist_entries_team_done",
        "ix_appointments_team_starts",
    } <= used
