"""Reminders: set in a DM ("remind me to … tomorrow at 10"), listed with `/ops reminders`, acted on by buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.domain.reminding import tomorrow_morning
from bot.parsing.dates import Every
from bot.parsing.reminders import Group, Person, looks_like_reminder, parse_reminder
from bot.rendering import reminders as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners
from handlers.messages import MessageRouter, PlainRequest


class ReminderHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter, messages: MessageRouter) -> None:
        commands.route("reminders", self.list)
        messages.add(self.from_message)
        app.action(render.DONE)(self.on_done)
        app.action(render.SNOOZE)(self.on_snooze)
        app.action(render.TOMORROW)(self.on_tomorrow)
        app.action(render.LIST_SNOOZE)(self.on_list_snooze)
        app.action(render.LIST_CANCEL)(self.on_list_cancel)
        app.action(render.PAGE)(self.on_page)
        app.action(render.TASK_SNOOZE)(self.on_task_snooze)
        app.action(render.TASK_CANCEL)(self.on_task_cancel)

    async def from_message(self, request: PlainRequest) -> Reply | None:
        if not looks_like_reminder(request.text):
            return None
        parsed = parse_reminder(request.text, now=self._services.clock.now(), zone=request.actor.timezone)
        when = parsed.when
        who = parsed.who
        reminders = await self._services.reminders.create_many(
            request.actor,
            people=[] if isinstance(who, Group) else [who.user if isinstance(who, Person) else request.actor.user],
            group=who.id if isinstance(who, Group) else None,
            text=parsed.text,
            at=when.first if isinstance(when, Every) else when.at,
            every=when.recurrence if isinstance(when, Every) else None,
        )
        repeats = when.phrase if isinstance(when, Every) else None
        return render.confirmation(request.words, request.actor, reminders, repeats)

    async def list(self, request: CommandRequest) -> None:
        reminders = await self._services.reminders.upcoming(request.actor)
        await request.answer(render.reminder_list(request.words, request.actor, reminders))

    async def on_done(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        actor = actor_of(context)
        reminder = await self._services.reminders.done(actor, int(action["value"]))
        blocks = (body.get("message") or {}).get("blocks") or []
        await respond(**render.after_action(words_of(context, self._services), actor, blocks, reminder, "done"))

    async def on_snooze(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await self._snooze(ack, body, action, context, respond, tomorrow=False)

    async def on_tomorrow(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await self._snooze(ack, body, action, context, respond, tomorrow=True)

    async def _snooze(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        *,
        tomorrow: bool,
    ) -> None:
        await ack()
        actor = actor_of(context)
        until = tomorrow_morning(self._services.clock.now(), actor.timezone) if tomorrow else None
        reminder = await self._services.reminders.snooze(actor, int(action["value"]), until=until)
        blocks = (body.get("message") or {}).get("blocks") or []
        await respond(
            **render.after_action(
                words_of(context, self._services), actor, blocks, reminder, "snoozed", until=reminder.next_at
            )
        )

    async def on_list_snooze(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        actor = actor_of(context)
        await self._services.reminders.snooze(actor, int(action["value"]))
        await self._refresh_list(context, respond, 0)

    async def on_list_cancel(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        await self._services.reminders.cancel(actor_of(context), int(action["value"]))
        await self._refresh_list(context, respond, 0)

    async def on_task_snooze(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        await self._services.tasks.snooze(actor_of(context), int(action["value"]))
        await self._refresh_list(context, respond, 0)

    async def on_task_cancel(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        """Cancelling a task's reminder keeps the task and drops its due time (and so its reminder)."""
        await ack()
        await self._services.tasks.set_due(actor_of(context), int(action["value"]), None)
        await self._refresh_list(context, respond, 0)

    async def on_page(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        await self._refresh_list(context, respond, int(action["value"]))

    async def _refresh_list(self, context: AsyncBoltContext, respond: AsyncRespond, offset: int) -> None:
        actor = actor_of(context)
        reminders = await self._services.reminders.upcoming(actor)
        reply = render.reminder_list(words_of(context, self._services), actor, reminders, offset)
        await respond(replace_original=True, **reply.as_message())
