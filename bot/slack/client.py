"""The Web API client every outgoing call goes through, with slack-sdk's own retry handlers."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.slack.pacing import ChannelPacer, PacedWebClient

# 429s honour Retry-After; server errors and dropped connections are retried with backoff.
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


def build_web_client(
    token: str,
    base_url: str,
    session: aiohttp.ClientSession | None = None,
    pacer: ChannelPacer | None = None,
    observer: AsyncRetryHandler | None = None,
) -> PacedWebClient:
    """With a `session`, calls reuse its pooled connections; without one slack_sdk opens one per call.

    `observer` sees every response and connection error before the retry handlers (slack-sdk asks them in order
    and stops at the first that retries); it must never ask for a retry itself (see bot.metrics).
    """
    return PacedWebClient(
        token=token,
        base_url=base_url,
        session=session,
        pacer=pacer,
        retry_handlers=[
            *([observer] if observer is not None else []),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        ],
    )
