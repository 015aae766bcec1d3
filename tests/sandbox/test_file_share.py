"""A person drops a file into their DM with the bot: the file_share event, files.info, and the private download."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble

from .conftest import START, FakeBot

ROTA = "data;inizio;fine;persona\n04/12/2026;7:00;15:00;Niccolò\n".encode()


async def download(url: str, token: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.read()


async def test_file_share_event_reaches_the_app_with_slacks_shape(bot: FakeBot, double: SlackDouble) -> None:
    reply = await double.send_file_share_im("U0MARIA01", "turni dicembre.csv", ROTA, text="ecco i turni")
    assert reply.acked_in_time
    [request] = bot.received
    envelope = request.data
    assert (envelope["type"], envelope["team_id"], envelope["api_app_id"]) == (
        "event_callback",
        "T0OPS0001",
        "A0OPS0001",
    )
    event = envelope["event"]
    assert (event["type"], event["subtype"], event["channel_type"], event["channel"], event["user"]) == (
        "message",
        "file_share",
        "im",
        "D0MARIA01",
        "U0MARIA01",
    )
    assert (event["text"], event["upload"], event["display_as_bot"]) == ("ecco i turni", True, False)
    assert event["ts"] == event["event_ts"]
    assert event["blocks"][0]["type"] == "rich_text"
    [file] = event["files"]
    [record] = double.files
    assert file["id"] == record.id
    assert file["id"].startswith("F")
    assert (file["name"], file["title"], file["mimetype"], file["filetype"], file["pretty_type"]) == (
        "turni dicembre.csv",
        "turni dicembre.csv",
        "text/csv",
        "csv",
        "CSV",
    )
    assert (file["size"], file["user"], file["user_team"], file["created"]) == (
        len(ROTA),
        "U0MARIA01",
        "T0OPS0001",
        START,
    )
    assert (file["mode"], file["is_external"], file["is_public"], file["ims"], file["channels"]) == (
        "hosted",
        False,
        False,
        ["D0MARIA01"],
        [],
    )
    assert file["url_private"].startswith(double.base_url + "files-pri/T0OPS0001-" + record.id + "/")
    assert file["url_private_download"].startswith(file["url_private"])


async def test_the_share_is_seen_in_the_dm_and_stored_as_the_persons_file(bot: FakeBot, double: SlackDouble) -> None:
    await double.send_file_share_im("U0LUCA001", "rota.xlsx", b"PK\x03\x04", mimetype="application/vnd.ms-excel")
    [message] = double.dm("U0LUCA001")
    [record] = message.files
    assert (message.user, message.text, message.from_bot) == ("U0LUCA001", "", False)
    assert (record.user, record.channels, record.content, record.filename) == (
        "U0LUCA001",
        ("D0LUCA001",),
        b"PK\x03\x04",
        "rota.xlsx",
    )
    event = bot.received[0].data["event"]
    assert "blocks" not in event  # a file without a message carries no rich text
    assert event["text"] == ""
    assert event["files"][0]["mimetype"] == "application/vnd.ms-excel"
    assert message.to_slack()["files"][0]["id"] == record.id


async def test_event_id_is_kept_for_retries(bot: FakeBot, double: SlackDouble) -> None:
    await double.send_file_share_im("U0SAM0001", "rota.csv", ROTA, event_id="Ev0FILE01")
    assert bot.received[0].data["event_id"] == "Ev0FILE01"


async def test_unknown_person_is_a_clear_error(bot: FakeBot, double: SlackDouble) -> None:
    with pytest.raises(LookupError, match="U0NOBODY1"):
        await double.send_file_share_im("U0NOBODY1", "rota.csv", ROTA)
    assert bot.received == []


async def test_the_file_downloads_with_the_bot_token_only(bot: FakeBot, double: SlackDouble) -> None:
    await double.send_file_share_im("U0MARIA01", "turni dicembre.csv", ROTA)
    file = bot.received[0].data["event"]["files"][0]
    for url in (file["url_private"], file["url_private_download"]):
        assert await download(url, double.bot_token) == (200, ROTA)
        assert (await download(url, None))[0] == 403
        assert (await download(url, "xoxb-someone-else"))[0] == 403


async def test_files_info(bot: FakeBot, double: SlackDouble, client: AsyncWebClient) -> None:
    await double.send_file_share_im("U0MARIA01", "rota.csv", ROTA)
    shared = bot.received[0].data["event"]["files"][0]
    info = await client.files_info(file=shared["id"])
    assert info["ok"] is True
    assert info["file"] == shared
    assert info["comments"] == []
    with pytest.raises(SlackApiError) as unknown:
        await client.files_info(file="F0NOSUCH1")
    assert unknown.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as missing:
        await client.api_call("files.info", params={})
    assert missing.value.response["error"] == "invalid_arguments"
    assert [c.method for c in double.calls_to("files.info")] == ["files.info"] * 3


async def test_files_info_also_knows_the_bots_own_uploads(client: AsyncWebClient, double: SlackDouble) -> None:
    uploaded = await client.files_upload_v2(channel="C0OPS0001", content=b"a,b\n", filename="export.csv")
    info = await client.files_info(file=uploaded["file"]["id"])
    assert (info["file"]["name"], info["file"]["user"], info["file"]["channels"]) == (
        "export.csv",
        "U0BOT0001",
        ["C0OPS0001"],
    )


# ---- a real Bolt app reads the shared file as the bot will ---------------------------------------------------------


@pytest.fixture
async def bolt_reader(double: SlackDouble) -> AsyncIterator[AsyncApp]:
    app = AsyncApp(
        signing_secret=double.signing_secret,
        client=AsyncWebClient(token=double.bot_token, base_url=double.api_url),
    )

    @app.event({"type": "message", "subtype": "file_share"})
    async def file_shared(event: dict[str, Any], client: AsyncWebClient, say: AsyncSay) -> None:
        info = await client.files_info(file=event["files"][0]["id"])
        status, content = await download(info["file"]["url_private_download"], client.token)
        await say(f"{info['file']['name']}: {status}, {len(content)} bytes, {content.decode().count(chr(10))} lines")

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    double.connect_app(f"http://{host}:{port}/slack/events")
    yield app
    await runner.cleanup()


@pytest.mark.usefixtures("bolt_reader")
async def test_bolt_app_receives_the_share_and_downloads_the_file(double: SlackDouble) -> None:
    reply = await double.send_file_share_im("U0GIULIA1", "rota.csv", ROTA, text="new rota")
    assert reply.status == 200
    answer = await double.wait_for(lambda: next((m for m in double.dm("U0GIULIA1") if m.from_bot), None))
    assert answer.text == f"rota.csv: 200, {len(ROTA)} bytes, 2 lines"
    assert [c.method for c in double.calls if c.method != "auth.test"] == ["files.info", "chat.postMessage"]
