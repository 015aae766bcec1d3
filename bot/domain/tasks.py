"""What a task is: a to-do with an assignee, an optional due time, a priority and tags.

A recurring task is a chain of occurrences: each occurrence is a task of its own (with its own number, due
reminder and escalation) that carries the RRULE, its zone and its wall-clock start; the next occurrence is
added when the current one is done or its due time passes. No Slack, no SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.ids import TeamId, UserId
from bot.domain.recurrence import Recurrence

MAX_TITLE = 200
MAX_NOTES = 2000
MAX_TAGS = 10


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class TaskDraft:
    """A task about to be created; `due` is the first occurrence when `every` is set."""

    title: str
    assignee: UserId | None = None
    due: datetime | None = None
    every: Recurrence | None = None
    priority: Priority = Priority.NORMAL
    tags: tuple[str, ...] = ()
    notes: str = ""
    source_link: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    id: int  # internal row id; people see `number`
    team: TeamId
    number: int  # per workspace: 1, 2, 3… in each team
    title: str
    assignee: UserId
    created_by: UserId
    status: TaskStatus
    priority: Priority
    tags: tuple[str, ...]
    notes: str
    due: datetime | None
    rrule: str | None
    zone: str
    local_start: datetime | None  # naive wall-clock start of the recurrence in `zone`
    source_link: str | None
    created_at: datetime
    done_at: datetime | None = None
    done_by: UserId | None = None
    due_schedule: int | None = None
    overdue_schedule: int | None = None
    spawned_next: bool = False  # the following occurrence of a recurring task has been added

    @property
    def is_open(self) -> bool:
        return self.status is TaskStatus.OPEN

    @property
    def recurrence(self) -> Recurrence | None:
        if self.rrule is None or self.local_start is None:
            return None
        return Recurrence(self.rrule, self.zone, self.local_start)

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due is not None and self.due <= now

    def may_be_changed_by(self, user: UserId, *, manager: bool) -> bool:
        return manager or user in (self.assignee, self.created_by)


class Scope(StrEnum):
    MINE = "mine"
    ALL = "all"
    OVERDUE = "overdue"
    PERSON = "person"
    TAG = "tag"


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Which open tasks to list: mine, everyone's, overdue ones, one person's, or one tag's."""

    scope: Scope = Scope.MINE
    person: UserId | None = None
    tag: str | None = None

    def encode(self) -> str:
        """A compact form for a button's value, read back with `decode`."""
        if self.scope is Scope.PERSON:
            return f"person:{self.person}"
        if self.scope is Scope.TAG:
            return f"tag:{self.tag}"
        return self.scope.value

    @classmethod
    def decode(cls, text: str) -> TaskQuery:
        kind, _, rest = text.partition(":")
        if kind == Scope.PERSON.value and rest:
            return cls(Scope.PERSON, person=UserId(rest))
        if kind == Scope.TAG.value and rest:
            return cls(Scope.TAG, tag=rest)
        try:
            return cls(Scope(kind))
        except ValueError:
            return cls()
