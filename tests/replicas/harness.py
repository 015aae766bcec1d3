"""What the replica test (tests/e2e/test_replicas.py) and bench/replicas.py share: workspaces with a crowd of
people, a database of their own on the PostgreSQL server, bot processes started as `ops-assistant run --http`
(one workspace with a bot token, or OAuth mode for several), each writing its log to a file and waited on until
/readyz answers, and a balancer in a process of its own (nginx with deploy/nginx.conf pointed at loopback ports,
or tests/replicas/balancer.py).

A file, not a pipe: at a few hundred requests a second a bot logs a line per request, and an unread pipe fills
in seconds (64 KiB) and then blocks the bot's event loop in the middle of its `write()` to stderr, which looks
exactly like a hung replica. The files are kept for reading after a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import replace
from pathlib import Path
from typing import Literal

import aiohttp
from sqlalchemy import text

from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import FakeUser, Workspace
from storage.db import create_engine

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def crowd(people: int, workspace: Workspace | None = None, *, prefix: str = "U1P") -> Workspace:
    """A workspace (the sample by default) with `people` more staff (ids `prefix`000000…), English speakers in
    Rome. Give a second workspace another prefix: two workspaces never share a person."""
    base = workspace or Workspace.sample()
    extra = tuple(
        FakeUser(
            f"{prefix}{n:06d}",
            f"person{n}",
            f"Person {n}",
            "Europe/Rome",
            "en-US",
            email=f"p{n}@{base.team_domain}.example",
        )
        for n in range(people)
    )
    return replace(base, users=base.users + extra)


def crowd_ids(workspace: Workspace, prefix: str = "U1P") -> list[str]:
    return [user.id for user in workspace.users if user.id.startswith(prefix)]


@asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL server of `server_url` (any database on it), dropped at the end."""
    name = f"ops_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        base, _, _database = server_url.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(*, bot_token: str, signing_secret: str, api_url: str, database_url: str) -> dict[str, str]:
    """One workspace (SLACK_BOT_TOKEN): this environment without any Slack, Ops or database setting of its own,
    then the double's and the URL."""
    return _own_env(database_url) | {
        "SLACK_BOT_TOKEN": bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": api_url,
    }


def oauth_env(double: SlackDouble, *, public_url: str, database_url: str) -> dict[str, str]:
    """OAuth mode (any number of workspaces, each installed at /slack/install, no SLACK_BOT_TOKEN): the app's
    credentials at `double`, whose Web API and authorize page serve every workspace linked to it; `public_url` is
    where people and Slack reach the bot (the balancer), so Slack sends people back there after an install."""
    return _own_env(database_url) | {
        "SLACK_CLIENT_ID": double.client_id,
        "SLACK_CLIENT_SECRET": double.client_secret,
        "SLACK_SIGNING_SECRET": double.signing_secret,
        "SLACK_API_URL": double.api_url,
        "SLACK_AUTHORIZE_URL": double.authorize_url,
        "OPS_PUBLIC_URL": public_url,
    }


def _own_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "OPS_", "DATABASE_"))}
    return env | {"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}


@asynccontextmanager
async def replica(env: dict[str, str], cwd: Path, port: int, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run --http` on a loopback port, stdout and stderr appended to `log`; killed if still running
    when the block ends (a test that wants a clean stop sends SIGTERM itself)."""
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=out,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_ready(port: int, process: asyncio.subprocess.Process, log: Path | None = None) -> None:
    """Until /readyz says the database answers with the current schema (`run` migrates before it serves)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            if process.returncode is not None:
                raise AssertionError(f"the bot on port {port} exited with {process.returncode}{tail(log)}")
            with contextlib.suppress(aiohttp.ClientConnectionError):  # not listening yet
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError(f"the bot on port {port} did not become ready{tail(log)}")


def tail(log: Path | None, lines: int = 20) -> str:
    """The end of a replica's log, for an assertion message."""
    if log is None or not log.exists():
        return ""
    return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# ---- a balancer in a process of its own --------------------------------------------------------------------------


def nginx_conf(backends: list[int], port: int, folder: Path) -> str:
    """deploy/nginx.conf with its upstream on loopback ports, listening on `port`, its scratch files in `folder`."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    servers = "".join(f"        server 127.0.0.1:{backend} max_fails=1 fail_timeout=5s;\n" for backend in backends)
    conf, count = re.subn(r"(?m)(?:^[ \t]*server bot-\d+:3000[^\n]*\n)+", servers, conf)
    assert count == 1, "deploy/nginx.conf's upstream block has changed shape"
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = conf.replace("http {\n", "http {\n" + temp, 1)
    return conf.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("access_log /dev/stdout;", "access_log off;")


@asynccontextmanager
async def balancer(
    kind: Literal["nginx", "python"], backends: list[int], folder: Path, port: int | None = None
) -> AsyncIterator[tuple[str, int]]:
    """nginx (deploy/nginx.conf) or tests/replicas/balancer.py in front of loopback ports: its URL and process id,
    once it answers /healthz. On `port` if given (a URL the bots were told beforehand), else a free one."""
    port = port or free_port()
    log = folder / "balancer.log"
    if kind == "nginx":
        (folder / "nginx.conf").write_text(nginx_conf(backends, port, folder), encoding="utf-8")
        command = ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")]
        command += ["-g", f"daemon off; pid {folder / 'nginx.pid'};"]
    else:
        command = [sys.executable, "-m", "tests.replicas.balancer", "--listen", f"127.0.0.1:{port}"]
        command += [arg for backend in backends for arg in ("--backend", f"http://127.0.0.1:{backend}")]
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                with contextlib.suppress(aiohttp.ClientConnectionError):  # not listening yet
                    async with session.get(url + "/healthz") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"the {kind} balancer did not start{tail(log)}")
        yield url, process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGQUIT if kind == "nginx" else signal.SIGTERM)  # nginx: finish, then exit
            await process.wait()
