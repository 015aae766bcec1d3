"""digest indexes and subscriptions

Revision ID: q7merge00004
Revises: o5d0000000j1, p6s0000000k1
Create Date: 2026-11-28 07:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "q7merge00004"
down_revision: str | tuple[str, ...] | None = ("o5d0000000j1", "p6s0000000k1")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Joins the digest-index and digest-subscription branches; no schema change of its own."""


def downgrade() -> None:
    """Nothing to undo here; each branch undoes its own changes."""
