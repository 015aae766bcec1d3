"""A workspace's installation record, and the purge that forgets everything stored for one workspace.

The purge test fills every table of the metadata with a row for each of two workspaces (children tied to their own
workspace's parents), so a table added later is covered without anyone remembering to add it here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ids import TeamId
from bot.domain.workspaces import Installation
from storage.db import session_factory
from storage.repositories.workspaces import UNSCOPED_TABLES, purge_plan
from storage.tables import metadata
from storage.types import UTCDateTime
from storage.unit_of_work import SqlUnitOfWork

GONE, STAYS = TeamId("T0GONE001"), TeamId("T0STAYS01")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SEARCH_TABLES = ("saved_answers_fts", "cases_fts", "documents_fts")  # SQLite's FTS5 indexes, kept by triggers


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


# ---- one row per workspace in every table ------------------------------------------------------------------------


def _value(table: Table, column: Column[Any], team: TeamId, parents: dict[str, int]) -> Any:
    if column.name == "team_id":
        return team
    for key in column.foreign_keys:
        return parents[key.column.table.name]
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return NOW
    if isinstance(kind, DateTime):
        return NOW.replace(tzinfo=None)  # slack-sdk's own tables keep naive UTC
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer | BigInteger):
        return 1
    if isinstance(kind, Numeric):
        return Decimal("1.00")
    if isinstance(kind, Date):
        return date(2026, 11, 30)
    if isinstance(kind, Time):
        return time(9, 0)
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String | Text):
        # Distinct per workspace (some columns are unique across workspaces) and within the column's length.
        value = f"{team[-5:]}{table.name}.{column.name}"
        length = getattr(kind, "length", None)
        return value[:length] if length else value
    raise AssertionError(f"no sample value for {table.name}.{column.name} ({kind!r})")


async def seed_every_table(engine: AsyncEngine, team: TeamId) -> None:
    """A row in every table for `team`, parents first; a child's foreign keys point at its own team's parents."""
    ids: dict[str, int] = {}
    async with engine.begin() as connection:
        for table in metadata.sorted_tables:
            values = {
                column.name: _value(table, column, team, ids)
                for column in table.c
                if not (column.primary_key and column.autoincrement is not False and isinstance(column.type, Integer))
            }
            statement = table.insert().values(values)
            key = [column for column in table.primary_key if isinstance(column.type, Integer)]
            if len(key) == 1:
                ids[table.name] = int((await connection.execute(statement.returning(key[0]))).scalar_one())
            else:
                await connection.execute(statement)


async def rows_of(engine: AsyncEngine, team: TeamId) -> dict[str, int]:
    """Rows per table that belong to `team` (through its parents, for a table without team_id)."""
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for step in purge_plan():
            table = step.table
            if "team_id" in table.c:
                query = select(func.count()).select_from(table).where(table.c.team_id == team)
            else:
                (key, *_) = step.parent_keys
                parent = key.column.table
                owned = select(key.column).where(parent.c.team_id == team)
                query = select(func.count()).select_from(table).where(key.parent.in_(owned))
            counts[table.name] = int((await connection.execute(query)).scalar_one())
    return counts


# ---- the purge ---------------------------------------------------------------------------------------------------


async def test_a_purge_removes_every_row_of_the_workspace_and_nothing_of_another(engine: AsyncEngine) -> None:
    await seed_every_table(engine, GONE)
    await seed_every_table(engine, STAYS)
    everything = {table.name: 1 for table in metadata.sorted_tables if table.name not in UNSCOPED_TABLES}
    assert await rows_of(engine, GONE) == everything
    assert await rows_of(engine, STAYS) == everything

    async with uow(engine) as work:
        removed = await work.installations.purge(GONE)

    assert removed == everything  # every table of ours, counted
    for name in ("tasks", "schedules", "deliveries", "audit_log", "workspaces", "workspace_installs", "cases"):
        assert removed[name] == 1
    assert await rows_of(engine, GONE) == dict.fromkeys(everything, 0)
    assert await rows_of(engine, STAYS) == everything  # the other workspace keeps all it had
    async with engine.connect() as connection:
        for name in UNSCOPED_TABLES & set(metadata.tables):  # no workspace's: left alone
            assert (await connection.execute(select(func.count()).select_from(metadata.tables[name]))).scalar() == 2
        if engine.dialect.name == "sqlite":
            # The search indexes dropped the purged rows too: FTS5's check against the content table (rank 1)
            # fails on an index entry whose row is gone.
            for index in SEARCH_TABLES:
                await connection.execute(text(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)"))


async def test_a_failed_purge_removes_nothing(engine: AsyncEngine) -> None:
    await seed_every_table(engine, GONE)
    before = await rows_of(engine, GONE)

    class Stop(Exception):
        pass

    try:
        async with uow(engine) as work:
            assert await work.installations.purge(GONE)
            raise Stop  # whatever fails after the deletes: one transaction, all of it undone
    except Stop:
        pass
    assert await rows_of(engine, GONE) == before


async def test_purging_a_workspace_with_nothing_stored_removes_nothing(engine: AsyncEngine) -> None:
    await seed_every_table(engine, STAYS)
    async with uow(engine) as work:
        assert await work.installations.purge(GONE) == {}
    assert set((await rows_of(engine, STAYS)).values()) == {1}


def test_the_purge_covers_every_table_children_first() -> None:
    plan = [step.table.name for step in purge_plan()]
    assert set(plan) == set(metadata.tables) - UNSCOPED_TABLES
    for table in metadata.sorted_tables:
        if table.name in UNSCOPED_TABLES:
            continue
        # Every table is deleted by its own team_id or through a parent that has one…
        assert "team_id" in table.c or all("team_id" in key.column.table.c for key in table.foreign_keys), table.name
        # …and before every table it refers to, so no foreign key ever points at a deleted row.
        for key in table.foreign_keys:
            assert plan.index(table.name) < plan.index(key.column.table.name), (table.name, key.column.table.name)


def test_a_table_the_purge_cannot_scope_is_refused() -> None:
    other = MetaData()
    Table("teams_things", other, Column("id", Integer, primary_key=True), Column("team_id", String(32)))
    Table("orphans", other, Column("id", Integer, primary_key=True), Column("note", Text))
    Table(
        "thing_parts",
        other,
        Column("id", Integer, primary_key=True),
        Column("thing_id", Integer, ForeignKey("teams_things.id")),
    )
    with pytest.raises(ValueError, match="orphans"):
        purge_plan(other)


# ---- the installation record -------------------------------------------------------------------------------------


async def test_an_installation_round_trips_and_is_due_for_purge_after_its_date(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        assert await work.installations.get(GONE) is None
        await work.installations.put(Installation(GONE, installed_at=NOW))
        await work.installations.put(
            Installation(STAYS, installed_at=None, uninstalled_at=NOW, purge_after=NOW + timedelta(days=30))
        )
    async with uow(engine) as work:
        assert await work.installations.get(GONE, lock=True) == Installation(GONE, installed_at=NOW)
        left = await work.installations.get(STAYS)
        assert left == Installation(STAYS, None, NOW, NOW + timedelta(days=30))
        assert await work.installations.due_for_purge(NOW + timedelta(days=29)) == []
        assert await work.installations.due_for_purge(NOW + timedelta(days=30)) == [STAYS]
        await work.installations.put(Installation(STAYS, installed_at=NOW + timedelta(days=1)))
    async with uow(engine) as work:
        assert await work.installations.due_for_purge(NOW + timedelta(days=31)) == []  # reinstalled: kept


async def test_an_uninstall_is_recorded_once_the_first_event_wins(engine: AsyncEngine) -> None:
    later = NOW + timedelta(seconds=3)
    async with uow(engine) as work:  # never recorded before: single-token mode
        assert await work.installations.mark_uninstalled(GONE, at=NOW, purge_after=NOW + timedelta(days=30))
    async with uow(engine) as work:
        assert not await work.installations.mark_uninstalled(GONE, at=later, purge_after=later + timedelta(days=30))
        assert await work.installations.get(GONE) == Installation(GONE, None, NOW, NOW + timedelta(days=30))
        await work.installations.put(Installation(STAYS, installed_at=NOW))
    async with uow(engine) as work:  # installed, then uninstalled: its install time stays
        assert await work.installations.mark_uninstalled(STAYS, at=later, purge_after=later + timedelta(days=1))
        assert await work.installations.get(STAYS) == Installation(STAYS, NOW, later, later + timedelta(days=1))
