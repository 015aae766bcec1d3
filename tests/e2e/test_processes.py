"""Real bot processes: killed with reminders pending, and two of them sharing one PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from bot.domain.clock import SystemClock
from bot.domain.ids import TeamId, UserId
from bot.domain.reminders import Kind, ScheduleSpec
from bot.sandbox.server import SlackDouble
from storage.db import create_engine, migrate, session_factory
from storage.models import DeliveryRow, ScheduleRow
from storage.unit_of_work import SqlUnitOfWork
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import GIULIA, LUCA, MARIA, SAM, TEAM
from tests.e2e.test_cli import START_TIMEOUT, bot_process, free_port, wait_healthy

pytestmark = pytest.mark.slow
PEOPLE = [GIULIA, MARIA, LUCA, SAM]


def delivered_keys(double: SlackDouble) -> Counter[str]:
    """Occurrence keys of every reminder DM the double received, from the messages' metadata."""
    keys: Counter[str] = Counter()
    for person in PEOPLE:
        for message in double.dm(person):
            payload = (message.metadata or {}).get("event_payload") or {}
            keys.update(key for key in str(payload.get("occurrence_keys", "")).split(",") if key)
    return keys


async def add_reminders(database_url: str, count: int, at: datetime) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            for n in range(count):
                await uow.schedules.add(
                    ScheduleSpec(
                        team=TeamId(TEAM),
                        kind=Kind.REMINDER,
                        target="reminder",
                        recipient=UserId(PEOPLE[n % len(PEOPLE)]),
                        created_by=UserId(GIULIA),
                        first_fire=at,
                        zone="Europe/Rome",
                        payload={"text": f"reminder {n}"},
                    ),
                    at=SystemClock().now(),
                )
    finally:
        await engine.dispose()


async def wait_all_sent(database_url: str, count: int, timeout: float) -> dict[str, int]:  # noqa: ASYNC109
    engine = create_engine(database_url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            async with engine.connect() as connection:
                sent = await connection.scalar(
                    select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "sent")
                )
                if sent == count:
                    owners = await connection.execute(
                        select(DeliveryRow.lease_owner, func.count()).group_by(DeliveryRow.lease_owner)
                    )
                    return {str(owner): int(n) for owner, n in owners}
            await asyncio.sleep(0.2)
        raise AssertionError(f"not all {count} reminders were sent within {timeout} s")
    finally:
        await engine.dispose()


def env_for(double: SlackDouble, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "OPS_", "DATABASE_"))}
    return env | {
        "SLACK_BOT_TOKEN": double.bot_token,
        "SLACK_SIGNING_SECRET": double.signing_secret,
        "SLACK_API_URL": double.api_url,
        "DATABASE_URL": database_url,
    }


async def test_a_killed_bot_delivers_its_pending_reminders_once_after_restart(
    double: SlackDouble, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'ops.db'}"
    env = env_for(double, database_url)
    await add_reminders(database_url, 40, datetime.now(UTC) + timedelta(minutes=1))
    port = free_port()
    async with bot_process(env, tmp_path, "run", "--http", "--port", str(port)) as process:
        await wait_healthy(port, process)
        process.send_signal(signal.SIGKILL)  # no goodbye: whatever it held in memory is gone
        await process.wait()
    assert delivered_keys(double) == Counter()
    # The bot stays down past the reminders' time: as if it had been down for ten minutes, without waiting them.
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            update(ScheduleRow).values(next_fire_utc=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=9))
        )
    await engine.dispose()

    async with bot_process(env, tmp_path, "run", "--http", "--port", str(port)) as restarted:
        await wait_healthy(port, restarted)
        await wait_all_sent(database_url, 40, timeout=30)
        restarted.send_signal(signal.SIGTERM)
        await asyncio.wait_for(restarted.wait(), START_TIMEOUT)
    keys = delivered_keys(double)
    assert len(keys) == 40
    assert set(keys.values()) == {1}
    # Each person got one message for their ten, marked late, and the rows say so too.
    for person in PEOPLE:
        (late,) = [m for m in double.dm(person) if m.from_bot]
        assert "came due while I could not send them" in late.all_text() or "sono scaduti" in late.all_text()
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(DeliveryRow.status, DeliveryRow.late))).all()
    await engine.dispose()
    assert set(rows) == {("sent", True)}


@pytest.fixture
async def fresh_postgres() -> AsyncIterator[str]:
    if not POSTGRES_URL:
        pytest.skip("OPS_TEST_DATABASE_URL is not set")
    name = f"ops_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _database = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.mark.postgres
async def test_two_bots_on_one_postgresql_deliver_each_of_1000_reminders_once(
    double: SlackDouble, fresh_postgres: str, tmp_path: Path
) -> None:
    env = env_for(double, fresh_postgres)
    await add_reminders(fresh_postgres, 1000, datetime.now(UTC) - timedelta(seconds=1))
    ports = [free_port(), free_port()]
    async with (
        bot_process(env, tmp_path, "run", "--http", "--port", str(ports[0])) as first,
        bot_process(env, tmp_path, "run", "--http", "--port", str(ports[1])) as second,
    ):
        await wait_healthy(ports[0], first)
        await wait_healthy(ports[1], second)
        owners = await wait_all_sent(fresh_postgres, 1000, timeout=60)
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
        for process in (first, second):
            assert await asyncio.wait_for(process.wait(), START_TIMEOUT) == 0
    keys = delivered_keys(double)
    assert len(keys) == 1000
    assert set(keys.values()) == {1}, "a reminder was delivered twice"
    assert sum(owners.values()) == 1000
    print(f"deliveries per process: {sorted(owners.values())}")
