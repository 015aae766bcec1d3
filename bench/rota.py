"""The rota's reads and writes at a realistic size, each against a baseline measured in the same run.

    python bench/rota.py [--people 40] [--repeat 200] [--database-url sqlite:///…|postgresql://…]

A shop with `--people` staff on weekly patterns (two shift patterns each: a weekday one and a weekend one, about
580 shifts a week across the team once expanded eight weeks ahead), some time off and holidays. Measured:

- `/ops onshift`: the service call plus rendering, against `/ops hours` (one row read and rendered), the lightest
  command that reads the people tables. Both answer inside the slash command's acknowledgement.
- `/ops rota`: the week's query plus the Block Kit message, and separately the PNG table (made after the ack).
- Expanding the patterns (what `add_pattern` and the periodic top-up do), per shift.
- An open shift claimed by `--people` people at once: exactly one wins, and how long the race takes.

Targets (set here; issue 4 names none): onshift and the rota message answer in well under Slack's 3 s ack with
room to spare, p99 < 100 ms at this size; the PNG in < 500 ms; onshift within 5x of the `/ops hours` baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bench.common import scratch_engine, summary, timed  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.domain.access import WorkspaceDefaults  # noqa: E402
from bot.domain.clock import ManualClock  # noqa: E402
from bot.domain.ids import TeamId, UserId  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from bot.domain.shifts import Rota, ShiftTimes  # noqa: E402
from bot.i18n import Words, translator  # noqa: E402
from bot.rendering import people as people_render  # noqa: E402
from bot.rendering import shifts as render  # noqa: E402
from bot.rendering.blocks import Reply  # noqa: E402
from bot.services import Services  # noqa: E402

TEAM = TeamId("T0BENCH01")
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Rome
ROLES = ("kitchen", "bar", "floor", "till")


def person(n: int) -> UserId:
    return UserId(f"U{n:08d}")


def actor(user: UserId, role: Role = Role.STAFF) -> Actor:
    return Actor(TEAM, user, role, "en", ZoneInfo("Europe/Rome"))


async def main(people: int, repeat: int, database_url: str | None) -> None:
    async with scratch_engine(database_url) as engine:
        clock = ManualClock(START)
        # No Slack calls are made here: every actor is built by hand, so the client only has to exist.
        client = AsyncWebClient(token="xoxb-bench", base_url="http://127.0.0.1:9/")
        services, _engine = build_services(
            engine, client, clock, WorkspaceDefaults(timezone="Europe/Rome", language="en")
        )
        shifts, words = services.shifts, translator().bind("en")
        manager = actor(UserId("U0MANAGER"), Role.MANAGER)

        began = time.perf_counter()
        made = 0
        for n in range(people):
            role = ROLES[n % len(ROLES)]
            start = clock_time(6 + (n % 4) * 3, 0)
            end = clock_time((start.hour + 8) % 24, 0)
            weekday = await shifts.add_pattern(manager, person(n), (0, 1, 2, 3, 4), start, end, role)
            weekend = await shifts.add_pattern(manager, person(n), (5, 6), clock_time(10), clock_time(16), role)
            made += len(weekday.shifts) + len(weekend.shifts)
        expansion = time.perf_counter() - began
        for n in range(0, people, 5):
            await services.people.add_time_off(
                actor(person(n)), person(n), date(2026, 12, 2), date(2026, 12, 4), "holiday"
            )

        reader = actor(person(1))
        hours = await timed(repeat, lambda: _render_hours(services, reader))
        onshift = await timed(repeat, lambda: _render_onshift(services, reader))
        rota_message = await timed(repeat, lambda: _render_rota(services, reader))
        rota = await shifts.rota(reader, 0)
        names = {user: f"Person {user[-3:]}" for user in rota.people}
        png = await timed(max(5, repeat // 20), lambda: _png(words, rota, names))

        # The race: everyone eligible clicks Claim on one open shift at the same moment.
        opened = await shifts.open_shift(manager, ShiftTimes(date(2026, 12, 12), clock_time(23), clock_time(4), ""))
        free = [person(n) for n in range(people, people * 2)]
        race_began = time.perf_counter()
        claims = await asyncio.gather(*(shifts.claim(actor(user), opened.id) for user in free))
        race = time.perf_counter() - race_began
        winners = [claim for claim in claims if claim.won]

        print(f"database: {engine.dialect.name}; {people} people, {made} shifts made by {2 * people} patterns")
        print(f"expanding patterns: {expansion * 1000 / made:.2f} ms per shift ({expansion:.2f} s in all)")
        print(summary("baseline /ops hours (read+render)", hours, name_width=34, number_width=7))
        print(summary("/ops onshift (read+render)", onshift, name_width=34, number_width=7))
        print(summary("/ops rota message (read+render)", rota_message, name_width=34, number_width=7))
        print(summary("/ops rota PNG", png, name_width=34, number_width=7))
        print(f"{'rota shifts this week':<34} {len(rota.shifts)}; PNG {len(await _png(words, rota, names))} bytes")
        print(f"claim race: {len(free)} at once -> {len(winners)} winner in {race * 1000:.1f} ms")
        ratio = statistics.median(onshift) / statistics.median(hours)
        print(f"onshift / baseline (median): {ratio:.2f}x")


async def _render_hours(services: Services, reader: Actor) -> Reply:
    shown = await services.people.hours_of(reader, reader.user)
    return people_render.person_hours(services.translator.bind(reader.language), reader, shown, START)


async def _render_onshift(services: Services, reader: Actor) -> Reply:
    working = await services.shifts.on_shift(reader, None)
    return render.on_shift(services.translator.bind(reader.language), None, working)


async def _render_rota(services: Services, reader: Actor) -> Reply:
    rota = await services.shifts.rota(reader, 0)
    return render.rota_message(services.translator.bind(reader.language), rota)


async def _png(words: Words, rota: Rota, names: dict[UserId, str]) -> bytes:
    return render.rota_image(words, rota, names, START.date())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.people, arguments.repeat, arguments.database_url))
