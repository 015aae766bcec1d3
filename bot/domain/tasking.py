"""Tasks: create, list and change them; their due reminders and overdue escalations ride on the reminder engine.

A task and its schedules change in one unit of work, so a task never exists without its reminder nor a
reminder without its task. Every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.access import AccessService
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Kind, ScheduleSpec
from bot.domain.roles import Actor, Role
from bot.domain.tasks import MAX_NOTES, MAX_TITLE, Priority, Task, TaskDraft, TaskQuery, TaskStatus

SNOOZE = timedelta(hours=1)
TARGET_PREFIX = "task:"

# A daily task skips at most this many holidays in a row (a shop closed for a month still gets its next one).
MAX_HOLIDAY_SKIPS = 60


def task_target(task_id: int) -> str:
    """The schedules' `target` for a task: its row id, which never changes (its number is what people see)."""
    return f"{TARGET_PREFIX}{task_id}"


def task_id_of(target: str) -> int | None:
    if not target.startswith(TARGET_PREFIX):
        return None
    rest = target.removeprefix(TARGET_PREFIX)
    return int(rest) if rest.isdigit() else None


@dataclass(frozen=True, slots=True)
class Escalation:
    """An overdue task and the people to tell: its creator, or the managers when the creator is the assignee."""

    task: Task
    recipients: list[UserId]


