"""Tables of the rota: shifts, weekly shift patterns, swap requests, shift duties and the files shared for import.

A shift is kept as the local day and wall-clock times it was written in (with its zone) and as the two UTC
instants they make, so "who is on now" and "this week's rota" are indexed range comparisons. A weekly pattern is
expanded into concrete shift rows a few weeks ahead (each gets its own number, so it can be swapped or cancelled
alone), and `through` records how far it has been expanded.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

ROLE = 40


class ShiftRow(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        Index("ix_shifts_team_starts", "team_id", "starts_utc"),
        Index("ix_shifts_team_user_starts", "team_id", "user_id", "starts_utc"),
        # A pattern makes one shift per day; expanding it twice (two processes) must not make two.
        UniqueConstraint("team_id", "pattern_id", "day", name="uq_shifts_team_pattern_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    # NULL while an open shift waits for someone to claim it.
    user_id: Mapped[str | None] = mapped_column(String(USER_ID))
    role: Mapped[str] = mapped_column(String(ROLE))
    day: Mapped[date] = mapped_column(Date())
    start_local: Mapped[time] = mapped_column(Time())
    end_local: Mapped[time] = mapped_column(Time())
    zone: Mapped[str] = mapped_column(String(64))
    starts_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    pattern_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The reminder-engine schedule that fires when the shift starts (its duties are DMed then).
    start_schedule_id: Mapped[int | None] = mapped_column(Integer)
    # Where an open shift was posted, so the post can say who took it.
    post_channel: Mapped[str | None] = mapped_column(String(32))
    post_ts: Mapped[str | None] = mapped_column(String(32))
    cancelled_by: Mapped[str | None] = mapped_column(String(USER_ID))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftPatternRow(Base):
    __tablename__ = "shift_patterns"
    __table_args__ = (Index("ix_shift_patterns_through", "through"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    role: Mapped[str] = mapped_column(String(ROLE))
    # Weekdays as digits, Monday 0: "01234".
    days: Mapped[str] = mapped_column(String(7))
    start_local: Mapped[time] = mapped_column(Time())
    end_local: Mapped[time] = mapped_column(Time())
    zone: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[date] = mapped_column(Date())
    # The last day shifts have been made for; the pattern is extended past it as time goes on.
    through: Mapped[date] = mapped_column(Date())
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftSwapRow(Base):
    __tablename__ = "shift_swaps"
    __table_args__ = (Index("ix_shift_swaps_team_shift", "team_id", "shift_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    shift_id: Mapped[int] = mapped_column(Integer)
    from_user: Mapped[str] = mapped_column(String(USER_ID))
    to_user: Mapped[str] = mapped_column(String(USER_ID))
    asked_by: Mapped[str] = mapped_column(String(USER_ID))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftDutyRow(Base):
    """A checklist or a task given to whoever starts a shift (of one role, or any) on some weekdays."""

    __tablename__ = "shift_duties"
    __table_args__ = (Index("ix_shift_duties_team", "team_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    # "" for whoever is on shift, whatever their role.
    role: Mapped[str] = mapped_column(String(ROLE))
    kind: Mapped[str] = mapped_column(String(16))
    checklist_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    days: Mapped[str] = mapped_column(String(7))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DutyHandoutRow(Base):
    """A duty handed out on one local day: the first shift of that day to start takes it, once."""

    __tablename__ = "duty_handouts"
    __table_args__ = (UniqueConstraint("team_id", "duty_id", "day", name="uq_duty_handouts_team_duty_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    duty_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date())
    shift_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    task_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SharedFileRow(Base):
    """A file someone shared with the bot in its DM, kept until `/ops shift import` reads it."""

    __tablename__ = "shared_files"
    __table_args__ = (
        UniqueConstraint("team_id", "file_id", name="uq_shared_files_team_file"),
        Index("ix_shared_files_team_user", "team_id", "user_id", "shared_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    file_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(Integer)
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
