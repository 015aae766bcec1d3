"""A workspace that uninstalls the app, against a real database and the real reminder engine: its deliveries stop
at once (and the others' do not), a reinstall resumes without a burst of stale messages, and the housekeeping job
purges it once the retention period is over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from bot.domain.ids import TeamId, UserId
from bot.domain.reminders import Kind, ScheduleSpec
from bot.domain.workspaces import SKIPPED_REASON, Installation, LifecycleUnitOfWork, WorkspaceLifecycle
from bot.scheduling import ReminderEngine
from storage.db import session_factory
from storage.models import AuditLogRow, DeliveryRow, ScheduleRow
from storage.unit_of_work import SqlUnitOfWork
from tests.storage.test_engine import RecordingCourier, factory
from tests.stored import stored_rows

ROME = ZoneInfo("Europe/Rome")
LEFT, STAYED = TeamId("T0LEFT001"), TeamId("T0STAYED1")
MARIA = UserId("U0MARIA01")
RETENTION = timedelta(days=30)


class Tokens:
    """The token store as the service sees it: which workspaces' tokens it was told to forget."""

    def __init__(self) -> None:
        self.forgotten: list[TeamId] = []

    async def forget(self, team: TeamId) -> None:
        self.forgotten.append(team)


def lifecycle(engine: AsyncEngine, clock: ManualClock, tokens: Tokens, reminders: ReminderEngine) -> WorkspaceLifecycle:
    sessions = session_factory(engine)

    def unit_of_work() -> LifecycleUnitOfWork:
        return SqlUnitOfWork(sessions)

    return WorkspaceLifecycle(
        unit_of_work, clock, forget_tokens=tokens.forget, poke=reminders.poke, retention=RETENTION
    )


def spec(
    team: TeamId,
    at: datetime,
    *,
    kind: Kind = Kind.REMINDER,
    text: str = "call the supplier",
    rrule: str | None = None,
    local_start: datetime | None = None,
) -> ScheduleSpec:
    return ScheduleSpec(
        team=team,
        kind=kind,
        target="reminder",
        recipient=MARIA,
        created_by=MARIA,
        first_fire=at,
        zone="Europe/Rome",
        rrule=rrule,
        local_start=local_start,
        payload={"text": text},
    )


async def add(engine: AsyncEngine, clock: ManualClock, *specs: ScheduleSpec) -> None:
    async with factory(engine)() as uow:
        for each in specs:
            await uow.schedules.add(each, at=clock.now())


async def deliveries(engine: AsyncEngine, team: TeamId) -> list[Row[Any]]:
    return await stored_rows(
        engine, select(DeliveryRow).where(DeliveryRow.team_id == team).order_by(DeliveryRow.due_utc, DeliveryRow.id)
    )


async def audit(engine: AsyncEngine, team: TeamId) -> list[Row[Any]]:
    return await stored_rows(engine, select(AuditLogRow).where(AuditLogRow.team_id == team).order_by(AuditLogRow.id))


