"""`/ops digest …` (`riepilogo`): a channel's daily and weekly digests, and one's own morning DM."""

from __future__ import annotations

from datetime import time

from bot.digest_posts import DigestPoster
from bot.domain.digesting import DigestKind, SubscriptionDraft, check_zone
from bot.domain.digests import Section
from bot.domain.ids import UserId
from bot.parsing import digests as parse
from bot.rendering import digest_settings as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter

DIGEST = ("digest", "digests", "riepilogo", "riepiloghi")


class DigestHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, commands: CommandRouter) -> None:
        commands.route_words(DIGEST, self.digest)

    async def digest(self, request: CommandRequest) -> None:
        actor, words, subscriptions = request.actor, request.words, self._services.digest_subscriptions
        channel = str(request.body.get("channel_id") or actor.user)
        match parse.parse_digest_command(request.text):
            case parse.ShowDigests():
                found = await subscriptions.settings(actor.team, channel)
                mine = await subscriptions.settings(actor.team, actor.user)
                await request.answer(render.settings(words, [*found, *mine]))
            case parse.Subscribe(kind=kind, at=at, weekday=weekday, zone=zone):
                await self._subscribe(request, DigestKind(kind), at, weekday, zone, channel)
            case parse.TurnOff(personal=personal):
                if personal:
                    stopped = await subscriptions.off(actor, actor.team, actor.user, [DigestKind.PERSONAL])
                else:
                    stopped = await subscriptions.off(actor, actor.team, channel, [DigestKind.DAILY, DigestKind.WEEKLY])
                await request.answer(render.turned_off(words, stopped))
            case parse.PostNow():
                await request.answer(render.posted_now(words))
                await DigestPoster(request.client, self._services).post_now(actor, channel)
            case parse.ChooseSections(sections=sections):
                chosen = frozenset(Section(s) for s in sections)
                found = await subscriptions.choose(actor, actor.team, channel, sections=chosen, skip_quiet=None)
                await request.answer(render.settings(words, found))
            case parse.QuietDays(skip=skip):
                found = await subscriptions.choose(actor, actor.team, channel, sections=None, skip_quiet=skip)
                await request.answer(render.settings(words, found))

    async def _subscribe(
        self,
        request: CommandRequest,
        kind: DigestKind,
        at: time,
        weekday: int | None,
        zone: str | None,
        channel: str,
    ) -> None:
        actor = request.actor
        if zone is None:
            zone = (
                actor.timezone.key
                if kind is DigestKind.PERSONAL
                else (await self._services.shifts.zone(actor.team)).key
            )
        target = UserId(actor.user) if kind is DigestKind.PERSONAL else channel
        subscription = await self._services.digest_subscriptions.subscribe(
            actor,
            SubscriptionDraft(actor.team, target, kind, at, weekday, check_zone(zone), actor.user),
        )
        await request.answer(render.subscribed(request.words, subscription))
