"""`ops-assistant sandbox`: the Slack double, the real bot and the local page, together on 127.0.0.1.

The bot is the one `run` starts (`bot.runtime.running`: migrations, the reminder engine's timers, its HTTP
endpoint), built with a `SandboxClock` and pointed at the double instead of Slack. Everything a person does on
the page goes to the bot as Slack would send it: signed HTTP requests from the double.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web
from dotenv import dotenv_values
from pydantic import SecretStr

from bot.config import Settings
from bot.domain.ids import TeamId, UserId
from bot.i18n import Words
from bot.runtime import RunningBot, ServeOptions, running, stop_on_signals
from bot.sandbox.clock import SandboxClock
from bot.sandbox.seed import seed_demo
from bot.sandbox.server import SlackDouble
from bot.sandbox.web.app import Jump, build_page_app
from bot.sandbox.workspace import Workspace
from bot.scheduling import ReminderEngine, Waker
from bot.server import EVENTS_PATH

log = logging.getLogger("ops.sandbox")

HOST = "127.0.0.1"  # never anything else: the sandbox has no authentication
DEFAULT_DATABASE_URL = "sqlite:///ops-sandbox.db"
# The variables that mean "this machine talks to a real Slack": the sandbox refuses to start beside them.
MANAGERS_TTL_SECONDS = 20.0
REAL_SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


def sandbox_settings(base: Settings, double: SlackDouble, database_url: str, page_url: str) -> Settings:
    """The operator's settings (time zone, language) aimed at the double; nothing reaches the outside world."""
    return base.model_copy(
        update={
            "slack_bot_token": SecretStr(double.bot_token),
            "slack_signing_secret": SecretStr(double.signing_secret),
            "slack_app_token": None,
            "slack_api_url": double.api_url,
            "database_url": database_url,
            "ops_public_url": page_url,
            # No mail: the sample people and suppliers are made up, and a sandbox must not email anyone.
            "ops_imap_host": None,
            "ops_smtp_intake_port": None,
            "ops_smtp_host": None,
        }
    )


class RealTimeWaker:
    """The process's timers run on the machine's clock: a wake-up for a sandbox instant is moved back by the
    clock's offset, so a reminder due in a minute still comes in a minute after a jump."""

    def __init__(self, inner: Waker, clock: SandboxClock) -> None:
        self._inner = inner
        self._clock = clock

    def wake_at(self, at: datetime) -> None:
        self._inner.wake_at(self._clock.to_real(at))


class SandboxTime:
    """What the page may do besides acting as a person: read and move the clock, read who the managers are."""

    def __init__(
        self, clock: SandboxClock, engine: ReminderEngine, managers: Callable[[], Awaitable[list[UserId]]]
    ) -> None:
        self.clock = clock
        self._engine = engine
        self._managers = managers
        self._managers_read: tuple[float, frozenset[str]] | None = None

    async def jump_to_next_due(self) -> Jump:
        """To the earliest pending reminder, digest or follow-up, and deliver what is due there."""
        delivered = await self._engine.tick()  # whatever is already due goes first
        due = await self._engine.next_due()
        if due is not None:
            self.clock.jump_to(due)
            delivered += await self._engine.tick()
        return Jump(delivered=delivered, now=self.clock.now(), due=due)

    async def advance(self, delta: timedelta) -> Jump:
        self.clock.advance(delta)
        delivered = await self._engine.tick()
        return Jump(delivered=delivered, now=self.clock.now(), due=None)

    async def next_due(self) -> datetime | None:
        return await self._engine.next_due()

    async def managers(self, *, fresh: bool = False) -> frozenset[str]:
        """Managers and admins, for the person switcher; asking the bot refreshes Slack's admins, so the answer
        is kept for a little while (the page polls every second)."""
        now = time.monotonic()
        if fresh or self._managers_read is None or now - self._managers_read[0] > MANAGERS_TTL_SECONDS:
            self._managers_read = (now, frozenset(await self._managers()))
        return self._managers_read[1]


@dataclass(frozen=True, slots=True)
class Sandbox:
    double: SlackDouble
    clock: SandboxClock
    live: RunningBot
    time: SandboxTime
    url: str  # the page: http://127.0.0.1:<port>/


class PortInUse(Exception):
    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} on {HOST} is in use")
        self.port = port


def real_slack_variables(env_file: Path | None = Path(".env")) -> list[str]:
    """The real-Slack variables set in the environment or in `.env`, by name."""
    from_file = dotenv_values(env_file) if env_file is not None and env_file.is_file() else {}
    return [name for name in REAL_SLACK_VARIABLES if os.environ.get(name) or from_file.get(name)]


def bind_page_socket(port: int) -> socket.socket:
    """The page's port is taken first, so a busy port fails before anything else starts and `--port 0` is known."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise PortInUse(port) from None
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def sandbox(
    base: Settings,
    words: Words,
    *,
    port: int = 8765,
    database_url: str = DEFAULT_DATABASE_URL,
    seed: str | None = None,
    clock: SandboxClock | None = None,
) -> AsyncIterator[Sandbox]:
    """Start the double, the bot and the page; stop them in the reverse order on leaving."""
    clock = clock or SandboxClock()
    with closing(bind_page_socket(port)) as page_socket:
        page_port = int(page_socket.getsockname()[1])
        page_url = f"http://{HOST}:{page_port}/"
        double = SlackDouble(Workspace.sample(), clock=clock.timestamp)
        await double.start(HOST, 0)
        try:
            settings = sandbox_settings(base, double, database_url, page_url.rstrip("/"))
            options = ServeOptions(socket_mode=False, port=0, host=HOST)
            async with running(settings, options, clock=clock) as live:
                live.bot.reminders.attach(RealTimeWaker(live.waker, clock))
                double.connect_app(live.url + EVENTS_PATH)
                team = TeamId(double.workspace.team_id)
                controls = SandboxTime(clock, live.bot.reminders, lambda: live.bot.services.roles.managers(team))
                if seed == "demo":
                    await _seed_demo(double, clock)
                page = web.AppRunner(
                    build_page_app(double, controls, words=words, bot_url=live.url),
                    access_log=None,
                    handle_signals=False,
                )
                await page.setup()
                await web.SockSite(page, page_socket).start()
                try:
                    yield Sandbox(double=double, clock=clock, live=live, time=controls, url=page_url)
                finally:
                    await page.cleanup()
        finally:
            await double.stop()


async def _seed_demo(double: SlackDouble, clock: SandboxClock) -> None:
    """Trattoria's week, typed in through the double (`bot.sandbox.seed`)."""
    try:
        await seed_demo(double, clock)
    except Exception:  # the sandbox is still worth trying without the sample data
        log.exception("the demo data could not be written completely")


async def serve_sandbox(
    base: Settings,
    words: Words,
    *,
    port: int,
    database_url: str,
    seed: str | None,
    announce: Callable[[str], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`); `announce` gets the page's address once it answers."""
    stop = stop or asyncio.Event()
    async with sandbox(base, words, port=port, database_url=database_url, seed=seed) as running_sandbox:
        stop_on_signals(stop)
        announce(running_sandbox.url)
        await stop.wait()
