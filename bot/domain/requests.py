"""Slack retries events and interactions; this makes sure each one has its effect once."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.clock import Clock
from bot.domain.ids import TeamId
from bot.domain.ports import UnitOfWorkFactory

# Slack retries within minutes; a day of keys is ample and keeps the table small.
REQUEST_KEY_RETENTION = timedelta(days=1)


class RequestLedgerService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def first_time(self, team: TeamId, key: str) -> bool:
        async with self._uow() as uow:
            return await uow.requests.claim(team, key, at=self._clock.now())

    async def forget_old(self) -> int:
        async with self._uow() as uow:
            return await uow.requests.forget_before(self._clock.now() - REQUEST_KEY_RETENTION)
