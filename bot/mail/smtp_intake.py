"""A small SMTP listener for mail forwarded to the bot (e.g. a Postfix alias or a provider's forwarding rule that
sends support@ to this host's port 2525): each message is parsed and handed to the case service.

aiosmtpd's `SMTP` protocol is served on the app's own event loop with `loop.create_server`, not through its
`Controller`, which runs a second loop in a thread: there `handle` (which uses the app's database engine and
Slack client, both bound to the app's loop) would have to hop loops with `run_coroutine_threadsafe`, errors and
shutdown would cross threads, and the Controller's start-up self-test cannot use an ephemeral port. On one loop,
`handle` is simply awaited inside the SMTP transaction, so its outcome is the SMTP reply: 250 once the case has
it, 451 (the sending server retries later) when it failed.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.mail.inbound import MAX_EMAIL_BYTES, EmailHandler, parse_email

__all__ = ["SmtpIntake"]

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _IntakeProtocol(SMTP):
    """aiosmtpd's SMTP protocol, handing its connection task to `SmtpIntake` so `stop` can wait for it (aiosmtpd
    keeps it in `_handler_coroutine`; its own Controller cancels every task of its private loop instead)."""

    def __init__(
        self,
        handler: _Handler,
        *,
        on_task: Callable[[asyncio.Task[None]], None],
        loop: asyncio.AbstractEventLoop,
        hostname: str,
        data_size_limit: int,
        timeout: float,
    ) -> None:
        super().__init__(
            handler,
            loop=loop,
            hostname=hostname,
            data_size_limit=data_size_limit,
            enable_SMTPUTF8=True,
            timeout=timeout,
        )
        self._on_task = on_task

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        task_before = self._handler_coroutine
        super().connection_made(transport)
        if self._handler_coroutine is not None and self._handler_coroutine is not task_before:
            self._on_task(self._handler_coroutine)


class _Handler:
    """aiosmtpd's handler hooks (duck-typed by name): RCPT checks the address, DATA parses and hands over."""

    def __init__(self, handle: EmailHandler, recipients: frozenset[str], now: Callable[[], datetime]) -> None:
        self._handle = handle
        self._recipients = recipients
        self._now = now
        self._in_flight = 0
        self.idle = asyncio.Event()
        self.idle.set()

    async def handle_RCPT(  # aiosmtpd finds its hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self._recipients and address.strip().lower() not in self._recipients:
            return "550 5.1.1 Mailbox unavailable: this server only accepts mail for the business's support address"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else (content or b"")
        try:
            email = parse_email(raw, now=self._now())
        except ValueError as exc:
            log.warning("mail: refusing unreadable message from %s (%d bytes): %s", envelope.mail_from, len(raw), exc)
            return "554 5.6.0 Message could not be read as an email"
        if email.is_automatic or envelope.mail_from in (None, "", "<>"):
            # Accepted so the sender does not retry (or bounce a bounce), but no case is opened for it.
            log.info("mail: dropping automatic message %s from %s", email.message_id, email.sender_email)
            return "250 2.0.0 OK (automatic message, not filed)"
        self._in_flight += 1
        self.idle.clear()
        try:
            await self._handle(email)
        except Exception:
            log.exception("mail: handling message %s failed; asking the sender to retry", email.message_id)
            return "451 4.3.0 Temporary failure, please try again later"
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self.idle.set()
        return "250 2.0.0 OK"


class SmtpIntake:
    """The listener. `recipients`: the only addresses it accepts mail for (case-insensitive); empty = any.

    Bind it to loopback or a private interface: it does no authentication and no TLS, like any local delivery
    port; put the public MX (Postfix, the mail provider) in front of it."""

    def __init__(
        self,
        handle: EmailHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 2525,
        recipients: Iterable[str] = (),
        now: Callable[[], datetime] = _utc_now,
        hostname: str = "ops-assistant",
        data_size_limit: int = MAX_EMAIL_BYTES,
        timeout: float = 60.0,
    ) -> None:
        self.host = host
        self._port = port
        self._handler = _Handler(handle, frozenset(r.strip().lower() for r in recipients if r.strip()), now)
        self._hostname = hostname
        self._data_size_limit = data_size_limit
        self._timeout = timeout
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._protocols: weakref.WeakSet[_IntakeProtocol] = weakref.WeakSet()

    @property
    def port(self) -> int:
        """The port it listens on (the real one when it was started with port 0)."""
        if self._server is not None and self._server.sockets:
            return int(self._server.sockets[0].getsockname()[1])
        return self._port

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the SMTP intake is already running")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: self._protocol(loop), host=self.host, port=self._port, start_serving=True
        )
        log.info("mail: SMTP intake listening on %s:%d", self.host, self.port)

    def _protocol(self, loop: asyncio.AbstractEventLoop) -> _IntakeProtocol:
        protocol = _IntakeProtocol(
            self._handler,
            on_task=self._track,
            loop=loop,
            hostname=self._hostname,
            data_size_limit=self._data_size_limit,
            timeout=self._timeout,
        )
        self._protocols.add(protocol)
        return protocol

    def _track(self, task: asyncio.Task[None]) -> None:
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    async def stop(self, *, grace: float = 5.0) -> None:
        """Stop listening; let the messages being handed over finish (up to `grace` seconds), then close every
        connection (a sender cut off before its 250 retries later: nothing is lost)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        try:
            await asyncio.wait_for(self._handler.idle.wait(), timeout=grace)
        except TimeoutError:
            log.warning("mail: stopping the SMTP intake with messages still being handled")
        for protocol in list(self._protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        if self._connections:
            await asyncio.wait(set(self._connections), timeout=grace)
        await server.wait_closed()

    async def __aenter__(self) -> SmtpIntake:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
