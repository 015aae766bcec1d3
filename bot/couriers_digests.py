"""How digests reach Slack: claimed once per period by the reminder engine (a backlog coalesced into one), posted
late and marked so after downtime, and never twice after a crash halfway (the post carries its occurrence key)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.couriers import HISTORY_LIMIT, PERMANENT_ERRORS
from bot.digest_posts import METADATA_EVENT, DigestPoster
from bot.domain.digesting import DigestSubscriptions
from bot.domain.reminders import Delivery
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.digests")


class DigestCourier:
    def __init__(self, client: AsyncWebClient, subscriptions: DigestSubscriptions, poster: DigestPoster) -> None:
        self._client = client
        self._subscriptions = subscriptions
        self._poster = poster

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for delivery in sorted(deliveries, key=lambda d: d.due):
            outcomes[delivery.id] = await self._send_one(delivery)
        return outcomes

    async def _send_one(self, delivery: Delivery) -> Outcome:
        due = await self._subscriptions.due(delivery)
        if due is None:
            return Skipped("the digest was turned off or changed")
        if delivery.interrupted:
            found = await self._already_posted(due.subscription.target, delivery.occurrence_key)
            if found is not None:
                return Sent(channel=due.subscription.target, ts=found)
        try:
            posted = await self._poster.post(due.subscription, due.day_due, late=due.late, key=delivery.occurrence_key)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "slack_error")
            return Failed(error, retryable=error not in PERMANENT_ERRORS)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Failed(f"{type(exc).__name__}: {exc}")
        if posted is None:
            return Skipped("a quiet day, and this digest skips quiet days")
        return Sent(channel=posted[0], ts=posted[1])

    async def _already_posted(self, channel: str, key: str) -> str | None:
        try:
            history = await self._client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
        except SlackApiError:
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and key in str(
                (metadata.get("event_payload") or {}).get("occurrence_keys", "")
            ):
                return str(message.get("ts"))
        return None

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("digest %s could not be posted: %s", delivery.payload.get("subscription"), error)
