"""Shared fixtures: a migrated database on SQLite always and on PostgreSQL when OPS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject.icalendar as vobject_icalendar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from storage.db import create_engine, migrate

POSTGRES_URL = os.environ.get("OPS_TEST_DATABASE_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="OPS_TEST_DATABASE_URL is not set"),
        ],
    ),
]


@pytest.fixture
def clock() -> ManualClock:
    # A Monday morning in Rome, a week before the 2026 DST change is irrelevant here but a fixed instant is not.
    return ManualClock(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ops.db'}"


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """A freshly migrated database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        engine = create_engine(sqlite_url)
        await migrate(engine)
        yield engine
        await engine.dispose()
        return
    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(autouse=True)
def _independent_calendar_parsing() -> Iterator[None]:
    """vobject keeps every VTIMEZONE it parses in a process-wide table, and later files with the same TZID are
    read with it: each test starts from the table as it was, so no test reads another's bounded time zone."""
    table: dict[str, object] = vars(vobject_icalendar)["__tzidMap"]
    saved = dict(table)
    yield
    table.clear()
    table.update(saved)
