"""Modals and the Home tab: the view stack, hashes, trigger expiry and Slack's view limits."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble

from .conftest import FakeClock


def modal(title: str = "New task", blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    section = {"type": "section", "text": {"type": "plain_text", "text": title}}
    return {
        "type": "modal",
        "callback_id": "task_new",
        "title": {"type": "plain_text", "text": title},
        "blocks": [section] if blocks is None else blocks,
        **extra,
    }


async def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return str(raised.value.response["error"])


async def test_open_push_update(client: AsyncWebClient, double: SlackDouble) -> None:
    opened = await client.views_open(trigger_id=double.issue_trigger_id("U0MARIA01"), view=modal())
    view = opened["view"]
    assert view["id"].startswith("V")
    assert (view["callback_id"], view["root_view_id"], view["previous_view_id"]) == ("task_new", view["id"], None)
    assert view["state"] == {"values": {}}
    pushed = (await client.views_push(trigger_id=double.issue_trigger_id("U0MARIA01"), view=modal("Step 2")))["view"]
    assert (pushed["previous_view_id"], pushed["root_view_id"]) == (view["id"], view["id"])
    assert [v["title"]["text"] for v in double.open_views("U0MARIA01")] == ["New task", "Step 2"]

    updated = await client.views_update(view_id=view["id"], view=modal("Renamed"), hash=view["hash"])
    assert updated["view"]["id"] == view["id"]
    assert double.open_views("U0MARIA01")[0]["title"]["text"] == "Renamed"
    assert await api_error(client.views_update(view_id=view["id"], view=modal(), hash=view["hash"])) == (
        "hash_conflict"
    )
    assert await api_error(client.views_update(view_id="V0NOPE", view=modal())) == "not_found"


async def test_push_limit(client: AsyncWebClient, double: SlackDouble) -> None:
    await client.views_open(trigger_id=double.issue_trigger_id("U0LUCA001"), view=modal())
    for _ in range(2):
        await client.views_push(trigger_id=double.issue_trigger_id("U0LUCA001"), view=modal())
    error = await api_error(client.views_push(trigger_id=double.issue_trigger_id("U0LUCA001"), view=modal()))
    assert error == "push_limit_reached"


async def test_trigger_id_expires_after_three_seconds(
    client: AsyncWebClient, double: SlackDouble, clock: FakeClock
) -> None:
    trigger_id = double.issue_trigger_id("U0MARIA01")
    clock.advance(3.5)
    assert await api_error(client.views_open(trigger_id=trigger_id, view=modal())) == "expired_trigger_id"
    assert await api_error(client.views_open(trigger_id="1.2.unknown", view=modal())) == "invalid_trigger_id"
    fresh = double.issue_trigger_id("U0MARIA01")
    clock.advance(2.9)
    assert (await client.views_open(trigger_id=fresh, view=modal()))["ok"]


async def test_view_limits(client: AsyncWebClient, double: SlackDouble) -> None:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    ok = await client.views_open(trigger_id=double.issue_trigger_id("U0SAM0001"), view=modal(blocks=[block] * 100))
    assert ok["ok"]
    too_many = client.views_open(trigger_id=double.issue_trigger_id("U0SAM0001"), view=modal(blocks=[block] * 101))
    assert await api_error(too_many) == "invalid_arguments"
    long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    too_long = client.views_open(trigger_id=double.issue_trigger_id("U0SAM0001"), view=modal(blocks=long_text))
    assert await api_error(too_long) == "invalid_arguments"
    long_title = client.views_open(trigger_id=double.issue_trigger_id("U0SAM0001"), view=modal("t" * 25))
    assert await api_error(long_title) == "invalid_arguments"


async def test_publish_home(client: AsyncWebClient, double: SlackDouble) -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Your tasks"}}]}
    first = await client.views_publish(user_id="U0GIULIA1", view=home)
    assert double.home_view("U0GIULIA1") == first["view"]
    again = await client.views_publish(user_id="U0GIULIA1", view=home)
    assert again["view"]["id"] == first["view"]["id"]
    assert double.home_view("U0MARIA01") is None
    assert await api_error(client.views_publish(user_id="U0NOBODY", view=home)) == "user_not_found"
    assert await api_error(client.views_publish(user_id="U0GIULIA1", view=modal())) == "invalid_arguments"
