"""`/ops stock` and `/ops stock use` in a big store room, against a naive ledger-only design, in one run.

    python bench/stock.py [--items 2000] [--movements 100000] [--repeat 200] [--baseline-repeat 20] [--seed 7]
                          [--database-url sqlite:///…|postgresql://…]

A workspace with `--items` stock items (a fifth of them below their minimum, twenty suppliers, four locations)
and `--movements` movements spread over them (the history of a year: adds, uses, deliveries, counts), plus a
smaller second workspace that must never show up.

Measured:
- listing — ours: `StockService.listing` (low items first, the first 40, counts in SQL) then the Block Kit message;
  baseline: every item and every movement of the workspace into Python, each quantity summed from its movements,
  sorted low first there, then the same message.
- use — ours: `StockService.move(use)` (one item found by its key with a row lock, one UPDATE, one INSERT, the
  conditional alert UPDATE) then the reply; baseline: every item of the workspace read to find the name, the
  item's quantity summed from its movements, then the same INSERT and UPDATE. Each use is followed by an equal
  delivery outside the timing, so the store stays as it was.
- low — the digest's stock section: `StockService.low_for_digest` against every item filtered and sorted in Python.
Both ways must give the same listing, the same low section and the same quantities (checked, and every stored
quantity must equal the sum of its movements at the end). Target: ours p99 under 100 ms for each, on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.common import p99, scratch_engine, summary, timed_each  # noqa: E402
from bot.domain.clock import ManualClock  # noqa: E402
from bot.domain.digests import LowStockLine, Top  # noqa: E402
from bot.domain.ids import TeamId, UserId  # noqa: E402
from bot.domain.ports import UnitOfWork  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from bot.domain.stock import (  # noqa: E402
    LIST_LIMIT,
    Amount,
    Listing,
    MovementKind,
    StockItem,
    StockService,
    key_of,
)
from bot.domain.workspace import WorkspaceSettings  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.rendering import stock as render  # noqa: E402
from storage.db import session_factory  # noqa: E402
from storage.models_stock import StockItemRow, StockMovementRow, StockSupplierRow  # noqa: E402
from storage.unit_of_work import SqlUnitOfWork  # noqa: E402

TEAM, OTHER = TeamId("T0BENCH01"), TeamId("T0BENCH02")
USER = UserId("U0BENCH01")
ZONE = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TARGET_MS = 100.0
CHUNK = 5000
UNITS = ("kg", "g", "l", "ml", "pcs", "boxes")
LOCATIONS = ("kitchen", "bar", "cellar", "storeroom")


# ---- the store room ---------------------------------------------------------------------------------------------


async def load(engine: AsyncEngine, seed: int, items: int, movements: int) -> dict[str, int]:
    """Items whose stored quantity is the sum of their movements (as the service keeps them)."""
    rng = random.Random(seed)
    counts: dict[str, int] = defaultdict(int)

    async def put(model: type[Any], rows: list[dict[str, Any]]) -> None:
        async with engine.begin() as connection:
            for start in range(0, len(rows), CHUNK):
                await connection.execute(insert(model), rows[start : start + CHUNK])
        counts[model.__tablename__] += len(rows)

    for team, n_items, n_moves in ((TEAM, items, movements), (OTHER, items // 4, movements // 5)):
        await put(
            StockSupplierRow,
            [
                {"team_id": team, "name": f"Supplier {n}", "name_key": f"supplier {n}", "created_at": NOW}
                for n in range(20)
            ],
        )
        async with engine.connect() as connection:
            suppliers = list(
                (await connection.scalars(select(StockSupplierRow.id).where(StockSupplierRow.team_id == team))).all()
            )
        item_rows = []
        for n in range(n_items):
            name = f"item {n:05d}"
            item_rows.append(
                {
                    "team_id": team,
                    "name": name,
                    "name_key": key_of(name),
                    "unit": UNITS[n % len(UNITS)],
                    "quantity": Decimal(0),
                    "minimum": Decimal(rng.randint(5, 50)),
                    "target": None,
                    "supplier_id": suppliers[n % len(suppliers)],
                    "location": LOCATIONS[n % len(LOCATIONS)],
                    "location_key": LOCATIONS[n % len(LOCATIONS)],
                    "below_minimum": False,
                    "created_by": USER,
                    "created_at": NOW - timedelta(days=365),
                    "updated_at": NOW,
                }
            )
        await put(StockItemRow, item_rows)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(StockItemRow.id, StockItemRow.minimum).where(StockItemRow.team_id == team)
                )
            ).all()
        ids = [row.id for row in rows]
        minimum = {row.id: row.minimum for row in rows}
        quantity: dict[int, Decimal] = dict.fromkeys(ids, Decimal(0))
        moves = []
        start = NOW - timedelta(days=365)
        for n in range(n_moves):
            item_id = ids[n % len(ids)] if n < len(ids) else rng.choice(ids)
            before = quantity[item_id]
            if n < len(ids):
                kind, after = "add", Decimal(rng.randint(20, 200))
            else:
                kind = rng.choice(("use", "use", "use", "receive", "count"))
                amount = Decimal(rng.randint(1, 30))
                after = {"use": max(before - amount, Decimal(0)), "receive": before + amount, "count": amount * 3}[kind]
            quantity[item_id] = after
            moves.append(
                {
                    "team_id": team,
                    "item_id": item_id,
                    "kind": kind,
                    "change": after - before,
                    "quantity_after": after,
                    "entered": abs(after - before),
                    "entered_unit": "kg",
                    "done_by": USER,
                    "done_at": start + timedelta(seconds=n * 300),
                    "note": "",
                }
            )
        await put(StockMovementRow, moves)
        # Counted last night: a fifth below the minimum, as a real store room before the weekly order.
        for item_id in ids:
            below = rng.random() < 0.2
            quantity[item_id] = minimum[item_id] - 1 if below else minimum[item_id] + rng.randint(10, 100)
        async with engine.begin() as connection:
            for item_id, value in quantity.items():
                await connection.execute(update(StockItemRow).where(StockItemRow.id == item_id).values(quantity=value))
        # Keep the ledger honest: a count movement for each adjusted item.
        async with engine.connect() as connection:
            sums = dict(
                (
                    await connection.execute(
                        select(StockMovementRow.item_id, func.sum(StockMovementRow.change))
                        .where(StockMovementRow.team_id == team)
                        .group_by(StockMovementRow.item_id)
                    )
                ).all()
            )
        fixes = [
            {
                "team_id": team,
                "item_id": item_id,
                "kind": "count",
                "change": value - Decimal(sums[item_id]),
                "quantity_after": value,
                "entered": value,
                "entered_unit": "kg",
                "done_by": USER,
                "done_at": NOW - timedelta(hours=1),
                "note": "",
            }
            for item_id, value in quantity.items()
            if Decimal(sums[item_id]) != value
        ]
        await put(StockMovementRow, fixes)
        async with engine.begin() as connection:
            await connection.execute(
                update(StockItemRow)
                .where(StockItemRow.team_id == team, StockItemRow.quantity < StockItemRow.minimum)
                .values(below_minimum=True)
            )
    return dict(counts)


# ---- the naive baseline ------------------------------------------------------------------------------------------


async def ledger_items(engine: AsyncEngine) -> list[StockItem]:
    """Every item and every movement of the workspace into Python; quantities summed from the ledger."""
    sessions = session_factory(engine)
    async with sessions() as session:
        items = (await session.scalars(select(StockItemRow).where(StockItemRow.team_id == TEAM))).all()
        suppliers = {
            row.id: row.name
            for row in (await session.scalars(select(StockSupplierRow).where(StockSupplierRow.team_id == TEAM))).all()
        }
        moves = (
            await session.execute(
                select(StockMovementRow.item_id, StockMovementRow.change).where(StockMovementRow.team_id == TEAM)
            )
        ).all()
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for item_id, change in moves:
        totals[item_id] += change
    return [
        StockItem(
            row.id,
            TeamId(row.team_id),
            row.name,
            row.unit,
            totals[row.id],
            row.minimum,
            row.target,
            row.supplier_id,
            suppliers.get(row.supplier_id) if row.supplier_id else None,
            row.location,
            row.below_minimum,
        )
        for row in items
    ]


async def baseline_listing(engine: AsyncEngine) -> Listing:
    items = await ledger_items(engine)
    ordered = sorted(items, key=lambda item: (not item.is_low, key_of(item.name)))
    return Listing(tuple(ordered[:LIST_LIMIT]), len(items), sum(item.is_low for item in items))


async def baseline_low(engine: AsyncEngine) -> Top[LowStockLine]:
    low = [item for item in await ledger_items(engine) if item.is_low]
    low.sort(key=lambda item: (item.quantity / item.minimum if item.minimum else Decimal(0), key_of(item.name)))
    lines = tuple(LowStockLine(i.name, i.quantity, i.minimum or Decimal(0), i.unit) for i in low[:8])
    return Top(lines, len(low))


async def baseline_use(engine: AsyncEngine, name: str, amount: Decimal) -> Decimal:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        items = (await session.scalars(select(StockItemRow).where(StockItemRow.team_id == TEAM))).all()
        row = next(item for item in items if key_of(item.name) == key_of(name))
        changes = (
            await session.scalars(select(StockMovementRow.change).where(StockMovementRow.item_id == row.id))
        ).all()
        after = sum(changes, Decimal(0)) - amount
        session.add(
            StockMovementRow(
                team_id=TEAM,
                item_id=row.id,
                kind="use",
                change=-amount,
                quantity_after=after,
                entered=amount,
                entered_unit=row.unit,
                done_by=USER,
                done_at=NOW,
                note="",
            )
        )
        row.quantity = after
    return after


# ---- the run -----------------------------------------------------------------------------------------------------


async def main(arguments: argparse.Namespace) -> int:
    async with scratch_engine(arguments.database_url) as engine:
        return await _run(engine, arguments)


async def _run(engine: AsyncEngine, arguments: argparse.Namespace) -> int:
    began = time.perf_counter()
    counts = await load(engine, arguments.seed, arguments.items, arguments.movements)
    loading = time.perf_counter() - began
    sessions = session_factory(engine)

    async def settings(_uow: UnitOfWork, team: TeamId) -> WorkspaceSettings:
        return WorkspaceSettings.defaults(team, timezone=ZONE.key, language="en")

    stock = StockService(lambda: SqlUnitOfWork(sessions), ManualClock(NOW), settings, lambda _team: None)
    actor = Actor(TEAM, USER, Role.MANAGER, "en", ZONE)
    words = translator().bind("en")
    rng = random.Random(arguments.seed + 1)
    # Items with plenty in stock (none crosses its minimum while measured), in their own unit.
    listing = await stock.listing(actor)
    plenty = [i for i in await ledger_items(engine) if i.minimum is not None and i.quantity > i.minimum + 10]
    names = [rng.choice(plenty).name for _ in range(max(arguments.repeat, arguments.baseline_repeat))]

    async def ours_listing(_round: int) -> object:
        return render.listing(words, await stock.listing(actor))

    async def theirs_listing(_round: int) -> object:
        return render.listing(words, await baseline_listing(engine))

    async def ours_use(round_: int) -> object:
        return render.moved(words, await stock.move(actor, MovementKind.USE, names[round_], Amount(Decimal(1))))

    async def theirs_use(round_: int) -> object:
        return await baseline_use(engine, names[round_], Decimal(1))

    async def give_back(round_: int) -> object:
        return await stock.move(actor, MovementKind.RECEIVE, names[round_], Amount(Decimal(1)))

    async def ours_low(_round: int) -> object:
        return await stock.low_for_digest(TEAM, 8)

    async def theirs_low(_round: int) -> object:
        return await baseline_low(engine)

    same_listing = listing == await baseline_listing(engine)
    same_low = await stock.low_for_digest(TEAM, 8) == await baseline_low(engine)
    results = {
        "listing": (
            await timed_each(range(arguments.repeat), ours_listing),
            await timed_each(range(arguments.baseline_repeat), theirs_listing),
        ),
        "use": (
            await timed_each(range(arguments.repeat), ours_use, after=give_back),
            await timed_each(range(arguments.baseline_repeat), theirs_use, after=give_back),
        ),
        "low": (
            await timed_each(range(arguments.repeat), ours_low),
            await timed_each(range(arguments.baseline_repeat), theirs_low),
        ),
    }
    # Every stored quantity is still the sum of its movements, and both views of the store room agree.
    consistent = all(
        item.quantity == stored.quantity
        for item, stored in zip(
            sorted(await ledger_items(engine), key=lambda i: i.id),
            sorted(
                await _stored_items(engine),
                key=lambda i: i.id,
            ),
            strict=True,
        )
    )
    same_after = (await stock.listing(actor)) == await baseline_listing(engine)

    print(f"database: {engine.dialect.name}; loaded in {loading:.1f} s")
    print("rows: " + ", ".join(f"{table} {n:,}" for table, n in sorted(counts.items())))
    print(f"workspace: {listing.total:,} items, {listing.low:,} low")
    passed = same_listing and same_low and consistent and same_after
    for name, (ours, theirs) in results.items():
        print(summary(f"{name}: ours", ours))
        print(summary(f"{name}: baseline", theirs))
        print(f"{name}: baseline / ours (median): {statistics.median(theirs) / statistics.median(ours):.1f}x")
        passed = passed and p99(ours) < TARGET_MS
    print(
        f"same listing {'yes' if same_listing else 'NO'}, same low section {'yes' if same_low else 'NO'}, "
        f"quantities = sum of movements {'yes' if consistent else 'NO'}, "
        f"same listing after {'yes' if same_after else 'NO'}"
    )
    worst = max(p99(ours) for ours, _ in results.values())
    print(f"{'PASS' if passed else 'FAIL'}: ours worst p99 {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")
    return 0 if passed else 1


async def _stored_items(engine: AsyncEngine) -> list[StockItemRow]:
    async with session_factory(engine)() as session:
        return list((await session.scalars(select(StockItemRow).where(StockItemRow.team_id == TEAM))).all())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--movements", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--baseline-repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    sys.exit(asyncio.run(main(parser.parse_args())))
