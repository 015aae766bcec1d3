"""Fixtures for the mail layer: real servers on loopback (see servers.py, importable by other test packages)
and a test certificate authority for the TLS paths."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import trustme

from bot.mail.imap import ImapMailbox
from tests.mail.servers import LocalImapServer, SmtpSink, local_imap_server, local_smtp_sink

IMAP_USER = "help@shop.example"
IMAP_PASSWORD = "s3cret-pw"


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext
    """Trusts only the test CA, checks the host name (127.0.0.1) like the real thing."""


@pytest.fixture(scope="session")
def tls() -> Tls:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return Tls(server, client)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
async def smtp_sink() -> AsyncIterator[SmtpSink]:
    async with local_smtp_sink() as sink:
        yield sink


@pytest.fixture
async def imap_server() -> AsyncIterator[LocalImapServer]:
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD) as server:
        yield server


@pytest.fixture
async def mailbox(imap_server: LocalImapServer) -> AsyncIterator[ImapMailbox]:
    async with ImapMailbox(imap_server.host, imap_server.port, IMAP_USER, IMAP_PASSWORD, ssl=False) as box:
        yield box
