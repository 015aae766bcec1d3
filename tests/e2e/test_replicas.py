"""Two bot processes on one PostgreSQL database behind a loopback balancer, serving two workspaces under a steady
mixed load, one of them killed in the middle: nothing lost, nothing answered or delivered twice, nothing of one
workspace seen in the other.

The bot runs in OAuth mode, as a bot serving several businesses does: no SLACK_BOT_TOKEN; each workspace is
installed through the balancer with Slack's OAuth v2 flow (the install page and the return from Slack may reach
different replicas: the state lives in the shared database) and gets its own bot token. Slack is two linked
doubles, one per workspace, behind one Web API URL (the first double's), as Slack is one API for every workspace.

The load runs for `OPS_REPLICAS_SECONDS` (60 by default, as CI runs it; set it lower to try it locally) at
`OPS_REPLICAS_RATE` requests a second, in blocks of ten from one person, the blocks alternating between the two
workspaces: slash commands (`/ops task add …`, `/ops task list`) in the workspace's #ops, DMs ("remind me to …"),
Slack's redeliveries of some of those DMs, and Done presses on task lists and on due-task DMs. Each request's
number is in what it writes ("Check item N", "water plant N"), and numbers are never reused across workspaces, so
a number seen in the other workspace's Slack is a leak. Reminders seeded in the database (a set per workspace)
fall due around the middle, so the replica is killed while it is dispatching them; the load's own reminders and
each workspace's daily digest fall due after the kill.

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

The rate: in OAuth mode one of these requests costs a replica about 7 ms of CPU (bench/replicas.py --workspaces 2;
about 6 ms with one workspace and a bot token), so on two cores shared by both replicas, PostgreSQL, the Slack
doubles, the balancer and this load, the whole saturates between 120 and 150 requests a second: at 120/s the test
still passes but the sender falls behind (about 116/s) and acknowledgements' p99 nears a second; at 150/s some
commands are not acknowledged within Slack's 3 s. The default, 100/s, leaves room for a busy CI machine and for
replica 0's start-up while the other takes everything; a machine with more cores can set OPS_REPLICAS_RATE=200.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
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
from bot.sandbox.workspace import Workspace
from storage.db import create_engine, migrate, session_factory
from storage.models import DeliveryRow, ScheduleRow
from storage.models_slack import bots
from storage.models_tasks import TaskRow
from storage.unit_of_work import SqlUnitOfWork
from tests.e2e.conftest import GIULIA
from tests.e2e.talk import install
from tests.e2e.test_processes import fresh_postgres
from tests.replicas.balancer import Balancer
from tests.replicas.harness import (
    START_TIMEOUT,
    balancer,
    crowd,
    crowd_ids,
    free_port,
    oauth_env,
    replica,
    tail,
    wait_ready,
)

pytestmark = pytest.mark.slow
__all__ = ["fresh_postgres"]  # the fixture, used by name

DURATION = float(os.environ.get("OPS_REPLICAS_SECONDS", "60"))
RATE = float(os.environ.get("OPS_REPLICAS_RATE", "100"))  # requests a second offered, all kinds together
PEOPLE = 100  # per workspace: enough that one person's reminders never queue behind Slack's 1 message/s pacing
SEEDED = 150  # reminders put in the database per workspace, due around the kill
STARTUP = 6.0  # seconds, about, from seeding the database to the load's start (start-up, installs, digests)
RUN = 10  # requests in a row from one person (adds, lists, DMs, presses in turn), then the other workspace's turn
OPS = "C0OPS0001"
SHOP_OPS = "C0SHOPOPS"
BEATRICE = "U0BEA0001"  # the second workspace's owner
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


def numbers(pattern: re.Pattern[str], texts: Iterable[str]) -> Counter[int]:
    """How many times each number `pattern` captures appears in `texts` (once a text at most)."""
    return Counter(int(n) for text in texts for n in set(pattern.findall(text)))


# ---- the workspaces ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    """One business that installed the app: its Slack, its crowd of people, its owner (who installs the app and
    sets the digest), its #ops channel, and the numbers of its seeded reminders (none shared with the other)."""

    slack: SlackDouble
    people: list[str]
    owner: str
    ops: str
    seeded: range

    @property
    def team(self) -> str:
        return self.slack.workspace.team_id


