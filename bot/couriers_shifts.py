"""How a shift start reaches Slack: the duties it hands out (tasks, checklists) DMed to whoever works it."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.couriers import PERMANENT_ERRORS
from bot.domain.checklisting import ChecklistService
from bot.domain.ids import ChannelId
from bot.domain.reminders import Delivery
from bot.domain.shifting import ShiftService
from bot.i18n import Translator
from bot.rendering import checklists as checklist_render
from bot.rendering import shifts as render
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.shifts")


def _failed(exc: Exception) -> Failed:
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or "slack_error")
        return Failed(error, retryable=error not in PERMANENT_ERRORS)
    return Failed(f"{type(exc).__name__}: {exc}")


class ShiftStartCourier:
    """At a shift's start: one DM listing the tasks handed to the person, then each checklist as its own message
    (ticked off there like a channel checklist). A shift with no duties sends nothing."""

    def __init__(
        self, client: AsyncWebClient, shifts: ShiftService, checklists: ChecklistService, translator: Translator
    ) -> None:
        self._client = client
        self._shifts = shifts
        self._checklists = checklists
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        shift = await self._shifts.shift_for_start(delivery)
        if shift is None or shift.user is None:
            return Skipped("the shift was cancelled, is unassigned or is over")
        try:
            opened = await self._client.conversations_open(users=shift.user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            return _failed(exc)
        channel = ChannelId(str(opened["channel"]["id"]))
        start = await self._shifts.start(delivery, shift, channel)
        if not start.tasks and not start.postings:
            return Skipped("no duties for this shift")
        words = self._translator.bind(start.language)
        try:
            response = await self._client.chat_postMessage(
                channel=channel, **render.shift_start(words, start).as_message()
            )
            for posting in start.postings:
                if posting.run.ts is not None:
                    continue  # posted by an earlier attempt
                reply = checklist_render.run_message(words, posting)
                posted = await self._client.chat_postMessage(channel=channel, **reply.as_message())
                await self._checklists.record_message(
                    delivery.team, posting.run.id, channel=channel, ts=str(posted["ts"])
                )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            return _failed(exc)
        return Sent(channel=channel, ts=str(response["ts"]))

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("the duties of shift %s could not be sent: %s", delivery.payload.get("shift"), error)
