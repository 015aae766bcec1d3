"""The rota in Slack: `/ops shift …`, `/ops rota`, `/ops onshift`, the Claim and Accept / Decline buttons, and a
CSV rota shared with the bot in its DM."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import InvalidRequest
from bot.domain.ids import ChannelId, UserId
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role
from bot.domain.shifts import SharedFile, ShiftTimes
from bot.i18n import Words
from bot.parsing import rota_csv
from bot.parsing import shifts as parse
from bot.parsing.errors import ParseError
from bot.rendering import shifts as render
from bot.rendering.blocks import Reply
from bot.rendering.kit import section
from bot.services import Services
from bot.slack.files import DownloadError, download
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_for, words_of, workspace_words
from handlers.listeners import Listeners
from handlers.messages import MessageRouter, PlainRequest

log = logging.getLogger("ops.handlers.shifts")

SHIFT = ("shift", "shifts", "turno")
ROTA = ("rota", "turni")
ON_SHIFT = ("onshift", "inservizio", "diturno")
# Words in a DM that come with a shared file and ask for it to be imported at once.
_IMPORT_NOW = re.compile(r"\b(import|importa|rota|turni|shifts?)\b", re.IGNORECASE)
# "who's on shift?", "who is working now in the kitchen", "chi è di turno in cucina?"
_WHO_IS_ON = re.compile(
    r"^\s*(?:who(?:'s|\u2019s| is)\s+(?:on\s+shift|working|on)|chi\s+(?:è|e'|c'è)\s+(?:di\s+turno|in\s+servizio))"
    r"(?:\s+(?:now|right\s+now|today|ora|adesso|oggi))?"
    r"(?:\s+(?:in|as|at|on|in\s+the|on\s+the|come|al|alla)?\s*(?P<role>[^\s?!.]+))?"
    r"(?:\s+(?:now|right\s+now|ora|adesso))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)
_CSV_TYPES = {"csv", "text/csv", "application/csv", "text/comma-separated-values", "tsv", "text/tab-separated-values"}


def _is_csv(file: dict[str, Any]) -> bool:
    name = str(file.get("name") or "").lower()
    return name.endswith((".csv", ".tsv", ".txt")) or str(file.get("filetype") or file.get("mimetype")) in _CSV_TYPES


class ShiftHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter, messages: MessageRouter) -> None:
        commands.route_words(SHIFT, self.shift)
        commands.route_words(ROTA, self.rota)
        commands.route_words(ON_SHIFT, self.on_shift)
        app.action(render.CLAIM)(self.on_claim)
        app.action(render.SWAP_ACCEPT)(self.on_swap_accept)
        app.action(render.SWAP_DECLINE)(self.on_swap_decline)
        messages.add_file_handler(self.on_file_shared)
        messages.add(self.who_is_on)

    # ---- commands --------------------------------------------------------------------------------------------

    async def shift(self, request: CommandRequest) -> None:
        shifts, actor, words = self._services.shifts, request.actor, request.words
        zone = await shifts.zone(actor.team)
        parsed = parse.parse_shift_command(request.text, now=self._services.clock.now(), zone=zone)
        match parsed:
            case parse.ListShifts(user=user):
                person = user or actor.user
                await request.answer(render.shift_list(words, actor, person, await shifts.shifts_of(actor, person)))
            case parse.AddShift(user=user, times=times):
                await request.answer(render.shift_added(words, await shifts.add(actor, user, times)))
            case parse.AddPattern(user=user, days=days, start=start, end=end, role=role):
                added = await shifts.add_pattern(actor, user, days, start, end, role)
                await request.answer(render.pattern_added(words, added))
            case parse.CancelShift(id=number):
                await request.answer(render.shift_cancelled(words, await shifts.cancel(actor, number)))
            case parse.StopPattern(id=number):
                pattern, cancelled = await shifts.stop_pattern(actor, number)
                await request.answer(render.pattern_stopped(words, pattern, cancelled))
            case parse.SwapShift(id=number, to_user=to_user):
                await self._swap(request, number, to_user)
            case parse.OpenShift(times=times):
                await self._open(request, times)
            case parse.ImportShifts():
                shared = await shifts.file_to_import(actor)
                await request.answer(Reply(words("shift.import_started", name=shared.name)))
                report = await self._import(request.client, actor, words, shared)
                await request.respond(**report.as_response())
            case parse.ListDuties():
                await request.answer(render.duty_list(words, await shifts.duties(actor)))
            case parse.AddDuty(role=role, kind=kind, text=text, days=days):
                await request.answer(render.duty_added(words, await shifts.add_duty(actor, role, kind, text, days)))
            case parse.RemoveDuty(id=number):
                await request.answer(render.duty_removed(words, await shifts.remove_duty(actor, number)))

    async def rota(self, request: CommandRequest) -> None:
        """The week's rota as a message at once, then the same week as a PNG table in the person's DM."""
        weeks_ahead = parse.parse_rota_command(request.text)
        actor, words = request.actor, request.words
        rota = await self._services.shifts.rota(actor, weeks_ahead)
        await request.answer(render.rota_message(words, rota))
        names = {user: (await self._services.access.profile(actor.team, user)).name for user in rota.people}
        image = render.rota_image(words, rota, names, self._services.clock.now().astimezone(rota.zone).date())
        try:
            await request.client.files_upload_v2(
                channel=actor.user,
                content=image,
                filename=f"rota-{rota.first.isoformat()}.png",
                title=words("shift.rota_title", first=rota.first.isoformat(), last=rota.last.isoformat()),
            )
        except SlackApiError as exc:
            log.warning("could not upload the rota image: %s", exc.response.get("error"))
            await request.respond(**Reply(words("shift.rota_image_failed")).as_response())

    async def on_shift(self, request: CommandRequest) -> None:
        role = parse.parse_onshift_command(request.text)
        working = await self._services.shifts.on_shift(request.actor, role)
        await request.answer(render.on_shift(request.words, role, working))

    async def _swap(self, request: CommandRequest, number: int, to_user: UserId) -> None:
        actor, words = request.actor, request.words
        asked = await self._services.shifts.ask_swap(actor, number, to_user)
        await request.answer(render.swap_asked(words, asked.swap, asked.shift))
        their_words = await words_for(self._services, actor.team, to_user)
        await request.client.chat_postMessage(
            channel=to_user, **render.swap_request(their_words, asked.swap, asked.shift).as_message()
        )

    async def _open(self, request: CommandRequest, times: ShiftTimes) -> None:
        """Posted in the channel the command came from (a DM when typed to the bot), with its Claim button."""
        actor, words = request.actor, request.words
        shift = await self._services.shifts.open_shift(actor, times)
        channel = str(request.body.get("channel_id") or actor.user)
        await request.answer(render.open_shift_opened(words, shift))
        shared_words = await workspace_words(self._services, actor.team)
        try:
            posted = await request.client.chat_postMessage(
                channel=channel, **render.open_shift_post(shared_words, shift).as_message()
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
                raise
            # The bot is not in that channel: the post goes to the manager, to share by hand.
            posted = await request.client.chat_postMessage(
                channel=actor.user, **render.open_shift_post(shared_words, shift).as_message()
            )
        await self._services.shifts.record_post(
            actor.team, shift.id, channel=ChannelId(str(posted["channel"])), ts=str(posted["ts"])
        )

    async def who_is_on(self, request: PlainRequest) -> Reply | None:
        """The same answer as `/ops onshift`, asked in a DM in plain words."""
        found = _WHO_IS_ON.match(request.text)
        if found is None:
            return None
        role = found["role"]
        working = await self._services.shifts.on_shift(request.actor, role)
        return render.on_shift(request.words, role.lower() if role else None, working)

    # ---- buttons ---------------------------------------------------------------------------------------------

    async def on_claim(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor = actor_of(context)
        words = words_of(context, self._services)
        claim = await self._services.shifts.claim(actor, int(action["value"]))
        if not claim.won:
            await respond(replace_original=False, **render.claim_lost(words, claim.shift).as_response())
            return
        shift = claim.shift
        await respond(replace_original=False, **render.claim_won(words, shift).as_response())
        shared_words = await workspace_words(self._services, actor.team)
        channel = shift.post_channel or (body.get("channel") or {}).get("id")
        ts = shift.post_ts or (body.get("message") or {}).get("ts")
        if channel and ts:
            await client.chat_update(
                channel=channel, ts=ts, **render.open_shift_taken(shared_words, shift).as_message()
            )
        if shift.created_by != actor.user:
            manager_words = await words_for(self._services, actor.team, shift.created_by)
            await client.chat_postMessage(
                channel=shift.created_by, **render.claim_told(manager_words, shift).as_message()
            )

    async def on_swap_accept(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await self._decide(ack, action, context, respond, client, accept=True)

    async def on_swap_decline(
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
        actor = actor_of(context)
        words = words_of(context, self._services)
        decision = await self._services.shifts.decide_swap(actor, int(action["value"]), accept=accept)
        await respond(replace_original=True, **render.swap_answered(words, decision).as_message())
        told = {decision.swap.from_user, decision.swap.asked_by} - {actor.user}
        for person in sorted(told):
            their_words = await words_for(self._services, actor.team, person)
            await client.chat_postMessage(channel=person, **render.swap_result(their_words, decision).as_message())
        for manager in decision.managers:
            manager_words = await words_for(self._services, actor.team, manager)
            await client.chat_postMessage(channel=manager, **render.swap_manager(manager_words, decision).as_message())

    # ---- a file shared in the DM -----------------------------------------------------------------------------

    async def on_file_shared(self, request: PlainRequest) -> Reply | None:
        """A CSV shared with the bot is kept for `/ops shift import`; with "import" (or "rota") in the message it
        is imported straight away."""
        files = [file for file in request.event.get("files") or [] if isinstance(file, dict)]
        csv_files = [file for file in files if _is_csv(file)]
        wants_import = bool(_IMPORT_NOW.search(request.text))
        if not csv_files:
            return Reply(request.words("shift.file_not_csv")) if wants_import else None
        actor, words = request.actor, request.words
        file = csv_files[-1]
        await self._services.shifts.remember_file(
            actor.team,
            actor.user,
            file_id=str(file.get("id")),
            name=str(file.get("name") or file.get("title") or "rota.csv"),
            url=str(file.get("url_private_download") or file.get("url_private") or ""),
            size=int(file.get("size") or 0),
        )
        if not wants_import or not actor.role.includes(Role.MANAGER):
            return render.file_noted(words, str(file.get("name") or ""))
        assert request.client is not None
        return await self._import(request.client, actor, words, await self._services.shifts.file_to_import(actor))

    async def _import(self, client: AsyncWebClient, actor: Actor, words: Words, shared: SharedFile) -> Reply:
        try:
            content = await download(client, shared.url, limit=rota_csv.MAX_BYTES)
        except DownloadError as error:
            raise InvalidRequest(Msg.of(f"shift.error.download_{error.reason}", name=shared.name)) from error
        try:
            parsed = rota_csv.parse_rota_csv(content)
        except ParseError as error:
            # The example is a whole CSV block: shown as its own section, not inline.
            example = words.msg(error.example) if error.example is not None else ""
            line = words("shift.import_unreadable", name=shared.name, why=words.msg(error.message))
            return Reply(line, [section(":warning: " + line), section(example)])
        rows = [(row.line, row.person, ShiftTimes(row.day, row.start, row.end, row.role)) for row in parsed.rows]
        refused = [(error.line, error.message) for error in parsed.errors]
        people = await self._services.access.members(actor.team)
        report = await self._services.shifts.import_rows(actor, shared, shared.name, rows, refused, people)
        return render.import_report(words, report)

    # ---- helpers ---------------------------------------------------------------------------------------------
