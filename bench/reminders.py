"""10,000 reminders due within one minute: lateness and peak memory, against APScheduler alone.

    python bench/reminders.py [--reminders 10000] [--database-url postgresql://…]

Both contenders run as their own process, so each one's peak memory (ru_maxrss) is its own:
- **baseline**: APScheduler 3 (AsyncIOScheduler, memory job store) firing 10,000 date jobs that do nothing
  but note how late they ran — the floor for "wake up at the right time";
- **ours**: the real reminder engine (SQLite by default) delivering the same 10,000 reminders as DMs to the
  Slack double (its rate limiting off), through the same courier, client and retry handlers as production.
  Profiles are pre-cached, as in a workspace whose people have used the bot before.
Lateness is when the job ran (baseline) or when the DM reached the double (ours) minus the due second.
Targets (issue 3): p99 lateness <= 1 s, peak memory <= 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.server import SlackDouble  # noqa: E402
from bot.sandbox.workspace import FakeUser, Workspace  # noqa: E402

LEAD_SECONDS = 75  # time to start up and insert 10,000 schedules (one ORM add each) before the first is due
SPREAD_SECONDS = 60  # "within the same minute"


def people(count: int) -> list[str]:
    return [f"U{n:08d}" for n in range(count)]


def workspace_with(count: int) -> Workspace:
    sample = Workspace.sample()
    extra = tuple(
        FakeUser(id=user, name=f"p{n}", real_name=f"Person {n}", tz="Europe/Rome", locale="en-US")
        for n, user in enumerate(people(count))
    )
    return replace(sample, users=sample.users + extra)


class ChildResult(TypedDict):
    """What a contender's process reports back (its lateness list is empty when the parent measures it)."""

    lateness: list[float]
    sent: int
    peak_mb: float


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def due_times(count: int, first: float) -> list[int]:
    """Whole seconds, spread evenly over one minute."""
    return [int(first) + (n * SPREAD_SECONDS) // count for n in range(count)]


# ---- the two contenders, each run as `python bench/reminders.py --run baseline|ours …` ------------------------


async def run_baseline(count: int, first: float) -> ChildResult:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    lateness: list[float] = []
    done = asyncio.Event()

    def fire(due: float) -> None:
        lateness.append(time.time() - due)
        if len(lateness) == count:
            done.set()

    scheduler = AsyncIOScheduler(timezone=UTC)
    for n, due in enumerate(due_times(count, first)):
        scheduler.add_job(
            fire, "date", run_date=datetime.fromtimestamp(due, UTC), args=[due], id=f"r{n}", misfire_grace_time=None
        )
    scheduler.start()
    await asyncio.wait_for(done.wait(), LEAD_SECONDS + SPREAD_SECONDS + 120)
    scheduler.shutdown(wait=False)
    return {"lateness": lateness, "sent": len(lateness), "peak_mb": peak_rss_mb()}


async def run_ours(count: int, first: float, api_url: str, database_url: str) -> ChildResult:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from sqlalchemy import func, select

    from bot.app import build_app
    from bot.config import Settings
    from bot.domain.ids import TeamId, UserId
    from bot.domain.people import Profile
    from bot.domain.reminders import Kind, ScheduleSpec
    from bot.scheduling import SchedulerWaker
    from storage.db import create_engine, migrate, session_factory
    from storage.models import DeliveryRow
    from storage.unit_of_work import SqlUnitOfWork

    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        slack_api_url=api_url,
        database_url=database_url,
    )
    engine = create_engine(database_url)
    await migrate(engine)
    bot = build_app(settings, engine=engine)
    team = TeamId("T0OPS0001")
    now = datetime.now(UTC)
    async with SqlUnitOfWork(session_factory(engine)) as uow:
        for n, (user, due) in enumerate(zip(people(count), due_times(count, first), strict=True)):
            await uow.profiles.put(
                Profile(team, UserId(user), f"p{n}", "Europe/Rome", "en-US", False, False, False, fetched_at=now)
            )
            await uow.schedules.add(
                ScheduleSpec(
                    team=team,
                    kind=Kind.REMINDER,
                    target="reminder",
                    recipient=UserId(user),
                    created_by=UserId(user),
                    first_fire=datetime.fromtimestamp(due, UTC),
                    zone="Europe/Rome",
                    payload={"text": f"reminder {n}"},
                ),
                at=now,
            )
    inserted = time.time()
    if inserted > first:
        raise SystemExit(f"inserting took too long ({inserted - first + LEAD_SECONDS:.0f} s); raise LEAD_SECONDS")
    scheduler = AsyncIOScheduler(timezone=UTC)
    SchedulerWaker(scheduler, bot.reminders)
    scheduler.start()
    deadline = first + SPREAD_SECONDS + 120
    while time.time() < deadline:
        async with engine.connect() as connection:
            sent = await connection.scalar(
                select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "sent")
            )
        if sent == count:
            break
        await asyncio.sleep(0.5)
    scheduler.shutdown(wait=False)
    await bot.reminders.stop()
    await bot.close()
    await engine.dispose()
    return {"lateness": [], "sent": int(sent or 0), "peak_mb": peak_rss_mb()}