class TaskService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, poke: Callable[[datetime], None], access: AccessService
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._access = access

    # ---- creating --------------------------------------------------------------------------------------------

    async def create(self, actor: Actor, draft: TaskDraft) -> Task:
        now = self._clock.now()
        title = _title(draft.title)
        notes = draft.notes.strip()
        if len(notes) > MAX_NOTES:
            raise InvalidRequest(Msg.of("task.error.notes_too_long", most=MAX_NOTES))
        if draft.due is not None and draft.due <= now:
            raise InvalidRequest(Msg.of("task.error.past"), example=Msg.of("task.example.add"))
        if draft.every is not None and draft.due is None:
            raise ValueError("a recurring task needs its first due time")
        async with self._uow() as uow:
            number = await uow.tasks.next_number(actor.team)
            task = await uow.tasks.add(
                Task(
                    id=0,
                    team=actor.team,
                    number=number,
                    title=title,
                    assignee=draft.assignee or actor.user,
                    created_by=actor.user,
                    status=TaskStatus.OPEN,
                    priority=draft.priority,
                    tags=draft.tags,
                    notes=notes,
                    due=draft.due,
                    rrule=draft.every.rule if draft.every else None,
                    zone=draft.every.zone if draft.every else actor.timezone.key,
                    local_start=draft.every.local_start if draft.every else None,
                    source_link=draft.source_link,
                    created_at=now,
                )
            )
            task = await self._arm(uow, task, now)
            await self._audit(uow, actor.user, "task.create", task, now, assignee=task.assignee, due=_iso(task.due))
        self._wake(task)
        return task

    # ---- reading ---------------------------------------------------------------------------------------------

    async def get(self, actor: Actor, number: int) -> Task:
        async with self._uow() as uow:
            return await self._find(uow, actor.team, number)

    async def list(self, actor: Actor, query: TaskQuery) -> list[Task]:
        async with self._uow() as uow:
            return await uow.tasks.open_tasks(actor.team, query, actor.user, now=self._clock.now())

    # ---- changing --------------------------------------------------------------------------------------------

    async def complete(self, actor: Actor, number: int) -> Task:
        now = self._clock.now()
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            if not task.is_open:
                raise InvalidRequest(Msg.of("task.error.already_done", number=number))
            task = replace(task, status=TaskStatus.DONE, done_at=now, done_by=actor.user)
            task = await self._disarm(uow, task, now)
            await uow.tasks.save(task)
            following = await self._spawn_next(uow, task, now)
            await self._audit(uow, actor.user, "task.done", task, now)
        if following is not None:
            self._wake(following)
        return task

    async def reopen(self, actor: Actor, number: int) -> Task:
        now = self._clock.now()
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            if task.is_open:
                raise InvalidRequest(Msg.of("task.error.already_open", number=number))
            task = replace(task, status=TaskStatus.OPEN, done_at=None, done_by=None)
            task = await self._arm(uow, task, now)
            await self._audit(uow, actor.user, "task.reopen", task, now)
        self._wake(task)
        return task

    async def assign(self, actor: Actor, number: int, assignee: UserId) -> Task:
        now = self._clock.now()
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            before = task.assignee
            task = await self._arm(uow, replace(task, assignee=assignee), now)
            await self._audit(uow, actor.user, "task.assign", task, now, before=before, after=assignee)
        self._wake(task)
        return task

    async def set_due(self, actor: Actor, number: int, due: datetime | None) -> Task:
        """A new due time (None: no due time); its reminder and escalation move with it."""
        now = self._clock.now()
        if due is not None and due <= now:
            raise InvalidRequest(Msg.of("task.error.past"), example=Msg.of("task.example.due"))
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            before = task.due
            task = await self._arm(uow, replace(task, due=due), now)
            await self._audit(uow, actor.user, "task.due", task, now, before=_iso(before), after=_iso(due))
        self._wake(task)
        return task

    async def snooze(self, actor: Actor, number: int, *, until: datetime | None = None) -> Task:
        """Due again in an hour (or at `until`): the reminder comes back then, and the escalation moves too."""
        now = self._clock.now()
        at = until or now + SNOOZE
        if at <= now:
            raise InvalidRequest(Msg.of("task.error.past"))
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            if not task.is_open:
                raise InvalidRequest(Msg.of("task.error.already_done", number=number))
            before = task.due
            task = await self._arm(uow, replace(task, due=at), now)
            await self._audit(uow, actor.user, "task.snooze", task, now, before=_iso(before), after=_iso(at))
        self._wake(task)
        return task

    async def rename(self, actor: Actor, number: int, title: str) -> Task:
        now = self._clock.now()
        title = _title(title)
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            before = task.title
            task = replace(task, title=title)
            await uow.tasks.save(task)
            await self._audit(uow, actor.user, "task.edit", task, now, before=before)
        return task

    async def delete(self, actor: Actor, number: int) -> Task:
        """Gone, with its reminders; for a recurring task this also ends the series (no next occurrence)."""
        now = self._clock.now()
        async with self._uow() as uow:
            task = await self._changeable(uow, actor, number)
            task = await self._disarm(uow, task, now)
            await uow.tasks.delete(actor.team, task.id)
            await self._audit(uow, actor.user, "task.delete", task, now, title=task.title)
        return task

    async def open_for_checklist(
        self, team: TeamId, *, title: str, assignee: UserId, created_by: UserId, link: object = None
    ) -> int | None:
        """A follow-up task opened by the Checklists capability (an out-of-range reading); its number.

        The checklist message is not linked: a permalink needs Slack, which the domain cannot call.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            settings = await self._access.settings(uow, team)
            number = await uow.tasks.next_number(team)
            task = await uow.tasks.add(
                Task(
                    id=0,
                    team=team,
                    number=number,
                    title=_clip(title, MAX_TITLE),
                    assignee=assignee,
                    created_by=created_by,
                    status=TaskStatus.OPEN,
                    priority=Priority.HIGH,
                    tags=("checklist",),
                    notes="",
                    due=None,
                    rrule=None,
                    zone=settings.timezone,
                    local_start=None,
                    source_link=None,
                    created_at=now,
                )
            )
            await self._audit(uow, created_by, "task.create", task, now, assignee=assignee, source="checklist")
        return task.number

    # ---- for the couriers ------------------------------------------------------------------------------------

    async def due_reached(self, team: TeamId, task_id: int) -> Task | None:
        """A task's due reminder is going out: the task if it is still open (its next occurrence, if it repeats,
        is added now), or None when there is nothing to remind of."""
        now = self._clock.now()
        async with self._uow() as uow:
            task = await uow.tasks.get_by_id(team, task_id)
            if task is None or not task.is_open:
                return None
            following = await self._spawn_next(uow, task, now)
        if following is not None:
            self._wake(following)
        return task

    async def escalation(self, team: TeamId, task_id: int) -> Escalation | None:
        """Who hears that a task is still open after its due time; None once it is done or gone."""
        async with self._uow() as uow:
            task = await uow.tasks.get_by_id(team, task_id)
            if task is None or not task.is_open or task.due is None:
                return None
            if task.created_by != task.assignee:
                return Escalation(task, [task.created_by])
            grants = await uow.roles.all(team)
        admins = await self._access.refresh_admins(team)
        managers = {grant.user for grant in grants if grant.role.includes(Role.MANAGER)}
        managers |= {profile.user for profile in admins if not profile.is_bot}
        managers.discard(task.assignee)
        return Escalation(task, sorted(managers))

    # ---- inside a unit of work -------------------------------------------------------------------------------

    async def _find(self, uow: UnitOfWork, team: TeamId, number: int) -> Task:
        task = await uow.tasks.get(team, number)
        if task is None:
            raise NotFound(Msg.of("task.error.not_found", number=number), example=Msg.of("task.example.list"))
        return task

    async def _changeable(self, uow: UnitOfWork, actor: Actor, number: int) -> Task:
        """The task, if this person may change it: its creator, its assignee, or a manager."""
        task = await self._find(uow, actor.team, number)
        if not task.may_be_changed_by(actor.user, manager=actor.role.includes(Role.MANAGER)):
            if task.assignee == task.created_by:
                raise NotAllowed(Msg.of("task.error.not_yours_one", number=number, user=f"<@{task.assignee}>"))
            raise NotAllowed(
                Msg.of(
                    "task.error.not_yours",
                    number=number,
                    assignee=f"<@{task.assignee}>",
                    creator=f"<@{task.created_by}>",
                )
            )
        return task

    async def _disarm(self, uow: UnitOfWork, task: Task, now: datetime) -> Task:
        """Cancel the task's pending reminder and escalation."""
        for schedule in (task.due_schedule, task.overdue_schedule):
            if schedule is not None:
                await uow.schedules.cancel(task.team, schedule, at=now)
        return replace(task, due_schedule=None, overdue_schedule=None)

    async def _arm(self, uow: UnitOfWork, task: Task, now: datetime) -> Task:
        """Replace the task's schedules by ones that match it now, and save it.

        Fresh schedules rather than moved ones: an occurrence key is schedule + instant, and a moved one-off
        schedule coming back to an instant it already fired at would never fire again.
        """
        task = await self._disarm(uow, task, now)
        due_at = task.due
        if task.is_open and due_at is not None:
            escalate_at = due_at + (await self._access.settings(uow, task.team)).task_escalation
            payload = {"task": str(task.id), "title": task.title}
            if due_at > now:
                due = await uow.schedules.add(self._spec(task, Kind.TASK_DUE, task.assignee, due_at, payload), at=now)
                task = replace(task, due_schedule=due.id)
            if escalate_at > now:
                overdue = await uow.schedules.add(
                    self._spec(task, Kind.TASK_OVERDUE, task.created_by, escalate_at, payload), at=now
                )
                task = replace(task, overdue_schedule=overdue.id)
        await uow.tasks.save(task)
        return task

    @staticmethod
    def _spec(task: Task, kind: Kind, recipient: UserId, at: datetime, payload: dict[str, str]) -> ScheduleSpec:
        return ScheduleSpec(
            team=task.team,
            kind=kind,
            target=task_target(task.id),
            recipient=recipient,
            created_by=task.created_by,
            first_fire=at,
            zone=task.zone,
            payload=payload,
        )

    async def _spawn_next(self, uow: UnitOfWork, task: Task, now: datetime) -> Task | None:
        """The next occurrence of a recurring task, once: when this one is done or its time has come."""
        recurrence = task.recurrence
        if recurrence is None or task.spawned_next:
            return None
        after = max(task.due or now, now)
        due = await self._next_working_occurrence(uow, task, recurrence, after)
        await uow.tasks.save(replace(task, spawned_next=True))
        if due is None:
            return None
        number = await uow.tasks.next_number(task.team)
        following = await uow.tasks.add(
            replace(
                task,
                id=0,
                number=number,
                status=TaskStatus.OPEN,
                due=due,
                created_at=now,
                done_at=None,
                done_by=None,
                due_schedule=None,
                overdue_schedule=None,
                spawned_next=False,
            )
        )
        following = await self._arm(uow, following, now)
        await self._audit(uow, task.created_by, "task.repeat", following, now, previous=str(task.number))
        return following

    @staticmethod
    async def _next_working_occurrence(
        uow: UnitOfWork, task: Task, recurrence: Recurrence, after: datetime
    ) -> datetime | None:
        """The next occurrence that is not on one of the workspace's public holidays (the shop is closed)."""
        zone = ZoneInfo(recurrence.zone)
        due = recurrence.next_after(after)
        if due is None:
            return None
        holidays = {holiday.day for holiday in await uow.people.holidays(task.team, since=due.astimezone(zone).date())}
        for _ in range(MAX_HOLIDAY_SKIPS):
            if due is None or due.astimezone(zone).date() not in holidays:
                return due
            due = recurrence.next_after(due)
        return due

    async def _audit(
        self, uow: UnitOfWork, actor: UserId, action: str, task: Task, now: datetime, **details: str | None
    ) -> None:
        await uow.audit.add(
            AuditEntry(
                team=task.team,
                actor=actor,
                action=action,
                target=f"task #{task.number}",
                at=now,
                details={key: value for key, value in details.items() if value is not None},
            )
        )

    def _wake(self, task: Task) -> None:
        if task.is_open and task.due is not None:
            self._poke(max(task.due, self._clock.now()))


def _title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise InvalidRequest(Msg.of("task.error.no_title"), example=Msg.of("task.example.add"))
    if len(title) > MAX_TITLE:
        raise InvalidRequest(Msg.of("task.error.title_too_long", most=MAX_TITLE), example=Msg.of("task.example.add"))
    return title


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None
