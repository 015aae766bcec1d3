"""How meeting reminders and nudges reach Slack: "starts in 15 minutes" to everyone going or maybe (dropped once
the meeting has started), and one nudge, with the answer buttons, to whoever has not answered."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.access import AccessService
from bot.domain.ids import TeamId, UserId
from bot.domain.meeting_service import MeetingService
from bot.domain.meetings import Rsvp
from bot.domain.reminders import Delivery, Kind
from bot.i18n import Translator, Words
from bot.rendering import meetings as render
from bot.rendering.blocks import Reply
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.meetings")


class MeetingCourier:
    """Both kinds: the reminder goes to the organizer and everyone going or maybe, the nudge to everyone who has
    not answered. One person who cannot be reached is logged, not retried: a retry would remind the others
    twice."""

    def __init__(
        self, client: AsyncWebClient, meetings: MeetingService, access: AccessService, translator: Translator
    ) -> None:
        self._client = client
        self._meetings = meetings
        self._access = access
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        if delivery.kind is Kind.MEETING_MINUTES:
            return await self._ask_for_minutes(delivery)
        occurrence = await self._meetings.occurrence_for(delivery)
        if occurrence is None:
            return Skipped("the meeting was cancelled, moved or has started")
        meeting = occurrence.meeting
        if delivery.kind is Kind.MEETING_NUDGE:
            people = [a.user for a in meeting.attendees if a.rsvp is Rsvp.NEEDS_ACTION]
        else:
            going = [a.user for a in meeting.attendees if a.rsvp in (Rsvp.GOING, Rsvp.MAYBE)]
            people = [meeting.organizer, *going]
        if not people:
            return Skipped("nobody to tell")
        sent: Sent | None = None
        for person in people:
            words = await self._words(meeting.team, person)
            if delivery.kind is Kind.MEETING_NUDGE:
                reply: Reply = render.nudge(words, meeting)
            else:
                reply = render.reminder(words, meeting, occurrence.starts)
            try:
                response = await self._client.chat_postMessage(channel=person, **reply.as_message())
                sent = sent or Sent(channel=str(response["channel"]), ts=str(response["ts"]))
            except (SlackApiError, aiohttp.ClientError, TimeoutError):
                log.exception("could not tell %s about meeting %s", person, meeting.id)
        return sent or Failed("nobody could be reached")

    async def _ask_for_minutes(self, delivery: Delivery) -> Outcome:
        """The meeting has ended: its organizer is asked for the minutes, with a button to the form."""
        ended = await self._meetings.minutes_due(delivery)
        if ended is None:
            return Skipped("the meeting was cancelled or that occurrence did not happen")
        meeting = ended.meeting
        words = await self._words(meeting.team, meeting.organizer)
        try:
            response = await self._client.chat_postMessage(
                channel=meeting.organizer, **render.minutes_prompt(words, meeting, ended.starts).as_message()
            )
        except SlackApiError as exc:
            return Failed(str(exc.response.get("error") or "slack_error"))
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Failed(f"{type(exc).__name__}: {exc}")
        return Sent(channel=str(response["channel"]), ts=str(response["ts"]))

    async def _words(self, team: TeamId, user: UserId) -> Words:
        language, _zone = await self._access.reader(team, user)
        return self._translator.bind(language)

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("meeting %s: %s could not be sent: %s", delivery.payload.get("meeting"), delivery.kind, error)
