"""Real mail servers on loopback for tests (no mocks): an SMTP sink (aiosmtpd) and an IMAP server (pymap's
in-memory backend). Other test packages import these, e.g. the cases end-to-end tests:

    from tests.mail.servers import local_imap_server, local_smtp_sink

    async with local_smtp_sink() as (host, port, messages):          # messages: list[bytes], as received
        ...
    async with local_imap_server("bot@shop.example", "secret") as (host, port, deliver):
        deliver(raw_email_bytes)                                     # lands UNSEEN in INBOX
        ...

Each server runs its own event loop in a daemon thread, so it keeps answering whatever the code under test does
with the test's loop (await it, block it in a worker thread, or block it outright). Ports are ephemeral.
"""

from __future__ import annotations

import asyncio
import imaplib
import ssl
import threading
from argparse import Namespace
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import Identity, Login
from pymap.imap import IMAPServer
from pymap.parsing.message import AppendMessage
from pymap.user import Passwords, UserMetadata

__all__ = ["LocalImapServer", "SmtpSink", "imap_unseen_uids", "local_imap_server", "local_smtp_sink", "raw_email"]

LOOPBACK = "127.0.0.1"
_T = TypeVar("_T")


class SmtpSink(NamedTuple):
    host: str
    port: int
    messages: list[bytes]
    """Every message accepted, raw, in order; appended before the server answers 250 to DATA."""


class LocalImapServer(NamedTuple):
    host: str
    port: int
    deliver: Callable[[bytes], None]
    """Put a raw message into INBOX, unseen (blocks until it is there; callable from any thread or loop)."""


class _LoopThread:
    """An event loop running in a daemon thread of its own."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, _T], timeout: float = 10.0) -> _T:
        """Run a coroutine there and wait for it here (blocking)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run a coroutine there and await it here (not blocking this loop)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    async def stop(self) -> None:
        async def cancel_the_rest() -> None:
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        await self.run(cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self._thread.join, 10.0)
        self.loop.close()


# ------------------------------------------------------------------------------------------------------ SMTP


class _SinkHandler:
    def __init__(self, messages: list[bytes], refuse_first: int) -> None:
        self._messages = messages
        self._refusals_left = refuse_first

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert envelope.original_content is not None
        if self._refusals_left > 0:  # a relay that is busy for a while: a temporary failure, kept nothing
            self._refusals_left -= 1
            return "451 4.3.0 Try again later"
        self._messages.append(envelope.original_content)
        return "250 2.0.0 OK"


