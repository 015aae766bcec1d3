"""The rota's storage rules that must hold under concurrency: an open shift goes to one claimant, a pattern's day
gets one shift, a duty is handed out once a day; and every read is scoped by workspace."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ids import TeamId, UserId
from bot.domain.shifts import DutyDraft, DutyKind, ShiftDraft, ShiftStatus
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MANAGER, MARIA, SAM = UserId("U0GIULIA1"), UserId("U0MARIA01"), UserId("U0SAM0001")


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


def draft(team: TeamId, user: UserId | None, day: date, *, pattern: int | None = None) -> ShiftDraft:
    return ShiftDraft(
        team=team,
        user=user,
        role="kitchen",
        day=day,
        start=time(9, 0),
        end=time(17, 0),
        zone="Europe/Rome",
        status=ShiftStatus.SCHEDULED if user else ShiftStatus.OPEN,
        created_by=MANAGER,
        created_at=NOW,
        pattern_id=pattern,
    )


async def test_two_claims_at_once_give_the_open_shift_to_exactly_one(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        shift = await work.shifts.add_shift(draft(T1, None, date(2026, 12, 5)))

    async def claim(user: UserId) -> bool:
        async with uow(engine) as work:
            return await work.shifts.claim(T1, shift.id, user)

    results = await asyncio.gather(claim(MARIA), claim(SAM))
    assert sorted(results) == [False, True]
    async with uow(engine) as work:
        taken = await work.shifts.shift(T1, shift.id)
    assert taken is not None
    assert taken.status is ShiftStatus.SCHEDULED
    assert taken.user == (MARIA if results[0] else SAM)


async def test_a_pattern_day_gets_one_shift_however_often_it_is_expanded(engine: AsyncEngine) -> None:
    day = date(2026, 12, 1)

    async def expand() -> bool:
        async with uow(engine) as work:
            return await work.shifts.add_pattern_shift(draft(T1, MARIA, day, pattern=7)) is not None

    assert sorted(await asyncio.gather(expand(), expand(), expand())) == [False, False, True]
    async with uow(engine) as work:
        found = await work.shifts.shifts_of(T1, MARIA, NOW, datetime(2026, 12, 2, tzinfo=UTC))
        assert [(s.day, s.pattern_id) for s in found] == [(day, 7)]
        # Another workspace's pattern with the same number is its own.
        assert await work.shifts.add_pattern_shift(draft(T2, MARIA, day, pattern=7)) is not None
        assert await work.shifts.shifts_of(T2, SAM, NOW, datetime(2026, 12, 2, tzinfo=UTC)) == []


async def test_a_duty_is_handed_out_once_a_day_to_the_first_shift(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        duty = await work.shifts.add_duty(
            DutyDraft(T1, "", DutyKind.TASK, None, "Count the till", (0, 1, 2, 3, 4, 5, 6), MANAGER, NOW)
        )
        first = await work.shifts.add_shift(draft(T1, MARIA, date(2026, 12, 1)))
        second = await work.shifts.add_shift(draft(T1, SAM, date(2026, 12, 1)))

    async def hand_out(shift_id: int) -> int:
        async with uow(engine) as work:
            shift = await work.shifts.shift(T1, shift_id)
            assert shift is not None
            return (await work.shifts.hand_out(T1, duty.id, shift.day, shift, at=NOW)).shift_id

    winners = await asyncio.gather(hand_out(first.id), hand_out(second.id), hand_out(first.id))
    assert len(set(winners)) == 1
    assert winners[0] in (first.id, second.id)
    async with uow(engine) as work:
        assert await work.shifts.duties(T2) == []
        assert [d.title for d in await work.shifts.duties(T1)] == ["Count the till"]
