"""Stock as people use it: items added, used, received and counted by command in English and Italian (units
converted within a dimension, a mismatch refused), the listing with low items first and an item's history; the
below-minimum alert posted once per crossing (two uses at once included); a reorder drafted per supplier, edited
in the modal, approved once, emailed to the supplier through a local SMTP server with a CSV and a PDF in the
manager's DM and a "receive delivery" task; a stock-take checklist whose readings become counts; the digest's
stock section and the managers' App Home."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import Row, select

from bot.runtime import finish_background_work
from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.models_stock import StockItemRow, StockMovementRow, StockOrderLineRow, StockOrderRow
from storage.models_tasks import TaskRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot
from tests.e2e.talk import bot_dms
from tests.mail.servers import SmtpSink
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC: 09:00 in Rome, the workspace's zone.
# Alex is an admin and reads English; Giulia (owner) and Maria (staff) read Italian; Luca and Sam are staff.
OPS = "C0OPS0001"
OPS_LINK = f"<#{OPS}|ops>"
SHOP = "kitchen@shop.example"
SUPPLIER = "ordini@molino.example"


async def command(double: SlackDouble, user: str, text: str, *, channel: str = OPS) -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


def posts(double: SlackDouble, channel: str = OPS) -> list[Message]:
    return [m for m in double.messages(channel) if m.from_bot and m.thread_ts is None]


async def item(running: RunningBot, name: str) -> Row[Any]:
    (row,) = await stored_rows(running.bot.engine, select(StockItemRow).where(StockItemRow.name == name))
    return row


async def movements(running: RunningBot, name: str) -> list[Row[Any]]:
    found = await item(running, name)
    query = select(StockMovementRow).where(StockMovementRow.item_id == found.id).order_by(StockMovementRow.id)
    return await stored_rows(running.bot.engine, query)


def alerts(double: SlackDouble) -> list[Message]:
    return [m for m in posts(double) if "below its minimum" in m.all_text()]


# ---- items and movements ---------------------------------------------------------------------------------------


async def test_add_use_receive_count_list_and_history(running: RunningBot, double: SlackDouble) -> None:
    added = await command(double, LUCA, "stock add flour 25 kg min 10 supplier Molino Rossi")
    assert "Added *flour*: 25 kg." in added.all_text()
    assert "min 10 kg · Molino Rossi" in added.all_text()
    assert "A reorder brings it back to 20 kg." in added.all_text()  # no target: twice the minimum

    used = await command(double, LUCA, "stock use flour 500 g")  # converted to the item's unit
    assert "Used 500 g of *flour*: 24.5 kg left." in used.all_text()
    received = await command(double, SAM, "stock receive Flour 20kg")
    assert "Received 20 kg of *flour*: now 44.5 kg." in received.all_text()
    counted = await command(double, LUCA, "stock count flour 12 kg")
    assert "Counted *flour*: 12 kg (\u221232.5 kg against the record)." in counted.all_text()

    row = await item(running, "flour")
    assert (row.quantity, row.minimum, row.unit, row.below_minimum) == (Decimal("12"), Decimal("10"), "kg", False)
    assert isinstance(row.quantity, Decimal)
    assert [
        (m.kind, m.change, m.quantity_after, m.entered, m.entered_unit, m.done_by)
        for m in await movements(running, "flour")
    ] == [
        ("add", Decimal("25"), Decimal("25"), Decimal("25"), "kg", LUCA),
        ("use", Decimal("-0.5"), Decimal("24.5"), Decimal("500"), "g", LUCA),
        ("receive", Decimal("20"), Decimal("44.5"), Decimal("20"), "kg", SAM),
        ("count", Decimal("-32.5"), Decimal("12"), Decimal("12"), "kg", LUCA),
    ]

    no_channel = await command(double, LUCA, "stock use flour 3 kg")
    assert "*flour* is now below its minimum of 10 kg. No stock channel is set for alerts" in no_channel.all_text()
    assert (await item(running, "flour")).below_minimum is True
    await command(double, LUCA, "stock receive flour 3 kg")

    await command(double, LUCA, "stock add basil 3 pcs")
    await command(double, LUCA, "stock add sugar 2 kg min 5 target 12 at pantry")
    listing = await command(double, SAM, "stock")
    text = listing.all_text()
    assert "Stock: 3 item(s), 1 low" in text
    assert text.index("sugar") < text.index("basil") < text.index("flour")  # low first, then by name
    assert ":warning: *sugar* 2 kg · min 5 kg · at pantry" in text

    history = await command(double, SAM, "stock history flour")
    lines = history.all_text()
    assert "History of flour" in lines
    assert lines.index("received 3 kg") < lines.index("used 3 kg") < lines.index("counted 12 kg")
    assert lines.index("counted 12 kg") < lines.index("received 20 kg") < lines.index("used 500 g")
    assert f"(\u22120.5 kg) \u2192 24.5 kg · <@{LUCA}>" in lines


async def test_italian_commands_and_numbers(running: RunningBot, double: SlackDouble) -> None:
    added = await command(double, MARIA, "scorte aggiungi farina 10 kg min 2 fornitore Molino Rossi in cucina")
    assert "Aggiunto *farina*: 10 kg." in added.all_text()
    used = await command(double, MARIA, "scorte usa farina 1,5 kg")
    assert "Usati 1,5 kg di *farina*: ne restano 8,5 kg." in used.all_text()
    received = await command(double, MARIA, "magazzino ricevi farina 500 g")
    assert "Ricevuti 500 g di *farina*: ora 9 kg." in received.all_text()
    counted = await command(double, MARIA, "scorte conta farina 7 kg")
    assert "Contato *farina*: 7 kg (\u22122 kg rispetto al registro)." in counted.all_text()
    assert "Storico di farina" in (await command(double, MARIA, "scorte storico farina")).all_text()
    assert "Scorte: 1 articolo/i, 0 sotto il minimo" in (await command(double, MARIA, "scorte")).all_text()
    assert (await item(running, "farina")).location == "cucina"


async def test_a_unit_mismatch_is_refused_and_changes_nothing(running: RunningBot, double: SlackDouble) -> None:
    await command(double, LUCA, "stock add olive oil 5 l min 2")
    refused = await command(double, LUCA, "stock use olive oil 2 kg")
    assert "*olive oil* is counted in l, and kg cannot be turned into l." in refused.all_text()
    assert "Example: `/ops stock use flour 3 kg`" in refused.all_text()
    assert "Non trovo" not in refused.all_text()
    fine = await command(double, LUCA, "stock use olive oil 250 ml")
    assert "Used 250 ml of *olive oil*: 4.75 l left." in fine.all_text()
    boxes = await command(double, LUCA, "stock receive olive oil 2 boxes")
    assert "boxes cannot be turned into l" in boxes.all_text()
    too_much = await command(double, LUCA, "stock use olive oil 9 l")
    assert "Only 4.75 l of *olive oil* are in stock" in too_much.all_text()
    unknown = await command(double, LUCA, "stock use flour 3 kg")
    assert "There is no item “flour”. Items: olive oil." in unknown.all_text()
    assert [m.kind for m in await movements(running, "olive oil")] == ["add", "use"]
    assert (await item(running, "olive oil")).quantity == Decimal("4.75")


# ---- the minimum -----------------------------------------------------------------------------------------------


async def test_crossing_the_minimum_alerts_the_stock_channel_once(running: RunningBot, double: SlackDouble) -> None:
    refused = await command(double, LUCA, f"stock channel {OPS_LINK}")
    assert "you need the manager role" in refused.all_text()
    assert "Stock alerts go to <#C0OPS0001>." in (await command(double, ALEX, f"stock channel {OPS_LINK}")).all_text()
    await command(double, LUCA, "stock add flour 12 kg min 10")

    crossed = await command(double, LUCA, "stock use flour 3 kg")
    assert "*flour* is now below its minimum of 10 kg: the stock channel has been told." in crossed.all_text()
    (alert,) = await double.wait_for(lambda: alerts(double) or None)
    assert f"*flour* is below its minimum: 9 kg left (minimum 10 kg), after a change by <@{LUCA}>." in (
        alert.all_text()
    )
    still = await command(double, SAM, "stock use flour 1 kg")
    assert "*flour* is below its minimum of 10 kg." in still.all_text()
    assert len(alerts(double)) == 1  # not again until it has gone back above
    assert (await item(running, "flour")).below_minimum is True

    back = await command(double, LUCA, "stock receive flour 12 kg")
    assert "*flour* is back above its minimum." in back.all_text()
    assert (await item(running, "flour")).below_minimum is False

    # 20 kg: two uses of 6 kg at once take it to 8 kg; whichever crosses alerts, once.
    await asyncio.gather(
        double.send_command(LUCA, "stock use flour 6 kg", channel_id=OPS),
        double.send_command(SAM, "stock use flour 6 kg", channel_id=OPS),
    )
    await double.wait_for(lambda: True if len(alerts(double)) == 2 else None)
    assert (await item(running, "flour")).quantity == Decimal("8")
    await command(double, LUCA, "stock use flour 1 kg")
    assert len(alerts(double)) == 2


# ---- reorders --------------------------------------------------------------------------------------------------


@pytest.fixture
def smtp_from() -> str:
    """The kitchen's address: orders to suppliers come from it (the `mailing` fixture)."""
    return SHOP


