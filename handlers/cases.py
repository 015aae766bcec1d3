"""Customer cases in Slack: `/ops complaint|question …` (and the form), the "Log as customer case" shortcut, the
case emoji reaction, `/ops case …`, `/ops customer forget …`, and the buttons and forms on the case's post."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.case_posts import CasePoster, case_poster
from bot.domain.cases import ArrivedBy, Case, CaseDraft, CaseKind, CaseStatus, Customer, Offer, Severity
from bot.domain.errors import DomainError
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.roles import Actor, Role
from bot.home_refresh import HomeRefresher
from bot.parsing import cases as parse
from bot.rendering import cases as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_for, words_of, workspace_words
from handlers.listeners import Listeners
from handlers.reactions import ReactionRouter

log = logging.getLogger("ops.handlers.cases")

SHORTCUT = "log_case"


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    entry = values.get(block) or {}
    found: object = next(iter(entry.values()), {}) if isinstance(entry, dict) else {}
    return found if isinstance(found, dict) else {}


def _choice(values: dict[str, Any], block: str, default: str) -> str:
    return str((_value(values, block).get("selected_option") or {}).get("value") or default)


class CaseHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter, reactions: ReactionRouter) -> None:
        commands.route_words(parse.COMPLAINT_WORDS, self.complaint)
        commands.route_words(parse.QUESTION_WORDS, self.question)
        commands.route_words(parse.CASE_WORDS, self.case)
        commands.route_words(parse.CUSTOMER_WORDS, self.customer)
        app.shortcut(SHORTCUT)(self.on_shortcut)
        app.view(render.NEW_MODAL)(self.on_new_case)
        app.action(render.TAKE)(self.on_take)
        app.action(render.REPLY)(self.on_reply)
        app.view(render.REPLY_MODAL)(self.on_reply_sent)
        app.action(render.RESOLVE)(self.on_resolve)
        app.view(render.RESOLVE_MODAL)(self.on_resolved)
        app.action(render.ESCALATE)(self.on_escalate)
        app.action(render.FOLLOW_UP)(self.on_follow_up)
        app.view(render.FOLLOW_UP_MODAL)(self.on_follow_up_saved)
        reactions.on_any(self.on_reaction)

    # ---- intake ----------------------------------------------------------------------------------------------

    async def complaint(self, request: CommandRequest) -> None:
        await self._new(request, CaseKind.COMPLAINT)

    async def question(self, request: CommandRequest) -> None:
        await self._new(request, CaseKind.QUESTION)

    async def _new(self, request: CommandRequest, kind: CaseKind) -> None:
        parsed = parse.parse_new_case(kind, request.text)
        if isinstance(parsed, parse.OpenForm):
            await request.ack()
            await request.client.views_open(
                trigger_id=str(request.body["trigger_id"]), view=render.new_case_modal(request.words, kind)
            )
            return
        actor = request.actor
        case = await self._services.cases.open(
            CaseDraft(
                team=actor.team,
                kind=parsed.kind,
                description=parsed.description,
                customer=parsed.customer,
                arrived_by=parsed.arrived_by,
                severity=parsed.severity,
                category=parsed.category,
                created_by=actor.user,
            )
        )
        assert case is not None  # only a Slack message can already have a case
        channel = await self._cases_channel(actor.team)
        await request.answer(render.opened(request.words, case, channel))
        await self._post(request.client, case, channel)

    async def on_shortcut(
        self, ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """ "Log as customer case" on a message: the form, prefilled with the message and linked to it."""
        await ack()
        message = shortcut.get("message") or {}
        channel = str((shortcut.get("channel") or {}).get("id") or "")
        source = f"{channel}:{message.get('ts', '')}"
        view = render.new_case_modal(
            words_of(context, self._services), CaseKind.COMPLAINT, str(message.get("text") or ""), source
        )
        await client.views_open(trigger_id=str(shortcut["trigger_id"]), view=view)

    async def on_new_case(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor, words = actor_of(context), words_of(context, self._services)
        values = (view.get("state") or {}).get("values") or {}
        source = str(view.get("private_metadata") or "")
        channel, _, ts = source.partition(":")
        draft = CaseDraft(
            team=actor.team,
            kind=CaseKind(_choice(values, "kind", "complaint")),
            description=str(_value(values, "description").get("value") or ""),
            customer=Customer(
                " ".join(str(_value(values, "name").get("value") or "").split()),
                str(_value(values, "phone").get("value") or "").strip(),
                str(_value(values, "email").get("value") or "").strip().lower(),
            ),
            arrived_by=ArrivedBy(
                str((_value(values, "arrived").get("selected_option") or {}).get("value") or "in_person")
            ),
            severity=Severity(str((_value(values, "severity").get("selected_option") or {}).get("value") or "normal")),
            category=" ".join(str(_value(values, "category").get("value") or "").split()).lower(),
            created_by=actor.user,
            source_channel=ChannelId(channel) if channel and ts else None,
            source_ts=ts or None,
        )
        try:
            case = await self._services.cases.open(draft)
        except DomainError as error:
            await ack(response_action="errors", errors={"description": words.msg(error.message)})
            return
        await ack()
        if case is None:
            await client.chat_postMessage(channel=actor.user, **render.already(words).as_message())
            return
        where = await self._cases_channel(actor.team)
        await client.chat_postMessage(channel=actor.user, **render.opened(words, case, where).as_message())
        await self._post(client, case, where)

    async def on_reaction(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The case emoji on a message makes it a case, once per message."""
        actor = actor_of(context)
        rules = await self._services.cases.rules(actor.team)
        if str(event.get("reaction") or "") != rules.reaction:
            return
        item = event.get("item") or {}
        channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
        client: AsyncWebClient = context.client
        text = await self._message_text(client, channel, ts)
        case = await self._services.cases.open(
            CaseDraft(
                team=actor.team,
                kind=CaseKind.QUESTION if text.rstrip().endswith("?") else CaseKind.COMPLAINT,
                description=text or ts,
                customer=Customer(),
                arrived_by=ArrivedBy.SLACK,
                severity=Severity.NORMAL,
                category="",
                created_by=actor.user,
                source_channel=ChannelId(channel),
                source_ts=ts,
            )
        )
        if case is None:
            return  # a second reaction: that message already is a case
        where = await self._cases_channel(actor.team)
        words = words_of(context, self._services)
        await client.chat_postMessage(channel=actor.user, **render.opened(words, case, where).as_message())
        await self._post(client, case, where)

    async def _message_text(self, client: AsyncWebClient, channel: str, ts: str) -> str:
        try:
            found = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        except SlackApiError:
            return ""
        messages = found.get("messages") or []
        return str(messages[0].get("text") or "") if messages and messages[0].get("ts") == ts else ""

    # ---- /ops case -------------------------------------------------------------------------------------------

    async def case(self, request: CommandRequest) -> None:
        cases, actor, words = self._services.cases, request.actor, request.words
        masked = await self._masked(actor, str(request.body.get("channel_id") or ""))
        match parse.parse_case_command(request.text):
            case parse.ShowCase(number=number):
                await request.answer(render.history(words, await cases.view(actor, number), masked=masked))
            case parse.ListCases(scope=scope):
                await request.answer(render.listing(words, scope, await cases.listing(actor, scope), masked=masked))
            case parse.CaseAction(number=number, verb=verb, text=text, status=status):
                changed = await self._act(request, number, verb, text, status)
                await request.answer(render.changed(words, changed, "case.done"))
                await self._after(request.client, changed)
            case parse.SetTargets(severity=severity, respond=respond, resolve=resolve):
                rules = await cases.rules(actor.team)
                targets = dict(rules.targets)
                targets[severity] = (respond, resolve)
                await cases.set_rules(
                    actor, type(rules)(targets, rules.waiting_nudge, rules.waiting_close, rules.reaction)
                )
                await request.answer(render.rules(words, "case.rules_saved"))
            case parse.SetWaiting(nudge=nudge, close=close):
                rules = await cases.rules(actor.team)
                await cases.set_rules(actor, replace(rules, waiting_nudge=nudge, waiting_close=close))
                await request.answer(render.rules(words, "case.rules_saved"))
            case parse.SetEmoji(emoji=emoji):
                rules = await cases.rules(actor.team)
                await cases.set_rules(
                    actor, type(rules)(rules.targets, rules.waiting_nudge, rules.waiting_close, emoji)
                )
                await request.answer(render.rules(words, "case.rules_saved"))

    async def _act(self, request: CommandRequest, number: int, verb: str, text: str, status: CaseStatus | None) -> Case:
        cases, actor = self._services.cases, request.actor
        if verb == "take":
            return await cases.take(actor, number)
        if verb == "escalate":
            escalated, managers = await cases.escalate(actor, number)
            await self._tell_managers(request.client, escalated, managers)
            return escalated
        if verb == "note":
            return await cases.add_note(actor, number, text)
        if verb == "reply":
            replied, _emailed = await cases.reply(actor, number, text)
            return replied
        if verb == "follow-up":
            return await cases.record_follow_up(actor, number, text)
        assert status is not None
        return await cases.set_status(actor, number, status)

    async def customer(self, request: CommandRequest) -> None:
        email = parse.parse_forget(request.text)
        count = await self._services.cases.forget(request.actor, email)
        await request.answer(render.forgotten(request.words, count))

    # ---- buttons and forms -----------------------------------------------------------------------------------

    async def on_take(self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        case = await self._services.cases.take(actor_of(context), int(action["value"]))
        await self._after(context.client, case)

    async def on_escalate(self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        case, managers = await self._services.cases.escalate(actor_of(context), int(action["value"]))
        await self._after(context.client, case)
        await self._tell_managers(context.client, case, managers)

    async def on_reply(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        actor = actor_of(context)
        case = await self._services.cases.case(actor.team, int(action["value"]))
        if case is None:
            return
        start = ""
        if case.kind is CaseKind.QUESTION:
            matches = await self._poster(context.client).matches(case)
            start = matches[0][1] if matches else ""
        view = render.reply_modal(words_of(context, self._services), case, self._services.cases.can_email, start)
        await context.client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_reply_sent(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext) -> None:
        words = words_of(context, self._services)
        text = str(_value((view.get("state") or {}).get("values") or {}, "reply").get("value") or "").strip()
        if not text:
            await ack(response_action="errors", errors={"reply": words("case.error.empty_reply")})
            return
        await ack()
        case, _emailed = await self._services.cases.reply(actor_of(context), int(str(view["private_metadata"])), text)
        await self._after(context.client, case)

    async def on_resolve(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        actor = actor_of(context)
        case = await self._services.cases.case(actor.team, int(action["value"]))
        if case is None:
            return
        view = render.resolve_modal(words_of(context, self._services), case)
        await context.client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_resolved(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext) -> None:
        words = words_of(context, self._services)
        values = (view.get("state") or {}).get("values") or {}
        note = str(_value(values, "note").get("value") or "")
        offer = Offer(str((_value(values, "offer").get("selected_option") or {}).get("value") or "nothing"))
        raw_amount = str(_value(values, "amount").get("value") or "").replace(",", ".").strip()
        days = int(str((_value(values, "follow_up").get("selected_option") or {}).get("value") or "0"))
        try:
            amount = Decimal(raw_amount) if raw_amount else None
        except InvalidOperation:
            await ack(response_action="errors", errors={"amount": words("case.error.amount_unreadable")})
            return
        try:
            team_words = await workspace_words(self._services, actor_of(context).team)
            case = await self._services.cases.resolve(
                actor_of(context),
                int(str(view["private_metadata"])),
                note,
                offer,
                amount,
                days or None,
                satisfaction=lambda label: (
                    team_words("case.satisfaction.subject"),
                    team_words("case.satisfaction.question", label=label),
                ),
            )
        except DomainError as error:
            field = "amount" if offer.is_money and "amount" in error.message.key else "note"
            await ack(response_action="errors", errors={field: words.msg(error.message)})
            return
        await ack()
        await self._after(context.client, case)

    async def on_follow_up(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        actor = actor_of(context)
        case = await self._services.cases.case(actor.team, int(action["value"]))
        if case is None:
            return
        view = render.follow_up_modal(words_of(context, self._services), case)
        await context.client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_follow_up_saved(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext) -> None:
        words = words_of(context, self._services)
        outcome = str(_value((view.get("state") or {}).get("values") or {}, "outcome").get("value") or "").strip()
        if not outcome:
            await ack(response_action="errors", errors={"outcome": words("case.error.empty_note")})
            return
        await ack()
        case = await self._services.cases.record_follow_up(
            actor_of(context), int(str(view["private_metadata"])), outcome
        )
        await self._after(context.client, case)

    # ---- posting ---------------------------------------------------------------------------------------------

    async def _cases_channel(self, team: TeamId) -> ChannelId | None:
        return await self._services.cases.cases_channel(team)

    async def _masked(self, actor: Actor, channel: str) -> bool:
        if actor.role.includes(Role.MANAGER):
            return False
        return channel != (await self._cases_channel(actor.team) or "")

    def _poster(self, client: AsyncWebClient) -> CasePoster:
        return case_poster(self._services, client)

    async def _post(self, client: AsyncWebClient, case: Case, channel: ChannelId | None) -> None:
        if channel is not None:
            await self._poster(client).post(case)

    async def _after(self, client: AsyncWebClient, case: Case) -> None:
        await self._poster(client).after(case)
        await HomeRefresher(self._services).refresh(client, case.team, [case.assignee])

    async def _tell_managers(self, client: AsyncWebClient, case: Case, managers: list[UserId]) -> None:
        for manager in managers:
            words = await words_for(self._services, case.team, manager)
            await client.chat_postMessage(channel=manager, **render.escalated(words, case).as_message())
