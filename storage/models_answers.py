"""The saved answers table, and the full-text search objects that live beside the models but not in them.

An answer keeps its text as typed and, in `search_text`, the same text folded (lower case, no accents, words one
space apart: `bot.domain.answers.search_text`), which is what gets indexed. The search structures are made by the
migration (`20261128_l2a0000000h1_answers`), per database, and are not models:

- SQLite: FTS5 tables `saved_answers_fts` (over `saved_answers`) and `cases_fts` (over `cases`), external-content
  tables kept by triggers, plus the shadow tables FTS5 makes for each (`…_fts_data`, `_idx`, `_docsize`, `_config`).
- PostgreSQL: a generated `search` tsvector column on `saved_answers` and on `cases`, each with a GIN index.

`include_object` keeps Alembic from comparing them with the models (autogenerate would otherwise offer to drop
them, and the schema test would see them as drift).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.schema import SchemaItem

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

# Longer than the domain's longest key and text allow, so the domain's rules are what people meet.
KEY_LENGTH = 80


class SavedAnswerRow(Base):
    __tablename__ = "saved_answers"
    __table_args__ = (
        UniqueConstraint("team_id", "key", name="uq_saved_answers_team_key"),
        Index("ix_saved_answers_team_updated", "team_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(USER_ID))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The search objects the migration makes outside the models.
SEARCH_TABLES = re.compile(r"(saved_answers|cases|documents)_fts(_(data|idx|docsize|config|content))?")
SEARCH_COLUMNS = frozenset({("saved_answers", "search"), ("cases", "search"), ("documents", "search")})
SEARCH_INDEXES = frozenset({"ix_saved_answers_search", "ix_cases_search", "ix_documents_search"})


def include_object(
    item: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    """Alembic's `include_object` hook: leave out the full-text search objects that exist only in the database."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return SEARCH_TABLES.fullmatch(name) is None
    if type_ == "column":
        table = getattr(getattr(item, "table", None), "name", None)
        return (table, name) not in SEARCH_COLUMNS
    if type_ == "index":
        return name not in SEARCH_INDEXES
    return True
