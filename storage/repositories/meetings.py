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
    Minutes,
    Override,
    PollOption,
    Room,
    Rsvp,
)
from storage.models_meetings import (
    CalendarTokenRow,
    MeetingAttendeeRow,
    MeetingMinutesRow,
    MeetingOverrideRow,
    MeetingPollOptionRow,
    MeetingRow,
    MeetingVoteRow,
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
                minutes_schedule_id=row.minutes_schedule_id,
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

    # ---- polls -----------------------------------------------------------------------------------------------

    async def add_poll_options(
        self, team: TeamId, meeting_id: int, options: Sequence[tuple[datetime, datetime]]
    ) -> None:
        for position, (starts, ends) in enumerate(options, start=1):
            self._session.add(
                MeetingPollOptionRow(
                    team_id=team, meeting_id=meeting_id, position=position, starts_utc=starts, ends_utc=ends
                )
            )
        await self._session.flush()

    async def poll_options(self, team: TeamId, meeting_id: int) -> list[PollOption]:
        votes: dict[int, list[UserId]] = defaultdict(list)
        for vote in await self._session.scalars(
            select(MeetingVoteRow)
            .where(MeetingVoteRow.team_id == team, MeetingVoteRow.meeting_id == meeting_id)
            .order_by(MeetingVoteRow.id)
        ):
            votes[vote.position].append(UserId(vote.user_id))
        rows = await self._session.scalars(
            select(MeetingPollOptionRow)
            .where(MeetingPollOptionRow.team_id == team, MeetingPollOptionRow.meeting_id == meeting_id)
            .order_by(MeetingPollOptionRow.position)
        )
        return [PollOption(row.position, row.starts_utc, row.ends_utc, tuple(votes[row.position])) for row in rows]

    async def toggle_vote(self, team: TeamId, meeting_id: int, position: int, user: UserId, *, at: datetime) -> bool:
        """A yes for the option, or the yes taken back if there was one; True when it is now a yes."""
        existing = await self._session.scalar(
            select(MeetingVoteRow).where(
                MeetingVoteRow.team_id == team,
                MeetingVoteRow.meeting_id == meeting_id,
                MeetingVoteRow.position == position,
                MeetingVoteRow.user_id == user,
            )
        )
        if existing is not None:
            await self._session.delete(existing)
            await self._session.flush()
            return False
        self._session.add(
            MeetingVoteRow(team_id=team, meeting_id=meeting_id, position=position, user_id=user, voted_at=at)
        )
        await self._session.flush()
        return True

    # ---- minutes ---------------------------------------------------------------------------------------------

    async def add_minutes(
        self,
        team: TeamId,
        meeting_id: int,
        *,
        occurrence: datetime,
        text: str,
        task_numbers: Sequence[int],
        by: UserId,
        at: datetime,
    ) -> int:
        row = MeetingMinutesRow(
            team_id=team,
            meeting_id=meeting_id,
            occurrence_utc=occurrence,
            text=text,
            task_numbers=",".join(str(n) for n in task_numbers),
            written_by=by,
            written_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def minutes(self, team: TeamId, meeting_ids: Sequence[int], limit: int) -> list[Minutes]:
        if not meeting_ids:
            return []
        rows = (
            await self._session.execute(
                select(MeetingMinutesRow, MeetingRow.title)
                .join(MeetingRow, (MeetingRow.id == MeetingMinutesRow.meeting_id) & (MeetingRow.team_id == team))
                .where(MeetingMinutesRow.team_id == team, MeetingMinutesRow.meeting_id.in_(meeting_ids))
                .order_by(MeetingMinutesRow.occurrence_utc.desc(), MeetingMinutesRow.id.desc())
                .limit(limit)
            )
        ).all()
        return [
            Minutes(
                id=row.id,
                meeting_id=row.meeting_id,
                title=title,
                occurrence=row.occurrence_utc,
                text=row.text,
                task_numbers=tuple(int(n) for n in row.task_numbers.split(",") if n),
                written_by=UserId(row.written_by),
                written_at=row.written_at,
            )
            for row, title in rows
        ]

    async def ids_involving(self, team: TeamId, user: UserId) -> list[int]:
        """Every meeting the person organised or was invited to (for their minutes)."""
        attending = select(MeetingAttendeeRow.meeting_id).where(
            MeetingAttendeeRow.team_id == team, MeetingAttendeeRow.user_id == user
        )
        found = await self._session.scalars(
            select(MeetingRow.id).where(
                MeetingRow.team_id == team, or_(MeetingRow.organizer == user, MeetingRow.id.in_(attending))
            )
        )
        return list(found)

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
