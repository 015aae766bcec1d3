"""The books' storage rules: an entry is reversed once however many corrections race, numbers are per workspace and
never repeat, totals are exact sums in the database, and one workspace never sees another's books."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.books import BooksService, EntryDraft, EntryKind, MonthRef, Total
from bot.domain.clock import ManualClock
from bot.domain.errors import InvalidRequest
from bot.domain.ids import TeamId, UserId
from bot.domain.ports import UnitOfWork
from bot.domain.roles import Actor, Role
from bot.domain.workspace import WorkspaceSettings
from storage.db import session_factory
from storage.models_books import BookEntryRow
from storage.unit_of_work import SqlUnitOfWork
from tests.stored import stored_rows

T1, T2 = TeamId("T1"), TeamId("T2")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Rome")


def service(engine: AsyncEngine) -> BooksService:
    async def settings(_uow: UnitOfWork, team: TeamId) -> WorkspaceSettings:
        return WorkspaceSettings.defaults(team, timezone=ZONE.key, language="en")

    return BooksService(lambda: SqlUnitOfWork(session_factory(engine)), ManualClock(NOW), settings)


def manager(team: TeamId, user: str = "U0GIULIA1") -> Actor:
    return Actor(team, UserId(user), Role.MANAGER, "en", ZONE)


async def test_an_entry_is_reversed_once_however_many_corrections_race(engine: AsyncEngine) -> None:
    books = service(engine)
    entry = await books.record(manager(T1), EntryDraft(EntryKind.EXPENSE, Decimal("42.50"), "soap", "cleaning"))

    async def correct(user: str) -> str:
        try:
            await books.correct(manager(T1, user), entry.number, "twice")
        except InvalidRequest as refused:
            return refused.message.key
        return "corrected"

    results = await asyncio.gather(*(correct(f"U{n:08d}") for n in range(4)))
    assert results.count("corrected") == 1
    assert set(results) - {"corrected"} <= {"books.error.already_reversed", "books.error.already_reversed_now"}
    rows = await stored_rows(engine, select(BookEntryRow).order_by(BookEntryRow.number))
    assert [(row.amount_minor, row.reverses) for row in rows if row.team_id == T1] == [(4250, None), (-4250, 1)]


async def test_numbers_are_per_workspace_and_books_never_mix(engine: AsyncEngine) -> None:
    books = service(engine)
    drafts = [EntryDraft(EntryKind.INCOME, Decimal("0.10"), "tip") for _ in range(10)]
    first = await asyncio.gather(*(books.record(manager(T1), draft) for draft in drafts))
    other = await books.record(manager(T2), EntryDraft(EntryKind.INCOME, Decimal("5"), "other shop"))
    assert sorted(entry.number for entry in first) == list(range(1, 11))
    assert other.number == 1

    summary = await books.summary(manager(T1), MonthRef())
    eur = summary.of("EUR")
    assert eur is not None
    assert (eur.income, eur.entries) == (Decimal("1.00"), 10)  # ten times 0.10 is exactly 1.00
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        assert await uow.books.totals(T2, date(2026, 11, 1), date(2026, 12, 1)) == [
            Total("EUR", EntryKind.INCOME, "", Decimal("5.00"), 1)
        ]
        assert await uow.books.get(T2, 2) is None
        assert await uow.books.last_recorded_by(T2, UserId("U0GIULIA1")) == other
