"""Slack telling us the app left a workspace: `app_uninstalled`, and `tokens_revoked` when it names the bot token.

Bolt acknowledges events itself; each listener makes one service call. The service records the uninstall (the
audit log included), stops the workspace's scheduled deliveries and forgets its tokens; a second event for the
same uninstall (Slack sends both) changes nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.domain.ids import TeamId
from bot.services import Services
from handlers.context import team_of
from handlers.listeners import Listeners


class WorkspaceHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners) -> None:
        app.event("app_uninstalled")(self.on_app_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)

    async def on_app_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        team = team_of(body, context)
        if team is not None:
            await self._services.workspaces.uninstalled(TeamId(team))

    async def on_tokens_revoked(self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        # We hold no user tokens: only the bot's token being revoked means the app can no longer act here.
        team = team_of(body, context)
        if team is not None and (event.get("tokens") or {}).get("bot"):
            await self._services.workspaces.uninstalled(TeamId(team))
