"""books

Revision ID: r8b0000000m1
Revises: q7merge00004
Create Date: 2026-11-28 07:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "r8b0000000m1"
down_revision: str | tuple[str, ...] | None = "q7merge00004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "book_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cash", sa.Boolean(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("case_number", sa.Integer(), nullable=True),
        sa.Column("reverses", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_entries")),
        sa.UniqueConstraint("team_id", "number", name="uq_book_entries_team_number"),
        sa.UniqueConstraint("team_id", "reverses", name="uq_book_entries_team_reverses"),
    )
    with op.batch_alter_table("book_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_book_entries_team_month",
            ["team_id", "occurred_on", "currency", "kind", "category", "amount_minor"],
            unique=False,
        )
        batch_op.create_index("ix_book_entries_team_recorder", ["team_id", "recorded_by", "number"], unique=False)
        batch_op.create_index("ix_book_entries_team_cash", ["team_id", "currency", "cash", "created_at"], unique=False)

    op.create_table(
        "book_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("entry_number", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_receipts")),
    )
    with op.batch_alter_table("book_receipts", schema=None) as batch_op:
        batch_op.create_index("ix_book_receipts_team_entry", ["team_id", "entry_number"], unique=False)

    op.create_table(
        "book_cash_counts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("counted_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_minor", sa.BigInteger(), nullable=False),
        sa.Column("counted_by", sa.String(length=32), nullable=False),
        sa.Column("counted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_cash_counts")),
    )
    with op.batch_alter_table("book_cash_counts", schema=None) as batch_op:
        batch_op.create_index("ix_book_cash_counts_team_currency", ["team_id", "currency", "counted_at"], unique=False)

    op.create_table(
        "book_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_book_settings")),
    )
    op.create_table(
        "book_counters",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_book_counters")),
    )


def downgrade() -> None:
    op.drop_table("book_counters")
    op.drop_table("book_settings")
    with op.batch_alter_table("book_cash_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_book_cash_counts_team_currency")

    op.drop_table("book_cash_counts")
    with op.batch_alter_table("book_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_book_receipts_team_entry")

    op.drop_table("book_receipts")
    with op.batch_alter_table("book_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_book_entries_team_cash")
        batch_op.drop_index("ix_book_entries_team_recorder")
        batch_op.drop_index("ix_book_entries_team_month")

    op.drop_table("book_entries")
