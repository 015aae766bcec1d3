"""The books in Slack and in files: confirmations, the month's summary and its chart, the entry list, cash counts,
and the month's export as CSV and .xlsx for the accountant.

Money is shown in the reader's language with Babel (`€1,280.00`, `1.280,00 €`). In the files it is plain numbers:
the CSV writes `1280.00` (a point, no grouping; UTF-8 with a byte order mark so Excel reads accents right) and the
.xlsx numeric cells with a number format, dates as date cells. Both have the same rows, in the same order.
Column headings and words in the files are in the reader's language; amounts are in "money in" and "money out"
columns so each column adds up to the summary's income and expenses (a reversal is negative in its column).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency
from openpyxl import Workbook
from openpyxl.styles import Font
from slack_sdk.models.blocks import Block

from bot.domain.books import (
    OFFER_CATEGORIES,
    CashPosition,
    CategoryTotal,
    CountResult,
    CurrencySummary,
    Entry,
    EntryKind,
    EntryList,
    Export,
    MonthSummary,
    digits,
)
from bot.domain.cases import case_label
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.books_chart import MAX_ROWS, MAX_SECTIONS, BooksChart, ChartRow, ChartSection, render_books_png
from bot.rendering.kit import context, header, section
from bot.rendering.time import slack_date

MAX_CATEGORY_LINES = 12
UTC_ZONE = ZoneInfo("UTC")
_SYSTEM_CATEGORIES = frozenset(OFFER_CATEGORIES.values())


def escaped(typed: str) -> str:
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def money(words: Words, amount: Decimal, currency: str) -> str:
    return str(format_currency(amount, currency, locale=words.language))


def change(words: Words, amount: Decimal, currency: str) -> str:
    shown = money(words, abs(amount), currency)
    return f"+{shown}" if amount > 0 else f"\N{MINUS SIGN}{shown}" if amount < 0 else f"±{shown}"


def month_name(words: Words, first: date) -> str:
    name = str(format_date(first, "LLLL yyyy", locale=words.language))
    return name[:1].upper() + name[1:]


def short_day(words: Words, day: date) -> str:
    return str(format_date(day, "d MMM", locale=words.language))


def category_label(words: Words, category: str) -> str:
    if not category:
        return words("books.uncategorised")
    if category in _SYSTEM_CATEGORIES:
        return words(f"books.category.{category}")
    return f"#{category}"


def kind_label(words: Words, kind: EntryKind) -> str:
    return words(f"books.kind.{kind.value}")


def entry_line(words: Words, entry: Entry) -> str:
    parts = [
        f"*#{entry.number}* {short_day(words, entry.occurred_on)}",
        f"{kind_label(words, entry.kind)} {money(words, entry.amount, entry.currency)}",
        category_label(words, entry.category),
    ]
    if entry.description:
        parts.append(escaped(entry.description))
    if entry.cash:
        parts.append(words("books.cash_mark"))
    if entry.case_number is not None:
        parts.append(words("books.case_link", case=case_label(entry.case_number)))
    if entry.reverses is not None:
        parts.append(words("books.reverses", n=entry.reverses))
    if entry.reversed_by is not None:
        parts.append(words("books.reversed_by", n=entry.reversed_by))
    for receipt in entry.receipts:
        parts.append(f":paperclip: <{receipt.file.url}|{escaped(receipt.file.name)}>")
    return " · ".join(parts)


# ---- entries ---------------------------------------------------------------------------------------------------


def entry_recorded(words: Words, entry: Entry) -> Reply:
    text = words(f"books.recorded.{entry.kind.value}", line=entry_line(words, entry))
    return Reply(text, [section(text), context(words("books.recorded_hint", n=entry.number))])


def correction_made(words: Words, original: Entry, reversal: Entry) -> Reply:
    text = words("books.corrected", n=original.number, m=reversal.number)
    return Reply(text, [section(text), section(entry_line(words, original)), section(entry_line(words, reversal))])


def receipt_attached(words: Words, entry: Entry, name: str) -> Reply:
    text = words("books.receipt_attached", name=escaped(name), n=entry.number)
    return Reply(text, [section(text), context(entry_line(words, entry))])


def receipt_refused(words: Words) -> Reply:
    text = words("books.receipt_managers_only")
    return Reply(text, [section(text)])


def entry_list(words: Words, listing: EntryList) -> Reply:
    title = words("books.list_title", month=month_name(words, listing.month))
    if not listing.entries:
        text = words("books.list_empty", month=month_name(words, listing.month))
        return Reply(text, [section(text)])
    blocks: list[Block] = [header(title)]
    chunk: list[str] = []
    for entry in listing.entries:
        line = entry_line(words, entry)
        if chunk and sum(len(item) + 1 for item in chunk) + len(line) > 2800:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    if listing.total > len(listing.entries):
        blocks.append(context(words("books.list_more", shown=len(listing.entries), total=listing.total)))
    return Reply(title, blocks)


# ---- the month -------------------------------------------------------------------------------------------------


def _compared(words: Words, now: Decimal, before: Decimal, currency: str, previous: str) -> str:
    return words(
        "books.compared",
        previous=previous,
        before=money(words, before, currency),
        change=change(words, now - before, currency),
    )


def _category_lines(words: Words, totals: Sequence[CategoryTotal], currency: str, previous: str) -> list[str]:
    shown = [total for total in totals if total.amount or total.previous][:MAX_CATEGORY_LINES]
    return [
        f"• {category_label(words, total.category)}: {money(words, total.amount, currency)}"
        f" ({previous}: {money(words, total.previous, currency)})"
        for total in shown
    ]


def currency_text(words: Words, item: CurrencySummary, previous: str) -> str:
    code = item.currency
    lines = [
        f"*{code}*",
        words("books.income_line", amount=money(words, item.income, code))
        + " "
        + _compared(words, item.income, item.previous_income, code, previous),
    ]
    if len(item.income_by_category) > 1:
        lines += _category_lines(words, item.income_by_category, code, previous)
    lines.append(
        words("books.expenses_line", amount=money(words, item.expenses, code))
        + " "
        + _compared(words, item.expenses, item.previous_expenses, code, previous)
    )
    lines += _category_lines(words, item.expenses_by_category, code, previous)
    lines.append(
        words("books.balance_line", amount=money(words, item.balance, code))
        + " "
        + _compared(words, item.balance, item.previous_balance, code, previous)
    )
    return "\n".join(lines)


def summary_message(words: Words, summary: MonthSummary) -> Reply:
    month, previous = month_name(words, summary.month), month_name(words, summary.previous)
    title = words("books.summary_title", month=month)
    if not summary.currencies:
        text = words("books.summary_empty", month=month, previous=previous)
        return Reply(text, [header(title), section(text)])
    blocks: list[Block] = [header(title)]
    blocks += [section(currency_text(words, item, previous)) for item in summary.currencies]
    blocks.append(context(words("books.summary_hint", month=summary.month.strftime("%Y-%m"), previous=previous)))
    return Reply(title, blocks)


def chart_title(words: Words, summary: MonthSummary) -> str:
    return words(
        "books.chart_title",
        month=month_name(words, summary.month),
        previous=month_name(words, summary.previous),
    )


def summary_chart(words: Words, summary: MonthSummary) -> bytes:
    sections: list[ChartSection] = []
    for item in summary.currencies[:MAX_SECTIONS]:
        code = item.currency
        rows = [
            ChartRow(
                words("books.chart_income"),
                item.income,
                item.previous_income,
                money(words, item.income, code),
                money(words, item.previous_income, code),
                income=True,
            )
        ]
        labelled = [(category_label(words, total.category), total) for total in item.expenses_by_category]
        if len(labelled) > MAX_ROWS - 1:
            rest = [total for _, total in labelled[MAX_ROWS - 2 :]]
            zero = Decimal(0)
            other = CategoryTotal(
                "", sum((total.amount for total in rest), zero), sum((total.previous for total in rest), zero)
            )
            labelled = [*labelled[: MAX_ROWS - 2], (words("books.chart_other"), other)]
        for label, total in labelled:
            rows.append(
                ChartRow(
                    label,
                    total.amount,
                    total.previous,
                    money(words, total.amount, code),
                    money(words, total.previous, code),
                )
            )
        sections.append(ChartSection(code, tuple(rows)))
    chart = BooksChart(
        title=chart_title(words, summary),
        now_legend=month_name(words, summary.month),
        before_legend=month_name(words, summary.previous),
        sections=tuple(sections),
        empty=words(
            "books.summary_empty", month=month_name(words, summary.month), previous=month_name(words, summary.previous)
        ),
    )
    return render_books_png(chart)


# ---- the export ------------------------------------------------------------------------------------------------


def export_name(summary: MonthSummary, extension: str) -> str:
    return f"books-{summary.month.strftime('%Y-%m')}.{extension}"


def export_reply(words: Words, export: Export) -> Reply:
    month = month_name(words, export.summary.month)
    text = words("books.exported", month=month, entries=len(export.entries))
    blocks: list[Block] = [section(text)]
    blocks += [
        section(currency_text(words, item, month_name(words, export.summary.previous)))
        for item in export.summary.currencies
    ]
    return Reply(text, blocks)


def _headings(words: Words) -> list[str]:
    keys = (
        "number", "date", "type", "category", "description", "money_in", "money_out", "currency", "cash", "case",
        "reverses", "recorded_by", "receipt",
    )  # fmt: skip
    return [words(f"books.column.{key}") for key in keys]


def _plain(amount: Decimal) -> str:
    return format(amount, "f")


def _split(entry: Entry) -> tuple[Decimal | None, Decimal | None]:
    return (entry.amount, None) if entry.kind is EntryKind.INCOME else (None, entry.amount)


def _category_text(words: Words, category: str) -> str:
    return words(f"books.category.{category}") if category in _SYSTEM_CATEGORIES else category


def export_csv(words: Words, export: Export) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_headings(words))
    for entry in export.entries:
        money_in, money_out = _split(entry)
        writer.writerow(
            [
                entry.number,
                entry.occurred_on.isoformat(),
                kind_label(words, entry.kind),
                _category_text(words, entry.category),
                entry.description,
                _plain(money_in) if money_in is not None else "",
                _plain(money_out) if money_out is not None else "",
                entry.currency,
                words("books.yes") if entry.cash else "",
                case_label(entry.case_number) if entry.case_number is not None else "",
                entry.reverses if entry.reverses is not None else "",
                entry.recorded_by,
                " ".join(receipt.file.url for receipt in entry.receipts),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _money_format(currency: str) -> str:
    places = digits(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def export_xlsx(words: Words, export: Export) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = words("books.sheet.entries")[:31]
    sheet.append(_headings(words))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, entry in enumerate(export.entries, start=2):  # counted here: `max_row` walks every cell
        money_in, money_out = _split(entry)
        receipts = [receipt.file.url for receipt in entry.receipts]
        sheet.append(
            [
                entry.number,
                entry.occurred_on,
                kind_label(words, entry.kind),
                _category_text(words, entry.category),
                entry.description,
                money_in,
                money_out,
                entry.currency,
                words("books.yes") if entry.cash else "",
                case_label(entry.case_number) if entry.case_number is not None else "",
                entry.reverses,
                entry.recorded_by,
                " ".join(receipts),
            ]
        )
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        for column in (6, 7):
            sheet.cell(row=row, column=column).number_format = _money_format(entry.currency)
        if receipts:
            sheet.cell(row=row, column=13).hyperlink = receipts[0]
    for letter, width in zip("ABCDEFGHIJKLM", (8, 12, 10, 16, 40, 14, 14, 9, 7, 8, 9, 12, 50), strict=True):
        sheet.column_dimensions[letter].width = width

    totals = book.create_sheet(words("books.sheet.summary")[:31])
    totals.append([words(f"books.column.{key}") for key in ("currency", "income", "expenses", "balance", "entries")])
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for row, item in enumerate(export.summary.currencies, start=2):
        totals.append([item.currency, item.income, item.expenses, item.balance, item.entries])
        for column in (2, 3, 4):
            totals.cell(row=row, column=column).number_format = _money_format(item.currency)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the workspace's currency ----------------------------------------------------------------------------------


def currency_shown(words: Words, code: str) -> Reply:
    text = words("books.currency_is", code=code)
    return Reply(text, [section(text), context(words("books.currency_hint"))])


def currency_changed(words: Words, before: str, after: str) -> Reply:
    text = words("books.currency_changed", before=before, after=after)
    return Reply(text, [section(text)])


# ---- petty cash ------------------------------------------------------------------------------------------------


def _position_lines(words: Words, position: CashPosition) -> list[str]:
    code = position.currency
    last = position.last_count
    lines = []
    if last is None:
        lines.append(words("books.cash_no_count"))
    else:
        lines.append(
            words(
                "books.cash_last_count",
                amount=money(words, last.counted, code),
                day=slack_date(last.counted_at, UTC_ZONE),
            )
        )
    lines.append(
        words(
            "books.cash_moves",
            cash_in=money(words, position.cash_in, code),
            cash_out=money(words, position.cash_out, code),
        )
    )
    return lines


def cash_position(words: Words, position: CashPosition) -> Reply:
    text = words("books.cash_expected", amount=money(words, position.expected, position.currency))
    return Reply(
        text, [section(text), context("\n".join(_position_lines(words, position))), context(words("books.cash_hint"))]
    )


def cash_counted(words: Words, result: CountResult) -> Reply:
    count = result.count
    code = count.currency
    difference = count.difference
    if difference == 0:
        verdict = words("books.cash_matches")
    elif difference > 0:
        verdict = words("books.cash_over", amount=money(words, difference, code))
    else:
        verdict = words("books.cash_short", amount=money(words, -difference, code))
    text = words(
        "books.cash_counted",
        counted=money(words, count.counted, code),
        expected=money(words, count.expected, code),
        difference=change(words, difference, code),
    )
    return Reply(
        f"{text} {verdict}",
        [section(f"{text}\n{verdict}"), context("\n".join(_position_lines(words, result.position)))],
    )
