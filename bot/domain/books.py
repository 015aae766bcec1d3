"""Bookkeeping: income and expenses, monthly summaries and exports, petty cash counts; managers only.

- Money is `Decimal` and rounded to the currency's digits (Babel's table: EUR 2, JPY 0, BHD 3) with ROUND_HALF_UP,
  the commercial rounding people and accountants expect (42.505 → 42.51). It is stored as whole minor units
  (cents), so sums done by the database are exact on SQLite too, whose NUMERIC is a float.
- The books are append-only. An entry is never edited or deleted: a correction is a new entry with the opposite
  amount that names the entry it reverses (once; a reversal is not itself reversed). A receipt is a row of its
  own that points at an entry. Every entry, correction, receipt, count, export and currency change is audited.
- Each workspace keeps its books in one currency (EUR unless a manager changes it with `/ops books currency`);
  an entry may name another one (`/ops expense 20 USD taxi`) and is kept in it: summaries group by currency and
  never convert.
- An entry belongs to the day it is dated (today on the shop's clock unless a date is given); a month's summary
  and export take the entries dated in that month. A reversal keeps the date of the entry it reverses, so the
  month it belonged to is put right.
- Petty cash: entries marked cash (`/ops expense 12 cash milk`) move the till. A count records what was counted,
  what was expected (the last count plus cash income minus cash expenses recorded since) and the difference.
- Money offered on a resolved customer case (a refund or a voucher with an amount) becomes an expense in the
  category `refunds` or `vouchers`, linked to the case, in the same unit of work as the resolution.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from babel.numbers import get_currency_precision, is_currency

from bot.domain.audit import AuditEntry
from bot.domain.cases import Case, Offer
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWork
from bot.domain.roles import Actor, Role
from bot.domain.workspace import WorkspaceSettings

DEFAULT_CURRENCY = "EUR"
ROUNDING = ROUND_HALF_UP
MAX_AMOUNT = Decimal("10000000")  # ten million: anything larger is a typo
MAX_DESCRIPTION = 300
MAX_CATEGORY = 40
MAX_LISTED = 40
MAX_REASON = 200
# A file shared with no words claims to be a receipt only when its sender recorded an entry this recently.
RECENT_ENTRY = timedelta(hours=24)
OFFER_CATEGORIES = {Offer.REFUND: "refunds", Offer.VOUCHER: "vouchers"}


class EntryKind(StrEnum):
    INCOME = "income"
    EXPENSE = "expense"


# ---- money -----------------------------------------------------------------------------------------------------


def currency_code(text: str) -> str | None:
    """An ISO 4217 code Babel knows, upper-cased; None for anything else."""
    code = text.strip().upper()
    return code if len(code) == 3 and code.isalpha() and is_currency(code) else None


def digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-digits(currency)), rounding=ROUNDING)


def to_minor(amount: Decimal, currency: str) -> int:
    return int(rounded(amount, currency).scaleb(digits(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return rounded(Decimal(minor).scaleb(-digits(currency)), currency)


# ---- months ----------------------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True, slots=True)
class MonthRef:
    """A month as said: `year` None means the latest such month not in the future; `back` counts months back
    from this one (0 this month, 1 last month) and is used when `month` is None."""

    month: int | None = None
    year: int | None = None
    back: int = 0

    def resolve(self, today: date) -> date:
        this = month_start(today)
        if self.month is None:
            first = this
            for _ in range(self.back):
                first = previous_month(first)
            return first
        if self.year is not None:
            return date(self.year, self.month, 1)
        candidate = date(this.year, self.month, 1)
        return candidate if candidate <= this else date(this.year - 1, self.month, 1)


# ---- values ----------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class EntryDraft:
    kind: EntryKind
    amount: Decimal  # as typed, positive; rounded by the service in the entry's currency
    description: str = ""
    category: str = ""
    currency: str | None = None  # None: the workspace's
    cash: bool = False
    on: date | None = None  # None: today on the shop's clock


@dataclass(frozen=True, slots=True)
class NewEntry:
    team: TeamId
    number: int
    kind: EntryKind
    amount: Decimal  # rounded; negative for a reversal
    currency: str
    category: str
    description: str
    cash: bool
    occurred_on: date
    recorded_by: UserId
    created_at: datetime
    case_number: int | None = None
    reverses: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiptFile:
    """A file shared with the bot, as Slack describes it (the bytes stay in Slack)."""

    file_id: str
    name: str
    url: str  # the permalink
    mimetype: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    entry_number: int
    file: ReceiptFile
    added_by: UserId
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    team: TeamId
    number: int
    kind: EntryKind
    amount: Decimal
    currency: str
    category: str
    description: str
    cash: bool
    occurred_on: date
    recorded_by: UserId
    created_at: datetime
    case_number: int | None = None
    reverses: int | None = None
    receipts: tuple[Receipt, ...] = ()
    reversed_by: int | None = None

    @property
    def signed(self) -> Decimal:
        """What it did to the balance: income adds, expenses take away."""
        return self.amount if self.kind is EntryKind.INCOME else -self.amount


@dataclass(frozen=True, slots=True)
class Total:
    """One line of the database's aggregate: a month's entries of one currency, kind and category."""

    currency: str
    kind: EntryKind
    category: str
    amount: Decimal
    entries: int


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category: str
    amount: Decimal
    previous: Decimal


@dataclass(frozen=True, slots=True)
class CurrencySummary:
    currency: str
    income: Decimal
    expenses: Decimal
    previous_income: Decimal
    previous_expenses: Decimal
    income_by_category: tuple[CategoryTotal, ...]
    expenses_by_category: tuple[CategoryTotal, ...]
    entries: int

    @property
    def balance(self) -> Decimal:
        return self.income - self.expenses

    @property
    def previous_balance(self) -> Decimal:
        return self.previous_income - self.previous_expenses


@dataclass(frozen=True, slots=True)
class MonthSummary:
    month: date  # the first day
    previous: date
    currency: str  # the workspace's
    currencies: tuple[CurrencySummary, ...]  # the workspace's first, then the others by code

    def of(self, currency: str) -> CurrencySummary | None:
        return next((item for item in self.currencies if item.currency == currency), None)


def _by_category(now: dict[str, Decimal], before: dict[str, Decimal], currency: str) -> tuple[CategoryTotal, ...]:
    zero = rounded(Decimal(0), currency)
    names = set(now) | set(before)
    totals = [CategoryTotal(name, now.get(name, zero), before.get(name, zero)) for name in names]
    return tuple(sorted(totals, key=lambda total: (-total.amount, -total.previous, total.category)))


def summarize(
    month: date, workspace_currency: str, current: Sequence[Total], previous: Sequence[Total]
) -> MonthSummary:
    """The month against the one before, per currency; a currency used in either month appears."""
    currencies = sorted({t.currency for t in (*current, *previous)}, key=lambda c: (c != workspace_currency, c))
    summaries: list[CurrencySummary] = []
    for currency in currencies:
        zero = rounded(Decimal(0), currency)
        sums: dict[tuple[bool, EntryKind], dict[str, Decimal]] = {
            (now, kind): {} for now in (True, False) for kind in EntryKind
        }
        count = 0
        for is_now, totals in ((True, current), (False, previous)):
            for total in totals:
                if total.currency != currency:
                    continue
                bucket = sums[(is_now, total.kind)]
                bucket[total.category] = bucket.get(total.category, zero) + total.amount
                count += total.entries if is_now else 0
        summaries.append(
            CurrencySummary(
                currency=currency,
                income=sum(sums[(True, EntryKind.INCOME)].values(), zero),
                expenses=sum(sums[(True, EntryKind.EXPENSE)].values(), zero),
                previous_income=sum(sums[(False, EntryKind.INCOME)].values(), zero),
                previous_expenses=sum(sums[(False, EntryKind.EXPENSE)].values(), zero),
                income_by_category=_by_category(
                    sums[(True, EntryKind.INCOME)], sums[(False, EntryKind.INCOME)], currency
                ),
                expenses_by_category=_by_category(
                    sums[(True, EntryKind.EXPENSE)], sums[(False, EntryKind.EXPENSE)], currency
                ),
                entries=count,
            )
        )
    return MonthSummary(month, previous_month(month), workspace_currency, tuple(summaries))


@dataclass(frozen=True, slots=True)
class NewCashCount:
    team: TeamId
    currency: str
    counted: Decimal
    expected: Decimal
    counted_by: UserId
    counted_at: datetime


@dataclass(frozen=True, slots=True)
class CashCount:
    id: int
    team: TeamId
    currency: str
    counted: Decimal
    expected: Decimal
    counted_by: UserId
    counted_at: datetime

    @property
    def difference(self) -> Decimal:
        """Positive: more cash than expected; negative: short."""
        return self.counted - self.expected


@dataclass(frozen=True, slots=True)
class CashPosition:
    """The till as the books see it: the last count, and the cash entries recorded since."""

    currency: str
    last_count: CashCount | None
    cash_in: Decimal
    cash_out: Decimal

    @property
    def expected(self) -> Decimal:
        start = self.last_count.counted if self.last_count is not None else rounded(Decimal(0), self.currency)
        return start + self.cash_in - self.cash_out


@dataclass(frozen=True, slots=True)
class CountResult:
    count: CashCount
    position: CashPosition  # as it stood before the count


@dataclass(frozen=True, slots=True)
class Export:
    summary: MonthSummary
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class EntryList:
    month: date
    entries: tuple[Entry, ...]  # newest first, at most MAX_LISTED
    total: int


# ---- ports -----------------------------------------------------------------------------------------------------


class BooksRepository(Protocol):
    async def next_number(self, team: TeamId) -> int: ...

    async def add(self, new: NewEntry) -> Entry: ...

    async def get(self, team: TeamId, number: int) -> Entry | None: ...

    async def add_reversal(self, new: NewEntry) -> Entry | None:
        """None when the entry it reverses already has a reversal (two corrections at once: one wins)."""
        ...

    async def last_recorded_by(self, team: TeamId, user: UserId) -> Entry | None:
        """The newest entry `user` recorded that is not a reversal."""
        ...

    async def add_receipt(self, team: TeamId, receipt: Receipt) -> None: ...

    async def totals(self, team: TeamId, first: date, until: date) -> list[Total]:
        """Entries dated in [first, until), summed in the database by currency, kind and category."""
        ...

    async def entries(self, team: TeamId, first: date, until: date, *, limit: int | None = None) -> list[Entry]:
        """Entries dated in [first, until) with their receipts, by number (newest first when limited)."""
        ...

    async def count_entries(self, team: TeamId, first: date, until: date) -> int: ...

    async def currency(self, team: TeamId) -> str | None: ...

    async def set_currency(self, team: TeamId, currency: str, *, by: UserId, at: datetime) -> None: ...

    async def last_count(self, team: TeamId, currency: str) -> CashCount | None: ...

    async def cash_moves(self, team: TeamId, currency: str, since: datetime | None) -> tuple[Decimal, Decimal]:
        """Cash income and cash expenses recorded after `since` (all of them for None)."""
        ...

    async def add_count(self, new: NewCashCount) -> CashCount: ...


class BooksUnitOfWork(UnitOfWork, Protocol):
    @property
    def books(self) -> BooksRepository: ...


@runtime_checkable
class _HasBooks(Protocol):
    @property
    def books(self) -> BooksRepository: ...


BooksUnitOfWorkFactory = Callable[[], BooksUnitOfWork]
Settings = Callable[[UnitOfWork, TeamId], Awaitable[WorkspaceSettings]]


def _example(key: str) -> Msg:
    return Msg.of(f"books.example.{key}")


# ---- the service -----------------------------------------------------------------------------------------------


class BooksService:
    def __init__(self, uow: BooksUnitOfWorkFactory, clock: Clock, settings: Settings) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    @staticmethod
    def _require(actor: Actor) -> None:
        actor.require(Role.MANAGER, action=Msg.of("action.keep_books"))

    async def _today(self, uow: BooksUnitOfWork, team: TeamId) -> date:
        zone = (await self._settings(uow, team)).zone
        return self._clock.now().astimezone(zone).date()

    @staticmethod
    async def _currency(uow: BooksUnitOfWork, team: TeamId) -> str:
        return await uow.books.currency(team) or DEFAULT_CURRENCY

    @staticmethod
    def _audit(actor: UserId, entry: Entry, action: str, at: datetime) -> AuditEntry:
        details = {
            "amount": f"{entry.amount} {entry.currency}",
            "category": entry.category,
            "date": entry.occurred_on.isoformat(),
        }
        if entry.cash:
            details["cash"] = "yes"
        if entry.reverses is not None:
            details["reverses"] = f"#{entry.reverses}"
        if entry.case_number is not None:
            details["case"] = f"C-{entry.case_number}"
        return AuditEntry(entry.team, actor, action, f"entry #{entry.number}", at, details)

    # ---- entries -------------------------------------------------------------------------------------------------

    async def record(self, actor: Actor, draft: EntryDraft) -> Entry:
        self._require(actor)
        example = _example(draft.kind.value)
        description, category = clean(draft.description), clean(draft.category).lstrip("#").lower()
        if not description and not category:
            raise InvalidRequest(Msg.of("books.error.what_for"), example=example)
        if len(description) > MAX_DESCRIPTION:
            raise InvalidRequest(Msg.of("books.error.too_long", most=MAX_DESCRIPTION), example=example)
        if len(category) > MAX_CATEGORY:
            raise InvalidRequest(Msg.of("books.error.category_too_long", most=MAX_CATEGORY), example=example)
        now = self._clock.now()
        async with self._uow() as uow:
            currency = draft.currency or await self._currency(uow, actor.team)
            amount = rounded(draft.amount, currency)
            if not Decimal(0) < amount <= MAX_AMOUNT:
                raise InvalidRequest(Msg.of("books.error.amount_range", typed=str(draft.amount)), example=example)
            today = await self._today(uow, actor.team)
            on = draft.on or today
            if on > today:
                raise InvalidRequest(Msg.of("books.error.future", day=on.isoformat()), example=example)
            number = await uow.books.next_number(actor.team)
            entry = await uow.books.add(
                NewEntry(
                    actor.team,
                    number,
                    draft.kind,
                    amount,
                    currency,
                    category,
                    description,
                    draft.cash,
                    on,
                    actor.user,
                    now,
                )
            )
            await uow.audit.add(self._audit(actor.user, entry, f"books.{draft.kind.value}", now))
        return entry

    async def correct(self, actor: Actor, number: int, reason: str) -> tuple[Entry, Entry]:
        """A new entry with the opposite amount, linked to `number`: the original and the reversal."""
        self._require(actor)
        reason = clean(reason)[:MAX_REASON]
        now = self._clock.now()
        async with self._uow() as uow:
            original = await uow.books.get(actor.team, number)
            if original is None:
                raise NotFound(Msg.of("books.error.no_such_entry", n=number), example=_example("list"))
            if original.reverses is not None:
                raise InvalidRequest(
                    Msg.of("books.error.is_reversal", n=number, original=original.reverses), example=_example("list")
                )
            if original.reversed_by is not None:
                raise InvalidRequest(
                    Msg.of("books.error.already_reversed", n=number, by=original.reversed_by), example=_example("list")
                )
            reversal = await uow.books.add_reversal(
                NewEntry(
                    team=actor.team,
                    number=await uow.books.next_number(actor.team),
                    kind=original.kind,
                    amount=-original.amount,
                    currency=original.currency,
                    category=original.category,
                    description=reason,
                    cash=original.cash,
                    occurred_on=original.occurred_on,
                    recorded_by=actor.user,
                    created_at=now,
                    case_number=original.case_number,
                    reverses=original.number,
                )
            )
            if reversal is None:
                raise InvalidRequest(Msg.of("books.error.already_reversed_now", n=number), example=_example("list"))
            entry = self._audit(actor.user, reversal, "books.correction", now)
            await uow.audit.add(replace(entry, details={**entry.details, "reason": reason}))
        return replace(original, reversed_by=reversal.number), reversal

    async def entry_list(self, actor: Actor, month: MonthRef) -> EntryList:
        self._require(actor)
        async with self._uow() as uow:
            first = month.resolve(await self._today(uow, actor.team))
            until = next_month(first)
            listed = await uow.books.entries(actor.team, first, until, limit=MAX_LISTED)
            total = await uow.books.count_entries(actor.team, first, until)
        return EntryList(first, tuple(listed), total)

    # ---- receipts ------------------------------------------------------------------------------------------------

    async def has_recent_entry(self, actor: Actor) -> bool:
        """Whether `actor` recorded an entry lately: a file they share with no words is then taken as its receipt."""
        if not actor.role.includes(Role.MANAGER):
            return False
        async with self._uow() as uow:
            last = await uow.books.last_recorded_by(actor.team, actor.user)
        return last is not None and self._clock.now() - last.created_at <= RECENT_ENTRY

    async def attach(self, actor: Actor, number: int | None, file: ReceiptFile) -> Entry:
        """The receipt goes with entry `number`, or with the last entry `actor` recorded."""
        self._require(actor)
        now = self._clock.now()
        async with self._uow() as uow:
            if number is None:
                entry = await uow.books.last_recorded_by(actor.team, actor.user)
                if entry is None:
                    raise NotFound(Msg.of("books.error.no_entry_for_receipt"), example=_example("receipt"))
            else:
                entry = await uow.books.get(actor.team, number)
                if entry is None:
                    raise NotFound(Msg.of("books.error.no_such_entry", n=number), example=_example("receipt"))
            receipt = Receipt(entry.number, file, actor.user, now)
            await uow.books.add_receipt(actor.team, receipt)
            await uow.audit.add(
                AuditEntry(
                    actor.team,
                    actor.user,
                    "books.receipt",
                    f"entry #{entry.number}",
                    now,
                    {"file": file.file_id, "name": file.name},
                )
            )
        return replace(entry, receipts=(*entry.receipts, receipt))

    # ---- the month -----------------------------------------------------------------------------------------------

    async def _summary(self, uow: BooksUnitOfWork, team: TeamId, first: date) -> MonthSummary:
        before = previous_month(first)
        current = await uow.books.totals(team, first, next_month(first))
        previous = await uow.books.totals(team, before, first)
        return summarize(first, await self._currency(uow, team), current, previous)

    async def summary(self, actor: Actor, month: MonthRef) -> MonthSummary:
        self._require(actor)
        async with self._uow() as uow:
            first = month.resolve(await self._today(uow, actor.team))
            return await self._summary(uow, actor.team, first)

    async def export(self, actor: Actor, month: MonthRef) -> Export:
        """The month's entries and its summary, read in one transaction so the files and the totals agree."""
        self._require(actor)
        now = self._clock.now()
        async with self._uow() as uow:
            first = month.resolve(await self._today(uow, actor.team))
            summary = await self._summary(uow, actor.team, first)
            entries = await uow.books.entries(actor.team, first, next_month(first))
            await uow.audit.add(
                AuditEntry(
                    actor.team,
                    actor.user,
                    "books.export",
                    first.strftime("%Y-%m"),
                    now,
                    {"entries": str(len(entries))},
                )
            )
        return Export(summary, tuple(entries))

    # ---- the workspace's currency --------------------------------------------------------------------------------

    async def currency(self, actor: Actor) -> str:
        self._require(actor)
        async with self._uow() as uow:
            return await self._currency(uow, actor.team)

    async def set_currency(self, actor: Actor, code: str) -> tuple[str, str]:
        """The currency before and after."""
        self._require(actor)
        found = currency_code(code)
        if found is None:
            raise InvalidRequest(Msg.of("books.error.currency", typed=code), example=_example("currency"))
        now = self._clock.now()
        async with self._uow() as uow:
            before = await self._currency(uow, actor.team)
            await uow.books.set_currency(actor.team, found, by=actor.user, at=now)
            await uow.audit.add(
                AuditEntry(actor.team, actor.user, "books.currency", found, now, {"before": before, "after": found})
            )
        return before, found

    # ---- petty cash ----------------------------------------------------------------------------------------------

    @staticmethod
    async def _position(uow: BooksUnitOfWork, team: TeamId, currency: str) -> CashPosition:
        last = await uow.books.last_count(team, currency)
        cash_in, cash_out = await uow.books.cash_moves(team, currency, last.counted_at if last else None)
        return CashPosition(currency, last, cash_in, cash_out)

    async def cash_position(self, actor: Actor, currency: str | None) -> CashPosition:
        self._require(actor)
        async with self._uow() as uow:
            return await self._position(uow, actor.team, currency or await self._currency(uow, actor.team))

    async def count_cash(self, actor: Actor, counted: Decimal, currency: str | None) -> CountResult:
        self._require(actor)
        if counted < 0 or counted > MAX_AMOUNT:
            raise InvalidRequest(Msg.of("books.error.count_range", typed=str(counted)), example=_example("count"))
        now = self._clock.now()
        async with self._uow() as uow:
            code = currency or await self._currency(uow, actor.team)
            position = await self._position(uow, actor.team, code)
            count = await uow.books.add_count(
                NewCashCount(actor.team, code, rounded(counted, code), position.expected, actor.user, now)
            )
            await uow.audit.add(
                AuditEntry(
                    actor.team,
                    actor.user,
                    "books.cash_count",
                    f"cash {code}",
                    now,
                    {
                        "counted": str(count.counted),
                        "expected": str(count.expected),
                        "difference": str(count.difference),
                    },
                )
            )
        return CountResult(count, position)

    # ---- customer cases ------------------------------------------------------------------------------------------

    async def offer_made(self, uow: UnitOfWork, case: Case, by: UserId, at: datetime) -> Entry | None:
        """Called by the case service inside the resolution's unit of work: money offered becomes an expense
        linked to the case, in the workspace's currency, dated the day the case was resolved."""
        if case.offer is None or case.offer_amount is None or case.offer not in OFFER_CATEGORIES:
            return None
        if not isinstance(uow, _HasBooks):
            raise TypeError("the unit of work has no books")
        books = uow.books
        currency = await books.currency(case.team) or DEFAULT_CURRENCY
        zone = (await self._settings(uow, case.team)).zone
        entry = await books.add(
            NewEntry(
                team=case.team,
                number=await books.next_number(case.team),
                kind=EntryKind.EXPENSE,
                amount=rounded(case.offer_amount, currency),
                currency=currency,
                category=OFFER_CATEGORIES[case.offer],
                description="",  # the note may name the customer, who can ask to be forgotten; the link is enough
                cash=False,
                occurred_on=at.astimezone(zone).date(),
                recorded_by=by,
                created_at=at,
                case_number=case.number,
            )
        )
        await uow.audit.add(self._audit(by, entry, "books.expense", at))
        return entry