# ---- the traffic ------------------------------------------------------------------------------------------------


@dataclass
class Load:
    """The traffic a test run sends in one workspace and what came back, per request."""

    tenant: Tenant
    reminder_until: float  # loop time after which requests no longer create reminders due during the run
    turns: int = 1  # workspaces taking turns: this one gets every `turns`-th run of RUN requests
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

    @property
    def double(self) -> SlackDouble:
        return self.tenant.slack

    @property
    def team(self) -> str:
        return self.tenant.team

    def person(self, n: int) -> str:
        """RUN requests in a row come from one person, so each person adds, lists, DMs and presses Done in turn."""
        return self.tenant.people[(n // (RUN * self.turns)) % len(self.tenant.people)]

    def record(self, kind: str, reply: AppReply) -> AppReply:
        self.replies.setdefault(kind, []).append(reply)
        return reply

    def all_replies(self) -> list[AppReply]:
        return [reply for kind in self.replies.values() for reply in kind]

    def send(self, n: int) -> None:
        self.tasks.append(asyncio.create_task(self._one(n)))

    async def _one(self, n: int) -> None:
        person = self.person(n)
        ops = self.tenant.ops
        soon = asyncio.get_running_loop().time() < self.reminder_until
        match n % RUN:
            case 0 | 2 | 9:
                when = "due in 1 minute" if soon else "due tomorrow 9:00"
                self.sent += 1
                self.soon.update([n] if soon else [])
                reply = await self.double.send_command(person, f"task add Check item {n} {when}", channel_id=ops)
                self.adds[n] = self.record("command", reply)
            case 1 | 6:
                self.sent += 1
                self.record("command", await self.double.send_command(person, "task list", channel_id=ops))
                mine = self.double.ephemerals(person, ops)
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

    # ---- what came back -----------------------------------------------------------------------------------------

    def bot_dms(self) -> Iterator[Message]:
        """Everything the bot said in this workspace's people's DMs: answers and delivered reminders."""
        for person in self.tenant.people:
            yield from (message for message in self.double.dm(person) if message.from_bot)

    def seen(self) -> Iterator[str]:
        """All this workspace's Slack was given, as text: every Web API and response_url call the double recorded
        (posts, updates, ephemerals, Home tabs) and every answer to a request sent in it."""
        yield from (str(call.args) for call in self.double.calls)
        yield from (reply.body for reply in self.all_replies())


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


async def seed_reminders(database_url: str, tenants: list[Tenant], first: datetime, last: datetime) -> None:
    """Each workspace's SEEDED reminders to its people, spread from `first` to `last`; migrating here, before any
    replica starts (as compose's `migrate` service does)."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        spread = (last - first) / SEEDED
        async with SqlUnitOfWork(session_factory(engine)) as uow:
            for tenant in tenants:
                for order, n in enumerate(tenant.seeded):
                    await uow.schedules.add(
                        ScheduleSpec(
                            team=TeamId(tenant.team),
                            kind=Kind.REMINDER,
                            target="reminder",
                            recipient=UserId(tenant.people[order % len(tenant.people)]),
                            created_by=UserId(tenant.owner),
                            first_fire=first + spread * order,
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


async def done_tasks(database_url: str, team: str, numbers: list[int]) -> set[int]:
    """Which of the workspace's tasks (numbered per workspace) are done."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            done = await connection.scalars(
                select(TaskRow.number).where(
                    TaskRow.team_id == team, TaskRow.number.in_(numbers), TaskRow.status == "done"
                )
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


async def stored_tasks(database_url: str) -> dict[str, list[str]]:
    """Each task title in the database → the workspace of each task with that title."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(TaskRow.title, TaskRow.team_id))).all()
    finally:
        await engine.dispose()
    teams: dict[str, list[str]] = {}
    for title, team in rows:
        teams.setdefault(str(title), []).append(str(team))
    return teams


async def stored_bots(database_url: str) -> dict[str, str]:
    """Each installed workspace's bot token, as the install stored it (slack-sdk's `slack_bots`)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(bots.c.team_id, bots.c.bot_token))).all()
    finally:
        await engine.dispose()
    return {str(team): str(token) for team, token in rows}


