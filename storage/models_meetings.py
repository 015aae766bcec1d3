"""Tables of meetings: the meeting (a single one or a series), its attendees and their answers, moved or
cancelled occurrences of a series, the workspace's rooms, and the secret tokens of personal calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class RoomRow(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_rooms_team_name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(60))
    # The name folded for lookups: "sala 2" finds "Sala 2".
    name_key: Mapped[str] = mapped_column(String(60))
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_team_starts", "team_id", "starts_utc"),
        Index("ix_meetings_team_room", "team_id", "room_id"),
        # A day's single meetings are found by their end (only those not over yet are read), its series in an
        # index of series only, so neither read grows with the single meetings of the past.
        Index("ix_meetings_team_status_ends", "team_id", "status", "ends_utc"),
        Index(
            "ix_meetings_team_series_starts",
            "team_id",
            "starts_utc",
            sqlite_where=text("rrule IS NOT NULL"),
            postgresql_where=text("rrule IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    title: Mapped[str] = mapped_column(String(150))
    organizer: Mapped[str] = mapped_column(String(USER_ID))
    starts_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    # For a series: when its last occurrence ends (NULL: it never ends), so range queries stay indexed.
    series_ends_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    zone: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(200))
    room_id: Mapped[int | None] = mapped_column(Integer)
    agenda: Mapped[str] = mapped_column(Text)  # one item a line
    channel: Mapped[str | None] = mapped_column(String(32))
    lead_minutes: Mapped[int] = mapped_column(Integer)
    rrule: Mapped[str | None] = mapped_column(String(255))
    local_start: Mapped[str | None] = mapped_column(String(19))  # ISO wall-clock start of a series in `zone`
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    organizer_channel: Mapped[str | None] = mapped_column(String(32))
    organizer_ts: Mapped[str | None] = mapped_column(String(32))
    reminder_schedule_id: Mapped[int | None] = mapped_column(Integer)
    nudge_schedule_id: Mapped[int | None] = mapped_column(Integer)
    minutes_schedule_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingAttendeeRow(Base):
    __tablename__ = "meeting_attendees"
    __table_args__ = (
        UniqueConstraint("team_id", "meeting_id", "user_id", name="uq_meeting_attendees_team_meeting_user"),
        Index("ix_meeting_attendees_team_user", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    meeting_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    rsvp: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suggestion: Mapped[str] = mapped_column(String(300))
    # The invitation DM, updated in place on every change.
    dm_channel: Mapped[str | None] = mapped_column(String(32))
    dm_ts: Mapped[str | None] = mapped_column(String(32))


class MeetingOverrideRow(Base):
    __tablename__ = "meeting_overrides"
    __table_args__ = (
        UniqueConstraint("team_id", "meeting_id", "original_utc", name="uq_meeting_overrides_team_meeting_original"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    meeting_id: Mapped[int] = mapped_column(Integer)
    original_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean)


class CalendarTokenRow(Base):
    """The secret in a person's calendar feed URL; resetting it makes the old URL a 404."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        UniqueConstraint("token", name="uq_calendar_tokens_token"),
        UniqueConstraint("team_id", "user_id", name="uq_calendar_tokens_team_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingPollOptionRow(Base):
    """A candidate time of a meeting being polled (2 to 5 of them)."""

    __tablename__ = "meeting_poll_options"
    __table_args__ = (UniqueConstraint("team_id", "meeting_id", "position", name="uq_meeting_poll_options_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    meeting_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    starts_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingVoteRow(Base):
    """One person's yes to one candidate time; a second click on the same option takes it back."""

    __tablename__ = "meeting_votes"
    __table_args__ = (
        UniqueConstraint("team_id", "meeting_id", "position", "user_id", name="uq_meeting_votes_option_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    meeting_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingMinutesRow(Base):
    __tablename__ = "meeting_minutes"
    __table_args__ = (Index("ix_meeting_minutes_team_meeting", "team_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    meeting_id: Mapped[int] = mapped_column(Integer)
    # Which occurrence of a series (its start); the meeting's start for a single meeting.
    occurrence_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)
    # The tasks made from its action items, as their numbers: "12,13".
    task_numbers: Mapped[str] = mapped_column(String(200))
    written_by: Mapped[str] = mapped_column(String(USER_ID))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