async def test_an_uninstalled_workspace_gets_nothing_and_the_others_still_do(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    courier = RecordingCourier()
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    tokens = Tokens()
    workspaces = lifecycle(engine, clock, tokens, reminders)
    soon = clock.now() + timedelta(minutes=10)
    await add(engine, clock, spec(LEFT, soon, text="left"), spec(STAYED, soon, text="stayed"))
    clock.set(soon)
    assert await reminders.materialize(clock.now()) == 2  # both waiting to be claimed when the uninstall comes

    gone = await workspaces.uninstalled(LEFT)
    assert gone == Installation(LEFT, installed_at=None, uninstalled_at=soon, purge_after=soon + RETENTION)
    assert tokens.forgotten == [LEFT]
    await add(engine, clock, spec(LEFT, soon + timedelta(hours=1), text="later"))
    clock.advance(timedelta(hours=2))

    assert await reminders.tick() == 1
    assert [d.payload["text"] for d in courier.sent] == ["stayed"]
    # The workspace that left: its waiting delivery was not claimed, its later schedule not materialized…
    (waiting,) = await deliveries(engine, LEFT)
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    # …and neither counts as due, or the engine would wake for them again and again.
    assert await reminders.next_due() is None
    assert (await reminders.backlog()).pending == 0


async def test_a_reinstall_skips_what_fell_due_meanwhile_and_resumes_on_time(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    plain, tasks = RecordingCourier(), RecordingCourier()
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: plain, Kind.TASK_DUE: tasks})
    workspaces = lifecycle(engine, clock, Tokens(), reminders)
    start = clock.now()  # Monday 30 November 08:00 UTC
    nine = datetime(2026, 11, 30, 9, 0)  # noqa: DTZ001  wall-clock time in Rome
    gone_at = start + timedelta(minutes=10)
    back_at = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # Wednesday noon
    await add(
        engine,
        clock,
        spec(LEFT, nine.replace(tzinfo=ROME), text="daily", rrule="FREQ=DAILY", local_start=nine),
        spec(LEFT, start + timedelta(minutes=5), text="waiting when it left"),
        spec(LEFT, start + timedelta(hours=4), text="one-off while away"),
        spec(LEFT, start + timedelta(hours=4), kind=Kind.TASK_DUE, text="open task"),
        spec(LEFT, back_at - timedelta(minutes=1), text="just now"),  # within LATE_AFTER of the reinstall
    )
    clock.set(start + timedelta(minutes=5))
    await reminders.materialize(clock.now())  # "waiting when it left" is a pending delivery already
    clock.set(gone_at)
    await workspaces.uninstalled(LEFT)
    clock.set(back_at)
    assert await reminders.tick() == 0  # two days of nothing while it is gone

    await workspaces.installed(LEFT, by=MARIA)
    assert await reminders.tick() == 2
    # On time: only what is due within the engine's own "late" threshold. Work still to do: once, marked late.
    assert [d.payload["text"] for d in plain.sent] == ["just now"]
    assert [d.payload["text"] for d in tasks.sent] == ["open task"]
    stored = await deliveries(engine, LEFT)
    # Waiting when it left (the daily one's Monday too): skipped, as stale as what fell due while it was away.
    assert [(row.due_utc, row.status, row.last_error) for row in stored if row.status == "skipped"] == [
        (start, "skipped", SKIPPED_REASON),
        (start + timedelta(minutes=5), "skipped", SKIPPED_REASON),
    ]
    assert sorted((row.status, row.late) for row in stored if row.status != "skipped") == [
        ("sent", False),
        ("sent", True),
    ]
    # The daily reminder comes back at its next time, not for the two days it missed.
    (daily,) = await stored_rows(engine, select(ScheduleRow).where(ScheduleRow.rrule.is_not(None)))
    assert daily.next_fire_utc == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # Thursday 09:00 in Rome
    (one_off,) = await stored_rows(
        engine, select(ScheduleRow).where(ScheduleRow.payload["text"].as_string() == "one-off while away")
    )
    assert one_off.next_fire_utc is None  # spent, never sent
    clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert await reminders.tick() == 1
    assert [(d.payload["text"], d.due) for d in plain.sent[1:]] == [("daily", clock.now())]

    actions = [(row.action, row.actor) for row in await audit(engine, LEFT)]
    assert actions == [("workspace.uninstall", "USLACKBOT"), ("workspace.reinstall", MARIA)]
    reinstall = (await audit(engine, LEFT))[-1]
    assert reinstall.details == {
        "uninstalled_at": gone_at.isoformat(),
        "skipped_occurrences": "2",  # the daily reminder (its missed days at once), the one-off while away
        "skipped_deliveries": "2",
        "sent_late": "1",
    }
    assert await workspaces.status(LEFT) == Installation(LEFT, installed_at=back_at)
    # Installed again while installed (OAuth asks for more scopes): nothing changes.
    await workspaces.installed(LEFT)
    assert len(await audit(engine, LEFT)) == 2


async def test_the_second_uninstall_event_changes_nothing_and_a_first_install_is_recorded(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    workspaces = lifecycle(engine, clock, Tokens(), ReminderEngine(factory(engine), clock))
    assert await workspaces.status(LEFT) is None
    assert await workspaces.installed(LEFT) == Installation(LEFT, installed_at=clock.now())
    installed_at = clock.now()
    clock.advance(timedelta(days=2))
    first = await workspaces.uninstalled(LEFT)  # app_uninstalled
    clock.advance(timedelta(seconds=3))
    assert await workspaces.uninstalled(LEFT) == first  # tokens_revoked right after: the purge date stays
    assert first == Installation(LEFT, installed_at, installed_at + timedelta(days=2), first.uninstalled_at + RETENTION)
    assert [row.action for row in await audit(engine, LEFT)] == ["workspace.install", "workspace.uninstall"]


async def test_housekeeping_purges_after_the_retention_period_unless_reinstalled(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    tokens = Tokens()
    reminders = ReminderEngine(factory(engine), clock)
    workspaces = lifecycle(engine, clock, tokens, reminders)
    later = clock.now() + timedelta(days=60)
    await add(engine, clock, spec(LEFT, later), spec(STAYED, later))
    await workspaces.uninstalled(LEFT)
    await workspaces.uninstalled(STAYED)
    clock.advance(timedelta(days=1))
    await workspaces.installed(STAYED)  # came back within the retention period

    clock.advance(RETENTION - timedelta(days=1, seconds=1))
    assert await workspaces.purge_expired() == []
    clock.advance(timedelta(seconds=1))
    (purged,) = await workspaces.purge_expired()
    assert purged.team == LEFT
    assert purged.removed == {"schedules": 1, "audit_log": 1, "workspace_installs": 1}
    assert tokens.forgotten == [LEFT, STAYED, LEFT]
    async with engine.connect() as connection:
        by_team = dict(
            (await connection.execute(select(ScheduleRow.team_id, func.count()).group_by(ScheduleRow.team_id))).all()
        )
    assert by_team == {STAYED: 1}
    assert await workspaces.status(LEFT) is None
    assert await workspaces.purge_expired() == []  # nothing left to purge


async def test_a_workspace_never_recorded_counts_as_installed(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    await add(engine, clock, spec(STAYED, clock.now()))
    async with factory(engine)() as uow:
        assert await uow.schedules.earliest() == clock.now()
    assert await reminders.tick() == 1
