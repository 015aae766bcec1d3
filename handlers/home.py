"""The App Home tab: published when a person opens it, and its buttons (Done on a task, New task / meeting / case,
Log feedback). A button in the Home has no message to answer in, so after a change the Home itself is
republished; the create buttons open the same forms as the commands, whose submissions do the rest."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.cases import CaseKind
from bot.domain.errors import DomainError
from bot.home_refresh import HomeRefresher
from bot.rendering import cases as render_cases
from bot.rendering import feedback as render_feedback
from bot.rendering import home as render
from bot.rendering import meetings as render_meetings
from bot.rendering import tasks as render_tasks
from bot.services import Services
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners


class HomeHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._home = HomeRefresher(services)

    def register(self, app: Listeners) -> None:
        app.event("app_home_opened")(self.on_home_opened)
        app.action(render.TASK_DONE)(self.on_task_done)
        app.action(render.NEW_TASK)(self.on_new_task)
        app.action(render.NEW_MEETING)(self.on_new_meeting)
        app.action(render.NEW_CASE)(self.on_new_case)
        app.action(render.LOG_FEEDBACK)(self.on_log_feedback)

    async def on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab needs nothing published
        actor = actor_of(context)
        await self._services.home_tabs.opened(actor.team, actor.user)  # from now on kept current after changes
        await self._home.publish(client, actor, words_of(context, self._services))

    async def on_task_done(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        actor = actor_of(context)
        try:
            task = await self._services.tasks.complete(actor, int(action["value"]))
        except DomainError:
            # Done elsewhere already, or gone: the person is told why, and sees the Home as it is now.
            await self._home.refresh(client, actor.team, [actor.user])
            raise
        await self._home.publish(client, actor, words_of(context, self._services))
        await self._home.refresh(client, actor.team, [u for u in (task.assignee, task.created_by) if u != actor.user])

    # ---- the create buttons: the forms of the commands -------------------------------------------------------

    async def on_new_task(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        view = render_tasks.task_modal(words_of(context, self._services), actor_of(context))
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_new_meeting(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        actor = actor_of(context)
        today = self._services.clock.now().astimezone(actor.timezone).date().isoformat()
        view = render_meetings.meeting_modal(words_of(context, self._services), today)
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_new_case(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        view = render_cases.new_case_modal(words_of(context, self._services), CaseKind.COMPLAINT)
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_log_feedback(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        view = render_feedback.feedback_form(words_of(context, self._services))
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)
