"""The reminder engine against a real database: exactly once, late marking, DST, retries, leases."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from bot.domain.ids import TeamId, UserId
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.reminders import MAX_ATTEMPTS, Delivery, DeliveryOutcomes, Kind, ScheduleSpec, SentRecord
from bot.scheduling import Failed, Outcome, ReminderEngine, Sent
from storage.db import session_factory
from storage.models import DeliveryRow
from storage.unit_of_work import SqlUnitOfWork
from tests.stored import stored_rows

ROME = ZoneInfo("Europe/Rome")
TEAM = TeamId("T1")
MARIA = UserId("U0MARIA01")


class RecordingCourier:
    def __init__(self) -> None:
        self.sent: list[Delivery] = []
        self.batches: list[list[str]] = []
        self.fail_with: str | None = None
        self.retryable = True
        self.reported: list[tuple[str, str]] = []

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        self.batches.append([d.occurrence_key for d in deliveries])
        if self.fail_with is not None:
            return {d.id: Failed(self.fail_with, retryable=self.retryable) for d in deliveries}
        self.sent.extend(deliveries)
        return {d.id: Sent(channel="D1", ts=f"{len(self.sent)}.000100") for d in deliveries}

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        self.reported.append((delivery.occurrence_key, error))


def factory(engine: AsyncEngine) -> UnitOfWorkFactory:
    sessions = session_factory(engine)

    def make() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    return make


def reminder(at: datetime, *, rrule: str | None = None, local_start: datetime | None = None) -> ScheduleSpec:
    return ScheduleSpec(
        team=TEAM,
        kind=Kind.REMINDER,
        target="reminder",
        recipient=MARIA,
        created_by=MARIA,
        first_fire=at,
        zone="Europe/Rome",
        rrule=rrule,
        local_start=local_start,
        payload={"text": "call the supplier"},
    )


async def add(engine: AsyncEngine, spec: ScheduleSpec, clock: ManualClock) -> int:
    async with factory(engine)() as uow:
        return (await uow.schedules.add(spec, at=clock.now())).id


async def rows(engine: AsyncEngine) -> list[Row[Any]]:
    return await stored_rows(engine, select(DeliveryRow).order_by(DeliveryRow.id))


async def test_a_one_off_reminder_is_sent_once_at_its_time(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    await add(engine, reminder(clock.now() + timedelta(minutes=10)), clock)
    assert await reminders.tick() == 0
    clock.advance(timedelta(minutes=10))
    assert await reminders.tick() == 1
    clock.advance(timedelta(minutes=10))
    assert await reminders.tick() == 0
    assert [d.payload["text"] for d in courier.sent] == ["call the supplier"]
    (row,) = await rows(engine)
    assert (row.status, row.late, row.slack_ts) == ("sent", False, "1.000100")


async def test_a_reminder_due_while_down_is_sent_late_and_marked(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    await add(engine, reminder(clock.now() + timedelta(minutes=5)), clock)
    clock.advance(timedelta(hours=2))  # the process was down across the reminder's time
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    await reminders.recover(single_process=True)
    assert await reminders.tick() == 1
    (row,) = await rows(engine)
    assert (row.status, row.late) == ("sent", True)


async def test_late_reminders_for_one_person_reach_the_courier_together(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    courier = RecordingCourier()
    for minutes in (5, 10, 15):
        await add(engine, reminder(clock.now() + timedelta(minutes=minutes)), clock)
    clock.advance(timedelta(hours=1))
    await ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier}).tick()
    assert [len(batch) for batch in courier.batches] == [3]


async def test_daily_at_eight_stays_eight_in_rome_across_both_dst_changes(
    engine: AsyncEngine, clock: ManualClock
) -> None:
    courier = RecordingCourier()
    start = datetime(2026, 3, 27, 8, 0)  # noqa: DTZ001  wall-clock time in Rome
    clock.set(datetime(2026, 3, 27, 6, 0, tzinfo=UTC))
    await add(engine, reminder(start.replace(tzinfo=ROME), rrule="FREQ=DAILY", local_start=start), clock)
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    for day in range(4):  # 27, 28, 29 (spring forward), 30 March
        clock.set(datetime(2026, 3, 27 + day, 12, 0, tzinfo=UTC))
        await reminders.tick()
    clock.set(datetime(2026, 10, 24, 5, 0, tzinfo=UTC))
    await reminders.tick()  # the months in between coalesce? no: reminders are sent late, one per day missed
    sent_local = [d.due.astimezone(ROME) for d in courier.sent]
    assert {(t.hour, t.minute) for t in sent_local} == {(8, 0)}
    assert [t.utcoffset() for t in sent_local[:4]] == [timedelta(hours=1)] * 2 + [timedelta(hours=2)] * 2
    for day in (25, 26):  # autumn: back to +01:00
        clock.set(datetime(2026, 10, day, 12, 0, tzinfo=UTC))
        await reminders.tick()
    assert courier.sent[-1].due == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert courier.sent[-2].due == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    keys = [d.occurrence_key for d in courier.sent]
    assert len(keys) == len(set(keys))


async def test_a_failing_post_is_retried_with_backoff_then_reported(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    courier.fail_with = "internal_error"
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    await add(engine, reminder(clock.now() + timedelta(minutes=1)), clock)
    clock.advance(timedelta(minutes=1))
    await reminders.tick()
    (row,) = await rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "internal_error")
    assert row.next_attempt_utc == clock.now() + timedelta(seconds=30)
    for _ in range(MAX_ATTEMPTS - 1):
        clock.advance(timedelta(minutes=20))
        await reminders.tick()
    (row,) = await rows(engine)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert courier.reported == [(row.occurrence_key, "internal_error")]


async def test_a_permanent_error_is_not_retried(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    courier.fail_with, courier.retryable = "user_not_found", False
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    await add(engine, reminder(clock.now()), clock)
    await reminders.tick()
    (row,) = await rows(engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert len(courier.reported) == 1


async def test_a_reminder_cancelled_after_it_came_due_is_skipped(engine: AsyncEngine, clock: ManualClock) -> None:
    courier = RecordingCourier()
    reminders = ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier})
    schedule_id = await add(engine, reminder(clock.now()), clock)
    await reminders.materialize(clock.now())
    async with factory(engine)() as uow:
        assert await uow.schedules.cancel(TEAM, schedule_id, at=clock.now())
    await reminders.tick()
    (row,) = await rows(engine)
    assert row.status == "skipped"
    assert courier.sent == []


async def test_an_expired_lease_is_taken_over_and_flagged(engine: AsyncEngine, clock: ManualClock) -> None:
    await add(engine, reminder(clock.now()), clock)
    crashed = ReminderEngine(factory(engine), clock, {}, owner="crashed", lease=timedelta(0))
    await crashed.materialize(clock.now())
    async with factory(engine)() as uow:  # claimed, then the process "dies" before posting
        (claimed,) = await uow.deliveries.claim(now=clock.now(), owner="crashed", lease=timedelta(0), limit=10)
    assert not claimed.interrupted
    await asyncio.sleep(0.01)  # let the database clock pass the zero-length lease
    courier = RecordingCourier()
    await ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier}, owner="survivor").tick()
    (delivered,) = courier.sent
    assert delivered.interrupted  # so the courier checks Slack for the key before posting again
    (row,) = await rows(engine)
    assert (row.status, row.lease_owner, row.attempts) == ("sent", "survivor", 2)
    # The crashed owner can no longer record an outcome.
    async with factory(engine)() as uow:
        lost = DeliveryOutcomes(sent=[SentRecord(claimed.id, clock.now(), "D", "1", late=False)])
        assert await uow.deliveries.finish("crashed", lost) == 0


async def test_two_engines_deliver_each_of_many_reminders_once(engine: AsyncEngine, clock: ManualClock) -> None:
    async with factory(engine)() as uow:
        for n in range(300):
            await uow.schedules.add(
                ScheduleSpec(
                    team=TEAM,
                    kind=Kind.REMINDER,
                    target="reminder",
                    recipient=UserId(f"U{n:05d}"),
                    created_by=MARIA,
                    first_fire=clock.now(),
                    zone="UTC",
                    payload={"text": f"r{n}"},
                ),
                at=clock.now(),
            )
    first, second = RecordingCourier(), RecordingCourier()
    engines = [
        ReminderEngine(factory(engine), clock, {Kind.REMINDER: first}, owner="a", batch=25),
        ReminderEngine(factory(engine), clock, {Kind.REMINDER: second}, owner="b", batch=25),
    ]
    await asyncio.gather(*(e.tick() for e in engines))
    keys = [d.occurrence_key for d in first.sent + second.sent]
    assert len(keys) == 300
    assert len(set(keys)) == 300
    assert {row.status for row in await rows(engine)} == {"sent"}


@pytest.mark.parametrize("missed_days", [3])
async def test_a_recurring_reminder_missed_for_days_sends_each_day_late(
    engine: AsyncEngine, clock: ManualClock, missed_days: int
) -> None:
    courier = RecordingCourier()
    start = datetime(2026, 11, 30, 9, 0)  # noqa: DTZ001  wall-clock time in Rome
    await add(engine, reminder(start.replace(tzinfo=ROME), rrule="FREQ=DAILY", local_start=start), clock)
    clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=UTC) + timedelta(days=missed_days - 1))
    await ReminderEngine(factory(engine), clock, {Kind.REMINDER: courier}).tick()
    assert len(courier.sent) == missed_days
    assert all(row.late for row in await rows(engine))
