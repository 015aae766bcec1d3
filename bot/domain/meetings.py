"""What a meeting is: a title, a time, a place (free text or a registered room), an organizer and attendees who
answer Going / Maybe / Can't go. A recurring meeting is one series (an RRULE over the organizer's wall clock)
whose single occurrences can be moved or cancelled.

The meeting's `sequence` goes up on every change that matters to a calendar (time, place, title, cancellation),
as RFC 5546 asks, so calendar apps replace the event instead of adding a second one.

This module holds the values and rules; `bot.domain.meeting_service` is the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.recurrence import Recurrence

DEFAULT_DURATION = timedelta(minutes=30)
DEFAULT_LEAD = timedelta(minutes=15)
MAX_ATTENDEES = 100
MAX_AGENDA = 20
MAX_AGENDA_ITEM = 200
MAX_ROOM_NAME = 60
# Someone who has not answered is nudged once: a day before, or two hours before a meeting that is sooner.
NUDGE_BEFORE = timedelta(days=1)
NUDGE_BEFORE_SAME_DAY = timedelta(hours=2)


class Rsvp(StrEnum):
    NEEDS_ACTION = "needs-action"
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"

    @property
    def partstat(self) -> str:
        """The iCalendar PARTSTAT for this answer."""
        return {
            Rsvp.NEEDS_ACTION: "NEEDS-ACTION",
            Rsvp.GOING: "ACCEPTED",
            Rsvp.MAYBE: "TENTATIVE",
            Rsvp.DECLINED: "DECLINED",
        }[self]


class MeetingStatus(StrEnum):
    DRAFT = "draft"  # has clashes: waits for the organizer's Send anyway or another time
    POLL = "poll"  # the attendees vote on candidate times; the organizer confirms one
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    team: TeamId
    name: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class Attendee:
    user: UserId
    rsvp: Rsvp = Rsvp.NEEDS_ACTION
    answered_at: datetime | None = None
    suggestion: str = ""  # "suggest another time": what they proposed, in their words


@dataclass(frozen=True, slots=True)
class Override:
    """One occurrence of a recurring meeting moved (new start and end) or cancelled."""

    original: datetime  # aware UTC: when the occurrence would have started
    starts: datetime | None
    ends: datetime | None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class MeetingDraft:
    team: TeamId
    title: str
    organizer: UserId
    starts: datetime
    ends: datetime
    zone: str
    place: str
    room_id: int | None
    attendees: tuple[UserId, ...]
    agenda: tuple[str, ...] = ()
    channel: ChannelId | None = None
    lead: timedelta = DEFAULT_LEAD
    recurrence: Recurrence | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    team: TeamId
    title: str
    organizer: UserId
    starts: datetime  # aware UTC; for a series, the first occurrence
    ends: datetime
    zone: str
    place: str
    room_id: int | None
    room_name: str | None
    agenda: tuple[str, ...]
    channel: ChannelId | None
    lead: timedelta
    rrule: str | None
    local_start: datetime | None  # naive wall-clock start of the series in `zone`
    sequence: int
    status: MeetingStatus
    attendees: tuple[Attendee, ...]
    overrides: tuple[Override, ...] = ()
    organizer_channel: ChannelId | None = None  # where the organizer's tally message is
    organizer_ts: str | None = None
    reminder_schedule_id: int | None = None
    nudge_schedule_id: int | None = None
    minutes_schedule_id: int | None = None

    @property
    def duration(self) -> timedelta:
        return self.ends - self.starts

    @property
    def uid(self) -> str:
        return f"meeting-{self.id}-{self.team}@ops-assistant"

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED

    @property
    def recurrence(self) -> Recurrence | None:
        if self.rrule is None or self.local_start is None:
            return None
        return Recurrence(self.rrule, self.zone, self.local_start)

    def attendee(self, user: UserId) -> Attendee | None:
        return next((a for a in self.attendees if a.user == user), None)

    def tally(self) -> dict[Rsvp, int]:
        counts = dict.fromkeys(Rsvp, 0)
        for attendee in self.attendees:
            counts[attendee.rsvp] += 1
        return counts

    def occurrences(self, since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
        """The (start, end) of each occurrence overlapping [since, until), moved ones where they now are."""
        if self.is_cancelled:
            return []
        recurrence = self.recurrence
        if recurrence is None:
            return [(self.starts, self.ends)] if self.starts < until and since < self.ends else []
        moved = {o.original: o for o in self.overrides}
        found: list[tuple[datetime, datetime]] = []
        cursor = self.starts - timedelta(microseconds=1)
        earliest = since - self.duration - timedelta(days=1)
        if cursor < earliest:
            cursor = earliest
        # Hourly is the most a rule can repeat, so this many occurrences always reach past the range (plus the
        # day's margin); expanding fewer keeps a digest's many one-day questions cheap.
        span_hours = int((until - cursor) / timedelta(hours=1)) + 26
        for start in recurrence.occurrences_after(cursor, limit=min(400, span_hours)):
            if start >= until + timedelta(days=1) and not any(o.starts and o.starts < until for o in moved.values()):
                break
            if start < self.starts:
                continue
            override = moved.get(start)
            if override is not None:
                if override.cancelled or override.starts is None or override.ends is None:
                    continue
                begin, end = override.starts, override.ends
            else:
                begin, end = start, start + self.duration
            if begin < until and since < end:
                found.append((begin, end))
        return sorted(found)


@dataclass(frozen=True, slots=True)
class Clash:
    """Why someone (or a room) is not free then: another meeting, time off, not working."""

    user: UserId | None  # None: the room
    reason: str  # "meeting" | "away" | "off_shift" | "room"
    title: str
    starts: datetime
    ends: datetime


MIN_POLL_OPTIONS = 2
MAX_POLL_OPTIONS = 5


@dataclass(frozen=True, slots=True)
class PollOption:
    position: int  # 1-based, as shown
    starts: datetime
    ends: datetime
    voters: tuple[UserId, ...] = ()


@dataclass(frozen=True, slots=True)
class Poll:
    meeting: Meeting
    options: tuple[PollOption, ...]

    def option(self, position: int) -> PollOption | None:
        return next((o for o in self.options if o.position == position), None)

    @property
    def leading(self) -> PollOption | None:
        """The option with most votes (the earliest of a tie), or None before anyone voted."""
        best = max(self.options, key=lambda o: (len(o.voters), -o.position), default=None)
        return best if best is not None and best.voters else None


@dataclass(frozen=True, slots=True)
class Minutes:
    id: int
    meeting_id: int
    title: str
    occurrence: datetime
    text: str
    task_numbers: tuple[int, ...]
    written_by: UserId
    written_at: datetime
