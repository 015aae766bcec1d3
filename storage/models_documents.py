"""Tables of documents: each workspace's own templates, the documents written from templates, and each workspace's
document counter (documents are numbered per workspace: `/ops doc show 7`).

A document keeps its fields as a JSON snapshot (`fields`): key, kind, label, value and a person's name as written,
so it reads the same after its template changes. `search_text` is the same text folded (see
`bot.domain.documents.NewDocument.search_text`); the full-text index over it is made by the migration
(`20261128_r8d0000000n1_documents`) per database and is not a model:

- SQLite: the external-content FTS5 table `documents_fts(team_id, access, search_text)`, kept by triggers;
- PostgreSQL: a generated `search` tsvector column on `documents` with a GIN index `ix_documents_search`.

`storage.models_answers.include_object` leaves them out of Alembic's comparison.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

KEY_LENGTH = 80
NAME_LENGTH = 120


class DocumentTemplateRow(Base):
    __tablename__ = "document_templates"
    __table_args__ = (UniqueConstraint("team_id", "key", name="uq_document_templates_team_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # [{"key": "items", "kind": "long", "required": true, "label": "Items"}, …]
    fields: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_documents_team_number"),
        Index("ix_documents_team_template_number", "team_id", "template_key", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)
    template_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    template_name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")  # "" for a built-in template
    builtin: Mapped[bool] = mapped_column(Boolean)
    restricted: Mapped[bool] = mapped_column(Boolean)  # only the author and managers read it
    # Who may find it, as a word the SQLite index holds: "public", or the author's id for a restricted document.
    access: Mapped[str] = mapped_column(String(USER_ID))
    summary: Mapped[str] = mapped_column(Text, default="")
    # [{"key": …, "kind": …, "value": …, "label": …, "shown": …}, …]
    fields: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(USER_ID))
    author_name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


class DocumentCounterRow(Base):
    __tablename__ = "document_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
