"""Tables of the manager's appointments: the bookable hours each manager publishes, and the appointments.

Bookable hours are one row per manager: a wall-clock range on some weekdays in the manager's zone, and the slot
length. An appointment keeps its two UTC instants (indexed per manager and per colleague, so clash checks and
"my appointments" are range comparisons) and the manager's zone it was made in.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Index, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class AppointmentHoursRow(Base):
    __tablename__ = "appointment_hours"
    __table_args__ = (UniqueConstraint("team_id", "manager_id", name="uq_appointment_hours_team_manager"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    manager_id: Mapped[str] = mapped_column(String(USER_ID))
    # Weekdays as digits, Monday 0: "01234".
    days: Mapped[str] = mapped_column(String(7))
    start_local: Mapped[time] = mapped_column(Time())
    end_local: Mapped[time] = mapped_column(Time())
    slot_minutes: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(USER_ID))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_team_manager_starts", "team_id", "manager_id", "starts_utc"),
        Index("ix_appointments_team_booker_starts", "team_id", "booker_id", "starts_utc"),
        # Every manager's appointments of a day, for the daily digest.
        Index("ix_appointments_team_starts", "team_id", "starts_utc"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    manager_id: Mapped[str] = mapped_column(String(USER_ID))
    # The colleague who meets the manager; NULL for an outside visitor (who has no Slack).
    booker_id: Mapped[str | None] = mapped_column(String(USER_ID))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    starts_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(200))
    visitor_name: Mapped[str] = mapped_column(String(120))
    visitor_phone: Mapped[str] = mapped_column(String(40))
    # Up on every change a calendar must follow (SEQUENCE in the feed).
    sequence: Mapped[int] = mapped_column(Integer)
    # The time first asked for, when the manager proposed another.
    previous_starts_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The reminder-engine schedule of the "in 15 minutes" reminder, while the appointment is confirmed.
    reminder_schedule_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(USER_ID))
