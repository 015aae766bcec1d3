"""The meetings service: plan a meeting (who, when, where, with every clash found first), send it, collect the
answers, move or cancel it (or one occurrence of a series), remind and nudge through the reminder engine, find
a time that suits everyone, and serve each person's calendar feed.

A meeting with clashes is kept as a draft until the organizer chooses Send anyway or another time: nothing
reaches the attendees before then. Rooms are never double-booked; that is refused, naming the booking.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.appointments import HOLDING
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.meetings import (
    DEFAULT_DURATION,
    MAX_AGENDA,
    MAX_AGENDA_ITEM,
    MAX_ATTENDEES,
    MAX_POLL_OPTIONS,
    MAX_ROOM_NAME,
    MIN_POLL_OPTIONS,
    NUDGE_BEFORE,
    NUDGE_BEFORE_SAME_DAY,
    Clash,
    Meeting,
    MeetingDraft,
    MeetingStatus,
    Minutes,
    Override,
    Poll,
    Room,
    Rsvp,
)
from bot.domain.messages import Msg
from bot.domain.people_time import PersonHours
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Delivery, Kind, ScheduleSpec
from bot.domain.roles import Actor, Role
from bot.domain.shifting import TaskMaker
from bot.domain.shifts import Shift
from bot.domain.slots import Availability, Span, find_slots, working_spans
from bot.domain.tasks import Task, TaskDraft

# How far ahead a series is looked at for clashes and feeds.
SERIES_HORIZON = timedelta(days=120)
FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=365)
MAX_SERIES_OCCURRENCES = 500


def date_token(instant: datetime) -> str:
    """A Slack date token, shown in each reader's zone (the fallback is the UTC instant)."""
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} {{time}}|{instant.isoformat()}>"


def _example(key: str = "add") -> Msg:
    return Msg.of(f"meeting.example.{key}")


@dataclass(frozen=True, slots=True)
class Planned:
    """A meeting just created: sent (no clashes, or sent anyway) or held as a draft showing its clashes."""

    meeting: Meeting
    clashes: tuple[Clash, ...]
    over_capacity: int | None  # the room's capacity when the meeting has more people than that
    sent: bool


@dataclass(frozen=True, slots=True)
class Answered:
    meeting: Meeting
    user: UserId
    rsvp: Rsvp