async def test_reorder_draft_edit_approve_email_files_and_delivery_task(
    mailing: RunningBot, double: SlackDouble, smtp: SmtpSink
) -> None:
    supplier = await command(
        double, ALEX, f"stock supplier Molino Rossi email <mailto:{SUPPLIER}|{SUPPLIER}> lead 2 days"
    )
    assert f"Supplier *Molino Rossi*: email {SUPPLIER}, delivery in 2 day(s)." in supplier.all_text()
    await command(double, LUCA, "stock add flour 4 kg min 10 supplier Molino Rossi")  # to 20 kg: 16 kg
    await command(double, LUCA, "stock add semolina 1 kg min 5 target 8 supplier molino rossi")  # to 8 kg: 7 kg
    await command(double, LUCA, "stock add napkins 50 pcs min 100 supplier Carta Srl")  # no email: 150 pcs
    await command(double, LUCA, "stock add salt 3 kg min 1 supplier Molino Rossi")  # not low

    refused = await command(double, LUCA, "stock reorder")
    assert "you need the manager role" in refused.all_text()
    drafted = await command(double, ALEX, "stock reorder")
    text = drafted.all_text()
    assert "2 draft order(s)" in text
    assert "Order #1 — Molino Rossi" in text
    assert "Order #2 — Carta Srl" in text
    for line in ("• flour: *16 kg*", "• semolina: *7 kg*", "• napkins: *150 pcs*"):
        assert line in text
    assert "salt" not in text
    assert f"Approving emails it to {SUPPLIER}." in text
    assert "No email for this supplier" in text
    orders = await stored_rows(mailing.bot.engine, select(StockOrderRow).order_by(StockOrderRow.number))
    assert [(o.number, o.status) for o in orders] == [(1, "draft"), (2, "draft")]

    # Edit: the modal shows each line's quantity; 18 kg of flour instead of 16.
    await double.send_block_action(ALEX, "stock_order_edit_open", value=str(orders[0].id), message=drafted)
    modal = (await double.wait_for(lambda: double.open_views(ALEX) or None))[-1]
    assert modal["callback_id"] == "stock_order_edit"
    lines = await stored_rows(mailing.bot.engine, select(StockOrderLineRow).order_by(StockOrderLineRow.id))
    flour_line = next(line for line in lines if line.quantity == Decimal("16"))
    await double.send_view_submission(ALEX, values={f"stock_line:{flour_line.id}": {"quantity": "eighteen"}})
    assert len(double.open_views(ALEX)) == 1  # unreadable: stays open with the error
    await double.send_view_submission(ALEX, values={f"stock_line:{flour_line.id}": {"quantity": "18"}})
    assert double.open_views(ALEX) == []
    edited = await double.wait_for(lambda: next((m for m in bot_dms(double, ALEX) if "changed" in m.all_text()), None))
    assert "Order #1 changed: approve it when it is right." in edited.all_text()
    assert "• flour: *18 kg*" in edited.all_text()

    # Approve (from the edited draft in the DM): recorded once, emailed, files, a task for the expected day.
    await double.send_block_action(ALEX, "stock_order_approve", message=edited)
    approved = await double.wait_for(
        lambda: next((e for e in double.ephemerals(ALEX) if "approved" in e.all_text()), None)
    )
    assert "Order #1 to Molino Rossi approved." in approved.all_text()
    assert f"Emailed to {SUPPLIER}." in approved.all_text()
    assert "Task #1 to receive the delivery, due <!date^" in approved.all_text()

    (raw,) = await double.wait_for(lambda: smtp.messages or None)
    email = message_from_bytes(raw, policy=default)
    assert isinstance(email, EmailMessage)
    assert (email["To"], email["From"], email["Subject"]) == (SUPPLIER, SHOP, "Order #1")
    text_part = email.get_body(preferencelist=("plain",))
    assert isinstance(text_part, EmailMessage)
    body = text_part.get_content().replace("\r\n", "\n")
    assert "please deliver order #1:" in body
    assert "- flour: 18 kg\n- semolina: 7 kg" in body
    assert "Expected on 2026-12-02." in body
    # The same order as files the supplier can file or import.
    files = {part.get_filename(): part for part in email.iter_attachments()}
    assert set(files) == {"order-1.pdf", "order-1.csv"}
    assert files["order-1.pdf"].get_content_type() == "application/pdf"
    attached_pdf = PdfReader(io.BytesIO(files["order-1.pdf"].get_payload(decode=True)))
    assert "semolina" in "".join(page.extract_text() for page in attached_pdf.pages)
    assert "1,Molino Rossi,flour,18,kg,2026-12-02" in files["order-1.csv"].get_payload(decode=True).decode()

    (order, _second) = await stored_rows(mailing.bot.engine, select(StockOrderRow).order_by(StockOrderRow.number))
    assert (order.status, order.approved_by, order.expected_on, order.emailed_to, order.task_number) == (
        "approved",
        ALEX,
        date(2026, 12, 2),
        SUPPLIER,
        1,
    )
    (task,) = await stored_rows(mailing.bot.engine, select(TaskRow))
    assert task.title == "Receive delivery: order #1 from Molino Rossi"
    assert (task.assignee, task.status) == (ALEX, "open")
    assert task.due_utc == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 09:00 in Rome on the expected day

    csv_file = await double.wait_for(lambda: next((f for f in double.files if f.filename == "order-1.csv"), None))
    assert csv_file.content.decode().splitlines() == [
        "order,Supplier,Item,Quantity,Unit,Expected",
        "1,Molino Rossi,flour,18,kg,2026-12-02",
        "1,Molino Rossi,semolina,7,kg,2026-12-02",
    ]
    pdf_file = await double.wait_for(lambda: next((f for f in double.files if f.filename == "order-1.pdf"), None))
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_file.content)).pages)
    for words in ("Order #1", "Molino Rossi", "semolina", "18", "kg"):
        assert words in pdf_text

    # A second click: nothing more happens; told who approved it.
    await double.send_block_action(ALEX, "stock_order_approve", message=edited)
    again = await double.wait_for(
        lambda: next((e for e in double.ephemerals(ALEX) if "already approved" in e.all_text()), None)
    )
    assert f"Order #1 was already approved by <@{ALEX}>." in again.all_text()
    assert len(smtp.messages) == 1
    assert len(await stored_rows(mailing.bot.engine, select(TaskRow))) == 1

    # The other draft: no address, so no email; the order and its task still are.
    await double.send_block_action(ALEX, "stock_order_approve", value=str(orders[1].id), message=drafted)
    second = await double.wait_for(
        lambda: next((e for e in double.ephemerals(ALEX) if "Order #2 to Carta Srl approved" in e.all_text()), None)
    )
    assert "Send it to the supplier yourself." in second.all_text()
    assert len(smtp.messages) == 1


