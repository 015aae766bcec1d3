"""The one error handler: a person always gets an answer, and we always get the context to fix things.

A `DomainError` or `ParseError` is the person's to fix: they see what was wrong and an example. Anything
else is ours: it is logged with team, user and command under a short error id, and the person gets an
apology quoting that id.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import DomainError
from bot.parsing.errors import ParseError
from bot.rendering import blocks as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.context import team_of, words_of
from handlers.listeners import Recovery

log = logging.getLogger("ops.errors")


# Commands whose words must not reach the logs: an anonymous suggestion, a customer being forgotten.
_PRIVATE_SUBCOMMANDS = frozenset({"suggest", "suggerimento", "suggerimenti", "customer", "cliente"})


def describe_request(body: dict[str, Any]) -> str:
    if "command" in body:
        text = str(body.get("text", ""))
        first = text.split(maxsplit=1)[0].lower() if text.split() else ""
        if first in _PRIVATE_SUBCOMMANDS:
            text = f"{first} (text withheld)"
        return f"{body.get('command')} {text}".strip()
    if body.get("type") == "event_callback":
        return f"event {(body.get('event') or {}).get('type')}"
    return f"interaction {body.get('type')} {body.get('callback_id') or ''}".strip()


class ErrorHandler:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def recover(self, error: Exception, args: Recovery) -> None:
        """A listener's error (see handlers/listeners.py): answer in the acknowledgement if there still is
        one, privately otherwise."""
        reply = self._reply_for(error, args.body, args.context)
        if args.ack.response is None:
            if "command" in args.body:
                await args.ack(**reply.as_response())
                return
            await args.ack()
        await self._tell(reply, args.body, args.context, args.respond, args.client)

    async def handle(
        self,
        error: Exception,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond | None,
        client: AsyncWebClient,
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        """Bolt's `@app.error`: errors of the middleware (listeners' are recovered by their guard)."""
        reply = self._reply_for(error, body, context)
        if "command" in body and response is not None:
            # Not acknowledged yet: the answer goes back in the same HTTP response, privately.
            return BoltResponse(
                status=200,
                body=json.dumps(reply.as_response()),
                headers={"content-type": "application/json"},
            )
        await self._tell(reply, body, context, respond, client)
        # Acknowledge so Slack does not retry a request that has already been answered.
        return BoltResponse(status=200, body="") if response is not None else None

    def _reply_for(self, error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> Reply:
        words = words_of(context, self._services)
        if isinstance(error, DomainError | ParseError):
            return render.problem(words, error.message, error.example)
        else:
            error_id = uuid.uuid4().hex[:8]
            log.error(
                "unhandled error %s: team=%s user=%s request=%r",
                error_id,
                team_of(body, context),
                context.user_id,
                describe_request(body),
                exc_info=error,
            )
            return render.apology(words, error_id)

    async def _tell(
        self,
        reply: Reply,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond | None,
        client: AsyncWebClient,
    ) -> None:
        try:
            if respond is not None and respond.response_url:
                await respond(**reply.as_response())
            elif context.user_id and context.channel_id:
                await client.chat_postEphemeral(channel=context.channel_id, user=context.user_id, **reply.as_message())
            elif context.user_id:
                await client.chat_postMessage(channel=context.user_id, **reply.as_message())
        except Exception:
            log.exception("could not tell the person about an error in %r", describe_request(body))
