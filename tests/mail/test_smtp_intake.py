"""The SMTP listener for forwarded mail, driven by a real SMTP client (smtplib) over loopback."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.mail.inbound import InboundEmail
from bot.mail.smtp_intake import SmtpIntake
from tests.mail.servers import raw_email


class Recorder:
    """The case side's handler: records each email with the loop and thread it ran on."""

    def __init__(self) -> None:
        self.emails: list[InboundEmail] = []
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.threads: list[threading.Thread] = []
        self.fail = False
        self.gate: asyncio.Event | None = None
        self.called = asyncio.Event()

    async def __call__(self, email: InboundEmail) -> None:
        self.loops.append(asyncio.get_running_loop())
        self.threads.append(threading.current_thread())
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("the database is down")
        self.emails.append(email)


@pytest.fixture
def handle() -> Recorder:
    return Recorder()


@pytest.fixture
async def intake(handle: Recorder, now: datetime) -> AsyncIterator[SmtpIntake]:
    listener = SmtpIntake(handle, host="127.0.0.1", port=0, recipients=["Help@Shop.example"], now=lambda: now)
    await listener.start()
    yield listener
    await listener.stop()


def send(port: int, raw: bytes, *, to: str = "help@shop.example", sender: str = "mario@example.it") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.sendmail(sender, [to], raw)


async def test_a_forwarded_email_is_handed_over_on_the_app_loop(
    intake: SmtpIntake, handle: Recorder, now: datetime
) -> None:
    raw = raw_email(subject="Re: [C-3] Still cold", body="Still cold.\n\nOn Mon, Shop wrote:\n> Sorry!\n")

    await asyncio.to_thread(send, intake.port, raw)

    (email,) = handle.emails
    assert email.sender_email == "mario@example.it"
    assert email.subject == "Re: [C-3] Still cold"
    assert email.text == "Still cold."
    assert email.received_at == now
    assert handle.loops == [asyncio.get_running_loop()]
    assert handle.threads == [threading.main_thread()]


async def test_only_the_configured_recipients_are_accepted(intake: SmtpIntake, handle: Recorder) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await asyncio.to_thread(send, intake.port, raw_email(), to="someone@else.example")
    assert refused.value.recipients["someone@else.example"][0] == 550
    assert handle.emails == []

    await asyncio.to_thread(send, intake.port, raw_email(), to="HELP@shop.example")
    assert len(handle.emails) == 1


async def test_any_recipient_when_none_is_configured(handle: Recorder) -> None:
    async with SmtpIntake(handle, port=0) as listener:
        await asyncio.to_thread(send, listener.port, raw_email(), to="anything@anywhere.example")
    assert len(handle.emails) == 1


async def test_a_failing_handler_asks_the_sender_to_retry(intake: SmtpIntake, handle: Recorder) -> None:
    handle.fail = True
    with pytest.raises(smtplib.SMTPDataError) as failed:
        await asyncio.to_thread(send, intake.port, raw_email())
    assert failed.value.smtp_code == 451

    handle.fail = False
    await asyncio.to_thread(send, intake.port, raw_email())
    assert len(handle.emails) == 1


async def test_automatic_mail_and_bounces_are_accepted_but_not_handled(intake: SmtpIntake, handle: Recorder) -> None:
    await asyncio.to_thread(send, intake.port, raw_email(headers={"Auto-Submitted": "auto-replied"}))
    await asyncio.to_thread(send, intake.port, raw_email(), sender="")  # MAIL FROM:<>, a bounce
    assert handle.emails == []
    assert len(handle.loops) == 0


async def test_an_unreadable_email_is_refused(intake: SmtpIntake, handle: Recorder) -> None:
    with pytest.raises(smtplib.SMTPDataError) as failed:
        await asyncio.to_thread(send, intake.port, b"Subject: nobody\r\n\r\nhi\r\n")
    assert failed.value.smtp_code == 554
    assert handle.emails == []


async def test_a_message_over_the_size_limit_is_refused(handle: Recorder) -> None:
    async with SmtpIntake(handle, port=0, data_size_limit=2000) as listener:
        with pytest.raises(smtplib.SMTPException) as failed:
            await asyncio.to_thread(send, listener.port, raw_email(body="x" * 5000))
    assert "552" in str(failed.value)
    assert handle.emails == []


async def test_stop_lets_a_message_being_handled_finish(handle: Recorder) -> None:
    handle.gate = asyncio.Event()
    listener = SmtpIntake(handle, port=0)
    await listener.start()
    port = listener.port
    sending = asyncio.ensure_future(asyncio.to_thread(send, port, raw_email()))
    await asyncio.wait_for(handle.called.wait(), timeout=5)  # the handler has the email and waits at the gate

    stopping = asyncio.ensure_future(listener.stop(grace=5))
    await asyncio.sleep(0.05)
    assert not stopping.done()
    handle.gate.set()
    await asyncio.wait_for(stopping, timeout=5)
    await asyncio.wait_for(sending, timeout=5)  # the client got its 250

    assert len(handle.emails) == 1
    assert not listener.running
    with pytest.raises(ConnectionRefusedError):
        await asyncio.to_thread(send, port, raw_email())
