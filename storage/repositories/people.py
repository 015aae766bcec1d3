"""Working hours, time off and holidays. Every query is filtered by team."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId, UserId
from bot.domain.people_time import Away, Holiday, StoredHours, TimeOff, TimeOffDraft, WorkingHours
from storage.models_people import DEFAULT_USER, HolidayRow, TimeOffRow, WorkingHoursRow


def _time(value: time) -> time:
    # SQLite and PostgreSQL both hand back naive times; seconds are never set.
    return value.replace(tzinfo=None, second=0, microsecond=0)


def _hours(row: WorkingHoursRow) -> StoredHours:
    return StoredHours(
        team=TeamId(row.team_id),
        user=UserId(row.user_id) if row.user_id != DEFAULT_USER else None,
        hours=WorkingHours(_time(row.start_local), _time(row.end_local), tuple(int(day) for day in row.days)),
        zone=row.zone,
        set_by=UserId(row.set_by),
        set_at=row.set_at,
    )


def _time_off(row: TimeOffRow) -> TimeOff:
    return TimeOff(
        id=row.id,
        team=TeamId(row.team_id),
        user=UserId(row.user_id),
        first=row.first_day,
        last=row.last_day,
        zone=row.zone,
        reason=row.reason,
        created_by=UserId(row.created_by),
        cover=UserId(row.cover_user) if row.cover_user else None,
    )


def _holiday(row: HolidayRow) -> Holiday:
    return Holiday(team=TeamId(row.team_id), day=row.day, name=row.name, created_by=UserId(row.created_by))


class SqlPeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- working hours ---------------------------------------------------------------------------------------

    async def _hours_row(self, team: TeamId, user: UserId | None) -> WorkingHoursRow | None:
        return await self._session.scalar(
            select(WorkingHoursRow).where(
                WorkingHoursRow.team_id == team, WorkingHoursRow.user_id == (user or DEFAULT_USER)
            )
        )

    async def hours(self, team: TeamId, user: UserId | None) -> StoredHours | None:
        row = await self._hours_row(team, user)
        return _hours(row) if row is not None else None

    async def put_hours(self, stored: StoredHours) -> None:
        row = await self._hours_row(stored.team, stored.user)
        if row is None:
            row = WorkingHoursRow(team_id=stored.team, user_id=stored.user or DEFAULT_USER)
            self._session.add(row)
        row.start_local = stored.hours.start
        row.end_local = stored.hours.end
        row.days = "".join(str(day) for day in stored.hours.days)
        row.zone = stored.zone
        row.set_by = stored.set_by
        row.set_at = stored.set_at
        await self._session.flush()

    # ---- time off --------------------------------------------------------------------------------------------

    async def add_time_off(self, draft: TimeOffDraft) -> TimeOff:
        row = TimeOffRow(
            team_id=draft.team,
            user_id=draft.user,
            first_day=draft.first,
            last_day=draft.last,
            zone=draft.zone,
            starts_utc=draft.starts,
            ends_utc=draft.ends,
            reason=draft.reason,
            cover_user=draft.cover,
            created_by=draft.created_by,
            created_at=draft.created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _time_off(row)

    async def time_off(self, team: TeamId, time_off_id: int) -> TimeOff | None:
        row = await self._session.scalar(
            select(TimeOffRow).where(
                TimeOffRow.team_id == team, TimeOffRow.id == time_off_id, TimeOffRow.cancelled_at.is_(None)
            )
        )
        return _time_off(row) if row is not None else None

    async def overlapping_time_off(self, team: TeamId, user: UserId, first: date, last: date) -> list[TimeOff]:
        rows = await self._session.scalars(
            select(TimeOffRow)
            .where(
                TimeOffRow.team_id == team,
                TimeOffRow.user_id == user,
                TimeOffRow.cancelled_at.is_(None),
                TimeOffRow.first_day <= last,
                TimeOffRow.last_day >= first,
            )
            .order_by(TimeOffRow.first_day, TimeOffRow.id)
        )
        return [_time_off(row) for row in rows]

    async def away_until(self, team: TeamId, user: UserId, at: datetime) -> datetime | None:
        """When the time off that `at` falls in ends (the latest end, if several touch), or None."""
        return await self._session.scalar(
            select(func.max(TimeOffRow.ends_utc)).where(
                TimeOffRow.team_id == team,
                TimeOffRow.user_id == user,
                TimeOffRow.cancelled_at.is_(None),
                TimeOffRow.starts_utc <= at,
                TimeOffRow.ends_utc > at,
            )
        )

    async def away(self, team: TeamId, user: UserId, at: datetime) -> Away | None:
        """The time off `at` falls in (the one ending last, if several touch): when it ends and who covers."""
        row = (
            await self._session.execute(
                select(TimeOffRow.ends_utc, TimeOffRow.cover_user)
                .where(
                    TimeOffRow.team_id == team,
                    TimeOffRow.user_id == user,
                    TimeOffRow.cancelled_at.is_(None),
                    TimeOffRow.starts_utc <= at,
                    TimeOffRow.ends_utc > at,
                )
                .order_by(TimeOffRow.ends_utc.desc(), TimeOffRow.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return Away(back=row[0], cover=UserId(row[1]) if row[1] else None)

    async def away_among(self, team: TeamId, users: list[UserId], at: datetime) -> set[UserId]:
        """Which of `users` are on time off at `at`, in one query."""
        if not users:
            return set()
        found = await self._session.scalars(
            select(TimeOffRow.user_id)
            .where(
                TimeOffRow.team_id == team,
                TimeOffRow.user_id.in_(users),
                TimeOffRow.cancelled_at.is_(None),
                TimeOffRow.starts_utc <= at,
                TimeOffRow.ends_utc > at,
            )
            .distinct()
        )
        return {UserId(user) for user in found}

    async def time_off_between(self, team: TeamId, user: UserId, since: datetime, until: datetime) -> list[TimeOff]:
        """A person's time off that overlaps the instants from `since` to `until`."""
        rows = await self._session.scalars(
            select(TimeOffRow)
            .where(
                TimeOffRow.team_id == team,
                TimeOffRow.user_id == user,
                TimeOffRow.cancelled_at.is_(None),
                TimeOffRow.starts_utc < until,
                TimeOffRow.ends_utc > since,
            )
            .order_by(TimeOffRow.starts_utc)
        )
        return [_time_off(row) for row in rows]

    async def time_off_since(self, team: TeamId, day: date) -> list[TimeOff]:
        rows = await self._session.scalars(
            select(TimeOffRow)
            .where(TimeOffRow.team_id == team, TimeOffRow.cancelled_at.is_(None), TimeOffRow.last_day >= day)
            .order_by(TimeOffRow.first_day, TimeOffRow.id)
        )
        return [_time_off(row) for row in rows]

    async def cancel_time_off(self, team: TeamId, time_off_id: int, *, by: UserId, at: datetime) -> bool:
        result = await self._session.execute(
            update(TimeOffRow)
            .where(TimeOffRow.team_id == team, TimeOffRow.id == time_off_id, TimeOffRow.cancelled_at.is_(None))
            .values(cancelled_at=at, cancelled_by=by)
        )
        return bool(getattr(result, "rowcount", 0))

    # ---- holidays --------------------------------------------------------------------------------------------

    async def holiday(self, team: TeamId, day: date) -> Holiday | None:
        row = await self._session.scalar(select(HolidayRow).where(HolidayRow.team_id == team, HolidayRow.day == day))
        return _holiday(row) if row is not None else None

    async def add_holiday(self, holiday: Holiday, *, zone: str, at: datetime) -> None:
        self._session.add(
            HolidayRow(
                team_id=holiday.team,
                day=holiday.day,
                name=holiday.name,
                zone=zone,
                created_by=holiday.created_by,
                created_at=at,
            )
        )
        await self._session.flush()

    async def holidays(self, team: TeamId, *, since: date | None) -> list[Holiday]:
        query = select(HolidayRow).where(HolidayRow.team_id == team)
        if since is not None:
            query = query.where(HolidayRow.day >= since)
        rows = await self._session.scalars(query.order_by(HolidayRow.day))
        return [_holiday(row) for row in rows]

    async def remove_holiday(self, team: TeamId, day: date) -> bool:
        result = await self._session.execute(
            delete(HolidayRow).where(HolidayRow.team_id == team, HolidayRow.day == day)
        )
        return bool(getattr(result, "rowcount", 0))
