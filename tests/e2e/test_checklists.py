"""Checklists as people use them: made with /ops checklist and a modal, posted to #ops on schedule, ticked and
filled in on the message, out-of-range readings flagged, missed deadlines reported, history and CSV record."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from bot.domain.reminders import Kind
from bot.sandbox.records import Message
from bot.sandbox.server import SlackDouble
from storage.models import DeliveryRow, ScheduleRow
from storage.models_checklists import ChecklistEntryRow, ChecklistItemRow, ChecklistRunRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, RunningBot
from tests.e2e.talk import bot_dms

# The clock starts on Monday 2026-11-30 08:00 UTC (09:00 in Rome). Giulia is the owner (a Slack admin, so a
# manager and more) and reads Italian; the channel #ops reads the workspace language, English.
OPS = "C0OPS0001"
OPS_LINK = f"<#{OPS}|ops>"


def posts(double: SlackDouble, channel: str = OPS) -> list[Message]:
    return [m for m in double.messages(channel) if m.from_bot and m.thread_ts is None]


def thread(double: SlackDouble, parent: Message) -> list[Message]:
    return [m for m in double.messages(parent.channel) if m.from_bot and m.thread_ts == parent.ts]


def latest(double: SlackDouble, ts: str) -> Message:
    return next(m for m in double.messages(OPS) if m.ts == ts)


async def command(double: SlackDouble, user: str, text: str) -> str:
    """Runs `/ops checklist …` and returns what the person was shown."""
    before = len(double.ephemerals(user))
    await double.send_command(user, "checklist " + text)
    shown = double.ephemerals(user)
    assert len(shown) > before, f"no answer to {text!r}"
    return shown[-1].all_text()


async def count(running: RunningBot, table: type) -> int:
    async with running.bot.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def opening(double: SlackDouble, *, deadline: bool = True) -> None:
    """Giulia's opening checklist: a tick, a fridge reading, a note; posted every day at 7:30 in #ops."""
    await command(double, GIULIA, "create Opening")
    await command(double, GIULIA, "add Opening Turn on the ovens")
    await command(double, GIULIA, "add Opening Fridge temperature number 0-5 °C")
    await command(double, GIULIA, "add Opening Notes note")
    due = " due 8:00" if deadline else ""
    answer = await command(double, GIULIA, f"schedule Opening every day at 7:30 in {OPS_LINK}{due}")
    assert "sarà pubblicata in <#C0OPS0001>" in answer


async def modal_of(double: SlackDouble, user: str) -> dict[str, object]:
    """The modal a button opened (it opens just after the click is acknowledged)."""
    views = await double.wait_for(lambda: double.open_views(user) or None)
    return views[-1]


def item_block(message: Message, label: str) -> dict[str, object]:
    return next(b for b in message.blocks if b.get("block_id", "").startswith("checklist_item:") and label in str(b))


