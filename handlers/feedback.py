"""Feedback in Slack: `/ops feedback …` (`valutazione`) and its form, the anonymous `/ops suggest …`
(`suggerimento`), and the managers' `/ops insights …` (`andamento`): one message, and a chart in their DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import DomainError
from bot.parsing import feedback as parse
from bot.rendering import feedback as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners

log = logging.getLogger("ops.handlers.feedback")

FEEDBACK = ("feedback", "valutazione")
SUGGEST = ("suggest", "suggerimento", "suggerimenti")
INSIGHTS = ("insights", "andamento")
# Which field of the form a refusal of the service belongs next to.
_TAG_ERRORS = frozenset({"feedback.error.too_many_tags", "feedback.error.tag_too_long"})


class FeedbackHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route_words(FEEDBACK, self.feedback)
        commands.route_words(SUGGEST, self.suggest)
        commands.route_words(INSIGHTS, self.insights)
        app.view(parse.MODAL)(self.on_form)

    # ---- feedback --------------------------------------------------------------------------------------------

    async def feedback(self, request: CommandRequest) -> None:
        match parse.parse_feedback_command(request.text):
            case parse.OpenFeedbackForm():
                await request.ack()
                await request.client.views_open(
                    trigger_id=request.body["trigger_id"], view=render.feedback_form(request.words)
                )
            case parse.RecordFeedback(draft=draft):
                recorded = await self._services.feedback.record(request.actor, draft)
                await request.answer(render.feedback_recorded(request.words, recorded))

    async def on_form(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor, words = actor_of(context), words_of(context, self._services)
        try:
            draft = parse.parse_feedback_form((view.get("state") or {}).get("values") or {})
            recorded = await self._services.feedback.record(actor, draft)
        except parse.FormErrors as errors:
            await ack(**render.form_errors(words, errors.errors))
            return
        except DomainError as error:
            block = parse.TAGS_BLOCK if error.message.key in _TAG_ERRORS else parse.TEXT_BLOCK
            await ack(**render.form_errors(words, {block: error.message}))
            return
        await ack()
        await client.chat_postMessage(channel=actor.user, **render.feedback_recorded(words, recorded).as_message())

    # ---- the suggestion box ----------------------------------------------------------------------------------

    async def suggest(self, request: CommandRequest) -> None:
        """Nothing about who suggested is passed on, logged or stored; the answer is private."""
        feedback, actor, words = self._services.feedback, request.actor, request.words
        match parse.parse_suggest_command(request.text):
            case parse.MakeSuggestion(text=text):
                await request.answer(render.suggestion_recorded(words, await feedback.suggest(actor, text)))
            case parse.ListSuggestions():
                listed, total = await feedback.open_suggestions(actor)
                await request.answer(render.suggestion_list(words, listed, total))
            case parse.CloseSuggestion(number=number):
                await request.answer(render.suggestion_closed(words, await feedback.close_suggestion(actor, number)))

    # ---- insights --------------------------------------------------------------------------------------------

    async def insights(self, request: CommandRequest) -> None:
        """The message at once, then the chart of the period's days as a PNG in the manager's DM."""
        kind = parse.parse_insights_command(request.text)
        actor, words = request.actor, request.words
        insights = await self._services.feedback.insights(actor, kind)
        await request.answer(render.insights_message(words, insights))
        image = render.insights_chart(words, insights)
        try:
            await request.client.files_upload_v2(
                channel=actor.user,
                content=image,
                filename=f"insights-{insights.current.first.isoformat()}.png",
                title=render.chart_title(words, insights),
            )
        except SlackApiError as exc:
            log.warning("could not upload the insights chart: %s", exc.response.get("error"))
            await request.respond(**Reply(words("insights.chart_failed")).as_response())
