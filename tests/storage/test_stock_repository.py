"""Stock order numbers: drafted at the same moment in one workspace they never collide, and each workspace counts
its own."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ids import TeamId
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")


async def test_order_numbers_drawn_at_once_are_distinct_and_per_workspace(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)

    async def draw(team: TeamId) -> int:
        async with SqlUnitOfWork(sessions) as uow:
            return await uow.stock.next_order_number(team)

    numbers = await asyncio.gather(*(draw(T1) for _ in range(6)))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert await draw(T2) == 1
    assert await draw(T1) == 7
