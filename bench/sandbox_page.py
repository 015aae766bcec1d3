"""The sandbox page: how long `ops-assistant sandbox --seed demo` takes to be ready, and how fast the page's state
(the conversation rendered from Block Kit to HTML in the viewer's zone, polled every second) comes back.

Runs the real command as a subprocess on a scratch SQLite file, like a person would, then asks its page for the
state of a busy channel (the seeded #ops, and #general with `--messages` more posts), the App Home and a DM. The
baseline, in the same run and from the same server, is a static file (the page's stylesheet): the floor of one
HTTP round trip, so the difference is what building and rendering the state costs.

    python bench/sandbox_page.py [--messages 300] [--repeat 200]

Target: the state of a conversation of 300+ messages, p99 under 100 ms (a poll every second must stay cheap).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import p99, summary

TARGET_MS = 100.0
MARIA, LUCA = "U0MARIA01", "U0LUCA001"
_URL_LINE = re.compile(r"^Sandbox: (http://127\.0\.0\.1:\d+/)$")


def _start(folder: Path) -> tuple[subprocess.Popen[str], str, float]:
    """The sandbox as a subprocess; returns it, its URL and the seconds until it printed the URL."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--port",
            "0",
            "--seed",
            "demo",
            "--database-url",
            f"sqlite:///{folder}/s.db",
        ],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = _URL_LINE.match(line.strip())
        if found:
            return process, found.group(1), time.perf_counter() - started
    raise RuntimeError(f"the sandbox stopped before printing its URL (exit {process.wait()})")


async def _timed(repeat: int, call: Callable[[], Awaitable[None]]) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)  # seconds, as bench.common expects
    return samples


async def _run(url: str, arguments: argparse.Namespace) -> bool:
    async with aiohttp.ClientSession() as http:

        async def post(path: str, body: dict[str, object]) -> None:
            async with http.post(url + path.lstrip("/"), json=body) as response:
                response.raise_for_status()

        for number in range(arguments.messages):
            await post("/api/send", {"person": LUCA, "conversation": "C0GENERAL", "text": f"Delivery {number} is in"})

        def state(person: str, conversation: str) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                query = {"person": person, "conversation": conversation}
                async with http.get(url + "api/state", params=query) as response:
                    response.raise_for_status()
                    await response.read()

            return call

        async def stylesheet() -> None:
            async with http.get(url + "static/page.css") as response:
                response.raise_for_status()
                await response.read()

        async with http.get(url + "api/state", params={"person": MARIA, "conversation": "C0GENERAL"}) as response:
            shown = len((await response.json())["messages"])
        await post("/api/home", {"person": MARIA})  # opening the tab publishes her Home
        async with http.get(url + "api/state", params={"person": MARIA, "conversation": "home"}) as response:
            home = (await response.json())["home"]
        async with http.get(url + "api/state", params={"person": MARIA, "conversation": "C0OPS0001"}) as response:
            in_ops = len((await response.json())["messages"])
        results = {
            "baseline: static stylesheet": await _timed(arguments.repeat, stylesheet),
            f"state: #general ({shown} messages)": await _timed(arguments.repeat, state(MARIA, "C0GENERAL")),
            f"state: #ops (seeded, {in_ops} messages)": await _timed(arguments.repeat, state(MARIA, "C0OPS0001")),
            "state: App Home (manager)": await _timed(arguments.repeat, state(MARIA, "home")),
            "state: DM with the bot": await _timed(arguments.repeat, state(LUCA, "D" + LUCA[1:])),
        }
    for name, samples in results.items():
        print(summary(name, samples))
    worst = max(p99(samples) for name, samples in results.items() if name.startswith("state"))
    print(f"Maria's Home: {len(home or '') / 1024:.0f} KiB of HTML")
    passed = worst < TARGET_MS and shown >= arguments.messages and bool(home)
    print(f"{'PASS' if passed else 'FAIL'}: state worst p99 {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")
    return passed


def main(arguments: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        process, url, ready = _start(Path(folder))
        try:
            print(f"sandbox --seed demo ready in {ready:.1f} s at {url}")
            passed = asyncio.run(_run(url, arguments))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0 if passed else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=200)
    sys.exit(main(parser.parse_args()))
