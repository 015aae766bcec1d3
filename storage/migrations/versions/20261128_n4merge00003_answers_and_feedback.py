"""answers and feedback

Revision ID: n4merge00003
Revises: l2a0000000h1, m3f0000000i1
Create Date: 2026-11-28 06:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "n4merge00003"
down_revision: str | tuple[str, ...] | None = ("l2a0000000h1", "m3f0000000i1")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the saved-answers and feedback branches; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own tables."""
