"""A meeting as calendar files: the invitation (METHOD:REQUEST), the cancellation (METHOD:CANCEL) and the
entries of a personal feed, written by `bot.rendering.calendar` from the meeting and its people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.ids import TeamId, UserId
from bot.domain.meetings import Meeting
from bot.domain.people import DirectoryEntry
from bot.rendering import calendar
from bot.rendering.calendar import CalendarEvent, CalendarPerson, Override


class Members(Protocol):
    async def members(self, team: TeamId) -> list[DirectoryEntry]: ...


async def people_of(directory: Members, meeting: Meeting) -> dict[UserId, DirectoryEntry]:
    """Names and emails for the organizer and attendees (one users.list for the whole meeting)."""
    wanted = {meeting.organizer, *(a.user for a in meeting.attendees)}
    return {entry.user: entry for entry in await directory.members(meeting.team) if entry.user in wanted}


def _person(user: UserId, people: Mapping[UserId, DirectoryEntry], partstat: str = "NEEDS-ACTION") -> CalendarPerson:
    entry = people.get(user)
    name = (entry.real_name or entry.display_name or entry.handle) if entry is not None else ""
    return CalendarPerson(user=user, name=name, email=entry.email if entry is not None else None, partstat=partstat)


def event_of(meeting: Meeting, people: Mapping[UserId, DirectoryEntry]) -> CalendarEvent:
    return CalendarEvent(
        uid=meeting.uid,
        sequence=meeting.sequence,
        summary=meeting.title,
        starts=meeting.starts,
        ends=meeting.ends,
        zone=meeting.zone,
        organizer=_person(meeting.organizer, people, "ACCEPTED"),
        attendees=tuple(_person(a.user, people, a.rsvp.partstat) for a in meeting.attendees),
        location=meeting.place,
        description="\n".join(f"- {item}" for item in meeting.agenda),
        rrule=meeting.rrule,
        overrides=tuple(Override(o.original, o.starts, o.ends, o.cancelled) for o in meeting.overrides),
        cancelled=meeting.is_cancelled,
    )


def invitation_file(meeting: Meeting, people: Mapping[UserId, DirectoryEntry], stamp: datetime) -> bytes:
    return calendar.invitation(event_of(meeting, people), stamp=stamp)


def cancellation_file(meeting: Meeting, people: Mapping[UserId, DirectoryEntry], stamp: datetime) -> bytes:
    return calendar.cancellation(event_of(meeting, people), stamp=stamp)


def feed_file(name: str, meetings: Sequence[Meeting], stamp: datetime, others: Sequence[CalendarEvent] = ()) -> bytes:
    """A subscription feed: no METHOD, no attendee list (a feed is one person's view, not an invitation); the
    person's appointments and shifts come as `others`."""
    events = [
        CalendarEvent(
            uid=m.uid,
            sequence=m.sequence,
            summary=m.title,
            starts=m.starts,
            ends=m.ends,
            zone=m.zone,
            organizer=None,
            location=m.place,
            description="\n".join(f"- {item}" for item in m.agenda),
            rrule=m.rrule,
            overrides=tuple(Override(o.original, o.starts, o.ends, o.cancelled) for o in m.overrides),
        )
        for m in meetings
    ]
    return calendar.feed(name, [*events, *others], stamp=stamp)
