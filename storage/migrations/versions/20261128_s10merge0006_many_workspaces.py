"""many workspaces: installs and their lifecycle

Revision ID: s10merge0006
Revises: r10life00001, r10oauth0001
Create Date: 2026-11-28 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "s10merge0006"
down_revision: str | tuple[str, ...] | None = ("r10life00001", "r10oauth0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the workspace lifecycle and the OAuth installation tables; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own changes."""
