"""meetings and appointments

Revision ID: j0merge00002
Revises: h8a0000000e1, i9p0000000f1
Create Date: 2026-11-28 06:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "j0merge00002"
down_revision: str | tuple[str, ...] | None = ("h8a0000000e1", "i9p0000000f1")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the appointments and meeting-polls branches; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own tables."""
