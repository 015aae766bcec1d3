"""The Web API as slack_sdk's AsyncWebClient sees it: happy paths, Slack's errors and Slack's limits."""

from __future__ import annotations

import random
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble

from .conftest import FakeClock


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "New task"}, "blocks": blocks, **extra}


async def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return str(raised.value.response["error"])


async def test_auth_test(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["user_id"] == "U0BOT0001"
    assert response["bot_id"] == "B0BOT0001"
    assert response["team_id"] == "T0OPS0001"


async def test_bad_or_missing_token(double: SlackDouble) -> None:
    assert await api_error(AsyncWebClient(token="xoxb-wrong", base_url=double.api_url).auth_test()) == "invalid_auth"
    async with aiohttp.ClientSession() as session, session.post(double.api_url + "auth.test") as response:
        assert response.status == 200
        assert await response.json() == {"ok": False, "error": "not_authed"}


async def test_token_as_form_parameter(double: SlackDouble) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(double.api_url + "auth.test", data={"token": double.bot_token}) as response,
    ):
        assert (await response.json())["ok"] is True


async def test_unknown_method(client: AsyncWebClient) -> None:
    assert await api_error(client.api_call("chat.frobnicate")) == "unknown_method"


async def test_post_message_is_visible_with_metadata_and_thread(client: AsyncWebClient, double: SlackDouble) -> None:
    first = await client.chat_postMessage(
        channel="C0OPS0001",
        text="Task added",
        blocks=[section("*Buy flour*")],
        metadata={"event_type": "task_created", "event_payload": {"id": 7}},
    )
    assert first["channel"] == "C0OPS0001"
    assert first["message"]["text"] == "Task added"
    assert first["message"]["bot_id"] == "B0BOT0001"
    reply = await client.chat_postMessage(channel="C0OPS0001", text="in thread", thread_ts=first["ts"])
    assert float(reply["ts"]) > float(first["ts"])
    seen = double.messages("C0OPS0001")
    assert [m.text for m in seen] == ["Task added", "in thread"]
    assert seen[0].metadata == {"event_type": "task_created", "event_payload": {"id": 7}}
    assert seen[0].blocks[0]["block_id"]  # Slack fills block_id in
    assert seen[1].thread_ts == first["ts"]
    assert seen[0].ts == "1700000000.000000"


async def test_post_message_errors(client: AsyncWebClient) -> None:
    assert await api_error(client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert await api_error(client.chat_postMessage(channel="C0SUPPLY1", text="x")) == "not_in_channel"
    # Through api_call: slack_sdk itself warns (an error here) about a message without text.
    assert await api_error(client.api_call("chat.postMessage", json={"channel": "C0OPS0001"})) == "no_text"


async def test_post_by_name_and_to_user_goes_to_dm(client: AsyncWebClient, double: SlackDouble) -> None:
    by_name = await client.chat_postMessage(channel="#ops", text="hi ops")
    assert by_name["channel"] == "C0OPS0001"
    response = await client.chat_postMessage(channel="U0MARIA01", text="Ciao Maria")
    assert response["channel"] == "D0MARIA01"
    assert [m.text for m in double.dm("U0MARIA01")] == ["Ciao Maria"]


async def test_message_limits(client: AsyncWebClient, double: SlackDouble) -> None:
    assert await api_error(client.chat_postMessage(channel="C0OPS0001", text="x", blocks=[section("b")] * 51)) == (
        "invalid_blocks"
    )
    ok = await client.chat_postMessage(channel="C0OPS0001", text="x", blocks=[section("b")] * 50)
    assert ok["ok"]
    too_long = [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}]
    assert await api_error(client.chat_postMessage(channel="C0OPS0001", text="x", blocks=too_long)) == "invalid_blocks"
    header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    assert await api_error(client.chat_postMessage(channel="C0OPS0001", text="x", blocks=header)) == "invalid_blocks"
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 3001}}
    nested = [{"type": "actions", "elements": [button]}]
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C0OPS0001", text="x", blocks=nested)
    assert "/blocks/0/elements/0/text/text" in raised.value.response["response_metadata"]["messages"][0]
    assert len(double.messages("C0OPS0001")) == 1


