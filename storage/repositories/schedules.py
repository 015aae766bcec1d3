"""Schedules and deliveries: the reminder engine's tables.

The engine's sweeps (due schedules, claimable deliveries) look across workspaces on purpose: one process
serves every installed workspace. Each row still carries its `team_id`, every delivery is handled within its
own team, and everything a person can ask about is filtered by team.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId, UserId
from bot.domain.reminders import Delivery, DeliveryStatus, Kind, Schedule, ScheduleSpec, occurrence_key
from storage.models import DeliveryRow, ScheduleRow

LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _schedule(row: ScheduleRow) -> Schedule:
    return Schedule(
        id=row.id,
        team=TeamId(row.team_id),
        kind=Kind(row.kind),
        target=row.target,
        recipient=UserId(row.recipient),
        created_by=UserId(row.created_by),
        next_fire=row.next_fire_utc,
        zone=row.zone,
        rrule=row.rrule,
        local_start=datetime.strptime(row.local_start, LOCAL_FORMAT) if row.local_start else None,  # noqa: DTZ007  wall-clock time
        payload=dict(row.payload),
    )


class SqlScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, spec: ScheduleSpec, *, at: datetime) -> Schedule:
        row = ScheduleRow(
            team_id=spec.team,
            kind=spec.kind.value,
            target=spec.target,
            recipient=spec.recipient,
            created_by=spec.created_by,
            rrule=spec.rrule,
            zone=spec.zone,
            local_start=spec.local_start.strftime(LOCAL_FORMAT) if spec.local_start else None,
            next_fire_utc=spec.first_fire,
            payload=dict(spec.payload),
            created_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return _schedule(row)

    async def get(self, team: TeamId, schedule_id: int) -> Schedule | None:
        row = await self._session.scalar(
            select(ScheduleRow).where(ScheduleRow.team_id == team, ScheduleRow.id == schedule_id)
        )
        return _schedule(row) if row is not None else None

    async def upcoming_involving(self, team: TeamId, user: UserId, kinds: list[Kind]) -> list[Schedule]:
        """Pending schedules for `user` or set by them, soonest first."""
        rows = await self._session.scalars(
            select(ScheduleRow)
            .where(
                ScheduleRow.team_id == team,
                or_(ScheduleRow.recipient == user, ScheduleRow.created_by == user),
                ScheduleRow.kind.in_([kind.value for kind in kinds]),
                ScheduleRow.next_fire_utc.is_not(None),
                ScheduleRow.cancelled_at.is_(None),
            )
            .order_by(ScheduleRow.next_fire_utc, ScheduleRow.id)
        )
        return [_schedule(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[Schedule]:
        rows = await self._session.scalars(
            select(ScheduleRow)
            .where(ScheduleRow.next_fire_utc <= now, ScheduleRow.cancelled_at.is_(None))
            .order_by(ScheduleRow.next_fire_utc)
            .limit(limit)
        )
        return [_schedule(row) for row in rows]

    async def advance(self, schedule_id: int, *, fired: datetime, next_fire: datetime | None) -> bool:
        """Move a schedule past `fired`, only if nobody else already did (compare-and-set)."""
        result = await self._session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.id == schedule_id, ScheduleRow.next_fire_utc == fired)
            .values(next_fire_utc=next_fire)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def reschedule(self, team: TeamId, schedule_id: int, next_fire: datetime) -> bool:
        result = await self._session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.team_id == team, ScheduleRow.id == schedule_id, ScheduleRow.cancelled_at.is_(None))
            .values(next_fire_utc=next_fire)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def cancel(self, team: TeamId, schedule_id: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.team_id == team, ScheduleRow.id == schedule_id, ScheduleRow.cancelled_at.is_(None))
            .values(cancelled_at=at, next_fire_utc=None)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def earliest(self) -> datetime | None:
        return await self._session.scalar(
            select(func.min(ScheduleRow.next_fire_utc)).where(ScheduleRow.cancelled_at.is_(None))
        )


class SqlDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def _db_now(self) -> ColumnElement[Any]:
        # Leases use the database's clock, the one clock every process shares.
        if self._dialect() == "sqlite":
            return func.strftime("%Y-%m-%d %H:%M:%f", "now")
        return func.now()

    def _db_now_plus(self, delta: timedelta) -> ColumnElement[Any]:
        if self._dialect() == "sqlite":
            return func.strftime("%Y-%m-%d %H:%M:%f", "now", f"+{delta.total_seconds():.3f} seconds")
        return func.now() + literal(delta)

    async def add_occurrence(self, schedule: Schedule, due: datetime) -> bool:
        """INSERT … ON CONFLICT DO NOTHING: two processes materializing the same occurrence make one row."""
        insert = pg_insert if self._dialect() == "postgresql" else sqlite_insert
        statement = (
            insert(DeliveryRow)
            .values(
                team_id=schedule.team,
                schedule_id=schedule.id,
                occurrence_key=occurrence_key(schedule.id, due),
                kind=schedule.kind.value,
                recipient=schedule.recipient,
                due_utc=due,
                status=DeliveryStatus.PENDING.value,
                attempts=0,
                next_attempt_utc=due,
                late=False,
                interrupted=False,
            )
            .on_conflict_do_nothing(index_elements=["occurrence_key"])
        )
        result = await self._session.execute(statement)
        return int(getattr(result, "rowcount", 0)) == 1

    async def claim(self, *, now: datetime, owner: str, lease: timedelta, limit: int) -> list[Delivery]:
        """Take up to `limit` ready deliveries for `owner`: pending and due, or claimed by a lease that ran out.

        PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several processes claim side by side without waiting for or
        taking each other's rows. SQLite: one process, and the UPDATE runs inside a write transaction.
        """
        expired = and_(
            DeliveryRow.status == DeliveryStatus.CLAIMED.value, DeliveryRow.lease_expires_utc < self._db_now()
        )
        ready = or_(
            and_(DeliveryRow.status == DeliveryStatus.PENDING.value, DeliveryRow.next_attempt_utc <= now), expired
        )
        candidates = select(DeliveryRow.id).where(ready).order_by(DeliveryRow.next_attempt_utc).limit(limit)
        if self._dialect() == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        statement = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(candidates.scalar_subquery()))
            .values(
                status=DeliveryStatus.CLAIMED.value,
                lease_owner=owner,
                lease_expires_utc=self._db_now_plus(lease),
                attempts=DeliveryRow.attempts + 1,
                # SET sees the row as it was: a row that was claimed already had its lease run out.
                interrupted=case(
                    (DeliveryRow.status == DeliveryStatus.CLAIMED.value, True), else_=DeliveryRow.interrupted
                ),
            )
            .returning(DeliveryRow.id)
            .execution_options(synchronize_session=False)
        )
        ids = list((await self._session.execute(statement)).scalars())
        if not ids:
            return []
        rows = await self._session.execute(
            select(
                DeliveryRow, ScheduleRow.payload, ScheduleRow.target, ScheduleRow.cancelled_at, ScheduleRow.created_by
            )
            .join(ScheduleRow, ScheduleRow.id == DeliveryRow.schedule_id)
            .where(DeliveryRow.id.in_(ids))
            .order_by(DeliveryRow.due_utc, DeliveryRow.id)
        )
        return [
            Delivery(
                id=row.id,
                team=TeamId(row.team_id),
                schedule_id=row.schedule_id,
                occurrence_key=row.occurrence_key,
                kind=Kind(row.kind),
                recipient=UserId(row.recipient),
                due=row.due_utc,
                attempts=row.attempts,
                interrupted=row.interrupted,
                payload=dict(payload),
                target=target,
                created_by=UserId(created_by),
                cancelled=cancelled_at is not None,
            )
            for row, payload, target, cancelled_at, created_by in rows
        ]

    async def _finish(self, delivery_id: int, owner: str, **values: Any) -> bool:
        """Record an outcome only while still holding the lease: a process that lost it must not overwrite."""
        result = await self._session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.id == delivery_id,
                DeliveryRow.lease_owner == owner,
                DeliveryRow.status == DeliveryStatus.CLAIMED.value,
            )
            .values(**values)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def mark_sent(self, delivery_id: int, owner: str, *, at: datetime, channel: str, ts: str, late: bool) -> bool:
        return await self._finish(
            delivery_id,
            owner,
            status=DeliveryStatus.SENT.value,
            sent_at=at,
            slack_channel=channel,
            slack_ts=ts,
            late=late,
            lease_expires_utc=None,
        )

    async def mark_retry(self, delivery_id: int, owner: str, *, next_attempt: datetime, error: str) -> bool:
        return await self._finish(
            delivery_id,
            owner,
            status=DeliveryStatus.PENDING.value,
            next_attempt_utc=next_attempt,
            last_error=error,
            lease_owner=None,
            lease_expires_utc=None,
        )

    async def mark_failed(self, delivery_id: int, owner: str, *, error: str) -> bool:
        return await self._finish(
            delivery_id, owner, status=DeliveryStatus.FAILED.value, last_error=error, lease_expires_utc=None
        )

    async def mark_skipped(self, delivery_id: int, owner: str) -> bool:
        return await self._finish(delivery_id, owner, status=DeliveryStatus.SKIPPED.value, lease_expires_utc=None)

    async def release(self, owner: str) -> int:
        """Hand back what this process claimed but did not send (graceful stop)."""
        result = await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.lease_owner == owner, DeliveryRow.status == DeliveryStatus.CLAIMED.value)
            .values(status=DeliveryStatus.PENDING.value, lease_owner=None, lease_expires_utc=None)
        )
        return int(getattr(result, "rowcount", 0))

    async def release_all(self) -> int:
        """SQLite only, at start: the lock says no other process runs, so every claim belongs to a dead one.

        They keep `interrupted`, so the dispatcher still checks Slack before posting them again.
        """
        result = await self._session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.status == DeliveryStatus.CLAIMED.value)
            .values(status=DeliveryStatus.PENDING.value, lease_owner=None, lease_expires_utc=None, interrupted=True)
        )
        return int(getattr(result, "rowcount", 0))

    async def earliest_ready(self) -> datetime | None:
        return await self._session.scalar(
            select(func.min(DeliveryRow.next_attempt_utc)).where(DeliveryRow.status == DeliveryStatus.PENDING.value)
        )

    async def counts(self, team: TeamId) -> dict[str, int]:
        rows = await self._session.execute(
            select(DeliveryRow.status, func.count()).where(DeliveryRow.team_id == team).group_by(DeliveryRow.status)
        )
        return {status: int(count) for status, count in rows}
