"""How checklist deliveries reach Slack: the checklist posted to its channel, and the deadline report."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.couriers import HISTORY_LIMIT, METADATA_EVENT, PERMANENT_ERRORS
from bot.domain.access import AccessService
from bot.domain.checklisting import ChecklistService
from bot.domain.checklists import DeadlineReport, Posting
from bot.domain.ids import ChannelId, UserId
from bot.domain.reminders import Delivery
from bot.i18n import Translator
from bot.rendering import checklists as render
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.checklists")


def _failed(exc: Exception) -> Failed:
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or "slack_error")
        return Failed(error, retryable=error not in PERMANENT_ERRORS)
    return Failed(f"{type(exc).__name__}: {exc}")


class ChecklistCourier:
    """Posts each run as one channel message. Several deliveries of one schedule (a retry that met the next
    occurrence) are folded into the latest: a checklist backlog is one post."""

    def __init__(
        self, client: AsyncWebClient, checklists: ChecklistService, access: AccessService, translator: Translator
    ) -> None:
        self._client = client
        self._checklists = checklists
        self._access = access
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        latest: dict[int, Delivery] = {}
        for delivery in sorted(deliveries, key=lambda d: d.due):
            if delivery.schedule_id in latest:
                outcomes[latest[delivery.schedule_id].id] = Skipped("superseded by a later occurrence")
            latest[delivery.schedule_id] = delivery
        for delivery in latest.values():  # one after another: Slack allows about one post a second per channel
            outcomes[delivery.id] = await self._send_one(delivery, now)
        return outcomes

    async def _send_one(self, delivery: Delivery, now: datetime) -> Outcome:
        posting = await self._checklists.start_run(delivery, now)
        if posting is None:
            return Skipped("the checklist is gone or has no items, or it is a public holiday")
        run = posting.run
        if run.ts is not None:
            return Sent(channel=run.channel, ts=run.ts)  # posted by an earlier attempt that died before recording
        if delivery.interrupted:
            found = await self._already_posted(run.channel, delivery.occurrence_key)
            if found is not None:
                await self._checklists.record_message(delivery.team, run.id, channel=run.channel, ts=found)
                return Sent(channel=run.channel, ts=found)
        reply = render.run_message(self._translator.bind(posting.language), posting)
        try:
            response = await self._client.chat_postMessage(
                channel=run.channel,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"occurrence_keys": delivery.occurrence_key}},
                **reply.as_message(),
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            return _failed(exc)
        channel, ts = ChannelId(str(response["channel"])), str(response["ts"])
        await self._checklists.record_message(delivery.team, run.id, channel=channel, ts=ts)
        return Sent(channel=channel, ts=ts)

    async def _already_posted(self, channel: str, key: str) -> str | None:
        try:
            history = await self._client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
        except SlackApiError:
            log.warning("could not read %s to check for a half-sent checklist; posting again", channel)
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") != METADATA_EVENT:
                continue
            keys = str((metadata.get("event_payload") or {}).get("occurrence_keys", "")).split(",")
            if key in keys:
                return str(message.get("ts"))
        return None

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        """Whoever scheduled the checklist hears that it could not be posted (the bot not in the channel…)."""
        actor = await self._access.actor(delivery.team, delivery.created_by)
        words = self._translator.bind(actor.language)
        reply = render.post_failed(words, delivery.payload.get("name", ""), delivery.recipient, error)
        await self._client.chat_postMessage(channel=delivery.created_by, **reply.as_message())


class ChecklistDeadlineCourier:
    """At a run's deadline: the items still open, once, in the checklist's thread and to every manager by DM;
    the checklist message itself then says the deadline was missed."""

    def __init__(
        self, client: AsyncWebClient, checklists: ChecklistService, access: AccessService, translator: Translator
    ) -> None:
        self._client = client
        self._checklists = checklists
        self._access = access
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        report = await self._checklists.deadline_report(delivery)
        if report is None:
            return Skipped("nothing open, or already reported")
        run = report.posting.run
        assert run.ts is not None
        words = self._translator.bind(report.posting.language)
        try:
            response = await self._client.chat_postMessage(
                channel=run.channel, thread_ts=run.ts, **render.deadline_thread(words, report).as_message()
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            return _failed(exc)
        posting = await self._checklists.mark_deadline_reported(delivery.team, run.id)
        if posting is None:  # another process reported it between our look and our post
            return Sent(channel=run.channel, ts=str(response["ts"]))
        for manager in report.managers:
            await self._tell_manager(delivery, manager, report)
        await self._refresh(posting)
        return Sent(channel=run.channel, ts=str(response["ts"]))

    async def _tell_manager(self, delivery: Delivery, manager: UserId, report: DeadlineReport) -> None:
        # The channel report is the record; a manager who cannot be reached is logged, not retried (a retry
        # would report to the channel twice).
        try:
            actor = await self._access.actor(delivery.team, manager)
            words = self._translator.bind(actor.language)
            reply = render.deadline_dm(words, report, actor.timezone)
            await self._client.chat_postMessage(channel=manager, **reply.as_message())
        except (SlackApiError, aiohttp.ClientError, TimeoutError):
            log.exception("could not tell manager %s about the missed checklist deadline", manager)

    async def _refresh(self, posting: Posting) -> None:
        run = posting.run
        assert run.ts is not None
        reply = render.run_message(self._translator.bind(posting.language), posting)
        try:
            await self._client.chat_update(channel=run.channel, ts=run.ts, **reply.as_message())
        except (SlackApiError, aiohttp.ClientError, TimeoutError):
            log.warning("could not mark the missed deadline on checklist message %s", run.ts)

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("the deadline report %s could not be posted: %s", delivery.occurrence_key, error)
