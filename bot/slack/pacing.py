"""Slack accepts about one message a second per channel; scheduled posts are spaced to stay under it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

PER_CHANNEL_INTERVAL = 1.0
# Channels remembered at most; older entries are long past their interval and can go.
MAX_TRACKED = 10_000


class ChannelPacer:
    def __init__(self, interval: float = PER_CHANNEL_INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._next_free: dict[str, float] = {}

    async def wait(self, channel: str) -> None:
        """Return when a post to `channel` keeps the channel under one message per interval."""
        now = self._clock()
        free_at = max(self._next_free.get(channel, now), now)
        self._next_free[channel] = free_at + self._interval  # reserve the slot before sleeping
        if len(self._next_free) > MAX_TRACKED:
            self._forget_before(now)
        if free_at > now:
            await asyncio.sleep(free_at - now)

    def _forget_before(self, now: float) -> None:
        for channel in [c for c, free_at in self._next_free.items() if free_at <= now]:
            del self._next_free[channel]


class PacedWebClient(AsyncWebClient):
    """The bot's own Web API client: posts wait their turn per channel; everything else is unchanged.

    Bolt gives request handlers their own client, so replies to a person are never held back; what goes
    through this one are the engine's scheduled posts, which can come in bursts (a backlog, a busy minute).
    """

    def __init__(self, *args: Any, pacer: ChannelPacer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer or ChannelPacer()

    async def chat_postMessage(self, *, channel: str, **kwargs: Any) -> AsyncSlackResponse:
        await self.pacer.wait(channel)
        return await super().chat_postMessage(channel=channel, **kwargs)
