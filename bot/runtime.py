"""A running bot process: start-up in a safe order, then a graceful stop on SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, cast

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import Bot, build_app
from bot.config import Settings
from bot.domain.clock import Clock
from bot.mail.imap import ImapMailbox, MailboxError, poll_once
from bot.mail.smtp_intake import SmtpIntake
from bot.scheduling import SchedulerWaker
from bot.server import build_web_app
from storage.db import create_engine, lock_single_process, migrate

log = logging.getLogger("ops.runtime")

# In-flight requests and the work they started get this long to finish once a stop is asked for.
GRACE_SECONDS = 20.0
HOUSEKEEPING_INTERVAL_MINUTES = 60


class _SocketConnection(Protocol):
    async def connect_async(self) -> None: ...

    async def close_async(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ServeOptions:
    socket_mode: bool
    port: int
    host: str = "0.0.0.0"


# How often weekly shift patterns are topped up to their horizon (it moves by a day a day; a few hours is ample).
PATTERN_TOP_UP_HOURS = 6


def build_scheduler(bot: Bot) -> AsyncIOScheduler:
    """APScheduler only wakes the process; what is due lives in the database, so nothing here must persist."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        bot.services.ledger.forget_old,
        "interval",
        minutes=HOUSEKEEPING_INTERVAL_MINUTES,
        id="housekeeping:request-keys",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
    )
    # Weekly shift patterns are kept expanded a few weeks ahead, so each shift's start is a durable schedule.
    scheduler.add_job(
        bot.services.shifts.extend_patterns,
        "interval",
        hours=PATTERN_TOP_UP_HOURS,
        id="housekeeping:shift-patterns",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
    )
    # Workspaces that uninstalled the app are purged once their retention period (OPS_RETENTION_DAYS) is over.
    scheduler.add_job(
        bot.services.workspaces.purge_expired,
        "interval",
        minutes=HOUSEKEEPING_INTERVAL_MINUTES,
        id="housekeeping:purge-uninstalled",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
    )
    return scheduler


@dataclass(frozen=True, slots=True)
class RunningBot:
    """A started bot: its HTTP side listens at `url`, its timers run; `waker` is the reminder engine's alarm."""

    bot: Bot
    scheduler: AsyncIOScheduler
    waker: SchedulerWaker
    url: str


@asynccontextmanager
async def running(
    settings: Settings, options: ServeOptions, *, clock: Clock | None = None
) -> AsyncIterator[RunningBot]:
    """Start-up in a safe order (lock, migrations, app, timers, HTTP, mail); on leaving, a graceful stop.

    `run` serves with this until a signal; the sandbox uses it with its own clock and the Slack double.
    """
    lock = lock_single_process(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        bot = build_app(settings, engine=engine, clock=clock)
        scheduler = build_scheduler(bot)
        waker = SchedulerWaker(scheduler, bot.reminders)
        # On SQLite the lock proves no other bot runs: whatever is still claimed was a dead process's.
        await bot.reminders.recover(single_process=lock is not None)
        runner = web.AppRunner(
            build_web_app(
                bot,
                serve_events=not options.socket_mode,
                metrics_token=settings.ops_metrics_token.get_secret_value() if settings.ops_metrics_token else None,
            ),
            handle_signals=False,
            shutdown_timeout=GRACE_SECONDS,
            access_log=None,
        )
        await runner.setup()
        site = web.TCPSite(runner, options.host, options.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        socket: _SocketConnection | None = None
        if options.socket_mode:
            # bolt's handler is untyped; this Protocol states the two calls we rely on.
            socket = cast(_SocketConnection, AsyncSocketModeHandler(bot.app, settings.secret("slack_app_token")))
            await socket.connect_async()
        intake = await _start_mail(settings, bot, scheduler)
        scheduler.start()
        try:
            yield RunningBot(bot=bot, scheduler=scheduler, waker=waker, url=f"http://{host}:{port}")
        finally:
            log.info("stopping: finishing in-flight requests")
            if socket is not None:
                await socket.close_async()
            await runner.cleanup()  # stops accepting, waits for requests in progress
            if intake is not None:
                await intake.stop()
            await finish_background_work()
            scheduler.shutdown(wait=False)
            await bot.reminders.stop()  # hand back anything claimed but not sent
            await bot.close()
    finally:
        await engine.dispose()
        if lock is not None:
            lock.release()


async def serve(settings: Settings, options: ServeOptions, *, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    async with running(settings, options) as live:
        stop_on_signals(stop)
        # Everything built so far lives as long as the process: keep the collector from re-scanning it on
        # every collection, which otherwise shows up as tail latency under load.
        gc.freeze()
        log.info(
            "Ops Assistant is running (%s mode, port %d, schema %s)",
            "Socket" if options.socket_mode else "HTTP",
            options.port,
            ", ".join(sorted(live.bot.schema_revisions)),
        )
        await stop.wait()
    log.info("stopped")


async def _start_mail(settings: Settings, bot: Bot, scheduler: AsyncIOScheduler) -> SmtpIntake | None:
    """Customer emails: the mailbox polled every few minutes, and/or a listener for forwarded mail."""
    if settings.ops_imap_host:
        password = settings.ops_imap_password.get_secret_value() if settings.ops_imap_password else ""
        mailbox = ImapMailbox(
            settings.ops_imap_host,
            settings.ops_imap_port,
            settings.ops_imap_user or "",
            password,
            settings.ops_imap_folder,
            settings.ops_imap_ssl,
        )

        async def poll() -> None:
            try:
                await poll_once(mailbox, bot.case_mail.handle, now=bot.services.clock.now)
            except MailboxError:
                log.exception("could not read the customer mailbox; trying again at the next poll")

        scheduler.add_job(
            poll,
            "interval",
            seconds=settings.ops_imap_poll_seconds,
            id="mail:imap",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
    if settings.ops_smtp_intake_port is None:
        return None
    intake = SmtpIntake(bot.case_mail.handle, host=settings.ops_smtp_intake_host, port=settings.ops_smtp_intake_port)
    await intake.start()
    log.info("accepting forwarded customer email on %s:%d", settings.ops_smtp_intake_host, intake.port)
    return intake


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or no signals
            loop.add_signal_handler(signum, stop.set)


async def finish_background_work() -> None:
    """Bolt runs listeners after their ack as separate tasks; give those the grace period too."""
    pending = [task for task in asyncio.all_tasks() if not task.done() and _started_by_bolt(task)]
    if pending:
        _done, still = await asyncio.wait(pending, timeout=GRACE_SECONDS)
        if still:
            log.warning("%d tasks still running after %.0f s; stopping anyway", len(still), GRACE_SECONDS)


def _started_by_bolt(task: asyncio.Task[object]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and "slack_bolt" in code.co_filename
