"""Publishing a person's App Home: when they open it, and again after a change that touches them (a task given
to them or done, a case they took, a meeting they answered), so the dashboard is current the next time they look.

A refresh is a courtesy on top of a request that has already been answered: it never fails that request, a
problem is logged and the Home is simply rebuilt the next time the person opens it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.ids import TeamId, UserId
from bot.domain.roles import Actor, Role
from bot.domain.tasks import Scope, TaskQuery
from bot.i18n import Words
from bot.rendering.home import MAX_ITEMS, Dashboard, home_view
from bot.services import Services

log = logging.getLogger("ops.home")

# One publish at a time for each person in this process: reading and publishing under the lock means the view
# published last was built from the newest data, whichever of two overlapping changes started first. A lock
# lives while someone holds or waits for it.
_publishing: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()


def _lock(team: str, user: str) -> asyncio.Lock:
    lock = _publishing.get((team, user))
    if lock is None:
        lock = _publishing[(team, user)] = asyncio.Lock()
    return lock


class HomeRefresher:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def dashboard(self, actor: Actor) -> Dashboard:
        """Everything the person's Home shows, read now."""
        services = self._services
        manager = actor.role.includes(Role.MANAGER)
        reminders = await services.reminders.upcoming(actor)
        return Dashboard(
            now=services.clock.now(),
            today=await services.shifts.today(actor),
            meetings=await services.meetings.upcoming(actor),
            appointments=await services.appointments.upcoming(actor),
            tasks=await services.tasks.list(actor, TaskQuery(Scope.MINE)),
            reminders=reminders.plain,
            cases=await services.cases.listing(actor, "mine"),
            team_overdue=await services.tasks.list(actor, TaskQuery(Scope.OVERDUE)) if manager else None,
            team_breached=await services.cases.listing(actor, "overdue") if manager else None,
            team_low_stock=await services.stock.low_for_digest(actor.team, MAX_ITEMS) if manager else None,
        )

    async def publish(self, client: AsyncWebClient, actor: Actor, words: Words) -> None:
        """The person's Home, built and published now; errors are the caller's."""
        async with _lock(actor.team, actor.user):
            view = home_view(words, actor, await self.dashboard(actor))
            await client.views_publish(user_id=actor.user, view=view)

    async def refresh(self, client: AsyncWebClient, team: str, users: Iterable[str | None]) -> None:
        """Republish the Home of each of them who has one (once each, blanks skipped); a failure is logged, never
        raised."""
        wanted = [UserId(user) for user in dict.fromkeys(user for user in users if user)]
        if not wanted:
            return
        try:
            with_home = await self._services.home_tabs.with_home(TeamId(team), wanted)
        except Exception:
            log.exception("could not read whose Home to refresh in %s", team)
            return
        for user in (user for user in wanted if user in with_home):
            try:
                actor = await self._services.access.actor(TeamId(team), UserId(user))
                await self.publish(client, actor, self._services.translator.bind(actor.language))
            except SlackApiError as error:
                log.warning("could not publish the Home of %s: %s", user, error.response.get("error"))
            except Exception:
                log.exception("could not refresh the Home of %s in %s", user, team)
