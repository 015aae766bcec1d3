"""Tables of who works when: working hours, time off and public holidays.

Dates people mean on their calendar are DATE columns stored with the zone they were meant in; the instants
time off spans are kept next to them in UTC, so "who is away now" is one indexed comparison.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

# The workspace default is the row whose user is empty (a NULL would not be unique per team).
DEFAULT_USER = ""


class WorkingHoursRow(Base):
    __tablename__ = "working_hours"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_working_hours_team_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    start_local: Mapped[time] = mapped_column(Time())
    end_local: Mapped[time] = mapped_column(Time())
    # Weekdays as digits, Monday 0: "01234".
    days: Mapped[str] = mapped_column(String(7))
    # The person's IANA zone when they were set; NULL for the default, which applies in each person's zone.
    zone: Mapped[str | None] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(USER_ID))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TimeOffRow(Base):
    __tablename__ = "time_off"
    __table_args__ = (
        Index("ix_time_off_team_user_last", "team_id", "user_id", "last_day"),
        Index("ix_time_off_team_last", "team_id", "last_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    first_day: Mapped[date] = mapped_column(Date())
    last_day: Mapped[date] = mapped_column(Date())
    zone: Mapped[str] = mapped_column(String(64))
    starts_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200))
    # Who gets this person's reminders while they are away; NULL: the reminders wait for them.
    cover_user: Mapped[str | None] = mapped_column(String(USER_ID))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(USER_ID))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HolidayRow(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("team_id", "day", name="uq_holidays_team_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    day: Mapped[date] = mapped_column(Date())
    name: Mapped[str] = mapped_column(String(100))
    # The workspace zone it was declared in: the day runs midnight to midnight there.
    zone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
