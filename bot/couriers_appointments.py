"""How an appointment reminder reaches Slack: "in 15 minutes" to the manager and to the colleague booked (an outside
visitor has no Slack: the manager alone). Dropped once the appointment has started, or when it was cancelled or
moved since the reminder was set."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.access import AccessService
from bot.domain.appointment_service import AppointmentService
from bot.domain.reminders import Delivery
from bot.i18n import Translator
from bot.rendering import appointments as render
from bot.scheduling import Failed, Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.appointments")


class AppointmentReminderCourier:
    """One person who cannot be reached is logged, not retried: a retry would remind the other twice."""

    def __init__(
        self, client: AsyncWebClient, appointments: AppointmentService, access: AccessService, translator: Translator
    ) -> None:
        self._client = client
        self._appointments = appointments
        self._access = access
        self._translator = translator

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        appointment = await self._appointments.reminder_for(delivery)
        if appointment is None:
            return Skipped("the appointment was cancelled, moved or has started")
        sent: Sent | None = None
        for person in (appointment.manager, *appointment.others(appointment.manager)):
            language, _zone = await self._access.reader(appointment.team, person)
            reply = render.reminder(self._translator.bind(language), appointment, person)
            try:
                response = await self._client.chat_postMessage(channel=person, **reply.as_message())
                sent = sent or Sent(channel=str(response["channel"]), ts=str(response["ts"]))
            except (SlackApiError, aiohttp.ClientError, TimeoutError):
                log.exception("could not remind %s of appointment %s", person, appointment.id)
        return sent or Failed("nobody could be reached")

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("the reminder of appointment %s could not be sent: %s", delivery.payload.get("appointment"), error)
