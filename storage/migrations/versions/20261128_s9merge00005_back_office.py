"""stock, books and documents

Revision ID: s9merge00005
Revises: r8s0000000l1, r8b0000000m1, r8d0000000n1
Create Date: 2026-11-28 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "s9merge00005"
down_revision: str | tuple[str, ...] | None = ("r8s0000000l1", "r8b0000000m1", "r8d0000000n1")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the stock, bookkeeping and documents branches; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own changes."""
