"""Tables of the tasks capability."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class TaskRow(Base):
    """A task. `number` is what people see and type (per workspace); `id` is what schedules point at."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_tasks_team_number"),
        Index("ix_tasks_team_status_assignee", "team_id", "status", "assignee"),
        Index("ix_tasks_team_status_due", "team_id", "status", "due_utc"),
        # The weekly digest counts tasks created and done per day.
        Index("ix_tasks_team_created", "team_id", "created_at"),
        Index("ix_tasks_team_done", "team_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str] = mapped_column(String(USER_ID))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    status: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(8))
    # ",supplies,kitchen,": each tag between commas, so one tag is found with a portable LIKE.
    tags: Mapped[str] = mapped_column(Text, default="")
    due_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rrule: Mapped[str | None] = mapped_column(Text)
    zone: Mapped[str] = mapped_column(String(64))
    # The wall-clock start of a recurrence in `zone`: naive on purpose, it is local time.
    local_start: Mapped[str | None] = mapped_column(String(32))
    source_link: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(USER_ID))
    due_schedule_id: Mapped[int | None] = mapped_column(Integer)
    overdue_schedule_id: Mapped[int | None] = mapped_column(Integer)
    spawned_next: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskCounterRow(Base):
    """The last task number given out in each workspace."""

    __tablename__ = "task_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
