"""Two bot processes on one PostgreSQL database behind a loopback balancer, under a steady mixed load, one of
them killed in the middle: nothing lost, nothing answered or delivered twice.

One workspace for now (issue 10's second workspace comes with multi-workspace installs: a second `Load` on a
second double). The load runs for `OPS_REPLICAS_SECONDS` (60 by default, as CI runs it; set it lower to try it
locally) at `OPS_REPLICAS_RATE` requests a second: slash commands (`/ops task add …`, `/ops task list`), DMs
("remind me to …"), Slack's redeliveries of some of those DMs, and Done presses on task lists and on due-task
DMs. Reminders seeded in the database fall due around the middle, so the replica is killed while it is
dispatching them; the load's own reminders and a daily digest fall due after the kill.

The kill is a rolling restart's worst case for the reminder engine: the balancer takes replica 0 out of
rotation (as an orchestrator removes a pod from its endpoints), the requests it has taken finish, and so does
the work they started after their acknowledgement (a DM's answer, a press's update). Then Slack is slow to answer
(the double holds every chat.postMessage, see SlowSlack) and replica 0 gets SIGKILL while it holds a claimed
delivery whose post is on its way (no goodbye: its leases are not released). The post reaches Slack after its
sender died; the dead process's leases are made to run out at once instead of two minutes later (as
test_processes moves schedules into the past instead of waiting); the other replica takes the rows over and
finds that post by its occurrence key instead of posting again; replica 0 is started again and put back. A
process killed while handling a request cannot be made lossless by any balancer (an event is acknowledged before
it is handled); see tests/replicas/balancer.py.

The balancer here is tests/replicas/balancer.py, in this process, so the test can take a replica out of rotation;
production runs nginx with deploy/nginx.conf. The two tests at the end check that both resend a request to a
second replica only when no replica got it (nginx's only where it is installed).

The rate: one of these requests costs a replica about 12 ms of CPU (a task add or a Done press also republishes
the person's Home tab, most of its cost; see bench/replicas.py), so on two cores shared by both replicas,
PostgreSQL, the Slack double, the balancer and this load, the whole saturates at about 100 requests a second
(at 120/s acknowledgements pass Slack's 3 s). The default, 40/s, leaves room for a busy CI machine and for
replica 0's start-up while the other takes everything; a machine with more cores can set OPS_REPLICAS_RATE=200.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import aiohttp
import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import and_, func, or_, select, update

from bot.domain.clock import SystemClock
from bot.domain.ids import TeamId, UserId
from bot.domain.reminders import Kind, ScheduleSpec
from bot.rendering import tasks as task_render
from bot.sandbox import payloads
from bot.sandbox.records import AppReply, Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.db import create_engine, migrate, session_factory
from storage.models import DeliveryRow, ScheduleRow
from storage.models_tasks import TaskRow
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e.conftest import GIULIA, TEAM
from tests.e2e.test_processes import fresh_postgres
from tests.replicas.balancer import Balancer
from tests.replicas.harness import (
    START_TIMEOUT,
    balancer,
    bot_env,
    crowd,
    crowd_ids,
    free_port,
    replica,
    tail,
    wait_ready,
)

pytestmark = pytest.mark.slow
__all__ = ["fresh_postgres"]  # the fixture, used by name

DURATION = float(os.environ.get("OPS_REPLICAS_SECONDS", "60"))
RATE = float(os.environ.get("OPS_REPLICAS_RATE", "40"))  # requests a second offered, all kinds together
PEOPLE = 100  # enough DMs that one person's reminders never queue behind Slack's one-message-a-second pacing
SEEDED = 300  # reminders put in the database, due around the kill
STARTUP = 5.0  # seconds, about, from seeding the database to the load's start (the replicas' start-up)
OPS = "C0OPS0001"
TITLE = re.compile(r"Check item (\d+)\b")
PLANT = re.compile(r"water plant (\d+)\b")
SEEDED_TEXT = re.compile(r"seeded reminder (\d+)\b")


def occurrence_keys(message: Message) -> list[str]:
    payload = (message.metadata or {}).get("event_payload") or {}
    return [key for key in str(payload.get("occurrence_keys", "")).split(",") if key]


def buttons(blocks: list[dict[str, Any]], action_id: str) -> Iterator[tuple[str, str]]:
    for block_id, element in payloads.iter_elements(blocks):
        if element.get("action_id") == action_id:
            yield block_id, str(element.get("value", ""))


# ---- the traffic ------------------------------------------------------------------------------------------------


@dataclass
class Load:
    """The traffic a test run sends in one workspace and what came back, per request."""

    double: SlackDouble
    people: list[str]
    reminder_until: float  # loop time after which requests no longer create reminders due during the run
    sent: int = 0  # requests sent (a press or a redelivery with nothing to press or redeliver sends none)
    replies: dict[str, list[AppReply]] = field(default_factory=dict)
    adds: dict[int, AppReply] = field(default_factory=dict)
    dms: dict[int, str] = field(default_factory=dict)  # request number → event id
    soon: set[int] = field(default_factory=set)  # requests (adds, DMs) that asked for a reminder in a minute
    redelivered: list[int] = field(default_factory=list)
    pressed: dict[tuple[str, int], AppReply | None] = field(default_factory=dict)  # (person, task) → its reply
    lists: dict[str, Ephemeral] = field(default_factory=dict)  # each person's newest task list
    backend: dict[int, int] = field(default_factory=dict)  # DM request number → the replica that took it
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def person(self, n: int) -> str:
        """Ten requests in a row come from one person, so each person adds, lists, DMs and presses Done in turn."""
        return self.people[(n // 10) % len(self.people)]

    def record(self, kind: str, reply: AppReply) -> AppReply:
        self.replies.setdefault(kind, []).append(reply)
        return reply

    def all_replies(self) -> list[AppReply]:
        return [reply for kind in self.replies.values() for reply in kind]

    def send(self, n: int) -> None:
        self.tasks.append(asyncio.create_task(self._one(n)))

    async def _one(self, n: int) -> None:
        person = self.person(n)
        soon = asyncio.get_running_loop().time() < self.reminder_until
        match n % 10:
            case 0 | 2 | 9:
                when = "due in 1 minute" if soon else "due tomorrow 9:00"
                self.sent += 1
                self.soon.update([n] if soon else [])
                reply = await self.double.send_command(person, f"task add Check item {n} {when}", channel_id=OPS)
                self.adds[n] = self.record("command", reply)
            case 1 | 6:
                self.sent += 1
                self.record("command", await self.double.send_command(person, "task list", channel_id=OPS))
                mine = self.double.ephemerals(person, OPS)
                if mine:
                    self.lists[person] = mine[-1]
            case 3 | 4:
                when = "in 1 minute" if soon else "tomorrow at 9"
                self.dms[n] = f"Ev{n:08d}"
                self.soon.update([n] if soon else [])
                self.sent += 1
                text = f"remind me to water plant {n} {when}"
                reply = self.record("dm", await self.double.send_message_im(person, text, event_id=self.dms[n]))
                self.backend[n] = int(reply.headers.get("X-Ops-Backend", "-1"))
            case 7:
                await self._redeliver(n)
            case _:
                await self._press(person)

    async def _redeliver(self, n: int) -> None:
        """Slack redelivers an event it thinks failed: same event id, `X-Slack-Retry-Num: 1`."""
        earlier = [m for m in self.dms if m < n - 50 and m not in self.redelivered]
        if not earlier:
            return
        original = earlier[-1]
        self.redelivered.append(original)
        person = self.person(original)
        typed = next(m for m in self.double.dm(person) if not m.from_bot and f"water plant {original} " in m.text)
        user = self.double.workspace.user(person)
        assert user is not None
        event = payloads.user_message_event(
            self.double.workspace,
            kind="message",
            user=user,
            text=typed.text,
            channel_id=typed.channel,
            ts=typed.ts,
            thread_ts=None,
            channel_type="im",
        )
        self.sent += 1
        self.record("redelivery", await self.double.send_event(event, event_id=self.dms[original], retry_num=1))

    async def _press(self, person: str) -> None:
        """Done on a task: in a due-task DM when one has come, else in the person's newest task list."""
        for message in reversed(self.double.dm(person)):
            if not message.from_bot:
                continue
            for block_id, value in buttons(message.blocks, task_render.DM_DONE):
                if (person, int(value)) not in self.pressed:
                    await self._click(person, task_render.DM_DONE, int(value), message, block_id)
                    return
        listed = self.lists.get(person)
        if listed is None:
            return
        for block_id, value in buttons(listed.blocks, task_render.LIST_DONE):
            number, _query, _offset = task_render.read_list_value(value)
            if (person, number) not in self.pressed:
                await self._click(person, task_render.LIST_DONE, number, listed, block_id)
                return

    async def _click(self, person: str, action: str, number: int, on: Message | Ephemeral, block_id: str) -> None:
        self.pressed[(person, number)] = None
        self.sent += 1
        reply = await self.double.send_block_action(person, action, message=on, block_id=block_id)
        self.pressed[(person, number)] = self.record("button", reply)

    # ---- what a replica still owes after it answered ------------------------------------------------------------

    def unanswered_dms(self, backend: int) -> list[int]:
        """DMs this replica acknowledged whose answer (posted after the acknowledgement) has not come yet."""
        return [
            n
            for n, taken_by in self.backend.items()
            if taken_by == backend and n not in answered_dms(self.double, self.person(n))
        ]

    def presses_by(self, backend: int) -> list[int]:
        return [
            number
            for (_person, number), reply in self.pressed.items()
            if reply is not None and reply.headers.get("X-Ops-Backend") == str(backend)
        ]


