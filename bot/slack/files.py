"""Reading a file someone shared with the bot: `url_private_download` with the bot token (scope `files:read`)."""

from __future__ import annotations

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30)


class DownloadError(Exception):
    """The file could not be read: `reason` is one of `not_found`, `no_access`, `too_big`, `failed`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def download(client: AsyncWebClient, url: str, *, limit: int) -> bytes:
    """The file's bytes, at most `limit` of them. Without `files:read` Slack answers a private file URL with its
    sign-in page (HTML, status 200) rather than an error, so an HTML answer counts as no access."""
    headers = {"Authorization": f"Bearer {client.token}"}
    own_session = client.session is None
    session = client.session or aiohttp.ClientSession()
    try:
        async with session.get(url, headers=headers, timeout=DOWNLOAD_TIMEOUT) as response:
            if response.status == 404:
                raise DownloadError("not_found")
            if response.status in (401, 403) or response.content_type == "text/html":
                raise DownloadError("no_access")
            if response.status != 200:
                raise DownloadError("failed")
            content = await response.content.read(limit + 1)
    except aiohttp.ClientError as exc:
        raise DownloadError("failed") from exc
    finally:
        if own_session:
            await session.close()
    if len(content) > limit:
        raise DownloadError("too_big")
    return content