# ---- the stock-take --------------------------------------------------------------------------------------------


def _item_block(message: Message, label: str) -> dict[str, Any]:
    return next(b for b in message.blocks if b.get("block_id", "").startswith("checklist_item:") and label in str(b))


async def test_a_scheduled_stock_take_checklist_records_counts(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"stock channel {OPS_LINK}")
    await command(double, LUCA, "stock add flour 12 kg min 10 at kitchen")
    await command(double, LUCA, "stock add milk 6 l at kitchen")
    await command(double, LUCA, "stock add napkins 100 pcs at storeroom")
    nothing = await command(double, ALEX, f"stock take cellar every friday at 18:00 in {OPS_LINK}")
    assert "No stock item is at “cellar”" in nothing.all_text()
    refused = await command(double, LUCA, f"stock take kitchen every friday at 18:00 in {OPS_LINK}")
    assert "you need the manager role" in refused.all_text()

    answer = await command(double, ALEX, f"stock take kitchen every friday at 18:00 in {OPS_LINK} due 19:00")
    assert "Stock-take of *kitchen* (2 item(s)): checklist *Stock-take kitchen* posted in <#C0OPS0001>" in (
        answer.all_text()
    )
    assert "each Friday at 18:00" in answer.all_text() or "every friday at 18:00" in answer.all_text().lower()
    shown = await command(double, LUCA, "checklist show Stock-take kitchen")
    assert "`1` flour" in shown.all_text()
    assert "`2` milk" in shown.all_text()
    assert "napkins" not in shown.all_text()

    running.clock.set(datetime(2026, 12, 4, 17, 0, tzinfo=UTC))  # Friday 18:00 in Rome
    assert await running.tick() >= 1
    post = await double.wait_for(lambda: next((m for m in posts(double) if "Stock-take kitchen" in m.all_text()), None))
    flour = _item_block(post, "flour")
    await double.send_block_action(MARIA, "checklist_value", message=post, block_id=str(flour["block_id"]))
    await double.wait_for(lambda: double.open_views(MARIA) or None)
    await double.send_view_submission(MARIA, values={"value": {"value": "7,5"}})
    await double.wait_for(lambda: alerts(double) or None)  # the count took flour below its minimum

    row = await item(running, "flour")
    assert (row.quantity, row.below_minimum) == (Decimal("7.5"), True)
    last = (await movements(running, "flour"))[-1]
    assert (last.kind, last.change, last.quantity_after, last.done_by, last.note) == (
        "count",
        Decimal("-4.5"),
        Decimal("7.5"),
        MARIA,
        "stock-take",
    )
    (alert,) = alerts(double)
    assert f"after a change by <@{MARIA}>" in alert.all_text()


