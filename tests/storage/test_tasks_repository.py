"""Task rows: per-workspace numbers, one workspace never seeing another's tasks, the list filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ids import TeamId, UserId
from bot.domain.tasks import Priority, Scope, Task, TaskQuery, TaskStatus
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")
MARIA, LUCA = UserId("U0MARIA01"), UserId("U0LUCA001")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


def draft(team: TeamId, number: int, title: str, **changes: Any) -> Task:
    task = Task(
        id=0,
        team=team,
        number=number,
        title=title,
        assignee=MARIA,
        created_by=LUCA,
        status=TaskStatus.OPEN,
        priority=Priority.NORMAL,
        tags=(),
        notes="",
        due=None,
        rrule=None,
        zone="Europe/Rome",
        local_start=None,
        source_link=None,
        created_at=NOW,
    )
    return replace(task, **changes)


async def test_numbers_count_per_workspace(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        numbers = [await work.tasks.next_number(T1), await work.tasks.next_number(T1), await work.tasks.next_number(T2)]
    async with uow(engine) as work:
        numbers.append(await work.tasks.next_number(T1))
    assert numbers == [1, 2, 1, 3]


async def test_a_rolled_back_task_leaves_nothing(engine: AsyncEngine) -> None:
    async def add_then_fail() -> None:
        async with uow(engine) as work:
            await work.tasks.add(draft(T1, await work.tasks.next_number(T1), "Ghost"))
            raise RuntimeError("the command failed")

    with pytest.raises(RuntimeError, match="the command failed"):
        await add_then_fail()
    async with uow(engine) as work:
        assert await work.tasks.get(T1, 1) is None
        assert await work.tasks.next_number(T1) == 1


async def test_tasks_round_trip_and_stay_in_their_workspace(engine: AsyncEngine) -> None:
    due = NOW + timedelta(days=1)
    async with uow(engine) as work:
        stored = await work.tasks.add(
            draft(
                T1,
                1,
                "Order napkins",
                due=due,
                tags=("supplies", "front_of_house"),
                priority=Priority.HIGH,
                rrule="FREQ=DAILY",
                local_start=datetime(2026, 12, 1, 9, 0),  # noqa: DTZ001  wall-clock time
            )
        )
        await work.tasks.add(draft(T2, 1, "Someone else's"))
    async with uow(engine) as work:
        found = await work.tasks.get(T1, 1)
        assert found == stored
        assert found is not None
        assert found.due == due
        assert found.tags == ("supplies", "front_of_house")
        assert (await work.tasks.get(T2, 1) or stored).title == "Someone else's"
        assert await work.tasks.get_by_id(T2, stored.id) is None


async def test_list_filters(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        await work.tasks.add(draft(T1, 1, "Later", due=NOW + timedelta(days=2)))
        await work.tasks.add(draft(T1, 2, "Overdue", due=NOW - timedelta(hours=1), assignee=LUCA))
        await work.tasks.add(draft(T1, 3, "No due", tags=("supplies",)))
        await work.tasks.add(draft(T1, 4, "Done", status=TaskStatus.DONE))
        await work.tasks.add(draft(T1, 5, "Tagged like", tags=("supplie",)))
        await work.tasks.add(draft(T1, 6, "Underscore", tags=("a_b",)))
        await work.tasks.add(draft(T2, 1, "Other team", due=NOW - timedelta(hours=1)))

    async def titles(query: TaskQuery, me: UserId = MARIA) -> list[str]:
        async with uow(engine) as work:
            return [task.title for task in await work.tasks.open_tasks(T1, query, me, now=NOW)]

    assert await titles(TaskQuery(Scope.ALL)) == ["Overdue", "Later", "No due", "Tagged like", "Underscore"]
    assert await titles(TaskQuery(Scope.MINE)) == ["Later", "No due", "Tagged like", "Underscore"]
    assert await titles(TaskQuery(Scope.OVERDUE)) == ["Overdue"]
    assert await titles(TaskQuery(Scope.PERSON, person=LUCA)) == ["Overdue"]
    assert await titles(TaskQuery(Scope.TAG, tag="supplies")) == ["No due"]
    assert await titles(TaskQuery(Scope.TAG, tag="a_b")) == ["Underscore"]
    assert await titles(TaskQuery(Scope.TAG, tag="a%")) == []