async def test_create_items_by_command_and_modal_then_schedule(running: RunningBot, double: SlackDouble) -> None:
    assert "Lista di controllo *Opening* creata" in await command(double, GIULIA, "create Opening")
    assert "Aggiunta Turn on the ovens _(sì/no)_" in await command(double, GIULIA, "add Opening Turn on the ovens")
    fridge = await command(double, GIULIA, "add Opening Fridge temperature number 0-5 °C")
    assert "Fridge temperature _(numero, 0\u20135 °C)_" in fridge
    freezer = await command(double, GIULIA, "aggiungi opening Freezer numero -20 a -15 °C")
    assert "Freezer _(numero, -20\u2013-15 °C)_" in freezer
    assert "(nota)" in await command(double, GIULIA, "add Opening Notes note")

    # No item text: the modal, with a type and a range.
    await double.send_command(GIULIA, "checklist add Opening")
    (modal,) = double.open_views(GIULIA)
    assert modal["callback_id"] == "checklist_add_item"
    await double.send_view_submission(
        GIULIA,
        values={
            "label": {"label": "Dishwasher rinse"},
            "kind": {"kind": "number"},
            "minimum": {"minimum": "82"},
            "maximum": {"maximum": "90,5"},
            "unit": {"unit": "°C"},
        },
    )
    assert double.open_views(GIULIA) == []
    confirmation = await double.wait_for(
        lambda: next((e for e in double.ephemerals(GIULIA) if "Dishwasher" in e.all_text()), None)
    )
    assert "Dishwasher rinse _(numero, 82\u201390.5 °C)_" in confirmation.all_text()

    shown = await command(double, LUCA, "show Opening")
    for line in ("`1` Turn on the ovens", "`2` Fridge temperature", "`3` Freezer", "`4` Notes", "`5` Dishwasher"):
        assert line in shown
    async with running.bot.engine.connect() as connection:
        rows = (await connection.execute(select(ChecklistItemRow).order_by(ChecklistItemRow.id))).all()
    assert [(r.kind, r.minimum, r.maximum, r.unit) for r in rows] == [
        ("check", None, None, None),
        ("number", Decimal("0"), Decimal("5"), "°C"),
        ("number", Decimal("-20"), Decimal("-15"), "°C"),
        ("note", None, None, None),
        ("number", Decimal("82"), Decimal("90.5"), "°C"),
    ]
    assert all(isinstance(r.minimum, Decimal) for r in rows if r.minimum is not None)

    answer = await command(double, GIULIA, f"schedule Opening ogni giorno alle 7:30 in {OPS_LINK} entro le 8:00")
    first = int(datetime(2026, 12, 1, 6, 30, tzinfo=UTC).timestamp())
    assert f"<!date^{first}^" in answer
    async with running.bot.engine.connect() as connection:
        schedule = (await connection.execute(select(ScheduleRow))).one()
    assert (schedule.kind, schedule.recipient, schedule.rrule, schedule.zone, schedule.local_start) == (
        "checklist",
        OPS,
        "FREQ=DAILY",
        "Europe/Rome",
        "2026-12-01T07:30:00",
    )
    assert schedule.payload["deadline"] == "08:00"
    listing = await command(double, LUCA, "")
    assert "*Opening* — 5 items" in listing
    assert "<#C0OPS0001> · at 07:30 (Europe/Rome) · due by 08:00" in listing


