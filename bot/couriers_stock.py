"""How the check-up after a stock order's approval reaches Slack.

Normally the approval itself sent the supplier's email and opened the delivery task, and the check-up finds
nothing to do. After a crash between the approval and those steps, or when the relay refused the email once, it
does what is missing and tells the manager who approved the order."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.access import AccessService
from bot.domain.reminders import Delivery
from bot.domain.stock import StockService
from bot.i18n import Translator
from bot.rendering import stock as render
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.stock")


class StockOrderCourier:
    def __init__(
        self, client: AsyncWebClient, stock: StockService, access: AccessService, translator: Translator
    ) -> None:
        self._client = client
        self._stock = stock
        self._access = access
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        actor = await self._access.actor(delivery.team, delivery.recipient)
        approval = await self._stock.resume_dispatch(actor, int(delivery.payload.get("order") or 0))
        if approval is None:
            return Skipped("the order's email and delivery task were already done")
        reply = render.dispatch_resumed(self._translator.bind(actor.language), approval)
        try:
            response = await self._client.chat_postMessage(channel=actor.user, **reply.as_message())
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # What was missing is done now; a retry finds nothing left to do, so the manager is not told twice.
            error = str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
            return Failed(error)
        return Sent(channel=str(response["channel"]), ts=str(response["ts"]))

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("could not tell the approver how order %s was finished: %s", delivery.payload.get("order"), error)