def answered_dms(double: SlackDouble, person: str) -> set[int]:
    """The DM requests the bot has answered in this person's DM (its answers, not reminders it delivered)."""
    return {
        int(number)
        for message in double.dm(person)
        if message.from_bot and not occurrence_keys(message)
        for number in PLANT.findall(message.all_text())
    }


class SlowSlack:
    """While `held`, the double keeps every chat.postMessage waiting for its answer, as a slow Slack would: a
    process posting a reminder holds its claim meanwhile, so a test can kill it in the middle of a delivery.
    Requests go on to the double when released, whether their sender is still alive or not (aiohttp does not
    cancel a handler whose client has gone): as at Slack, a post may take effect after its sender died."""

    def __init__(self) -> None:
        self._released = asyncio.Event()
        self._released.set()
        self.kept = 0

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # Not the body: a middleware that reads it leaves the double's handler nothing to read.
        if not self._released.is_set() and request.path.endswith("/chat.postMessage"):
            self.kept += 1
            await self._released.wait()
        return await handler(request)


# ---- the database, read and nudged from outside -----------------------------------------------------------------


async def seed_reminders(database_url: str, people: list[str], first: datetime, last: datetime) -> None:
    """SEEDED reminders spread from `first` to `last`; migrating here, before any replica starts (as compose's
    `migrate` service does: two replicas migrating an empty database at once would collide)."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        spread = (last - first) / SEEDED
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            for n in range(SEEDED):
                await uow.schedules.add(
                    ScheduleSpec(
                        team=TeamId(TEAM),
                        kind=Kind.REMINDER,
                        target="reminder",
                        recipient=UserId(people[n % len(people)]),
                        created_by=UserId(GIULIA),
                        first_fire=first + spread * n,
                        zone="Europe/Rome",
                        payload={"text": f"seeded reminder {n}"},
                    ),
                    at=SystemClock().now(),
                )
    finally:
        await engine.dispose()


async def held_by(database_url: str, pid: int, *, within: float) -> int:
    """How many deliveries the process holds claimed, as soon as it holds any (0 if it held none in time)."""
    engine = create_engine(database_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    try:
        async with engine.connect() as connection:
            while True:
                held = int(
                    await connection.scalar(
                        select(func.count())
                        .select_from(DeliveryRow)
                        .where(DeliveryRow.status == "claimed", DeliveryRow.lease_owner.like(f"%:{pid}:%"))
                    )
                    or 0
                )
                await connection.rollback()  # a fresh snapshot for the next look
                if held or loop.time() > deadline:
                    return held
                await asyncio.sleep(0.01)
    finally:
        await engine.dispose()


async def expire_leases_of(database_url: str, pid: int) -> int:
    """The dead process's leases run out now, as they would two minutes (LEASE) later."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                update(DeliveryRow)
                .where(DeliveryRow.status == "claimed", DeliveryRow.lease_owner.like(f"%:{pid}:%"))
                .values(lease_expires_utc=func.now() - timedelta(seconds=1))
            )
        return int(result.rowcount)
    finally:
        await engine.dispose()


