"""When and where digests go: a channel's daily or weekly digest, a person's morning DM. Each subscription is a
schedule in the reminder engine (`Kind.DIGEST`), so a digest is claimed and posted once per period whatever the
number of bot processes, is posted late (and says so) after downtime, and a backlog is coalesced into one.

What a digest contains is `bot.domain.digests`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.digests import ALL_SECTIONS, Section
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Delivery, Kind, ScheduleSpec
from bot.domain.roles import Actor, Role

if TYPE_CHECKING:  # ports imports this module's values; the service only needs the factory's type
    from bot.domain.ports import UnitOfWorkFactory

_RRULE_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A digest posted more than this after its time says it is late.
LATE_AFTER = timedelta(minutes=10)


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    team: TeamId
    target: str  # a channel id, or a user id for the personal digest
    kind: DigestKind
    at: time
    weekday: int | None
    zone: str
    sections: frozenset[Section]
    skip_quiet: bool
    schedule_id: int | None
    created_by: UserId

    def recurrence(self, now: datetime) -> Recurrence:
        """The schedule: every day (or that weekday) at the time, on the wall clock of the zone."""
        zone = ZoneInfo(self.zone)
        today = now.astimezone(zone).date()
        start = datetime.combine(today, self.at)
        if self.kind is DigestKind.WEEKLY and self.weekday is not None:
            return Recurrence(f"FREQ=WEEKLY;BYDAY={_RRULE_DAY[self.weekday]}", self.zone, start)
        return Recurrence("FREQ=DAILY", self.zone, start)


@dataclass(frozen=True, slots=True)
class SubscriptionDraft:
    team: TeamId
    target: str
    kind: DigestKind
    at: time
    weekday: int | None
    zone: str
    created_by: UserId


@dataclass(frozen=True, slots=True)
class Due:
    """A digest to post now: for which subscription, which local day, and whether it is late."""

    subscription: Subscription
    day_due: datetime  # when it was meant to go out
    late: bool


def _example(key: str = "daily") -> Msg:
    return Msg.of(f"digest.settings.example.{key}")


class DigestSubscriptions:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, poke: Callable[[datetime], None]) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke

    async def settings(self, team: TeamId, target: str) -> list[Subscription]:
        async with self._uow() as uow:
            return await uow.digest_subscriptions.of_target(team, target)

    async def subscribe(self, actor: Actor, draft: SubscriptionDraft) -> Subscription:
        """A channel's digest (managers) or one's own morning DM (anyone); replaces one of the same kind."""
        if draft.kind is not DigestKind.PERSONAL:
            actor.require(Role.MANAGER, action=Msg.of("action.change_digests"))
        now = self._clock.now()
        async with self._uow() as uow:
            old = await uow.digest_subscriptions.get(draft.team, draft.target, draft.kind)
            sections = old.sections if old is not None else ALL_SECTIONS
            skip = old.skip_quiet if old is not None else False
            if old is not None and old.schedule_id is not None:
                await uow.schedules.cancel(draft.team, old.schedule_id, at=now)
            subscription = await uow.digest_subscriptions.put(draft, sections=sections, skip_quiet=skip, at=now)
            recurrence = subscription.recurrence(now)
            first = recurrence.next_after(now)
            assert first is not None
            schedule = await uow.schedules.add(
                ScheduleSpec(
                    team=draft.team,
                    kind=Kind.DIGEST,
                    target=f"digest:{subscription.id}",
                    recipient=UserId(draft.target),
                    created_by=actor.user,
                    first_fire=first,
                    zone=draft.zone,
                    rrule=recurrence.rule,
                    local_start=recurrence.local_start,
                    payload={"subscription": str(subscription.id)},
                ),
                at=now,
            )
            await uow.digest_subscriptions.set_schedule(draft.team, subscription.id, schedule.id)
            await uow.audit.add(
                AuditEntry(
                    draft.team,
                    actor.user,
                    "digest.subscribe",
                    draft.target,
                    now,
                    {"kind": draft.kind.value, "at": draft.at.strftime("%H:%M"), "zone": draft.zone},
                )
            )
        self._poke(first)
        return Subscription(
            subscription.id,
            subscription.team,
            subscription.target,
            subscription.kind,
            subscription.at,
            subscription.weekday,
            subscription.zone,
            subscription.sections,
            subscription.skip_quiet,
            schedule.id,
            subscription.created_by,
        )

    async def off(self, actor: Actor, team: TeamId, target: str, kinds: Sequence[DigestKind]) -> int:
        """Stop the target's digests of those kinds; how many were stopped."""
        if any(kind is not DigestKind.PERSONAL for kind in kinds):
            actor.require(Role.MANAGER, action=Msg.of("action.change_digests"))
        now = self._clock.now()
        stopped = 0
        async with self._uow() as uow:
            for kind in kinds:
                old = await uow.digest_subscriptions.get(team, target, kind)
                if old is None:
                    continue
                if old.schedule_id is not None:
                    await uow.schedules.cancel(team, old.schedule_id, at=now)
                await uow.digest_subscriptions.remove(team, old.id)
                stopped += 1
        return stopped

    async def choose(
        self, actor: Actor, team: TeamId, target: str, *, sections: frozenset[Section] | None, skip_quiet: bool | None
    ) -> list[Subscription]:
        """Which sections a channel's digests show, and whether a quiet day posts one line or nothing."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_digests"))
        async with self._uow() as uow:
            found = [
                s for s in await uow.digest_subscriptions.of_target(team, target) if s.kind is not DigestKind.PERSONAL
            ]
            if not found:
                raise NotFound(Msg.of("digest.settings.error.none"), example=_example())
            for subscription in found:
                await uow.digest_subscriptions.choose(
                    team, subscription.id, sections=sections or subscription.sections, skip_quiet=skip_quiet
                )
            return await uow.digest_subscriptions.of_target(team, target)

    async def due(self, delivery: Delivery) -> Due | None:
        """The subscription a digest delivery is for; None once it was turned off."""
        async with self._uow() as uow:
            subscription = await uow.digest_subscriptions.by_id(
                delivery.team, int(delivery.payload.get("subscription", "0"))
            )
        if subscription is None or subscription.schedule_id != delivery.schedule_id:
            return None
        late = self._clock.now() - delivery.due > LATE_AFTER
        return Due(subscription, delivery.due, late)


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError) as error:
        raise InvalidRequest(Msg.of("digest.settings.error.zone", zone=name), example=_example()) from error
    return name
