"""Customer cases by email, against real mail servers on loopback (pymap for IMAP, aiosmtpd for SMTP): an email
opens a case, the Slack reply goes back by SMTP in the same thread, the customer's answer joins the case, the
satisfaction question and its answer, forwarded mail through the built-in listener, and no case twice."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.policy import default
from typing import Any

import pytest
from sqlalchemy import Row, select

from bot.mail.imap import ImapMailbox, poll_once
from bot.mail.smtp_intake import SmtpIntake
from bot.sandbox.records import Message
from bot.sandbox.server import SlackDouble
from storage.models_cases import CaseNoteRow, CaseRow
from tests.e2e.conftest import ALEX, SAM, RunningBot
from tests.mail.servers import LocalImapServer, SmtpSink, local_imap_server, raw_email
from tests.stored import stored_rows

CASES = "C0CASES01"
SHOP = "help@shop.example"


@pytest.fixture
async def imap() -> AsyncIterator[LocalImapServer]:
    async with local_imap_server("shop", "secret") as server:
        yield server


@pytest.fixture
def smtp_from() -> str:
    """The shop's address: the bot's replies to customers come from it (the `mailing` fixture)."""
    return SHOP


def posts(double: SlackDouble) -> list[Message]:
    return [m for m in double.messages(CASES) if m.from_bot and m.thread_ts is None]


def thread(double: SlackDouble, post: Message) -> list[Message]:
    return [m for m in double.messages(CASES) if m.from_bot and m.thread_ts == post.ts]


async def cases(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(CaseRow).order_by(CaseRow.number))


async def notes(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(CaseNoteRow).order_by(CaseNoteRow.id))


async def poll(running: RunningBot, imap: LocalImapServer) -> int:
    async with ImapMailbox(imap.host, imap.port, "shop", "secret", ssl=False) as mailbox:
        return await poll_once(mailbox, running.bot.case_mail.handle, now=running.clock.now)


async def test_an_email_case_answered_from_slack_and_the_customers_reply(
    mailing: RunningBot, double: SlackDouble, imap: LocalImapServer, smtp: SmtpSink
) -> None:
    await double.send_command(ALEX, "config cases-channel <#C0CASES01|customer-cases>")
    imap.deliver(
        raw_email(
            sender="Anna Neri <anna@example.com>",
            subject="Gluten-free pasta?",
            body="Hello, do you have gluten-free pasta?\n",
            message_id="<q1@example.com>",
        )
    )
    assert await poll(mailing, imap) == 1
    post = await double.wait_for(lambda: (posts(double) or [None])[0])
    assert "C-1 · Question · normal · open" in post.all_text()
    assert "Anna Neri, anna@example.com" in post.all_text()
    (row,) = await cases(mailing)
    assert (row.arrived_by, row.customer_email, row.email_message_id) == (
        "email",
        "anna@example.com",
        "<q1@example.com>",
    )
    assert await poll(mailing, imap) == 0  # read once, marked seen

    # Sam answers with the Reply button: the answer goes to Anna by SMTP, threaded on her email.
    await double.send_block_action(SAM, "case_reply", message=post)
    await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    await double.send_view_submission(SAM, values={"reply": {"value": "Yes: penne and fusilli, every day."}})
    sent = await double.wait_for(lambda: smtp.messages[0] if smtp.messages else None)
    email = message_from_bytes(sent, policy=default)
    assert email["To"] == "anna@example.com"
    assert email["Subject"].startswith("[C-1]")
    assert email["In-Reply-To"] == "<q1@example.com>"
    assert "penne and fusilli" in email.get_body(("plain",)).get_content()
    ours = str(email["Message-ID"])
    (row,) = await cases(mailing)
    assert (row.status, row.first_response_at is not None) == ("waiting", True)

    # Anna answers that email: it joins C-1 (by the thread) and the case is back in progress.
    imap.deliver(
        raw_email(
            sender="Anna Neri <anna@example.com>",
            subject="Re: [C-1] Gluten-free pasta?",
            body="Great, thanks! I'll come on Friday.\n\nOn Mon, Shop wrote:\n> Yes: penne and fusilli\n",
            message_id="<q2@example.com>",
            headers={"In-Reply-To": ours, "References": f"<q1@example.com> {ours}"},
        )
    )
    assert await poll(mailing, imap) == 1
    arrived = await double.wait_for(
        lambda: next((m for m in thread(double, post) if "The customer wrote" in m.all_text()), None)
    )
    assert "I'll come on Friday" in arrived.all_text()
    assert "> Yes" not in arrived.all_text()  # the quoted history is trimmed
    assert len(await cases(mailing)) == 1
    (row,) = await cases(mailing)
    assert row.status == "in_progress"
    assert [n.kind for n in await notes(mailing)] == ["created", "email_out", "status", "email_in"]

    # Resolved: Anna is asked how it went; her "4" is the case's satisfaction.
    await double.send_command(SAM, "case C-1 take")
    await double.send_block_action(SAM, "case_resolve", message=post)
    await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    await double.send_view_submission(SAM, values={"note": {"value": "Answered: gluten-free pasta every day"}})
    question = await double.wait_for(lambda: smtp.messages[1] if len(smtp.messages) > 1 else None)
    asked = message_from_bytes(question, policy=default)
    assert "1 (not at all) to 5 (very)" in asked.get_body(("plain",)).get_content()
    imap.deliver(
        raw_email(
            sender="anna@example.com",
            subject="Re: [C-1] How did we do?",
            body="4\n",
            message_id="<q3@example.com>",
            headers={"In-Reply-To": str(asked["Message-ID"])},
        )
    )
    assert await poll(mailing, imap) == 1
    (row,) = await cases(mailing)
    assert (row.status, row.satisfaction) == ("resolved", 4)
    # The answer feeds the insights.
    before = len(double.ephemerals(ALEX))
    await double.send_command(ALEX, "insights")
    insights = await double.wait_for(
        lambda: double.ephemerals(ALEX)[-1] if len(double.ephemerals(ALEX)) > before else None
    )
    assert "*Customer satisfaction* (asked by email on resolving): 4.0/5 from 1 answers" in insights.all_text()


async def test_forwarded_mail_through_the_listener_opens_a_case_once(mailing: RunningBot, double: SlackDouble) -> None:
    await double.send_command(ALEX, "config cases-channel <#C0CASES01|customer-cases>")
    intake = SmtpIntake(mailing.bot.case_mail.handle, host="127.0.0.1", port=0)
    await intake.start()
    try:
        complaint = raw_email(
            sender="Piero <piero@example.com>",
            subject="Cold soup",
            body="The soup was cold yesterday evening.\n",
            message_id="<f1@example.com>",
        )

        def forward() -> None:
            with smtplib.SMTP("127.0.0.1", intake.port) as client:
                client.sendmail("piero@example.com", [SHOP], complaint)
                client.sendmail("piero@example.com", [SHOP], complaint)  # delivered twice by a relay

        await asyncio.to_thread(forward)
        post = await double.wait_for(lambda: (posts(double) or [None])[0])
        assert "C-1 · Complaint" in post.all_text()
        assert len(await cases(mailing)) == 1
    finally:
        await intake.stop()
