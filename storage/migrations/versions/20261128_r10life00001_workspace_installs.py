"""workspace installs: uninstalled workspaces stop at once and are purged after the retention period

Revision ID: r10life00001
Revises: s9merge00005
Create Date: 2026-11-28 10:00:00.000000

A table of its own, beside `workspaces` (the settings): a workspace that never changed a setting has no settings
row, and an install must not freeze today's defaults into one. No row here means installed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "r10life00001"
down_revision: str | tuple[str, ...] | None = "s9merge00005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_installs",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("installed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("uninstalled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("purge_after", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspace_installs")),
    )


def downgrade() -> None:
    op.drop_table("workspace_installs")
