"""Posting a digest: the channel's daily or weekly digest (the weekly one with its chart), or a person's morning
DM; from the schedule (exactly once, through the reminder engine) or at once (`/ops digest now`)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.digesting import DigestKind, Subscription
from bot.domain.digests import ALL_SECTIONS, DigestService
from bot.domain.ids import TeamId, UserId
from bot.domain.roles import Actor
from bot.i18n import Translator, Words
from bot.rendering import digests as render
from bot.rendering.blocks import Reply
from bot.rendering.time import slack_date
from bot.services import Services

log = logging.getLogger("ops.digests")
METADATA_EVENT = "ops_digest"


class DigestPoster:
    def __init__(self, client: AsyncWebClient, services: Services) -> None:
        self._client = client
        self._digests: DigestService = services.digests
        self._access = services.access
        self._translator: Translator = services.translator
        self._clock = services.clock
        self._subscriptions = services.digest_subscriptions
        self._shifts = services.shifts

    async def _words(self, team: TeamId, reader: str | None) -> Words:
        if reader is not None:
            language, _zone = await self._access.reader(team, UserId(reader))
        else:
            language, _zone = await self._access.anonymous(team)
        return self._translator.bind(language)

    async def build(
        self, subscription: Subscription, due: datetime, *, late: bool
    ) -> tuple[Reply | None, bytes | None]:
        """The message (None: a quiet day that is skipped) and, for a weekly digest, its chart."""
        zone = ZoneInfo(subscription.zone)
        day = due.astimezone(zone).date()
        late_text = slack_date(due, zone) if late else None
        if subscription.kind is DigestKind.PERSONAL:
            words = await self._words(subscription.team, subscription.target)
            personal = await self._digests.personal(subscription.team, UserId(subscription.target), day, zone)
            return render.personal_message(words, personal), None
        words = await self._words(subscription.team, None)
        if subscription.kind is DigestKind.WEEKLY:
            # The week just ended (Monday to Sunday before the day it is posted).
            week_start = day - timedelta(days=day.weekday()) - timedelta(weeks=1)
            weekly = await self._digests.weekly(subscription.team, week_start, zone, subscription.sections)
            return render.weekly_message(words, weekly, late=late_text), render.weekly_chart(words, weekly)
        daily = await self._digests.daily(subscription.team, day, zone, subscription.sections)
        if daily.is_quiet and subscription.skip_quiet:
            return None, None
        return render.daily_message(words, daily, late=late_text), None

    async def post(self, subscription: Subscription, due: datetime, *, late: bool, key: str) -> tuple[str, str] | None:
        """Post it where it goes; the (channel, ts) it got, or None for a skipped quiet day."""
        reply, chart = await self.build(subscription, due, late=late)
        if reply is None:
            return None
        response = await self._client.chat_postMessage(
            channel=subscription.target,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"occurrence_keys": key}},
            **reply.as_message(),
        )
        channel, ts = str(response["channel"]), str(response["ts"])
        if chart is not None:
            await self._client.files_upload_v2(
                channel=channel, content=chart, filename=f"week-{due.date().isoformat()}.png", title=reply.text
            )
        return channel, ts

    async def post_now(self, actor: Actor, channel: str) -> None:
        """`/ops digest now`: today's daily digest in this channel, with the channel's own settings if it has any."""
        now = self._clock.now()
        found = [s for s in await self._subscriptions.settings(actor.team, channel) if s.kind is DigestKind.DAILY]
        if found:
            subscription = replace(found[0], skip_quiet=False)
        else:
            zone = (await self._shifts.zone(actor.team)).key
            subscription = Subscription(
                0, actor.team, channel, DigestKind.DAILY, now.time(), None, zone, ALL_SECTIONS, False, None, actor.user
            )
        await self.post(subscription, now, late=False, key=f"now:{channel}:{now.isoformat()}")
