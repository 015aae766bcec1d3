"""Tables of the checklists capability.

Items are never edited in place: a removed item keeps its row (with `removed_at`), so every run still shows,
and the record still names, the items as they were when it was posted. Numbers are `Numeric`, read back as
`Decimal`, never float.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

QUANTITY = Numeric(12, 3, asdecimal=True)


class ChecklistRow(Base):
    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_checklists_team_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(80))
    # The name as compared: casefolded, spaces collapsed ("opening" finds "Opening").
    name_key: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChecklistItemRow(Base):
    __tablename__ = "checklist_items"
    __table_args__ = (Index("ix_checklist_items_team_checklist", "team_id", "checklist_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    checklist_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    minimum: Mapped[Decimal | None] = mapped_column(QUANTITY)
    maximum: Mapped[Decimal | None] = mapped_column(QUANTITY)
    unit: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChecklistRunRow(Base):
    """One posting of a checklist to its channel: one per occurrence of its schedule."""

    __tablename__ = "checklist_runs"
    __table_args__ = (
        Index("ix_checklist_runs_team_checklist_due", "team_id", "checklist_id", "due_utc"),
        # Every checklist's runs of a day, for the daily digest.
        Index("ix_checklist_runs_team_due", "team_id", "due_utc"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    checklist_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklists.id", ondelete="CASCADE"))
    schedule_id: Mapped[int] = mapped_column(Integer)
    # The delivery's occurrence key: a retried post finds its run instead of making a second one.
    occurrence_key: Mapped[str] = mapped_column(String(96), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    due_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    zone: Mapped[str] = mapped_column(String(64))
    # The items the run was posted with, in order.
    item_ids: Mapped[list[int]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChecklistEntryRow(Base):
    """Who did what on a run, and when; the latest entry for an item is what the message shows."""

    __tablename__ = "checklist_entries"
    __table_args__ = (
        Index("ix_checklist_entries_team_run", "team_id", "run_id"),
        # A day's readings (those out of range), for the daily digest.
        Index("ix_checklist_entries_team_done", "team_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklist_runs.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklist_items.id", ondelete="CASCADE"))
    done_by: Mapped[str] = mapped_column(String(USER_ID))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked: Mapped[bool | None] = mapped_column(Boolean)
    number: Mapped[Decimal | None] = mapped_column(QUANTITY)
    note: Mapped[str | None] = mapped_column(Text)
    in_range: Mapped[bool | None] = mapped_column(Boolean)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[int | None] = mapped_column(Integer)