@asynccontextmanager
async def local_smtp_sink(
    *,
    tls_context: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
    login: tuple[str, str] | None = None,
    refuse_first: int = 0,
) -> AsyncIterator[SmtpSink]:
    """An SMTP server on loopback that keeps every message it is given.

    `tls_context` (a server context): offer STARTTLS and require it, or with `implicit_tls` speak TLS from the first
    byte (port-465 style). `login` (user, password): AUTH PLAIN/LOGIN with these, required after STARTTLS (offered
    and checked, not required, with TLS from the first byte or without TLS). `refuse_first`: answer that many messages
    with a temporary failure (451) before accepting any."""
    messages: list[bytes] = []
    handler = _SinkHandler(messages, refuse_first)
    runner = _LoopThread("smtp-sink")
    runner.start()
    protocols: list[SMTP] = []

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        ok = (
            login is not None
            and isinstance(auth_data, LoginPassword)
            and (auth_data.login, auth_data.password) == (login[0].encode(), login[1].encode())
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def factory() -> SMTP:
        starttls = tls_context is not None and not implicit_tls
        # aiosmtpd only knows about TLS it started itself (STARTTLS): with TLS from the first byte it would hide AUTH
        # if told to require TLS for it, so then AUTH is offered and checked but not demanded.
        protocol = SMTP(
            handler,
            loop=runner.loop,
            hostname="sink.test",
            enable_SMTPUTF8=True,
            tls_context=tls_context if starttls else None,
            require_starttls=starttls,
            auth_required=login is not None and starttls,
            auth_require_tls=starttls,
            authenticator=authenticate if login is not None else None,
        )
        protocols.append(protocol)
        return protocol

    async def serve() -> asyncio.Server:
        return await runner.loop.create_server(
            factory, LOOPBACK, 0, ssl=tls_context if implicit_tls else None, start_serving=True
        )

    server = await runner.run(serve())
    try:
        yield SmtpSink(LOOPBACK, int(server.sockets[0].getsockname()[1]), messages)
    finally:

        async def close() -> None:
            server.close()
            for protocol in protocols:
                if protocol.transport is not None:
                    protocol.transport.close()
            await server.wait_closed()

        await runner.run(close())
        await runner.stop()


# ------------------------------------------------------------------------------------------------------ IMAP


class _ImapConfig(DictConfig):
    @property
    def greeting(self) -> bytes:
        return b"Server ready imap.test"  # pymap's default looks up the host's FQDN on every connection


@asynccontextmanager
async def local_imap_server(
    user: str, password: str, *, tls_context: ssl.SSLContext | None = None, port: int = 0
) -> AsyncIterator[LocalImapServer]:
    """An IMAP4rev1 server on loopback (pymap, in-memory) with one account and an empty INBOX.

    Plain IMAP with LOGIN allowed, or with `tls_context` (a server context) TLS from the first byte (port-993
    style). The account's folders live as long as the context. `port`: 0 for an ephemeral one, or a given one (to
    restart a server where a client expects it)."""
    runner = _LoopThread("imap-server")
    runner.start()
    args = Namespace(
        host=LOOPBACK,
        port=0,
        debug=False,
        cert=None,
        key=None,
        tls=False,  # no STARTTLS offered, so LOGIN works on a plain loopback connection
        demo_data=False,
        demo_user=user,
        demo_password=password,
        passlib_cfg=None,
        proxy_protocol=None,
        inherited_sockets=None,
    )
    writers: set[asyncio.StreamWriter] = set()

    async def serve() -> tuple[asyncio.Server, Login, _ImapConfig]:
        config = _ImapConfig.from_args(args, reject_dnsbl=False, invalid_user_sleep=0.0)
        config.apply_context()
        login = Login(config)
        hashed = await Passwords(config).hash_password(password)
        await Identity(user, login, None, frozenset()).set(UserMetadata(config, user, password=hashed))
        inner = ProxyProtocolReader(config.proxy_protocol).get_callback(IMAPServer(login, config))

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.add(writer)
            try:
                await inner(reader, writer)
            finally:
                writers.discard(writer)

        server = await asyncio.start_server(connection, LOOPBACK, port, ssl=tls_context)
        return server, login, config

    server, login, config = await runner.run(serve())

    async def append(raw: bytes) -> None:
        config.apply_context()
        async with Identity(user, login, None, frozenset()).new_session() as session:
            inbox = await session.mailbox_set.get_mailbox("INBOX")
            await inbox.append(AppendMessage(raw, datetime.now(UTC), frozenset()), recent=True)

    def deliver(raw: bytes) -> None:
        runner.call(append(raw))

    try:
        yield LocalImapServer(LOOPBACK, int(server.sockets[0].getsockname()[1]), deliver)
    finally:

        async def close() -> None:
            server.close()
            for writer in list(writers):
                writer.close()
            await server.wait_closed()

        await runner.run(close())
        await runner.stop()


def imap_unseen_uids(host: str, port: int, user: str, password: str, folder: str = "INBOX") -> list[str]:
    """The UIDs without \\Seen, read over IMAP by a client of its own (blocking: call it with asyncio.to_thread)."""
    client = imaplib.IMAP4(host, port, timeout=5)
    try:
        client.login(user, password)
        client.select(f'"{folder}"', readonly=True)
        _, data = client.uid("SEARCH", "UNSEEN")
        return [uid for chunk in data if isinstance(chunk, bytes) for uid in chunk.decode().split()]
    finally:
        client.logout()


def raw_email(
    *,
    sender: str = "Mario Rossi <mario@example.it>",
    to: str = "Shop <help@shop.example>",
    subject: str = "Pizza was cold",
    body: str = "Hello,\nmy pizza arrived cold.\n",
    message_id: str | None = "<m1@example.it>",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A plain-text email as a mail client would send it (CRLF line ends)."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "Date: Mon, 30 Nov 2026 08:00:00 +0100"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")
