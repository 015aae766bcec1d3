"""home tabs: who has opened the bot's Home

Revision ID: r10home00001
Revises: s10merge0006
Create Date: 2026-11-28 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "r10home00001"
down_revision: str | tuple[str, ...] | None = "s10merge0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_tabs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("first_opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_tabs")),
    )


def downgrade() -> None:
    op.drop_table("home_tabs")
