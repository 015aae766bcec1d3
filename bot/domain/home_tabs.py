"""Who has a Home tab: only their Home is worth republishing after a change.

Slack shows a person's Home only once they open it, and every opening publishes it fresh. A republish after a
change is for someone who may have it open or come back to it; for anyone else it would build a whole dashboard
(a dozen queries) and publish a view nobody looks at, on every task they are given or finish.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.clock import Clock
from bot.domain.ids import TeamId, UserId
from bot.domain.ports import UnitOfWorkFactory


class HomeTabs:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def opened(self, team: TeamId, user: UserId) -> None:
        async with self._uow() as uow:
            await uow.profiles.home_opened(team, user, self._clock.now())

    async def with_home(self, team: TeamId, users: Iterable[UserId]) -> set[UserId]:
        async with self._uow() as uow:
            return await uow.profiles.with_home(team, list(dict.fromkeys(users)))