async def done_tasks(database_url: str, numbers: list[int]) -> set[int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            done = await connection.scalars(
                select(TaskRow.number).where(TaskRow.number.in_(numbers), TaskRow.status == "done")
            )
            return set(done.all())
    finally:
        await engine.dispose()


async def wait_settled(database_url: str, *, not_before: float, timeout: float) -> dict[str, int]:  # noqa: ASYNC109
    """From loop time `not_before` on, until nothing due is left undelivered: no schedule past its time, no
    delivery pending or claimed. The deliveries' statuses then."""
    engine = create_engine(database_url)
    loop = asyncio.get_running_loop()
    deadline = max(loop.time(), not_before) + timeout
    try:
        while True:
            async with engine.connect() as connection:
                now = datetime.now(UTC)
                unmaterialized = await connection.scalar(
                    select(func.count())
                    .select_from(ScheduleRow)
                    .where(ScheduleRow.next_fire_utc <= now, ScheduleRow.cancelled_at.is_(None))
                )
                open_rows = await connection.scalar(
                    select(func.count())
                    .select_from(DeliveryRow)
                    .where(
                        or_(
                            DeliveryRow.status == "claimed",
                            and_(DeliveryRow.status == "pending", DeliveryRow.next_attempt_utc <= now),
                        )
                    )
                )
                if not unmaterialized and not open_rows and loop.time() >= not_before:
                    statuses = await connection.execute(
                        select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
                    )
                    return {str(status): int(n) for status, n in statuses}
            if loop.time() > deadline:
                raise AssertionError(f"{unmaterialized} schedules and {open_rows} deliveries still due")
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def task_titles(database_url: str) -> Counter[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return Counter(str(title) for title in (await connection.scalars(select(TaskRow.title))).all())
    finally:
        await engine.dispose()


# ---- the rolling restart ----------------------------------------------------------------------------------------


async def kill_mid_dispatch(
    balancer: Balancer, victim: asyncio.subprocess.Process, load: Load, slack: SlowSlack, database_url: str
) -> dict[str, int]:
    """Out of rotation; its requests answered and the work they started done; then SIGKILL while it holds
    claimed deliveries and waits for Slack to answer one of them (or after 10 s)."""
    balancer.drain(0)
    await balancer.wait_idle(0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15.0
    while True:
        owed_dms = load.unanswered_dms(0)
        pressed = load.presses_by(0)
        owed_presses = set(pressed) - await done_tasks(database_url, pressed)
        if not owed_dms and not owed_presses:
            break
        assert loop.time() < deadline, f"replica 0 still owes DMs {owed_dms} and presses on tasks {owed_presses}"
        await asyncio.sleep(0.05)
    slack.hold()
    try:
        held = await held_by(database_url, victim.pid, within=10.0)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
    finally:
        slack.release()  # the dead process's post reaches Slack now; the survivor must find it, not post again
    return {"held": held, "expired": await expire_leases_of(database_url, victim.pid), "kept": slack.kept}


# ---- the test ---------------------------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_two_replicas_behind_a_balancer_lose_nothing_and_double_nothing_when_one_is_killed(
    fresh_postgres: str, tmp_path: Path
) -> None:
    database_url = fresh_postgres
    loop = asyncio.get_running_loop()
    slack = SlowSlack()
    double = SlackDouble(crowd(PEOPLE), app_timeout=30.0)
    double.web_app.middlewares.append(slack.middleware)
    async with double:
        people = crowd_ids(double.workspace)
        env = bot_env(
            bot_token=double.bot_token,
            signing_secret=double.signing_secret,
            api_url=double.api_url,
            database_url=database_url,
        )
        # Due from 30% to 90% of the way through the load (which begins once both replicas are ready, about
        # STARTUP seconds from now), so replica 0 is dispatching some of them when it is killed half-way.
        load_start = datetime.now(UTC) + timedelta(seconds=STARTUP)
        await seed_reminders(
            database_url,
            people,
            load_start + timedelta(seconds=DURATION * 0.3),
            load_start + timedelta(seconds=DURATION * 0.9),
        )
        ports = [free_port(), free_port()]
        logs = [tmp_path / "replica-0.log", tmp_path / "replica-1.log"]  # kept for reading after a failure
        async with (
            AsyncExitStack() as stack,
            replica(env, tmp_path, ports[0], logs[0]) as victim,
            replica(env, tmp_path, ports[1], logs[1]) as survivor,
            Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer,
        ):
            replicas = [victim, survivor]
            await wait_ready(ports[0], victim, logs[0])
            await wait_ready(ports[1], survivor, logs[1])
            double.connect_app(balancer.url + "/slack/events")

            # A daily digest in #ops due at the next minute boundary at least a fifth of the run away.
            fire = (datetime.now(UTC) + timedelta(seconds=max(15.0, DURATION / 5) + 60)).replace(second=0)
            digest = await double.send_command(GIULIA, f"digest daily {fire:%H:%M} UTC", channel_id=OPS)
            assert digest.status == 200, digest.body
            digest_due = loop.time() + (fire - datetime.now(UTC)).total_seconds()

            # ---- the load, with replica 0 killed and brought back half-way through -----------------------------
            began = loop.time()
            load = Load(double, people, reminder_until=began + DURATION / 3)
            total = int(DURATION * RATE)
            restart: asyncio.Task[dict[str, int]] | None = None

            async def rolling_restart() -> dict[str, int]:
                killed = await kill_mid_dispatch(balancer, victim, load, slack, database_url)
                # The replica comes back on its port and takes requests again.
                back = await stack.enter_async_context(replica(env, tmp_path, ports[0], logs[0]))
                await wait_ready(ports[0], back, logs[0])
                balancer.undrain(0)
                replicas[0] = back
                return killed

            for n in range(total):
                due = began + n / RATE
                if due > loop.time():
                    await asyncio.sleep(due - loop.time())  # the send schedule, not synchronisation
                load.send(n)
                if restart is None and n >= total // 2:
                    restart = asyncio.create_task(rolling_restart())
            sent_for = loop.time() - began
            await asyncio.gather(*load.tasks)
            assert restart is not None
            killed = await restart

            # ---- until the load's reminders (a minute after it asked) and the digest have come -----------------
            last_due = max(load.reminder_until + 61, digest_due)
            statuses = await wait_settled(database_url, not_before=last_due, timeout=60)
            for process in replicas:
                process.send_signal(signal.SIGTERM)
            for process, log in zip(replicas, logs, strict=True):
                assert await asyncio.wait_for(process.wait(), START_TIMEOUT) == 0, tail(log)

        # ---- every request had exactly one answer -------------------------------------------------------------
        replies = load.all_replies()
        assert len(replies) == load.sent
        assert [r.status for r in replies if r.status != 200] == []
        assert balancer.stats.broken == 0
        assert balancer.stats.unavailable == 0
        late = [round(r.elapsed, 1) for r in replies if r.elapsed >= 3.0]
        assert late == [], "acknowledged after Slack's 3 s"

        titles = await task_titles(database_url)
        for n, reply in load.adds.items():
            assert f"Check item {n}" in reply.body
            assert titles[f"Check item {n}"] == 1, f"task {n} was created {titles[f'Check item {n}']} times"
        assert sum(1 for title in titles if TITLE.fullmatch(title)) == len(load.adds)

        answers: Counter[int] = Counter()
        delivered: Counter[str] = Counter()
        reminded: Counter[int] = Counter()  # the load's DM reminders, delivered
        for person in people:
            for message in double.dm(person):
                if not message.from_bot:
                    continue
                keys = occurrence_keys(message)
                delivered.update(keys)
                numbers = {int(m) for m in PLANT.findall(message.all_text())}
                (reminded if keys else answers).update(numbers)
        assert set(answers) == set(load.dms), "a DM got no answer"
        assert set(answers.values()) == {1}, "a DM (or its redelivery) was answered twice"
        assert len(load.redelivered) > 0

        presses = len(load.pressed)
        assert presses > 0
        assert len(double.calls_to("response_url")) == presses, "a button press was answered other than once"
        assert await done_tasks(database_url, [number for _person, number in load.pressed]) == {
            number for _person, number in load.pressed
        }

        # ---- every reminder and the digest delivered exactly once ---------------------------------------------
        assert killed["held"] > 0, "replica 0 was not dispatching when it was killed"
        assert killed["expired"] >= killed["held"]
        digests = [m for m in double.messages(OPS) if m.from_bot and occurrence_keys(m)]
        assert len(digests) == 1, f"the digest was posted {len(digests)} times"
        assert [key for key, times in delivered.items() if times > 1] == [], "delivered twice"
        assert len(delivered) + len(digests) == statuses.get("sent", 0)
        assert statuses.get("failed", 0) == 0
        assert set(statuses) <= {"sent", "skipped"}
        seeded = Counter(int(n) for text in delivered_texts(double, people) for n in set(SEEDED_TEXT.findall(text)))
        assert seeded == Counter(range(SEEDED)), "a seeded reminder was not delivered, or delivered twice"
        asked = {n for n in load.soon if n in load.dms}
        assert set(reminded) == asked, "a reminder asked for in a DM was not delivered"
        assert set(reminded.values()) <= {1}

    p99 = sorted(r.elapsed for r in replies)[int(len(replies) * 0.99)]
    print(
        f"\n{len(replies)} requests in {sent_for:.1f} s ({len(replies) / sent_for:.0f}/s): "
        f"{len(load.adds)} task adds, {len(load.replies.get('command', [])) - len(load.adds)} task lists, "
        f"{len(load.dms)} DMs, {len(load.redelivered)} redelivered DMs, {presses} Done presses; "
        f"per replica {dict(balancer.stats.forwarded)}, {balancer.stats.failovers} failovers; "
        f"killed holding {killed['held']} claimed deliveries ({killed['expired']} leases run out, "
        f"{len(double.calls_to('conversations.history'))} look-ups for a post it may have made); "
        f"{len(delivered)} reminders and 1 digest delivered once each; deliveries {statuses}; "
        f"ack p99 {p99 * 1000:.0f} ms"
    )


def delivered_texts(double: SlackDouble, people: list[str]) -> Iterator[str]:
    for person in people:
        for message in double.dm(person):
            if message.from_bot and occurrence_keys(message):
                yield message.all_text()


# ---- the balancers: a request goes to a second replica only if the first never got it ---------------------------


@asynccontextmanager
async def stand_in_replicas() -> AsyncIterator[tuple[dict[str, int], Counter[str]]]:
    """Two stand-ins for bot replicas on loopback ports, and how many requests each was sent: `answers` answers
    everything; `dies` answers GETs (so health checks pass) but drops the connection of every POST it has read,
    as a replica killed while handling a request."""
    hits: Counter[str] = Counter()

    def stand_in(name: str) -> web.Application:
        async def handle(request: web.Request) -> web.StreamResponse:
            await request.read()
            if request.method == "POST":
                hits[name] += 1
                if name == "dies":
                    assert request.transport is not None
                    request.transport.close()
            return web.Response(text=name)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        return app

    ports: dict[str, int] = {}
    async with AsyncExitStack() as stack:
        for name in ("answers", "dies"):
            runner = web.AppRunner(stand_in(name), access_log=None)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            ports[name] = free_port()
            await web.TCPSite(runner, "127.0.0.1", ports[name]).start()
        ports["nobody"] = free_port()  # nothing listens there: a replica that is stopped
        yield ports, hits


async def post_events(url: str, times: int) -> list[int]:
    async with aiohttp.ClientSession() as session:
        statuses = []
        for _ in range(times):
            async with session.post(url + "/slack/events", data=b"payload=%7B%7D") as response:
                statuses.append(response.status)
        return statuses


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("nginx", marks=pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")),
        "python",
    ],
)
async def test_the_balancers_resend_a_request_only_to_replace_a_connection_never_made(
    kind: Literal["nginx", "python"], tmp_path: Path
) -> None:
    """deploy/nginx.conf and the tests' stand-in for it agree: a refused connection sends the request to the next
    replica; a request a replica received and then died on is answered 502 and sent nowhere else."""
    async with stand_in_replicas() as (ports, hits):
        async with balancer(kind, [ports["nobody"], ports["answers"]], tmp_path) as (url, _pid):
            assert await post_events(url, 4) == [200] * 4
        assert hits == {"answers": 4}

        hits.clear()
        async with balancer(kind, [ports["dies"], ports["answers"]], tmp_path) as (url, _pid):
            statuses = await post_events(url, 4)
        assert hits["dies"] >= 1
        assert hits["dies"] + hits["answers"] == 4  # no request reached two replicas
        assert sorted(statuses) == [200] * hits["answers"] + [502] * hits["dies"]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
async def test_nginx_passes_slacks_paths_and_keeps_metrics_to_each_replica(tmp_path: Path) -> None:
    async with (
        stand_in_replicas() as (ports, _hits),
        balancer("nginx", [ports["answers"]], tmp_path) as (url, _pid),
        aiohttp.ClientSession() as session,
    ):
        for path in ("/healthz", "/calendar/abc.ics", "/slack/install", "/slack/oauth_redirect?code=x"):
            async with session.get(url + path) as response:
                assert (response.status, await response.text()) == (200, "answers"), path
        for path in ("/metrics", "/readyz", "/"):
            async with session.get(url + path) as response:
                assert response.status == 404, path
