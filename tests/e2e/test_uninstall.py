"""A workspace that uninstalls the app (single-token mode, through the Slack double): it hears nothing while it is
gone, finds everything back on a reinstall without a burst of stale reminders, and is purged by the operator's
command or by housekeeping once the retention period is over."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from bot.domain.ids import TeamId
from bot.domain.workspaces import Installation
from bot.runtime import build_scheduler, finish_background_work
from bot.sandbox.records import AppReply
from bot.sandbox.server import SlackDouble
from storage.db import create_engine, migrate
from storage.models import DeliveryRow, WorkspaceInstallRow
from storage.repositories.workspaces import purge_plan
from tests.e2e.conftest import LUCA, TEAM, RunningBot, bot_settings, serving
from tests.e2e.talk import bot_dms, command, next_bot_dm
from tests.stored import stored_rows

# The clock fixture starts at Monday 2026-11-30 08:00 UTC (03:00 in New York, where Luca is).
RETENTION = timedelta(days=30)  # OPS_RETENTION_DAYS' default
CLI_TIMEOUT = 60.0


async def slack_says(double: SlackDouble, event: dict[str, Any]) -> AppReply:
    """An Events API delivery, and whatever its listener does after the acknowledgement."""
    reply = await double.send_event(event)
    await finish_background_work()
    return reply


def app_uninstalled() -> dict[str, Any]:
    return {"type": "app_uninstalled", "event_ts": "1764489600.000100"}


def tokens_revoked(*, bot: list[str], oauth: list[str]) -> dict[str, Any]:
    return {"type": "tokens_revoked", "tokens": {"oauth": oauth, "bot": bot}, "event_ts": "1764489600.000200"}


async def installs(engine: AsyncEngine) -> list[Row[Any]]:
    return await stored_rows(engine, select(WorkspaceInstallRow))


async def rows_of_team(engine: AsyncEngine, team: str) -> dict[str, int]:
    """Rows per table that carry `team` (tables without team_id hang from ones that have it)."""
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for step in purge_plan():
            if "team_id" in step.table.c:
                query = select(func.count()).select_from(step.table).where(step.table.c.team_id == team)
                counts[step.table.name] = int((await connection.execute(query)).scalar_one())
    return {table: count for table, count in counts.items() if count}


async def set_up_luca(double: SlackDouble) -> None:
    """A task for Friday, a reminder every day at 9 and one for today at 10 (New York)."""
    added = await command(double, LUCA, "task add Order napkins due friday 17:00")
    assert "Task #1 created: *Order napkins*" in added.all_text()
    await double.send_message_im(LUCA, "remind me to check the fridge every day at 9")
    assert "check the fridge" in (await next_bot_dm(double, LUCA, 0)).all_text()
    await double.send_message_im(LUCA, "remind me to call the supplier today at 10")
    assert "call the supplier" in (await next_bot_dm(double, LUCA, 1)).all_text()


async def test_an_uninstalled_workspace_hears_nothing_and_finds_everything_back(
    running: RunningBot, double: SlackDouble
) -> None:
    await set_up_luca(double)
    gone_at = running.clock.now()

    assert (await slack_says(double, app_uninstalled())).status == 200
    (row,) = await installs(running.bot.engine)
    assert (row.team_id, row.uninstalled_at, row.purge_after) == (TEAM, gone_at, gone_at + RETENTION)
    # Slack follows with tokens_revoked: the same uninstall, the purge date does not move.
    running.clock.advance(timedelta(seconds=2))
    assert (await slack_says(double, tokens_revoked(bot=[double.workspace.bot_user_id], oauth=[]))).status == 200
    assert [(r.uninstalled_at, r.purge_after) for r in await installs(running.bot.engine)] == [
        (gone_at, gone_at + RETENTION)
    ]

    # Monday 10:00 and Tuesday 09:00 in New York pass: nothing is posted while the app is gone.
    running.clock.set(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert await running.tick() == 0
    assert len(bot_dms(double, LUCA)) == 2  # the two confirmations only

    # Reinstalled (the OAuth callback's call): the task is there, and the stale reminders do not all arrive now.
    back = await running.bot.services.workspaces.installed(TeamId(TEAM))
    assert back == Installation(TeamId(TEAM), installed_at=running.clock.now())
    listed = await command(double, LUCA, "task list")
    assert "Your open tasks (1)" in listed.all_text()
    assert "Order napkins" in listed.all_text()
    assert await running.tick() == 0
    assert len(bot_dms(double, LUCA)) == 2

    # Wednesday 09:00 in New York: the daily reminder is back, on time.
    running.clock.set(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    assert await running.tick() == 1
    fridge = await next_bot_dm(double, LUCA, 2)
    assert "check the fridge" in fridge.all_text()
    assert "late" not in fridge.all_text()
    assert not any("call the supplier" in m.all_text() for m in bot_dms(double, LUCA)[2:])
    sent = await stored_rows(running.bot.engine, select(DeliveryRow).where(DeliveryRow.status == "sent"))
    assert [(d.due_utc, d.late) for d in sent] == [(running.clock.now(), False)]


async def test_a_revoked_user_token_alone_changes_nothing(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(LUCA, "remind me to call the supplier in 10 minutes")
    await next_bot_dm(double, LUCA, 0)
    assert (await slack_says(double, tokens_revoked(bot=[], oauth=[LUCA]))).status == 200
    assert await installs(running.bot.engine) == []
    running.clock.advance(timedelta(minutes=10))
    assert await running.tick() == 1
    assert "call the supplier" in (await next_bot_dm(double, LUCA, 1)).all_text()


async def test_housekeeping_purges_the_workspace_once_the_retention_period_is_over(
    running: RunningBot, double: SlackDouble
) -> None:
    scheduler = build_scheduler(running.bot)
    job = scheduler.get_job("housekeeping:purge-uninstalled")
    assert job is not None
    assert job.func == running.bot.services.workspaces.purge_expired
    await set_up_luca(double)
    await slack_says(double, app_uninstalled())
    kept = await rows_of_team(running.bot.engine, TEAM)
    assert {"tasks", "schedules", "workspace_installs", "audit_log"} <= kept.keys()

    running.clock.advance(RETENTION - timedelta(minutes=1))
    assert await job.func() == []
    assert await rows_of_team(running.bot.engine, TEAM) == kept
    running.clock.advance(timedelta(minutes=1))
    (purged,) = await job.func()
    assert (purged.team, dict(purged.removed)) == (TEAM, kept)
    assert await rows_of_team(running.bot.engine, TEAM) == {}
    # Someone of that workspace asking afterwards finds nothing of before.
    listed = await command(double, LUCA, "task list")
    assert "Nothing here." in listed.all_text()


# ---- the operator's command ----------------------------------------------------------------------------------------


async def purge_command(database_url: str, cwd: Path, *args: str) -> tuple[int, str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "OPS_", "DATABASE_"))}
    env |= {"DATABASE_URL": database_url, "OPS_LANGUAGE": "en"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "purge",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), CLI_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.slow
async def test_the_purge_command_forgets_the_workspace_at_once(
    double: SlackDouble, clock: ManualClock, sqlite_url: str, tmp_path: Path
) -> None:
    # SQLite only: the command is a process of its own, and reaches the test's file by its URL.
    engine = create_engine(sqlite_url)
    await migrate(engine)
    try:
        async with serving(bot_settings(double, sqlite_url), double, engine, clock) as running:
            await set_up_luca(double)
            before = await rows_of_team(engine, TEAM)
            assert {"tasks", "schedules", "processed_requests"} <= before.keys()

            code, out, err = await purge_command(sqlite_url, tmp_path, "--team", "t0ops0001")
            assert code == 2
            assert "“t0ops0001” is not a Slack team ID" in err
            assert "Example: ops-assistant purge --team T0123ABCD" in err
            assert await rows_of_team(engine, TEAM) == before  # refused: nothing touched

            code, out, err = await purge_command(sqlite_url, tmp_path, "--team", TEAM)
            assert code == 0, err
            lines = out.strip().splitlines()
            assert lines[0] == f"Workspace {TEAM} purged: {sum(before.values())} rows removed."
            assert lines[1:] == [f"  {table}: {count}" for table, count in sorted(before.items())]
            assert await rows_of_team(engine, TEAM) == {}

            listed = await command(double, LUCA, "task list")
            assert "Nothing here." in listed.all_text()
            running.clock.advance(timedelta(days=2))
            assert await running.tick() == 0  # its reminders went with it

            code, out, _err = await purge_command(sqlite_url, tmp_path, "--team", "T0NOBODY1")
            assert (code, out.strip()) == (0, "Nothing was stored for workspace T0NOBODY1: nothing removed.")
    finally:
        await engine.dispose()