async def test_post_ephemeral(client: AsyncWebClient, double: SlackDouble) -> None:
    response = await client.chat_postEphemeral(channel="C0OPS0001", user="U0LUCA001", text="only you")
    assert response["message_ts"]
    assert [e.text for e in double.ephemerals("U0LUCA001")] == ["only you"]
    assert double.ephemerals("U0MARIA01") == []
    assert double.messages("C0OPS0001") == []
    error = await api_error(client.chat_postEphemeral(channel="C0OPS0001", user="U0SAM0001", text="x"))
    assert error == "user_not_in_channel"
    assert await api_error(client.chat_postEphemeral(channel="C0OPS0001", user="U0NOBODY", text="x")) == (
        "user_not_found"
    )


async def test_update_and_delete(client: AsyncWebClient, double: SlackDouble) -> None:
    posted = await client.chat_postMessage(channel="C0OPS0001", text="v1", blocks=[section("one")])
    updated = await client.chat_update(channel="C0OPS0001", ts=posted["ts"], text="v2")
    assert updated["text"] == "v2"
    [message] = double.messages("C0OPS0001")
    assert (message.text, message.edited_ts is not None) == ("v2", True)
    assert message.blocks[0]["text"]["text"] == "one"  # blocks left out are kept
    assert await api_error(client.chat_update(channel="C0OPS0001", ts="1.2", text="x")) == "message_not_found"
    await client.chat_delete(channel="C0OPS0001", ts=posted["ts"])
    assert double.messages("C0OPS0001") == []
    assert await api_error(client.chat_delete(channel="C0OPS0001", ts=posted["ts"])) == "message_not_found"


async def test_cannot_update_someone_elses_message(client: AsyncWebClient, double: SlackDouble) -> None:
    ts = double.post_as("U0MARIA01", "mine", "C0OPS0001").ts
    assert await api_error(client.chat_update(channel="C0OPS0001", ts=ts, text="x")) == "cant_update_message"


