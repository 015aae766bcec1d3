"""Meetings, their attendees and overrides, rooms and calendar-feed tokens. Every query is filtered by team,
except the lookup of a feed token, which is how a calendar app (with no workspace of its own) is recognised."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.meetings import (
    Attendee,
    Meeting,
    MeetingDraft,
    MeetingStatus,
    Override,
    Room,
    Rsvp,
)
from storage.models_meetings import (
    CalendarTokenRow,
    MeetingAttendeeRow,
    MeetingOverrideRow,
    MeetingRow,
    RoomRow,
)


def room_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _room(row: RoomRow) -> Room:
    return Room(id=row.id, team=TeamId(row.team_id), name=row.name, capacity=row.capacity)


class SqlMeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- rooms -----------------------------------------------------------------------------------------------

    async def add_room(self, team: TeamId, name: str, capacity: int | None, *, by: UserId, at: datetime) -> Room:
        row = RoomRow(team_id=team, name=name, name_key=room_key(name), capacity=capacity, created_by=by, created_at=at)
        self._session.add(row)
        await self._session.flush()
        return _room(row)

    async def room_named(self, team: TeamId, name: str) -> Room | None:
        row = await self._session.scalar(
            select(RoomRow).where(RoomRow.team_id == team, RoomRow.name_key == room_key(name))
        )
        return _room(row) if row is not None else None

    async def rooms(self, team: TeamId) -> list[Room]:
        rows = await self._session.scalars(select(RoomRow).where(RoomRow.team_id == team).order_by(RoomRow.name_key))
        return [_room(row) for row in rows]

    # ---- meetings --------------------------------------------------------------------------------------------

    async def add(self, draft: MeetingDraft, *, series_ends: datetime | None, at: datetime) -> Meeting:
        recurrence = draft.recurrence
        row = MeetingRow(
            team_id=draft.team,
            title=draft.title,
            organizer=draft.organizer,
            starts_utc=draft.starts,
            ends_utc=draft.ends,
            series_ends_utc=series_ends,
            zone=draft.zone,
            place=draft.place,
            room_id=draft.room_id,
            agenda="\n".join(draft.agenda),
            channel=draft.channel,
            lead_minutes=int(draft.lead.total_seconds() // 60),
            rrule=recurrence.rule if recurrence else None,
            local_start=recurrence.local_start.isoformat() if recurrence else None,
            sequence=0,
            status=MeetingStatus.SCHEDULED.value,
            created_at=at,
            updated_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        for user in draft.attendees:
            self._session.add(
                MeetingAttendeeRow(
                    team_id=draft.team,
                    meeting_id=row.id,
                    user_id=user,
                    rsvp=Rsvp.NEEDS_ACTION.value,
                    suggestion="",
                )
            )
        await self._session.flush()
        found = await self.get(draft.team, row.id)
        assert found is not None
        return found

    async def get(self, team: TeamId, meeting_id: int) -> Meeting | None:
        row = await self._session.scalar(
            select(MeetingRow).where(MeetingRow.team_id == team, MeetingRow.id == meeting_id)
        )
        if row is None:
            return None
        return (await self._complete(team, [row]))[0]

    async def _complete(self, team: TeamId, rows: Sequence[MeetingRow]) -> list[Meeting]:
        """Meetings with their attendees, overrides and room names: three queries for any number of them."""
        if not rows:
            return []
        ids = [row.id for row in rows]
        attendees: dict[int, list[Attendee]] = defaultdict(list)
        for a in await self._session.scalars(
            select(MeetingAttendeeRow)
            .where(MeetingAttendeeRow.team_id == team, MeetingAttendeeRow.meeting_id.in_(ids))
            .order_by(MeetingAttendeeRow.id)
        ):
            attendees[a.meeting_id].append(Attendee(UserId(a.user_id), Rsvp(a.rsvp), a.answered_at, a.suggestion))
        overrides: dict[int, list[Override]] = defaultdict(list)
        for o in await self._session.scalars(
            select(MeetingOverrideRow)
            .where(MeetingOverrideRow.team_id == team, MeetingOverrideRow.meeting_id.in_(ids))
            .order_by(MeetingOverrideRow.original_utc)
        ):
            overrides[o.meeting_id].append(Override(o.original_utc, o.starts_utc, o.ends_utc, o.cancelled))
        room_ids = {row.room_id for row in rows if row.room_id is not None}
        names: dict[int, str] = {}
        if room_ids:
            for room in await self._session.scalars(
                select(RoomRow).where(RoomRow.team_id == team, RoomRow.id.in_(room_ids))
            ):
                names[room.id] = room.name
        return [
            Meeting(
                id=row.id,
                team=TeamId(row.team_id),
                title=row.title,
                organizer=UserId(row.organizer),
                starts=row.starts_utc,
                ends=row.ends_utc,
                zone=row.zone,
                place=row.place,
                room_id=row.room_id,
                room_name=names.get(row.room_id) if row.room_id is not None else None,
                agenda=tuple(line for line in row.agenda.split("\n") if line),
                channel=ChannelId(row.channel) if row.channel else None,
                lead=timedelta(minutes=row.lead_minutes),
                rrule=row.rrule,
                local_start=datetime.fromisoformat(row.local_start) if row.local_start else None,
                sequence=row.sequence,
                status=MeetingStatus(row.status),
                attendees=tuple(attendees[row.id]),
                overrides=tuple(overrides[row.id]),
                organizer_channel=ChannelId(row.organizer_channel) if row.organizer_channel else None,
                organizer_ts=row.organizer_ts,
                reminder_schedule_id=row.reminder_schedule_id,
                nudge_schedule_id=row.nudge_schedule_id,
            )
            for row in rows
        ]

    @staticmethod
    def _overlapping(team: TeamId, since: datetime, until: datetime) -> Select[MeetingRow]:
        return select(MeetingRow).where(
            MeetingRow.team_id == team,
            MeetingRow.status == MeetingStatus.SCHEDULED.value,
            MeetingRow.starts_utc < until,
            or_(
                MeetingRow.ends_utc > since,
                # A series may have occurrences (or moved ones) in range whatever its first one was.
                and_(
                    MeetingRow.rrule.is_not(None),
                    or_(MeetingRow.series_ends_utc.is_(None), MeetingRow.series_ends_utc > since),
                ),
            ),
        )

    async def involving(self, team: TeamId, users: Sequence[UserId], since: datetime, until: datetime) -> list[Meeting]:
        """Meetings (or series) that may have an occurrence in range, organised or attended by any of `users`."""
        if not users:
            return []
        attending = select(MeetingAttendeeRow.meeting_id).where(
            MeetingAttendeeRow.team_id == team,
            MeetingAttendeeRow.user_id.in_(users),
            MeetingAttendeeRow.rsvp != Rsvp.DECLINED.value,
        )
        rows = await self._session.scalars(
            self._overlapping(team, since, until)
            .where(or_(MeetingRow.organizer.in_(users), MeetingRow.id.in_(attending)))
            .order_by(MeetingRow.starts_utc, MeetingRow.id)
        )
        return await self._complete(team, list(rows))

    async def in_room(self, team: TeamId, room_id: int, since: datetime, until: datetime) -> list[Meeting]:
        rows = await self._session.scalars(
            self._overlapping(team, since, until).where(MeetingRow.room_id == room_id).order_by(MeetingRow.starts_utc)
        )
        return await self._complete(team, list(rows))

    async def update(self, team: TeamId, meeting_id: int, *, at: datetime, **values: object) -> None:
        await self._session.execute(
            update(MeetingRow)
            .where(MeetingRow.team_id == team, MeetingRow.id == meeting_id)
            .values(updated_at=at, **values)
        )

    async def answer(
        self, team: TeamId, meeting_id: int, user: UserId, rsvp: Rsvp, *, at: datetime, suggestion: str = ""
    ) -> bool:
        result = await self._session.execute(
            update(MeetingAttendeeRow)
            .where(
                MeetingAttendeeRow.team_id == team,
                MeetingAttendeeRow.meeting_id == meeting_id,
                MeetingAttendeeRow.user_id == user,
            )
            .values(rsvp=rsvp.value, answered_at=at, suggestion=suggestion)
        )
        return bool(getattr(result, "rowcount", 0))

    async def reset_answers(self, team: TeamId, meeting_id: int) -> None:
        """After a reschedule everyone answers again (a yes for Tuesday is not a yes for Thursday)."""
        await self._session.execute(
            update(MeetingAttendeeRow)
            .where(MeetingAttendeeRow.team_id == team, MeetingAttendeeRow.meeting_id == meeting_id)
            .values(rsvp=Rsvp.NEEDS_ACTION.value, answered_at=None, suggestion="")
        )

    async def set_invitation(self, team: TeamId, meeting_id: int, user: UserId, *, channel: str, ts: str) -> None:
        await self._session.execute(
            update(MeetingAttendeeRow)
            .where(
                MeetingAttendeeRow.team_id == team,
                MeetingAttendeeRow.meeting_id == meeting_id,
                MeetingAttendeeRow.user_id == user,
            )
            .values(dm_channel=channel, dm_ts=ts)
        )

    async def invitations(self, team: TeamId, meeting_id: int) -> dict[UserId, tuple[str, str]]:
        rows = await self._session.execute(
            select(MeetingAttendeeRow.user_id, MeetingAttendeeRow.dm_channel, MeetingAttendeeRow.dm_ts).where(
                MeetingAttendeeRow.team_id == team,
                MeetingAttendeeRow.meeting_id == meeting_id,
                MeetingAttendeeRow.dm_ts.is_not(None),
            )
        )
        return {UserId(user): (str(channel), str(ts)) for user, channel, ts in rows}

    async def add_override(self, team: TeamId, meeting_id: int, override: Override) -> None:
        existing = await self._session.scalar(
            select(MeetingOverrideRow).where(
                MeetingOverrideRow.team_id == team,
                MeetingOverrideRow.meeting_id == meeting_id,
                MeetingOverrideRow.original_utc == override.original,
            )
        )
        if existing is None:
            existing = MeetingOverrideRow(team_id=team, meeting_id=meeting_id, original_utc=override.original)
            self._session.add(existing)
        existing.starts_utc = override.starts
        existing.ends_utc = override.ends
        existing.cancelled = override.cancelled
        await self._session.flush()

    # ---- calendar feed tokens --------------------------------------------------------------------------------

    async def feed_token(self, team: TeamId, user: UserId) -> str | None:
        return await self._session.scalar(
            select(CalendarTokenRow.token).where(CalendarTokenRow.team_id == team, CalendarTokenRow.user_id == user)
        )

    async def put_feed_token(self, team: TeamId, user: UserId, token: str, *, at: datetime) -> None:
        row = await self._session.scalar(
            select(CalendarTokenRow).where(CalendarTokenRow.team_id == team, CalendarTokenRow.user_id == user)
        )
        if row is None:
            self._session.add(CalendarTokenRow(team_id=team, user_id=user, token=token, created_at=at))
        else:
            row.token = token
            row.created_at = at
        await self._session.flush()

    async def feed_owner(self, token: str) -> tuple[TeamId, UserId] | None:
        row = (
            await self._session.execute(
                select(CalendarTokenRow.team_id, CalendarTokenRow.user_id).where(CalendarTokenRow.token == token)
            )
        ).first()
        return (TeamId(row[0]), UserId(row[1])) if row is not None else None
