"""The reminder engine's timer and hands: materialize due schedules, claim deliveries, post them.

The database is the truth (see DESIGN.md, "Reminders, digests, follow-ups: one engine"). APScheduler only
wakes this process: one date job for the next due row, and a sweep every `SWEEP` in case another process
added something or a wake-up was missed. A crash loses nothing: unclaimed rows wait in the store, claimed
ones come back when their lease runs out (at once on SQLite, where no other process can hold one).

A workspace that uninstalled the app is invisible to every sweep (the store leaves it out of what is due and
what can be claimed), so nothing of it is posted; on reinstall, `bot.domain.workspaces.WorkspaceLifecycle`
decides what becomes of what fell due meanwhile, so that it does not all arrive at once, hours late.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.domain.clock import Clock
from bot.domain.ids import TeamId, UserId
from bot.domain.ports import UnitOfWorkFactory
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import (
    LATE_AFTER,
    MAX_ATTEMPTS,
    Delivery,
    DeliveryBacklog,
    DeliveryOutcomes,
    FailedRecord,
    Kind,
    RetryRecord,
    Schedule,
    ScheduleMove,
    SentRecord,
    is_late,
    occurrences_to_deliver,
    retry_delay,
)
from bot.logs import bind_log_context, log_context
from bot.slack.workspace import bind_workspace, for_workspace

log = logging.getLogger("ops.engine")

SWEEP = timedelta(seconds=30)
LEASE = timedelta(minutes=2)
BATCH = 500
# How many recipients are posted to at once; Slack's own limits are per channel, and each recipient is one.
CONCURRENCY = 32
# A schedule that has been down for a very long time does not expand into thousands of late occurrences.
MAX_MISSED = 100


@dataclass(frozen=True, slots=True)
class Sent:
    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class Skipped:
    reason: str


@dataclass(frozen=True, slots=True)
class Deferred:
    """Not now: the recipient is away. The delivery waits until `until`, and it is not a failed attempt."""

    until: datetime


@dataclass(frozen=True, slots=True)
class Failed:
    error: str
    retryable: bool = True


Outcome = Sent | Skipped | Deferred | Failed


class Courier(Protocol):
    """Posts one kind of delivery. It gets every claimed delivery of its kind for one recipient at once, so
    it can fold several late ones into a single message, and answers with an outcome per delivery id."""

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]: ...

    async def report_failure(self, delivery: Delivery, error: str) -> None: ...


@runtime_checkable
class PreparingCourier(Protocol):
    """A courier that wants the whole claimed batch of its kind first (to load what it needs in one go)."""

    async def prepare(self, deliveries: Sequence[Delivery]) -> None: ...


class Waker(Protocol):
    def wake_at(self, at: datetime) -> None: ...


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ReminderEngine:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        couriers: Mapping[Kind, Courier] | None = None,
        *,
        owner: str | None = None,
        lease: timedelta = LEASE,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._couriers: dict[Kind, Courier] = dict(couriers or {})
        self.owner = owner or process_owner()
        self._lease = lease
        self._batch = batch
        self._concurrency = concurrency
        self._waker: Waker | None = None
        self._running = asyncio.Lock()

    def register(self, kind: Kind, courier: Courier) -> None:
        """Couriers are added after the services they use exist (those services need `poke`)."""
        self._couriers[kind] = courier

    def attach(self, waker: Waker) -> None:
        self._waker = waker

    def poke(self, at: datetime) -> None:
        """Something new is due at `at`: make sure the process wakes for it."""
        if self._waker is not None:
            self._waker.wake_at(at)

    async def recover(self, *, single_process: bool) -> int:
        """At start on SQLite, claims left by a dead process are handed back at once (no lease to wait out)."""
        if not single_process:
            return 0
        async with self._uow() as uow:
            released = await uow.deliveries.release_all()
        if released:
            log.info("took back %d deliveries claimed before the last stop", released)
        return released

    async def stop(self) -> None:
        async with self._running, self._uow() as uow:
            released = await uow.deliveries.release(self.owner)
        if released:
            log.info("released %d claimed deliveries", released)

    async def tick(self) -> int:
        """Everything that is due now, until nothing is left; then arrange the next wake-up."""
        async with self._running:
            handled = 0
            while True:
                now = self._clock.now()
                await self.materialize(now)
                sent = await self.dispatch(now)
                handled += sent
                if sent < self._batch:
                    break
            await self._schedule_next_wake()
            return handled

    async def materialize(self, now: datetime) -> int:
        """Due schedules become delivery rows, and move on to their next time; a batch per transaction."""
        created = 0
        while True:
            async with self._uow() as uow:
                due = await uow.schedules.due(now, self._batch)
                occurrences: list[tuple[Schedule, datetime]] = []
                moves: list[ScheduleMove] = []
                for schedule in due:
                    missed, following = self._missed(schedule, now)
                    occurrences += [(schedule, at) for at in occurrences_to_deliver(schedule.kind, missed)]
                    moves.append(ScheduleMove(schedule.id, fired=missed[0], next_fire=following))
                # Inserting first is safe: a row for an occurrence exists once, whoever inserts it. The
                # compare-and-set on the schedule then lets exactly one process move it on.
                created += await uow.deliveries.add_occurrences(occurrences)
                await uow.schedules.advance_many(moves)
            if len(due) < self._batch:
                return created

    @staticmethod
    def _missed(schedule: Schedule, now: datetime) -> tuple[list[datetime], datetime | None]:
        """The instants a schedule passed up to `now`, and the next one after."""
        fired = schedule.next_fire
        assert fired is not None
        missed = [fired]
        if schedule.rrule is None or schedule.local_start is None:
            return missed, None
        recurrence = Recurrence(schedule.rrule, schedule.zone, schedule.local_start)
        following = recurrence.next_after(fired)
        while following is not None and following <= now and len(missed) < MAX_MISSED:
            missed.append(following)
            following = recurrence.next_after(following)
        if following is not None and following <= now:  # beyond MAX_MISSED: jump straight to the future
            following = recurrence.next_after(now)
        return missed, following

    async def dispatch(self, now: datetime) -> int:
        async with self._uow() as uow:
            claimed = await uow.deliveries.claim(now=now, owner=self.owner, lease=self._lease, limit=self._batch)
        if not claimed:
            return 0
        groups: dict[tuple[Kind, TeamId, UserId], list[Delivery]] = defaultdict(list)
        for delivery in claimed:
            groups[(delivery.kind, delivery.team, delivery.recipient)].append(delivery)
        for kind in {delivery.kind for delivery in claimed}:
            courier = self._couriers.get(kind)
            if isinstance(courier, PreparingCourier):
                await courier.prepare([d for d in claimed if d.kind is kind])
        gate = asyncio.Semaphore(self._concurrency)

        async def post(group: list[Delivery]) -> dict[int, Outcome]:
            # Each group runs in its own task (gather), so these log identifiers stay with its lines only.
            first = group[0]
            bind_log_context(team=first.team, user=first.recipient, request_id=first.occurrence_key)
            bind_workspace(first.team)  # the couriers' Slack calls go out with this workspace's token
            async with gate:
                return await self._post_group(group)

        outcomes: dict[int, Outcome] = {}
        for result in await asyncio.gather(*(post(group) for group in groups.values())):
            outcomes |= result
        await self._record(claimed, outcomes, now)
        return len(claimed)

    async def _post_group(self, group: list[Delivery]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {d.id: Skipped("cancelled") for d in group if d.cancelled}
        live = [d for d in group if not d.cancelled]  # cancelled after it was materialized
        if not live:
            return outcomes
        courier = self._couriers.get(live[0].kind)
        if courier is None:
            return outcomes | {d.id: Failed(f"no courier for {live[0].kind}", retryable=False) for d in live}
        try:
            sent = await courier.send(live, now=self._clock.now())
        except Exception as exc:  # a courier bug must not stop the others, nor lose the rows
            log.exception("courier for %s failed", live[0].kind)
            sent = {d.id: Failed(f"{type(exc).__name__}: {exc}") for d in live}
        return outcomes | {d.id: sent.get(d.id, Failed("courier gave no outcome")) for d in live}

    async def _record(self, claimed: list[Delivery], outcomes: Mapping[int, Outcome], now: datetime) -> None:
        """Every outcome of a batch in one transaction, each only where this process still holds the lease."""
        records = DeliveryOutcomes()
        given_up: list[tuple[Delivery, str]] = []
        at = self._clock.now()
        for delivery in claimed:
            match outcomes[delivery.id]:
                case Sent(channel=channel, ts=ts):
                    records.sent.append(SentRecord(delivery.id, at, channel, ts, is_late(delivery.due, now)))
                case Skipped():
                    records.skipped.append(delivery.id)
                case Deferred(until=until):
                    records.deferred.append(RetryRecord(delivery.id, until, "recipient away"))
                case Failed(error=error, retryable=retryable) if retryable and delivery.attempts < MAX_ATTEMPTS:
                    next_attempt = at + retry_delay(delivery.attempts)
                    records.retry.append(RetryRecord(delivery.id, next_attempt, error))
                    log.warning("delivery %s failed (%s); retry at %s", delivery.occurrence_key, error, next_attempt)
                case Failed(error=error):
                    records.failed.append(FailedRecord(delivery.id, error))
                    given_up.append((delivery, error))
        async with self._uow() as uow:
            await uow.deliveries.finish(self.owner, records)
        for delivery, error in given_up:
            with (
                log_context(team=delivery.team, user=delivery.recipient, request_id=delivery.occurrence_key),
                for_workspace(delivery.team),
            ):
                await self._give_up(delivery, error)

    async def _give_up(self, delivery: Delivery, error: str) -> None:
        log.error("delivery %s failed for good: %s", delivery.occurrence_key, error)
        courier = self._couriers.get(delivery.kind)
        if courier is None:
            return
        try:
            await courier.report_failure(delivery, error)
        except Exception:
            log.exception("could not report the failed delivery %s", delivery.occurrence_key)

    async def backlog(self) -> DeliveryBacklog:
        """Pending deliveries (late ones: still unsent LATE_AFTER past their time) and failed ones, all teams."""
        async with self._uow() as uow:
            return await uow.deliveries.backlog(now=self._clock.now(), late_after=LATE_AFTER)

    async def next_due(self) -> datetime | None:
        """The earliest instant something is due: a schedule's next fire time or a pending delivery's attempt."""
        async with self._uow() as uow:
            candidates = [await uow.schedules.earliest(), await uow.deliveries.earliest_ready()]
        upcoming = [instant for instant in candidates if instant is not None]
        return min(upcoming) if upcoming else None

    async def _schedule_next_wake(self) -> None:
        upcoming = await self.next_due()
        if upcoming is not None:
            self.poke(max(upcoming, self._clock.now()))


class SchedulerWaker:
    """APScheduler as the engine's alarm clock: one date job for the next due row, plus a periodic sweep."""

    WAKE_JOB = "engine:wake"
    SWEEP_JOB = "engine:sweep"

    def __init__(self, scheduler: AsyncIOScheduler, engine: ReminderEngine) -> None:
        self._scheduler = scheduler
        self._engine = engine
        engine.attach(self)
        scheduler.add_job(
            engine.tick,
            "interval",
            seconds=SWEEP.total_seconds(),
            id=self.SWEEP_JOB,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=2,  # as for the wake job: a sweep during a long tick waits for it instead of being skipped
            replace_existing=True,
        )

    def wake_at(self, at: datetime) -> None:
        job = self._scheduler.get_job(self.WAKE_JOB)
        if job is not None and job.next_run_time is not None and job.next_run_time <= at:
            return  # already waking up earlier
        self._scheduler.add_job(
            self._engine.tick,
            DateTrigger(run_date=at),
            id=self.WAKE_JOB,
            replace_existing=True,
            coalesce=True,
            # The running tick schedules its successor before it returns; a second instance must be allowed
            # to start then (the engine's lock makes it wait), or APScheduler would skip that wake-up.
            max_instances=2,
            misfire_grace_time=None,
        )
