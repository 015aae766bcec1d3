"""Throughput and ack latency of one bot process against two behind the same balancer, in the same run.

    python bench/replicas.py --database-url postgresql://postgres@127.0.0.1:5432/test \\
        [--seconds 15] [--concurrency 8,32] [--balancer auto|nginx|python] [--workspaces 1|2]

PostgreSQL only (SQLite is one process's database). For each replica count (1, then 2) the run makes a fresh
database on that server and a fresh Slack double with a crowd of people, starts the bot processes
(`ops-assistant run --http`) and the balancer in front of them, and drives the same mixed load through the
balancer at each concurrency in turn: every worker is one person who, in a loop, adds tasks, lists them, presses
Done on a listed task and asks for reminders in a DM (3 adds, 2 lists, 2 presses, 3 DMs in every 10 requests).
Requests are closed-loop (a worker sends its next one when the last is answered), so the throughput is what the
processes can answer, and the ack latency is measured at the sender, balancer included. The baseline is the
one-replica figure at the same concurrency; the table gives two replicas' throughput as a ratio of it.

`--workspaces 2` runs the bots in OAuth mode (no SLACK_BOT_TOKEN) with two workspaces, each a Slack double of its
own (the second linked to the first, whose Web API URL the bots use), both installed through the balancer with
Slack's OAuth flow before the load; the people sending at once are taken from both workspaces in turn.

The balancer is nginx with deploy/nginx.conf (its upstream pointed at the loopback ports) when nginx is installed,
else tests/replicas/balancer.py in a process of its own. Everything, the load generator and the double included,
shares this machine's cores: on a machine with fewer cores than processes, a second replica mostly buys
headroom against one process's pauses (garbage collection, a slow query), not twice the throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from bot.rendering import tasks as task_render  # noqa: E402
from bot.sandbox import payloads  # noqa: E402
from bot.sandbox.records import AppReply, Ephemeral  # noqa: E402
from bot.sandbox.server import SlackDouble  # noqa: E402
from bot.sandbox.workspace import Workspace  # noqa: E402
from storage.db import create_engine, migrate  # noqa: E402
from tests.e2e.talk import install  # noqa: E402
from tests.replicas.harness import (  # noqa: E402
    balancer,
    bot_env,
    crowd,
    crowd_ids,
    free_port,
    oauth_env,
    replica,
    scratch_database,
    wait_ready,
)

# Each workspace of a run: the workspace, its crowd's id prefix, its #ops channel and its owner (who installs).
WORKSPACES = (
    (Workspace.sample, "U1P", "C0OPS0001", "U0GIULIA1"),
    (Workspace.second_sample, "U2P", "C0SHOPOPS", "U0BEA0001"),
)
SLACK_ACK_LIMIT = 3.0  # seconds: past this Slack shows the person an error
STEPS = ("add", "list", "dm", "press", "add", "dm", "list", "press", "add", "dm")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its children (nginx's workers) have used so far (Linux /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# ---- the load ---------------------------------------------------------------------------------------------------


@dataclass
class Result:
    replicas: int
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    bot_cpu: float = 0.0
    balancer_cpu: float = 0.0
    own_cpu: float = 0.0  # this process: the load generator and the Slack double

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, baseline: Result | None) -> str:
        count = max(len(self.latencies), 1)
        if baseline is not None and baseline.throughput:
            ratio = f"{self.throughput / baseline.throughput:5.2f}x"
        else:
            ratio = "base" if self.replicas == 1 else "-"
        late = sum(1 for latency in self.latencies if latency > SLACK_ACK_LIMIT)
        return (
            f"{self.replicas:>8} {self.concurrency:>11} {self.throughput:8.0f} {ratio:>6}   "
            f"{percentile(self.latencies, 0.5):7.1f} {percentile(self.latencies, 0.99):8.1f} "
            f"{statistics.fmean(self.latencies) * 1000:8.1f}   {late:>4} {self.errors:>6}   "
            f"{self.bot_cpu / count * 1e3:6.2f} {self.balancer_cpu / count * 1e3:6.2f} "
            f"{self.own_cpu / count * 1e3:6.2f}"
        )

    def kinds(self) -> str:
        return "   ".join(
            f"{kind} {percentile(samples, 0.5):.0f}/{percentile(samples, 0.99):.0f}"
            for kind, samples in sorted(self.by_kind.items())
        )


HEADER = (
    f"{'replicas':>8} {'concurrency':>11} {'req/s':>8} {'ratio':>6}   {'p50 ms':>7} {'p99 ms':>8} {'mean ms':>8}   "
    f"{'>3 s':>4} {'errors':>6}   CPU ms/request: {'bots':>6} {'lb':>6} {'load+double':>6}"
)


class Person:
    """One worker: a person going round STEPS, remembering the tasks they listed and the ones they pressed."""

    def __init__(self, double: SlackDouble, user: str, tag: str, ops: str) -> None:
        self.double = double
        self.user = user
        self.ops = ops
        self.tag = tag
        self.step = 0
        self.listed: Ephemeral | None = None
        self.pressed: set[int] = set()

    @property
    def kind(self) -> str:
        """What the person sends next."""
        return STEPS[self.step % len(STEPS)]

    async def next(self) -> AppReply | None:
        kind = self.kind
        self.step += 1
        n = self.step
        if kind == "add":
            return await self.double.send_command(
                self.user, f"task add Bench item {n} due tomorrow 9:00", channel_id=self.ops
            )
        if kind == "list":
            reply = await self.double.send_command(self.user, "task list", channel_id=self.ops)
            mine = self.double.ephemerals(self.user, self.ops)
            self.listed = mine[-1] if mine else None
            return reply
        if kind == "dm":
            return await self.double.send_message_im(
                self.user, f"remind me to water plant {n} tomorrow at 9", event_id=f"Ev{self.tag}{self.user}{n:07d}"
            )
        return await self._press()

    async def _press(self) -> AppReply | None:
        if self.listed is None:
            return None
        for block_id, element in payloads.iter_elements(self.listed.blocks):
            if element.get("action_id") != task_render.LIST_DONE:
                continue
            number, _query, _offset = task_render.read_list_value(str(element.get("value", "")))
            if number not in self.pressed:
                self.pressed.add(number)
                return await self.double.send_block_action(
                    self.user, task_render.LIST_DONE, message=self.listed, block_id=block_id
                )
        return None


async def drive(people: list[Person], seconds: float, result: Result | None) -> None:
    """Each person sends their next request as soon as the last is answered, for `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds

    async def worker(person: Person) -> None:
        while loop.time() < deadline:
            kind = person.kind
            reply = await person.next()
            if reply is None or result is None:
                continue
            result.latencies.append(reply.elapsed)
            result.by_kind.setdefault(kind, []).append(reply.elapsed)
            if reply.status != 200:
                result.errors += 1

    began = loop.time()
    await asyncio.gather(*(worker(person) for person in people))
    if result is not None:
        result.seconds = loop.time() - began


# ---- one replica count ------------------------------------------------------------------------------------------


async def measure(replicas: int, args: argparse.Namespace, folder: Path) -> list[Result]:
    results: list[Result] = []
    async with scratch_database(args.database_url) as database_url, AsyncExitStack() as stack:
        doubles = [
            await stack.enter_async_context(
                SlackDouble(crowd(max(args.concurrency), workspace(), prefix=prefix), app_timeout=30.0)
            )
            for workspace, prefix, _ops, _owner in WORKSPACES[: args.workspaces]
        ]
        for other in doubles[1:]:
            doubles[0].link(other)  # one Web API URL for every workspace, as Slack's
        engine = create_engine(database_url)
        try:
            await migrate(engine)  # once, before the replicas start (see docker-compose.yml's `migrate`)
        finally:
            await engine.dispose()
        lb_port = free_port()  # chosen now: in OAuth mode the bots are told their public URL, the balancer's
        if args.workspaces == 1:
            env = bot_env(
                bot_token=doubles[0].bot_token,
                signing_secret=doubles[0].signing_secret,
                api_url=doubles[0].api_url,
                database_url=database_url,
            )
        else:
            env = oauth_env(doubles[0], public_url=f"http://127.0.0.1:{lb_port}", database_url=database_url)
        ports = [free_port() for _ in range(replicas)]
        logs = [folder / f"replica-{index}.log" for index in range(replicas)]
        processes = [
            await stack.enter_async_context(replica(env, folder, port, log))
            for port, log in zip(ports, logs, strict=True)
        ]
        for port, process, log in zip(ports, processes, logs, strict=True):
            await wait_ready(port, process, log)
        url, lb_pid = await stack.enter_async_context(balancer(args.balancer, ports, folder, lb_port))
        for double in doubles:
            double.connect_app(url + "/slack/events")
        if args.workspaces > 1:
            for double, (_workspace, _prefix, _ops, owner) in zip(doubles, WORKSPACES, strict=False):
                status, page = await install(url, doubles[0], double.workspace.team_id, owner)
                if status != 200:
                    raise RuntimeError(f"installing {double.workspace.team_id} failed: {page}")

        crowds = [
            [Person(double, user, f"{replicas}r", ops) for user in crowd_ids(double.workspace, prefix)]
            for double, (_workspace, prefix, ops, _owner) in zip(doubles, WORKSPACES, strict=False)
        ]
        people = [person for turn in zip(*crowds, strict=True) for person in turn]  # the workspaces in turn
        await drive(people[: max(args.concurrency)], args.warmup, None)  # users.info, pools, first queries
        for concurrency in args.concurrency:
            result = Result(replicas, concurrency)
            before = (sum(cpu_seconds(p.pid) for p in processes), cpu_seconds(lb_pid), time.process_time())
            await drive(people[:concurrency], args.seconds, result)
            result.bot_cpu = sum(cpu_seconds(p.pid) for p in processes) - before[0]
            result.balancer_cpu = cpu_seconds(lb_pid) - before[1]
            result.own_cpu = time.process_time() - before[2]
            results.append(result)
            print(result.line(None), flush=True)
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)
    return results


async def run(args: argparse.Namespace) -> None:
    print(
        f"{args.seconds:.0f} s per concurrency after {args.warmup:.0f} s of warm-up; balancer: {args.balancer}; "
        f"{'one workspace' if args.workspaces == 1 else f'{args.workspaces} workspaces in OAuth mode'}; "
        f"{os.cpu_count()} cores shared by the bots, the balancer, PostgreSQL, the Slack double and the load"
    )
    print(HEADER)
    results: dict[int, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="ops-bench-replicas-") as scratch:
        for replicas in (1, 2):
            folder = Path(scratch) / f"{replicas}-replicas"
            folder.mkdir()
            results[replicas] = await measure(replicas, args, folder)
    print()
    print(HEADER)
    for single, double in zip(results[1], results[2], strict=True):
        print(single.line(None))
        print(double.line(single))
    print("\nack p50/p99 ms by kind of request (add: /ops task add, list: /ops task list, dm: a DM, press: Done)")
    for result in results[1] + results[2]:
        print(f"{result.replicas} replica(s), concurrency {result.concurrency:>3}:   {result.kinds()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("OPS_TEST_DATABASE_URL"),
        help="a PostgreSQL server (any database on it; the run makes its own); default: $OPS_TEST_DATABASE_URL",
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per concurrency")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--concurrency",
        type=lambda text: sorted({int(part) for part in text.split(",")}),
        default=[8, 32],
        help="people sending at once, comma-separated levels (default 8,32)",
    )
    parser.add_argument("--balancer", choices=["auto", "nginx", "python"], default="auto")
    parser.add_argument(
        "--workspaces",
        type=int,
        choices=range(1, len(WORKSPACES) + 1),
        default=1,
        help="1: one workspace, SLACK_BOT_TOKEN; 2: two workspaces, OAuth mode, installed before the load",
    )
    args = parser.parse_args()
    if not args.database_url or make_url(args.database_url).get_backend_name() != "postgresql":
        print("bench/replicas.py needs PostgreSQL (--database-url postgresql://…): SQLite allows one bot process.")
        raise SystemExit(2)
    if args.balancer == "auto":
        args.balancer = "nginx" if shutil.which("nginx") else "python"
    elif args.balancer == "nginx" and not shutil.which("nginx"):
        print("nginx is not installed; use --balancer python")
        raise SystemExit(2)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
