"""The daily digest of a big workspace, against the same digest made by loading every row into Python, in one run.

    python bench/digest.py [--tasks 100000] [--cases 20000] [--meetings 5000] [--people 500] [--repeat 30]
                           [--baseline-repeat 3] [--seed 7] [--database-url sqlite:///…|postgresql://…]

A workspace with a year of history (eleven months behind the digest's day, five weeks ahead): `--tasks` tasks
created through the year, each due within two weeks of being made, nearly all of the past ones done; `--cases`
customer cases, the old ones resolved or closed, the last days' still active; `--meetings` meetings (one in a
hundred a series: daily, weekly, monthly, some finished, some with moved or cancelled occurrences) with their
attendees; `--people` people on the rota four days a week all year (day, late and night shifts), with time off and
public holidays; managers' appointments; three checklists run every day with their entries; feedback every day.

Measured, for one day (a Monday, in Europe/Rome):
- ours: `DigestService.daily` with every section, then `daily_message` (the Block Kit message as posted);
- baseline: every row of the tables the digest reads selected into Python (tasks, cases, meetings and their
  overrides, shifts, time off, holidays, appointments, checklists, items, runs, entries, feedback), the same digest
  worked out there, then the same `daily_message`.
Both must give the same digest and the same message (checked). Target (issue 7): ours under 200 ms on SQLite at
this size, p99.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.common import p99, scratch_engine, summary, timed  # noqa: E402
from bot.domain.cases import TARGETS, CaseKind, CaseStatus, Severity  # noqa: E402
from bot.domain.clock import ManualClock  # noqa: E402
from bot.domain.digests import (  # noqa: E402
    ALL_SECTIONS,
    OPEN_ITEMS_SHOWN,
    TASKS_EACH,
    TOP,
    TOP_PEOPLE,
    AppointmentLine,
    AwayLine,
    CaseLine,
    ChecklistsYesterday,
    DailyDigest,
    DigestService,
    FeedbackYesterday,
    MeetingLine,
    MeetingRows,
    MeetingsToday,
    OpenCases,
    OutOfRange,
    PeopleToday,
    ShiftLine,
    TaskGroup,
    TaskLine,
    TasksDue,
    Top,
    UnfinishedRun,
    average,
    day_span,
    meetings_between,
    summary_of,
    top_tag,
)
from bot.domain.ids import ChannelId, TeamId, UserId  # noqa: E402
from bot.domain.meetings import Meeting, MeetingStatus, Override  # noqa: E402
from bot.domain.people_time import local_midnight  # noqa: E402
from bot.domain.recurrence import Recurrence  # noqa: E402
from bot.domain.shifts import shift_span  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.rendering.blocks import Reply  # noqa: E402
from bot.rendering.digests import daily_message  # noqa: E402
from storage.db import session_factory  # noqa: E402
from storage.models_appointments import AppointmentRow  # noqa: E402
from storage.models_cases import CaseRow  # noqa: E402
from storage.models_checklists import (  # noqa: E402
    ChecklistEntryRow,
    ChecklistItemRow,
    ChecklistRow,
    ChecklistRunRow,
)
from storage.models_feedback import FeedbackRow  # noqa: E402
from storage.models_meetings import MeetingAttendeeRow, MeetingOverrideRow, MeetingRow  # noqa: E402
from storage.models_people import HolidayRow, TimeOffRow  # noqa: E402
from storage.models_shifts import ShiftRow  # noqa: E402
from storage.models_tasks import TaskRow  # noqa: E402
from storage.unit_of_work import SqlUnitOfWork  # noqa: E402

TEAM, OTHER = TeamId("T0BENCH01"), TeamId("T0BENCH02")
ZONE = ZoneInfo("Europe/Rome")
DAY = date(2026, 11, 30)  # a Monday
NOW = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)  # 07:30 in Rome: the morning digest goes out
FIRST, LAST = DAY - timedelta(days=330), DAY + timedelta(days=35)
FIRST_INSTANT = datetime(2025, 12, 1, tzinfo=UTC)  # when the long-lived rows were made
TARGET_MS = 200.0
CHUNK = 5000


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), tzinfo=ZONE).astimezone(UTC)


# ---- the workspace ----------------------------------------------------------------------------------------------


class Workspace:
    """Rows for one big workspace (and a little of another, which no digest of the first may show)."""

    def __init__(self, seed: int, tasks: int, cases: int, meetings: int, people: int) -> None:
        self.random = random.Random(seed)
        self.people = [UserId(f"U{n:07d}") for n in range(people)]
        self.managers = self.people[:5]
        self.rows: dict[type[Any], list[dict[str, Any]]] = defaultdict(list)
        self._tasks(tasks)
        self._cases(cases)
        self._meetings(meetings)
        self._rota()
        self._appointments()
        self._feedback()

    def instant(self, since: datetime, until: datetime) -> datetime:
        seconds = int((until - since).total_seconds())
        return (since + timedelta(seconds=self.random.randrange(seconds))).replace(microsecond=0)

    def _tasks(self, count: int) -> None:
        pick = self.random
        for number in range(1, count + 1):
            created = self.instant(local(FIRST, 0), NOW)
            due = None if pick.random() < 0.15 else created + timedelta(minutes=15 * pick.randrange(4, 14 * 96))
            done_at = None
            if due is not None and due < NOW and pick.random() < 0.98:
                done_at = min(NOW, max(created, due + timedelta(hours=pick.uniform(-48, 24))))
            elif due is None and pick.random() < 0.8:
                done_at = min(NOW, created + timedelta(days=pick.uniform(0, 10)))
            self.rows[TaskRow].append(
                {
                    "team_id": TEAM,
                    "number": number,
                    "title": f"Task {number}: {pick.choice(['check', 'order', 'clean', 'call', 'fix'])} "
                    f"{pick.choice(['the fridge', 'napkins', 'the supplier', 'the espresso machine', 'the till'])}",
                    "notes": "",
                    "assignee": pick.choice(self.people),
                    "created_by": self.managers[0],
                    "status": "done" if done_at is not None else "open",
                    "priority": "normal",
                    "tags": "",
                    "due_utc": due,
                    "zone": "Europe/Rome",
                    "created_at": created,
                    "done_at": done_at,
                    "done_by": self.managers[0] if done_at is not None else None,
                    "spawned_next": False,
                }
            )
        self.rows[TaskRow].append({**self.rows[TaskRow][-1], "team_id": OTHER, "status": "open", "done_at": None})

    def _cases(self, count: int) -> None:
        pick = self.random
        for number in range(1, count + 1):
            created = self.instant(local(FIRST, 0), NOW)
            severity = pick.choices(list(Severity), weights=[2, 7, 1])[0]
            respond, resolve = TARGETS[severity]
            recent = created > NOW - timedelta(days=10)
            if (recent and pick.random() < 0.6) or pick.random() < 0.01:
                status = pick.choice([CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING])
            else:
                status = pick.choice([CaseStatus.RESOLVED, CaseStatus.CLOSED])
            answered = created + timedelta(minutes=pick.randrange(5, 600))
            first_response = None if status is CaseStatus.OPEN or answered > NOW else answered
            resolved = closed = None
            if not status.is_active:
                resolved = min(NOW, created + timedelta(hours=pick.uniform(1, 120)))
                if status is CaseStatus.CLOSED:
                    closed = resolved + timedelta(days=7)
                    if closed > NOW:
                        status, closed = CaseStatus.RESOLVED, None
            self.rows[CaseRow].append(
                {
                    "team_id": TEAM,
                    "number": number,
                    "kind": pick.choice(list(CaseKind)).value,
                    "status": status.value,
                    "severity": severity.value,
                    "category": pick.choice(["food", "service", "booking", ""]),
                    "arrived_by": "in_person",
                    "customer_name": "Anna Neri",
                    "customer_phone": "+39 333 1234567",
                    "customer_email": "",
                    "description": f"Case {number}: the {pick.choice(['soup', 'pasta', 'table', 'bill'])} was "
                    f"{pick.choice(['cold', 'late', 'wrong', 'missing'])} " * pick.randrange(1, 4),
                    "assignee": pick.choice([None, *self.people[:40]]),
                    "created_by": self.managers[1],
                    "created_at": created,
                    "updated_at": created,
                    "first_response_at": first_response,
                    "resolved_at": resolved,
                    "closed_at": closed,
                    "respond_by": created + respond,
                    "resolve_by": created + resolve,
                    "forgotten": pick.random() < 0.01,
                }
            )
        self.rows[CaseRow].append({**self.rows[CaseRow][-1], "team_id": OTHER, "status": "open"})

    def _meetings(self, count: int) -> None:
        pick = self.random
        series = max(1, count // 100)
        rules = ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY", "FREQ=WEEKLY", "FREQ=WEEKLY", "FREQ=MONTHLY"]
        ids = iter(range(1, count + 2))
        for n in range(count):
            meeting_id = next(ids)
            minutes = pick.choice([30, 45, 60, 90])
            if n < series:
                first_day = FIRST + timedelta(days=pick.randrange(0, 300))
                starts = local(first_day, pick.randrange(8, 18))
                rule = rules[n % len(rules)]
                wall = starts.astimezone(ZONE).replace(tzinfo=None)
                series_ends = None
                if n % 5 == 4:  # finished series
                    rule += ";COUNT=8"
                    occurrences = Recurrence(rule, "Europe/Rome", wall).occurrences_after(
                        starts - timedelta(seconds=1), limit=8
                    )
                    series_ends = occurrences[-1] + timedelta(minutes=minutes)
                recurrence = {"rrule": rule, "local_start": wall.isoformat(), "series_ends_utc": series_ends}
                status = "scheduled"
                if n % 7 == 0:  # a moved and a cancelled occurrence, some of them today
                    following = Recurrence(rule, "Europe/Rome", wall).occurrences_after(
                        local(DAY, 0) - timedelta(days=14), limit=2
                    )
                    for position, original in enumerate(following):
                        moved = position == 0
                        self.rows[MeetingOverrideRow].append(
                            {
                                "team_id": TEAM,
                                "meeting_id": meeting_id,
                                "original_utc": original,
                                "starts_utc": local(DAY, 16) if moved else None,
                                "ends_utc": local(DAY, 17) if moved else None,
                                "cancelled": not moved,
                            }
                        )
            else:
                day = FIRST + timedelta(days=pick.randrange(0, (LAST - FIRST).days))
                starts = local(day, pick.randrange(7, 19), pick.choice([0, 15, 30, 45]))
                recurrence = {"rrule": None, "local_start": None, "series_ends_utc": None}
                status = pick.choices(["scheduled", "cancelled", "draft"], weights=[90, 8, 2])[0]
            self.rows[MeetingRow].append(
                {
                    "id": meeting_id,
                    "team_id": TEAM,
                    "title": f"Meeting {meeting_id}: {pick.choice(['menu', 'rota', 'suppliers', 'budget'])}",
                    "organizer": pick.choice(self.people[:40]),
                    "starts_utc": starts,
                    "ends_utc": starts + timedelta(minutes=minutes),
                    "zone": "Europe/Rome",
                    "place": pick.choice(["Room 2", "Kitchen", "", "Call"]),
                    "agenda": "",
                    "lead_minutes": 15,
                    "sequence": 0,
                    "status": status,
                    "created_at": FIRST_INSTANT,
                    "updated_at": FIRST_INSTANT,
                    **recurrence,
                }
            )
            for user in pick.sample(self.people, pick.randrange(2, 6)):
                self.rows[MeetingAttendeeRow].append(
                    {"team_id": TEAM, "meeting_id": meeting_id, "user_id": user, "rsvp": "going", "suggestion": ""}
                )
        self.rows[MeetingRow].append(
            {**self.rows[MeetingRow][-1], "id": next(ids), "team_id": OTHER, "starts_utc": local(DAY, 9)}
        )

    def _rota(self) -> None:
        pick = self.random
        roles = ["kitchen", "bar", "floor", "till"]
        spans = [(clock_time(6), clock_time(14)), (clock_time(14), clock_time(22)), (clock_time(22), clock_time(6))]
        for index, user in enumerate(self.people):
            weekdays = set(pick.sample(range(7), 4))
            start, end = spans[0 if index % 10 < 5 else 1 if index % 10 < 9 else 2]
            day = FIRST
            while day <= LAST:
                if day.weekday() in weekdays:
                    starts, ends = shift_span(day, start, end, ZONE)
                    roll = pick.random()
                    self.rows[ShiftRow].append(
                        {
                            "team_id": TEAM,
                            "user_id": None if roll < 0.01 else user,
                            "role": roles[index % len(roles)],
                            "day": day,
                            "start_local": start,
                            "end_local": end,
                            "zone": "Europe/Rome",
                            "starts_utc": starts,
                            "ends_utc": ends,
                            "status": "open" if roll < 0.01 else "cancelled" if roll < 0.03 else "scheduled",
                            "created_by": self.managers[0],
                            "created_at": FIRST_INSTANT,
                        }
                    )
                day += timedelta(days=1)
            for _ in range(4):
                first = FIRST + timedelta(days=pick.randrange(0, (LAST - FIRST).days))
                last = first + timedelta(days=pick.randrange(0, 10))
                cancelled = pick.random() < 0.05
                self.rows[TimeOffRow].append(
                    {
                        "team_id": TEAM,
                        "user_id": user,
                        "first_day": first,
                        "last_day": last,
                        "zone": "Europe/Rome",
                        "starts_utc": local_midnight(first, ZONE),
                        "ends_utc": local_midnight(last + timedelta(days=1), ZONE),
                        "reason": "holiday",
                        "cover_user": pick.choice([None, *self.people[:20]]),
                        "created_by": user,
                        "created_at": FIRST_INSTANT,
                        "cancelled_by": user if cancelled else None,
                        "cancelled_at": FIRST_INSTANT if cancelled else None,
                    }
                )
        for day, name in [(date(2026, 1, 1), "Capodanno"), (date(2026, 8, 15), "Ferragosto"), (DAY, "Sant'Andrea")]:
            self.rows[HolidayRow].append(
                {
                    "team_id": TEAM,
                    "day": day,
                    "name": name,
                    "zone": "Europe/Rome",
                    "created_by": self.managers[0],
                    "created_at": FIRST_INSTANT,
                }
            )

    def _appointments(self) -> None:
        pick = self.random
        day = FIRST
        while day <= LAST:
            if day.weekday() < 5:
                for _ in range(pick.randrange(2, 8)):
                    starts = local(day, pick.randrange(9, 17), pick.choice([0, 30]))
                    visitor = pick.random() < 0.3
                    self.rows[AppointmentRow].append(
                        {
                            "team_id": TEAM,
                            "manager_id": pick.choice(self.managers),
                            "booker_id": None if visitor else pick.choice(self.people),
                            "created_by": self.managers[0],
                            "starts_utc": starts,
                            "ends_utc": starts + timedelta(minutes=30),
                            "zone": "Europe/Rome",
                            "status": pick.choices(
                                ["confirmed", "pending", "proposed", "declined", "cancelled"],
                                weights=[70, 8, 2, 10, 10],
                            )[0],
                            "topic": pick.choice(["invoices", "supplier contract", "holiday plan", ""]),
                            "visitor_name": "Mario Rossi" if visitor else "",
                            "visitor_phone": "",
                            "sequence": 0,
                            "created_at": FIRST_INSTANT,
                            "updated_at": FIRST_INSTANT,
                        }
                    )
            day += timedelta(days=1)

    def checklists(self, checklist_ids: Sequence[int], items: dict[int, list[tuple[int, bool]]]) -> None:
        """Runs every day for each checklist, with their entries (some runs left unfinished, some readings out)."""
        pick = self.random
        run_id = 0
        day = FIRST
        while day < DAY:
            for checklist in checklist_ids:
                run_id += 1
                due = local(day, pick.choice([7, 18]))
                self.rows[ChecklistRunRow].append(
                    {
                        "id": run_id,
                        "team_id": TEAM,
                        "checklist_id": checklist,
                        "schedule_id": checklist,
                        "occurrence_key": f"{checklist}@{due:%Y%m%dT%H%M%SZ}",
                        "channel": "C0OPS",
                        "due_utc": due,
                        "zone": "Europe/Rome",
                        "item_ids": [item for item, _number in items[checklist]],
                        "started_at": due,
                    }
                )
                for position, (item, number) in enumerate(items[checklist]):
                    if pick.random() < 0.05:
                        continue  # forgotten: about a third of the runs are left unfinished
                    at = due + timedelta(minutes=position + 1)
                    values: dict[str, Any] = {"checked": True, "number": None, "in_range": None, "flagged": False}
                    if number:  # a fridge reading, one in ten out of its 0-5 °C
                        reading = Decimal(pick.randrange(0, 46) if pick.random() < 0.9 else pick.randrange(60, 90)) / 10
                        inside = Decimal(0) <= reading <= Decimal(5)
                        values = {"checked": None, "number": reading, "in_range": inside, "flagged": not inside}
                    self.rows[ChecklistEntryRow].append(
                        {
                            "team_id": TEAM,
                            "run_id": run_id,
                            "item_id": item,
                            "done_by": pick.choice(self.people),
                            "done_at": at,
                            **values,
                        }
                    )
            day += timedelta(days=1)

    def _feedback(self) -> None:
        pick = self.random
        day = FIRST
        while day <= DAY:
            for _ in range(pick.randrange(10, 40)):
                at = self.instant(local(day, 0), local(day + timedelta(days=1), 0))
                if at >= NOW:
                    continue
                tags = pick.sample(["service", "food", "price", "wait", "music"], pick.randrange(0, 3))
                self.rows[FeedbackRow].append(
                    {
                        "team_id": TEAM,
                        "rating": pick.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 5, 6])[0],
                        "text": "",
                        "tags": ("," + ",".join(tags) + ",") if tags else "",
                        "source": "",
                        "recorded_by": pick.choice(self.people),
                        "created_at": at,
                    }
                )
            day += timedelta(days=1)


async def load(engine: AsyncEngine, workspace: Workspace) -> dict[str, int]:
    async def put(model: type[Any], rows: list[dict[str, Any]]) -> None:
        async with engine.begin() as connection:
            for start in range(0, len(rows), CHUNK):
                await connection.execute(insert(model.__table__), rows[start : start + CHUNK])

    for model in (TaskRow, CaseRow, MeetingRow, MeetingAttendeeRow, MeetingOverrideRow):
        await put(model, workspace.rows[model])
    for model in (ShiftRow, TimeOffRow, HolidayRow, AppointmentRow, FeedbackRow):
        await put(model, workspace.rows[model])
    # Checklists: three of eight items each (one a reading with a range), run daily.
    checklists = [
        {"id": n, "team_id": TEAM, "name": name, "name_key": name.lower(), "created_by": "U0", "created_at": NOW}
        for n, name in enumerate(["Opening", "Closing", "Fridges"], start=1)
    ]
    items: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    item_rows = []
    for checklist in checklists:
        for position in range(8):
            item_id = len(item_rows) + 1
            number = position == 0
            items[checklist["id"]].append((item_id, number))
            item_rows.append(
                {
                    "id": item_id,
                    "team_id": TEAM,
                    "checklist_id": checklist["id"],
                    "position": position,
                    "label": "Fridge temperature" if number else f"Item {position} of {checklist['name']}",
                    "kind": "number" if number else "check",
                    "minimum": Decimal(0) if number else None,
                    "maximum": Decimal(5) if number else None,
                    "unit": "°C" if number else None,
                    "created_at": NOW,
                }
            )
    workspace.checklists([c["id"] for c in checklists], items)
    await put(ChecklistRow, checklists)
    await put(ChecklistItemRow, item_rows)
    for model in (ChecklistRunRow, ChecklistEntryRow):
        await put(model, workspace.rows[model])
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            # Rows inserted with explicit ids: move the sequences past them, as the app would find them.
            for table in ("meetings", "checklists", "checklist_items", "checklist_runs"):
                await connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            # What autovacuum would have done by the time a year of rows is there. SQLite gets no ANALYZE: the bot
            # never runs one, so its plans here are the ones it makes in production.
            await connection.execute(text("ANALYZE"))
    return {model.__tablename__: len(rows) for model, rows in workspace.rows.items()}


# ---- the baseline: every row into Python --------------------------------------------------------------------------


ACTIVE = {status.value for status in CaseStatus if status.is_active}


async def baseline_digest(engine: AsyncEngine) -> DailyDigest:
    """The same digest from every row of every table it reads, filtered, sorted and counted in Python."""
    tables = (
        TaskRow,
        CaseRow,
        MeetingRow,
        MeetingOverrideRow,
        ShiftRow,
        TimeOffRow,
        HolidayRow,
        AppointmentRow,
        ChecklistRow,
        ChecklistItemRow,
        ChecklistRunRow,
        ChecklistEntryRow,
        FeedbackRow,
    )
    async with session_factory(engine)() as session:
        rows: dict[type[Any], list[Any]] = {model: list(await session.scalars(select(model))) for model in tables}
    mine = {model: [row for row in found if row.team_id == TEAM] for model, found in rows.items()}
    since, until = day_span(DAY, ZONE)
    yesterday = local_midnight(DAY - timedelta(days=1), ZONE)

    def top(items: list[Any], limit: int = TOP) -> Top[Any]:
        return Top(tuple(items[:limit]), len(items))

    shifts = sorted(
        (s for s in mine[ShiftRow] if s.status != "cancelled" and s.starts_utc < until and s.ends_utc > since),
        key=lambda s: (s.starts_utc, s.id),
    )
    away = sorted(
        (t for t in mine[TimeOffRow] if t.cancelled_at is None and t.first_day <= DAY <= t.last_day),
        key=lambda t: (t.last_day, t.user_id, t.id),
    )
    holiday = next((h.name for h in mine[HolidayRow] if h.day == DAY), None)
    people = PeopleToday(
        top([ShiftLine(UserId(s.user_id) if s.user_id else None, s.role, s.starts_utc, s.ends_utc) for s in shifts]),
        top(
            [
                AwayLine(
                    UserId(t.user_id), t.first_day, t.last_day, t.reason, UserId(t.cover_user) if t.cover_user else None
                )
                for t in away
            ]
        ),
        holiday,
    )

    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in sorted(mine[MeetingOverrideRow], key=lambda o: o.original_utc):
        overrides[o.meeting_id].append(Override(o.original_utc, o.starts_utc, o.ends_utc, o.cancelled))
    scheduled = [m for m in mine[MeetingRow] if m.status == MeetingStatus.SCHEDULED.value]
    singles = sorted(
        (m for m in scheduled if m.rrule is None and m.starts_utc < until and m.ends_utc > since),
        key=lambda m: (m.starts_utc, m.id),
    )
    series = sorted(
        (
            m
            for m in scheduled
            if m.rrule is not None and m.starts_utc < until and (m.series_ends_utc is None or m.series_ends_utc > since)
        ),
        key=lambda m: m.id,
    )
    meeting_rows = MeetingRows(
        top(
            [MeetingLine(m.id, m.title, m.starts_utc, m.ends_utc, m.place, UserId(m.organizer), False) for m in singles]
        ),
        tuple(_meeting(m, tuple(overrides[m.id])) for m in series),
    )
    appointments = sorted(
        (
            a
            for a in mine[AppointmentRow]
            if a.status in ("confirmed", "pending") and a.starts_utc < until and a.ends_utc > since
        ),
        key=lambda a: (a.starts_utc, a.id),
    )
    meetings = MeetingsToday(
        meetings_between(meeting_rows, since, until, TOP),
        top(
            [
                AppointmentLine(
                    a.id,
                    UserId(a.manager_id),
                    UserId(a.booker_id) if a.booker_id else None,
                    a.visitor_name,
                    a.topic,
                    a.starts_utc,
                    a.ends_utc,
                    a.status == "confirmed",
                )
                for a in appointments
            ]
        ),
    )

    due = [t for t in mine[TaskRow] if t.status == "open" and t.due_utc is not None and t.due_utc < until]
    by_person: dict[str, list[Any]] = defaultdict(list)
    for t in due:
        by_person[t.assignee].append(t)
    order = sorted(by_person, key=lambda user: (min(t.due_utc for t in by_person[user]), user))
    groups = []
    for user in order[:TOP_PEOPLE]:
        theirs = sorted(by_person[user], key=lambda t: (t.due_utc, t.number))
        overdue = sum(1 for t in theirs if t.due_utc < since)
        lines = tuple(TaskLine(t.number, t.title, t.due_utc, t.due_utc < since) for t in theirs[:TASKS_EACH])
        groups.append(TaskGroup(UserId(user), overdue, len(theirs) - overdue, lines))
    overdue_all = sum(1 for t in due if t.due_utc < since)
    tasks = TasksDue(Top(tuple(groups), len(by_person)), overdue_all, len(due) - overdue_all) if due else TasksDue()

    names = {c.id: c.name for c in mine[ChecklistRow]}
    labels = {i.id: i for i in mine[ChecklistItemRow]}
    runs = sorted((r for r in mine[ChecklistRunRow] if yesterday <= r.due_utc < since), key=lambda r: (r.due_utc, r.id))
    run_ids = {r.id for r in runs}
    done: dict[tuple[int, int], bool] = {}
    for e in sorted((e for e in mine[ChecklistEntryRow] if e.run_id in run_ids), key=lambda e: e.id):
        done[(e.run_id, e.item_id)] = e.checked is not False
    unfinished = []
    for r in runs:
        open_ids = [int(i) for i in r.item_ids if not done.get((r.id, int(i)), False)]
        if open_ids:
            shown = tuple(labels[i].label for i in open_ids[:OPEN_ITEMS_SHOWN])
            unfinished.append(
                UnfinishedRun(r.id, names[r.checklist_id], r.due_utc, Top(shown, len(open_ids)), len(r.item_ids))
            )
    flags = sorted(
        (e for e in mine[ChecklistEntryRow] if e.in_range is False and yesterday <= e.done_at < since),
        key=lambda e: (e.done_at, e.id),
    )
    checklists = ChecklistsYesterday(
        top(unfinished),
        top(
            [
                OutOfRange(
                    names[labels[e.item_id].checklist_id],
                    labels[e.item_id].label,
                    e.number,
                    labels[e.item_id].unit,
                    labels[e.item_id].minimum,
                    labels[e.item_id].maximum,
                    UserId(e.done_by),
                    e.done_at,
                )
                for e in flags
            ]
        ),
    )

    def breached(c: Any) -> bool:
        return bool((c.first_response_at is None and c.respond_by < NOW) or c.resolve_by < NOW)

    active = sorted(
        (c for c in mine[CaseRow] if c.status in ACTIVE),
        key=lambda c: (
            0 if breached(c) else 1,
            c.respond_by if c.first_response_at is None else c.resolve_by,
            c.number,
        ),
    )
    cases = (
        OpenCases(
            top(
                [
                    CaseLine(
                        c.number,
                        CaseKind(c.kind),
                        Severity(c.severity),
                        CaseStatus(c.status),
                        summary_of(c.description, forgotten=c.forgotten),
                        UserId(c.assignee) if c.assignee else None,
                        c.resolve_by if c.first_response_at is not None else c.respond_by,
                        c.first_response_at is not None,
                        breached(c),
                    )
                    for c in active
                ]
            ),
            sum(1 for c in active if breached(c)),
        )
        if active
        else OpenCases()
    )

    said = [f for f in mine[FeedbackRow] if yesterday <= f.created_at < since]
    tag, tagged = top_tag([[tag for tag in f.tags.split(",") if tag] for f in said])
    feedback = (
        FeedbackYesterday(len(said), average(sum(f.rating for f in said), len(said)), tag, tagged)
        if said
        else FeedbackYesterday()
    )
    return DailyDigest(TEAM, DAY, ZONE, ALL_SECTIONS, people, meetings, tasks, checklists, cases, feedback)


def _meeting(row: MeetingRow, overrides: tuple[Override, ...]) -> Meeting:
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


# ---- the run ------------------------------------------------------------------------------------------------------


async def main(arguments: argparse.Namespace) -> int:
    async with scratch_engine(arguments.database_url) as engine:
        return await _run(engine, arguments)


async def _run(engine: AsyncEngine, arguments: argparse.Namespace) -> int:
    began = time.perf_counter()
    workspace = Workspace(arguments.seed, arguments.tasks, arguments.cases, arguments.meetings, arguments.people)
    counts = await load(engine, workspace)
    loading = time.perf_counter() - began
    digests = DigestService(lambda: SqlUnitOfWork(session_factory(engine)), ManualClock(NOW))
    words = translator().bind("en")

    async def ours() -> tuple[DailyDigest, Reply]:
        digest = await digests.daily(TEAM, DAY, ZONE, ALL_SECTIONS)
        return digest, daily_message(words, digest)

    async def baseline() -> tuple[DailyDigest, Reply]:
        digest = await baseline_digest(engine)
        return digest, daily_message(words, digest)

    # The same content both ways, before anything is timed.
    mine, theirs = await ours(), await baseline()
    same = mine == theirs
    queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        queries.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    await ours()
    event.remove(engine.sync_engine, "before_cursor_execute", count)

    our_samples = await timed(arguments.repeat, ours)
    baseline_samples = await timed(arguments.baseline_repeat, baseline)
    digest, reply = mine

    print(f"database: {engine.dialect.name}; loaded in {loading:.1f} s")
    print("rows: " + ", ".join(f"{table} {n:,}" for table, n in sorted(counts.items())))
    print(
        f"digest of {DAY} ({ZONE.key}): on shift {digest.people.shifts.total}, away {digest.people.away.total}, "
        f"meetings {digest.meetings.meetings.total}, appointments {digest.meetings.appointments.total}, tasks due "
        f"{digest.tasks.today} today and {digest.tasks.overdue} overdue for {digest.tasks.groups.total} people, "
        f"unfinished runs {digest.checklists.unfinished.total}, readings out {digest.checklists.out_of_range.total}, "
        f"open cases {digest.cases.cases.total} ({digest.cases.breached} past a target), feedback "
        f"{digest.feedback.count}; message {len(reply.blocks)} blocks, the longest text {_longest(reply)} chars"
    )
    print(f"ours: {len(queries)} queries")
    print(summary("ours: DigestService.daily + daily_message", our_samples, name_width=44))
    print(summary("baseline: every row into Python + message", baseline_samples, name_width=44))
    ratio = statistics.median(baseline_samples) / statistics.median(our_samples)
    print(f"baseline / ours (median): {ratio:.0f}x")
    print(f"same digest and message both ways: {'yes' if same else 'NO'}")
    worst = p99(our_samples)
    passed = same and worst < TARGET_MS
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: ours p99 {worst:.1f} ms (target < {TARGET_MS:.0f} ms), same content {'yes' if same else 'no'}")
    if not same:
        _explain(mine[0], theirs[0])
    return 0 if passed else 1


def _longest(reply: Reply) -> int:
    return max(len(block.get("text", {}).get("text", "")) for block in reply.blocks)


def _explain(ours: DailyDigest, theirs: DailyDigest) -> None:
    for name in ("people", "meetings", "tasks", "checklists", "cases", "feedback"):
        if getattr(ours, name) != getattr(theirs, name):
            print(f"  differs: {name}\n    ours:     {getattr(ours, name)}\n    baseline: {getattr(theirs, name)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--meetings", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    sys.exit(asyncio.run(main(parser.parse_args())))
