"""`--seed demo`: Trattoria's week typed in through the double, then what its people see in Slack."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.seed import GIULIA, MARIA, OPS, SeedError, seed_demo
from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import Workspace
from tests.e2e.conftest import RunningBot, bot_settings, serving

# tests/sandbox/conftest.py has its own `double` and `clock` (the bare double's): these are the bot's.
START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Rome


@pytest.fixture
def shop_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def slack() -> AsyncIterator[SlackDouble]:
    async with SlackDouble(Workspace.sample()) as double:
        yield double


@pytest.fixture
async def bot(slack: SlackDouble, engine: AsyncEngine, shop_clock: ManualClock) -> AsyncIterator[RunningBot]:
    async with serving(bot_settings(slack), slack, engine, shop_clock) as running:
        yield running


async def ask(slack: SlackDouble, user: str, text: str) -> Ephemeral:
    before = len(slack.ephemerals(user, OPS))
    await slack.send_command(user, text, channel_id=OPS)

    def answer() -> Ephemeral | None:
        new = slack.ephemerals(user, OPS)[before:]
        return new[0] if new else None

    return await slack.wait_for(answer, timeout=5)


async def test_the_demo_week_shows_in_the_digest_books_insights_and_home(bot: RunningBot, slack: SlackDouble) -> None:
    started = time.perf_counter()
    await seed_demo(slack, bot.clock)
    assert time.perf_counter() - started < 20
    assert bot.clock.now() == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # an hour on: two tasks are now late
    await bot.tick()

    before = len(slack.messages(OPS))
    await slack.send_command(GIULIA, "digest now", channel_id=OPS)

    def digest() -> Message | None:
        return next((m for m in slack.messages(OPS)[before:] if "Daily digest" in m.all_text()), None)

    text = (await slack.wait_for(digest, timeout=5)).all_text()
    for seen in (
        "On shift today (2)",
        f"<@{MARIA}>",
        "kitchen",
        "4 due today",
        "Check the freezer seals",
        "Clean the espresso machine",
        "Open cases: 2",
        "Cold food served at table 4",
        "waiting on customer",
        "Stock below minimum (2)",
        "*San Marzano tomatoes*: 4 kg (min 10 kg)",
        "*mozzarella*: 3 kg (min 5 kg)",
    ):
        assert seen in text, seen

    # Giulia reads Italian: this month against last, with the case's voucher among the expenses.
    books = (await ask(slack, GIULIA, "books")).all_text().replace("\xa0", " ")  # Babel puts a no-break space before €
    assert "Conti, Novembre 2026" in books
    assert "*Entrate:* 3.670,00 € (Ottobre 2026: 3.560,00 €" in books
    assert "*Spese:* 2.278,00 € (Ottobre 2026: 2.650,00 €" in books
    assert "• buoni: 15,00 €" in books

    insights = (await ask(slack, GIULIA, "insights")).all_text()
    assert "Media *3,8*/5 su 4 feedback" in insights
    assert "a second coffee machine for the morning rush" in insights

    def home_text() -> str:
        home = slack.home_view(MARIA) or {"blocks": []}
        return "\n".join(b["text"].get("text", "") for b in home["blocks"] if isinstance(b.get("text"), dict))

    await slack.send_app_home_opened(MARIA)  # the Home published before the clock moved is redrawn on opening
    shown = await slack.wait_for(lambda: home_text() if "scaduta da" in home_text() else None, timeout=5)
    assert "*responsabile*" in shown  # Giulia made her the manager
    assert "*Staff meeting* · Back room · :white_check_mark:" in shown  # and she answered Going
    assert "*#1* Check the freezer seals · ⚠️ scaduta da" in shown
    assert "Call the wine supplier" in shown  # the team's overdue tasks, for a manager
    assert "San Marzano tomatoes" in shown

    handover = [m for m in slack.messages(OPS) if m.from_bot and "Morning, kitchen" in m.all_text()]
    assert len(handover) == 1

    # Seeding the same database again changes nothing (a second `stock add` of the same item would be refused).
    ephemerals = len(slack.ephemerals(GIULIA))
    await seed_demo(slack, bot.clock)
    assert len(slack.ephemerals(GIULIA)) == ephemerals + 1  # only the check, `/ops stock`


async def test_a_refused_step_stops_the_seed_with_the_bots_answer(bot: RunningBot, slack: SlackDouble) -> None:
    await slack.send_command(GIULIA, "room add Back room capacity 4", channel_id=OPS)  # the seed adds it again
    with pytest.raises(
        SeedError, match=r"/ops room add Back room capacity 8 \(as U0GIULIA1\) was refused: .*Back room"
    ):
        await seed_demo(slack, bot.clock)
