"""The `/ops` router: the first word picks a capability's handler; anything else gets a helpful answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.capabilities import all_commands, capability_named, capability_of
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.parsing.tokens import closest, split_first
from bot.rendering import blocks as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """One `/ops <subcommand> <text>` as a capability handler sees it."""

    actor: Actor
    words: Words
    subcommand: str
    text: str
    ack: AsyncAck
    respond: AsyncRespond
    client: AsyncWebClient
    body: dict[str, Any]

    async def answer(self, reply: Reply) -> None:
        """Acknowledge with the answer itself: one round trip, well inside Slack's 3 seconds."""
        await self.ack(**reply.as_response())


CommandAction = Callable[[CommandRequest], Awaitable[None]]


class CommandRouter:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._routes: dict[str, CommandAction] = {}

    def route(self, capability_id: str, action: CommandAction) -> None:
        capability = capability_named(capability_id)
        if capability is None:
            raise ValueError(f"unknown capability {capability_id!r}")
        for command in capability.commands:
            self._routes[command] = action

    def route_words(self, words: tuple[str, ...], action: CommandAction) -> None:
        """Route subcommands by name, for a part of a capability that works before the rest of it is built."""
        for word in words:
            self._routes[word.lower()] = action

    def register(self, app: Listeners) -> None:
        app.command("/ops")(self.on_command)

    async def on_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
        body: dict[str, Any],
    ) -> None:
        subcommand, text = split_first(str(command.get("text") or ""))
        words = words_of(context, self._services)
        action = self._routes.get(subcommand or "help")
        if action is not None:
            request = CommandRequest(actor_of(context), words, subcommand, text, ack, respond, client, body)
            await action(request)
            return
        capability = capability_of(subcommand)
        if capability is not None:
            await ack(**render.coming_soon(words, capability).as_response())
            return
        suggestion = closest(subcommand, all_commands())
        await ack(**render.unknown_command(words, subcommand, suggestion).as_response())
