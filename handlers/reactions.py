"""Emoji reactions: capabilities register the emoji they act on (e.g. :ticket: opens a customer case)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from handlers.listeners import Listeners

ReactionAction = Callable[[dict[str, Any], AsyncBoltContext], Awaitable[None]]


class ReactionRouter:
    def __init__(self) -> None:
        self._actions: dict[str, ReactionAction] = {}
        self._any: list[ReactionAction] = []

    def on(self, emoji: str, action: ReactionAction) -> None:
        self._actions[emoji] = action

    def on_any(self, action: ReactionAction) -> None:
        """For an emoji each workspace chooses (the case emoji): the action checks it itself."""
        self._any.append(action)

    def register(self, app: Listeners) -> None:
        app.event("reaction_added")(self.on_reaction_added)

    async def on_reaction_added(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        # Most reactions are people talking to each other; only registered emoji mean something to us.
        action = self._actions.get(str(event.get("reaction") or ""))
        if action is not None:
            await action(event, context)
        for each in self._any:
            await each(event, context)
