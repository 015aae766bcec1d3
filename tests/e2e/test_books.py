"""The books as managers use them through Slack: entries in English and Italian (decimal commas, another
currency, cash), receipts shared in a DM, the month's summary against the one before with its chart, the export as
CSV and .xlsx that parse back to the summary's totals, a reversing correction (nothing edited or deleted), petty
cash counts, refunds and vouchers from customer cases, the workspace currency, the audit log, and staff refused."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import Row, select

from bot.sandbox.records import FileRecord, Message
from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_books import BookCashCountRow, BookEntryRow, BookReceiptRow, BookSettingsRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, TEAM, RunningBot
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC (09:00 in Rome, the workspace's zone).
# Alex (admin) reads English; Giulia (admin) and Maria (staff) read Italian; Luca and Sam are staff.
OPS = "C0OPS0001"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def command(double: SlackDouble, user: str, text: str) -> str:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=OPS)
    reply = await double.wait_for(
        lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None
    )
    return reply.all_text()


def bot_replies(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot and not m.files]


async def share(double: SlackDouble, user: str, name: str, content: bytes, mimetype: str, text: str = "") -> str:
    before = len(bot_replies(double, user))
    await double.send_file_share_im(user, name, content, text=text, mimetype=mimetype)
    reply = await double.wait_for(
        lambda: bot_replies(double, user)[before] if len(bot_replies(double, user)) > before else None
    )
    return reply.all_text()


async def uploaded(double: SlackDouble, name: str) -> FileRecord:
    return await double.wait_for(lambda: next((f for f in double.files if f.filename == name), None))


async def entries(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(BookEntryRow).order_by(BookEntryRow.number))


async def audit_actions(running: RunningBot) -> list[tuple[str, str]]:
    rows = await stored_rows(
        running.bot.engine, select(AuditLogRow).where(AuditLogRow.action.like("books.%")).order_by(AuditLogRow.id)
    )
    return [(row.action, row.target) for row in rows]


# ---- entries and receipts ----------------------------------------------------------------------------------------


async def test_entries_in_english_and_italian_with_receipts(running: RunningBot, double: SlackDouble) -> None:
    first = await command(double, ALEX, "expense 42.50 cleaning supplies #cleaning")
    assert "Expense recorded: *#1* 30 Nov · expense €42.50 · #cleaning · cleaning supplies" in first
    assert "Send me the receipt in a DM" in first
    italian = await command(double, GIULIA, "spesa 42,50 detersivi #Pulizie")
    assert "Spesa registrata: *#2* 30 nov · spesa 42,50\xa0€ · #pulizie · detersivi" in italian
    grouped = await command(double, GIULIA, "entrata 1.280,00 servizio cena")
    assert "Entrata registrata: *#3* 30 nov · entrata 1.280,00\xa0€ · senza categoria · servizio cena" in grouped
    english = await command(double, ALEX, "income 1280 dinner service")
    assert "income €1,280.00" in english
    dollars = await command(double, ALEX, "expense 20 USD taxi")
    assert "expense $20.00 · uncategorised · taxi" in dollars
    rounded = await command(double, ALEX, "expense 3,335 parking 2026-11-02")  # 3335: a lone mark before 3 digits
    assert "*#6* 2 Nov · expense €3,335.00" in rounded
    half = await command(double, ALEX, "expense 0,125 stamps")  # rounded to cents, halves up
    assert "expense €0.13" in half

    rows = await entries(running)
    assert [(r.number, r.kind, r.amount_minor, r.currency, r.category, r.recorded_by) for r in rows] == [
        (1, "expense", 4250, "EUR", "cleaning", ALEX),
        (2, "expense", 4250, "EUR", "pulizie", GIULIA),
        (3, "income", 128000, "EUR", "", GIULIA),
        (4, "income", 128000, "EUR", "", ALEX),
        (5, "expense", 2000, "USD", "", ALEX),
        (6, "expense", 333500, "EUR", "", ALEX),
        (7, "expense", 13, "EUR", "", ALEX),
    ]
    assert rows[0].occurred_on == date(2026, 11, 30)
    assert rows[5].occurred_on == date(2026, 11, 2)

    # Wrong input changes nothing and says how to write it.
    unreadable = await command(double, ALEX, "expense lots of soap")
    assert "The amount comes first and is a number like 42.50 or 42,50, not “lots”." in unreadable
    assert "Example: `/ops expense 42.50 cleaning supplies #cleaning`" in unreadable
    future = await command(double, ALEX, "expense 5 soap 2026-12-24")
    assert "2026-12-24 is in the future" in future
    assert len(await entries(running)) == 7

    # A photo with no words, just after recording: the receipt of Alex's last entry.
    photo = await share(double, ALEX, "taxi.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")
    assert "Receipt taxi.jpg attached to entry #7." in photo
    # A PDF that names its entry, in either language.
    pdf = await share(double, GIULIA, "scontrino.pdf", b"%PDF-1.4 ...", "application/pdf", text="ricevuta 2")
    assert "Ricevuta scontrino.pdf allegata al movimento #2." in pdf
    named = await share(double, ALEX, "soap.png", b"\x89PNG....", "image/png", text="receipt for #1")
    assert "Receipt soap.png attached to entry #1." in named
    before = len(double.ephemerals(ALEX))
    await double.send_file_share_im(ALEX, "x.png", b"\x89PNG....", text="receipt for 99", mimetype="image/png")
    missing = await double.wait_for(
        lambda: double.ephemerals(ALEX)[-1] if len(double.ephemerals(ALEX)) > before else None
    )
    assert "There is no entry #99." in missing.all_text()  # told privately

    receipts = await stored_rows(running.bot.engine, select(BookReceiptRow).order_by(BookReceiptRow.id))
    assert [(r.entry_number, r.name, r.mimetype, r.added_by) for r in receipts] == [
        (7, "taxi.jpg", "image/jpeg", ALEX),
        (2, "scontrino.pdf", "application/pdf", GIULIA),
        (1, "soap.png", "image/png", ALEX),
    ]
    shared = {f.filename: f for f in double.files}
    assert receipts[1].file_id == shared["scontrino.pdf"].id
    assert receipts[1].url == shared["scontrino.pdf"].to_slack()["permalink"]

    # The entry list shows each receipt as a link.
    listing = await command(double, ALEX, "books list")
    assert f"*#2* 30 Nov · expense €42.50 · #pulizie · detersivi · :paperclip: <{receipts[1].url}|scontrino.pdf>" in (
        listing
    )

    # A CSV is still the rota import's, and an image with unrelated words is nobody's business here.
    rota = await share(double, ALEX, "rota.csv", b"date,person,start,end\n", "text/csv")
    assert "rota.csv" in rota
    before = len(bot_replies(double, LUCA))
    await double.send_file_share_im(LUCA, "cat.jpg", b"\xff\xd8", text="look at this cat", mimetype="image/jpeg")
    assert len(bot_replies(double, LUCA)) == before
    assert len(await stored_rows(running.bot.engine, select(BookReceiptRow))) == 3

    assert [action for action, _ in await audit_actions(running)] == [
        *["books.expense", "books.expense", "books.income", "books.income", "books.expense", "books.expense"],
        *["books.expense", "books.receipt", "books.receipt", "books.receipt"],
    ]


async def test_staff_are_refused_the_books(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "expense 10 soap #cleaning")
    refusal = "To keep the books you need the manager role; yours is staff."
    for text in (
        "expense 3 milk",
        "income 50 tips",
        "books",
        "books export 2026-11",
        "books correct 1",
        "cash count 5",
    ):
        assert refusal in await command(double, SAM, text)
    assert "Per tenere i conti serve il ruolo responsabile" in await command(double, MARIA, "spesa 3 latte")
    receipt = await share(double, LUCA, "r.jpg", b"\xff\xd8", "image/jpeg", text="receipt for 1")
    assert "Only managers keep the books, so I can't attach this receipt." in receipt

    assert len(await entries(running)) == 1
    assert await stored_rows(running.bot.engine, select(BookReceiptRow)) == []
    assert not [f for f in double.files if f.filename.startswith("books-")]  # no summary chart or export for staff


# ---- the month: summary, chart, export -----------------------------------------------------------------------------


async def seed_two_months(double: SlackDouble) -> None:
    for text in (
        "income 900 dinner service #dinners 2026-10-10",
        "expense 30 soap #cleaning 2026-10-11",
        "expense 120,40 vegetables #food 2026-10-12",
        "income 1.280,00 dinner service #dinners 2026-11-03",
        "income 310.55 lunch #lunches 2026-11-04",
        "expense 42.50 cleaning supplies #cleaning 2026-11-05",
        "expense 80 fish #food 2026-11-06",
        "expense 200 wrong #food 2026-11-07",
        "expense 20 USD taxi #travel 2026-11-08",
        "expense 15 coffee 2026-12-01",  # refused: tomorrow in Rome, and takes no number
    ):
        await command(double, ALEX, text)
    await command(double, ALEX, "books correct 8 typed twice")


async def test_the_month_against_the_one_before_with_a_chart(running: RunningBot, double: SlackDouble) -> None:
    await seed_two_months(double)
    summary = await command(double, ALEX, "books")
    assert "Books, November 2026" in summary
    assert "*Income:* €1,590.55 (October 2026: €900.00, +€690.55)" in summary
    assert "• #dinners: €1,280.00 (October 2026: €900.00)" in summary
    assert "*Expenses:* €122.50 (October 2026: €150.40, \N{MINUS SIGN}€27.90)" in summary
    assert "• #food: €80.00 (October 2026: €120.40)" in summary
    assert "• #cleaning: €42.50 (October 2026: €30.00)" in summary
    assert "*Balance:* €1,468.05 (October 2026: €749.60, +€718.45)" in summary
    assert "*USD*" in summary
    assert "*Expenses:* $20.00" in summary

    chart = await uploaded(double, "books-2026-11.png")
    assert chart.content.startswith(PNG_SIGNATURE)
    assert chart.channels == (double.workspace.dm_channel_id(ALEX),)
    with Image.open(io.BytesIO(chart.content)) as image:
        assert image.format == "PNG"
        assert image.width >= 600

    italian = await command(double, GIULIA, "conti ottobre")
    assert "Conti, Ottobre 2026" in italian
    assert "*Entrate:* 900,00\xa0€ (Settembre 2026: 0,00\xa0€, +900,00\xa0€)" in italian
    assert "*Spese:* 150,40\xa0€" in italian
    assert "Conti, Ottobre 2026" in await command(double, GIULIA, "conti 10/2026")
    assert "Books, October 2026" in await command(double, ALEX, "books last month")
    wrong = await command(double, ALEX, "books someday")
    assert "“someday” is not a month" in wrong


def _money(value: str) -> Decimal:
    return Decimal(value) if value else Decimal(0)


async def test_the_export_parses_back_to_the_summary(running: RunningBot, double: SlackDouble) -> None:
    await seed_two_months(double)
    await share(double, ALEX, "fish.pdf", b"%PDF-1.4", "application/pdf", text="receipt for 7")
    reply = await command(double, ALEX, "books export 2026-11")
    assert "The books of November 2026 (7 entries) are in your DM as CSV and .xlsx" in reply
    summary = await command(double, ALEX, "books 2026-11")
    assert "*Income:* €1,590.55" in summary
    assert "*Expenses:* €122.50" in summary
    assert "*Expenses:* $20.00" in summary
    expected = {"EUR": (Decimal("1590.55"), Decimal("122.50")), "USD": (Decimal("0"), Decimal("20.00"))}

    # CSV: UTF-8 with a byte order mark, a header, one row per entry, plain numbers with a point.
    exported = await uploaded(double, "books-2026-11.csv")
    assert exported.channels == (double.workspace.dm_channel_id(ALEX),)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [row["Number"] for row in rows] == ["4", "5", "6", "7", "8", "10", "9"]  # by date, then number
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        totals[row["Currency"]][0] += _money(row["Money in"])
        totals[row["Currency"]][1] += _money(row["Money out"])
    assert {code: tuple(pair) for code, pair in totals.items()} == expected
    reversal = next(row for row in rows if row["Number"] == "10")
    assert (reversal["Money out"], reversal["Reverses"], reversal["Date"]) == ("-200.00", "8", "2026-11-07")
    fish = next(row for row in rows if row["Number"] == "7")
    assert fish["Receipt"].endswith("/fish.pdf")
    assert (fish["Type"], fish["Category"], fish["Description"]) == ("expense", "food", "fish")

    # .xlsx: the same rows, numbers as numeric cells with a money format, dates as dates; a summary sheet.
    workbook = load_workbook(io.BytesIO((await uploaded(double, "books-2026-11.xlsx")).content))
    assert workbook.sheetnames == ["Entries", "Summary"]
    sheet = workbook["Entries"]
    header, *cells = list(sheet.iter_rows())
    assert [c.value for c in header][:7] == [
        "Number",
        "Date",
        "Type",
        "Category",
        "Description",
        "Money in",
        "Money out",
    ]
    assert [line[0].value for line in cells] == [4, 5, 6, 7, 8, 10, 9]
    sheet_totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in cells:
        assert isinstance(line[1].value, datetime)
        assert line[1].number_format == "yyyy-mm-dd"
        for index in (5, 6):
            if line[index].value is not None:
                assert isinstance(line[index].value, int | float)
                assert line[index].number_format == "#,##0.00"
                sheet_totals[str(line[7].value)][index - 5] += Decimal(str(line[index].value))
    assert {code: tuple(pair) for code, pair in sheet_totals.items()} == expected
    link = cells[3][12].hyperlink
    assert link is not None
    assert str(link.target).endswith("/fish.pdf")
    summary_sheet = [[c.value for c in row] for row in workbook["Summary"].iter_rows()]
    assert summary_sheet[0] == ["Currency", "Income", "Expenses", "Balance", "Entries"]
    assert [(row[0], Decimal(str(row[1])), Decimal(str(row[2]))) for row in summary_sheet[1:]] == [
        ("EUR", Decimal("1590.55"), Decimal("122.5")),
        ("USD", Decimal("0"), Decimal("20")),
    ]
    assert ("books.export", "2026-11") in await audit_actions(running)


# ---- corrections -------------------------------------------------------------------------------------------------


async def test_a_correction_is_a_reversing_entry(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "expense 42.50 cleaning supplies #cleaning")
    corrected = await command(double, ALEX, "books correct 1 wrong amount")
    assert "Entry #1 is reversed by #2; nothing was deleted." in corrected
    assert "*#1* 30 Nov · expense €42.50 · #cleaning · cleaning supplies · reversed by #2" in corrected
    assert "*#2* 30 Nov · expense -€42.50 · #cleaning · wrong amount · reverses #1" in corrected
    await command(double, ALEX, "expense 24.50 cleaning supplies #cleaning")

    again = await command(double, GIULIA, "conti storna 1")
    assert "Il movimento #1 è già stato corretto dal #2." in again
    of_reversal = await command(double, ALEX, "books correct 2")
    assert "Entry #2 is itself the correction of #1" in of_reversal
    assert "There is no entry #9." in await command(double, ALEX, "books correct 9")

    rows = await entries(running)
    assert [(r.number, r.amount_minor, r.reverses, r.description) for r in rows] == [
        (1, 4250, None, "cleaning supplies"),  # untouched
        (2, -4250, 1, "wrong amount"),
        (3, 2450, None, "cleaning supplies"),
    ]
    summary = await command(double, ALEX, "books")
    assert "*Expenses:* €24.50" in summary
    # The audit log shows every entry and the correction.
    log = await command(double, ALEX, "audit 10")
    assert "`books.expense` entry #1" in log
    assert "`books.correction` entry #2" in log
    assert "reason: wrong amount" in log
    assert [a for a, _ in await audit_actions(running)] == ["books.expense", "books.correction", "books.expense"]


# ---- petty cash ---------------------------------------------------------------------------------------------------


async def test_petty_cash_counts_record_the_difference(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "expense 12 cash milk")
    await command(double, ALEX, "income 50 contanti tips")
    await command(double, ALEX, "expense 300 rent #premises")  # not cash: not in the till
    first = await command(double, ALEX, "cash count 100")
    assert "Cash counted: €100.00. Expected: €38.00. Difference: +€62.00." in first
    assert "There is €62.00 more than expected." in first

    running.clock.set(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    await command(double, ALEX, "expense 10.50 coffee #cash")
    position = await command(double, ALEX, "cash")
    assert "Expected in the till: €89.50." in position
    assert "Cash entries since: €0.00 in, €10.50 out." in position
    short = await command(double, GIULIA, "cassa conta 87")
    assert "Contante contato: 87,00\xa0€. Atteso: 89,50\xa0€. Differenza: \N{MINUS SIGN}2,50\xa0€." in short
    assert "In cassa mancano 2,50\xa0€." in short

    counts = await stored_rows(running.bot.engine, select(BookCashCountRow).order_by(BookCashCountRow.id))
    assert [(c.currency, c.counted_minor, c.expected_minor, c.counted_by) for c in counts] == [
        ("EUR", 10000, 3800, ALEX),
        ("EUR", 8700, 8950, GIULIA),
    ]
    assert [(a, t) for a, t in await audit_actions(running) if a == "books.cash_count"] == [
        ("books.cash_count", "cash EUR"),
        ("books.cash_count", "cash EUR"),
    ]


# ---- the workspace's currency ------------------------------------------------------------------------------------


async def test_the_workspace_currency(running: RunningBot, double: SlackDouble) -> None:
    assert "The books are kept in EUR." in await command(double, ALEX, "books currency")
    changed = await command(double, ALEX, "books currency chf")
    assert "The books' currency is now CHF (it was EUR)." in changed
    assert "expense CHF10.00" in await command(double, ALEX, "expense 10 snacks")
    assert "expense ¥1,500" in await command(double, ALEX, "expense 1500 JPY souvenirs")  # no minor unit
    assert "“XYZ” is not a currency code I know" in await command(double, ALEX, "books currency XYZ")
    (setting,) = await stored_rows(running.bot.engine, select(BookSettingsRow))
    assert (setting.team_id, setting.currency, setting.updated_by) == (TEAM, "CHF", ALEX)
    rows = await entries(running)
    assert [(r.currency, r.amount_minor) for r in rows] == [("CHF", 1000), ("JPY", 1500)]


def _latest(double: SlackDouble, ts: str) -> Message:
    return next(m for m in double.messages("C0CASES01") if m.ts == ts)


# ---- refunds and vouchers offered on customer cases --------------------------------------------------------------


async def test_money_offered_on_a_case_becomes_a_linked_entry(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "config cases-channel <#C0CASES01|customer-cases>")
    await command(double, LUCA, "complaint Cold soup at table 4 — Anna Neri, phone")
    post = await double.wait_for(
        lambda: next((m for m in double.messages("C0CASES01") if m.from_bot and m.thread_ts is None), None)
    )
    await double.send_block_action(SAM, "case_resolve", message=post)
    await double.wait_for(lambda: double.open_views(SAM)[-1] if double.open_views(SAM) else None)
    await double.send_view_submission(
        SAM,
        values={
            "note": {"value": "Apologised, refunded the soup"},
            "offer": {"value": "refund"},
            "amount": {"value": "8,50"},
        },
    )
    # The entry is written in the resolution's own transaction, before the case's post is updated.
    await double.wait_for(lambda: True if "resolved" in _latest(double, post.ts).all_text() else None)
    (entry,) = await entries(running)
    assert (entry.kind, entry.amount_minor, entry.currency, entry.category, entry.case_number) == (
        "expense",
        850,
        "EUR",
        "refunds",
        1,
    )
    assert (entry.recorded_by, entry.description, entry.occurred_on) == (SAM, "", date(2026, 11, 30))
    listing = await command(double, ALEX, "books list")
    assert "*#1* 30 Nov · expense €8.50 · refunds · case C-1" in listing
    assert "• refunds: €8.50" in await command(double, ALEX, "books")
    assert ("books.expense", "entry #1") in await audit_actions(running)
