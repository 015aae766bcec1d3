"""Reminders as people use them: set in a DM in English or Italian, delivered on time (or late, marked),
acted on with buttons, listed and cancelled with /ops reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select

from bot.domain.reminders import Kind
from bot.sandbox.server import SlackDouble
from storage.models import DeliveryRow, ScheduleRow
from tests.e2e.conftest import GIULIA, LUCA, MARIA, RunningBot
from tests.e2e.talk import bot_dms, next_bot_dm
from tests.stored import stored_rows

# The clock fixture starts at Monday 2026-11-30 08:00 UTC (09:00 in Rome, 03:00 in New York).


async def schedules(running: RunningBot) -> int:
    async with running.bot.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(ScheduleRow)) or 0)


async def deliveries(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(DeliveryRow).order_by(DeliveryRow.id))


async def test_remind_me_in_english_arrives_at_the_time_in_my_zone(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(LUCA, "remind me to call the supplier tomorrow at 10")
    confirmation = await next_bot_dm(double, LUCA, 0)
    # Tomorrow 10:00 in New York is 15:00 UTC; the echo is an absolute date token.
    expected = int(datetime(2026, 12, 1, 15, 0, tzinfo=UTC).timestamp())
    assert "OK, I'll remind you to *call the supplier*" in confirmation.all_text()
    assert f"<!date^{expected}^{{date_long_pretty}} {{time}}|2026-12-01 10:00 EST>" in confirmation.all_text()

    running.clock.set(datetime(2026, 12, 1, 14, 59, tzinfo=UTC))
    assert await running.tick() == 0
    running.clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert await running.tick() == 1
    reminder = await next_bot_dm(double, LUCA, 1)
    assert "⏰ *Reminder:* call the supplier" in reminder.all_text()
    assert "late" not in reminder.all_text()
    assert [e["text"]["text"] for e in reminder.blocks[-1]["elements"]] == ["Done", "Snooze 1 h", "Tomorrow 9:00"]
    running.clock.advance(timedelta(hours=1))
    assert await running.tick() == 0
    assert len(bot_dms(double, LUCA)) == 2
    (row,) = await deliveries(running)
    assert (row.status, row.late, row.slack_ts) == ("sent", False, reminder.ts)


async def test_ricordami_in_italian(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(MARIA, "ricordami di chiamare il fornitore domani alle 10")
    confirmation = await next_bot_dm(double, MARIA, 0)
    assert "Va bene, ti ricorderò di *chiamare il fornitore*" in confirmation.all_text()
    running.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # 10:00 in Rome
    await running.tick()
    reminder = await next_bot_dm(double, MARIA, 1)
    assert "⏰ *Promemoria:* chiamare il fornitore" in reminder.all_text()
    assert [e["text"]["text"] for e in reminder.blocks[-1]["elements"]] == [
        "Fatto",
        "Posticipa di 1 h",
        "Domani alle 9:00",
    ]


async def test_reminding_someone_else_and_a_group(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(GIULIA, f"remind <@{LUCA}|luca> to restock napkins in 2 hours")
    assert f"ricorderò a <@{LUCA}> di *restock napkins*" in (await next_bot_dm(double, GIULIA, 0)).all_text()
    await double.send_message_im(GIULIA, f"ricorda a <@{MARIA}|maria> di pulire la macchina del caffè venerdì alle 18")
    await next_bot_dm(double, GIULIA, 1)
    await double.send_message_im(GIULIA, "remind <!subteam^S0KITCHEN|@kitchen> to clean the fridge tomorrow at 8")
    assert "ricorderò a 2 persone" in (await next_bot_dm(double, GIULIA, 2)).all_text()
    assert await schedules(running) == 4

    running.clock.advance(timedelta(hours=2))
    await running.tick()
    napkins = await next_bot_dm(double, LUCA, 0)
    assert "call" not in napkins.all_text()
    assert "restock napkins" in napkins.all_text()
    assert f"from <@{GIULIA}>" in napkins.all_text()  # Luca reads English

    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # 08:00 in Rome tomorrow
    await running.tick()
    assert "clean the fridge" in (await next_bot_dm(double, MARIA, 0)).all_text()
    running.clock.set(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))  # 08:00 in New York
    await running.tick()
    assert "clean the fridge" in (await next_bot_dm(double, LUCA, 1)).all_text()

    running.clock.set(datetime(2026, 12, 4, 17, 0, tzinfo=UTC))  # Friday 18:00 in Rome
    await running.tick()
    coffee = await next_bot_dm(double, MARIA, 1)
    assert "pulire la macchina del caffè" in coffee.all_text()
    assert f"da <@{GIULIA}>" in coffee.all_text()


async def test_unreadable_and_past_times_set_nothing(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(LUCA, "remind me to call the supplier whenever")
    problem = await double.wait_for(lambda: next(iter(double.ephemerals(LUCA)), None))
    assert "I couldn't find when in “call the supplier whenever”" in problem.all_text()
    assert "Example: `remind me to call the supplier tomorrow at 10`" in problem.all_text()
    await double.send_message_im(MARIA, "ricordami di chiamare il fornitore oggi alle 8")
    past = await double.wait_for(lambda: next(iter(double.ephemerals(MARIA)), None))
    assert "passat" in past.all_text()
    assert await schedules(running) == 0


async def test_done_and_snooze_update_the_message_in_place(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(MARIA, "ricordami di ordinare il latte tra 10 minuti")
    await double.send_message_im(MARIA, "ricordami di chiamare Paolo tra 10 minuti")
    await next_bot_dm(double, MARIA, 1)
    running.clock.advance(timedelta(minutes=10))
    await running.tick()
    grouped = await next_bot_dm(double, MARIA, 2)  # two at once for one person: one message
    assert "*2 promemoria* per te" in grouped.all_text()

    await double.send_block_action(MARIA, "reminder_done", message=grouped, block_id=grouped.blocks[1]["block_id"])
    updated = await double.wait_for(lambda: m if "✅" in (m := bot_dms(double, MARIA)[2]).all_text() else None)
    assert "✅ *Fatto:* ordinare il latte" in updated.all_text()
    assert "chiamare Paolo" in updated.all_text()  # the other one is untouched

    await double.send_message_im(MARIA, "ricordami di controllare il forno tra 5 minuti")
    await next_bot_dm(double, MARIA, 3)  # the confirmation: the reminder is stored before time moves on
    running.clock.advance(timedelta(minutes=5))
    await running.tick()
    oven = await next_bot_dm(double, MARIA, 4)
    await double.send_block_action(MARIA, "reminder_snooze", message=oven)
    snoozed = await double.wait_for(lambda: m if "💤" in (m := bot_dms(double, MARIA)[4]).all_text() else None)
    assert "te lo ricorderò di nuovo" in snoozed.all_text()
    running.clock.advance(timedelta(minutes=59))
    assert await running.tick() == 0
    running.clock.advance(timedelta(minutes=1))
    assert await running.tick() == 1
    assert "controllare il forno" in (await next_bot_dm(double, MARIA, 5)).all_text()

    await double.send_block_action(MARIA, "reminder_tomorrow", message=bot_dms(double, MARIA)[5])
    await double.wait_for(lambda: m if "💤" in (m := bot_dms(double, MARIA)[5]).all_text() else None)
    async with running.bot.engine.connect() as connection:
        next_fire = await connection.scalar(select(ScheduleRow.next_fire_utc).where(ScheduleRow.id == 3))
    assert next_fire == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 tomorrow in Rome


async def test_a_reminder_set_by_someone_else_cannot_be_changed_by_a_third_person(
    running: RunningBot, double: SlackDouble
) -> None:
    await double.send_message_im(GIULIA, f"remind <@{MARIA}|maria> to order milk in 1 hour")
    await next_bot_dm(double, GIULIA, 0)
    running.clock.advance(timedelta(hours=1))
    await running.tick()
    message = await next_bot_dm(double, MARIA, 0)
    # Luca never got it, but a crafted click with its id is still refused.
    click = await double.send_block_action(LUCA, "reminder_done", message=message)
    # Answered at once with 200: an error after the acknowledgement must not leave Slack waiting.
    assert click.status == 200
    assert click.acked_in_time
    refusal = await double.wait_for(lambda: next(iter(double.ephemerals(LUCA)), None))
    assert f"Only <@{MARIA}>, <@{GIULIA}> who set it, or a manager" in refusal.all_text()


async def test_ops_reminders_lists_cancels_and_snoozes(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(LUCA, "remind me to water the plants tomorrow at 9")
    await double.send_message_im(LUCA, "remind me to pay rent every 1st of the month at 10")
    await double.send_message_im(GIULIA, f"remind <@{LUCA}|luca> to sign the contract in 3 hours")
    await double.wait_for(lambda: bot_dms(double, LUCA)[1] if len(bot_dms(double, LUCA)) > 1 else None)
    await next_bot_dm(double, GIULIA, 0)  # all three are stored before the list is asked for

    await double.send_command(LUCA, "reminders")
    listing = double.ephemerals(LUCA)[-1]
    text = listing.all_text()
    assert "Your reminders (3)" in text
    assert text.index("sign the contract") < text.index("water the plants") < text.index("pay rent")
    assert f"from <@{GIULIA}>" in text
    assert "(repeats)" in text

    cancel = next(b for b in listing.blocks if b.get("block_id") == "reminder:1")
    await double.send_block_action(LUCA, "reminder_list_cancel", message=listing, block_id=cancel["block_id"])
    refreshed = await double.wait_for(
        lambda: e if "Your reminders (2)" in (e := double.ephemerals(LUCA)[-1]).all_text() else None
    )
    assert "water the plants" not in refreshed.all_text()
    running.clock.set(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))  # 09:00 in New York: the cancelled one
    await running.tick()
    assert not any("*Reminder:* water the plants" in m.all_text() for m in bot_dms(double, LUCA))


async def test_reminders_due_while_the_bot_was_down_arrive_once_late_and_together(
    running: RunningBot, double: SlackDouble
) -> None:
    for text in ("count the till", "lock the back door", "switch off the oven"):
        await double.send_message_im(MARIA, f"ricordami di {text} alle 10")
    await double.wait_for(lambda: bot_dms(double, MARIA)[2] if len(bot_dms(double, MARIA)) > 2 else None)
    # The bot is down from 09:30 to 12:00 (Rome); it comes back and catches up.
    running.clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    await running.bot.reminders.recover(single_process=True)
    assert await running.tick() == 3
    late = await next_bot_dm(double, MARIA, 3)
    text = late.all_text()
    assert "*3 promemoria* sono scaduti mentre non potevo inviarli" in text
    assert "in ritardo: era per le 10:00, 2 h fa" in text
    assert all(row.late and row.status == "sent" for row in await deliveries(running))
    assert await running.tick() == 0
    assert len(bot_dms(double, MARIA)) == 4


async def test_a_reminder_half_sent_by_a_dead_process_is_not_sent_twice(
    running: RunningBot, double: SlackDouble
) -> None:
    await double.send_message_im(LUCA, "remind me to check the fryer in 5 minutes")
    await next_bot_dm(double, LUCA, 0)
    running.clock.advance(timedelta(minutes=5))
    engine = running.bot.reminders
    await engine.materialize(running.clock.now())
    async with running.bot.engine.connect() as connection:
        key = await connection.scalar(select(DeliveryRow.occurrence_key))
    # A process claims it, posts it, and dies before recording that it did.
    from storage.db import session_factory
    from storage.unit_of_work import SqlUnitOfWork

    async with SqlUnitOfWork(session_factory(running.bot.engine)) as uow:
        await uow.deliveries.claim(now=running.clock.now(), owner="dead", lease=timedelta(minutes=2), limit=5)
    posted = await running.bot.client.chat_postMessage(
        channel=LUCA,
        text="⏰ check the fryer",
        metadata={"event_type": "ops_delivery", "event_payload": {"occurrence_keys": key}},
    )
    await engine.recover(single_process=True)  # the restarted process takes the claim back
    assert await running.tick() == 1
    assert [m.text for m in bot_dms(double, LUCA)][1:] == ["⏰ check the fryer"]
    (row,) = await deliveries(running)
    assert (row.status, row.slack_ts) == ("sent", posted["ts"])


async def test_an_undeliverable_reminder_is_reported_to_whoever_set_it(
    running: RunningBot, double: SlackDouble
) -> None:
    await double.send_message_im(GIULIA, "remind <@U0GHOST01|ghost> to fix the sign in 1 hour")
    await next_bot_dm(double, GIULIA, 0)
    running.clock.advance(timedelta(hours=1))
    await running.tick()
    report = await next_bot_dm(double, GIULIA, 1)
    assert "Non sono riuscito a consegnare il tuo promemoria “fix the sign” a <@U0GHOST01>" in report.all_text()
    (row,) = await deliveries(running)
    assert row.status == "failed"
    assert Kind(row.kind) is Kind.REMINDER


async def test_ops_reminders_includes_my_tasks_with_a_due_time(running: RunningBot, double: SlackDouble) -> None:
    await double.send_command(LUCA, "task add Order napkins due tomorrow 17:00")
    await double.send_command(LUCA, "task add Count the chairs")  # no due time: nothing will remind Luca
    await double.send_message_im(LUCA, "remind me to water the plants tomorrow at 9")
    await next_bot_dm(double, LUCA, 0)

    await double.send_command(LUCA, "reminders")
    listing = double.ephemerals(LUCA)[-1]
    text = listing.all_text()
    assert "Your reminders (2)" in text
    assert "Task *1*: Order napkins" in text
    assert "Count the chairs" not in text
    assert text.index("water the plants") < text.index("Order napkins")

    task_block = next(b for b in listing.blocks if b.get("block_id") == "task-reminder:1")
    await double.send_block_action(LUCA, "reminder_task_cancel", message=listing, block_id=task_block["block_id"])
    refreshed = await double.wait_for(
        lambda: e if "Your reminders (1)" in (e := double.ephemerals(LUCA)[-1]).all_text() else None
    )
    assert "Order napkins" not in refreshed.all_text()
    await double.send_command(LUCA, "task list")
    assert "Order napkins" in double.ephemerals(LUCA)[-1].all_text()  # the task itself is still there


async def test_reminders_wait_while_the_person_is_away(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(MARIA, "ricordami di chiamare il commercialista tra 1 ora")
    await next_bot_dm(double, MARIA, 0)
    await double.send_command(MARIA, "assenza 2026-11-30 a 2026-12-02 ferie")
    assert ":warning:" not in double.ephemerals(MARIA)[-1].all_text()  # the time off was recorded

    running.clock.advance(timedelta(hours=1))
    await running.tick()
    assert len(bot_dms(double, MARIA)) == 1  # only the confirmation: she is away
    (held,) = await deliveries(running)
    back = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # midnight after her last day off, in Rome
    assert (held.status, held.next_attempt_utc, held.attempts) == ("pending", back, 0)

    running.clock.set(back)
    await running.tick()
    arrived = await next_bot_dm(double, MARIA, 1)
    assert "chiamare il commercialista" in arrived.all_text()
    assert "in ritardo" in arrived.all_text()
    (sent,) = await deliveries(running)
    assert (sent.status, sent.attempts) == ("sent", 1)