async def test_posted_at_0730_ticked_filled_flagged_and_deadline_reported(
    running: RunningBot, double: SlackDouble
) -> None:
    await opening(double)
    running.clock.set(datetime(2026, 12, 1, 6, 29, tzinfo=UTC))
    assert await running.tick() == 0
    assert posts(double) == []
    running.clock.set(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))  # 07:30 in Rome
    assert await running.tick() == 1
    (post,) = posts(double)
    assert post.blocks[0]["text"]["text"] == "📋 Opening"
    assert "0 of 3 done" in post.all_text()
    assert "due by" in post.all_text()
    assert "⬜ Fridge temperature _(0\u20135 °C)_" in post.all_text()

    # Maria ticks the ovens: the message changes in place, for everyone.
    running.clock.set(datetime(2026, 12, 1, 6, 41, tzinfo=UTC))
    ovens = item_block(post, "Turn on the ovens")
    await double.send_block_action(MARIA, "checklist_tick", message=post, block_id=str(ovens["block_id"]))
    updated = await double.wait_for(lambda: m if "1 of 3" in (m := latest(double, post.ts)).all_text() else None)
    assert f"✅ Turn on the ovens — <@{MARIA}> at <!date^" in updated.all_text()
    assert len(posts(double)) == 1

    # Luca enters the fridge reading in the modal: 7 °C is outside 0-5, flagged at once in the thread.
    fridge = item_block(updated, "Fridge temperature")
    await double.send_block_action(LUCA, "checklist_value", message=updated, block_id=str(fridge["block_id"]))
    modal = await modal_of(double, LUCA)
    assert "Allowed: 0\u20135 °C" in str(modal["blocks"])
    await double.send_view_submission(LUCA, values={"value": {"value": "warm"}})  # unreadable: stays open
    assert len(double.open_views(LUCA)) == 1
    await double.send_view_submission(LUCA, values={"value": {"value": "7"}})
    assert double.open_views(LUCA) == []
    flagged = await double.wait_for(lambda: thread(double, post) or None)
    (flag,) = flagged
    assert f"*Fridge temperature* out of range: *7 °C* (allowed 0\u20135 °C), entered by <@{LUCA}>" in flag.all_text()
    assert "Task #1 opened" in flag.all_text()
    updated = latest(double, post.ts)
    assert f"⚠️ Fridge temperature: *7 °C* (outside 0\u20135 °C) — <@{LUCA}>" in updated.all_text()

    # A second reading in the same excursion is kept but raises no second alarm; back in range clears it.
    for reading in ("8", "4,5"):
        await double.send_block_action(LUCA, "checklist_value", message=updated, block_id=str(fridge["block_id"]))
        await modal_of(double, LUCA)
        await double.send_view_submission(LUCA, values={"value": {"value": reading}})
    updated = await double.wait_for(lambda: m if "4.5 °C" in (m := latest(double, post.ts)).all_text() else None)
    assert "✅ Fridge temperature: *4.5 °C*" in updated.all_text()
    assert len(thread(double, post)) == 1
    async with running.bot.engine.connect() as connection:
        entries = (await connection.execute(select(ChecklistEntryRow).order_by(ChecklistEntryRow.id))).all()
    assert [(e.done_by, e.checked, e.number, e.in_range, e.flagged) for e in entries] == [
        (MARIA, True, None, None, False),
        (LUCA, None, Decimal("7"), False, True),
        (LUCA, None, Decimal("8"), False, False),
        (LUCA, None, Decimal("4.5"), True, False),
    ]
    assert entries[0].done_at == datetime(2026, 12, 1, 6, 41, tzinfo=UTC)
    assert entries[1].task_id is not None

    # 08:00 in Rome: the note is still open; reported once in the thread and to each manager by DM.
    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    await running.tick()
    report = await double.wait_for(lambda: thread(double, post)[1] if len(thread(double, post)) > 1 else None)
    assert "Deadline" in report.all_text()
    assert "1 item(s) still open" in report.all_text()
    assert "• Notes" in report.all_text()
    assert "Turn on the ovens" not in report.all_text()
    giulia = bot_dms(double, GIULIA)[-1]
    assert "Lista *Opening* in <#C0OPS0001>: 1 voce/i ancora aperte" in giulia.all_text()
    assert "Checklist *Opening* in <#C0OPS0001>: 1 item(s) still open" in bot_dms(double, ALEX)[-1].all_text()
    assert bot_dms(double, MARIA) == []
    assert "Deadline passed with 1 item(s) open" in latest(double, post.ts).all_text()
    running.clock.advance(timedelta(hours=1))
    await running.tick()
    assert len(thread(double, post)) == 2
    assert len(bot_dms(double, GIULIA)) == 1


async def test_nothing_reported_when_everything_is_done_by_the_deadline(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, GIULIA, "create Closing")
    await command(double, GIULIA, "add Closing Lock the door")
    await command(double, GIULIA, f"schedule Closing every day at 22:00 in {OPS_LINK} due 22:30")
    running.clock.set(datetime(2026, 11, 30, 21, 0, tzinfo=UTC))
    await running.tick()
    (post,) = posts(double)
    await double.send_block_action(MARIA, "checklist_tick", message=post)
    await double.wait_for(lambda: m if "All done" in (m := latest(double, post.ts)).all_text() else None)
    running.clock.set(datetime(2026, 11, 30, 21, 30, tzinfo=UTC))
    await running.tick()
    assert thread(double, post) == []
    assert bot_dms(double, GIULIA) == []


