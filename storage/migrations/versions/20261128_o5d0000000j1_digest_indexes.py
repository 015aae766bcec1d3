"""digest indexes

Revision ID: o5d0000000j1
Revises: n4merge00003
Create Date: 2026-11-28 07:10:00.000000

Indexes only: what the daily and weekly digests read is an index range each (see storage/repositories/digests.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "o5d0000000j1"
down_revision: str | tuple[str, ...] | None = "n4merge00003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    ("tasks", "ix_tasks_team_created", ["team_id", "created_at"]),
    ("tasks", "ix_tasks_team_done", ["team_id", "done_at"]),
    ("cases", "ix_cases_team_resolved", ["team_id", "resolved_at"]),
    ("cases", "ix_cases_team_closed", ["team_id", "closed_at"]),
    ("appointments", "ix_appointments_team_starts", ["team_id", "starts_utc"]),
    ("checklist_runs", "ix_checklist_runs_team_due", ["team_id", "due_utc"]),
    ("checklist_entries", "ix_checklist_entries_team_done", ["team_id", "done_at"]),
    ("meetings", "ix_meetings_team_status_ends", ["team_id", "status", "ends_utc"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    # Series only: a day's series are read from it however many single meetings the past holds. (SQLite, with no
    # statistics, takes a partial index to hold half the rows, so it prefers this one to ix_meetings_team_starts.)
    op.create_index(
        "ix_meetings_team_series_starts",
        "meetings",
        ["team_id", "starts_utc"],
        unique=False,
        sqlite_where=sa.text("rrule IS NOT NULL"),
        postgresql_where=sa.text("rrule IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_meetings_team_series_starts", table_name="meetings")
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
