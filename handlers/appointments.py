"""Appointments in Slack: `/ops appointment …` and `/ops appointments …` (`appuntamento`, `appuntamenti`), the Book
buttons under free slots, the manager's Accept / Decline / Propose another time (and its form), and the colleague's
Accept / Decline of another time. Everyone is told by DM, in their own language."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.appointments import Appointment
from bot.domain.errors import DomainError
from bot.domain.ids import UserId
from bot.i18n import Words
from bot.parsing import appointments as parse
from bot.parsing.errors import ParseError
from bot.rendering import appointments as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_for, words_of
from handlers.listeners import Listeners

log = logging.getLogger("ops.handlers.appointments")

APPOINTMENT = ("appointment", "appointments", "appuntamento", "appuntamenti")
# A DM made for one reader, in their words.
ForReader = Callable[[Words], Reply]


class AppointmentHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route_words(APPOINTMENT, self.appointment)
        app.action(render.BOOK)(self.on_book)
        app.action(render.ACCEPT)(self.on_accept)
        app.action(render.DECLINE)(self.on_decline)
        app.action(render.PROPOSE)(self.on_propose)
        app.view(render.PROPOSE_MODAL)(self.on_proposal)
        app.action(render.PROPOSAL_ACCEPT)(self.on_proposal_accept)
        app.action(render.PROPOSAL_DECLINE)(self.on_proposal_decline)

    # ---- the command -----------------------------------------------------------------------------------------

    async def appointment(self, request: CommandRequest) -> None:
        appointments, actor, words = self._services.appointments, request.actor, request.words
        parsed = parse.parse_appointment_command(request.text, now=self._services.clock.now(), zone=actor.timezone)
        match parsed:
            case parse.ListAppointments():
                await request.answer(render.listing(words, actor, await appointments.upcoming(actor)))
            case parse.ShowHours(manager=manager):
                person = manager or actor.user
                await request.answer(
                    render.hours_shown(words, actor, person, await appointments.hours_of(actor, person))
                )
            case parse.PublishHours(manager=manager, hours=hours, slot=slot):
                published = await appointments.publish_hours(actor, manager or actor.user, hours, slot)
                await request.answer(render.hours_published(words, published))
            case parse.WithdrawHours(manager=manager):
                person = manager or actor.user
                await appointments.withdraw_hours(actor, person)
                await request.answer(render.hours_withdrawn(words, person))
            case parse.ListSlots(manager=manager, day=day):
                await request.answer(render.free_slots(words, await appointments.free_slots(actor, manager, day)))
            case parse.Book(manager=manager, starts=starts, topic=topic):
                booked = await appointments.book(actor, manager, starts, topic)
                await request.answer(render.requested(words, booked))
                await self._ask_manager(request.client, booked)
            case parse.AddVisitor(manager=manager, starts=starts, visitor=visitor, phone=phone, topic=topic):
                added = await appointments.add_visitor(actor, manager or actor.user, starts, visitor, phone, topic)
                await request.answer(render.visitor_added(words, added))
                if added.manager != actor.user:
                    await self._tell(request.client, added.manager, added, lambda w: render.visitor_told(w, added))
            case parse.CancelAppointment(id=number):
                gone = await appointments.cancel(actor, number)
                await request.answer(render.cancelled(words, gone, actor.user))
                await self._tell_cancelled(request.client, gone, actor.user)

    # ---- buttons ---------------------------------------------------------------------------------------------

    async def on_book(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        picked = json.loads(str(action["value"]))
        starts = datetime.fromtimestamp(int(picked["s"]), UTC)
        booked = await self._services.appointments.book(actor, UserId(str(picked["m"])), starts, "")
        await respond(replace_original=False, **render.requested(words, booked).as_response())
        await self._ask_manager(client, booked)

    async def on_accept(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await self._decide(ack, action, context, respond, client, accept=True)

    async def on_decline(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await self._decide(ack, action, context, respond, client, accept=False)

    async def _decide(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
        *,
        accept: bool,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        decided = await self._services.appointments.decide(actor, int(action["value"]), accept=accept)
        await respond(replace_original=True, **render.decided_for_manager(words, decided).as_message())
        if decided.booker is not None:
            await self._tell(client, decided.booker, decided, lambda w: render.decision_to_booker(w, decided))

    async def on_propose(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        """The form for another time; the request message travels with it, to be updated once it is sent."""
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        appointment = await self._services.appointments.pending_for_manager(actor, int(action["value"]))
        container = body.get("container") or {}
        metadata = json.dumps(
            {"id": appointment.id, "c": container.get("channel_id"), "ts": container.get("message_ts")},
            separators=(",", ":"),
        )
        await client.views_open(
            trigger_id=str(body["trigger_id"]), view=render.proposal_modal(words, appointment, metadata)
        )

    async def on_proposal(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor, words = actor_of(context), words_of(context, self._services)
        values = (view.get("state") or {}).get("values") or {}
        typed = str((values.get(render.WHEN_BLOCK) or {}).get(render.WHEN_ACTION, {}).get("value") or "")
        try:
            metadata = json.loads(str(view.get("private_metadata") or "{}"))
        except json.JSONDecodeError:
            metadata = {}
        try:
            starts = parse.parse_proposal(typed, now=self._services.clock.now(), zone=actor.timezone)
            proposed = await self._services.appointments.propose(actor, int(metadata.get("id") or 0), starts)
        except (ParseError, DomainError) as error:
            problem = words.msg(error.message)
            if error.example is not None:
                problem += " " + words("error.example", example=words.msg(error.example))
            await ack(response_action="errors", errors={render.WHEN_BLOCK: problem})
            return
        await ack()
        channel, ts = metadata.get("c"), metadata.get("ts")
        if channel and ts:
            try:
                await client.chat_update(
                    channel=str(channel), ts=str(ts), **render.proposal_sent(words, proposed).as_message()
                )
            except SlackApiError as exc:
                log.warning(
                    "could not update the request of appointment %s: %s", proposed.id, exc.response.get("error")
                )
        if proposed.booker is not None:
            await self._tell(client, proposed.booker, proposed, lambda w: render.proposal_dm(w, proposed))

    async def on_proposal_accept(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await self._answer_proposal(ack, action, context, respond, client, accept=True)

    async def on_proposal_decline(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await self._answer_proposal(ack, action, context, respond, client, accept=False)

    async def _answer_proposal(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
        *,
        accept: bool,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        answered = await self._services.appointments.answer_proposal(actor, int(action["value"]), accept=accept)
        await respond(replace_original=True, **render.proposal_answered(words, answered).as_message())
        await self._tell(client, answered.manager, answered, lambda w: render.proposal_result(w, answered))

    # ---- telling people ----------------------------------------------------------------------------------------

    async def _ask_manager(self, client: AsyncWebClient, appointment: Appointment) -> None:
        await self._tell(client, appointment.manager, appointment, lambda w: render.request_dm(w, appointment))

    async def _tell_cancelled(self, client: AsyncWebClient, appointment: Appointment, by: UserId) -> None:
        for person in appointment.others(by):
            words = await words_for(self._services, appointment.team, person)
            await self._post(client, person, appointment, render.cancelled_told(words, appointment, person, by))

    async def _post(self, client: AsyncWebClient, person: UserId, appointment: Appointment, reply: Reply) -> None:
        try:
            await client.chat_postMessage(channel=person, **reply.as_message())
        except SlackApiError as exc:
            log.warning("could not tell %s about appointment %s: %s", person, appointment.id, exc.response.get("error"))

    async def _tell(self, client: AsyncWebClient, person: UserId, appointment: Appointment, reply: ForReader) -> None:
        """A DM in the reader's language; one that cannot be delivered is logged (the change itself stands)."""
        words = await words_for(self._services, appointment.team, person)
        await self._post(client, person, appointment, reply(words))
