"""The reminder engine's rules: what a schedule is, when an occurrence is late, how failures back off.

Reminders, checklists, digests and follow-ups all go through here. The store is the truth: a `Schedule`
says when something fires; each firing becomes one `Delivery` row, unique by its occurrence key, that one
process claims with a lease, posts, and marks sent. Nothing here knows Slack or SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from bot.domain.ids import TeamId, UserId

# An occurrence posted this long after its time is "late" and says so.
LATE_AFTER = timedelta(minutes=2)
# After this many failed attempts a delivery is marked failed and reported, never silently dropped.
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=15)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Misfire(StrEnum):
    """What to do with an occurrence whose time passed while nobody could send it."""

    SEND_LATE = "send_late"  # a task reminder: still worth sending, marked late
    DROP_WHEN_STALE = "drop_when_stale"  # "meeting in 15 min": pointless once the meeting has started
    COALESCE = "coalesce"  # a digest or checklist: one post for the whole backlog


class Kind(StrEnum):
    REMINDER = "reminder"  # a plain reminder DM
    TASK_DUE = "task_due"  # a task's due-time reminder to its assignee
    TASK_OVERDUE = "task_overdue"  # still open a while after its due time: told to its creator or the managers
    CHECKLIST = "checklist"  # a scheduled checklist posted to its channel
    CHECKLIST_DEADLINE = "checklist_deadline"  # items still open at the checklist's deadline
    SHIFT_START = "shift_start"  # a shift begins: its duties (checklists, tasks) are DMed to whoever works it
    MEETING_REMINDER = "meeting_reminder"  # "starts in 15 minutes", to everyone going or maybe
    MEETING_NUDGE = "meeting_nudge"  # once, to attendees who have not answered
    MEETING_MINUTES = "meeting_minutes"  # the meeting has ended: the organizer is asked for the minutes
    CASE_TARGET = "case_target"  # a case's response or resolution target: the warning before, the miss
    CASE_WAITING = "case_waiting"  # a case waiting on the customer: the nudge, then closing it
    CASE_FOLLOW_UP = "case_follow_up"  # check back with the customer after a resolution
    DIGEST = "digest"  # a channel's daily or weekly digest, or a person's morning DM
    APPOINTMENT_REMINDER = "appointment_reminder"  # "in 15 minutes", to the manager and the colleague booked
    STOCK_ORDER = "stock_order"  # after an approval: the supplier's email and the delivery task, if not done yet


MISFIRE_POLICY: Mapping[Kind, Misfire] = MappingProxyType(
    {
        Kind.REMINDER: Misfire.SEND_LATE,
        Kind.TASK_DUE: Misfire.SEND_LATE,
        Kind.TASK_OVERDUE: Misfire.SEND_LATE,
        Kind.CHECKLIST: Misfire.COALESCE,
        Kind.CHECKLIST_DEADLINE: Misfire.COALESCE,
        Kind.SHIFT_START: Misfire.SEND_LATE,
        # The courier drops a meeting reminder once the meeting has started (it checks the meeting's time).
        Kind.MEETING_REMINDER: Misfire.DROP_WHEN_STALE,
        Kind.MEETING_NUDGE: Misfire.DROP_WHEN_STALE,
        Kind.MEETING_MINUTES: Misfire.COALESCE,
        Kind.CASE_TARGET: Misfire.SEND_LATE,
        Kind.CASE_WAITING: Misfire.SEND_LATE,
        Kind.CASE_FOLLOW_UP: Misfire.SEND_LATE,
        Kind.DIGEST: Misfire.COALESCE,
        # Pointless once the appointment has started; the courier also checks it still stands at that time.
        Kind.APPOINTMENT_REMINDER: Misfire.DROP_WHEN_STALE,
        # Late is fine: an approved order still needs its email and its task after any downtime.
        Kind.STOCK_ORDER: Misfire.SEND_LATE,
    }
)


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A new schedule: fires once at `first_fire`, or on `rrule` (local wall-clock time in `zone`)."""

    team: TeamId
    kind: Kind
    target: str
    recipient: UserId
    created_by: UserId
    first_fire: datetime
    zone: str
    rrule: str | None = None
    local_start: datetime | None = None  # naive wall-clock start of a recurrence in `zone`
    payload: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.first_fire.tzinfo is None:
            raise ValueError("first_fire must be timezone-aware")
        if (self.rrule is None) != (self.local_start is None):
            raise ValueError("a recurrence needs both rrule and local_start")


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    team: TeamId
    kind: Kind
    target: str
    recipient: UserId
    created_by: UserId
    next_fire: datetime | None
    zone: str
    rrule: str | None
    local_start: datetime | None
    payload: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    team: TeamId
    schedule_id: int
    occurrence_key: str
    kind: Kind
    recipient: UserId
    due: datetime
    attempts: int
    interrupted: bool
    payload: Mapping[str, str]
    target: str
    created_by: UserId
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class ScheduleMove:
    """A schedule that fired at `fired` and fires next at `next_fire` (None: never again)."""

    schedule_id: int
    fired: datetime
    next_fire: datetime | None


@dataclass(frozen=True, slots=True)
class SentRecord:
    delivery_id: int
    at: datetime
    channel: str
    ts: str
    late: bool


@dataclass(frozen=True, slots=True)
class RetryRecord:
    delivery_id: int
    next_attempt: datetime
    error: str


@dataclass(frozen=True, slots=True)
class FailedRecord:
    delivery_id: int
    error: str


@dataclass(frozen=True, slots=True)
class DeliveryBacklog:
    """The queue at a glance (for /metrics): waiting to be sent, of those past their time, failed for good."""

    pending: int
    late: int
    failed: int


@dataclass(slots=True)
class DeliveryOutcomes:
    """What became of one claimed batch, recorded in one go."""

    sent: list[SentRecord] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retry: list[RetryRecord] = field(default_factory=list)
    deferred: list[RetryRecord] = field(default_factory=list)  # held, e.g. while the recipient is away
    failed: list[FailedRecord] = field(default_factory=list)


def occurrence_key(schedule_id: int, due: datetime) -> str:
    """Unique per schedule and instant: the same occurrence can never become two deliveries."""
    return f"{schedule_id}@{due.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def is_late(due: datetime, now: datetime) -> bool:
    return now - due > LATE_AFTER


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at 15 min."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def occurrences_to_deliver(kind: Kind, missed: list[datetime]) -> list[datetime]:
    """Which of the instants a schedule passed become deliveries, by the kind's misfire policy."""
    if not missed:
        return []
    if MISFIRE_POLICY[kind] is Misfire.COALESCE:
        return [missed[-1]]
    return missed
