"""Digests as people use them: a channel subscribed daily and weekly, posted once per period through the reminder
engine (late and coalesced after downtime, once with two bots), the weekly chart, a person's morning DM,
`/ops digest now`, sections and quiet days, and turning it off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import Row, select

from bot.app import build_app
from bot.runtime import finish_background_work
from bot.sandbox.records import Message
from bot.sandbox.server import SlackDouble
from bot.server import build_web_app
from storage.models import DeliveryRow
from storage.models_digests import DigestSubscriptionRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot, bot_settings
from tests.e2e.talk import command
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC (09:00 in Rome, the workspace's zone). #ops is C0OPS0001.
OPS = "C0OPS0001"


def digests(double: SlackDouble, channel: str = OPS) -> list[Message]:
    return [m for m in double.messages(channel) if m.from_bot and not m.files]


async def deliveries(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(DeliveryRow).order_by(DeliveryRow.id))


async def test_a_daily_digest_once_a_day_late_and_coalesced_after_downtime(
    running: RunningBot, double: SlackDouble
) -> None:
    refused = await command(double, LUCA, "digest daily 08:00")
    assert "manager" in refused.all_text()
    answer = await command(double, ALEX, "digest daily 08:00")
    assert "Daily digest here at 08:00 (Europe/Rome)" in answer.all_text()
    (row,) = await stored_rows(running.bot.engine, select(DigestSubscriptionRow))
    assert (row.target, row.kind, row.local_time, row.zone) == (OPS, "daily", "08:00", "Europe/Rome")

    running.clock.set(datetime(2026, 12, 1, 6, 59, tzinfo=UTC))
    await running.tick()
    assert digests(double) == []
    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # 08:00 in Rome
    await running.tick()
    await double.wait_for(lambda: True if len(digests(double)) == 1 else None)
    await running.tick()
    assert len(digests(double)) == 1

    # Down over two digest times: one digest when back, marked late.
    running.clock.set(datetime(2026, 12, 3, 8, 30, tzinfo=UTC))
    await running.tick()
    await double.wait_for(lambda: True if len(digests(double)) == 2 else None)
    late = digests(double)[1]
    assert f"<!date^{int(datetime(2026, 12, 3, 7, 0, tzinfo=UTC).timestamp())}^" in late.all_text()
    statuses = [d.status for d in await deliveries(running)]
    assert statuses.count("sent") == 2

    off = await command(double, ALEX, "digest off")
    assert "Stopped 1 digest(s)." in off.all_text()
    running.clock.set(datetime(2026, 12, 4, 7, 1, tzinfo=UTC))
    await running.tick()
    assert len(digests(double)) == 2


async def test_two_bots_post_one_digest(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "digest daily 08:00")
    second = build_app(bot_settings(double), engine=running.bot.engine, clock=running.clock, post_interval=0.0)
    runner = web.AppRunner(build_web_app(second, serve_events=True), access_log=None)
    await runner.setup()
    try:
        running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
        await asyncio.gather(running.tick(), second.reminders.tick())
        await double.wait_for(lambda: True if len(digests(double)) == 1 else None)
        await asyncio.gather(running.tick(), second.reminders.tick())
        assert len(digests(double)) == 1
    finally:
        await runner.cleanup()
        await finish_background_work()
        await second.close()


async def test_weekly_chart_personal_dm_now_and_sections(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "digest weekly monday 09:00")
    await command(double, MARIA, "riepilogo io 07:45")
    sections = await command(double, ALEX, "digest sections tasks cases")
    assert "tasks, cases" in sections.all_text() or "cases, tasks" in sections.all_text()
    shown = await command(double, ALEX, "digest")
    assert "Weekly digest here on Mon 09:00 (Europe/Rome)" in shown.all_text()

    running.clock.set(datetime(2026, 12, 1, 6, 45, tzinfo=UTC))  # 07:45 in Rome: Maria's morning DM
    await running.tick()
    dm = await double.wait_for(lambda: next((m for m in double.dm(MARIA) if m.from_bot), None))
    assert dm.all_text()

    running.clock.set(datetime(2026, 12, 7, 8, 0, tzinfo=UTC))  # Monday 09:00 in Rome
    await running.tick()
    await double.wait_for(lambda: True if len(digests(double)) == 1 else None)
    chart = await double.wait_for(lambda: next((f for f in double.files if f.filename.endswith(".png")), None))
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert OPS in chart.channels

    await command(double, ALEX, "digest now", channel="C0GENERAL")
    await double.wait_for(lambda: True if digests(double, "C0GENERAL") else None)
    bad = await command(double, ALEX, "digest daily 25:00")
    assert "Example: `/ops digest daily 08:00`" in bad.all_text()


async def test_a_quiet_day_is_one_line_or_nothing(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "digest daily 08:00")
    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    await running.tick()
    quiet = await double.wait_for(lambda: (digests(double) or [None])[0])
    assert "a quiet day" in quiet.all_text()
    await command(double, ALEX, "digest quiet skip")
    running.clock.set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    await running.tick()
    assert len(digests(double)) == 1
    statuses = [d.status for d in await deliveries(running)]
    assert statuses == ["sent", "skipped"]


async def test_a_seeded_days_digest_section_by_section(running: RunningBot, double: SlackDouble) -> None:
    """Monday: a checklist run left unfinished with a reading out of range, a high complaint, feedback and a task
    due that evening. Tuesday's digest then shows every section."""
    await command(double, GIULIA, "checklist create Opening")
    await command(double, GIULIA, "checklist add Opening Turn on the ovens")
    await command(double, GIULIA, "checklist add Opening Fridge temperature number 0-5 °C")
    await command(double, GIULIA, "checklist schedule Opening every day at 9:30 in <#C0OPS0001|ops>")
    await command(double, SAM, "complaint Waited 40 minutes for a table high — Marco, phone")
    await command(double, ALEX, "feedback 4 slow service at lunch #service")
    await command(double, SAM, "task add Order napkins due today 17:00")
    await command(double, SAM, "task add Call the plumber due tomorrow 17:00")
    await command(double, ALEX, f"shift add <@{MARIA}|m> tomorrow 7:00-15:00 role kitchen")
    await command(double, LUCA, "away tomorrow")
    await command(double, GIULIA, f"riunione Punto settimanale con <@{SAM}|s> domani alle 15")
    running.clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # 09:30 in Rome: the checklist is posted
    await running.tick()
    post = await double.wait_for(lambda: next((m for m in digests(double) if "Opening" in m.all_text()), None))
    fridge = next(b for b in post.blocks if "Fridge temperature" in str(b))
    await double.send_block_action(LUCA, "checklist_value", message=post, block_id=str(fridge["block_id"]))
    await double.wait_for(lambda: double.open_views(LUCA) or None)
    await double.send_view_submission(LUCA, values={"value": {"value": "7"}})

    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # Tuesday 08:00 in Rome
    before = len(digests(double, "C0GENERAL"))
    await command(double, ALEX, "digest now", channel="C0GENERAL")
    digest = await double.wait_for(
        lambda: digests(double, "C0GENERAL")[before] if len(digests(double, "C0GENERAL")) > before else None
    )
    text = digest.all_text()
    assert "Daily digest" in text
    assert "On shift today (1)" in text
    assert f"<@{MARIA}>" in text
    assert "Away today (1)" in text
    assert f"<@{LUCA}>" in text
    assert "Meetings today (1)" in text
    assert "Punto settimanale" in text
    assert "Tasks: 1 overdue, 1 due today" in text
    assert "Order napkins" in text
    assert "Call the plumber" in text
    assert "Checklists yesterday" in text
    assert "Readings out of range (1):" in text
    assert "Open cases: 1, 1 past a target" in text
    assert "Yesterday's feedback: 1, average rating 4.0." in text