async def test_permalink(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C0OPS0001", text="x")
    link = await client.chat_getPermalink(channel="C0OPS0001", message_ts=posted["ts"])
    assert link["permalink"] == f"https://ops-demo.slack.com/archives/C0OPS0001/p{posted['ts'].replace('.', '')}"
    assert await api_error(client.chat_getPermalink(channel="C0OPS0001", message_ts="1.1")) == "message_not_found"


async def test_users_info_and_locale(client: AsyncWebClient) -> None:
    plain = (await client.users_info(user="U0GIULIA1"))["user"]
    assert plain["tz"] == "Europe/Rome"
    assert plain["tz_offset"] == 3600  # November 2023: CET
    assert plain["tz_label"] == "Central European Time"
    assert (plain["is_admin"], plain["is_owner"], plain["is_bot"]) == (True, True, False)
    assert plain["profile"]["real_name"] == "Giulia Bianchi"
    assert plain["profile"]["display_name"] == "giulia"
    assert plain["profile"]["email"] == "giulia@ops-demo.example"
    assert "locale" not in plain
    with_locale = (await client.users_info(user="U0GIULIA1", include_locale=True))["user"]
    assert with_locale["locale"] == "it-IT"
    assert await api_error(client.users_info(user="U0NOBODY")) == "user_not_found"


async def test_tz_offset_follows_the_clock(client: AsyncWebClient, clock: FakeClock) -> None:
    clock.now = 1_720_000_000.0  # July 2024: CEST
    assert (await client.users_info(user="U0MARIA01"))["user"]["tz_offset"] == 7200


async def test_users_list_pagination(client: AsyncWebClient) -> None:
    ids: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await client.users_list(limit=4, cursor=cursor)
        ids += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 2
    assert ids[0] == "U0BOT0001"
    assert len(ids) == len(set(ids)) == 6
    assert await api_error(client.users_list(cursor="%%%")) == "invalid_cursor"


async def test_lookup_by_email(client: AsyncWebClient) -> None:
    assert (await client.users_lookupByEmail(email="sam@ops-demo.example"))["user"]["id"] == "U0SAM0001"
    assert await api_error(client.users_lookupByEmail(email="x@y.z")) == "users_not_found"


async def test_conversations(client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users="U0LUCA001")
    assert opened["channel"]["id"] == "D0LUCA001"
    assert (await client.conversations_open(users=["U0LUCA001"]))["channel"]["id"] == "D0LUCA001"
    info = (await client.conversations_info(channel="C0CASES01", include_num_members=True))["channel"]
    assert (info["name"], info["is_member"], info["num_members"]) == ("customer-cases", True, 3)
    assert (await client.conversations_info(channel="D0LUCA001"))["channel"]["user"] == "U0LUCA001"
    assert await api_error(client.conversations_info(channel="C0MISSING")) == "channel_not_found"
    assert await api_error(client.conversations_open(users="U0NOBODY")) == "user_not_found"


async def test_conversations_members_paginated(client: AsyncWebClient) -> None:
    first = await client.conversations_members(channel="C0GENERAL", limit=4)
    assert len(first["members"]) == 4
    rest = await client.conversations_members(channel="C0GENERAL", cursor=first["response_metadata"]["next_cursor"])
    assert rest["response_metadata"]["next_cursor"] == ""
    assert len(first["members"] + rest["members"]) == 6
    assert await api_error(client.conversations_members(channel="C0NOPE")) == "channel_not_found"


async def test_history_and_replies(client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(
        channel="C0OPS0001", text="p", metadata={"event_type": "k", "event_payload": {"occurrence": "a"}}
    )
    await client.chat_postMessage(channel="C0OPS0001", text="r", thread_ts=parent["ts"])
    await client.chat_postMessage(channel="C0OPS0001", text="q")
    history = await client.conversations_history(channel="C0OPS0001")
    assert [m["text"] for m in history["messages"]] == ["q", "p"]
    assert "metadata" not in history["messages"][1]
    with_metadata = await client.conversations_history(channel="C0OPS0001", include_all_metadata=True)
    assert with_metadata["messages"][1]["metadata"]["event_payload"] == {"occurrence": "a"}
    replies = await client.conversations_replies(channel="C0OPS0001", ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["p", "r"]
    assert await api_error(client.conversations_history(channel="C0SUPPLY1")) == "not_in_channel"


async def test_usergroup_users(client: AsyncWebClient) -> None:
    assert (await client.usergroups_users_list(usergroup="S0KITCHEN"))["users"] == ["U0MARIA01", "U0LUCA001"]
    assert await api_error(client.usergroups_users_list(usergroup="S0NONE")) == "no_such_subteam"


async def test_reactions(client: AsyncWebClient, double: SlackDouble) -> None:
    posted = await client.chat_postMessage(channel="C0OPS0001", text="done")
    await client.reactions_add(channel="C0OPS0001", timestamp=posted["ts"], name="white_check_mark")
    assert double.messages("C0OPS0001")[0].reactions == {"white_check_mark": ("U0BOT0001",)}
    again = client.reactions_add(channel="C0OPS0001", timestamp=posted["ts"], name="white_check_mark")
    assert await api_error(again) == "already_reacted"
    assert await api_error(client.reactions_add(channel="C0OPS0001", timestamp="1.1", name="x")) == (
        "message_not_found"
    )


async def test_rate_limit_then_success(double: SlackDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk adds up to 1 s of jitter to Retry-After; zero it so the test stays fast.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    double.rate_limit("chat.postMessage", times=1, retry_after=0)
    plain = AsyncWebClient(token=double.bot_token, base_url=double.api_url)
    with pytest.raises(SlackApiError) as raised:
        await plain.chat_postMessage(channel="C0OPS0001", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "0"
    assert raised.value.response["error"] == "ratelimited"

    double.rate_limit("chat.postMessage", times=2, retry_after=0)
    retrying = AsyncWebClient(token=double.bot_token, base_url=double.api_url)
    retrying.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    assert (await retrying.chat_postMessage(channel="C0OPS0001", text="x"))["ok"]
    assert [c.status for c in double.calls_to("chat.postMessage")] == [429, 429, 429, 200]
    assert len(double.messages("C0OPS0001")) == 1


async def test_calls_are_recorded_without_token(client: AsyncWebClient, double: SlackDouble) -> None:
    await client.users_info(user="U0SAM0001")
    [call] = double.calls
    assert (call.method, call.args, call.status, call.ok) == ("users.info", {"user": "U0SAM0001"}, 200, True)
    double.reset_records()
    assert double.calls == []