# ---- the digest ------------------------------------------------------------------------------------------------


async def test_the_daily_digest_lists_low_items(running: RunningBot, double: SlackDouble) -> None:
    await command(double, LUCA, "stock add flour 3 kg min 10")
    await command(double, LUCA, "stock add sugar 4 kg min 5")
    await command(double, LUCA, "stock add salt 3 kg min 1")
    await command(double, ALEX, "digest daily 08:00")
    running.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    await running.tick()
    digest = await double.wait_for(lambda: next((m for m in posts(double) if "Stock below" in m.all_text()), None))
    text = digest.all_text()
    assert "Stock below minimum (2)" in text
    assert text.index("• *flour*: 3 kg (min 10 kg)") < text.index("• *sugar*: 4 kg (min 5 kg)")  # furthest below first
    assert "salt" not in text
    only = await command(double, ALEX, "digest sections stock")
    assert "stock" in only.all_text()
    assert "Example" not in (await command(double, GIULIA, "riepilogo sezioni scorte casi")).all_text()


async def test_managers_see_low_items_on_their_home(running: RunningBot, double: SlackDouble) -> None:
    await command(double, LUCA, "stock add flour 3 kg min 10")
    await command(double, LUCA, "stock add salt 3 kg min 1")
    await double.send_app_home_opened(ALEX)
    home = await double.wait_for(lambda: double.home_view(ALEX))
    text = json.dumps(home, ensure_ascii=False)
    assert "Stock below minimum (1)" in text
    assert "• *flour*: 3 kg (min 10 kg)" in text
    assert "salt" not in text
    await double.send_app_home_opened(LUCA)
    staff = await double.wait_for(lambda: double.home_view(LUCA))
    assert "Stock below minimum" not in json.dumps(staff, ensure_ascii=False)


