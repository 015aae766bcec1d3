"""How case timers reach Slack: a target about to be missed (to the assignee), a target missed (in the case's
thread and to every manager, once), a case waiting too long on the customer (the nudge, then closing it), and
the follow-up after a resolution."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.case_posts import CasePoster
from bot.domain.access import AccessService
from bot.domain.case_service import CaseService
from bot.domain.cases import Case
from bot.domain.ids import TeamId, UserId
from bot.domain.reminders import Delivery, Kind
from bot.i18n import Translator, Words
from bot.rendering import cases as render
from bot.rendering.blocks import Reply
from bot.scheduling import Failed, Outcome, Sent, Skipped

# Makes a message in the words of whoever will read it.
_Maker = Callable[[Words], Reply]

log = logging.getLogger("ops.couriers.cases")


class CaseCourier:
    def __init__(
        self,
        client: AsyncWebClient,
        cases: CaseService,
        access: AccessService,
        translator: Translator,
        poster: CasePoster,
    ) -> None:
        self._client = client
        self._cases = cases
        self._access = access
        self._translator = translator
        self._poster = poster

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        return {delivery.id: await self._send_one(delivery) for delivery in deliveries}

    async def _send_one(self, delivery: Delivery) -> Outcome:
        try:
            if delivery.kind is Kind.CASE_TARGET:
                return await self._target(delivery)
            if delivery.kind is Kind.CASE_WAITING:
                return await self._waiting(delivery)
            return await self._follow_up(delivery)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            error = str(exc.response.get("error")) if isinstance(exc, SlackApiError) else type(exc).__name__
            return Failed(error)

    async def _target(self, delivery: Delivery) -> Outcome:
        alert = await self._cases.target_alert(delivery)
        if alert is None:
            return Skipped("the target was met, or the case is no longer open, or managers were told already")
        case = alert.case
        if not alert.missed:
            # Before the miss: the assignee, or the case's thread when nobody has taken it.
            if case.assignee is not None:
                words = await self._words(case.team, case.assignee)
                reply = render.target_alert(words, case, alert.target, False, masked=True)
                return await self._dm(case.assignee, reply)
            return await self._thread(
                case, lambda words: render.target_alert(words, case, alert.target, False, masked=False)
            )
        sent = await self._thread(
            case, lambda words: render.target_alert(words, case, alert.target, True, masked=False)
        )
        for manager in alert.managers:
            words = await self._words(case.team, manager)
            await self._dm(manager, render.target_alert(words, case, alert.target, True, masked=False))
        return sent

    async def _waiting(self, delivery: Delivery) -> Outcome:
        event = await self._cases.waiting_event(delivery)
        if event is None:
            return Skipped("no longer waiting on the customer since then")
        case, phase = event
        if phase == "nudge":
            person = case.assignee or case.created_by
            return await self._dm(person, render.waiting_nudge(await self._words(case.team, person), case))
        notes = await self._cases.notes(case.team, case.number)
        outcome = await self._thread(case, lambda words: render.thread_note(words, case, notes[-1]))
        await self._refresh(case)
        return outcome

    async def _follow_up(self, delivery: Delivery) -> Outcome:
        case = await self._cases.follow_up_due(delivery)
        if case is None:
            return Skipped("the follow-up was recorded already, or the case is gone")
        person = case.assignee or case.created_by
        return await self._dm(person, render.follow_up_prompt(await self._words(case.team, person), case))

    async def _dm(self, user: UserId, reply: Reply) -> Outcome:
        response = await self._client.chat_postMessage(channel=user, **reply.as_message())
        return Sent(channel=str(response["channel"]), ts=str(response["ts"]))

    async def _thread(self, case: Case, make: _Maker) -> Outcome:
        """In the case's thread; to the person handling it when the case has no post (no cases channel)."""
        ts = await self._poster.in_thread(case, make)
        if ts is None:
            person = case.assignee or case.created_by
            return await self._dm(person, make(await self._words(case.team, person)))
        return Sent(channel=case.post_channel or "", ts=ts)

    async def _refresh(self, case: Case) -> None:
        await self._poster.refresh(case)

    async def _words(self, team: TeamId, user: UserId) -> Words:
        language, _zone = await self._access.reader(team, user)
        return self._translator.bind(language)

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("case %s: %s could not be sent: %s", delivery.payload.get("case"), delivery.kind, error)
