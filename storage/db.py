"""Engine, sessions, migrations and the single-process guard for SQLite.

The URL people configure is the plain one (`sqlite:///ops.db`, `postgresql://…`); the async driver is
chosen here so nobody has to know about aiosqlite or asyncpg.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5_000


def async_url(database_url: str) -> URL:
    """`sqlite:///x.db` → `sqlite+aiosqlite:///x.db`; `postgres(ql)://…` → `postgresql+asyncpg://…`."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1))
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database: {url.get_backend_name()}")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that `_begin_immediate` decides how each
    # transaction starts (SQLAlchemy's documented recipe for pysqlite and aiosqlite).
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the one writer; the busy timeout makes a writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Take the write lock when the transaction starts, not at its first write: a claim (read the ready rows,
    # then mark them) can then never interleave with another writer's.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str, **options: Any) -> AsyncEngine:
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        # One connection: SQLite has one writer anyway, and queueing in asyncio for the connection is far
        # cheaper than several connections meeting in SQLite's busy handler, which sleeps between tries.
        engine = create_async_engine(url, pool_size=1, max_overflow=0, **options)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **options)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    return config


def head_revisions() -> frozenset[str]:
    """The revisions a fully migrated database is at (one, unless two branches await a merge revision)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


# Any fixed number: the key of the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK_KEY = 7_315_001


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Replicas starting together would otherwise race to create the same tables and alembic_version row; the
        # second one waits here, then finds the schema at head and has nothing to do. Released at commit.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


async def migrate(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def current_revisions(engine: AsyncEngine) -> frozenset[str]:
    async with engine.connect() as connection:
        heads = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_heads())
    return frozenset(heads)


async def is_ready(engine: AsyncEngine, expected_revisions: frozenset[str]) -> bool:
    """The database answers and its schema is the one this code was written for."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return await current_revisions(engine) == expected_revisions
    except Exception:
        return False


class AnotherProcessRunning(Exception):
    """SQLite is one process's database; a second bot on the same file must not start."""


@dataclass
class ProcessLock:
    path: Path
    handle: IO[str]

    def release(self) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def lock_single_process(database_url: str) -> ProcessLock | None:
    """Hold an exclusive lock next to a SQLite file for the life of the process; None for PostgreSQL.

    An OS file lock, not a row with a lease: the kernel drops it the instant the process dies, so a
    crashed bot can be restarted at once and no stale lease has to expire first.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database).resolve().with_name(Path(url.database).name + ".lock")
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise AnotherProcessRunning(
            f"{url.database} is already used by a running Ops Assistant ({holder}). SQLite allows one bot "
            "process; stop the other one, or use PostgreSQL (DATABASE_URL=postgresql://…) to run several."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return ProcessLock(path=path, handle=handle)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
