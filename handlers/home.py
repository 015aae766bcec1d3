"""The App Home tab, published when a person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.rendering.home import home_view
from bot.services import Services
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners


class HomeHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners) -> None:
        app.event("app_home_opened")(self.on_home_opened)

    async def on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab needs nothing published
        actor = actor_of(context)
        today = await self._services.shifts.today(actor)
        upcoming = await self._services.meetings.upcoming(actor)
        appointments = await self._services.appointments.upcoming(actor)
        view = home_view(words_of(context, self._services), actor, today, upcoming, appointments)
        await client.views_publish(user_id=actor.user, view=view)
