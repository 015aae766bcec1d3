"""Slack's protocol at the door: signatures, URL verification, retries, rate limits, events."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from sqlalchemy import func, select

from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import Workspace
from storage.models import ProcessedRequest, UserProfileRow
from tests.e2e.conftest import GIULIA, LUCA, MARIA, TEAM, RunningBot


async def rows(running: RunningBot, model: type[ProcessedRequest] | type[UserProfileRow]) -> int:
    async with running.bot.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


async def test_url_verification_echoes_the_challenge(running: RunningBot, double: SlackDouble) -> None:
    reply = await double.send_url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert reply.status == 200
    assert reply.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_unsigned_forged_and_stale_requests_get_401_and_write_nothing(
    running: RunningBot, double: SlackDouble
) -> None:
    body = urlencode({"command": "/ops", "text": "help", "team_id": TEAM, "user_id": LUCA, "trigger_id": "1.2.x"})
    unsigned = await double.send_raw(body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    forged = await double.send_command(LUCA, "help", secret="not-the-signing-secret")
    stale = await double.send_command(LUCA, "help", timestamp=int(time.time()) - 6 * 60)
    forged_event = await double.send_event(
        {"type": "message", "channel_type": "im", "user": LUCA, "text": "help", "channel": "D0LUCA001"},
        secret="not-the-signing-secret",
    )
    assert [unsigned.status, forged.status, stale.status, forged_event.status] == [401, 401, 401, 401]
    verification = await double.send_url_verification("x", secret="wrong")
    assert verification.status == 401
    # Nothing got past the door: no Web API call was made and nothing was stored.
    assert double.calls == []
    assert await rows(running, ProcessedRequest) == 0
    assert await rows(running, UserProfileRow) == 0


async def test_a_direct_message_gets_an_answer_in_the_dm(running: RunningBot, double: SlackDouble) -> None:
    reply = await double.send_message_im(LUCA, "help")
    assert reply.status == 200
    answer = await double.wait_for(lambda: next((m for m in double.dm(LUCA) if m.from_bot), None))
    assert "what I can do" in answer.all_text()

    await double.send_message_im(MARIA, "ciao")
    greeting = await double.wait_for(lambda: next((m for m in double.dm(MARIA) if m.from_bot), None))
    assert "Ciao! Sono Ops Assistant" in greeting.all_text()

    await double.send_message_im(LUCA, "what is the meaning of life")
    puzzled = await double.wait_for(
        lambda: next((m for m in double.dm(LUCA) if m.from_bot and "didn't understand" in m.all_text()), None)
    )
    assert "“what is the meaning of life”" in puzzled.all_text()


async def test_a_mention_is_answered_in_its_thread(running: RunningBot, double: SlackDouble) -> None:
    await double.send_app_mention(LUCA, "help", "C0OPS0001")
    answer = await double.wait_for(lambda: next((m for m in double.messages("C0OPS0001") if m.from_bot), None))
    question = next(m for m in double.messages("C0OPS0001") if not m.from_bot)
    assert answer.thread_ts == question.ts
    assert "what I can do" in answer.all_text()


async def test_a_retried_event_is_acknowledged_and_ignored(running: RunningBot, double: SlackDouble) -> None:
    first = await double.send_message_im(LUCA, "help", event_id="Ev0RETRY01")
    await double.wait_for(lambda: next((m for m in double.dm(LUCA) if m.from_bot), None))
    retry = await double.send_message_im(LUCA, "help", event_id="Ev0RETRY01")
    again = await double.send_event(
        {"type": "message", "channel_type": "im", "user": LUCA, "text": "help", "channel": "D0LUCA001"},
        event_id="Ev0RETRY01",
        retry_num=1,
    )
    assert [first.status, retry.status, again.status] == [200, 200, 200]
    # A fresh event is still answered, which proves the bot was listening while it ignored the retries.
    await double.send_message_im(LUCA, "hello", event_id="Ev0FRESH01")
    await double.wait_for(lambda: next((m for m in double.dm(LUCA) if m.from_bot and "Hello!" in m.all_text()), None))
    answers = [m for m in double.dm(LUCA) if m.from_bot]
    assert len(answers) == 2
    assert len(double.calls_to("chat.postMessage")) == 2


async def test_a_rate_limited_post_is_retried_until_it_arrives(running: RunningBot, double: SlackDouble) -> None:
    double.rate_limit("chat.postMessage", times=1, retry_after=0)
    await double.send_message_im(GIULIA, "aiuto")
    answer = await double.wait_for(lambda: next((m for m in double.dm(GIULIA) if m.from_bot), None), timeout=5)
    assert "cosa so fare" in answer.all_text()
    statuses = [call.status for call in double.calls_to("chat.postMessage")]
    assert statuses == [429, 200]
    assert len([m for m in double.dm(GIULIA) if m.from_bot]) == 1


async def test_opening_the_home_tab_publishes_a_personal_view(running: RunningBot, double: SlackDouble) -> None:
    await double.send_app_home_opened(MARIA)
    view = await double.wait_for(lambda: double.home_view(MARIA))
    assert view["type"] == "home"
    text = str(view["blocks"])
    assert "Il tuo ruolo: *personale*" in text
    assert "Europe/Rome" in text


async def test_profiles_are_cached_not_fetched_per_request(running: RunningBot, double: SlackDouble) -> None:
    for _ in range(3):
        await double.send_command(LUCA, "help")
    assert len(double.calls_to("users.info")) == 1
    assert await rows(running, UserProfileRow) == 1


async def test_a_reaction_nobody_registered_is_acknowledged_quietly(running: RunningBot, double: SlackDouble) -> None:
    reply = await double.send_event(
        {
            "type": "reaction_added",
            "user": LUCA,
            "reaction": "thumbsup",
            "item": {"type": "message", "channel": "C0OPS0001", "ts": "1700000000.000100"},
            "item_user": MARIA,
            "event_ts": "1700000001.000200",
        }
    )
    assert reply.status == 200
    assert double.calls_to("chat.postMessage") == []


def test_the_sample_workspace_is_what_these_tests_assume() -> None:
    workspace = Workspace.sample()
    assert workspace.team_id == TEAM
    assert {user.id for user in workspace.users} >= {GIULIA, LUCA, MARIA}


async def test_a_replayed_shortcut_has_one_effect(running: RunningBot, double: SlackDouble) -> None:
    message = double.post_as(MARIA, "The freezer in the back is at -12", "C0OPS0001")
    trigger = double.issue_trigger_id(LUCA)
    first = await double.send_message_shortcut(LUCA, "log_case", message, trigger_id=trigger)
    replay = await double.send_message_shortcut(LUCA, "log_case", message, trigger_id=trigger)
    assert [first.status, replay.status] == [200, 200]
    form = await double.wait_for(lambda: next(iter(double.open_views(LUCA)), None))
    assert "The freezer in the back is at -12" in str(form["blocks"])
    # The replayed interaction (same trigger id) had no second effect: one form, one recorded request.
    assert len(double.calls_to("views.open")) == 1
    assert await rows(running, ProcessedRequest) == 1
