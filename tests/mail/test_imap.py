"""The IMAP poller against a real IMAP server on loopback (pymap): what is handled, what is marked seen, when."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import pytest

from bot.mail.imap import ImapMailbox, MailboxError, poll_once
from bot.mail.inbound import InboundEmail
from tests.mail.conftest import IMAP_PASSWORD, IMAP_USER, Tls
from tests.mail.servers import LocalImapServer, imap_unseen_uids, local_imap_server, raw_email


class Recorder:
    """The case side's handler: keeps what it was given; can be told to fail for some subjects."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.emails: list[InboundEmail] = []
        self.fail_on = fail_on

    async def __call__(self, email: InboundEmail) -> None:
        if self.fail_on is not None and self.fail_on in email.subject:
            raise RuntimeError("the database is down")
        self.emails.append(email)


async def unseen(server: LocalImapServer) -> list[str]:
    return await asyncio.to_thread(imap_unseen_uids, server.host, server.port, IMAP_USER, IMAP_PASSWORD)


async def test_two_messages_are_handled_in_order_and_marked_seen(
    imap_server: LocalImapServer, mailbox: ImapMailbox, now: datetime
) -> None:
    imap_server.deliver(raw_email(subject="First", message_id="<1@example.it>"))
    imap_server.deliver(raw_email(subject="Second", message_id="<2@example.it>"))
    handle = Recorder()

    assert await poll_once(mailbox, handle, now=lambda: now) == 2

    assert [e.subject for e in handle.emails] == ["First", "Second"]
    assert [e.message_id for e in handle.emails] == ["<1@example.it>", "<2@example.it>"]
    assert handle.emails[0].received_at == now
    assert await unseen(imap_server) == []
    assert await poll_once(mailbox, handle, now=lambda: now) == 0


async def test_a_handler_that_raises_leaves_the_message_unseen_and_it_is_read_again(
    imap_server: LocalImapServer, mailbox: ImapMailbox, now: datetime
) -> None:
    imap_server.deliver(raw_email(subject="Breaks", message_id="<b@example.it>"))
    imap_server.deliver(raw_email(subject="Fine", message_id="<f@example.it>"))
    handle = Recorder(fail_on="Breaks")

    assert await poll_once(mailbox, handle, now=lambda: now) == 1
    assert [e.subject for e in handle.emails] == ["Fine"]  # one failure does not hold up the others
    assert len(await unseen(imap_server)) == 1

    handle.fail_on = None
    assert await poll_once(mailbox, handle, now=lambda: now) == 1
    assert [e.subject for e in handle.emails] == ["Fine", "Breaks"]
    assert await unseen(imap_server) == []


async def test_an_unparseable_message_is_marked_seen_and_not_handled(
    imap_server: LocalImapServer, mailbox: ImapMailbox, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    imap_server.deliver(b"Subject: no sender at all\r\n\r\n\x00\xff garbage\r\n")
    handle = Recorder()

    assert await poll_once(mailbox, handle, now=lambda: now) == 0

    assert handle.emails == []
    assert await unseen(imap_server) == []
    assert "unreadable message" in caplog.text


async def test_automatic_messages_are_marked_seen_and_not_handled(
    imap_server: LocalImapServer, mailbox: ImapMailbox, now: datetime
) -> None:
    imap_server.deliver(raw_email(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}))
    imap_server.deliver(raw_email(sender="MAILER-DAEMON@mx.example.it", subject="Undelivered"))
    handle = Recorder()

    assert await poll_once(mailbox, handle, now=lambda: now) == 0

    assert handle.emails == []
    assert await unseen(imap_server) == []


async def test_fetching_does_not_mark_seen_and_new_mail_shows_up_on_the_kept_connection(
    imap_server: LocalImapServer, mailbox: ImapMailbox
) -> None:
    imap_server.deliver(raw_email(subject="One"))
    first = await mailbox.fetch_new()
    assert await mailbox.fetch_new() == first  # BODY.PEEK: reading alone changes nothing
    assert b"Subject: One" in first[0][1]

    imap_server.deliver(raw_email(subject="Two"))
    assert [uid for uid, _ in await mailbox.fetch_new()] == [first[0][0], str(int(first[0][0]) + 1)]


async def test_a_poll_reads_at_most_a_batch(imap_server: LocalImapServer, now: datetime) -> None:
    for n in range(3):
        imap_server.deliver(raw_email(subject=f"n{n}", message_id=f"<{n}@example.it>"))
    handle = Recorder()
    async with ImapMailbox(imap_server.host, imap_server.port, IMAP_USER, IMAP_PASSWORD, ssl=False, batch=2) as box:
        assert await poll_once(box, handle, now=lambda: now) == 2
        assert await poll_once(box, handle, now=lambda: now) == 1
    assert [e.subject for e in handle.emails] == ["n0", "n1", "n2"]


async def test_a_wrong_password_is_a_mailbox_error_that_does_not_show_the_password(
    imap_server: LocalImapServer,
) -> None:
    async with ImapMailbox(imap_server.host, imap_server.port, IMAP_USER, "wrong-horse", ssl=False) as box:
        with pytest.raises(MailboxError) as failure:
            await box.fetch_new()
    assert "wrong-horse" not in str(failure.value)
    assert "wrong-horse" not in repr(box)


async def test_a_missing_folder_is_a_mailbox_error(imap_server: LocalImapServer) -> None:
    async with ImapMailbox(
        imap_server.host, imap_server.port, IMAP_USER, IMAP_PASSWORD, folder="Support", ssl=False
    ) as box:
        with pytest.raises(MailboxError, match="Support"):
            await box.fetch_new()


async def test_a_server_that_went_away_is_a_mailbox_error(now: datetime) -> None:
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD) as server:
        box = ImapMailbox(server.host, server.port, IMAP_USER, IMAP_PASSWORD, ssl=False, timeout=2)
        assert await box.fetch_new() == []
    # The server is gone; the kept connection is dead and a new one is refused.
    with pytest.raises(MailboxError, match="connection failed"):
        await poll_once(box, Recorder(), now=lambda: now)
    await box.close()


async def test_a_dropped_connection_is_opened_again(now: datetime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.mail.imap")
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD) as server:
        box = ImapMailbox(server.host, server.port, IMAP_USER, IMAP_PASSWORD, ssl=False, timeout=2)
        assert await box.fetch_new() == []  # the connection is kept...
    # ...and the server restarts (as after a timeout or a reboot): the kept connection is dead.
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD, port=server.port) as again:
        again.deliver(raw_email(subject="After the restart"))
        handle = Recorder()
        assert await poll_once(box, handle, now=lambda: now) == 1
        assert [e.subject for e in handle.emails] == ["After the restart"]
        assert await unseen(again) == []
        await box.close()
    assert "reconnecting" in caplog.text


async def test_imap_over_tls(tls: Tls, now: datetime) -> None:
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD, tls_context=tls.server) as server:
        server.deliver(raw_email(subject="Über TLS"))
        handle = Recorder()
        async with ImapMailbox(
            server.host, server.port, IMAP_USER, IMAP_PASSWORD, ssl=True, ssl_context=tls.client
        ) as box:
            assert await poll_once(box, handle, now=lambda: now) == 1
        assert handle.emails[0].subject == "Über TLS"


async def test_tls_with_an_untrusted_certificate_is_refused(tls: Tls) -> None:
    async with local_imap_server(IMAP_USER, IMAP_PASSWORD, tls_context=tls.server) as server:
        box = ImapMailbox(server.host, server.port, IMAP_USER, IMAP_PASSWORD, ssl=True, timeout=2)
        with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
            await box.fetch_new()
        await box.close()
