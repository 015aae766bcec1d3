"""Message shortcuts declared in the manifest; those of capabilities not yet available say so."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.domain.capabilities import capability_named, shortcuts
from bot.rendering import blocks as render
from bot.services import Services
from handlers.context import words_of
from handlers.listeners import Listeners


class ShortcutHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, *, handled: set[str]) -> None:
        for shortcut in shortcuts():
            if shortcut.callback_id not in handled:
                app.shortcut(shortcut.callback_id)(self.not_yet_available)

    async def not_yet_available(
        self, ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        capability = next(
            (capability_named(s.capability) for s in shortcuts() if s.callback_id == shortcut.get("callback_id")),
            None,
        )
        if capability is not None:
            await respond(**render.coming_soon(words_of(context, self._services), capability).as_response())