# ---- the parent: Slack double, both children, the report -------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def child(*args: str) -> ChildResult:
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, *args, stdout=asyncio.subprocess.PIPE, env=os.environ | {"PYTHONPATH": str(ROOT)}
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{args[1]} failed with exit code {process.returncode}")
    result: ChildResult = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def main(args: argparse.Namespace) -> None:
    count = args.reminders
    base = await child("--run", "baseline", "--reminders", str(count), "--first", str(time.time() + 5))
    async with SlackDouble(workspace_with(count)) as double:
        first = time.time() + LEAD_SECONDS
        database_url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='ops-bench-')) / 'b.db'}"
        ours = await child(
            "--run",
            "ours",
            "--reminders",
            str(count),
            "--first",
            str(first),
            "--api-url",
            double.api_url,
            "--database-url",
            database_url,
        )
        lateness: list[float] = []
        for user in people(count):
            for message in double.dm(user):
                payload = (message.metadata or {}).get("event_payload") or {}
                for key in str(payload.get("occurrence_keys", "")).split(","):
                    if key:
                        due = datetime.strptime(key.split("@")[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                        lateness.append(float(message.ts) - due.timestamp())
    base_late = base["lateness"]
    print(
        f"{count} reminders due within {SPREAD_SECONDS} s; database {database_url.split(':')[0]}; "
        f"{os.cpu_count()} cores"
    )
    for name, late, peak in (
        ("APScheduler alone", base_late, base["peak_mb"]),
        ("ops engine", lateness, ours["peak_mb"]),
    ):
        print(
            f"{name:<18} delivered {len(late):>6}   lateness p50 {pct(late, 0.5) * 1000:7.1f} ms   "
            f"p99 {pct(late, 0.99) * 1000:7.1f} ms   max {max(late) * 1000:7.1f} ms   "
            f"mean {statistics.fmean(late) * 1000:7.1f} ms   peak memory {peak:6.1f} MB"
        )
    ok = len(lateness) == count and pct(lateness, 0.99) <= 1.0 and ours["peak_mb"] <= 200
    print("targets: p99 lateness <= 1 s, peak memory <= 200 MB →", "PASS" if ok else "FAIL")


def entry() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--run", choices=["baseline", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--first", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run == "baseline":
        print(json.dumps(asyncio.run(run_baseline(args.reminders, args.first))))
    elif args.run == "ours":
        print(json.dumps(asyncio.run(run_ours(args.reminders, args.first, args.api_url, args.database_url))))
    else:
        asyncio.run(main(args))


if __name__ == "__main__":
    entry()
