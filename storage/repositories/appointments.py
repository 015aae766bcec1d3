"""Bookable hours and appointments. Every query is filtered by team."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime, time, timedelta

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.appointments import HOLDING, Appointment, AppointmentDraft, AppointmentStatus, BookableHours
from bot.domain.ids import TeamId, UserId
from bot.domain.people_time import WorkingHours
from storage.models_appointments import AppointmentHoursRow, AppointmentRow


def _time(value: time) -> time:
    # SQLite and PostgreSQL both hand back naive times; seconds are never set.
    return value.replace(tzinfo=None, second=0, microsecond=0)


def _hours(row: AppointmentHoursRow) -> BookableHours:
    return BookableHours(
        team=TeamId(row.team_id),
        manager=UserId(row.manager_id),
        hours=WorkingHours(_time(row.start_local), _time(row.end_local), tuple(int(day) for day in row.days)),
        slot=timedelta(minutes=row.slot_minutes),
        zone=row.zone,
        set_by=UserId(row.set_by),
        set_at=row.set_at,
    )


def _appointment(row: AppointmentRow) -> Appointment:
    return Appointment(
        id=row.id,
        team=TeamId(row.team_id),
        manager=UserId(row.manager_id),
        booker=UserId(row.booker_id) if row.booker_id else None,
        created_by=UserId(row.created_by),
        starts=row.starts_utc,
        ends=row.ends_utc,
        zone=row.zone,
        status=AppointmentStatus(row.status),
        topic=row.topic,
        visitor_name=row.visitor_name,
        visitor_phone=row.visitor_phone,
        sequence=row.sequence,
        previous_starts=row.previous_starts_utc,
        reminder_schedule_id=row.reminder_schedule_id,
    )


def _lock_key(team: TeamId, manager: UserId) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks, one per manager's calendar."""
    digest = hashlib.blake2b(f"appointments:{team}:{manager}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_HOLDING = [status.value for status in HOLDING]


class SqlAppointmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- bookable hours --------------------------------------------------------------------------------------

    async def _hours_row(self, team: TeamId, manager: UserId) -> AppointmentHoursRow | None:
        return await self._session.scalar(
            select(AppointmentHoursRow).where(
                AppointmentHoursRow.team_id == team, AppointmentHoursRow.manager_id == manager
            )
        )

    async def hours(self, team: TeamId, manager: UserId) -> BookableHours | None:
        row = await self._hours_row(team, manager)
        return _hours(row) if row is not None else None

    async def put_hours(self, hours: BookableHours) -> None:
        row = await self._hours_row(hours.team, hours.manager)
        if row is None:
            row = AppointmentHoursRow(team_id=hours.team, manager_id=hours.manager)
            self._session.add(row)
        row.days = "".join(str(day) for day in sorted(hours.hours.days))
        row.start_local = hours.hours.start
        row.end_local = hours.hours.end
        row.slot_minutes = int(hours.slot.total_seconds() // 60)
        row.zone = hours.zone
        row.set_by = hours.set_by
        row.set_at = hours.set_at
        await self._session.flush()

    async def remove_hours(self, team: TeamId, manager: UserId) -> bool:
        result = await self._session.execute(
            delete(AppointmentHoursRow).where(
                AppointmentHoursRow.team_id == team, AppointmentHoursRow.manager_id == manager
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def lock_calendar(self, team: TeamId, manager: UserId) -> None:
        """Hold one manager's calendar until the transaction ends, so of two bookings of one slot at once the
        second sees the first. SQLite needs nothing: every transaction there begins IMMEDIATE (one writer)."""
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(team, manager)})

    # ---- appointments ----------------------------------------------------------------------------------------

    async def add(self, draft: AppointmentDraft) -> Appointment:
        row = AppointmentRow(
            team_id=draft.team,
            manager_id=draft.manager,
            booker_id=draft.booker,
            created_by=draft.created_by,
            starts_utc=draft.starts,
            ends_utc=draft.ends,
            zone=draft.zone,
            status=draft.status.value,
            topic=draft.topic,
            visitor_name=draft.visitor_name,
            visitor_phone=draft.visitor_phone,
            sequence=0,
            created_at=draft.created_at,
            updated_at=draft.created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _appointment(row)

    async def get(self, team: TeamId, appointment_id: int) -> Appointment | None:
        row = await self._session.scalar(
            select(AppointmentRow).where(AppointmentRow.team_id == team, AppointmentRow.id == appointment_id)
        )
        return _appointment(row) if row is not None else None

    async def holding(self, team: TeamId, manager: UserId, since: datetime, until: datetime) -> list[Appointment]:
        """The manager's appointments that hold their time (pending, proposed, confirmed) overlapping the range."""
        rows = await self._session.scalars(
            select(AppointmentRow)
            .where(
                AppointmentRow.team_id == team,
                AppointmentRow.manager_id == manager,
                AppointmentRow.status.in_(_HOLDING),
                AppointmentRow.starts_utc < until,
                AppointmentRow.ends_utc > since,
            )
            .order_by(AppointmentRow.starts_utc, AppointmentRow.id)
        )
        return [_appointment(row) for row in rows]

    async def involving(
        self,
        team: TeamId,
        user: UserId,
        since: datetime,
        until: datetime,
        statuses: Collection[AppointmentStatus],
    ) -> list[Appointment]:
        """Appointments where `user` is the manager or the colleague, of those statuses, overlapping the range."""
        rows = await self._session.scalars(
            select(AppointmentRow)
            .where(
                AppointmentRow.team_id == team,
                or_(AppointmentRow.manager_id == user, AppointmentRow.booker_id == user),
                AppointmentRow.status.in_([status.value for status in statuses]),
                AppointmentRow.starts_utc < until,
                AppointmentRow.ends_utc > since,
            )
            .order_by(AppointmentRow.starts_utc, AppointmentRow.id)
        )
        return [_appointment(row) for row in rows]

    async def transition(
        self,
        team: TeamId,
        appointment_id: int,
        *,
        from_statuses: Collection[AppointmentStatus],
        to_status: AppointmentStatus,
        at: datetime,
        by: UserId | None = None,
    ) -> bool:
        """Move an appointment on from one of `from_statuses`: one conditional UPDATE, so of two answers at once
        exactly one counts. A cancellation records who did it."""
        values: dict[str, object] = {
            "status": to_status.value,
            "updated_at": at,
            "sequence": AppointmentRow.sequence + 1,
        }
        if to_status is AppointmentStatus.CANCELLED:
            values["cancelled_by"] = by
        result = await self._session.execute(
            update(AppointmentRow)
            .where(
                AppointmentRow.team_id == team,
                AppointmentRow.id == appointment_id,
                AppointmentRow.status.in_([status.value for status in from_statuses]),
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def move(
        self,
        team: TeamId,
        appointment_id: int,
        *,
        from_status: AppointmentStatus,
        to_status: AppointmentStatus,
        starts: datetime,
        ends: datetime,
        at: datetime,
    ) -> bool:
        """Another time: the old start is kept as the one first asked for."""
        result = await self._session.execute(
            update(AppointmentRow)
            .where(
                AppointmentRow.team_id == team,
                AppointmentRow.id == appointment_id,
                AppointmentRow.status == from_status.value,
            )
            .values(
                status=to_status.value,
                previous_starts_utc=AppointmentRow.starts_utc,
                starts_utc=starts,
                ends_utc=ends,
                sequence=AppointmentRow.sequence + 1,
                updated_at=at,
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_reminder(self, team: TeamId, appointment_id: int, schedule_id: int | None) -> None:
        await self._session.execute(
            update(AppointmentRow)
            .where(AppointmentRow.team_id == team, AppointmentRow.id == appointment_id)
            .values(reminder_schedule_id=schedule_id)
        )