# ---- the rolling restart ----------------------------------------------------------------------------------------


async def kill_mid_dispatch(
    balancer: Balancer, victim: asyncio.subprocess.Process, loads: list[Load], slack: SlowSlack, database_url: str
) -> dict[str, int]:
    """Out of rotation; its requests answered and the work they started done; then SIGKILL while it holds
    claimed deliveries and waits for Slack to answer one of them (or after 10 s)."""
    balancer.drain(0)
    await balancer.wait_idle(0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15.0
    while True:
        owed: dict[str, tuple[list[int], set[int]]] = {}
        for load in loads:
            pressed = load.presses_by(0)
            owed_presses = set(pressed) - await done_tasks(database_url, load.team, pressed)
            if load.unanswered_dms(0) or owed_presses:
                owed[load.team] = (load.unanswered_dms(0), owed_presses)
        if not owed:
            break
        assert loop.time() < deadline, f"replica 0 still owes (DMs, presses on tasks) per workspace: {owed}"
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
async def test_two_replicas_serving_two_workspaces_lose_nothing_double_nothing_and_mix_nothing_when_one_is_killed(
    fresh_postgres: str, tmp_path: Path
) -> None:
    database_url = fresh_postgres
    loop = asyncio.get_running_loop()
    slack = SlowSlack()
    # The app's Slack: every workspace's Web API calls and the authorize page are served here, the shop's
    # answered and recorded by its own double (chosen by the token).
    primary = SlackDouble(crowd(PEOPLE), app_timeout=30.0)
    shop = SlackDouble(crowd(PEOPLE, Workspace.second_sample(), prefix="U2P"), app_timeout=30.0)
    primary.link(shop)
    primary.web_app.middlewares.append(slack.middleware)
    async with primary, shop:
        tenants = [
            Tenant(primary, crowd_ids(primary.workspace), GIULIA, OPS, range(SEEDED)),
            Tenant(shop, crowd_ids(shop.workspace, "U2P"), BEATRICE, SHOP_OPS, range(SEEDED, 2 * SEEDED)),
        ]
        # Due from 30% to 90% of the way through the load (which begins once both replicas are ready and both
        # workspaces installed, about STARTUP seconds from now), so replica 0 is dispatching some of them when it
        # is killed half-way.
        load_start = datetime.now(UTC) + timedelta(seconds=STARTUP)
        await seed_reminders(
            database_url,
            tenants,
            load_start + timedelta(seconds=DURATION * 0.3),
            load_start + timedelta(seconds=DURATION * 0.9),
        )
        ports = [free_port(), free_port()]
        logs = [tmp_path / "replica-0.log", tmp_path / "replica-1.log"]  # kept for reading after a failure
        # The balancer first: its URL is the bot's public URL, where Slack sends people back after an install.
        async with Balancer([f"http://127.0.0.1:{port}" for port in ports]) as balancer, AsyncExitStack() as stack:
            env = oauth_env(primary, public_url=balancer.url, database_url=database_url)
            victim = await stack.enter_async_context(replica(env, tmp_path, ports[0], logs[0]))
            survivor = await stack.enter_async_context(replica(env, tmp_path, ports[1], logs[1]))
            replicas = [victim, survivor]
            await wait_ready(ports[0], victim, logs[0])
            await wait_ready(ports[1], survivor, logs[1])
            await balancer.wait_healthy()
            for tenant in tenants:
                tenant.slack.connect_app(balancer.url + "/slack/events")

            # Each owner installs the app through the balancer. It takes turns, so each install page and the
            # return from Slack after it reach different replicas: the install state is in the database.
            for tenant in tenants:
                status, page = await install(balancer.url, primary, tenant.team, tenant.owner)
                assert status == 200, page
                assert "Ops Assistant is installed" in page
            assert balancer.stats.forwarded == Counter({0: 2, 1: 2})
            tokens = await stored_bots(database_url)
            assert set(tokens) == {tenant.team for tenant in tenants}
            for tenant in tenants:
                assert tokens[tenant.team] in tenant.slack.accepted_tokens

            # Each workspace's daily digest in its #ops, due at the next minute boundary at least a fifth of the
            # run away.
            fire = (datetime.now(UTC) + timedelta(seconds=max(15.0, DURATION / 5) + 60)).replace(second=0)
            for tenant in tenants:
                digest = await tenant.slack.send_command(
                    tenant.owner, f"digest daily {fire:%H:%M} UTC", channel_id=tenant.ops
                )
                assert digest.status == 200, digest.body
            digest_due = loop.time() + (fire - datetime.now(UTC)).total_seconds()

            # ---- the load, with replica 0 killed and brought back half-way through -----------------------------
            began = loop.time()
            loads = [Load(tenant, reminder_until=began + DURATION / 3, turns=len(tenants)) for tenant in tenants]
            total = int(DURATION * RATE)
            restart: asyncio.Task[dict[str, int]] | None = None

            async def rolling_restart() -> dict[str, int]:
                killed = await kill_mid_dispatch(balancer, victim, loads, slack, database_url)
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
                loads[(n // RUN) % len(loads)].send(n)
                if restart is None and n >= total // 2:
                    restart = asyncio.create_task(rolling_restart())
            sent_for = loop.time() - began
            await asyncio.gather(*(task for load in loads for task in load.tasks))
            assert restart is not None
            killed = await restart

            # ---- until the load's reminders (a minute after it asked) and the digests have come ----------------
            last_due = max(began + DURATION / 3 + 61, digest_due)
            statuses = await wait_settled(database_url, not_before=last_due, timeout=60)
            for process in replicas:
                process.send_signal(signal.SIGTERM)
            for process, log in zip(replicas, logs, strict=True):
                assert await asyncio.wait_for(process.wait(), START_TIMEOUT) == 0, tail(log)

        # ---- every request had exactly one answer -------------------------------------------------------------
        replies = [reply for load in loads for reply in load.all_replies()]
        assert len(replies) == sum(load.sent for load in loads)
        failed = [
            (kind, reply.status, round(reply.elapsed, 1))
            for load in loads
            for kind, kept in load.replies.items()
            for reply in kept
            if reply.status != 200
        ]
        assert failed == [], "answered other than 200 (bolt answers 404 to a request not acknowledged in 3 s)"
        assert balancer.stats.broken == 0
        assert balancer.stats.unavailable == 0
        late = [round(r.elapsed, 1) for r in replies if r.elapsed >= 3.0]
        assert late == [], "acknowledged after Slack's 3 s"

        # ---- each task created once, in its own workspace -----------------------------------------------------
        stored = await stored_tasks(database_url)
        for load in loads:
            for n, reply in load.adds.items():
                assert f"Check item {n}" in reply.body
                assert stored.get(f"Check item {n}") == [load.team], (
                    f"task {n}: stored as {stored.get(f'Check item {n}')}"
                )
        assert sum(len(teams) for title, teams in stored.items() if TITLE.fullmatch(title)) == sum(
            len(load.adds) for load in loads
        )

        delivered: Counter[str] = Counter()  # every delivery's occurrence key, in both workspaces
        for load in loads:
            answers: Counter[int] = Counter()
            reminded: Counter[int] = Counter()  # the load's DM reminders, delivered
            for message in load.bot_dms():
                keys = occurrence_keys(message)
                delivered.update(keys)
                (reminded if keys else answers).update({int(m) for m in PLANT.findall(message.all_text())})
            assert set(answers) == set(load.dms), f"a DM in {load.team} got no answer"
            assert set(answers.values()) == {1}, f"a DM in {load.team} (or its redelivery) was answered twice"
            assert len(load.redelivered) > 0

            presses = len(load.pressed)
            assert presses > 0
            assert len(load.double.calls_to("response_url")) == presses, "a button press was answered other than once"
            pressed = [number for _person, number in load.pressed]
            assert await done_tasks(database_url, load.team, pressed) == set(pressed)

            # ---- every reminder and the digest delivered exactly once, through its own workspace --------------
            posted = [m for m in load.double.messages(load.tenant.ops) if m.from_bot and occurrence_keys(m)]
            assert len(posted) == 1, f"the digest of {load.team} was posted {len(posted)} times"
            delivered.update(occurrence_keys(posted[0]))
            seeded = numbers(SEEDED_TEXT, (m.all_text() for m in load.bot_dms() if occurrence_keys(m)))
            assert seeded == Counter(load.tenant.seeded), f"a seeded reminder of {load.team} not delivered once"
            asked = {n for n in load.soon if n in load.dms}
            assert set(reminded) == asked, f"a reminder asked for in a DM in {load.team} was not delivered"
            assert set(reminded.values()) <= {1}

            # ---- nothing crossed: the workspace's own token on every call, none of the other's words ----------
            used = {c.token for c in load.double.calls if c.token and c.method != "oauth.v2.access"}
            assert used == {tokens[load.team]}, f"{load.team}'s Slack was called with another workspace's token"
            # Exactly its own numbers: each of them is in an answer or a delivery, so the check is not vacuous.
            seen = list(load.seen())
            assert set(numbers(TITLE, seen)) == set(load.adds), f"tasks shown in {load.team} are not its own"
            assert set(numbers(PLANT, seen)) == set(load.dms), f"reminders shown in {load.team} are not its own"
            assert set(numbers(SEEDED_TEXT, seen)) == set(load.tenant.seeded), f"{load.team} shown another's"

        assert killed["held"] > 0, "replica 0 was not dispatching when it was killed"
        assert killed["expired"] >= killed["held"]
        assert [key for key, times in delivered.items() if times > 1] == [], "delivered twice"
        assert len(delivered) == statuses.get("sent", 0)
        assert statuses.get("failed", 0) == 0
        assert set(statuses) <= {"sent", "skipped"}

    p99 = sorted(r.elapsed for r in replies)[int(len(replies) * 0.99)]
    adds = sum(len(load.adds) for load in loads)
    commands = sum(len(load.replies.get("command", [])) for load in loads)
    print(
        f"\n{len(replies)} requests in {sent_for:.1f} s ({len(replies) / sent_for:.0f}/s) to 2 workspaces "
        f"{dict(Counter({load.team: len(load.all_replies()) for load in loads}))}: "
        f"{adds} task adds, {commands - adds} task lists, {sum(len(load.dms) for load in loads)} DMs, "
        f"{sum(len(load.redelivered) for load in loads)} redelivered DMs, "
        f"{sum(len(load.pressed) for load in loads)} Done presses; "
        f"per replica {dict(balancer.stats.forwarded)}, {balancer.stats.failovers} failovers; "
        f"killed holding {killed['held']} claimed deliveries ({killed['expired']} leases run out, "
        f"{len(primary.calls_to('conversations.history')) + len(shop.calls_to('conversations.history'))} look-ups "
        f"for a post it may have made); {len(delivered) - len(loads)} reminders and {len(loads)} digests "
        f"delivered once each, each through its own workspace; deliveries {statuses}; ack p99 {p99 * 1000:.0f} ms"
    )


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
