"""Stock in Slack: `/ops stock …` (also `scorte`, `magazzino`), the Approve / Edit buttons on a draft order, the
Edit modal. An approved order's CSV and PDF go to the approver's DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.capabilities import capability_named
from bot.domain.errors import DomainError
from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.domain.stock import Approval
from bot.i18n import Words
from bot.parsing import stock as parse
from bot.parsing.errors import ParseError
from bot.rendering import stock as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners

log = logging.getLogger("ops.handlers.stock")


class StockHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        capability = capability_named("stock")
        assert capability is not None
        commands.route_words(capability.commands, self.stock)
        app.action(render.APPROVE)(self.on_approve)
        app.action(render.EDIT)(self.on_edit)
        app.view(parse.EDIT_MODAL)(self.on_edit_submit)

    async def stock(self, request: CommandRequest) -> None:
        stock, actor, words = self._services.stock, request.actor, request.words
        command = parse.parse_stock_command(request.text, now=self._services.clock.now(), zone=actor.timezone)
        match command:
            case parse.ListStock():
                await request.answer(render.listing(words, await stock.listing(actor)))
            case parse.AddItem(name=name, amount=amount, settings=settings):
                await request.answer(render.added(words, await stock.add(actor, name, amount, settings)))
            case parse.SetItem(name=name, settings=settings):
                await request.answer(render.changed(words, await stock.change(actor, name, settings)))
            case parse.Move(kind=kind, name=name, amount=amount):
                await request.answer(render.moved(words, await stock.move(actor, kind, name, amount)))
            case parse.ShowHistory(name=name):
                await request.answer(render.history(words, await stock.history(actor, name), actor.timezone))
            case parse.SetSupplier(name=name, email=email, lead_days=lead):
                await request.answer(
                    render.supplier_set(words, await stock.set_supplier(actor, name, email=email, lead_days=lead))
                )
            case parse.SetChannel(channel=channel):
                await request.answer(render.channel_set(words, await stock.set_channel(actor, channel)))
            case parse.Reorder():
                await request.answer(render.drafts(words, await stock.reorder(actor), stock.can_email))
            case parse.ScheduleTake(location=location, every=every, channel=channel, deadline=deadline):
                take, schedule = await stock.schedule_take(
                    actor,
                    location,
                    words("stock.take_name", location=location),
                    recurrence=every.recurrence,
                    first=every.first,
                    channel=channel or self._here(request),
                    deadline=deadline,
                )
                await request.answer(render.take_scheduled(words, actor, take, schedule, every.phrase))

    @staticmethod
    def _here(request: CommandRequest) -> ChannelId:
        channel = str(request.body.get("channel_id") or "")
        if not channel.startswith(("C", "G")):
            raise ParseError(Msg.of("checklist.error.channel"), example=Msg.of("stock.example.take"))
        return ChannelId(channel)

    # ---- the draft's buttons and the Edit modal --------------------------------------------------------------

    async def on_approve(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        approval = await self._services.stock.approve(actor, int(action["value"]))
        await respond(replace_original=False, **render.approved(words, approval).as_response())
        await self._send_files(client, actor.user, words, approval)

    async def _send_files(self, client: AsyncWebClient, user: str, words: Words, approval: Approval) -> None:
        order = approval.order
        try:
            dm = await client.conversations_open(users=user)
            channel = str(dm["channel"]["id"])
            files = (
                (render.order_csv(words, order), "csv"),
                (render.order_pdf(words, order, approval.zone), "pdf"),
            )
            for content, extension in files:
                await client.files_upload_v2(
                    channel=channel,
                    content=content,
                    filename=render.order_filename(order, extension),
                    title=render.order_filename(order, extension),
                    initial_comment=words("stock.files_comment", number=order.number) if extension == "csv" else None,
                )
        except SlackApiError as exc:
            log.warning("could not upload order %s: %s", order.number, exc.response.get("error"))

    async def on_edit(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        order = await self._services.stock.order(actor, int(action["value"]))
        await client.views_open(trigger_id=str(body["trigger_id"]), view=render.edit_modal(words, order))

    async def on_edit_submit(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor, words = actor_of(context), words_of(context, self._services)
        quantities, errors = parse.parse_edit_form((view.get("state") or {}).get("values") or {})
        if errors:
            await ack(**render.form_errors(words, errors))
            return
        try:
            order = await self._services.stock.edit(actor, int(view.get("private_metadata") or 0), quantities)
        except DomainError as error:
            first = next((block for block in (view.get("state") or {}).get("values") or {}), "")
            await ack(**render.form_errors(words, {first: error.message}))
            return
        await ack()
        await client.chat_postMessage(
            channel=actor.user, **render.draft(words, order, self._services.stock.can_email).as_message()
        )
