"""GET /metrics: Slack requests by kind and outcome, ack latency, the delivery queue and failed Web API calls; and
the JSON log lines that say which workspace, person and request they are about."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.clock import ManualClock
from bot.domain.ids import TeamId, UserId
from bot.logs import JsonFormatter
from bot.sandbox.server import SlackDouble
from bot.server import build_web_app
from tests.e2e.conftest import GIULIA, LUCA, TEAM, RunningBot, bot_settings, serving

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics", headers=headers) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def samples(running: RunningBot) -> Samples:
    status, content_type, text = await scrape(running.url)
    assert status == 200
    assert content_type.startswith("text/plain; version=")  # the Prometheus text format
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((name, frozenset(labels.items())))


def bot_dm_count(double: SlackDouble, user: str) -> int:
    return len([m for m in double.dm(user) if m.from_bot])


async def test_requests_are_counted_by_kind_and_outcome_with_their_ack_times(
    running: RunningBot, double: SlackDouble
) -> None:
    before = await samples(running)
    assert value(before, "ops_requests_total", kind="command", outcome="ok") is None  # nothing counted yet

    assert (await double.send_command(LUCA, "help")).status == 200
    assert (await double.send_command(LUCA, "help", secret="not-the-signing-secret")).status == 401
    assert (await double.send_url_verification("challenge")).status == 200
    await double.send_message_im(LUCA, "remind me to water the plants tomorrow at 9", event_id="Ev0METRIC1")
    await double.wait_for(lambda: bot_dm_count(double, LUCA) or None)
    # Slack retries the event: acknowledged, not handled again, counted as a duplicate.
    assert (
        await double.send_message_im(LUCA, "remind me to water the plants tomorrow at 9", event_id="Ev0METRIC1")
    ).status == 200
    await double.send_command(LUCA, "reminders")
    listing = double.ephemerals(LUCA)[-1]
    cancel = next(b for b in listing.blocks if b.get("block_id") == "reminder:1")
    assert (
        await double.send_block_action(LUCA, "reminder_list_cancel", message=listing, block_id=cancel["block_id"])
    ).status == 200
    await double.wait_for(lambda: "water the plants" not in double.ephemerals(LUCA)[-1].all_text() or None)
    assert bot_dm_count(double, LUCA) == 1  # the retry did not confirm the reminder twice

    found = await samples(running)
    counted = {
        (dict(labels)["kind"], dict(labels)["outcome"]): count
        for (name, labels), count in found.items()
        if name == "ops_requests_total"
    }
    assert counted == {
        ("command", "ok"): 2,
        ("command", "unauthorized"): 1,
        ("url_verification", "ok"): 1,
        ("event", "ok"): 1,
        ("event", "duplicate"): 1,
        ("action", "ok"): 1,
    }
    # Every request, refused or not, has its ack time in the histogram; all of these were well under Slack's 3 s.
    assert value(found, "ops_ack_seconds_count", kind="command") == 3
    assert value(found, "ops_ack_seconds_count", kind="event") == 2
    assert value(found, "ops_ack_seconds_count", kind="action") == 1
    assert value(found, "ops_ack_seconds_bucket", kind="command", le="3.0") == 3
    assert value(found, "ops_ack_seconds_bucket", kind="command", le="+Inf") == 3
    total = value(found, "ops_ack_seconds_sum", kind="command")
    assert total is not None
    assert 0 < total < 3


async def test_the_delivery_gauges_show_pending_late_and_failed_deliveries(
    running: RunningBot, double: SlackDouble
) -> None:
    clock = running.clock
    services = running.bot.services
    luca = await services.access.actor(TeamId(TEAM), UserId(LUCA))
    await services.reminders.create(
        luca, recipient=UserId(LUCA), text="call the supplier", at=clock.now() + timedelta(minutes=10)
    )
    # Someone who has since left the workspace: Slack refuses the post for good (channel_not_found).
    await services.reminders.create(
        luca, recipient=UserId("U0GONE001"), text="return the keys", at=clock.now() + timedelta(minutes=5)
    )
    found = await samples(running)
    assert [value(found, "ops_deliveries", state=s) for s in ("pending", "late", "failed")] == [0, 0, 0]

    # Eleven minutes on, both are due; nothing has posted them yet. The one due six minutes ago is late.
    clock.advance(timedelta(minutes=11))
    await running.bot.reminders.materialize(clock.now())
    found = await samples(running)
    assert [value(found, "ops_deliveries", state=s) for s in ("pending", "late", "failed")] == [2, 1, 0]

    assert await running.tick() == 2
    found = await samples(running)
    assert [value(found, "ops_deliveries", state=s) for s in ("pending", "late", "failed")] == [0, 0, 1]
    # The refused post is counted as a Slack API error, with its method and Slack's code.
    assert value(found, "ops_slack_api_errors_total", method="chat.postMessage", code="channel_not_found") == 1


async def test_rate_limited_web_api_calls_are_counted(running: RunningBot, double: SlackDouble) -> None:
    double.rate_limit("chat.postMessage", times=2, retry_after=0)
    await double.send_message_im(GIULIA, "aiuto")
    await double.wait_for(lambda: bot_dm_count(double, GIULIA) or None, timeout=5)
    assert [call.status for call in double.calls_to("chat.postMessage")] == [429, 429, 200]
    found = await samples(running)
    assert value(found, "ops_slack_api_errors_total", method="chat.postMessage", code="ratelimited") == 2
    assert [labels for (name, labels) in found if name == "ops_slack_api_errors_total"] == [
        frozenset({("method", "chat.postMessage"), ("code", "ratelimited")})
    ]


async def test_each_bot_counts_only_its_own_requests(
    running: RunningBot, double: SlackDouble, engine: AsyncEngine, clock: ManualClock
) -> None:
    """A registry per bot: a second bot in the same process starts from zero and does not clash on names."""
    await double.send_command(LUCA, "help")
    async with serving(bot_settings(double), double, engine, clock) as second:
        assert value(await samples(second), "ops_requests_total", kind="command", outcome="ok") is None
        await double.send_command(LUCA, "help")  # the double now sends to the second bot
        assert value(await samples(second), "ops_requests_total", kind="command", outcome="ok") == 1
    assert value(await samples(running), "ops_requests_total", kind="command", outcome="ok") == 1


async def test_a_metrics_token_keeps_the_numbers_to_whoever_holds_it(running: RunningBot) -> None:
    runner = web.AppRunner(build_web_app(running.bot, serve_events=False, metrics_token="s3cret"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        assert (await scrape(url))[0] == 401
        assert (await scrape(url, {"Authorization": "Bearer wrong"}))[0] == 401
        status, _type, text = await scrape(url, {"Authorization": "Bearer s3cret"})
        assert status == 200
        assert "ops_deliveries" in text
    finally:
        await runner.cleanup()


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The bot's log lines (loggers under `ops`) as OPS_LOG_FORMAT=json writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ops")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_json_log_lines_carry_team_user_and_request_id(
    running: RunningBot, double: SlackDouble, json_lines: io.StringIO
) -> None:
    await double.send_command(LUCA, "help")
    await double.send_message_im(LUCA, "help", event_id="Ev0LOGS001")
    await double.send_command(LUCA, "help", secret="not-the-signing-secret")
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    entries = [entry for entry in lines if entry["logger"] == "ops.server"]
    assert [(e["message"].split()[:3], e["team"], e["user"]) for e in entries] == [
        (["slack", "command", "ok"], TEAM, LUCA),
        (["slack", "event", "ok"], TEAM, LUCA),
        (["slack", "command", "unauthorized"], None, None),  # never got past the signature: nobody to name
    ]
    command, event, forged = entries
    assert {"time", "level", "logger", "message", "team", "user", "request_id"} <= command.keys()
    assert command["level"] == "INFO"
    assert command["logger"] == "ops.server"
    assert command["time"].endswith("+00:00")
    assert len(command["request_id"]) == 32  # a fresh id for a command
    assert event["request_id"] == "Ev0LOGS001"  # Slack's event id for an event
    assert forged["request_id"] is None
    assert double.signing_secret not in json_lines.getvalue()
    assert double.bot_token not in json_lines.getvalue()


async def test_a_delivery_that_fails_for_good_is_logged_with_its_team_recipient_and_occurrence(
    running: RunningBot, double: SlackDouble, json_lines: io.StringIO
) -> None:
    clock = running.clock
    luca = await running.bot.services.access.actor(TeamId(TEAM), UserId(LUCA))
    await running.bot.services.reminders.create(
        luca, recipient=UserId("U0GONE001"), text="return the keys", at=clock.now() + timedelta(minutes=5)
    )
    clock.advance(timedelta(minutes=5))
    assert await running.tick() == 1
    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    (failure,) = [entry for entry in lines if "failed for good" in entry["message"]]
    assert failure["level"] == "ERROR"
    assert (failure["team"], failure["user"]) == (TEAM, "U0GONE001")
    assert failure["request_id"] == failure["message"].split()[1]  # the occurrence key the message names
