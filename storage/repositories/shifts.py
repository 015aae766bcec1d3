"""Shifts, weekly patterns, swap requests, duties and shared files. Every query is filtered by team, except the
pattern sweep that tops up every workspace's patterns (a maintenance job, like the reminder engine's claim)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.shifts import (
    Duty,
    DutyDraft,
    DutyKind,
    Handout,
    PatternDraft,
    SharedFile,
    Shift,
    ShiftDraft,
    ShiftPattern,
    ShiftStatus,
    SwapRequest,
    SwapStatus,
)
from storage.base import Base
from storage.models_shifts import (
    DutyHandoutRow,
    SharedFileRow,
    ShiftDutyRow,
    ShiftPatternRow,
    ShiftRow,
    ShiftSwapRow,
)


def _time(value: time) -> time:
    # SQLite and PostgreSQL both hand back naive times; seconds are never set.
    return value.replace(tzinfo=None, second=0, microsecond=0)


def _days(text: str) -> tuple[int, ...]:
    return tuple(int(day) for day in text)


def _shift(row: ShiftRow) -> Shift:
    return Shift(
        id=row.id,
        team=TeamId(row.team_id),
        user=UserId(row.user_id) if row.user_id else None,
        role=row.role,
        day=row.day,
        start=_time(row.start_local),
        end=_time(row.end_local),
        zone=row.zone,
        starts=row.starts_utc,
        ends=row.ends_utc,
        status=ShiftStatus(row.status),
        created_by=UserId(row.created_by),
        pattern_id=row.pattern_id,
        start_schedule_id=row.start_schedule_id,
        post_channel=ChannelId(row.post_channel) if row.post_channel else None,
        post_ts=row.post_ts,
    )


def _pattern(row: ShiftPatternRow) -> ShiftPattern:
    return ShiftPattern(
        id=row.id,
        team=TeamId(row.team_id),
        user=UserId(row.user_id),
        role=row.role,
        days=_days(row.days),
        start=_time(row.start_local),
        end=_time(row.end_local),
        zone=row.zone,
        first_day=row.first_day,
        through=row.through,
        created_by=UserId(row.created_by),
    )


def _swap(row: ShiftSwapRow) -> SwapRequest:
    return SwapRequest(
        id=row.id,
        team=TeamId(row.team_id),
        shift_id=row.shift_id,
        from_user=UserId(row.from_user),
        to_user=UserId(row.to_user),
        asked_by=UserId(row.asked_by),
        status=SwapStatus(row.status),
    )


def _duty(row: ShiftDutyRow) -> Duty:
    return Duty(
        id=row.id,
        team=TeamId(row.team_id),
        role=row.role,
        kind=DutyKind(row.kind),
        checklist_id=row.checklist_id,
        title=row.title,
        days=_days(row.days),
        created_by=UserId(row.created_by),
    )


def _handout(row: DutyHandoutRow) -> Handout:
    return Handout(
        id=row.id,
        duty_id=row.duty_id,
        day=row.day,
        shift_id=row.shift_id,
        user=UserId(row.user_id),
        task_id=row.task_id,
        run_id=row.run_id,
    )


def _file(row: SharedFileRow) -> SharedFile:
    return SharedFile(
        id=row.id,
        team=TeamId(row.team_id),
        user=UserId(row.user_id),
        file_id=row.file_id,
        name=row.name,
        url=row.url,
        size=row.size,
        shared_at=row.shared_at,
        imported_at=row.imported_at,
    )


def _live(team: TeamId) -> Select[ShiftRow]:
    return select(ShiftRow).where(ShiftRow.team_id == team, ShiftRow.status != ShiftStatus.CANCELLED.value)


class SqlShiftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, table: type[Base]) -> PgInsert | SqliteInsert:
        """INSERT … ON CONFLICT needs the dialect's own insert; both take the same arguments."""
        if self._session.get_bind().dialect.name == "postgresql":
            return pg_insert(table)
        return sqlite_insert(table)

    # ---- shifts ----------------------------------------------------------------------------------------------

    def _row(self, draft: ShiftDraft) -> dict[str, object]:
        starts, ends = draft.span()
        return {
            "team_id": draft.team,
            "user_id": draft.user,
            "role": draft.role,
            "day": draft.day,
            "start_local": draft.start,
            "end_local": draft.end,
            "zone": draft.zone,
            "starts_utc": starts,
            "ends_utc": ends,
            "pattern_id": draft.pattern_id,
            "status": draft.status.value,
            "created_by": draft.created_by,
            "created_at": draft.created_at,
        }

    async def add_shift(self, draft: ShiftDraft) -> Shift:
        row = ShiftRow(**self._row(draft))
        self._session.add(row)
        await self._session.flush()
        return _shift(row)

    async def add_pattern_shift(self, draft: ShiftDraft) -> Shift | None:
        """A pattern's shift for its day, unless that day's shift exists already (another process made it)."""
        statement = (
            self._insert(ShiftRow)
            .values(**self._row(draft))
            .on_conflict_do_nothing(index_elements=["team_id", "pattern_id", "day"])
            .returning(ShiftRow.id)
        )
        new_id = await self._session.scalar(statement)
        if new_id is None:
            return None
        starts, ends = draft.span()
        return Shift(
            id=new_id,
            team=draft.team,
            user=draft.user,
            role=draft.role,
            day=draft.day,
            start=draft.start,
            end=draft.end,
            zone=draft.zone,
            starts=starts,
            ends=ends,
            status=draft.status,
            created_by=draft.created_by,
            pattern_id=draft.pattern_id,
        )

    async def shift(self, team: TeamId, shift_id: int) -> Shift | None:
        row = await self._session.scalar(select(ShiftRow).where(ShiftRow.team_id == team, ShiftRow.id == shift_id))
        return _shift(row) if row is not None else None

    async def shifts_between(self, team: TeamId, since: datetime, until: datetime) -> list[Shift]:
        """Live shifts (scheduled or open) that start before `until` and end after `since`, in start order."""
        rows = await self._session.scalars(
            _live(team)
            .where(ShiftRow.starts_utc < until, ShiftRow.ends_utc > since)
            .order_by(ShiftRow.starts_utc, ShiftRow.id)
        )
        return [_shift(row) for row in rows]

    async def shifts_of(self, team: TeamId, user: UserId, since: datetime, until: datetime) -> list[Shift]:
        rows = await self._session.scalars(
            _live(team)
            .where(ShiftRow.user_id == user, ShiftRow.starts_utc < until, ShiftRow.ends_utc > since)
            .order_by(ShiftRow.starts_utc, ShiftRow.id)
        )
        return [_shift(row) for row in rows]

    async def has_role(self, team: TeamId, user: UserId, role: str, since: datetime) -> bool:
        found = await self._session.scalar(
            _live(team).where(ShiftRow.user_id == user, ShiftRow.role == role, ShiftRow.ends_utc > since).limit(1)
        )
        if found is not None:
            return True
        pattern = await self._session.scalar(
            select(ShiftPatternRow.id).where(
                ShiftPatternRow.team_id == team,
                ShiftPatternRow.user_id == user,
                ShiftPatternRow.role == role,
                ShiftPatternRow.stopped_at.is_(None),
            )
        )
        return pattern is not None

    async def set_start_schedule(self, team: TeamId, shift_id: int, schedule_id: int | None) -> None:
        await self._session.execute(
            update(ShiftRow)
            .where(ShiftRow.team_id == team, ShiftRow.id == shift_id)
            .values(start_schedule_id=schedule_id)
        )

    async def set_post(self, team: TeamId, shift_id: int, *, channel: ChannelId, ts: str) -> None:
        await self._session.execute(
            update(ShiftRow)
            .where(ShiftRow.team_id == team, ShiftRow.id == shift_id)
            .values(post_channel=channel, post_ts=ts)
        )

    async def cancel_shift(self, team: TeamId, shift_id: int, *, by: UserId, at: datetime) -> bool:
        result = await self._session.execute(
            update(ShiftRow)
            .where(ShiftRow.team_id == team, ShiftRow.id == shift_id, ShiftRow.status != ShiftStatus.CANCELLED.value)
            .values(status=ShiftStatus.CANCELLED.value, cancelled_by=by, cancelled_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim(self, team: TeamId, shift_id: int, user: UserId) -> bool:
        """Give an open shift to `user` if it is still open: one UPDATE, so of two claims at once exactly one
        changes the row (the other finds it taken)."""
        result = await self._session.execute(
            update(ShiftRow)
            .where(
                ShiftRow.team_id == team,
                ShiftRow.id == shift_id,
                ShiftRow.status == ShiftStatus.OPEN.value,
                ShiftRow.user_id.is_(None),
            )
            .values(user_id=user, status=ShiftStatus.SCHEDULED.value)
        )
        return bool(getattr(result, "rowcount", 0))

    async def reassign(self, team: TeamId, shift_id: int, *, from_user: UserId, to_user: UserId) -> bool:
        result = await self._session.execute(
            update(ShiftRow)
            .where(
                ShiftRow.team_id == team,
                ShiftRow.id == shift_id,
                ShiftRow.status == ShiftStatus.SCHEDULED.value,
                ShiftRow.user_id == from_user,
            )
            .values(user_id=to_user)
        )
        return bool(getattr(result, "rowcount", 0))

    # ---- patterns --------------------------------------------------------------------------------------------

    async def add_pattern(self, draft: PatternDraft, *, through: date) -> ShiftPattern:
        row = ShiftPatternRow(
            team_id=draft.team,
            user_id=draft.user,
            role=draft.role,
            days="".join(str(day) for day in draft.days),
            start_local=draft.start,
            end_local=draft.end,
            zone=draft.zone,
            first_day=draft.first_day,
            through=through,
            created_by=draft.created_by,
            created_at=draft.created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _pattern(row)

    async def pattern(self, team: TeamId, pattern_id: int) -> ShiftPattern | None:
        row = await self._session.scalar(
            select(ShiftPatternRow).where(
                ShiftPatternRow.team_id == team,
                ShiftPatternRow.id == pattern_id,
                ShiftPatternRow.stopped_at.is_(None),
            )
        )
        return _pattern(row) if row is not None else None

    async def patterns_behind(self, before: date, limit: int) -> list[ShiftPattern]:
        """Patterns (of every workspace) not yet expanded up to `before`."""
        rows = await self._session.scalars(
            select(ShiftPatternRow)
            .where(ShiftPatternRow.stopped_at.is_(None), ShiftPatternRow.through < before)
            .order_by(ShiftPatternRow.through, ShiftPatternRow.id)
            .limit(limit)
        )
        return [_pattern(row) for row in rows]

    async def advance_pattern(self, team: TeamId, pattern_id: int, *, from_day: date, to_day: date) -> bool:
        """Move a pattern's horizon from `from_day` to `to_day`; False when another process moved it first."""
        result = await self._session.execute(
            update(ShiftPatternRow)
            .where(
                ShiftPatternRow.team_id == team, ShiftPatternRow.id == pattern_id, ShiftPatternRow.through == from_day
            )
            .values(through=to_day)
        )
        return bool(getattr(result, "rowcount", 0))

    async def stop_pattern(self, team: TeamId, pattern_id: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(ShiftPatternRow)
            .where(
                ShiftPatternRow.team_id == team, ShiftPatternRow.id == pattern_id, ShiftPatternRow.stopped_at.is_(None)
            )
            .values(stopped_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def pattern_shifts_from(self, team: TeamId, pattern_id: int, since: datetime) -> list[Shift]:
        rows = await self._session.scalars(
            _live(team)
            .where(ShiftRow.pattern_id == pattern_id, ShiftRow.starts_utc >= since)
            .order_by(ShiftRow.starts_utc)
        )
        return [_shift(row) for row in rows]

    # ---- swaps -----------------------------------------------------------------------------------------------

    async def add_swap(
        self, team: TeamId, shift_id: int, *, from_user: UserId, to_user: UserId, asked_by: UserId, at: datetime
    ) -> SwapRequest:
        row = ShiftSwapRow(
            team_id=team,
            shift_id=shift_id,
            from_user=from_user,
            to_user=to_user,
            asked_by=asked_by,
            status=SwapStatus.PENDING.value,
            created_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return _swap(row)

    async def swap(self, team: TeamId, swap_id: int) -> SwapRequest | None:
        row = await self._session.scalar(
            select(ShiftSwapRow).where(ShiftSwapRow.team_id == team, ShiftSwapRow.id == swap_id)
        )
        return _swap(row) if row is not None else None

    async def pending_swap(self, team: TeamId, shift_id: int) -> SwapRequest | None:
        row = await self._session.scalar(
            select(ShiftSwapRow).where(
                ShiftSwapRow.team_id == team,
                ShiftSwapRow.shift_id == shift_id,
                ShiftSwapRow.status == SwapStatus.PENDING.value,
            )
        )
        return _swap(row) if row is not None else None

    async def decide_swap(self, team: TeamId, swap_id: int, status: SwapStatus, *, at: datetime) -> bool:
        """Settle a pending request; False when it was settled already (a double click, another process)."""
        result = await self._session.execute(
            update(ShiftSwapRow)
            .where(
                ShiftSwapRow.team_id == team,
                ShiftSwapRow.id == swap_id,
                ShiftSwapRow.status == SwapStatus.PENDING.value,
            )
            .values(status=status.value, decided_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    # ---- duties ----------------------------------------------------------------------------------------------

    async def add_duty(self, draft: DutyDraft) -> Duty:
        row = ShiftDutyRow(
            team_id=draft.team,
            role=draft.role,
            kind=draft.kind.value,
            checklist_id=draft.checklist_id,
            title=draft.title,
            days="".join(str(day) for day in draft.days),
            created_by=draft.created_by,
            created_at=draft.created_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _duty(row)

    async def duties(self, team: TeamId) -> list[Duty]:
        rows = await self._session.scalars(
            select(ShiftDutyRow)
            .where(ShiftDutyRow.team_id == team, ShiftDutyRow.removed_at.is_(None))
            .order_by(ShiftDutyRow.id)
        )
        return [_duty(row) for row in rows]

    async def remove_duty(self, team: TeamId, duty_id: int, *, at: datetime) -> Duty | None:
        row = await self._session.scalar(
            select(ShiftDutyRow).where(
                ShiftDutyRow.team_id == team, ShiftDutyRow.id == duty_id, ShiftDutyRow.removed_at.is_(None)
            )
        )
        if row is None:
            return None
        row.removed_at = at
        await self._session.flush()
        return _duty(row)

    async def hand_out(self, team: TeamId, duty_id: int, day: date, shift: Shift, *, at: datetime) -> Handout:
        """The day's handout of a duty: made for `shift` if nobody has it yet, else the one that exists (which
        may belong to this same shift, when a delivery is retried)."""
        assert shift.user is not None
        await self._session.execute(
            self._insert(DutyHandoutRow)
            .values(team_id=team, duty_id=duty_id, day=day, shift_id=shift.id, user_id=shift.user, at=at)
            .on_conflict_do_nothing(index_elements=["team_id", "duty_id", "day"])
        )
        row = await self._session.scalar(
            select(DutyHandoutRow).where(
                DutyHandoutRow.team_id == team, DutyHandoutRow.duty_id == duty_id, DutyHandoutRow.day == day
            )
        )
        assert row is not None
        return _handout(row)

    async def record_handout(self, team: TeamId, handout_id: int, *, task_id: int | None, run_id: int | None) -> None:
        await self._session.execute(
            update(DutyHandoutRow)
            .where(DutyHandoutRow.team_id == team, DutyHandoutRow.id == handout_id)
            .values(task_id=task_id, run_id=run_id)
        )

    # ---- shared files ----------------------------------------------------------------------------------------

    async def add_file(
        self, team: TeamId, user: UserId, *, file_id: str, name: str, url: str, size: int, at: datetime
    ) -> None:
        await self._session.execute(
            self._insert(SharedFileRow)
            .values(team_id=team, user_id=user, file_id=file_id, name=name, url=url, size=size, shared_at=at)
            .on_conflict_do_nothing(index_elements=["team_id", "file_id"])
        )

    async def latest_file(self, team: TeamId, user: UserId, since: datetime) -> SharedFile | None:
        row = await self._session.scalar(
            select(SharedFileRow)
            .where(
                SharedFileRow.team_id == team,
                SharedFileRow.user_id == user,
                SharedFileRow.shared_at >= since,
                SharedFileRow.imported_at.is_(None),
            )
            .order_by(SharedFileRow.shared_at.desc(), SharedFileRow.id.desc())
            .limit(1)
        )
        return _file(row) if row is not None else None

    async def mark_imported(self, team: TeamId, file_row: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(SharedFileRow)
            .where(SharedFileRow.team_id == team, SharedFileRow.id == file_row, SharedFileRow.imported_at.is_(None))
            .values(imported_at=at)
        )
        return bool(getattr(result, "rowcount", 0))
