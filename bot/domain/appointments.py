"""What an appointment is: a slot of a manager's time, asked for by a colleague (who waits for the manager's
answer) or given to an outside visitor by the manager or an assistant (confirmed at once).

A manager publishes bookable hours ("Mon-Fri 14:00-17:00, 30-minute slots") on their own wall clock: the slots
are cut from the start of those hours, every slot length, on each of the days, and stay 14:00 across DST. A
colleague's booking must be one of those slots, in the future, and free. An appointment that is pending (asked,
not answered), proposed (the manager offered another time, the colleague has not answered) or confirmed holds
its time: nobody else can book it, and it counts against the manager's other commitments.

This module holds the values and the rules; `bot.domain.appointment_service` is the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.ids import TeamId, UserId
from bot.domain.people_time import WorkingHours

Span = tuple[datetime, datetime]

DEFAULT_SLOT = timedelta(minutes=30)
MIN_SLOT = timedelta(minutes=5)
MAX_SLOT = timedelta(hours=4)
# Free slots shown by default (the next week), and at most how many in one message (each has a Book button).
SLOTS_AHEAD = timedelta(days=7)
MAX_SLOTS_SHOWN = 20
# Nobody books further ahead than this.
MAX_AHEAD = timedelta(days=366)
REMINDER_LEAD = timedelta(minutes=15)
# The calendar feed: confirmed appointments from this long ago to this far ahead.
FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=365)
MAX_TOPIC = 200
MAX_VISITOR = 120
MAX_PHONE = 40


class AppointmentStatus(StrEnum):
    PENDING = "pending"  # asked by a colleague, waiting for the manager
    PROPOSED = "proposed"  # the manager offered another time, waiting for the colleague
    CONFIRMED = "confirmed"
    DECLINED = "declined"  # by the manager, or the colleague turned the other time down
    CANCELLED = "cancelled"

    @property
    def holds_slot(self) -> bool:
        return self in HOLDING


HOLDING = frozenset({AppointmentStatus.PENDING, AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED})


def clean(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class BookableHours:
    """A manager's published hours: a wall-clock range on some weekdays, in the manager's zone, cut into slots."""

    team: TeamId
    manager: UserId
    hours: WorkingHours
    slot: timedelta
    zone: str
    set_by: UserId
    set_at: datetime

    def day_slots(self, day: date) -> list[Span]:
        """The slots (UTC) of one local day, from the start of the hours, each one slot long, all inside them."""
        if day.weekday() not in self.hours.days:
            return []
        zone = ZoneInfo(self.zone)
        # Arithmetic and comparisons between datetimes of one zone are on the wall clock, as the hours are.
        cursor = datetime.combine(day, self.hours.start, tzinfo=zone)
        last = datetime.combine(day, self.hours.end, tzinfo=zone)
        found: list[Span] = []
        while cursor + self.slot <= last:
            begin = cursor.astimezone(UTC)
            end = (cursor + self.slot).astimezone(UTC)
            if end > begin:  # never true only inside a DST gap, which bookable hours do not reach in practice
                found.append((begin, end))
            cursor += self.slot
        return found

    def slots_between(self, since: datetime, until: datetime) -> list[Span]:
        """Every slot starting in [since, until), in order."""
        zone = ZoneInfo(self.zone)
        day = since.astimezone(zone).date()
        last = until.astimezone(zone).date()
        found: list[Span] = []
        while day <= last:
            found += [(begin, end) for begin, end in self.day_slots(day) if since <= begin < until]
            day += timedelta(days=1)
        return found

    def slot_at(self, starts: datetime) -> Span | None:
        """The slot starting exactly at `starts`, if there is one (inside the hours and on the grid)."""
        day = starts.astimezone(ZoneInfo(self.zone)).date()
        return next(((begin, end) for begin, end in self.day_slots(day) if begin == starts), None)


@dataclass(frozen=True, slots=True)
class AppointmentDraft:
    team: TeamId
    manager: UserId
    booker: UserId | None  # the colleague the manager meets; None for an outside visitor
    created_by: UserId
    starts: datetime
    ends: datetime
    zone: str  # the manager's
    status: AppointmentStatus
    created_at: datetime
    topic: str = ""
    visitor_name: str = ""
    visitor_phone: str = ""


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    team: TeamId
    manager: UserId
    booker: UserId | None
    created_by: UserId
    starts: datetime  # aware UTC
    ends: datetime
    zone: str
    status: AppointmentStatus
    topic: str
    visitor_name: str
    visitor_phone: str
    sequence: int = 0  # goes up on every change a calendar must follow (a new time, a cancellation)
    previous_starts: datetime | None = None  # the time first asked for, when the manager proposed another
    reminder_schedule_id: int | None = None

    @property
    def uid(self) -> str:
        return f"appointment-{self.id}-{self.team}@ops-assistant"

    @property
    def duration(self) -> timedelta:
        return self.ends - self.starts

    @property
    def holds_slot(self) -> bool:
        return self.status.holds_slot

    def overlaps(self, starts: datetime, ends: datetime) -> bool:
        return self.starts < ends and starts < self.ends

    def others(self, user: UserId) -> tuple[UserId, ...]:
        """Who else is in it (the manager and the colleague, not `user`; a visitor has no Slack)."""
        people = [self.manager] + ([self.booker] if self.booker is not None else [])
        return tuple(person for person in dict.fromkeys(people) if person != user)


def overlapping(
    appointments: Iterable[Appointment], starts: datetime, ends: datetime, *, ignore: int | None = None
) -> Appointment | None:
    for appointment in appointments:
        if appointment.id != ignore and appointment.holds_slot and appointment.overlaps(starts, ends):
            return appointment
    return None


def free(slots: Iterable[Span], busy: Iterable[Span]) -> list[Span]:
    """The slots that overlap nothing busy (spans are half-open: back-to-back is not a clash)."""
    taken = sorted(busy)
    return [(begin, end) for begin, end in slots if not any(b < end and begin < e for b, e in taken)]
