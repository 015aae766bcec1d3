"""Ack latency and throughput of `/ops help`, against a bare bolt app that only acks, in the same run.

    python bench/ack_latency.py [--requests 3000] [--concurrency 50]

Both servers run as separate processes on loopback ports (as in production: one bot process), get the same
signed slash commands from the same client, and are measured one after the other. The bare app is bolt's
AsyncApp on the same aiohttp adapter whose only listener is `await ack()`: the floor our handler sits on.
Targets (issue 2): p99 < 50 ms at 50 concurrent requests, throughput >= 70% of the bare app's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.server import SlackDouble  # noqa: E402
from bot.sandbox.signing import sign  # noqa: E402
from bot.sandbox.workspace import Workspace  # noqa: E402

USER = "U0LUCA001"


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


BARE_APP = """
import sys
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.web.async_client import AsyncWebClient

token, secret, api_url, port = sys.argv[1:5]
app = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url), signing_secret=secret)

@app.command("/ops")
async def only_ack(ack):
    await ack()

async def events(request):
    return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

web_app = web.Application()
web_app.router.add_post("/slack/events", events)
web_app.router.add_get("/healthz", lambda request: web.json_response({"status": "ok"}))
web.run_app(web_app, host="127.0.0.1", port=int(port), print=None, access_log=None)
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the server process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int
    server_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<16} p50 {self.pct(0.50):6.1f} ms   p99 {self.pct(0.99):6.1f} ms   "
            f"mean {statistics.fmean(self.latencies) * 1000:6.1f} ms   {self.throughput:7.0f} req/s   "
            f"server CPU {self.server_cpu / len(self.latencies) * 1e6:5.0f} µs/req   errors {self.errors}"
        )


def command(secret: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "token": "verification-token",
            "team_id": "T0OPS0001",
            "team_domain": "ops-demo",
            "channel_id": "C0OPS0001",
            "channel_name": "ops",
            "user_id": USER,
            "user_name": "luca",
            "command": "/ops",
            "text": "help",
            "api_app_id": "A0OPS0001",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/response/unused",
            "trigger_id": f"{time.time_ns()}.{secrets.token_hex(8)}",
        }
    ).encode()
    timestamp = int(time.time())
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(secret, timestamp, body),
    }


async def wait_healthy(session: aiohttp.ClientSession, port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if process.returncode is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(aiohttp.ClientConnectionError):  # not listening yet
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


async def load(name: str, url: str, secret: str, total: int, concurrency: int) -> Result:
    latencies: list[float] = []
    errors = 0
    remaining = total
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                body, headers = command(secret)
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Result(name, latencies, seconds, errors)


async def measure(args: argparse.Namespace) -> None:
    async with SlackDouble(Workspace.sample()) as double:
        workdir = Path(tempfile.mkdtemp(prefix="ops-bench-"))
        bot_port, bare_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPS_", "DATABASE_"))}
        env |= {
            "SLACK_BOT_TOKEN": double.bot_token,
            "SLACK_SIGNING_SECRET": double.signing_secret,
            "SLACK_API_URL": double.api_url,
            "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.db'}",
            "PYTHONPATH": str(ROOT),
        }
        ours = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(bot_port),
            env=env,
            cwd=workdir,
            stderr=asyncio.subprocess.DEVNULL,
        )
        bare = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            BARE_APP,
            double.bot_token,
            double.signing_secret,
            double.api_url,
            str(bare_port),
            env=env,
            cwd=workdir,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with aiohttp.ClientSession() as session:
                await wait_healthy(session, bot_port, ours)
                await wait_healthy(session, bare_port, bare)
            targets = [
                ("bare bolt ack", f"http://127.0.0.1:{bare_port}/slack/events", bare.pid),
                ("ops /ops help", f"http://127.0.0.1:{bot_port}/slack/events", ours.pid),
            ]
            for name, url, _pid in targets:  # warm-up: auth.test, users.info, connection pools, imports
                await load(name, url, double.signing_secret, 200, args.concurrency)
            results: dict[str, list[Result]] = {name: [] for name, _url, _pid in targets}
            for _ in range(args.rounds):  # interleaved rounds, so drift in machine load hits both alike
                for name, url, pid in targets:
                    cpu_before = cpu_seconds(pid)
                    result = await load(name, url, double.signing_secret, args.requests, args.concurrency)
                    result.server_cpu = cpu_seconds(pid) - cpu_before
                    results[name].append(result)
        finally:
            for process in (ours, bare):
                process.terminate()
                await process.wait()

    merged = {
        name: Result(
            name,
            [latency for r in runs for latency in r.latencies],
            sum(r.seconds for r in runs),
            sum(r.errors for r in runs),
            sum(r.server_cpu for r in runs),
        )
        for name, runs in results.items()
    }
    baseline, ours_result = merged["bare bolt ack"], merged["ops /ops help"]
    print(
        f"{args.requests} requests x {args.rounds} rounds at concurrency {args.concurrency}, "
        f"loopback, {os.cpu_count()} cores"
    )
    print(baseline.line())
    print(ours_result.line())
    ratio = ours_result.throughput / baseline.throughput
    print(f"throughput ratio ours/bare: {ratio:.2f}  (target >= 0.70)")
    print(f"p99 ours: {ours_result.pct(0.99):.1f} ms  (target < 50 ms)")
    verdict = ratio >= 0.70 and ours_result.pct(0.99) < 50 and ours_result.errors == 0
    print("PASS" if verdict else "FAIL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
