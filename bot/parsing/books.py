"""`/ops expense …`, `/ops income …`, `/ops books …`, `/ops cash …` (and `spesa`, `entrata`, `conti`, `cassa`),
and the words with a receipt shared in a DM → typed requests.

/ops expense 42.50 cleaning supplies #cleaning        /ops spesa 42,50 detersivi #pulizie
/ops expense 20 USD taxi                              (a currency code in capitals, or €42.50 / $20 / £5)
/ops expense 12 cash milk                             (`cash` / `contanti` first, or #cash: paid from the till)
/ops income 1280 dinner service 2026-11-03            (a date: YYYY-MM-DD or DD/MM/YYYY; today otherwise)
/ops books [2026-11 | november | ottobre 2026 | last month]    /ops books export 2026-11
/ops books list [month]   /ops books correct 17 typo   /ops books currency CHF
/ops cash   /ops cash count 350   /ops cassa conta 350

Amounts: `42.50`, `42,50`, `1280`, `1.280,00`, `1,280.00`. With both marks, the last one is the decimal mark. One
mark followed by exactly three digits groups thousands (`1.280` and `1,280` are 1280); otherwise it is the
decimal mark (`42,5` is 42.50).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from babel.dates import get_month_names

from bot.domain.books import EntryDraft, EntryKind, MonthRef, clean, currency_code
from bot.domain.messages import Msg
from bot.parsing.errors import ParseError
from bot.parsing.feedback import tags_in
from bot.parsing.tokens import split_first

EXPENSE_WORDS = ("expense", "spesa")
INCOME_WORDS = ("income", "entrata")
BOOKS_WORDS = ("books", "conti")
CASH_WORDS = ("cash", "cassa")

_NUMBER = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]{1,12})*$")
_SYMBOLS: Mapping[str, str] = MappingProxyType({"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"})
_AMOUNT = re.compile(r"^([€$£¥])?([0-9][0-9.,]*)([€$£¥])?$")
# Codes recognised in lower case too; any other ISO code must be typed in capitals ("cup", "all", "top" are words).
_COMMON_CODES = frozenset({"eur", "usd", "gbp", "chf", "jpy"})
_CASH = frozenset({"cash", "contanti"})
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_EU_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_EXPORT = frozenset({"export", "esporta"})
_LIST = frozenset({"list", "entries", "elenco", "movimenti"})
_CORRECT = frozenset({"correct", "correction", "reverse", "correggi", "storna", "rettifica"})
_CURRENCY = frozenset({"currency", "valuta"})
_COUNT = frozenset({"count", "counted", "conta", "contato", "conteggio"})
_THIS_MONTH = frozenset({"", "month", "this month", "mese", "questo mese"})
_LAST_MONTH = frozenset({"last month", "previous month", "mese scorso", "scorso mese"})
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/-](\d{4})$")
_RECEIPT_WORDS = re.compile(r"\b(receipt|invoice|bill|ricevuta|scontrino|fattura)\b", re.IGNORECASE)
_ENTRY_REFERENCE = re.compile(r"(?:#|\b)(\d{1,9})\b")


def _month_names() -> Mapping[str, int]:
    names: dict[str, int] = {}
    for locale in ("en", "it"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[str(name).lower().rstrip(".")] = int(number)
    return MappingProxyType(names)


MONTH_NAMES = _month_names()


def _example(key: str) -> Msg:
    return Msg.of(f"books.example.{key}")


# ---- amounts ---------------------------------------------------------------------------------------------------


def _grouped(text: str, mark: str) -> str | None:
    """Digits grouped in threes by `mark` (`1.280.000`), without the marks; None if not so grouped."""
    groups = text.split(mark)
    if not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
        return None
    return "".join(groups)


def number_of(text: str) -> Decimal | None:
    """A positive number written the English or the Italian way; None when it is not one."""
    if not _NUMBER.match(text):
        return None
    dot, comma = text.rfind("."), text.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_mark, group_mark = (".", ",") if dot > comma else (",", ".")
        whole, _, fraction = text.rpartition(decimal_mark)
        if group_mark not in whole or decimal_mark in whole:
            return None
        digits = _grouped(whole, group_mark)
        return Decimal(f"{digits}.{fraction}") if digits is not None else None
    mark = "." if dot >= 0 else "," if comma >= 0 else ""
    if not mark:
        return Decimal(text)
    if text.count(mark) > 1:
        digits = _grouped(text, mark)
        return Decimal(digits) if digits is not None else None
    whole, _, fraction = text.partition(mark)
    if len(fraction) == 3 and whole != "0":
        return Decimal(whole + fraction)
    return Decimal(f"{whole}.{fraction}")


def amount_of(token: str) -> tuple[Decimal, str | None] | None:
    """`42,50`, `€42.50`, `42.50€` → the amount and the currency its symbol names, if any."""
    match = _AMOUNT.match(token.strip())
    if match is None or (match.group(1) and match.group(3)):
        return None
    number = number_of(match.group(2))
    if number is None:
        return None
    symbol = match.group(1) or match.group(3)
    return number, _SYMBOLS[symbol] if symbol else None


def _code(token: str) -> str | None:
    if token.isupper() or token.lower() in _COMMON_CODES:
        return currency_code(token)
    return None


def _day(token: str) -> date | None:
    iso, eu = _ISO_DAY.match(token), _EU_DAY.match(token)
    try:
        if iso is not None:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if eu is not None:
            return date(int(eu.group(3)), int(eu.group(2)), int(eu.group(1)))
    except ValueError:
        raise ParseError(Msg.of("books.error.day", typed=token), example=_example("dated")) from None
    return None


def _amount_and_currency(tokens: list[str], example: Msg) -> tuple[Decimal, str | None, list[str]]:
    """The amount (with a code before or after it, or a symbol) and the tokens left."""
    if not tokens:
        raise ParseError(Msg.of("books.error.no_amount"), example=example)
    currency: str | None = None
    if len(tokens) > 1 and _code(tokens[0]) is not None and amount_of(tokens[1]) is not None:
        currency, tokens = _code(tokens[0]), tokens[1:]
    found = amount_of(tokens[0])
    if found is None:
        raise ParseError(Msg.of("books.error.amount", typed=tokens[0]), example=example)
    amount, symbol_currency = found
    currency = currency or symbol_currency
    rest = tokens[1:]
    if rest and currency is None and _code(rest[0]) is not None:
        currency, rest = _code(rest[0]), rest[1:]
    return amount, currency, rest


# ---- /ops expense, /ops income ---------------------------------------------------------------------------------


def parse_entry_command(kind: EntryKind, text: str) -> EntryDraft:
    example = _example(kind.value)
    amount, currency, rest = _amount_and_currency(text.split(), example)
    cash = False
    if rest and rest[0].lower() in _CASH:
        cash, rest = True, rest[1:]
    on: date | None = None
    words: list[str] = []
    for token in rest:
        day = _day(token)
        if day is not None and on is None:
            on = day
        else:
            words.append(token)
    tags, remaining = tags_in(" ".join(words))
    if any(tag in _CASH for tag in tags):
        cash = True
        tags = tuple(tag for tag in tags if tag not in _CASH)
    if len(tags) > 1:
        raise ParseError(Msg.of("books.error.one_category", tags=" ".join(f"#{t}" for t in tags)), example=example)
    return EntryDraft(
        kind=kind,
        amount=amount,
        description=clean(remaining),
        category=tags[0] if tags else "",
        currency=currency,
        cash=cash,
        on=on,
    )


# ---- /ops books ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowSummary:
    month: MonthRef


@dataclass(frozen=True, slots=True)
class ExportMonth:
    month: MonthRef


@dataclass(frozen=True, slots=True)
class ListEntries:
    month: MonthRef


@dataclass(frozen=True, slots=True)
class CorrectEntry:
    number: int
    reason: str


@dataclass(frozen=True, slots=True)
class ShowCurrency:
    pass


@dataclass(frozen=True, slots=True)
class SetCurrency:
    code: str


BooksCommand = ShowSummary | ExportMonth | ListEntries | CorrectEntry | ShowCurrency | SetCurrency


def parse_month(text: str) -> MonthRef:
    said = clean(text).lower()
    if said in _THIS_MONTH:
        return MonthRef()
    if said in _LAST_MONTH:
        return MonthRef(back=1)
    numeric = _YEAR_MONTH.match(said)
    if numeric is not None:
        year, month = int(numeric.group(1)), int(numeric.group(2))
    elif (numeric := _MONTH_YEAR.match(said)) is not None:
        month, year = int(numeric.group(1)), int(numeric.group(2))
    else:
        name, _, year_text = said.partition(" ")
        month = MONTH_NAMES.get(name.rstrip("."), 0)
        if not month or (year_text and not (year_text.isdigit() and len(year_text) == 4)):
            raise ParseError(Msg.of("books.error.month", typed=text.strip()), example=_example("month"))
        return MonthRef(month=month, year=int(year_text) if year_text else None)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ParseError(Msg.of("books.error.month", typed=text.strip()), example=_example("month"))
    return MonthRef(month=month, year=year)


def parse_books_command(text: str) -> BooksCommand:
    first, rest = split_first(text)
    if first in _EXPORT:
        return ExportMonth(parse_month(rest))
    if first in _LIST:
        return ListEntries(parse_month(rest))
    if first in _CORRECT:
        number_text, reason = split_first(rest)
        number_text = number_text.removeprefix("#")
        if not number_text.isdigit() or not 0 < int(number_text) < 10**9:
            raise ParseError(Msg.of("books.error.which_entry", typed=number_text), example=_example("correct"))
        return CorrectEntry(int(number_text), clean(reason))
    if first in _CURRENCY:
        return SetCurrency(rest.strip()) if rest.strip() else ShowCurrency()
    return ShowSummary(parse_month(text))


# ---- /ops cash -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowCash:
    currency: str | None


@dataclass(frozen=True, slots=True)
class CountCash:
    amount: Decimal
    currency: str | None


def parse_cash_command(text: str) -> ShowCash | CountCash:
    first, rest = split_first(text)
    if not first:
        return ShowCash(None)
    if first in _COUNT:
        amount, currency, left = _amount_and_currency(rest.split(), _example("count"))
        if left:
            raise ParseError(Msg.of("books.error.count_extra", typed=" ".join(left)), example=_example("count"))
        return CountCash(amount, currency)
    code = currency_code(first)
    if code is not None and not rest:
        return ShowCash(code)
    raise ParseError(Msg.of("books.error.cash", typed=text.strip()), example=_example("count"))


# ---- a receipt shared in a DM ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptWords:
    """What the words with a shared file say: whether they speak of a receipt, and which entry they name."""

    about_receipt: bool
    number: int | None


def receipt_words(text: str) -> ReceiptWords:
    """`#17`, `receipt for 17`, `ricevuta 17` name entry 17; `receipt` alone names none."""
    reference = _ENTRY_REFERENCE.search(text)
    number = int(reference.group(1)) if reference is not None and int(reference.group(1)) > 0 else None
    return ReceiptWords(bool(_RECEIPT_WORDS.search(text)) or number is not None, number)
