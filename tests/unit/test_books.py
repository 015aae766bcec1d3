"""The books without Slack: amounts written the English and the Italian way, rounding by currency, months as said,
the summary's arithmetic, the chart PNG, and the CSV and .xlsx written from the same rows."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image

from bot.domain.books import Entry as BookEntry
from bot.domain.books import (
    EntryDraft,
    EntryKind,
    Export,
    MonthRef,
    Total,
    currency_code,
    from_minor,
    rounded,
    summarize,
    to_minor,
)
from bot.domain.ids import TeamId, UserId
from bot.i18n import translator
from bot.parsing import books as parse
from bot.parsing.errors import ParseError
from bot.rendering import books as render
from bot.rendering.books_chart import BooksChart, ChartRow, ChartSection, render_books_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
D = Decimal

# ---- amounts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("42.50", D("42.50")),
        ("42,50", D("42.50")),
        ("42,5", D("42.5")),
        ("1280", D("1280")),
        ("1.280,00", D("1280.00")),
        ("1,280.00", D("1280.00")),
        ("1.280", D("1280")),  # a lone mark before exactly three digits groups thousands
        ("1,280", D("1280")),
        ("0,125", D("0.125")),  # ... unless the whole part is 0
        ("1.234.567,89", D("1234567.89")),
        ("1,234,567", D("1234567")),
        ("12.3456", D("12.3456")),
    ],
)
def test_amounts_the_english_and_the_italian_way(typed: str, amount: Decimal) -> None:
    assert parse.number_of(typed) == amount


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "1.28,00,0", "12..5", "1.2345,00", ",5", "5,", "-3", "1e5"])
def test_what_is_not_an_amount(typed: str) -> None:
    assert parse.number_of(typed) is None


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (D("42.505"), "EUR", D("42.51")),  # halves up, the commercial rounding
        (D("42.515"), "EUR", D("42.52")),
        (D("0.125"), "EUR", D("0.13")),
        (D("1499.5"), "JPY", D("1500")),  # no minor unit
        (D("1.2345"), "BHD", D("1.235")),  # three decimals
    ],
)
def test_rounding_follows_the_currency(amount: Decimal, currency: str, shown: Decimal) -> None:
    assert rounded(amount, currency) == shown
    assert from_minor(to_minor(amount, currency), currency) == shown


def test_currency_codes() -> None:
    assert currency_code("usd") == "USD"
    assert currency_code("XYZ") is None
    assert currency_code("euro") is None


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (
            EntryKind.EXPENSE,
            "42.50 cleaning supplies #cleaning",
            EntryDraft(EntryKind.EXPENSE, D("42.50"), "cleaning supplies", "cleaning"),
        ),
        (
            EntryKind.EXPENSE,
            "42,50 detersivi #Pulizie",
            EntryDraft(EntryKind.EXPENSE, D("42.50"), "detersivi", "pulizie"),
        ),
        (EntryKind.INCOME, "1280 dinner service", EntryDraft(EntryKind.INCOME, D("1280"), "dinner service")),
        (EntryKind.EXPENSE, "20 USD taxi", EntryDraft(EntryKind.EXPENSE, D("20"), "taxi", currency="USD")),
        (EntryKind.EXPENSE, "USD 20 taxi", EntryDraft(EntryKind.EXPENSE, D("20"), "taxi", currency="USD")),
        (EntryKind.EXPENSE, "$20 taxi", EntryDraft(EntryKind.EXPENSE, D("20"), "taxi", currency="USD")),
        (EntryKind.EXPENSE, "42,50€ pane", EntryDraft(EntryKind.EXPENSE, D("42.50"), "pane", currency="EUR")),
        (EntryKind.EXPENSE, "3 cup holders", EntryDraft(EntryKind.EXPENSE, D("3"), "cup holders")),  # not CUP
        (EntryKind.EXPENSE, "12 cash milk", EntryDraft(EntryKind.EXPENSE, D("12"), "milk", cash=True)),
        (EntryKind.EXPENSE, "12 contanti latte", EntryDraft(EntryKind.EXPENSE, D("12"), "latte", cash=True)),
        (EntryKind.EXPENSE, "12 milk #cash", EntryDraft(EntryKind.EXPENSE, D("12"), "milk", cash=True)),
        (
            EntryKind.INCOME,
            "900 dinner 2026-10-12",
            EntryDraft(EntryKind.INCOME, D("900"), "dinner", on=date(2026, 10, 12)),
        ),
        (
            EntryKind.INCOME,
            "900 cena 12/10/2026 #cene",
            EntryDraft(EntryKind.INCOME, D("900"), "cena", "cene", on=date(2026, 10, 12)),
        ),
        (
            EntryKind.EXPENSE,
            "5 <#C0SUPPLY1|supplies> pens",
            EntryDraft(EntryKind.EXPENSE, D("5"), "pens", "supplies"),
        ),
    ],
)
def test_entry_commands(kind: EntryKind, text: str, expected: EntryDraft) -> None:
    assert parse.parse_entry_command(kind, text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "books.error.no_amount"),
        ("soap 5", "books.error.amount"),
        ("5 soap #a #b", "books.error.one_category"),
        ("5 soap 2026-02-30", "books.error.day"),
    ],
)
def test_entry_command_mistakes(text: str, key: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse.parse_entry_command(EntryKind.EXPENSE, text)
    assert caught.value.message.key == key
    assert caught.value.example is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", parse.ShowSummary(MonthRef())),
        ("2026-11", parse.ShowSummary(MonthRef(11, 2026))),
        ("11/2026", parse.ShowSummary(MonthRef(11, 2026))),
        ("november", parse.ShowSummary(MonthRef(11))),
        ("Ottobre 2026", parse.ShowSummary(MonthRef(10, 2026))),
        ("mese scorso", parse.ShowSummary(MonthRef(back=1))),
        ("export 2026-11", parse.ExportMonth(MonthRef(11, 2026))),
        ("esporta ottobre", parse.ExportMonth(MonthRef(10))),
        ("list", parse.ListEntries(MonthRef())),
        ("correct 17 wrong  amount", parse.CorrectEntry(17, "wrong amount")),
        ("storna #17", parse.CorrectEntry(17, "")),
        ("currency", parse.ShowCurrency()),
        ("valuta chf", parse.SetCurrency("chf")),
    ],
)
def test_books_commands(text: str, expected: parse.BooksCommand) -> None:
    assert parse.parse_books_command(text) == expected


def test_a_month_name_alone_is_the_latest_such_month() -> None:
    today = date(2026, 11, 30)
    assert MonthRef(10).resolve(today) == date(2026, 10, 1)
    assert MonthRef(11).resolve(today) == date(2026, 11, 1)
    assert MonthRef(12).resolve(today) == date(2025, 12, 1)
    assert MonthRef(back=1).resolve(date(2026, 1, 15)) == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", parse.ShowCash(None)),
        ("USD", parse.ShowCash("USD")),
        ("count 350", parse.CountCash(D("350"), None)),
        ("conta 350,50", parse.CountCash(D("350.50"), None)),
        ("count 20 USD", parse.CountCash(D("20"), "USD")),
    ],
)
def test_cash_commands(text: str, expected: parse.ShowCash | parse.CountCash) -> None:
    assert parse.parse_cash_command(text) == expected


@pytest.mark.parametrize(
    ("text", "about", "number"),
    [
        ("", False, None),
        ("#17", True, 17),
        ("receipt for 17", True, 17),
        ("ricevuta 17", True, 17),
        ("Scontrino", True, None),
        ("look at this cat", False, None),
    ],
)
def test_the_words_with_a_receipt(text: str, about: bool, number: int | None) -> None:
    assert parse.receipt_words(text) == parse.ReceiptWords(about, number)


@given(st.text(max_size=80))
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    for kind in EntryKind:
        with contextlib.suppress(ParseError):
            parse.parse_entry_command(kind, text)
    with contextlib.suppress(ParseError):
        parse.parse_books_command(text)
    with contextlib.suppress(ParseError):
        parse.parse_cash_command(text)
    parse.receipt_words(text)


@given(st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2))
def test_an_amount_written_either_way_reads_the_same(amount: Decimal) -> None:
    english = f"{amount:,.2f}"
    italian = english.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse.number_of(english) == amount
    assert parse.number_of(italian) == amount


# ---- the summary -------------------------------------------------------------------------------------------------


def test_the_summary_per_currency_against_the_month_before() -> None:
    current = [
        Total("EUR", EntryKind.INCOME, "dinners", D("1280.00"), 1),
        Total("EUR", EntryKind.EXPENSE, "food", D("80.00"), 2),
        Total("EUR", EntryKind.EXPENSE, "cleaning", D("42.50"), 1),
        Total("USD", EntryKind.EXPENSE, "travel", D("20.00"), 1),
    ]
    previous = [Total("EUR", EntryKind.EXPENSE, "food", D("120.40"), 1), Total("CHF", EntryKind.INCOME, "", D("5"), 1)]
    summary = summarize(date(2026, 11, 1), "EUR", current, previous)
    assert [item.currency for item in summary.currencies] == ["EUR", "CHF", "USD"]  # the workspace's first
    eur = summary.of("EUR")
    assert eur is not None
    assert (eur.income, eur.expenses, eur.balance, eur.previous_balance, eur.entries) == (
        D("1280.00"),
        D("122.50"),
        D("1157.50"),
        D("-120.40"),
        4,
    )
    assert [(c.category, c.amount, c.previous) for c in eur.expenses_by_category] == [
        ("food", D("80.00"), D("120.40")),
        ("cleaning", D("42.50"), D("0.00")),
    ]
    assert summary.previous == date(2026, 10, 1)


# ---- files -------------------------------------------------------------------------------------------------------


def _entry(number: int, kind: EntryKind, amount: str, currency: str = "EUR", reverses: int | None = None) -> BookEntry:
    return BookEntry(
        id=number,
        team=TeamId("T1"),
        number=number,
        kind=kind,
        amount=D(amount),
        currency=currency,
        category="food",
        description="città, “quoted”",
        cash=False,
        occurred_on=date(2026, 11, number),
        recorded_by=UserId("U1"),
        created_at=datetime(2026, 11, number, 9, tzinfo=UTC),
        reverses=reverses,
    )


def test_the_csv_and_the_xlsx_hold_the_same_rows() -> None:
    words = translator().bind("it")
    rows = (
        _entry(1, EntryKind.INCOME, "1280.00"),
        _entry(2, EntryKind.EXPENSE, "42.50"),
        _entry(3, EntryKind.EXPENSE, "-42.50", reverses=2),
        _entry(4, EntryKind.EXPENSE, "1500", "JPY"),
    )
    totals = [
        Total("EUR", EntryKind.INCOME, "food", D("1280.00"), 1),
        Total("EUR", EntryKind.EXPENSE, "food", D("0.00"), 2),
        Total("JPY", EntryKind.EXPENSE, "food", D("1500"), 1),
    ]
    export = Export(summarize(date(2026, 11, 1), "EUR", totals, []), rows)
    table = list(csv.reader(io.StringIO(render.export_csv(words, export).decode("utf-8-sig"))))
    assert table[0][:7] == ["Numero", "Data", "Tipo", "Categoria", "Descrizione", "Entrate", "Uscite"]
    assert [row[5:7] for row in table[1:]] == [["1280.00", ""], ["", "42.50"], ["", "-42.50"], ["", "1500"]]
    assert table[1][4] == "città, “quoted”"
    workbook = load_workbook(io.BytesIO(render.export_xlsx(words, export)))
    sheet = workbook["Movimenti"]
    assert [[cell.value for cell in row][5:7] for row in sheet.iter_rows(min_row=2)] == [
        [1280, None],
        [None, 42.5],
        [None, -42.5],
        [None, 1500],
    ]
    assert sheet.cell(row=5, column=7).number_format == "#,##0"  # yen: no decimals
    assert workbook["Riepilogo"].cell(row=2, column=2).value == 1280


def test_the_chart_is_a_png_and_always_the_same_bytes() -> None:
    rows = (
        ChartRow("Entrate", D("1280"), D("900"), "1.280,00 €", "900,00 €", income=True),
        ChartRow("#pulizie", D("42.50"), D("0"), "42,50 €", "0,00 €"),
        ChartRow("più caffè", D("-5"), D("12"), "-5,00 €", "12,00 €"),
    )
    chart = BooksChart(
        "Conti: Novembre 2026 rispetto a Ottobre 2026", "Novembre", "Ottobre", (ChartSection("EUR", rows),)
    )
    png = render_books_png(chart)
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.mode) == ("PNG", "RGB")
    assert render_books_png(chart) == png
    empty = render_books_png(BooksChart("Books", "Now", "Before", (), empty="No entries"))
    assert empty.startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match="at most"):
        render_books_png(BooksChart("x", "a", "b", (ChartSection("EUR", rows * 4),)))