async def _approved_order(double: SlackDouble, running: RunningBot) -> Ephemeral:
    """Molino Rossi (with an email) gets a one-line draft order; returns the draft message."""
    await command(double, ALEX, f"stock supplier Molino Rossi email <mailto:{SUPPLIER}|{SUPPLIER}> lead 2 days")
    await command(double, LUCA, "stock add flour 4 kg min 10 supplier Molino Rossi")
    return await command(double, ALEX, "stock reorder")


@pytest.mark.parametrize("smtp", [1], indirect=True)
async def test_an_email_the_relay_refused_is_sent_by_the_check_up_and_the_manager_told(
    mailing: RunningBot, double: SlackDouble, smtp: SmtpSink
) -> None:
    drafted = await _approved_order(double, mailing)
    await double.send_block_action(ALEX, "stock_order_approve", message=drafted)
    approved = await double.wait_for(
        lambda: next((e for e in double.ephemerals(ALEX) if "approved" in e.all_text()), None)
    )
    assert f"The email to {SUPPLIER} could not be sent just now: I will try again" in approved.all_text()
    assert smtp.messages == []
    (order,) = await stored_rows(mailing.bot.engine, select(StockOrderRow))
    assert (order.status, order.emailed_to, order.task_number) == ("approved", None, 1)

    # Five minutes on, the check-up sends it (the relay takes it now) and tells the approver; nothing twice.
    mailing.clock.advance(timedelta(minutes=5))
    assert await mailing.tick() == 1
    (raw,) = smtp.messages
    assert message_from_bytes(raw, policy=default)["Subject"] == "Order #1"
    told = await double.wait_for(
        lambda: next((m for m in bot_dms(double, ALEX) if "finished what the approval" in m.all_text()), None)
    )
    assert f"Emailed to {SUPPLIER}." in told.all_text()
    assert "Task #" not in told.all_text()  # the task was made at the approval
    (order,) = await stored_rows(mailing.bot.engine, select(StockOrderRow))
    assert order.emailed_to == SUPPLIER
    assert len(await stored_rows(mailing.bot.engine, select(TaskRow))) == 1


