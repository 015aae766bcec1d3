"""GET /healthz answers 200 only once the database answers and its schema is current."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import build_app
from bot.sandbox.server import SlackDouble
from bot.server import build_web_app
from storage.db import create_engine, migrate
from tests.e2e.conftest import bot_settings


async def test_healthz_waits_for_migrations(double: SlackDouble, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = create_engine(url)
    bot = build_app(bot_settings(double, url), engine=engine)
    runner = web.AppRunner(build_web_app(bot, serve_events=False), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    health = f"http://127.0.0.1:{runner.addresses[0][1]}/healthz"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(health) as before:
                assert before.status == 503
            await migrate(engine)
            async with session.get(health) as after:
                assert after.status == 200
                assert (await after.json())["status"] == "ok"
            # Socket Mode serves only /healthz: Slack's requests arrive over the socket instead.
            async with session.post(health.replace("/healthz", "/slack/events")) as events:
                assert events.status in (404, 405)
    finally:
        await runner.cleanup()
        await bot.close()
        await engine.dispose()
