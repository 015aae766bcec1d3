"""The case's message in the cases channel and its thread, kept up to date from wherever a case changes: a
command, a button, an email, a timer. Written in the workspace's language: everyone in the channel reads it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.access import AccessService
from bot.domain.case_service import CaseService
from bot.domain.cases import Case, CaseKind
from bot.domain.ids import TeamId
from bot.i18n import Translator, Words
from bot.rendering import cases as render
from bot.rendering.blocks import Reply
from bot.services import Services

log = logging.getLogger("ops.cases.posts")

# Saved answers that may fit a question: (key, text) pairs, best first.
MatchFinder = Callable[[TeamId, str], Awaitable[Sequence[tuple[str, str]]]]


class CasePoster:
    def __init__(
        self,
        client: AsyncWebClient,
        cases: CaseService,
        access: AccessService,
        translator: Translator,
        matches: MatchFinder | None = None,
    ) -> None:
        self._client = client
        self._cases = cases
        self._access = access
        self._translator = translator
        self._matches = matches

    async def words(self, team: TeamId) -> Words:
        language, _zone = await self._access.anonymous(team)
        return self._translator.bind(language)

    async def matches(self, case: Case) -> Sequence[tuple[str, str]]:
        if self._matches is None or case.kind is not CaseKind.QUESTION:
            return ()
        return await self._matches(case.team, case.description)

    async def post(self, case: Case) -> bool:
        """Post a new case to the cases channel; False when there is none (or the bot cannot post there)."""
        channel = await self._cases.cases_channel(case.team)
        if channel is None:
            return False
        words = await self.words(case.team)
        try:
            posted = await self._client.chat_postMessage(
                channel=channel, **render.case_post(words, case, await self.matches(case)).as_message()
            )
        except SlackApiError as exc:
            log.warning("could not post %s to %s: %s", case.label, channel, exc.response.get("error"))
            return False
        await self._cases.record_post(case.team, case.number, channel=channel, ts=str(posted["ts"]))
        return True

    async def after(self, case: Case) -> None:
        """After a change: its newest note in the thread, and the post updated in place."""
        notes = await self._cases.notes(case.team, case.number)
        if notes:
            fresh = await self._cases.case(case.team, case.number) or case
            await self.in_thread(fresh, lambda words: render.thread_note(words, fresh, notes[-1]))
        await self.refresh(case)

    async def in_thread(self, case: Case, make: Callable[[Words], Reply]) -> str | None:
        """A message in the case's thread; the ts it got, or None when the case has no post."""
        fresh = await self._cases.case(case.team, case.number) or case
        if fresh.post_channel is None or fresh.post_ts is None:
            return None
        words = await self.words(fresh.team)
        response = await self._client.chat_postMessage(
            channel=fresh.post_channel, thread_ts=fresh.post_ts, **make(words).as_message()
        )
        return str(response["ts"])

    async def refresh(self, case: Case) -> None:
        fresh = await self._cases.case(case.team, case.number)
        if fresh is None or fresh.post_channel is None or fresh.post_ts is None:
            return
        words = await self.words(fresh.team)
        try:
            await self._client.chat_update(
                channel=fresh.post_channel,
                ts=fresh.post_ts,
                **render.case_post(words, fresh, await self.matches(fresh)).as_message(),
            )
        except SlackApiError as exc:
            log.warning("could not update the post of %s: %s", fresh.label, exc.response.get("error"))


def case_poster(services: Services, client: AsyncWebClient) -> CasePoster:
    """The case's post and thread, with the saved answers that may fit a question."""

    async def matches(team: TeamId, text: str) -> list[tuple[str, str]]:
        return [(answer.key, answer.text) for answer in await services.answers.best(team, text, 3)]

    return CasePoster(client, services.cases, services.access, services.translator, matches)
