"""The global middleware every request passes: drop Slack's retries, then work out who is asking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.domain.ids import TeamId, UserId
from bot.logs import bind_log_context
from bot.services import Services
from bot.slack.workspace import bind_workspace
from handlers.context import ACTOR, DUPLICATE, WORDS, team_of


def request_key(body: dict[str, Any]) -> str | None:
    """What makes a delivery unique: the event id for events, the trigger id for interactions.

    Slash commands get no key: Slack never redelivers a command (it shows the person an error instead), and
    a typed-again command is a new request with a new trigger id, so a key could only ever cost a write on
    the busiest path. Commands that change something are guarded by their own service's rules.
    """
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"
    trigger = body.get("trigger_id")
    if trigger and "command" not in body:
        return f"{body.get('type') or 'interaction'}:{trigger}"
    return None


class RequestMiddleware:
    """One global middleware (each one costs bolt an argument-injection pass on every request)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def admit(
        self, body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        team = team_of(body, context)
        # Every log line from here on (the listener's too) says which workspace, person and request it is about.
        bind_log_context(team=team, user=context.user_id, request_id=str(body.get("event_id") or uuid4().hex))
        # The bot's own Slack calls made for this request (look-ups, posts) use this workspace's token.
        bind_workspace(team)
        key = request_key(body)
        if key is not None and team is not None and not await self._services.ledger.first_time(TeamId(team), key):
            # Already handled: acknowledge so Slack stops retrying, and do nothing else, not even a look-up.
            context[DUPLICATE] = True  # counted as a duplicate at /metrics
            return BoltResponse(status=200, body="")
        await self._identify(team, context)
        await next()
        return None

    async def _identify(self, team: str | None, context: AsyncBoltContext) -> None:
        """Who is asking, in which language and time zone: every handler reads it from the context."""
        user = context.user_id
        if team is not None and user is not None:
            actor = await self._services.access.actor(TeamId(team), UserId(user))
            context[ACTOR] = actor
            context[WORDS] = self._services.translator.bind(actor.language)
        elif team is not None:
            language, _zone = await self._services.access.anonymous(TeamId(team))
            context[WORDS] = self._services.translator.bind(language)
