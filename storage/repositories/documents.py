"""Documents, workspaces' own templates, and the full-text search over documents, in each database's own terms.

The search objects are made by the `r8d0000000n1` migration (see `storage.models_documents`) and asked as the saved
answers' are (`storage.repositories.answers`): each word as the start of a word, all of them or any; the workspace
named inside the MATCH on SQLite. Ranked by bm25 on SQLite's FTS5 and `ts_rank` on PostgreSQL, newest first among
equals. Who may read a restricted document (its author, managers) is part of the query, so a search or a list never
comes back short for someone who may not read everything.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, Select, column, delete, func, or_, select, text, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.answers import SearchQuery
from bot.domain.documents import (
    Document,
    FieldKind,
    FieldSpec,
    FieldValue,
    NewDocument,
    Template,
    Viewer,
)
from bot.domain.ids import TeamId, UserId
from bot.domain.language import LANGUAGES, Language
from storage.models_documents import DocumentCounterRow, DocumentRow, DocumentTemplateRow
from storage.repositories.answers import fts5_match, tsquery

# bm25 weights per FTS5 column of documents_fts: team_id, access, search_text.
_SQLITE_SEARCH = """
    SELECT rowid AS id, bm25(documents_fts, 0.0, 0.0, 1.0) AS score
    FROM documents_fts
    WHERE documents_fts MATCH :match
    ORDER BY score, rowid DESC
    LIMIT :limit
"""
_POSTGRESQL_SEARCH = """
    SELECT id, -ts_rank(search, to_tsquery('simple', :match)) AS score
    FROM documents
    WHERE team_id = :team AND search @@ to_tsquery('simple', :match)
      AND (:all OR NOT restricted OR author = :viewer)
    ORDER BY score, id DESC
    LIMIT :limit
"""
_COLUMNS = "{search_text}"
PUBLIC = "public"


def access_of(restricted: bool, author: UserId) -> str:
    """The word the SQLite index holds for who may find a document."""
    return str(author) if restricted else PUBLIC


def sqlite_match(team: TeamId, viewer: Viewer, query: SearchQuery) -> str:
    """`team_id:"T1" AND access:("public" OR "U1") AND {search_text}:("fridge"*)`; a manager's has no access part."""
    match = fts5_match(team, query, _COLUMNS)
    if viewer.sees_all:
        return match
    team_part, _, words = match.partition(" AND ")
    readable = f'access:("{PUBLIC}" OR "{viewer.user.replace(chr(34), chr(34) * 2)}")'
    return f"{team_part} AND {readable} AND {words}"


def _language(value: str) -> Language:
    return next((code for code in LANGUAGES if code == value), "en")


def _spec(entry: dict[str, Any]) -> FieldSpec:
    return FieldSpec(str(entry["key"]), FieldKind(entry["kind"]), bool(entry["required"]), str(entry["label"]))


def _template(row: DocumentTemplateRow) -> Template:
    specs = tuple(_spec(entry) for entry in json.loads(row.fields))
    title = next((spec.key for spec in specs if spec.kind == FieldKind.SHORT), None)
    return Template(row.key, specs, name=row.name, title_field=title, builtin=False, created_by=UserId(row.created_by))


def _value(entry: dict[str, Any]) -> FieldValue:
    return FieldValue(
        str(entry["key"]),
        FieldKind(entry["kind"]),
        str(entry["value"]),
        str(entry.get("label") or ""),
        str(entry.get("shown") or ""),
    )


def _document(row: DocumentRow) -> Document:
    return Document(
        id=row.id,
        team=TeamId(row.team_id),
        number=row.number,
        template=row.template_key,
        template_name=row.template_name,
        builtin=row.builtin,
        restricted=row.restricted,
        summary=row.summary,
        values=tuple(_value(entry) for entry in json.loads(row.fields)),
        language=_language(row.language),
        author=UserId(row.author),
        author_name=row.author_name,
        created_at=row.created_at,
        channel=row.channel_id,
        ts=row.message_ts,
    )


def _fields_json(values: tuple[FieldValue, ...]) -> str:
    return json.dumps(
        [
            {"key": item.key, "kind": item.kind.value, "value": item.value, "label": item.label, "shown": item.shown}
            for item in values
        ],
        ensure_ascii=False,
    )


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.sees_all:
        return true()
    return or_(DocumentRow.restricted.is_(False), DocumentRow.author == viewer.user)


class SqlDocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    # ---- templates -------------------------------------------------------------------------------------------

    async def templates(self, team: TeamId) -> list[Template]:
        rows = await self._session.scalars(
            select(DocumentTemplateRow).where(DocumentTemplateRow.team_id == team).order_by(DocumentTemplateRow.key)
        )
        return [_template(row) for row in rows]

    async def template(self, team: TeamId, key: str) -> Template | None:
        row = await self._session.scalar(
            select(DocumentTemplateRow).where(DocumentTemplateRow.team_id == team, DocumentTemplateRow.key == key)
        )
        return _template(row) if row is not None else None

    async def count_templates(self, team: TeamId) -> int:
        found = await self._session.scalar(
            select(func.count()).select_from(DocumentTemplateRow).where(DocumentTemplateRow.team_id == team)
        )
        return int(found or 0)

    async def add_template(self, team: TeamId, template: Template, at: datetime) -> Template | None:
        # ON CONFLICT DO NOTHING: of two managers adding one name at once, one gets it and the other is told.
        insert = pg_insert if self._postgresql else sqlite_insert
        fields = [
            {"key": spec.key, "kind": spec.kind.value, "required": spec.required, "label": spec.label}
            for spec in template.fields
        ]
        statement = (
            insert(DocumentTemplateRow)
            .values(
                team_id=team,
                key=template.key,
                name=template.name,
                fields=json.dumps(fields, ensure_ascii=False),
                created_by=template.created_by or "",
                created_at=at,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "key"])
            .returning(DocumentTemplateRow.id)
        )
        added = await self._session.scalar(statement)
        return template if added is not None else None

    async def remove_template(self, team: TeamId, key: str) -> Template | None:
        row = await self._session.scalar(
            delete(DocumentTemplateRow)
            .where(DocumentTemplateRow.team_id == team, DocumentTemplateRow.key == key)
            .returning(DocumentTemplateRow)
            .execution_options(synchronize_session=False)
        )
        return _template(row) if row is not None else None

    # ---- documents -------------------------------------------------------------------------------------------

    async def _next_number(self, team: TeamId) -> int:
        """One atomic upsert: two documents written at once never get the same number."""
        insert = pg_insert if self._postgresql else sqlite_insert
        statement = (
            insert(DocumentCounterRow)
            .values(team_id=team, last=1)
            .on_conflict_do_update(
                index_elements=[DocumentCounterRow.team_id], set_={"last": DocumentCounterRow.last + 1}
            )
            .returning(DocumentCounterRow.last)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add(self, document: NewDocument) -> Document:
        template = document.template
        row = DocumentRow(
            team_id=document.team,
            number=await self._next_number(document.team),
            template_key=template.key,
            template_name="" if template.builtin else template.name,
            builtin=template.builtin,
            restricted=template.restricted,
            access=access_of(template.restricted, document.author),
            summary=document.summary,
            fields=_fields_json(document.values),
            search_text=document.search_text(),
            language=document.language,
            author=document.author,
            author_name=document.author_name,
            created_at=document.created_at,
            channel_id=None,
            message_ts=None,
        )
        self._session.add(row)
        await self._session.flush()
        return _document(row)

    async def get(self, team: TeamId, number: int) -> Document | None:
        row = await self._session.scalar(
            select(DocumentRow).where(DocumentRow.team_id == team, DocumentRow.number == number)
        )
        return _document(row) if row is not None else None

    async def mark_posted(self, team: TeamId, number: int, channel: str, ts: str) -> None:
        row = await self._session.scalar(
            select(DocumentRow).where(DocumentRow.team_id == team, DocumentRow.number == number)
        )
        if row is not None:
            row.channel_id, row.message_ts = channel, ts

    def _listing(self, team: TeamId, viewer: Viewer, template: str | None) -> Select[DocumentRow]:
        statement = select(DocumentRow).where(DocumentRow.team_id == team, _visible(viewer))
        if template is not None:
            statement = statement.where(DocumentRow.template_key == template)
        return statement

    async def newest(self, team: TeamId, viewer: Viewer, template: str | None, limit: int) -> list[Document]:
        rows = await self._session.scalars(
            self._listing(team, viewer, template).order_by(DocumentRow.number.desc()).limit(limit)
        )
        return [_document(row) for row in rows]

    async def count(self, team: TeamId, viewer: Viewer, template: str | None) -> int:
        found = await self._session.scalar(
            select(func.count()).select_from(self._listing(team, viewer, template).subquery())
        )
        return int(found or 0)

    async def search(self, team: TeamId, viewer: Viewer, query: SearchQuery, limit: int) -> list[Document]:
        if query.empty or limit <= 0:
            return []
        if self._postgresql:
            found = text(_POSTGRESQL_SEARCH).bindparams(
                match=tsquery(query), team=team, all=viewer.sees_all, viewer=viewer.user, limit=limit
            )
        else:
            found = text(_SQLITE_SEARCH).bindparams(match=sqlite_match(team, viewer, query), limit=limit)
        hits = found.columns(column("id", Integer), column("score", Float)).subquery("hit")
        rows = await self._session.scalars(
            select(DocumentRow)
            .join(hits, hits.c.id == DocumentRow.id)
            .where(DocumentRow.team_id == team, _visible(viewer))
            .order_by(hits.c.score, DocumentRow.number.desc())
        )
        return [_document(row) for row in rows]
