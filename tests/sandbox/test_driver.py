"""The double acting as Slack toward an app: signed requests, what the person sees, and payload faithfulness."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble
from tests.shared_data import captured_payload_files, require_shared_slack_dir

from .conftest import FakeBot, FakeClock, Received


def captured(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((require_shared_slack_dir() / "payloads" / name).read_text())
    return loaded


def button(action_id: str, value: str, text: str = "Done") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "style": "primary",
    }


def task_card(task_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Task {task_id}*"}},
        {"type": "actions", "block_id": "task_actions", "elements": [button("task_done", task_id)]},
    ]


async def post_json(url: str, payload: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=payload) as response:
        return response.status, await response.text()


# ---- slash commands and response URLs ----------------------------------------------------------------------------


async def test_command_is_signed_and_immediate_reply_is_shown(bot: FakeBot, double: SlackDouble) -> None:
    async def ack_with_text(received: Received) -> web.StreamResponse:
        return web.json_response({"text": f"Got it: {received.data['text']}"})

    bot.respond = ack_with_text
    reply = await double.send_command("U0MARIA01", "task add buy flour")
    assert reply.status == 200
    assert reply.acked_in_time
    [request] = bot.received
    assert request.data["command"] == "/ops"
    assert request.data["user_id"] == "U0MARIA01"
    assert request.data["channel_name"] == "ops"
    assert request.data["trigger_id"]
    assert request.data["response_url"].startswith(double.base_url + "response/")
    [shown] = double.ephemerals("U0MARIA01")
    assert (shown.text, shown.channel, shown.source) == ("Got it: task add buy flour", "C0OPS0001", "command_reply")


async def test_forged_and_stale_commands_are_rejected(bot: FakeBot, double: SlackDouble) -> None:
    forged = await double.send_command("U0MARIA01", "x", secret="not-the-secret")
    assert forged.status == 401
    stale = await double.send_command("U0MARIA01", "x", timestamp=1_600_000_000)
    assert stale.status == 401
    assert bot.rejected == 2
    assert bot.received == []
    assert [e.source for e in double.ephemerals("U0MARIA01")] == ["slack", "slack"]
    assert 'failed with the error "dispatch_failed"' in double.ephemerals("U0MARIA01")[0].text


async def test_unsigned_raw_request_is_rejected(bot: FakeBot, double: SlackDouble) -> None:
    reply = await double.send_raw(b'{"type":"event_callback"}', {"Content-Type": "application/json"})
    assert (reply.status, bot.rejected) == (401, 1)


async def test_response_url_posts_replaces_and_limits(bot: FakeBot, double: SlackDouble, clock: FakeClock) -> None:
    await double.send_command("U0LUCA001", "list")
    url = bot.received[0].data["response_url"]
    assert await post_json(url, {"text": "Working on it…"}) == (200, '{"ok": true}')
    assert await post_json(url, {"text": "Here are your tasks", "replace_original": True}) == (200, '{"ok": true}')
    assert [e.text for e in double.ephemerals("U0LUCA001")] == ["Here are your tasks"]
    assert (await post_json(url, {"text": "Posted for all", "response_type": "in_channel"}))[0] == 200
    assert [m.text for m in double.messages("C0OPS0001")] == ["Posted for all"]
    assert double.messages("C0OPS0001")[0].from_bot
    assert (await post_json(url, {"text": "4"}))[0] == 200
    assert (await post_json(url, {"text": "5"}))[0] == 200
    assert await post_json(url, {"text": "6"}) == (404, "used_url")
    assert [c.status for c in double.calls_to("response_url")] == [200, 200, 200, 200, 200, 404]

    await double.send_command("U0LUCA001", "list")
    fresh = bot.received[1].data["response_url"]
    clock.advance(30 * 60 + 1)
    assert await post_json(fresh, {"text": "late"}) == (404, "expired_url")


async def test_response_url_rejects_bad_blocks(bot: FakeBot, double: SlackDouble) -> None:
    await double.send_command("U0LUCA001", "list")
    url = bot.received[0].data["response_url"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51
    assert await post_json(url, {"text": "x", "blocks": blocks}) == (400, "invalid_blocks")
    assert await post_json(url, {}) == (400, "no_text")
    assert double.ephemerals("U0LUCA001") == []


# ---- events ------------------------------------------------------------------------------------------------------


async def test_dm_round_trip(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    async def answer_in_dm(received: Received) -> web.StreamResponse:
        event = received.data["event"]
        await client.chat_postMessage(channel=event["channel"], text=f"You said: {event['text']}")
        return web.Response()

    bot.respond = answer_in_dm
    await double.send_message_im("U0MARIA01", "ricordami domani alle 9")
    envelope = bot.received[0].data
    assert envelope["type"] == "event_callback"
    event = envelope["event"]
    assert (event["type"], event["channel_type"], event["channel"], event["user"]) == (
        "message",
        "im",
        "D0MARIA01",
        "U0MARIA01",
    )
    assert event["blocks"][0]["type"] == "rich_text"
    dm = await double.wait_for(lambda: double.dm("U0MARIA01") if len(double.dm("U0MARIA01")) == 2 else None)
    assert [(m.user, m.text) for m in dm] == [
        ("U0MARIA01", "ricordami domani alle 9"),
        ("U0BOT0001", "You said: ricordami domani alle 9"),
    ]


async def test_event_retry_keeps_event_id(bot: FakeBot, double: SlackDouble) -> None:
    event = {"type": "app_home_opened", "user": "U0SAM0001", "channel": "D0SAM0001", "tab": "home"}
    await double.send_event(event, event_id="Ev0TEST01")
    await double.send_event(event, event_id="Ev0TEST01", retry_num=1)
    first, retry = bot.received
    assert first.data["event_id"] == retry.data["event_id"] == "Ev0TEST01"
    assert "X-Slack-Retry-Num" not in first.headers
    assert (retry.headers["X-Slack-Retry-Num"], retry.headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")


async def test_app_mention_and_home_opened(bot: FakeBot, double: SlackDouble) -> None:
    await double.send_app_mention("U0GIULIA1", "digest please", "C0CASES01")
    mention = bot.received[0].data["event"]
    assert (mention["type"], mention["text"], mention["channel"]) == (
        "app_mention",
        "<@U0BOT0001> digest please",
        "C0CASES01",
    )
    assert double.messages("C0CASES01")[0].text == "<@U0BOT0001> digest please"
    await double.send_app_home_opened("U0GIULIA1")
    assert bot.received[1].data["event"]["type"] == "app_home_opened"


async def test_url_verification(bot: FakeBot, double: SlackDouble) -> None:
    reply = await double.send_url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert reply.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


# ---- interactivity -----------------------------------------------------------------------------------------------


async def test_button_click_and_replace_original(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C0OPS0001", text="Task 42", blocks=task_card("42"))

    async def mark_done(received: Received) -> web.StreamResponse:
        url = received.data["response_url"]
        await post_json(url, {"replace_original": True, "text": "Task 42 done ✅"})
        return web.Response()

    bot.respond = mark_done
    await double.send_block_action("U0MARIA01", "task_done")
    payload = bot.received[0].data
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C0OPS0001",
        "is_ephemeral": False,
    }
    assert payload["actions"][0]["value"] == "42"
    assert payload["message"]["ts"] == posted["ts"]
    [message] = double.messages("C0OPS0001")
    assert (message.ts, message.text, message.blocks) == (posted["ts"], "Task 42 done ✅", [])


async def test_button_on_ephemeral(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    await client.chat_postEphemeral(channel="C0OPS0001", user="U0LUCA001", text="Confirm?", blocks=task_card("7"))

    async def delete_it(received: Received) -> web.StreamResponse:
        await post_json(received.data["response_url"], {"delete_original": True})
        return web.Response()

    bot.respond = delete_it
    await double.send_block_action("U0LUCA001", "task_done", "7")
    payload = bot.received[0].data
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload
    assert double.ephemerals("U0LUCA001") == []


async def test_block_action_not_found_is_a_clear_error(bot: FakeBot, double: SlackDouble) -> None:
    with pytest.raises(LookupError, match="no_such_action"):
        await double.send_block_action("U0MARIA01", "no_such_action")


async def _open_modal(double: SlackDouble, client: AsyncWebClient, view: dict[str, Any], user: str) -> dict[str, Any]:
    opened = await client.views_open(trigger_id=double.issue_trigger_id(user), view=view)
    result: dict[str, Any] = opened["view"]
    return result


TASK_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "task_new",
    "private_metadata": '{"channel": "C0OPS0001"}',
    "title": {"type": "plain_text", "text": "New task"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        {
            "type": "input",
            "block_id": "due",
            "label": {"type": "plain_text", "text": "Due"},
            "element": {"type": "datepicker", "action_id": "date"},
        },
        {
            "type": "input",
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Who"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Maria"}, "value": "U0MARIA01"},
                    {"text": {"type": "plain_text", "text": "Luca"}, "value": "U0LUCA001"},
                ],
            },
        },
    ],
}


async def test_view_submission_errors_then_close(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    await _open_modal(double, client, TASK_MODAL, "U0GIULIA1")

    async def validate(received: Received) -> web.StreamResponse:
        values = received.data["view"]["state"]["values"]
        if not values["title"]["value"]["value"]:
            return web.json_response({"response_action": "errors", "errors": {"title": "Required"}})
        return web.Response()

    bot.respond = validate
    rejected = await double.send_view_submission(
        "U0GIULIA1", None, {"title": {"value": ""}, "due": {"date": "2024-05-10"}, "who": {"pick": "U0LUCA001"}}
    )
    assert rejected.json()["errors"] == {"title": "Required"}
    assert len(double.open_views("U0GIULIA1")) == 1
    state = bot.received[0].data["view"]["state"]["values"]
    assert state["due"]["date"] == {"type": "datepicker", "selected_date": "2024-05-10"}
    assert state["who"]["pick"]["selected_option"]["text"]["text"] == "Luca"
    assert bot.received[0].data["view"]["private_metadata"] == '{"channel": "C0OPS0001"}'

    await double.send_view_submission("U0GIULIA1", None, {"title": {"value": "Buy flour"}})
    assert double.open_views("U0GIULIA1") == []


async def test_view_submission_update_and_push(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    view = await _open_modal(double, client, TASK_MODAL, "U0GIULIA1")
    step2: dict[str, Any] = {"type": "modal", "title": {"type": "plain_text", "text": "Step 2"}, "blocks": []}

    async def push(received: Received) -> web.StreamResponse:
        return web.json_response({"response_action": "push", "view": step2})

    bot.respond = push
    await double.send_view_submission("U0GIULIA1", view, {"title": {"value": "x"}})
    assert [v["title"]["text"] for v in double.open_views("U0GIULIA1")] == ["New task", "Step 2"]

    async def update(received: Received) -> web.StreamResponse:
        return web.json_response(
            {"response_action": "update", "view": {**step2, "title": {**step2["title"], "text": "Done"}}}
        )

    bot.respond = update
    await double.send_view_submission("U0GIULIA1")
    assert [v["title"]["text"] for v in double.open_views("U0GIULIA1")] == ["New task", "Done"]

    async def clear(received: Received) -> web.StreamResponse:
        return web.json_response({"response_action": "clear"})

    bot.respond = clear
    await double.send_view_submission("U0GIULIA1")
    assert double.open_views("U0GIULIA1") == []


async def test_view_closed_only_when_asked(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    await _open_modal(double, client, TASK_MODAL, "U0SAM0001")
    assert await double.send_view_closed("U0SAM0001") is None
    await _open_modal(double, client, {**TASK_MODAL, "notify_on_close": True}, "U0SAM0001")
    reply = await double.send_view_closed("U0SAM0001")
    assert reply is not None
    assert bot.received[0].data["type"] == "view_closed"
    assert double.open_views("U0SAM0001") == []


# ---- faithfulness to captured payloads ---------------------------------------------------------------------------


def _captured_value(action: dict[str, Any]) -> Any:
    for key in ("selected_option",):
        if isinstance(action.get(key), dict):
            return action[key]["value"]
    if "selected_options" in action:
        return [option["value"] for option in action["selected_options"]]
    for key in ("selected_date", "selected_time", "selected_conversation", "selected_channels", "value"):
        if key in action:
            return action[key]
    return None


MESSAGE_ACTIONS = [
    p.name for p in captured_payload_files("block_action_*.json") if p.name != "block_action_in_modal.json"
]


@pytest.mark.parametrize("name", MESSAGE_ACTIONS)
async def test_block_actions_match_captured_shape(
    name: str, bot: FakeBot, double: SlackDouble, client: AsyncWebClient
) -> None:
    real = captured(name)
    real_action = real["actions"][0]
    await client.chat_postMessage(channel="C0OPS0001", text=real["message"]["text"], blocks=real["message"]["blocks"])
    await double.send_block_action(
        "U0MARIA01", real_action["action_id"], _captured_value(real_action), block_id=real_action["block_id"]
    )
    ours = bot.received[0].data
    assert set(ours) == set(real)
    assert set(ours["user"]) == set(real["user"])
    assert set(ours["container"]) == set(real["container"])
    assert set(ours["team"]) == set(real["team"])
    assert set(ours["channel"]) == set(real["channel"])
    assert set(ours["actions"][0]) == set(real_action)
    assert set(ours["message"]) <= set(real["message"]) | {"metadata"}
    for key in real_action:
        if key.startswith("selected_") or key in ("value", "type", "text", "style", "block_id", "action_id"):
            assert ours["actions"][0][key] == real_action[key], key


async def test_block_action_in_modal_matches_captured_shape(
    bot: FakeBot, double: SlackDouble, client: AsyncWebClient
) -> None:
    real = captured("block_action_in_modal.json")
    spec = {k: real["view"][k] for k in ("type", "title", "blocks", "submit", "close", "callback_id")}
    await _open_modal(double, client, spec, "U0MARIA01")
    await double.send_block_action("U0MARIA01", "datepicker-action", "1990-04-18")
    ours = bot.received[0].data
    assert set(ours) == set(real)
    assert ours["container"] == {"type": "view", "view_id": double.open_views("U0MARIA01")[0]["id"]}
    assert set(ours["view"]) == set(real["view"])
    assert ours["actions"][0] == {**real["actions"][0], "action_ts": ours["actions"][0]["action_ts"]}
    assert double.open_views("U0MARIA01")[0]["state"]["values"]["sLIvA"]["datepicker-action"]["selected_date"] == (
        "1990-04-18"
    )


async def test_view_submission_and_closed_match_captured_shape(
    bot: FakeBot, double: SlackDouble, client: AsyncWebClient
) -> None:
    real = captured("view_submission.json")
    spec = {k: real["view"][k] for k in ("type", "title", "blocks", "submit", "close")}
    await _open_modal(double, client, {**spec, "notify_on_close": True}, "U0MARIA01")
    real_values = real["view"]["state"]["values"]
    await double.send_view_submission(
        "U0MARIA01",
        None,
        {
            "it2e/": {"Ni5tz": "Pay better"},
            **{block: actions for block, actions in real_values.items() if block != "it2e/"},
        },
    )
    ours = bot.received[0].data
    assert set(ours) == set(real)
    assert set(ours["view"]) == set(real["view"])
    assert set(ours["user"]) == set(real["user"])
    assert ours["view"]["state"]["values"] == real_values

    await _open_modal(double, client, {**spec, "notify_on_close": True}, "U0MARIA01")
    await double.send_view_closed("U0MARIA01")
    closed = bot.received[1].data
    real_closed = captured("view_closed.json")
    assert set(closed) == set(real_closed)
    assert set(closed["view"]) == set(real_closed["view"])


# ---- waiting -----------------------------------------------------------------------------------------------------


async def test_wait_for_sees_later_changes(double: SlackDouble, client: AsyncWebClient) -> None:
    async def post_soon() -> None:
        await asyncio.sleep(0.05)
        await client.chat_postMessage(channel="C0OPS0001", text="later")

    task = asyncio.create_task(post_soon())
    message = await double.wait_for(lambda: next(iter(double.messages("C0OPS0001")), None), timeout=1.0)
    await task
    assert message.text == "later"


async def test_wait_for_timeout_describes_what_was_seen(double: SlackDouble, client: AsyncWebClient) -> None:
    await client.chat_postMessage(channel="C0OPS0001", text="something else")
    with pytest.raises(TimeoutError) as raised:
        await double.wait_for(lambda: next((m for m in double.messages("C0OPS0001") if m.text == "x"), None), 0.1)
    description = str(raised.value)
    assert "nothing matched within 0.1s" in description
    assert "something else" in description
    assert "chat.postMessage→200" in description