async def test_the_post_stays_at_0730_local_across_the_spring_dst_change(
    running: RunningBot, double: SlackDouble
) -> None:
    running.clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    await opening(double, deadline=False)
    running.clock.set(datetime(2026, 3, 28, 6, 30, tzinfo=UTC))  # Saturday 07:30 CET
    assert await running.tick() == 1
    running.clock.set(datetime(2026, 3, 29, 5, 29, tzinfo=UTC))  # Sunday: clocks went forward at 02:00
    assert await running.tick() == 0
    running.clock.set(datetime(2026, 3, 29, 5, 30, tzinfo=UTC))  # 07:30 CEST
    assert await running.tick() == 1
    assert len(posts(double)) == 2
    async with running.bot.engine.connect() as connection:
        dues = (await connection.execute(select(ChecklistRunRow.due_utc).order_by(ChecklistRunRow.id))).scalars()
        assert list(dues) == [datetime(2026, 3, 28, 6, 30, tzinfo=UTC), datetime(2026, 3, 29, 5, 30, tzinfo=UTC)]


async def test_a_backlog_after_downtime_is_one_late_post_with_its_full_window(
    running: RunningBot, double: SlackDouble
) -> None:
    await opening(double)
    # Down from Monday to Thursday 10:00 in Rome: three mornings missed.
    running.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    await running.bot.reminders.recover(single_process=True)
    assert await running.tick() == 1
    (post,) = posts(double)
    assert "late: was due at" in post.all_text()
    async with running.bot.engine.connect() as connection:
        runs = (await connection.execute(select(ChecklistRunRow))).all()
        deliveries = (await connection.execute(select(DeliveryRow))).all()
    (run,) = runs
    assert run.due_utc == datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
    assert run.deadline_utc == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # the 30 minutes it should have had
    assert [d.kind for d in deliveries] == [Kind.CHECKLIST.value]
    assert await running.tick() == 0
    running.clock.set(datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    assert await running.tick() == 1
    assert len(thread(double, post)) == 1


async def test_history_and_the_csv_record(running: RunningBot, double: SlackDouble) -> None:
    await opening(double)
    running.clock.set(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    await running.tick()
    (post,) = posts(double)
    running.clock.set(datetime(2026, 12, 1, 6, 45, tzinfo=UTC))
    await double.send_block_action(MARIA, "checklist_tick", message=post)
    await double.wait_for(lambda: m if "1 of 3" in (m := latest(double, post.ts)).all_text() else None)
    fridge = item_block(post, "Fridge temperature")
    await double.send_block_action(LUCA, "checklist_value", message=post, block_id=str(fridge["block_id"]))
    await modal_of(double, LUCA)
    await double.send_view_submission(LUCA, values={"value": {"value": "6.5"}})
    await double.wait_for(lambda: thread(double, post) or None)
    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    await running.tick()

    history = await command(double, LUCA, "history Opening")
    assert "Recent runs of Opening" in history
    assert "2 of 3 done · ⏰ 1 open at the deadline" in history
    assert f"✅ Turn on the ovens — <@{MARIA}>" in history
    assert "⚠️ Fridge temperature: *6.5 °C*" in history
    assert "⬜ Notes" in history

    sent = await command(double, LUCA, "export Opening 2026-12")
    assert "CSV" in sent
    (file,) = double.files
    assert file.filename == "checklist-opening-2026-12.csv"
    assert file.channels == (double.workspace.dm_channel_id(LUCA),)
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows == [
        ["date", "time", "item", "value", "unit", "in range", "done by"],
        ["2026-12-01", "07:45:00", "Turn on the ovens", "yes", "", "", "maria"],
        ["2026-12-01", "07:45:00", "Fridge temperature", "6.5", "°C", "no", "luca"],
        ["2026-12-01", "", "Notes", "not done", "", "", ""],
    ]
    # Another month has nothing; Maria's own export is in Italian.
    await command(double, MARIA, "esporta Opening 2026-11")
    header = list(csv.reader(io.StringIO(double.files[-1].content.decode("utf-8-sig"))))
    assert header == [["data", "ora", "voce", "valore", "unità", "nell'intervallo", "fatto da"]]


async def test_staff_cannot_change_checklists_and_are_told_in_italian(running: RunningBot, double: SlackDouble) -> None:
    await opening(double)
    refusal = await command(double, MARIA, "create Chiusura")
    assert "Per creare o modificare le liste di controllo serve il ruolo responsabile; il tuo è personale" in refusal
    await command(double, MARIA, "add Opening Clean the tables")
    await command(double, LUCA, f"schedule Opening every day at 9 in {OPS_LINK}")
    assert "To create or change checklists you need the manager role" in double.ephemerals(LUCA)[-1].all_text()
    assert await count(running, ChecklistItemRow) == 3
    assert await count(running, ScheduleRow) == 1
    # Anyone may tick.
    running.clock.set(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    await running.tick()
    await double.send_block_action(LUCA, "checklist_tick", message=posts(double)[0])
    await double.wait_for(lambda: m if "1 of 3" in (m := latest(double, posts(double)[0].ts)).all_text() else None)


async def test_bad_input_is_explained_with_an_example_and_changes_nothing(
    running: RunningBot, double: SlackDouble
) -> None:
    await opening(double, deadline=False)
    cases = {
        "add Opening Fridge number 5-0 °C": "goes backwards",
        "add Opening number 0-5 °C": "Say what the item is",
        f"schedule Opening sometimes in {OPS_LINK}": "I couldn't find when to post",
        f"schedule Opening every day at 7:30 in {OPS_LINK} due 7:00": "must be after the start",
        "schedule Opening every day at 7:30 in #ops": "Name the channel as a link",
        "show Closing": "There is no checklist called *Closing*. Checklists: Opening",
        "export Opening 2026-13": "is not a month",
        "create Opening": "already a checklist called *Opening*",
    }
    for text, problem in cases.items():
        answer = await command(double, ALEX, text)
        assert problem in answer, (text, answer)
        if "create" not in text and "show" not in text:
            assert "Example: `/ops checklist" in answer, text
    assert await count(running, ChecklistItemRow) == 3
    assert await count(running, ScheduleRow) == 1


async def test_a_long_checklist_still_posts_as_one_message(running: RunningBot, double: SlackDouble) -> None:
    await command(double, GIULIA, "create Stocktake")
    for number in range(1, 46):
        await command(double, GIULIA, f"add Stocktake Shelf {number} counted")
    await command(double, GIULIA, "add Stocktake Cellar temperature number 10-14 °C")
    await command(double, GIULIA, f"schedule Stocktake every day at 7:30 in {OPS_LINK}")
    running.clock.set(datetime(2026, 12, 1, 6, 30, tzinfo=UTC))
    await running.tick()
    (post,) = posts(double)
    assert len(post.blocks) <= 50
    assert "`46` ⬜ Cellar temperature" in post.all_text()
    await double.send_block_action(MARIA, "checklist_pick", value=_option(post, "3. Shelf 3"), message=post)
    await double.wait_for(lambda: m if "1 of 46" in (m := latest(double, post.ts)).all_text() else None)
    await double.send_block_action(MARIA, "checklist_pick", value=_option(post, "46. Cellar"), message=post)
    modal = await modal_of(double, MARIA)
    assert modal["callback_id"] == "checklist_value_submit"


def _option(message: Message, label: str) -> str:
    for block in message.blocks:
        for element in block.get("elements", []):
            for option in element.get("options", []):
                if str(option["text"]["text"]).startswith(label):
                    return str(option["value"])
    raise LookupError(label)
