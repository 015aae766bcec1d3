"""The monthly books summary over years of entries, against the same summary made by loading every row into Python.

    python bench/books.py [--entries 200000] [--repeat 50] [--baseline-repeat 5] [--seed 7]
                          [--database-url sqlite:///…|postgresql://…]

A workspace with three years of books (December 2023 to November 2026): `--entries` entries spread over the days,
mostly EUR with some USD and CHF, a dozen categories, one in a hundred reversed by a correction, some paid in
cash; and a second workspace's entries in the same table, which no summary of the first may count.

Measured, for November 2026 against October (what `/ops books 2026-11` does):
- ours: `BooksService.summary` (two aggregate queries the database answers from a covering index on
  team, day, currency, kind, category and amount), then `summary_message` (the Block Kit message);
- baseline: every entry of the workspace selected into Python, the two months picked out and summed there, then
  the same `summarize` and `summary_message`.
Both must give the same summary and the same message (checked). Target: ours p99 under 150 ms on SQLite.
The month's export (its entries with receipts, the CSV and the .xlsx) is timed once, for information.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.common import p99, scratch_engine, summary, timed  # noqa: E402
from bot.domain.books import (  # noqa: E402
    BooksService,
    EntryKind,
    MonthRef,
    MonthSummary,
    Total,
    from_minor,
    next_month,
    previous_month,
    summarize,
)
from bot.domain.clock import ManualClock  # noqa: E402
from bot.domain.ids import TeamId, UserId  # noqa: E402
from bot.domain.ports import UnitOfWork  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from bot.domain.workspace import WorkspaceSettings  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.rendering.blocks import Reply  # noqa: E402
from bot.rendering.books import export_csv, export_xlsx, summary_message  # noqa: E402
from storage.db import session_factory  # noqa: E402
from storage.models_books import BookCounterRow, BookEntryRow  # noqa: E402
from storage.unit_of_work import SqlUnitOfWork  # noqa: E402

TEAM, OTHER = TeamId("T0BENCH01"), TeamId("T0BENCH02")
MANAGER = UserId("U0000001")
ZONE = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2023, 12, 1), date(2026, 11, 30)
MONTH = date(2026, 11, 1)
TARGET_MS = 150.0
CHUNK = 5000
EXPENSES = ("food", "drinks", "cleaning", "rent", "utilities", "wages", "repairs", "marketing", "fees", "")
INCOMES = ("dinners", "lunches", "catering", "")


def entries(seed: int, count: int) -> list[dict[str, Any]]:
    pick = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days + 1
    rows: list[dict[str, Any]] = []
    reversals: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        day = FIRST_DAY + timedelta(days=pick.randrange(span))
        income = pick.random() < 0.35
        currency = pick.choices(("EUR", "USD", "CHF"), weights=(94, 4, 2))[0]
        minor = pick.randrange(300, 250_000) if income else pick.randrange(50, 90_000)
        row = {
            "team_id": TEAM,
            "number": number,
            "kind": "income" if income else "expense",
            "amount_minor": minor,
            "currency": currency,
            "category": pick.choice(INCOMES if income else EXPENSES),
            "description": "service" if income else "supplies",
            "cash": pick.random() < 0.2,
            "occurred_on": day,
            "case_number": None,
            "reverses": None,
            "recorded_by": MANAGER,
            "created_at": datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC),
        }
        rows.append(row)
        if pick.random() < 0.01:
            reversals.append(row)
    number = count
    for original in reversals:
        number += 1
        rows.append(
            {
                **original,
                "number": number,
                "amount_minor": -original["amount_minor"],
                "reverses": original["number"],
                "description": "correction",
            }
        )
    # Another workspace's books in the same table: never counted.
    rows += [{**row, "team_id": OTHER} for row in rows[: count // 20]]
    return rows


async def load(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            await connection.execute(insert(BookEntryRow.__table__), rows[start : start + CHUNK])
        last = max(row["number"] for row in rows if row["team_id"] == TEAM)
        await connection.execute(insert(BookCounterRow.__table__), [{"team_id": TEAM, "last": last}])


async def baseline_summary(engine: AsyncEngine) -> MonthSummary:
    """Every entry of the workspace into Python; the two months picked out and summed here."""
    async with engine.connect() as connection:
        result = await connection.execute(select(BookEntryRow).where(BookEntryRow.team_id == TEAM))
        rows = result.all()
    before, until = previous_month(MONTH), next_month(MONTH)
    sums: dict[tuple[bool, str, str, str], list[int]] = {}
    for row in rows:
        if not before <= row.occurred_on < until:
            continue
        key = (row.occurred_on >= MONTH, row.currency, row.kind, row.category)
        found = sums.setdefault(key, [0, 0])
        found[0] += row.amount_minor
        found[1] += 1
    current = [
        Total(code, EntryKind(kind), category, from_minor(minor, code), count)
        for (now, code, kind, category), (minor, count) in sums.items()
        if now
    ]
    previous = [
        Total(code, EntryKind(kind), category, from_minor(minor, code), count)
        for (now, code, kind, category), (minor, count) in sums.items()
        if not now
    ]
    return summarize(MONTH, "EUR", current, previous)


async def main(arguments: argparse.Namespace) -> int:
    async with scratch_engine(arguments.database_url) as engine:
        return await _run(engine, arguments)


async def _run(engine: AsyncEngine, arguments: argparse.Namespace) -> int:
    began = time.perf_counter()
    rows = entries(arguments.seed, arguments.entries)
    await load(engine, rows)
    loading = time.perf_counter() - began

    async def settings(_uow: UnitOfWork, team: TeamId) -> WorkspaceSettings:
        return WorkspaceSettings.defaults(team, timezone=ZONE.key, language="en")

    books = BooksService(lambda: SqlUnitOfWork(session_factory(engine)), ManualClock(NOW), settings)
    actor = Actor(TEAM, MANAGER, Role.MANAGER, "en", ZONE)
    words = translator().bind("en")
    month = MonthRef(MONTH.month, MONTH.year)

    async def ours() -> tuple[MonthSummary, Reply]:
        found = await books.summary(actor, month)
        return found, summary_message(words, found)

    async def baseline() -> tuple[MonthSummary, Reply]:
        found = await baseline_summary(engine)
        return found, summary_message(words, found)

    mine, theirs = await ours(), await baseline()
    same = mine == theirs
    our_samples = await timed(arguments.repeat, ours)
    baseline_samples = await timed(arguments.baseline_repeat, baseline)

    export_began = time.perf_counter()
    export = await books.export(actor, month)
    csv_bytes, xlsx_bytes = export_csv(words, export), export_xlsx(words, export)
    export_ms = (time.perf_counter() - export_began) * 1000

    found = mine[0]
    eur = found.of("EUR")
    assert eur is not None
    print(f"database: {engine.dialect.name}; loaded in {loading:.1f} s")
    print(f"rows: book_entries {len(rows):,} ({sum(1 for r in rows if r['team_id'] == TEAM):,} of the workspace)")
    print(
        f"summary of {MONTH:%Y-%m}: {', '.join(item.currency for item in found.currencies)}; EUR income {eur.income}, "
        f"expenses {eur.expenses}, balance {eur.balance} ({eur.entries} entries)"
    )
    print(summary("ours: BooksService.summary + summary_message", our_samples))
    print(summary("baseline: every row into Python + message", baseline_samples))
    ratio = statistics.median(baseline_samples) / statistics.median(our_samples)
    print(f"baseline / ours (median): {ratio:.0f}x")
    print(
        f"export of {MONTH:%Y-%m} once: {len(export.entries):,} entries, CSV {len(csv_bytes):,} bytes, "
        f".xlsx {len(xlsx_bytes):,} bytes in {export_ms:.0f} ms"
    )
    print(f"same summary and message both ways: {'yes' if same else 'NO'}")
    worst = p99(our_samples)
    passed = same and worst < TARGET_MS
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: ours p99 {worst:.1f} ms (target < {TARGET_MS:.0f} ms), same content {'yes' if same else 'no'}")
    return 0 if passed else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--baseline-repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    sys.exit(asyncio.run(main(parser.parse_args())))
