"""Tasks: `/ops task …`, the create-task modal and message shortcut, and the buttons on lists and due DMs."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.capabilities import capability_named
from bot.domain.errors import DomainError
from bot.domain.reminding import tomorrow_morning
from bot.domain.roles import Actor
from bot.domain.tasks import Task, TaskQuery
from bot.home_refresh import HomeRefresher
from bot.i18n import Words
from bot.parsing import tasks as parse
from bot.rendering import blocks as render_blocks
from bot.rendering import tasks as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners

SHORTCUT = "create_task"


class TaskHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route("tasks", self.command)
        app.view(parse.MODAL)(self.on_modal_submit)
        app.shortcut(SHORTCUT)(self.on_shortcut)
        app.action(render.DM_DONE)(self.on_dm_done)
        app.action(render.DM_SNOOZE)(self.on_dm_snooze)
        app.action(render.DM_TOMORROW)(self.on_dm_tomorrow)
        app.action(render.LIST_DONE)(self.on_list_done)
        app.action(render.LIST_SNOOZE)(self.on_list_snooze)
        app.action(render.PAGE)(self.on_page)

    # ---- /ops task … -----------------------------------------------------------------------------------------

    async def command(self, request: CommandRequest) -> None:
        tasks = self._services.tasks
        actor, words = request.actor, request.words
        now = self._services.clock.now()
        parsed = parse.parse_task_command(request.text, now=now, zone=actor.timezone)
        match parsed:
            case parse.TaskHelp():
                capability = capability_named("tasks")
                assert capability is not None
                await request.answer(render_blocks.help_topic(words, capability))
            case parse.OpenModal():
                await request.ack()
                await request.client.views_open(
                    trigger_id=request.body["trigger_id"], view=render.task_modal(words, actor)
                )
            case parse.AddTask(draft=draft, every=every):
                task = await tasks.create(actor, draft)
                await request.answer(render.created(words, actor, task, every, now))
                await HomeRefresher(self._services).refresh(request.client, actor.team, [task.assignee, actor.user])
            case parse.ListTasks(query=query):
                found = await tasks.list(actor, query)
                await request.answer(render.task_list(words, actor, found, query, now))
            case parse.ChangeTask(verb="done", number=number):
                await self._changed(request, await tasks.complete(actor, number), "done")
            case parse.ChangeTask(verb="reopen", number=number):
                await self._changed(request, await tasks.reopen(actor, number), "reopen")
            case parse.ChangeTask(number=number):
                await self._changed(request, await tasks.delete(actor, number), "delete")
            case parse.AssignTask(number=number, assignee=assignee):
                await self._changed(request, await tasks.assign(actor, number, assignee), "assign")
            case parse.DueTask(number=number, due=due):
                task = await tasks.set_due(actor, number, due)
                await self._changed(request, task, "due" if due is not None else "no_due")
            case parse.EditTask(number=number, title=title):
                await self._changed(request, await tasks.rename(actor, number, title), "edit")

    async def _changed(self, request: CommandRequest, task: Task, change: str) -> None:
        now = self._services.clock.now()
        await request.answer(render.changed(request.words, request.actor, task, change, now))
        await HomeRefresher(self._services).refresh(request.client, task.team, [task.assignee, task.created_by])

    # ---- the modal and the message shortcut ------------------------------------------------------------------

    async def on_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id")
        link = None
        if channel and message.get("ts"):
            link = (await client.chat_getPermalink(channel=channel, message_ts=message["ts"])).get("permalink")
        view = render.task_modal(
            words_of(context, self._services),
            actor_of(context),
            title=" ".join(str(message.get("text") or "").split()),
            private_metadata=json.dumps({"link": link} if link else {}),
        )
        await client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    async def on_modal_submit(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor = actor_of(context)
        words = words_of(context, self._services)
        now = self._services.clock.now()
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            metadata = {}
        link = metadata.get("link") if isinstance(metadata, dict) else None
        try:
            draft = parse.parse_modal(
                (view.get("state") or {}).get("values") or {},
                now=now,
                zone=actor.timezone,
                source_link=str(link) if link else None,
            )
            task = await self._services.tasks.create(actor, draft)
        except parse.ModalErrors as errors:
            await ack(**render.modal_errors(words, errors.errors))
            return
        except DomainError as error:
            await ack(**render.modal_errors(words, {parse.DATE_BLOCK: error.message}))
            return
        await ack()
        reply = render.created(words, actor, task, None, now)
        await client.chat_postMessage(channel=actor.user, **reply.as_message())
        await HomeRefresher(self._services).refresh(client, actor.team, [task.assignee, actor.user])

    # ---- buttons in the due DM -------------------------------------------------------------------------------

    async def on_dm_done(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        actor = actor_of(context)
        task = await self._services.tasks.complete(actor, int(action["value"]))
        await self._update_dm(body, context, respond, actor, task, "done")
        await HomeRefresher(self._services).refresh(context.client, actor.team, [task.assignee, task.created_by])

    async def on_dm_snooze(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        actor = actor_of(context)
        task = await self._services.tasks.snooze(actor, int(action["value"]))
        await self._update_dm(body, context, respond, actor, task, "snoozed")

    async def on_dm_tomorrow(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        actor = actor_of(context)
        until = tomorrow_morning(self._services.clock.now(), actor.timezone)
        task = await self._services.tasks.snooze(actor, int(action["value"]), until=until)
        await self._update_dm(body, context, respond, actor, task, "snoozed")

    async def _update_dm(
        self,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        actor: Actor,
        task: Task,
        outcome: str,
    ) -> None:
        blocks = (body.get("message") or {}).get("blocks") or []
        await respond(**render.after_dm_action(words_of(context, self._services), actor, blocks, task, outcome))

    # ---- buttons in the list ---------------------------------------------------------------------------------

    async def on_list_done(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        number, query, offset = render.read_list_value(str(action.get("value") or ""))
        task = await self._services.tasks.complete(actor_of(context), number)
        await self._refresh_list(context, respond, query, offset)
        await HomeRefresher(self._services).refresh(context.client, task.team, [task.assignee, task.created_by])

    async def on_list_snooze(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        number, query, offset = render.read_list_value(str(action.get("value") or ""))
        await self._services.tasks.snooze(actor_of(context), number)
        await self._refresh_list(context, respond, query, offset)

    async def on_page(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        _, query, offset = render.read_list_value(str(action.get("value") or ""))
        await self._refresh_list(context, respond, query, offset)

    async def _refresh_list(
        self, context: AsyncBoltContext, respond: AsyncRespond, query: TaskQuery, offset: int
    ) -> None:
        actor = actor_of(context)
        words: Words = words_of(context, self._services)
        found = await self._services.tasks.list(actor, query)
        reply = render.task_list(words, actor, found, query, self._services.clock.now(), offset)
        await respond(replace_original=True, **reply.as_message())