@dataclass(frozen=True, slots=True)
class Proposal:
    starts: datetime
    ends: datetime


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a meeting as a reminder or a nudge sees it."""

    meeting: Meeting
    starts: datetime
    ends: datetime


class Directory:
    """How attendees written as groups, channels and shift roles become people."""

    def __init__(
        self,
        group_members: Callable[[TeamId, str], Awaitable[list[UserId]]],
        channel_members: Callable[[TeamId, ChannelId], Awaitable[list[UserId]]],
        is_person: Callable[[TeamId, UserId], Awaitable[bool]],
    ) -> None:
        self.group_members = group_members
        self.channel_members = channel_members
        self.is_person = is_person


class MeetingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        poke: Callable[[datetime], None],
        directory: Directory,
        hours_of: Callable[[Actor, UserId], Awaitable[PersonHours]],
        shifts_between: Callable[[TeamId, datetime, datetime], Awaitable[list[Shift]]],
        tasks: TaskMaker,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._directory = directory
        self._hours_of = hours_of
        self._shifts_between = shifts_between
        self._tasks = tasks

    def _audit(self, actor: Actor, action: str, meeting: Meeting, **details: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, f"meeting #{meeting.id}", self._clock.now(), details)

    # ---- rooms -----------------------------------------------------------------------------------------------

    async def add_room(self, actor: Actor, name: str, capacity: int | None) -> Room:
        actor.require(Role.MANAGER, action=Msg.of("action.change_rooms"))
        name = " ".join(name.split())
        if not name or len(name) > MAX_ROOM_NAME:
            raise InvalidRequest(Msg.of("meeting.error.room_name", most=MAX_ROOM_NAME), example=_example("room"))
        if capacity is not None and not 1 <= capacity <= 1000:
            raise InvalidRequest(Msg.of("meeting.error.capacity"), example=_example("room"))
        async with self._uow() as uow:
            if await uow.meetings.room_named(actor.team, name) is not None:
                raise InvalidRequest(Msg.of("meeting.error.room_exists", name=name), example=_example("room"))
            return await uow.meetings.add_room(actor.team, name, capacity, by=actor.user, at=self._clock.now())

    async def rooms(self, actor: Actor) -> list[Room]:
        async with self._uow() as uow:
            return await uow.meetings.rooms(actor.team)

    # ---- who comes -------------------------------------------------------------------------------------------

    async def resolve(
        self,
        actor: Actor,
        people: Sequence[UserId],
        groups: Sequence[str],
        channels: Sequence[ChannelId],
        roles: Sequence[str],
        starts: datetime,
    ) -> list[UserId]:
        """Everyone invited, once each, in the order written; the organizer is not their own attendee. A shift
        role means whoever works that role on the meeting's day."""
        found: list[UserId] = list(people)
        for group in groups:
            found += await self._directory.group_members(actor.team, group)
        for channel in channels:
            members = await self._directory.channel_members(actor.team, channel)
            found += [member for member in members if await self._directory.is_person(actor.team, member)]
        if roles:
            zone = ZoneInfo(await self._zone(actor.team))
            day = starts.astimezone(zone).date()
            since = datetime.combine(day, time(0), tzinfo=zone)
            wanted = {role.lower() for role in roles}
            for shift in await self._shifts_between(actor.team, since, since + timedelta(days=1)):
                if shift.user is not None and shift.role in wanted:
                    found.append(shift.user)
        unique = [user for user in dict.fromkeys(found) if user != actor.user]
        if not unique:
            raise InvalidRequest(Msg.of("meeting.error.nobody"), example=_example())
        if len(unique) > MAX_ATTENDEES:
            raise InvalidRequest(Msg.of("meeting.error.too_many", most=MAX_ATTENDEES), example=_example())
        return unique

    async def _zone(self, team: TeamId) -> str:
        async with self._uow() as uow:
            settings = await uow.workspaces.get(team)
        return settings.timezone if settings is not None else "UTC"

    # ---- planning --------------------------------------------------------------------------------------------

    async def plan(self, actor: Actor, draft: MeetingDraft, *, place_is_room: bool = True) -> Planned:
        """Create the meeting. A registered room is booked (refused if taken); every attendee's clashes are
        found. Without clashes it is sent at once; with them it waits as a draft for the organizer."""
        now = self._clock.now()
        if draft.starts <= now:
            raise InvalidRequest(Msg.of("meeting.error.past"), example=_example())
        async with self._uow() as uow:
            room = await uow.meetings.room_named(actor.team, draft.place) if place_is_room and draft.place else None
            if room is not None:
                draft = replace(draft, room_id=room.id, place=room.name)
                await self._check_room(uow, actor.team, room, draft.starts, draft.ends, draft.recurrence, None)
            clashes = await self._clashes(uow, actor, draft.attendees, draft.starts, draft.ends, ignore=None)
            series_end = self._series_end(draft.recurrence, draft.ends - draft.starts)
            meeting = await uow.meetings.add(draft, series_ends=series_end, at=now)
            status = MeetingStatus.DRAFT if clashes else MeetingStatus.SCHEDULED
            await uow.meetings.update(actor.team, meeting.id, at=now, status=status.value)
            meeting = replace(meeting, status=status)
            if not clashes:
                meeting = await self._arm(uow, meeting, now)
            await uow.audit.add(
                self._audit(actor, "meeting.create", meeting, starts=draft.starts.isoformat(), status=status.value)
            )
        over = (
            room.capacity if room is not None and room.capacity and len(draft.attendees) + 1 > room.capacity else None
        )
        if not clashes:
            self._poke(now)
        return Planned(meeting, tuple(clashes), over, sent=not clashes)

    async def send_anyway(self, actor: Actor, meeting_id: int) -> Meeting:
        now = self._clock.now()
        async with self._uow() as uow:
            meeting = await self._organized(uow, actor, meeting_id)
            if meeting.status is not MeetingStatus.DRAFT:
                return meeting
            if meeting.starts <= now:
                raise InvalidRequest(Msg.of("meeting.error.past"), example=_example())
            await uow.meetings.update(actor.team, meeting.id, at=now, status=MeetingStatus.SCHEDULED.value)
            meeting = await self._arm(uow, replace(meeting, status=MeetingStatus.SCHEDULED), now)
            await uow.audit.add(self._audit(actor, "meeting.send", meeting))
        self._poke(now)
        return meeting

    async def _check_room(
        self,
        uow: UnitOfWork,
        team: TeamId,
        room: Room,
        starts: datetime,
        ends: datetime,
        recurrence: Recurrence | None,
        ignore: int | None,
    ) -> None:
        spans = self._spans(starts, ends, recurrence)
        until = max(end for _, end in spans)
        for other in await uow.meetings.in_room(team, room.id, starts, until):
            if other.id == ignore or other.is_cancelled:
                continue
            for begin, end in other.occurrences(starts, until):
                if any(begin < b_end and b_start < end for b_start, b_end in spans):
                    raise InvalidRequest(
                        Msg.of(
                            "meeting.error.room_taken",
                            room=room.name,
                            title=other.title,
                            id=other.id,
                            start=date_token(begin),
                        ),
                        example=_example(),
                    )

    def _spans(self, starts: datetime, ends: datetime, recurrence: Recurrence | None) -> list[Span]:
        if recurrence is None:
            return [(starts, ends)]
        length = ends - starts
        firsts = [starts, *recurrence.occurrences_after(starts, limit=MAX_SERIES_OCCURRENCES)]
        horizon = starts + SERIES_HORIZON
        return [(first, first + length) for first in firsts if first < horizon]

    @staticmethod
    def _series_end(recurrence: Recurrence | None, length: timedelta) -> datetime | None:
        if recurrence is None:
            return None
        if "COUNT=" not in recurrence.rule and "UNTIL=" not in recurrence.rule:
            return None
        last: datetime | None = None
        cursor = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
        for start in recurrence.occurrences_after(cursor, limit=MAX_SERIES_OCCURRENCES):
            last = start
        return last + length if last is not None else None

    async def _clashes(
        self,
        uow: UnitOfWork,
        actor: Actor,
        attendees: Sequence[UserId],
        starts: datetime,
        ends: datetime,
        *,
        ignore: int | None,
    ) -> list[Clash]:
        """Each attendee's (and the organizer's) other meetings and time off overlapping the meeting."""
        people = [actor.user, *attendees]
        clashes: list[Clash] = []
        for other in await uow.meetings.involving(actor.team, people, starts, ends):
            if other.id == ignore or other.status is not MeetingStatus.SCHEDULED:
                continue
            for begin, end in other.occurrences(starts, ends):
                involved = {other.organizer, *(a.user for a in other.attendees if a.rsvp is not Rsvp.DECLINED)}
                for person in people:
                    if person in involved:
                        clashes.append(Clash(person, "meeting", other.title, begin, end))
        for person in people:
            for entry in await uow.people.time_off_between(actor.team, person, starts, ends):
                clashes.append(Clash(person, "away", entry.reason, entry.starts, entry.ends))
            for appointment in await uow.appointments.involving(actor.team, person, starts, ends, HOLDING):
                label = appointment.topic or appointment.visitor_name
                clashes.append(Clash(person, "appointment", label, appointment.starts, appointment.ends))
        # Someone on the rota that day but not on shift at the meeting's time is off then.
        day_shifts = await uow.shifts.shifts_between(
            actor.team, starts - timedelta(hours=12), ends + timedelta(hours=12)
        )
        for person in attendees:
            theirs = [shift for shift in day_shifts if shift.user == person]
            if theirs and not any(shift.starts <= starts and ends <= shift.ends for shift in theirs):
                clashes.append(Clash(person, "off_shift", "", starts, ends))
        return clashes

    # ---- reminders and nudges --------------------------------------------------------------------------------

    async def _arm(self, uow: UnitOfWork, meeting: Meeting, now: datetime) -> Meeting:
        """The reminder (before every occurrence) and the one nudge to whoever has not answered."""
        reminder_id: int | None = None
        recurrence = meeting.recurrence
        first_reminder = meeting.starts - meeting.lead
        if recurrence is not None and meeting.local_start is not None:
            reminder_rule: Recurrence | None = Recurrence(
                recurrence.rule, recurrence.zone, meeting.local_start - meeting.lead
            )
        else:
            reminder_rule = None
        if first_reminder > now or reminder_rule is not None:
            first = first_reminder
            if first <= now and reminder_rule is not None:
                following = reminder_rule.next_after(now)
                first = following if following is not None else first
            if first > now:
                schedule = await uow.schedules.add(
                    ScheduleSpec(
                        team=meeting.team,
                        kind=Kind.MEETING_REMINDER,
                        target=f"meeting:{meeting.id}",
                        recipient=meeting.organizer,
                        created_by=meeting.organizer,
                        first_fire=first,
                        zone=meeting.zone,
                        rrule=reminder_rule.rule if reminder_rule else None,
                        local_start=reminder_rule.local_start if reminder_rule else None,
                        payload={"meeting": str(meeting.id), "sequence": str(meeting.sequence)},
                    ),
                    at=now,
                )
                reminder_id = schedule.id
        nudge_id: int | None = None
        before = NUDGE_BEFORE if meeting.starts - now > NUDGE_BEFORE + timedelta(hours=1) else NUDGE_BEFORE_SAME_DAY
        nudge_at = meeting.starts - before
        if nudge_at > now:
            schedule = await uow.schedules.add(
                ScheduleSpec(
                    team=meeting.team,
                    kind=Kind.MEETING_NUDGE,
                    target=f"meeting:{meeting.id}",
                    recipient=meeting.organizer,
                    created_by=meeting.organizer,
                    first_fire=nudge_at,
                    zone=meeting.zone,
                    payload={"meeting": str(meeting.id), "sequence": str(meeting.sequence)},
                ),
                at=now,
            )
            nudge_id = schedule.id
        minutes_id = await self._arm_minutes(uow, meeting, now)
        await uow.meetings.update(
            meeting.team,
            meeting.id,
            at=now,
            reminder_schedule_id=reminder_id,
            nudge_schedule_id=nudge_id,
            minutes_schedule_id=minutes_id,
        )
        return replace(
            meeting, reminder_schedule_id=reminder_id, nudge_schedule_id=nudge_id, minutes_schedule_id=minutes_id
        )

    async def _arm_minutes(self, uow: UnitOfWork, meeting: Meeting, now: datetime) -> int | None:
        """When each occurrence ends, the organizer is asked for the minutes."""
        recurrence = meeting.recurrence
        rule = (
            Recurrence(recurrence.rule, recurrence.zone, meeting.local_start + meeting.duration)
            if recurrence is not None and meeting.local_start is not None
            else None
        )
        if rule is None and meeting.ends <= now:
            return None
        schedule = await uow.schedules.add(
            ScheduleSpec(
                team=meeting.team,
                kind=Kind.MEETING_MINUTES,
                target=f"meeting:{meeting.id}",
                recipient=meeting.organizer,
                created_by=meeting.organizer,
                first_fire=meeting.ends,
                zone=meeting.zone,
                rrule=rule.rule if rule else None,
                local_start=rule.local_start if rule else None,
                payload={"meeting": str(meeting.id), "sequence": str(meeting.sequence)},
            ),
            at=now,
        )
        return schedule.id

    async def _disarm(self, uow: UnitOfWork, meeting: Meeting, now: datetime) -> None:
        for schedule_id in (meeting.reminder_schedule_id, meeting.nudge_schedule_id, meeting.minutes_schedule_id):
            if schedule_id is not None:
                await uow.schedules.cancel(meeting.team, schedule_id, at=now)

    async def occurrence_for(self, delivery: Delivery) -> Occurrence | None:
        """The occurrence a reminder is for, unless the meeting (or that occurrence) was cancelled, moved by a
        later change, or has already started (a "starts in 15 minutes" is no use after it started)."""
        async with self._uow() as uow:
            meeting = await uow.meetings.get(delivery.team, int(delivery.payload.get("meeting", "0")))
        if meeting is None or meeting.status is not MeetingStatus.SCHEDULED:
            return None
        if delivery.payload.get("sequence") != str(meeting.sequence) and meeting.recurrence is None:
            return None
        starts = delivery.due + meeting.lead
        if delivery.kind is Kind.MEETING_NUDGE:
            starts = meeting.starts
        moved = next((o for o in meeting.overrides if o.original == starts), None)
        if (
            moved is not None
            and delivery.kind is Kind.MEETING_REMINDER
            and (moved.cancelled or moved.starts is None or moved.ends is None or moved.starts != starts)
        ):
            return None
        if "moved" in delivery.payload:
            starts = datetime.fromisoformat(delivery.payload["moved"])
        if self._clock.now() >= starts:
            return None
        return Occurrence(meeting, starts, starts + meeting.duration)

    # ---- answers ---------------------------------------------------------------------------------------------

    async def answer(self, actor: Actor, meeting_id: int, rsvp: Rsvp, suggestion: str = "") -> Answered:
        now = self._clock.now()
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
            if meeting is None or meeting.status is MeetingStatus.DRAFT:
                raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id))
            if meeting.is_cancelled:
                raise InvalidRequest(Msg.of("meeting.error.cancelled", title=meeting.title))
            if meeting.attendee(actor.user) is None:
                raise NotAllowed(Msg.of("meeting.error.not_invited", title=meeting.title))
            await uow.meetings.answer(actor.team, meeting_id, actor.user, rsvp, at=now, suggestion=suggestion[:300])
            meeting = await uow.meetings.get(actor.team, meeting_id)
            assert meeting is not None
        return Answered(meeting, actor.user, rsvp)

    async def suggest(self, actor: Actor, meeting_id: int, text: str) -> Meeting:
        """ "Suggest another time": kept on the attendee's answer and shown to the organizer."""
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
            if meeting is None or meeting.status is MeetingStatus.DRAFT:
                raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id))
            mine = meeting.attendee(actor.user)
            if mine is None:
                raise NotAllowed(Msg.of("meeting.error.not_invited", title=meeting.title))
            await uow.meetings.answer(
                actor.team, meeting_id, actor.user, mine.rsvp, at=self._clock.now(), suggestion=text[:300]
            )
            changed = await uow.meetings.get(actor.team, meeting_id)
            assert changed is not None
        return changed

    async def get(self, actor: Actor, meeting_id: int) -> Meeting:
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
        if meeting is None:
            raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id), example=_example("list"))
        return meeting

    async def meeting(self, team: TeamId, meeting_id: int) -> Meeting | None:
        async with self._uow() as uow:
            return await uow.meetings.get(team, meeting_id)

    async def record_invitation(self, team: TeamId, meeting_id: int, user: UserId, *, channel: str, ts: str) -> None:
        async with self._uow() as uow:
            await uow.meetings.set_invitation(team, meeting_id, user, channel=channel, ts=ts)

    async def record_organizer_message(self, team: TeamId, meeting_id: int, *, channel: str, ts: str) -> None:
        async with self._uow() as uow:
            await uow.meetings.update(
                team, meeting_id, at=self._clock.now(), organizer_channel=channel, organizer_ts=ts
            )

    async def invitations(self, team: TeamId, meeting_id: int) -> dict[UserId, tuple[str, str]]:
        async with self._uow() as uow:
            return await uow.meetings.invitations(team, meeting_id)

    # ---- changes ---------------------------------------------------------------------------------------------

    async def _organized(self, uow: UnitOfWork, actor: Actor, meeting_id: int) -> Meeting:
        meeting = await uow.meetings.get(actor.team, meeting_id)
        if meeting is None:
            raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id), example=_example("list"))
        if meeting.organizer != actor.user and not actor.role.includes(Role.MANAGER):
            raise NotAllowed(Msg.of("meeting.error.not_organizer", title=meeting.title))
        if meeting.is_cancelled:
            raise InvalidRequest(Msg.of("meeting.error.cancelled", title=meeting.title))
        return meeting

    async def reschedule(self, actor: Actor, meeting_id: int, starts: datetime) -> Meeting:
        """A new time for a single meeting (or a series from its first occurrence): everyone answers again and
        every calendar gets the new version (SEQUENCE + 1)."""
        now = self._clock.now()
        if starts <= now:
            raise InvalidRequest(Msg.of("meeting.error.past"), example=_example("move"))
        async with self._uow() as uow:
            meeting = await self._organized(uow, actor, meeting_id)
            ends = starts + meeting.duration
            recurrence = meeting.recurrence
            if recurrence is not None:
                local = starts.astimezone(ZoneInfo(meeting.zone)).replace(tzinfo=None)
                recurrence = Recurrence(recurrence.rule, recurrence.zone, local)
            if meeting.room_id is not None:
                room = Room(meeting.room_id, meeting.team, meeting.room_name or meeting.place, None)
                await self._check_room(uow, actor.team, room, starts, ends, recurrence, meeting.id)
            await self._disarm(uow, meeting, now)
            await uow.meetings.update(
                actor.team,
                meeting.id,
                at=now,
                starts_utc=starts,
                ends_utc=ends,
                local_start=recurrence.local_start.isoformat() if recurrence else None,
                sequence=meeting.sequence + 1,
                status=MeetingStatus.SCHEDULED.value,
            )
            await uow.meetings.reset_answers(actor.team, meeting.id)
            moved = await uow.meetings.get(actor.team, meeting.id)
            assert moved is not None
            moved = await self._arm(uow, moved, now)
            await uow.audit.add(self._audit(actor, "meeting.reschedule", moved, starts=starts.isoformat()))
        self._poke(now)
        return moved

    async def move_occurrence(self, actor: Actor, meeting_id: int, day: date, starts: datetime | None) -> Meeting:
        """Move (or, with no new time, cancel) the occurrence of a series that falls on the local `day`."""
        now = self._clock.now()
        async with self._uow() as uow:
            meeting = await self._organized(uow, actor, meeting_id)
            recurrence = meeting.recurrence
            if recurrence is None:
                raise InvalidRequest(Msg.of("meeting.error.not_series", title=meeting.title), example=_example("move"))
            zone = ZoneInfo(meeting.zone)
            since = datetime.combine(day, time(0), tzinfo=zone)
            original = next(
                (
                    start
                    for start in [meeting.starts, *recurrence.occurrences_after(since - timedelta(seconds=1), limit=2)]
                    if start.astimezone(zone).date() == day and start >= meeting.starts
                ),
                None,
            )
            if original is None:
                raise NotFound(Msg.of("meeting.error.no_occurrence", title=meeting.title, day=day.isoformat()))
            if starts is not None and starts <= now:
                raise InvalidRequest(Msg.of("meeting.error.past"), example=_example("move"))
            override = Override(
                original,
                starts,
                starts + meeting.duration if starts is not None else None,
                cancelled=starts is None,
            )
            if starts is not None and meeting.room_id is not None:
                room = Room(meeting.room_id, meeting.team, meeting.room_name or meeting.place, None)
                await self._check_room(uow, actor.team, room, starts, starts + meeting.duration, None, meeting.id)
            await uow.meetings.add_override(actor.team, meeting.id, override)
            await uow.meetings.update(actor.team, meeting.id, at=now, sequence=meeting.sequence + 1)
            if starts is not None and starts - meeting.lead > now:
                await uow.schedules.add(
                    ScheduleSpec(
                        team=meeting.team,
                        kind=Kind.MEETING_REMINDER,
                        target=f"meeting:{meeting.id}",
                        recipient=meeting.organizer,
                        created_by=meeting.organizer,
                        first_fire=starts - meeting.lead,
                        zone=meeting.zone,
                        payload={"meeting": str(meeting.id), "moved": starts.isoformat(), "sequence": "moved"},
                    ),
                    at=now,
                )
            changed = await uow.meetings.get(actor.team, meeting.id)
            assert changed is not None
            await uow.audit.add(
                self._audit(
                    actor,
                    "meeting.occurrence",
                    changed,
                    original=original.isoformat(),
                    starts=starts.isoformat() if starts else "cancelled",
                )
            )
        self._poke(now)
        return changed

    async def cancel(self, actor: Actor, meeting_id: int) -> Meeting:
        now = self._clock.now()
        async with self._uow() as uow:
            meeting = await self._organized(uow, actor, meeting_id)
            await self._disarm(uow, meeting, now)
            await uow.meetings.update(
                actor.team,
                meeting.id,
                at=now,
                status=MeetingStatus.CANCELLED.value,
                sequence=meeting.sequence + 1,
                reminder_schedule_id=None,
                nudge_schedule_id=None,
            )
            await uow.audit.add(self._audit(actor, "meeting.cancel", meeting))
        return replace(meeting, status=MeetingStatus.CANCELLED, sequence=meeting.sequence + 1)

    async def upcoming(self, actor: Actor) -> list[tuple[Meeting, datetime, datetime]]:
        """My meetings (organised or invited, not declined) from now for two weeks, one row per occurrence."""
        now = self._clock.now()
        until = now + timedelta(days=14)
        async with self._uow() as uow:
            meetings = await uow.meetings.involving(actor.team, [actor.user], now, until)
        rows: list[tuple[Meeting, datetime, datetime]] = []
        for meeting in meetings:
            if meeting.status is not MeetingStatus.SCHEDULED:
                continue
            mine = meeting.attendee(actor.user)
            if meeting.organizer != actor.user and (mine is None or mine.rsvp is Rsvp.DECLINED):
                continue
            rows += [(meeting, begin, end) for begin, end in meeting.occurrences(now, until)]
        return sorted(rows, key=lambda row: (row[1], row[0].id))

    # ---- polls -----------------------------------------------------------------------------------------------

    async def create_poll(
        self,
        actor: Actor,
        title: str,
        attendees: Sequence[UserId],
        options: Sequence[datetime],
        duration: timedelta,
        place: str,
    ) -> Poll:
        """A meeting whose time the attendees choose: each votes for the options that suit them; the organizer
        then confirms one, and it goes out as a normal invitation."""
        now = self._clock.now()
        starts = sorted(dict.fromkeys(options))
        if not MIN_POLL_OPTIONS <= len(starts) <= MAX_POLL_OPTIONS:
            raise InvalidRequest(
                Msg.of("meeting.error.poll_options", least=MIN_POLL_OPTIONS, most=MAX_POLL_OPTIONS),
                example=_example("poll"),
            )
        if starts[0] <= now:
            raise InvalidRequest(Msg.of("meeting.error.past"), example=_example("poll"))
        draft = MeetingDraft(
            team=actor.team,
            title=title,
            organizer=actor.user,
            starts=starts[0],
            ends=starts[0] + duration,
            zone=actor.timezone.key,
            place=place,
            room_id=None,
            attendees=tuple(attendees),
        )
        async with self._uow() as uow:
            meeting = await uow.meetings.add(draft, series_ends=None, at=now)
            await uow.meetings.update(actor.team, meeting.id, at=now, status=MeetingStatus.POLL.value)
            await uow.meetings.add_poll_options(actor.team, meeting.id, [(start, start + duration) for start in starts])
            meeting = replace(meeting, status=MeetingStatus.POLL)
            await uow.audit.add(self._audit(actor, "meeting.poll", meeting, options=str(len(starts))))
            return Poll(meeting, tuple(await uow.meetings.poll_options(actor.team, meeting.id)))

    async def poll(self, team: TeamId, meeting_id: int) -> Poll | None:
        async with self._uow() as uow:
            meeting = await uow.meetings.get(team, meeting_id)
            if meeting is None:
                return None
            return Poll(meeting, tuple(await uow.meetings.poll_options(team, meeting_id)))

    async def vote(self, actor: Actor, meeting_id: int, position: int) -> Poll:
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
            if meeting is None:
                raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id))
            if meeting.status is not MeetingStatus.POLL:
                raise InvalidRequest(Msg.of("meeting.error.poll_closed", title=meeting.title))
            if meeting.attendee(actor.user) is None and meeting.organizer != actor.user:
                raise NotAllowed(Msg.of("meeting.error.not_invited", title=meeting.title))
            await uow.meetings.toggle_vote(actor.team, meeting_id, position, actor.user, at=self._clock.now())
            return Poll(meeting, tuple(await uow.meetings.poll_options(actor.team, meeting_id)))

    async def confirm_poll(self, actor: Actor, meeting_id: int, position: int) -> Meeting:
        now = self._clock.now()
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
            if meeting is None:
                raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id))
            if meeting.organizer != actor.user and not actor.role.includes(Role.MANAGER):
                raise NotAllowed(Msg.of("meeting.error.not_organizer", title=meeting.title))
            if meeting.status is not MeetingStatus.POLL:
                raise InvalidRequest(Msg.of("meeting.error.poll_closed", title=meeting.title))
            options = await uow.meetings.poll_options(actor.team, meeting_id)
            chosen = next((o for o in options if o.position == position), None)
            if chosen is None:
                raise NotFound(Msg.of("meeting.error.poll_option", n=position))
            if chosen.starts <= now:
                raise InvalidRequest(Msg.of("meeting.error.past"), example=_example("poll"))
            await uow.meetings.update(
                actor.team,
                meeting_id,
                at=now,
                starts_utc=chosen.starts,
                ends_utc=chosen.ends,
                status=MeetingStatus.SCHEDULED.value,
            )
            confirmed = await uow.meetings.get(actor.team, meeting_id)
            assert confirmed is not None
            confirmed = await self._arm(uow, confirmed, now)
            await uow.audit.add(self._audit(actor, "meeting.poll_confirm", confirmed, option=str(position)))
        self._poke(now)
        return confirmed

    # ---- agenda and minutes ----------------------------------------------------------------------------------

    async def add_agenda(self, actor: Actor, meeting_id: int, item: str) -> Meeting:
        """Anyone invited (or the organizer) adds an item before the meeting."""
        item = " ".join(item.split())
        if not item or len(item) > MAX_AGENDA_ITEM:
            raise InvalidRequest(Msg.of("meeting.error.agenda_item", most=MAX_AGENDA_ITEM), example=_example("agenda"))
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
            if meeting is None:
                raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id), example=_example("agenda"))
            if meeting.organizer != actor.user and meeting.attendee(actor.user) is None:
                raise NotAllowed(Msg.of("meeting.error.not_invited", title=meeting.title))
            if meeting.is_cancelled:
                raise InvalidRequest(Msg.of("meeting.error.cancelled", title=meeting.title))
            if len(meeting.agenda) >= MAX_AGENDA:
                raise InvalidRequest(Msg.of("meeting.error.agenda_full", most=MAX_AGENDA))
            agenda = (*meeting.agenda, item)
            await uow.meetings.update(actor.team, meeting_id, at=self._clock.now(), agenda="\n".join(agenda))
            await uow.audit.add(self._audit(actor, "meeting.agenda", meeting, item=item))
        return replace(meeting, agenda=agenda)

    async def minutes_due(self, delivery: Delivery) -> Occurrence | None:
        """The occurrence that just ended, for the organizer's prompt (None when cancelled or not held)."""
        async with self._uow() as uow:
            meeting = await uow.meetings.get(delivery.team, int(delivery.payload.get("meeting", "0")))
        if meeting is None or meeting.status is not MeetingStatus.SCHEDULED:
            return None
        starts = delivery.due - meeting.duration
        moved = next((o for o in meeting.overrides if o.original == starts), None)
        if moved is not None and (moved.cancelled or moved.starts is None):
            return None
        return Occurrence(meeting, starts, delivery.due)

    async def save_minutes(
        self, actor: Actor, meeting_id: int, occurrence: datetime, text: str, actions: Sequence[TaskDraft]
    ) -> tuple[Meeting, Minutes, list[Task]]:
        """The minutes, kept; each action item becomes a task (assigned as written, else to the organizer)."""
        text = text.strip()
        if not text:
            raise InvalidRequest(Msg.of("meeting.error.minutes_empty"), example=_example("minutes"))
        async with self._uow() as uow:
            meeting = await uow.meetings.get(actor.team, meeting_id)
        if meeting is None:
            raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id), example=_example("minutes"))
        if meeting.organizer != actor.user and not actor.role.includes(Role.MANAGER):
            raise NotAllowed(Msg.of("meeting.error.not_organizer", title=meeting.title))
        tasks = [await self._tasks.create(actor, draft) for draft in actions]
        now = self._clock.now()
        async with self._uow() as uow:
            minutes_id = await uow.meetings.add_minutes(
                actor.team,
                meeting_id,
                occurrence=occurrence,
                text=text,
                task_numbers=[task.number for task in tasks],
                by=actor.user,
                at=now,
            )
            await uow.audit.add(self._audit(actor, "meeting.minutes", meeting, tasks=str(len(tasks))))
        minutes = Minutes(
            minutes_id, meeting_id, meeting.title, occurrence, text, tuple(t.number for t in tasks), actor.user, now
        )
        return meeting, minutes, tasks

    async def minutes(self, actor: Actor, meeting_id: int | None, limit: int = 10) -> list[Minutes]:
        """The minutes of one meeting, or of every meeting I was part of, newest first."""
        async with self._uow() as uow:
            if meeting_id is not None:
                meeting = await uow.meetings.get(actor.team, meeting_id)
                if meeting is None:
                    raise NotFound(Msg.of("meeting.error.not_found", id=meeting_id), example=_example("minutes"))
                ids = [meeting_id]
            else:
                ids = await uow.meetings.ids_involving(actor.team, actor.user)
            return await uow.meetings.minutes(actor.team, ids, limit)

    # ---- finding a time --------------------------------------------------------------------------------------

    async def find(
        self, actor: Actor, attendees: Sequence[UserId], duration: timedelta, first: date, last: date, count: int = 3
    ) -> list[Proposal]:
        """The earliest times inside everyone's working hours (their own, in their own zone; shifts where they
        have them), outside their meetings and time off, between the reader's local days `first` and `last`."""
        if duration <= timedelta(0):
            raise InvalidRequest(Msg.of("meeting.error.duration"), example=_example("find"))
        now = self._clock.now()
        since = max(now, datetime.combine(first, time(0), tzinfo=actor.timezone))
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=actor.timezone)
        if until <= since:
            return []
        people = list(dict.fromkeys([actor.user, *attendees]))
        shifts = await self._shifts_between(actor.team, since - timedelta(days=1), until + timedelta(days=1))
        # Working time first (hours come through the people service, which has its own transactions), then
        # everyone's meetings and time off in one.
        working: dict[UserId, list[Span]] = {}
        for person in people:
            own = [(max(a, since), min(b, until)) for a, b in ((s.starts, s.ends) for s in shifts if s.user == person)]
            own = [(a, b) for a, b in own if a < b]
            if own:
                working[person] = own
            else:
                hours = await self._hours_of(actor, person)
                working[person] = working_spans(hours.hours, hours.zone, since, until)
        async with self._uow() as uow:
            meetings = await uow.meetings.involving(actor.team, people, since, until)
            time_off = {p: await uow.people.time_off_between(actor.team, p, since, until) for p in people}
            appointments = {p: await uow.appointments.involving(actor.team, p, since, until, HOLDING) for p in people}
        availability: list[Availability] = []
        for person in people:
            busy: list[Span] = [(entry.starts, entry.ends) for entry in time_off[person]]
            busy += [(appointment.starts, appointment.ends) for appointment in appointments[person]]
            for meeting in meetings:
                if meeting.status is not MeetingStatus.SCHEDULED:
                    continue
                mine = meeting.attendee(person)
                if meeting.organizer != person and (mine is None or mine.rsvp is Rsvp.DECLINED):
                    continue
                busy += meeting.occurrences(since, until)
            availability.append(Availability(working=working[person], busy=busy))
        found = find_slots(availability, duration=duration, since=since, until=until, count=count)
        return [Proposal(a, b) for a, b in found]

    # ---- calendar feed ---------------------------------------------------------------------------------------

    async def feed_url_token(self, actor: Actor, *, reset: bool = False) -> str:
        async with self._uow() as uow:
            token = None if reset else await uow.meetings.feed_token(actor.team, actor.user)
            if token is None:
                token = secrets.token_urlsafe(24)
                await uow.meetings.put_feed_token(actor.team, actor.user, token, at=self._clock.now())
        return token

    async def feed_owner(self, token: str) -> tuple[TeamId, UserId] | None:
        async with self._uow() as uow:
            return await uow.meetings.feed_owner(token)

    async def feed_meetings(self, team: TeamId, user: UserId) -> list[Meeting]:
        now = self._clock.now()
        async with self._uow() as uow:
            meetings = await uow.meetings.involving(team, [user], now - FEED_PAST, now + FEED_AHEAD)
        return [
            m
            for m in meetings
            if m.status is MeetingStatus.SCHEDULED
            and (m.organizer == user or any(a.user == user and a.rsvp is not Rsvp.DECLINED for a in m.attendees))
        ]


def default_duration(duration: timedelta | None) -> timedelta:
    return duration if duration is not None else DEFAULT_DURATION
