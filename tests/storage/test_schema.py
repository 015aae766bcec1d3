from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.audit import AuditEntry
from bot.domain.ids import TeamId, UserId
from storage.db import (
    AnotherProcessRunning,
    async_url,
    create_engine,
    current_revisions,
    head_revisions,
    is_ready,
    lock_single_process,
    migrate,
    session_factory,
)
from storage.models_answers import include_object
from storage.tables import metadata
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import POSTGRES_URL


def _diff(connection: Connection) -> list[object]:
    # As `alembic revision --autogenerate` compares (storage/migrations/env.py): full-text search objects are left out.
    context = MigrationContext.configure(connection, opts={"include_object": include_object})
    return list(compare_metadata(context, metadata))


async def test_migrations_reach_head_and_match_the_models(engine: AsyncEngine) -> None:
    assert await current_revisions(engine) == head_revisions()
    async with engine.connect() as connection:
        # A model changed without a migration shows up here, and fails CI.
        assert await connection.run_sync(_diff) == []
    assert await is_ready(engine, head_revisions())


async def test_times_come_back_aware_and_in_utc(engine: AsyncEngine) -> None:
    rome = timezone(timedelta(hours=1))
    written = datetime(2026, 3, 29, 2, 30, tzinfo=rome)
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        await uow.audit.add(AuditEntry(TeamId("T1"), UserId("U1"), "test", "x", at=written))
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        (entry,) = await uow.audit.recent(TeamId("T1"), 5)
    assert entry.at == written
    assert entry.at.tzinfo is not None
    assert entry.at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    with pytest.raises(Exception, match="naive"):
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            await uow.audit.add(AuditEntry(TeamId("T1"), UserId("U1"), "test", "x", at=datetime(2026, 1, 1)))  # noqa: DTZ001
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        assert await uow.audit.recent(TeamId("T1"), 5) == []


def test_plain_urls_get_the_async_driver() -> None:
    assert async_url("sqlite:///ops.db").drivername == "sqlite+aiosqlite"
    assert async_url("postgresql://u@h/db").drivername == "postgresql+asyncpg"
    assert async_url("postgres://u@h/db").drivername == "postgresql+asyncpg"


def test_a_second_process_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    first = lock_single_process(url)
    assert first is not None
    with pytest.raises(AnotherProcessRunning, match="SQLite allows one bot process"):
        lock_single_process(url)
    first.release()
    again = lock_single_process(url)
    assert again is not None
    again.release()


def test_postgresql_needs_no_process_lock() -> None:
    assert lock_single_process("postgresql://u@127.0.0.1/test") is None


def test_aware_now_is_what_tests_use() -> None:
    assert datetime.now(UTC).tzinfo is UTC


@pytest.mark.postgres
async def test_two_processes_migrating_an_empty_postgres_at_once_both_succeed() -> None:
    """Replicas started together migrate the same empty database: one waits for the other's advisory lock, then
    finds the schema at head."""
    if POSTGRES_URL is None:
        pytest.skip("OPS_TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    replicas = [
        create_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}) for _ in range(2)
    ]
    try:
        await asyncio.gather(*(migrate(replica) for replica in replicas))
        assert await current_revisions(replicas[0]) == head_revisions()
    finally:
        for replica in replicas:
            await replica.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
