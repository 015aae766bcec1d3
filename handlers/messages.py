"""Direct messages and @mentions: plain-language requests, matched by intents that capabilities add."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.say.async_say import AsyncSay
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.roles import Actor
from bot.i18n import Words
from bot.rendering import blocks as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners

_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*")
_HELP = re.compile(r"^\s*(help|aiuto|\?|what can you do\??|cosa sai fare\??)\s*$", re.IGNORECASE)
_HELLO = re.compile(r"^\s*(hi|hello|hey|ciao|buongiorno|buonasera|salve)\b[\s!.]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PlainRequest:
    actor: Actor
    words: Words
    text: str
    event: dict[str, Any]
    client: AsyncWebClient | None = None


# An intent answers with a Reply when the text is its business, or None to let the next one try.
Intent = Callable[[PlainRequest], Awaitable[Reply | None]]


class MessageRouter:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._intents: list[Intent] = [self._help, self._hello]
        self._file_handlers: list[Intent] = []

    def add(self, intent: Intent) -> None:
        self._intents.append(intent)

    def add_file_handler(self, handler: Intent) -> None:
        """Files shared with the bot in its DM (`file_share` messages) go to these, in order, until one answers."""
        self._file_handlers.append(handler)

    def register(self, app: Listeners) -> None:
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)

    async def on_message(
        self, event: dict[str, Any], context: AsyncBoltContext, say: AsyncSay, client: AsyncWebClient
    ) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if event.get("subtype") == "file_share":
            await self._file_shared(event, context, say, client)
            return
        # Edits, deletions, joins and the like are not requests.
        if event.get("subtype"):
            return
        reply = await self._understand(event, context)
        await say(**reply.as_message())

    async def _file_shared(
        self, event: dict[str, Any], context: AsyncBoltContext, say: AsyncSay, client: AsyncWebClient
    ) -> None:
        text = str(event.get("text") or "").strip()
        request = PlainRequest(actor_of(context), words_of(context, self._services), text, event, client)
        for handler in self._file_handlers:
            reply = await handler(request)
            if reply is not None:
                await say(**reply.as_message())
                return

    async def on_mention(self, event: dict[str, Any], context: AsyncBoltContext, say: AsyncSay) -> None:
        reply = await self._understand(event, context)
        await say(thread_ts=event.get("thread_ts") or event.get("ts"), **reply.as_message())

    async def _understand(self, event: dict[str, Any], context: AsyncBoltContext) -> Reply:
        text = _LEADING_MENTION.sub("", str(event.get("text") or ""), count=1).strip()
        request = PlainRequest(actor_of(context), words_of(context, self._services), text, event)
        for intent in self._intents:
            reply = await intent(request)
            if reply is not None:
                return reply
        return render.not_understood(request.words, text)

    async def _help(self, request: PlainRequest) -> Reply | None:
        return render.help_overview(request.words) if _HELP.match(request.text) else None

    async def _hello(self, request: PlainRequest) -> Reply | None:
        return render.greeting(request.words) if _HELLO.match(request.text) else None
