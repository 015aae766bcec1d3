"""A real Bolt app against the double: acks, respond(), the Web API client and modals work as with Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble


@pytest.fixture
async def bolt(double: SlackDouble) -> AsyncIterator[AsyncApp]:
    app = AsyncApp(
        signing_secret=double.signing_secret,
        client=AsyncWebClient(token=double.bot_token, base_url=double.api_url),
    )

    @app.command("/ops")
    async def ops(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        if body["text"] == "new":
            await client.views_open(
                trigger_id=body["trigger_id"],
                view={
                    "type": "modal",
                    "callback_id": "task_new",
                    "title": {"type": "plain_text", "text": "New task"},
                    "submit": {"type": "plain_text", "text": "Save"},
                    "blocks": [
                        {
                            "type": "input",
                            "block_id": "title",
                            "label": {"type": "plain_text", "text": "Title"},
                            "element": {"type": "plain_text_input", "action_id": "value"},
                        }
                    ],
                },
            )
            return
        await respond(
            text="Task: buy flour",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": "*Buy flour*"}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "task_done",
                            "text": {"type": "plain_text", "text": "Done"},
                            "value": "t1",
                        }
                    ],
                },
            ],
        )

    @app.action("task_done")
    async def done(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(replace_original=True, text=f"Done by <@{body['user']['id']}>")

    @app.view("task_new")
    async def save(ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        title = view["state"]["values"]["title"]["value"]["value"]
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Saved: {title}")

    @app.event("message")
    async def dm(event: dict[str, Any], say: Any) -> None:
        await say(f"echo {event['text']}")

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    double.connect_app(f"http://{host}:{port}/slack/events")
    yield app
    await runner.cleanup()


async def test_command_button_and_respond(bolt: AsyncApp, double: SlackDouble) -> None:
    assert (await double.send_command("U0MARIA01", "list")).status == 200
    card = await double.wait_for(lambda: next(iter(double.ephemerals("U0MARIA01")), None))
    assert card.text == "Task: buy flour"
    assert (await double.send_block_action("U0MARIA01", "task_done")).status == 200
    done = await double.wait_for(
        lambda: next((e for e in double.ephemerals("U0MARIA01") if e.text.startswith("Done")), None)
    )
    assert done.text == "Done by <@U0MARIA01>"
    assert len(double.ephemerals("U0MARIA01")) == 1


async def test_modal_submission_and_dm(bolt: AsyncApp, double: SlackDouble) -> None:
    await double.send_command("U0LUCA001", "new")
    [view] = await double.wait_for(lambda: double.open_views("U0LUCA001") or None)
    assert view["callback_id"] == "task_new"
    await double.send_view_submission("U0LUCA001", view, {"title": {"value": "Buy flour"}})
    assert double.open_views("U0LUCA001") == []
    saved = await double.wait_for(lambda: next(iter(double.dm("U0LUCA001")), None))
    assert saved.text == "Saved: Buy flour"

    await double.send_message_im("U0LUCA001", "hello")
    echo = await double.wait_for(lambda: next((m for m in double.dm("U0LUCA001") if m.text == "echo hello"), None))
    assert echo.from_bot
