"""`ops-assistant run` as an operator starts it: a real process, its port, its signals."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.server import SlackDouble
from tests.e2e.conftest import LUCA, TEAM
from tests.replicas.harness import free_port

pytestmark = pytest.mark.slow
START_TIMEOUT = 30.0


@pytest.fixture
def bot_env(double: SlackDouble, tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "OPS_", "DATABASE_"))}
    env |= {
        "SLACK_BOT_TOKEN": double.bot_token,
        "SLACK_SIGNING_SECRET": double.signing_secret,
        "SLACK_API_URL": double.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
    }
    return env


@asynccontextmanager
async def bot_process(env: dict[str, str], cwd: Path, *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_healthy(port: int, process: asyncio.subprocess.Process) -> None:
    """Until /readyz says the database answers with the current schema (`run` migrates before it serves).

    Named for what it waited on before /readyz existed; tests/e2e/test_processes.py imports it by this name.
    """
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while asyncio.get_running_loop().time() < deadline:
            if process.returncode is not None:
                raise AssertionError(f"the bot exited with {process.returncode}")
            with contextlib.suppress(aiohttp.ClientConnectionError):  # not listening yet
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise AssertionError("the bot did not become ready")


async def test_run_serves_slack_and_stops_cleanly_on_sigterm(
    double: SlackDouble, bot_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    async with bot_process(bot_env, tmp_path, "run", "--http", "--port", str(port)) as process:
        await wait_healthy(port, process)
        double.connect_app(f"http://127.0.0.1:{port}/slack/events")

        help_reply = await double.send_command(LUCA, "help")
        assert help_reply.status == 200
        assert "Customer cases" in help_reply.body
        verification = await double.send_url_verification("challenge-token")
        assert verification.json() == {"challenge": "challenge-token"}
        assert (await double.send_command(LUCA, "help", secret="forged")).status == 401
        assert (await double.send_command(LUCA, "help", timestamp=1)).status == 401
        unsigned = await double.send_raw(
            b"command=%2Fops&text=help", {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert unsigned.status == 401

        # A second bot on the same SQLite file refuses to start, saying why.
        async with bot_process(bot_env, tmp_path, "run", "--http", "--port", str(free_port())) as second:
            _out, err = await asyncio.wait_for(second.communicate(), START_TIMEOUT)
        assert second.returncode == 2
        assert b"SQLite allows one bot process" in err

        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
        assert process.returncode == 0, err.decode()
        assert b"stopped" in err


async def test_json_logs_are_one_object_a_line_with_team_user_and_request_id(
    double: SlackDouble, bot_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    env = bot_env | {"OPS_LOG_FORMAT": "json"}
    async with bot_process(env, tmp_path, "run", "--http", "--port", str(port)) as process:
        await wait_healthy(port, process)
        double.connect_app(f"http://127.0.0.1:{port}/slack/events")
        assert (await double.send_command(LUCA, "help")).status == 200
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 0, err.decode()
    entries = [json.loads(line) for line in err.decode().splitlines()]  # every line is JSON, start to stop
    assert {"time", "level", "logger", "message", "team", "user", "request_id"} <= entries[0].keys()
    (command,) = [e for e in entries if e["logger"] == "ops.server" and e["message"].startswith("slack command")]
    assert (command["team"], command["user"], command["level"]) == (TEAM, LUCA, "INFO")
    assert command["request_id"]
    assert entries[-1]["message"] == "stopped"
    assert double.signing_secret not in err.decode()
    assert double.bot_token not in err.decode()


async def test_run_without_tokens_says_how_to_set_them(bot_env: dict[str, str], tmp_path: Path) -> None:
    env = {key: value for key, value in bot_env.items() if not key.startswith("SLACK_")}
    async with bot_process(env, tmp_path, "run") as process:
        _out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 2
    message = err.decode()
    assert "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET" in message
    assert "ops-assistant manifest" in message


async def test_a_malformed_setting_is_one_line_not_a_traceback(bot_env: dict[str, str], tmp_path: Path) -> None:
    env = bot_env | {"OPS_DEFAULT_TIMEZONE": "Mars/Olympus"}
    async with bot_process(env, tmp_path, "run") as process:
        _out, err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines == ["OPS_DEFAULT_TIMEZONE is not valid: expected an IANA time zone such as Europe/Rome or UTC"]


async def test_migrate_applies_the_schema(bot_env: dict[str, str], tmp_path: Path) -> None:
    async with bot_process(bot_env, tmp_path, "migrate") as process:
        out, _err = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    assert process.returncode == 0
    assert b"up to date" in out
    assert (tmp_path / "ops.db").exists()
