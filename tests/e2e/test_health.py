"""GET /healthz is liveness (the process serves; no database); GET /readyz is readiness (the database answers and
its schema is at the head revision)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from aiohttp import web
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app
from bot.sandbox.server import SlackDouble
from bot.server import build_web_app
from storage.db import alembic_config, create_engine, current_revisions, head_revisions, migrate
from tests.e2e.conftest import bot_settings


@asynccontextmanager
async def probes(double: SlackDouble, engine: AsyncEngine, database_url: str) -> AsyncIterator[str]:
    """A bot in Socket Mode's shape (no /slack/events) on `engine`; yields its base URL."""
    bot = build_app(bot_settings(double, database_url), engine=engine)
    runner = web.AppRunner(build_web_app(bot, serve_events=False), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        await bot.close()


async def statuses(url: str) -> tuple[int, int]:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/healthz") as live:
            assert (await live.json())["status"] == "ok"
            health = live.status
        async with session.get(f"{url}/readyz") as ready:
            return health, ready.status


async def test_readyz_waits_for_migrations_while_healthz_answers_at_once(double: SlackDouble, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = create_engine(url)
    try:
        async with probes(double, engine, url) as base:
            assert await statuses(base) == (200, 503)
            await migrate(engine)
            assert await statuses(base) == (200, 200)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{base}/readyz") as ready:
                    assert await ready.json() == {"status": "ok", "schema": sorted(head_revisions())}
                # Without /slack/events (Socket Mode) the probes and /metrics are still served.
                async with session.post(f"{base}/slack/events") as events:
                    assert events.status in (404, 405)
                async with session.get(f"{base}/metrics") as metrics:
                    assert metrics.status == 200
    finally:
        await engine.dispose()


def _stamp_one_behind(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    (head,) = head_revisions()
    previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
    assert previous  # the head revision has a parent (or, for a merge revision, several)
    command.stamp(config, [previous] if isinstance(previous, str) else list(previous), purge=True)


async def test_a_schema_behind_the_head_revision_is_not_ready(double: SlackDouble, engine: AsyncEngine) -> None:
    async with probes(double, engine, "sqlite:///unused.db") as base:
        assert await statuses(base) == (200, 200)
        async with engine.begin() as connection:
            await connection.run_sync(_stamp_one_behind)
        assert await current_revisions(engine) != head_revisions()
        assert await statuses(base) == (200, 503)


async def test_an_unreachable_database_is_not_ready_but_the_process_is_alive(
    double: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-directory' / 'ops.db'}"  # SQLite cannot open a file there
    engine = create_engine(url)
    try:
        async with probes(double, engine, url) as base:
            assert await statuses(base) == (200, 503)
            async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as metrics:
                # The counters are still served; the delivery gauges, which need the database, are left out.
                text = await metrics.text()
                assert metrics.status == 200
                assert "ops_requests_total" in text
                assert "ops_deliveries{" not in text
    finally:
        await engine.dispose()
