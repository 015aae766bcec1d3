"""tasks and checklists

Revision ID: d0e1merge001
Revises: b1a5c0000001, c4ec0000001a
Create Date: 2026-11-28 03:40:02.937835
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "d0e1merge001"
down_revision: str | tuple[str, ...] | None = ("b1a5c0000001", "c4ec0000001a")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the tasks and checklists branches; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own tables."""
