"""`/ops checklist …`, the buttons on a posted checklist, and the two checklist modals.

Number and note items are filled in through a small modal opened by the item's button, rather than an input
with dispatch_action in the message itself: a channel message's inputs are one shared form whose half-typed
state Slack keeps per client, a wrong value could only be answered out of band, and on mobile an input in a
message is easy to miss. The modal says what is expected (the range), refuses an unreadable number in place,
and leaves the channel message with only buttons, which update in place for everyone.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.checklists import Change, ItemKind, ItemSpec, NeedsItem
from bot.domain.errors import DomainError
from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.i18n import Words
from bot.parsing.checklists import (
    AddItem,
    CreateChecklist,
    ExportRecord,
    History,
    ListChecklists,
    RemoveItem,
    ScheduleChecklist,
    ShowChecklist,
    Unschedule,
    parse_checklist_command,
    parse_number,
)
from bot.parsing.errors import ParseError
from bot.rendering import checklists as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners


def _ids(value: str) -> tuple[int, int]:
    """A button's `run:item`."""
    run, _, item = value.partition(":")
    return int(run), int(item)


def _state(view: dict[str, Any], block: str) -> str:
    entry = ((view.get("state") or {}).get("values") or {}).get(block, {}).get(block) or {}
    if entry.get("type") == "static_select":
        return str((entry.get("selected_option") or {}).get("value") or "")
    return str(entry.get("value") or "")


class ChecklistHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route("checklists", self.command)
        app.action(render.TICK)(self.on_tick)
        app.action(render.VALUE)(self.on_value)
        app.action(render.PICK)(self.on_pick)
        app.view(render.ADD_MODAL)(self.on_add_submitted)
        app.view(render.VALUE_MODAL)(self.on_value_submitted)

    # ---- /ops checklist … -------------------------------------------------------------------------------------

    async def command(self, request: CommandRequest) -> None:
        checklists = self._services.checklists
        actor, words = request.actor, request.words
        parsed = parse_checklist_command(request.text, now=self._services.clock.now(), zone=actor.timezone)
        match parsed:
            case ListChecklists():
                await request.answer(render.checklist_list(words, actor, await checklists.overview(actor)))
            case CreateChecklist(name=name):
                await request.answer(render.created(words, await checklists.create(actor, name)))
            case AddItem(text=text, spec=spec):
                outcome = await checklists.add_item(actor, text, spec)
                if isinstance(outcome, NeedsItem):
                    channel = str(request.body.get("channel_id") or "") or None
                    await request.client.views_open(
                        trigger_id=str(request.body["trigger_id"]),
                        view=render.add_item_modal(words, outcome.checklist, channel),
                    )
                    await request.ack()
                else:
                    await request.answer(render.item_added(words, outcome))
            case RemoveItem(name=name, position=position):
                checklist, item = await checklists.remove_item(actor, name, position)
                await request.answer(render.item_removed(words, checklist, item))
            case ShowChecklist(name=name):
                await request.answer(render.checklist_detail(words, actor, await checklists.show(actor, name)))
            case ScheduleChecklist(name=name, every=every, channel=channel, deadline=deadline):
                checklist, schedule = await checklists.schedule(
                    actor,
                    name,
                    recurrence=every.recurrence,
                    first=every.first,
                    channel=channel or self._here(request),
                    deadline=deadline,
                )
                await request.answer(render.scheduled(words, actor, checklist, schedule, every.phrase))
            case Unschedule(name=name):
                checklist, count = await checklists.unschedule(actor, name)
                await request.answer(render.unscheduled(words, checklist, count))
            case History(name=name):
                checklist, runs = await checklists.history(actor, name)
                await request.answer(render.history(words, actor, checklist, runs))
            case ExportRecord(name=name, month=month):
                export = await checklists.export(actor, name, month)
                dm = await request.client.conversations_open(users=actor.user)
                await request.client.files_upload_v2(
                    channel=str(dm["channel"]["id"]),
                    content=render.export_csv(words, export),
                    filename=render.export_filename(export),
                    title=render.export_filename(export),
                    initial_comment=render.export_comment(words, export),
                )
                await request.answer(render.export_sent(words, export))

    @staticmethod
    def _here(request: CommandRequest) -> ChannelId:
        """The channel the command was typed in, when no channel is named; a DM cannot hold a checklist."""
        channel = str(request.body.get("channel_id") or "")
        if not channel.startswith(("C", "G")):
            raise ParseError(Msg.of("checklist.error.channel"), example=Msg.of("checklist.example.schedule"))
        return ChannelId(channel)

    # ---- the posted checklist ------------------------------------------------------------------------------------

    async def on_tick(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await ack()
        run_id, item_id = _ids(str(action["value"]))
        change = await self._services.checklists.tick(actor_of(context), run_id, item_id)
        await self._show(change, client)

    async def on_value(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        await self._open_value_modal(str(action["value"]), body, context, client)

    async def on_pick(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """The compact form of a long checklist: an item picked from a menu is ticked, or gets its modal."""
        await ack()
        value = str((action.get("selected_option") or {}).get("value") or "")
        run_id, item_id = _ids(value)
        actor = actor_of(context)
        _run, item = await self._services.checklists.item_on_run(actor, run_id, item_id)
        if item.kind is ItemKind.CHECK:
            await self._show(await self._services.checklists.tick(actor, run_id, item_id), client)
        else:
            await self._open_value_modal(value, body, context, client)

    async def _open_value_modal(
        self, value: str, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        run_id, item_id = _ids(value)
        run, item = await self._services.checklists.item_on_run(actor_of(context), run_id, item_id)
        view = render.value_modal(words_of(context, self._services), run, item)
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_value_submitted(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        words = words_of(context, self._services)
        meta = json.loads(view.get("private_metadata") or "{}")
        text = _state(view, "value")
        try:
            run, item = await self._services.checklists.item_on_run(
                actor_of(context), int(meta["run"]), int(meta["item"])
            )
            value = parse_number(text) if item.kind is ItemKind.NUMBER else text
            change = await self._services.checklists.record_value(actor_of(context), run.id, item.id, value)
        except (ParseError, DomainError) as error:
            await ack(response_action="errors", errors={"value": _problem(words, error)})
            return
        await ack()
        await self._show(change, client)

    async def _show(self, change: Change, client: AsyncWebClient) -> None:
        """The message updated in place for everyone; an out-of-range reading told at once in its thread."""
        posting = change.posting
        run = posting.run
        words = self._services.translator.bind(posting.language)
        if run.ts is None:
            return
        await client.chat_update(channel=run.channel, ts=run.ts, **render.run_message(words, posting).as_message())
        if change.flag is not None:
            reply = render.flag_reply(words, posting, change.flag)
            await client.chat_postMessage(channel=run.channel, thread_ts=run.ts, **reply.as_message())

    # ---- the add-item modal ------------------------------------------------------------------------------------

    async def on_add_submitted(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        words = words_of(context, self._services)
        actor = actor_of(context)
        meta = json.loads(view.get("private_metadata") or "{}")
        errors: dict[str, str] = {}
        bounds = {}
        for block in ("minimum", "maximum"):
            try:
                text = _state(view, block)
                bounds[block] = parse_number(text) if text.strip() else None
            except ParseError as error:
                errors[block] = _problem(words, error)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        kind = ItemKind(_state(view, "kind") or ItemKind.CHECK.value)
        unit = _state(view, "unit").strip() or None
        spec = ItemSpec(_state(view, "label"), kind, bounds["minimum"], bounds["maximum"], unit)
        try:
            added = await self._services.checklists.add_item_to(actor, int(meta["checklist"]), spec)
        except DomainError as error:
            block = "minimum" if (spec.minimum, spec.maximum, spec.unit) != (None, None, None) else "label"
            await ack(response_action="errors", errors={block: _problem(words, error)})
            return
        await ack()
        await self._tell(client, meta.get("channel"), actor.user, render.item_added(words, added))

    @staticmethod
    async def _tell(client: AsyncWebClient, channel: str | None, user: str, reply: Reply) -> None:
        """A private confirmation where the command was typed; by DM when the bot cannot post there."""
        if channel:
            # Not a member of that channel, or it is gone: fall back to a DM below.
            with contextlib.suppress(SlackApiError):
                await client.chat_postEphemeral(channel=channel, user=user, **reply.as_message())
                return
        await client.chat_postMessage(channel=user, **reply.as_message())


def _problem(words: Words, error: ParseError | DomainError) -> str:
    text = words.msg(error.message)
    if error.example is not None:
        text += " " + words("error.example", example=words.msg(error.example))
    return text[:2000]
