"""Couriers: how each kind of delivery reaches Slack. The engine decides when; a courier decides how."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.access import AccessService
from bot.domain.ids import TeamId, UserId
from bot.domain.people_time import Away
from bot.domain.reminders import Delivery
from bot.domain.roles import Actor, Role
from bot.i18n import Translator, Words
from bot.rendering import people as people_render
from bot.rendering import reminders as render
from bot.rendering.blocks import Reply
from bot.scheduling import Deferred, Failed, Outcome, Sent
from bot.slack.workspace import for_workspace

log = logging.getLogger("ops.couriers")

METADATA_EVENT = "ops_delivery"
# Whether a person is on time off now: when they are back and who covers (None when they are not away).
AwayCheck = Callable[[TeamId, UserId], Awaitable[Away | None]]
# Slack errors that another attempt cannot fix.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "is_archived",
        "not_in_channel",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
    }
)
HISTORY_LIMIT = 200


def _keys_of(message: Mapping[str, object]) -> list[str]:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return []
    payload = metadata.get("event_payload") or {}
    return [key for key in str(payload.get("occurrence_keys", "")).split(",") if key]


@dataclass(frozen=True, slots=True)
class Covering:
    """Deliveries sent to a cover: for whom, and when that person is back."""

    user: UserId
    back: datetime


# Either the outcomes of deliveries held back (no cover), or the deliveries to send and for whom they are covering.
Routed = dict[int, Outcome] | tuple[list[Delivery], Covering | None]


class DirectMessageCourier:
    """Posts reminders to the recipient's DM, several at once folded into one message."""

    def __init__(
        self,
        client: AsyncWebClient,
        access: AccessService,
        translator: Translator,
        away_until: AwayCheck | None = None,
    ) -> None:
        self._client = client
        self._access = access
        self._translator = translator
        self._away_until = away_until

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        routed = await self.route(deliveries)
        if isinstance(routed, dict):
            return routed
        deliveries, covering = routed
        first = deliveries[0]
        outcomes: dict[int, Outcome] = {}
        pending = list(deliveries)
        interrupted = {d.occurrence_key for d in deliveries if d.interrupted}
        if interrupted:
            # A previous attempt may have posted before its process died: look before posting again.
            found = await self._already_posted(first.recipient, interrupted)
            for delivery in deliveries:
                if delivery.occurrence_key in found:
                    outcomes[delivery.id] = found[delivery.occurrence_key]
            pending = [d for d in deliveries if d.id not in outcomes]
        if not pending:
            return outcomes
        actor = await self._recipient(first)
        words = self._translator.bind(actor.language)
        if len(pending) == 1:
            reply = render.reminder_message(words, actor, pending[0], now)
            outcomes |= await self._post(first.recipient, pending, self.covered(words, actor, reply, covering))
            return outcomes
        for start in range(0, len(pending), render.MAX_GROUPED):
            chunk = pending[start : start + render.MAX_GROUPED]
            reply = render.grouped_reminders(words, actor, chunk, now)
            outcomes |= await self._post(first.recipient, chunk, self.covered(words, actor, reply, covering))
        return outcomes

    async def route(
        self, deliveries: Sequence[Delivery]
    ) -> dict[int, Outcome] | tuple[list[Delivery], Covering | None]:
        """While the recipient is on time off, what is for them goes to their cover, or (with no cover) waits
        until they are back: the deferred outcomes are returned instead of the deliveries to send."""
        if self._away_until is None:
            return list(deliveries), None
        recipient = deliveries[0].recipient
        away = await self._away_until(deliveries[0].team, recipient)
        if away is None:
            return list(deliveries), None
        if away.cover is None:
            return {delivery.id: Deferred(away.back) for delivery in deliveries}
        cover = away.cover
        return [replace(delivery, recipient=cover) for delivery in deliveries], Covering(recipient, away.back)

    @staticmethod
    def covered(words: Words, reader: Actor, reply: Reply, covering: Covering | None) -> Reply:
        """A message that reaches a cover says for whom, and until when."""
        if covering is None:
            return reply
        return people_render.covering(words, reader, reply, covering.user, covering.back)

    async def prepare(self, deliveries: Sequence[Delivery]) -> None:
        """Before a batch: everyone's profile in one query instead of one each."""
        for team in {d.team for d in deliveries}:
            with for_workspace(team):
                await self._access.warm(team, [d.recipient for d in deliveries if d.team == team])

    async def _recipient(self, delivery: Delivery) -> Actor:
        """Whom we write to, for their language and zone; the workspace's when Slack cannot tell us who they
        are (the post itself will then fail with Slack's reason, which is what gets reported)."""
        try:
            language, zone = await self._access.reader(delivery.team, delivery.recipient)
        except SlackApiError:
            language, zone = await self._access.anonymous(delivery.team)
        return Actor(delivery.team, delivery.recipient, Role.STAFF, language, zone)

    async def _post(self, recipient: UserId, deliveries: Sequence[Delivery], reply: Reply) -> dict[int, Outcome]:
        keys = ",".join(d.occurrence_key for d in deliveries)
        try:
            response = await self._client.chat_postMessage(
                channel=recipient,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"occurrence_keys": keys}},
                **reply.as_message(),
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "slack_error")
            outcome: Outcome = Failed(error, retryable=error not in PERMANENT_ERRORS)
            return {d.id: outcome for d in deliveries}
        except (aiohttp.ClientError, TimeoutError) as exc:
            failed = Failed(f"{type(exc).__name__}: {exc}")
            return {d.id: failed for d in deliveries}
        sent = Sent(channel=str(response["channel"]), ts=str(response["ts"]))
        return {d.id: sent for d in deliveries}

    async def _already_posted(self, recipient: UserId, keys: set[str]) -> dict[str, Outcome]:
        try:
            channel = (await self._client.conversations_open(users=recipient))["channel"]["id"]
            history = await self._client.conversations_history(
                channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
            )
        except SlackApiError:
            log.warning("could not read %s's DM to check for a half-sent reminder; sending again", recipient)
            return {}
        found: dict[str, Outcome] = {}
        for message in history.get("messages") or []:
            for key in _keys_of(message):
                if key in keys:
                    found[key] = Sent(channel=channel, ts=str(message.get("ts")))
        return found

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        """Tell whoever set it that it could not be delivered; never drop it silently."""
        if delivery.created_by == delivery.recipient:
            log.error(
                "%s %s for %s could not be delivered: %s",
                delivery.kind,
                delivery.occurrence_key,
                delivery.recipient,
                error,
            )
            return
        actor = await self._recipient(replace(delivery, recipient=delivery.created_by))
        reply = self.failure_reply(self._translator.bind(actor.language), delivery, error)
        await self._client.chat_postMessage(channel=delivery.created_by, **reply.as_message())

    def failure_reply(self, words: Words, delivery: Delivery, error: str) -> Reply:
        return render.failure_report(words, delivery.recipient, delivery.payload.get("text", ""), error)
