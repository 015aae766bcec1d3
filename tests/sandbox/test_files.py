"""The three-step upload slack_sdk's files_upload_v2 performs, end to end against the double."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble

CSV = b"date,amount\n2024-05-01,12.50\n"


async def test_upload_v2_shares_file_in_channel(client: AsyncWebClient, double: SlackDouble) -> None:
    response = await client.files_upload_v2(
        channel="C0OPS0001", content=CSV, filename="books.csv", title="May books", initial_comment="Here you go"
    )
    file = response["file"]
    assert (file["name"], file["title"], file["size"], file["filetype"]) == ("books.csv", "May books", len(CSV), "csv")
    [record] = double.files
    assert (record.filename, record.title, record.content, record.channels) == (
        "books.csv",
        "May books",
        CSV,
        ("C0OPS0001",),
    )
    [message] = double.messages("C0OPS0001")
    assert message.text == "Here you go"
    assert [f.id for f in message.files] == [file["id"]]
    assert [c.method for c in double.calls] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]

    headers = {"Authorization": f"Bearer {double.bot_token}"}
    async with aiohttp.ClientSession() as session, session.get(record.url_private, headers=headers) as download:
        assert await download.read() == CSV


async def test_upload_to_dm_and_multipart(double: SlackDouble, client: AsyncWebClient) -> None:
    url = await client.files_getUploadURLExternal(filename="plan.pdf", length=3)
    form = aiohttp.FormData()
    form.add_field("file", b"pdf", filename="plan.pdf")
    async with aiohttp.ClientSession() as session, session.post(url["upload_url"], data=form) as uploaded:
        assert uploaded.status == 200
    await client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="U0SAM0001")
    [message] = double.dm("U0SAM0001")
    assert message.files[0].content == b"pdf"
    assert message.files[0].title == "plan.pdf"


async def test_complete_without_upload_fails(client: AsyncWebClient) -> None:
    url = await client.files_getUploadURLExternal(filename="a.txt", length=1)
    with pytest.raises(SlackApiError) as raised:
        await client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "a"}])
    assert raised.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as missing:
        await client.api_call("files.getUploadURLExternal", params={"filename": "a.txt"})
    assert missing.value.response["error"] == "invalid_arguments"