async def test_an_approval_cut_short_before_its_task_is_finished_by_the_check_up(
    mailing: RunningBot, double: SlackDouble, smtp: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafted = await _approved_order(double, mailing)
    tasks = mailing.bot.services.tasks

    async def crash(*_args: Any, **_kwargs: Any) -> Any:  # the process dies right after the email
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "create", crash)
        await double.send_block_action(ALEX, "stock_order_approve", message=drafted)
        await double.wait_for(lambda: smtp.messages or None)
        await finish_background_work()
    (order,) = await stored_rows(mailing.bot.engine, select(StockOrderRow))
    assert (order.status, order.emailed_to, order.task_number) == ("approved", SUPPLIER, None)
    assert await stored_rows(mailing.bot.engine, select(TaskRow)) == []

    mailing.clock.advance(timedelta(minutes=5))
    assert await mailing.tick() == 1
    (task,) = await stored_rows(mailing.bot.engine, select(TaskRow))
    assert (task.title, task.assignee) == ("Receive delivery: order #1 from Molino Rossi", ALEX)
    assert task.due_utc == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    told = await double.wait_for(
        lambda: next((m for m in bot_dms(double, ALEX) if "finished what the approval" in m.all_text()), None)
    )
    assert "Task #1 to receive the delivery" in told.all_text()
    assert len(smtp.messages) == 1  # the email had gone: not sent again
    (order,) = await stored_rows(mailing.bot.engine, select(StockOrderRow))
    assert order.task_number == 1

    # Nothing left to do: a later tick finds no delivery, and nobody is told again.
    mailing.clock.advance(timedelta(hours=1))
    await mailing.tick()
    assert len([m for m in bot_dms(double, ALEX) if "finished what the approval" in m.all_text()]) == 1
