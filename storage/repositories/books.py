"""The books: entries (inserted only), receipts, cash counts, the workspace's currency. Every query is filtered by
team; the monthly totals are summed by the database over a covering index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.books import (
    CashCount,
    Entry,
    EntryKind,
    NewCashCount,
    NewEntry,
    Receipt,
    ReceiptFile,
    Total,
    from_minor,
    to_minor,
)
from bot.domain.ids import TeamId, UserId
from storage.models_books import (
    BookCashCountRow,
    BookCounterRow,
    BookEntryRow,
    BookReceiptRow,
    BookSettingsRow,
)

_CHUNK = 500  # numbers per IN (...) list, well under both databases' limits on bound parameters


def _entry(row: BookEntryRow, receipts: Sequence[Receipt] = (), reversed_by: int | None = None) -> Entry:
    return Entry(
        id=row.id,
        team=TeamId(row.team_id),
        number=row.number,
        kind=EntryKind(row.kind),
        amount=from_minor(row.amount_minor, row.currency),
        currency=row.currency,
        category=row.category,
        description=row.description,
        cash=row.cash,
        occurred_on=row.occurred_on,
        recorded_by=UserId(row.recorded_by),
        created_at=row.created_at,
        case_number=row.case_number,
        reverses=row.reverses,
        receipts=tuple(receipts),
        reversed_by=reversed_by,
    )


def _receipt(row: BookReceiptRow) -> Receipt:
    return Receipt(
        entry_number=row.entry_number,
        file=ReceiptFile(file_id=row.file_id, name=row.name, url=row.url, mimetype=row.mimetype),
        added_by=UserId(row.added_by),
        added_at=row.added_at,
    )


def _count(row: BookCashCountRow) -> CashCount:
    return CashCount(
        id=row.id,
        team=TeamId(row.team_id),
        currency=row.currency,
        counted=from_minor(row.counted_minor, row.currency),
        expected=from_minor(row.expected_minor, row.currency),
        counted_by=UserId(row.counted_by),
        counted_at=row.counted_at,
    )


def _chunks(numbers: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(numbers), _CHUNK):
        yield numbers[start : start + _CHUNK]


class SqlBooksRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- entries -------------------------------------------------------------------------------------------------

    async def next_number(self, team: TeamId) -> int:
        """One atomic upsert: two entries at once never get the same number."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(BookCounterRow)
            .values(team_id=team, last=1)
            .on_conflict_do_update(index_elements=[BookCounterRow.team_id], set_={"last": BookCounterRow.last + 1})
            .returning(BookCounterRow.last)
        )
        return int((await self._session.execute(statement)).scalar_one())

    @staticmethod
    def _row(new: NewEntry) -> BookEntryRow:
        return BookEntryRow(
            team_id=new.team,
            number=new.number,
            kind=new.kind.value,
            amount_minor=to_minor(new.amount, new.currency),
            currency=new.currency,
            category=new.category,
            description=new.description,
            cash=new.cash,
            occurred_on=new.occurred_on,
            case_number=new.case_number,
            reverses=new.reverses,
            recorded_by=new.recorded_by,
            created_at=new.created_at,
        )

    async def add(self, new: NewEntry) -> Entry:
        row = self._row(new)
        self._session.add(row)
        await self._session.flush()
        return _entry(row)

    async def add_reversal(self, new: NewEntry) -> Entry | None:
        row = self._row(new)
        try:
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError:
            return None
        return _entry(row)

    async def _decorate(self, team: TeamId, rows: Sequence[BookEntryRow]) -> list[Entry]:
        """The entries with their receipts and the numbers of the entries that reverse them."""
        numbers = [row.number for row in rows]
        receipts: dict[int, list[Receipt]] = {}
        reversed_by: dict[int, int] = {}
        for chunk in _chunks(numbers):
            found = await self._session.scalars(
                select(BookReceiptRow)
                .where(BookReceiptRow.team_id == team, BookReceiptRow.entry_number.in_(chunk))
                .order_by(BookReceiptRow.id)
            )
            for receipt in found:
                receipts.setdefault(receipt.entry_number, []).append(_receipt(receipt))
            reversals = await self._session.execute(
                select(BookEntryRow.reverses, BookEntryRow.number).where(
                    BookEntryRow.team_id == team, BookEntryRow.reverses.in_(chunk)
                )
            )
            for original, number in reversals:
                if original is not None:
                    reversed_by[original] = number
        return [_entry(row, receipts.get(row.number, ()), reversed_by.get(row.number)) for row in rows]

    async def get(self, team: TeamId, number: int) -> Entry | None:
        row = await self._session.scalar(
            select(BookEntryRow).where(BookEntryRow.team_id == team, BookEntryRow.number == number)
        )
        return (await self._decorate(team, [row]))[0] if row is not None else None

    async def last_recorded_by(self, team: TeamId, user: UserId) -> Entry | None:
        row = await self._session.scalar(
            select(BookEntryRow)
            .where(BookEntryRow.team_id == team, BookEntryRow.recorded_by == user, BookEntryRow.reverses.is_(None))
            .order_by(BookEntryRow.number.desc())
            .limit(1)
        )
        return (await self._decorate(team, [row]))[0] if row is not None else None

    async def add_receipt(self, team: TeamId, receipt: Receipt) -> None:
        self._session.add(
            BookReceiptRow(
                team_id=team,
                entry_number=receipt.entry_number,
                file_id=receipt.file.file_id,
                name=receipt.file.name[:255],
                url=receipt.file.url,
                mimetype=receipt.file.mimetype[:100],
                added_by=receipt.added_by,
                added_at=receipt.added_at,
            )
        )
        await self._session.flush()

    async def totals(self, team: TeamId, first: date, until: date) -> list[Total]:
        rows = await self._session.execute(
            select(
                BookEntryRow.currency,
                BookEntryRow.kind,
                BookEntryRow.category,
                func.sum(BookEntryRow.amount_minor),
                func.count(),
            )
            .where(BookEntryRow.team_id == team, BookEntryRow.occurred_on >= first, BookEntryRow.occurred_on < until)
            .group_by(BookEntryRow.currency, BookEntryRow.kind, BookEntryRow.category)
        )
        return [
            Total(currency, EntryKind(kind), category, from_minor(int(minor), currency), int(count))
            for currency, kind, category, minor, count in rows
        ]

    async def entries(self, team: TeamId, first: date, until: date, *, limit: int | None = None) -> list[Entry]:
        query = select(BookEntryRow).where(
            BookEntryRow.team_id == team, BookEntryRow.occurred_on >= first, BookEntryRow.occurred_on < until
        )
        if limit is None:
            query = query.order_by(BookEntryRow.occurred_on, BookEntryRow.number)
        else:
            query = query.order_by(BookEntryRow.number.desc()).limit(limit)
        rows = list(await self._session.scalars(query))
        return await self._decorate(team, rows)

    async def count_entries(self, team: TeamId, first: date, until: date) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(BookEntryRow)
            .where(BookEntryRow.team_id == team, BookEntryRow.occurred_on >= first, BookEntryRow.occurred_on < until)
        )
        return int(count or 0)

    # ---- the workspace's currency --------------------------------------------------------------------------------

    async def currency(self, team: TeamId) -> str | None:
        return await self._session.scalar(select(BookSettingsRow.currency).where(BookSettingsRow.team_id == team))

    async def set_currency(self, team: TeamId, currency: str, *, by: UserId, at: datetime) -> None:
        await self._session.merge(BookSettingsRow(team_id=team, currency=currency, updated_by=by, updated_at=at))

    # ---- petty cash ----------------------------------------------------------------------------------------------

    async def last_count(self, team: TeamId, currency: str) -> CashCount | None:
        row = await self._session.scalar(
            select(BookCashCountRow)
            .where(BookCashCountRow.team_id == team, BookCashCountRow.currency == currency)
            .order_by(BookCashCountRow.counted_at.desc(), BookCashCountRow.id.desc())
            .limit(1)
        )
        return _count(row) if row is not None else None

    async def cash_moves(self, team: TeamId, currency: str, since: datetime | None) -> tuple[Decimal, Decimal]:
        query = (
            select(BookEntryRow.kind, func.sum(BookEntryRow.amount_minor))
            .where(BookEntryRow.team_id == team, BookEntryRow.currency == currency, BookEntryRow.cash.is_(True))
            .group_by(BookEntryRow.kind)
        )
        if since is not None:
            query = query.where(BookEntryRow.created_at > since)
        sums = {kind: int(minor or 0) for kind, minor in await self._session.execute(query)}
        return (
            from_minor(sums.get(EntryKind.INCOME.value, 0), currency),
            from_minor(sums.get(EntryKind.EXPENSE.value, 0), currency),
        )

    async def add_count(self, new: NewCashCount) -> CashCount:
        row = BookCashCountRow(
            team_id=new.team,
            currency=new.currency,
            counted_minor=to_minor(new.counted, new.currency),
            expected_minor=to_minor(new.expected, new.currency),
            counted_by=new.counted_by,
            counted_at=new.counted_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _count(row)
