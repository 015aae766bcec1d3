"""Plain reminders: "remind me / remind @luca to … tomorrow at 10". They ride on the reminder engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Kind, Schedule, ScheduleSpec
from bot.domain.roles import Actor, Role
from bot.domain.tasks import Scope, TaskQuery

MAX_TEXT = 500
SNOOZE = timedelta(hours=1)
MORNING = time(9, 0)


@dataclass(frozen=True, slots=True)
class PlainReminder:
    id: int
    recipient: UserId
    created_by: UserId
    text: str
    next_at: datetime | None
    rrule: str | None

    @classmethod
    def of(cls, schedule: Schedule) -> PlainReminder:
        return cls(
            id=schedule.id,
            recipient=schedule.recipient,
            created_by=schedule.created_by,
            text=schedule.payload.get("text", ""),
            next_at=schedule.next_fire,
            rrule=schedule.rrule,
        )


@dataclass(frozen=True, slots=True)
class TaskReminder:
    """An open task of mine with a due time still to come: it will remind me, so it belongs in my list."""

    number: int
    title: str
    due: datetime
    created_by: UserId


@dataclass(frozen=True, slots=True)
class PendingReminders:
    plain: list[PlainReminder]
    tasks: list[TaskReminder]

    def __len__(self) -> int:
        return len(self.plain) + len(self.tasks)


def tomorrow_morning(now: datetime, zone: ZoneInfo) -> datetime:
    """09:00 tomorrow in the person's own zone."""
    local_tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local_tomorrow, MORNING, tzinfo=zone)


MAX_RECIPIENTS = 100


class ReminderService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        poke: Callable[[datetime], None],
        group_members: Callable[[TeamId, str], Awaitable[list[UserId]]],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._group_members = group_members

    async def create_many(
        self,
        actor: Actor,
        *,
        people: Sequence[UserId],
        group: str | None,
        text: str,
        at: datetime,
        every: Recurrence | None = None,
    ) -> list[PlainReminder]:
        """One reminder per person: the people named, or every member of a Slack user group.

        Slack's own /remind cannot remind other people or groups for a bot; this is why people ask us.
        """
        recipients = list(dict.fromkeys([*people, *(await self._group_members(actor.team, group) if group else [])]))
        if not recipients:
            raise InvalidRequest(Msg.of("reminder.error.empty_group"), example=Msg.of("reminder.example.other"))
        if len(recipients) > MAX_RECIPIENTS:
            raise InvalidRequest(Msg.of("reminder.error.too_many", most=MAX_RECIPIENTS))
        return [await self.create(actor, recipient=r, text=text, at=at, every=every) for r in recipients]

    async def create(
        self, actor: Actor, *, recipient: UserId, text: str, at: datetime, every: Recurrence | None = None
    ) -> PlainReminder:
        text = " ".join(text.split())
        if not text:
            raise InvalidRequest(Msg.of("reminder.error.no_text"), example=Msg.of("reminder.example.me"))
        if len(text) > MAX_TEXT:
            raise InvalidRequest(
                Msg.of("reminder.error.too_long", most=MAX_TEXT), example=Msg.of("reminder.example.me")
            )
        if at <= self._clock.now():
            raise InvalidRequest(Msg.of("reminder.error.past"), example=Msg.of("reminder.example.me"))
        spec = ScheduleSpec(
            team=actor.team,
            kind=Kind.REMINDER,
            target="reminder",
            recipient=recipient,
            created_by=actor.user,
            first_fire=at,
            zone=every.zone if every else actor.timezone.key,
            rrule=every.rule if every else None,
            local_start=every.local_start if every else None,
            payload={"text": text},
        )
        async with self._uow() as uow:
            schedule = await uow.schedules.add(spec, at=self._clock.now())
        self._poke(at)
        return PlainReminder.of(schedule)

    async def upcoming(self, actor: Actor) -> PendingReminders:
        """Plain reminders for me or set by me, and my open tasks whose due time is still to come."""
        now = self._clock.now()
        async with self._uow() as uow:
            schedules = await uow.schedules.upcoming_involving(actor.team, actor.user, [Kind.REMINDER])
            tasks = await uow.tasks.open_tasks(actor.team, TaskQuery(Scope.MINE), actor.user, now=now)
        return PendingReminders(
            plain=[PlainReminder.of(schedule) for schedule in schedules],
            tasks=[
                TaskReminder(task.number, task.title, task.due, task.created_by)
                for task in tasks
                if task.due is not None and task.due > now
            ],
        )

    async def cancel(self, actor: Actor, reminder_id: int) -> PlainReminder:
        async with self._uow() as uow:
            schedule = await self._changeable(uow, actor, reminder_id)
            await uow.schedules.cancel(actor.team, reminder_id, at=self._clock.now())
        return PlainReminder.of(schedule)

    async def snooze(self, actor: Actor, reminder_id: int, *, until: datetime | None = None) -> PlainReminder:
        """Again in an hour, or at `until`; works on a reminder that has already gone off, too."""
        at = until or self._clock.now() + SNOOZE
        if at <= self._clock.now():
            raise InvalidRequest(Msg.of("reminder.error.past"))
        async with self._uow() as uow:
            schedule = await self._changeable(uow, actor, reminder_id)
            if schedule.rrule is not None:
                raise InvalidRequest(Msg.of("reminder.error.snooze_recurring"))
            await uow.schedules.reschedule(actor.team, reminder_id, at)
        self._poke(at)
        return replace(PlainReminder.of(schedule), next_at=at)

    async def done(self, actor: Actor, reminder_id: int) -> PlainReminder:
        """The person has done it: a one-off reminder will not come back; a recurring one goes on."""
        async with self._uow() as uow:
            schedule = await self._changeable(uow, actor, reminder_id)
            if schedule.rrule is None and schedule.next_fire is not None:
                await uow.schedules.cancel(actor.team, reminder_id, at=self._clock.now())
        return PlainReminder.of(schedule)

    @staticmethod
    async def _changeable(uow: UnitOfWork, actor: Actor, reminder_id: int) -> Schedule:
        """The reminder, if this person may change it: its recipient, whoever set it, or a manager."""
        schedule = await uow.schedules.get(actor.team, reminder_id)
        if schedule is None or schedule.kind is not Kind.REMINDER:
            raise NotFound(Msg.of("reminder.error.not_found", id=reminder_id))
        if actor.user not in (schedule.recipient, schedule.created_by) and not actor.role.includes(Role.MANAGER):
            raise NotAllowed(
                Msg.of("reminder.error.not_yours", recipient=schedule.recipient, creator=schedule.created_by)
            )
        return schedule
