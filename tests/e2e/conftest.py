"""The real bot, over real HTTP on a loopback port, talking to the Slack double as it would to Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, build_app
from bot.config import Settings
from bot.domain.clock import ManualClock
from bot.runtime import finish_background_work
from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import Workspace
from bot.server import EVENTS_PATH, build_web_app
from tests.mail.servers import SmtpSink, local_smtp_sink

GIULIA = "U0GIULIA1"  # owner, Europe/Rome, it-IT
MARIA = "U0MARIA01"  # staff, Europe/Rome, it-IT
LUCA = "U0LUCA001"  # staff, America/New_York, en-US
SAM = "U0SAM0001"  # staff, Europe/London, en-GB
ALEX = "U0ADMIN02"  # admin, Asia/Tokyo, en-US
TEAM = "T0OPS0001"


@dataclass
class RunningBot:
    bot: Bot
    url: str
    clock: ManualClock

    async def tick(self) -> int:
        return await self.bot.reminders.tick()


@pytest.fixture
async def double() -> AsyncIterator[SlackDouble]:
    async with SlackDouble(Workspace.sample()) as slack:
        yield slack


def bot_settings(double: SlackDouble, database_url: str = "sqlite:///unused.db") -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=double.bot_token,
        slack_signing_secret=double.signing_secret,
        slack_api_url=double.api_url,
        database_url=database_url,
        ops_default_timezone="Europe/Rome",
        ops_language="en",
    )


@asynccontextmanager
async def serving(
    settings: Settings, double: SlackDouble, engine: AsyncEngine, clock: ManualClock
) -> AsyncIterator[RunningBot]:
    """The bot with these settings on the test's clock, served on a loopback port the double sends events to."""
    # Time is the test's: scheduled posts are not spaced out in real seconds (tests/unit/test_pacing.py covers it).
    bot = build_app(settings, engine=engine, clock=clock, post_interval=0.0)
    runner = web.AppRunner(build_web_app(bot, serve_events=True), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}"
    double.connect_app(url + EVENTS_PATH)
    try:
        yield RunningBot(bot=bot, url=url, clock=clock)
    finally:
        await runner.cleanup()
        # What listeners still do after their ack (invitations, uploads) finishes before the database goes.
        await finish_background_work()
        await bot.close()


@pytest.fixture
async def running(double: SlackDouble, engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[RunningBot]:
    """The bot on the test's clock: the engine is ticked by the test after moving time, not by APScheduler."""
    async with serving(bot_settings(double), double, engine, clock) as bot:
        yield bot


@pytest.fixture
async def smtp(request: pytest.FixtureRequest) -> AsyncIterator[SmtpSink]:
    """A mail relay on loopback that keeps what the bot sends; `@pytest.mark.parametrize("smtp", [n],
    indirect=True)` makes it refuse (451) the first n messages."""
    async with local_smtp_sink(refuse_first=getattr(request, "param", 0)) as sink:
        yield sink


@pytest.fixture
def smtp_from() -> str:
    """The address the bot sends its mail from; a test module that checks it overrides this fixture."""
    return "ops@shop.example"


@pytest.fixture
async def mailing(
    double: SlackDouble, engine: AsyncEngine, clock: ManualClock, smtp: SmtpSink, smtp_from: str
) -> AsyncIterator[RunningBot]:
    """Like `running`, with the `smtp` relay as its outgoing mail server (no STARTTLS), sending from `smtp_from`."""
    settings = bot_settings(double).model_copy(
        update={
            "ops_smtp_host": smtp.host,
            "ops_smtp_port": smtp.port,
            "ops_smtp_from": smtp_from,
            "ops_smtp_starttls": False,
        }
    )
    async with serving(settings, double, engine, clock) as bot:
        yield bot
