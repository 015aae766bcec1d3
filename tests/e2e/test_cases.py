"""Customer cases as people use them: opened by command, by the form, by the shortcut and by the case emoji
(once), posted to the cases channel with its buttons, handled through the lifecycle with every change in its
thread, targets watched (one alert to managers at a miss), resolved with a note and an offer, followed up,
closed by itself after waiting, contact details masked outside the cases channel, and a customer forgotten."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_cases import CaseNoteRow, CaseRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC. #customer-cases has Giulia, Sam and the bot; Alex is an admin.
CASES = "C0CASES01"


async def command(double: SlackDouble, user: str, text: str, channel: str = "C0OPS0001") -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


def posts(double: SlackDouble) -> list[Message]:
    return [m for m in double.messages(CASES) if m.from_bot and m.thread_ts is None]


def thread(double: SlackDouble, post: Message) -> list[Message]:
    return [m for m in double.messages(CASES) if m.from_bot and m.thread_ts == post.ts]


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot and not m.files]


def latest(double: SlackDouble, ts: str) -> Message:
    return next(m for m in double.messages(CASES) if m.ts == ts)


async def in_thread(double: SlackDouble, post: Message, text: str) -> Message:
    return await double.wait_for(lambda: next((m for m in thread(double, post) if text in m.all_text()), None))


async def cases(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(CaseRow).order_by(CaseRow.number))


async def setup_channel(double: SlackDouble) -> None:
    await command(double, ALEX, "config cases-channel <#C0CASES01|customer-cases>")


async def test_a_complaint_by_command_through_its_lifecycle(running: RunningBot, double: SlackDouble) -> None:
    await setup_channel(double)
    opened = await command(
        double, MARIA, "reclamo Cibo freddo al tavolo 4 #cucina — Anna Neri, +39 333 1234567, di persona"
    )
    assert "Aperto C-1; è in <#C0CASES01>." in opened.all_text()
    post = await double.wait_for(lambda: (posts(double) or [None])[0])
    text = post.all_text()
    assert "C-1 · Complaint · normal · open" in text
    assert "Anna Neri, +39 333 1234567" in text  # in full in the cases channel
    (row,) = await cases(running)
    assert (row.kind, row.category, row.arrived_by, row.customer_phone, row.status) == (
        "complaint",
        "cucina",
        "in_person",
        "+39 333 1234567",
        "open",
    )
    # Normal severity: first response within 4 hours, resolution within 3 days.
    assert (row.respond_by, row.resolve_by) == (
        datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
    )

    # Masked for staff elsewhere, in full for a manager.
    staff = await command(double, LUCA, "case C-1")
    assert "Anna …" in staff.all_text()
    assert "333 1234567" not in staff.all_text()
    assert "***67" in staff.all_text()
    manager = await command(double, ALEX, "case C-1")
    assert "+39 333 1234567" in manager.all_text()

    await double.send_block_action(SAM, "case_take", message=post)
    taken = await double.wait_for(lambda: thread(double, post)[0] if thread(double, post) else None)
    assert f"<@{SAM}> took it." in taken.all_text()
    # The note goes into the thread first, then the post is updated: wait for the update too.
    await double.wait_for(lambda: True if "in progress" in latest(double, post.ts).all_text() else None)
    await command(double, SAM, "case C-1 note Chef informed")
    await command(double, SAM, "case C-1 waiting")
    (row,) = await cases(running)
    assert (row.status, row.assignee, row.first_response_at) == (
        "waiting",
        SAM,
        datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    )

    # Resolve with a note and a voucher; a follow-up in 2 days.
    await double.send_block_action(SAM, "case_resolve", message=latest(double, post.ts))
    await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    await double.send_view_submission(SAM, values={"note": {"value": "Apologised"}, "offer": {"value": "voucher"}})
    assert len(double.open_views(SAM)) == 1  # a voucher needs an amount
    await double.send_view_submission(
        SAM,
        values={
            "note": {"value": "Apologised, voucher for next visit"},
            "offer": {"value": "voucher"},
            "amount": {"value": "15,50"},
            "follow_up": {"value": "2"},
        },
    )
    await double.wait_for(lambda: True if "resolved" in latest(double, post.ts).all_text() else None)
    (row,) = await cases(running)
    assert (row.status, row.offer, row.offer_amount, row.resolution_note) == (
        "resolved",
        "voucher",
        Decimal("15.50"),
        "Apologised, voucher for next visit",
    )
    assert "case_take" not in str(latest(double, post.ts).blocks)

    running.clock.set(datetime(2026, 12, 2, 8, 1, tzinfo=UTC))
    await running.tick()
    prompt = await double.wait_for(
        lambda: next((m for m in bot_dms(double, SAM) if "check back" in m.all_text()), None)
    )
    await double.send_block_action(SAM, "case_follow_up", message=prompt)
    await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    await double.send_view_submission(SAM, values={"outcome": {"value": "Happy, will come back"}})
    await double.wait_for(
        lambda: True if any("Happy, will come back" in m.all_text() for m in thread(double, post)) else None
    )
    (row,) = await cases(running)
    assert row.follow_up_outcome == "Happy, will come back"
    notes = await stored_rows(running.bot.engine, select(CaseNoteRow.kind).order_by(CaseNoteRow.id))
    assert [n.kind for n in notes] == ["created", "assigned", "note", "status", "resolved", "follow_up"]


async def test_a_missed_response_target_alerts_the_managers_once(running: RunningBot, double: SlackDouble) -> None:
    await setup_channel(double)
    await command(double, LUCA, "complaint Waited 40 minutes for a table high — Marco, phone")
    post = await double.wait_for(lambda: (posts(double) or [None])[0])
    (row,) = await cases(running)
    assert row.respond_by == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # high: one hour
    running.clock.set(datetime(2026, 11, 30, 8, 46, tzinfo=UTC))
    await running.tick()
    warning = await double.wait_for(lambda: thread(double, post)[0] if thread(double, post) else None)
    assert "needs a first response by" in warning.all_text()
    running.clock.set(datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
    await running.tick()
    await running.tick()
    missed = [m for m in thread(double, post) if "missed its first-response target" in m.all_text()]
    assert len(missed) == 1
    alerted = [m for m in bot_dms(double, ALEX) if "missed its first-response target" in m.all_text()]
    assert len(alerted) == 1
    (row,) = await cases(running)
    assert row.response_missed_alerted is True


async def test_the_form_the_shortcut_and_the_emoji_once(running: RunningBot, double: SlackDouble) -> None:
    await setup_channel(double)
    await double.send_command(GIULIA, "question")
    await double.wait_for(lambda: (double.open_views(GIULIA) or [None])[-1])
    await double.send_view_submission(
        GIULIA,
        values={
            "kind": {"value": "question"},
            "description": {"value": "Do you have gluten-free pasta?"},
            "email": {"value": "Anna@Example.com"},
            "arrived": {"value": "email"},
            "severity": {"value": "low"},
        },
    )
    await double.wait_for(lambda: True if len(posts(double)) == 1 else None)

    message = double.post_as(MARIA, "A customer says the toilets have no soap", "C0OPS0001")
    await double.send_message_shortcut(LUCA, "log_case", message)
    await double.wait_for(lambda: (double.open_views(LUCA) or [None])[-1])
    await double.send_view_submission(LUCA, values={})  # the form came prefilled with the message
    await double.wait_for(lambda: True if len(posts(double)) == 2 else None)

    other = double.post_as(SAM, "Table 9 asks if the terrace is open tonight?", "C0OPS0001")
    reaction = {
        "type": "reaction_added",
        "user": LUCA,
        "reaction": "ticket",
        "item": {"type": "message", "channel": "C0OPS0001", "ts": other.ts},
        "item_user": SAM,
        "event_ts": "1700000001.000200",
    }
    await double.send_event(reaction)
    await double.wait_for(lambda: True if len(posts(double)) == 3 else None)
    await double.send_event({**reaction, "user": GIULIA, "event_ts": "1700000002.000300"})
    stored = await cases(running)
    assert [(r.number, r.kind, r.arrived_by) for r in stored] == [
        (1, "question", "email"),
        (2, "complaint", "slack"),
        (3, "question", "slack"),
    ]
    assert stored[0].customer_email == "anna@example.com"
    assert stored[1].description == "A customer says the toilets have no soap"
    assert (stored[2].source_channel, stored[2].source_ts) == ("C0OPS0001", other.ts)
    assert len(posts(double)) == 3  # the second reaction made no second case


async def test_waiting_too_long_nudges_then_closes(running: RunningBot, double: SlackDouble) -> None:
    await setup_channel(double)
    await command(double, ALEX, "case waiting 1d 2d")
    await command(double, SAM, "question Can we book for 20 people? — Lucia, lucia@example.com")
    post = await double.wait_for(lambda: (posts(double) or [None])[0])
    await command(double, SAM, "case C-1 take")
    await command(double, SAM, "case C-1 waiting")
    running.clock.set(datetime(2026, 12, 1, 8, 1, tzinfo=UTC))
    await running.tick()
    nudge = await double.wait_for(
        lambda: next((m for m in bot_dms(double, SAM) if "waiting on the customer" in m.all_text()), None)
    )
    assert "C-1" in nudge.all_text()
    running.clock.set(datetime(2026, 12, 2, 8, 1, tzinfo=UTC))
    await running.tick()
    await double.wait_for(
        lambda: True if any("closed by itself" in m.all_text() for m in thread(double, post)) else None
    )
    (row,) = await cases(running)
    assert (row.status, row.closed_at) == ("closed", datetime(2026, 12, 2, 8, 1, tzinfo=UTC))


async def test_forgetting_a_customer_keeps_the_statistics(running: RunningBot, double: SlackDouble) -> None:
    await setup_channel(double)
    await command(double, SAM, "question Gluten free? — Anna Neri, anna@example.com")
    await command(double, SAM, "complaint Cold soup — Anna Neri, ANNA@example.com, +39 333 1234567")
    await command(double, SAM, "complaint Noisy room — Piero, piero@example.com")
    refused = await command(double, SAM, "customer forget anna@example.com")
    assert "manager" in refused.all_text()
    done = await command(double, ALEX, "customer forget anna@example.com")
    assert "from 2 case(s)" in done.all_text()
    stored = await cases(running)
    assert [(r.customer_name, r.customer_email, r.customer_phone, r.forgotten) for r in stored] == [
        ("", "", "", True),
        ("", "", "", True),
        ("Piero", "piero@example.com", "", False),
    ]
    assert [r.kind for r in stored] == ["question", "complaint", "complaint"]
    audit = await stored_rows(running.bot.engine, select(AuditLogRow).where(AuditLogRow.action == "customer.forget"))
    assert "anna" not in str(audit[0])


async def test_a_question_shows_saved_answers_and_reply_starts_from_the_best(
    running: RunningBot, double: SlackDouble
) -> None:
    await setup_channel(double)
    await command(double, ALEX, "answer add opening-hours We are open Tuesday to Sunday 12-15 and 19-23")
    await command(double, ALEX, "answer add gluten-free Gluten-free pasta every day: penne and fusilli")
    await command(double, SAM, "question When are you open on Sunday? — Lucia, by phone")
    post = await double.wait_for(lambda: (posts(double) or [None])[0])
    assert "Saved answers that may fit" in post.all_text()
    assert "*opening-hours*" in post.all_text()
    assert "gluten-free" not in post.all_text()
    await double.send_block_action(SAM, "case_reply", message=post)
    modal = await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    assert "We are open Tuesday to Sunday 12-15 and 19-23" in str(modal["blocks"])
    assert "No email for this customer" in str(modal["blocks"])
