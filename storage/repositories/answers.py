"""Saved answers, and the full-text search over them and over customer cases, in each database's own terms.

The search objects are made by the `l2a0000000h1` migration (see `storage.models_answers`):

- SQLite: FTS5 tables `saved_answers_fts(team_id, key, search_text)` and `cases_fts(team_id, description,
  customer_name, category)`. The workspace is named inside the MATCH (`team_id:"T…" AND …`), so FTS5 reads only
  that workspace's entries; the join back to the table checks `team_id` again. Answers are ranked by bm25 with the
  key weighing more than the text and `team_id` nothing.
- PostgreSQL: the generated `search` tsvector columns with GIN indexes, asked with `to_tsquery('simple', …)`; answers
  ranked by `ts_rank` (the key's words are weight A, the text's B).

Both are asked the same thing: each word as the start of a word (FTS5 `"word"*`, tsquery `'word':*`), all of them or
any. `plainto_tsquery`/`websearch_to_tsquery` have no prefix form, so the tsquery is built here from the domain's
words, which are folded letters and digits only (nothing to escape), and passed as a bound parameter.
Cases come newest first: ordering by id lets FTS5 stop after `limit` matches instead of scoring every match.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, column, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Subquery

from bot.domain.answers import AnswerDraft, SavedAnswer, SearchQuery, search_text
from bot.domain.ids import TeamId, UserId
from storage.models_answers import SavedAnswerRow

# bm25 weights per FTS5 column of saved_answers_fts: team_id, key, search_text.
_ANSWER_WEIGHTS = "0.0, 3.0, 1.0"

_SQLITE_ANSWERS = f"""
    SELECT rowid AS id, bm25(saved_answers_fts, {_ANSWER_WEIGHTS}) AS score
    FROM saved_answers_fts
    WHERE saved_answers_fts MATCH :match
    ORDER BY score
    LIMIT :limit
"""
# ts_rank is "higher is better"; negated so both dialects order by score ascending.
_POSTGRESQL_ANSWERS = """
    SELECT id, -ts_rank(search, to_tsquery('simple', :match)) AS score
    FROM saved_answers
    WHERE team_id = :team AND search @@ to_tsquery('simple', :match)
    ORDER BY score, id
    LIMIT :limit
"""
_SQLITE_CASES = """
    SELECT cases.id
    FROM (SELECT rowid AS id FROM cases_fts WHERE cases_fts MATCH :match ORDER BY rowid DESC LIMIT :limit) AS hit
    JOIN cases ON cases.id = hit.id
    WHERE cases.team_id = :team
    ORDER BY cases.id DESC
"""
_POSTGRESQL_CASES = """
    SELECT id
    FROM cases
    WHERE team_id = :team AND search @@ to_tsquery('simple', :match)
    ORDER BY id DESC
    LIMIT :limit
"""
_ANSWER_COLUMNS = "{key search_text}"
_CASE_COLUMNS = "{description customer_name category}"


def _fts5_string(value: str) -> str:
    """An FTS5 string literal (a double quote inside is doubled)."""
    return '"' + value.replace('"', '""') + '"'


def fts5_match(team: TeamId, query: SearchQuery, columns: str) -> str:
    """`team_id:"T1" AND {key search_text}:("opening"* AND "hours"*)`."""
    joiner = " AND " if query.match_all else " OR "
    words = joiner.join(_fts5_string(term.word) + ("*" if term.prefix else "") for term in query.terms)
    return f"team_id:{_fts5_string(team)} AND {columns}:({words})"


def tsquery(query: SearchQuery) -> str:
    """`'opening':* & 'hours':*` for `to_tsquery('simple', …)`."""
    joiner = " & " if query.match_all else " | "
    return joiner.join("'" + term.word.replace("'", "''") + "'" + (":*" if term.prefix else "") for term in query.terms)


def _answer(row: SavedAnswerRow) -> SavedAnswer:
    return SavedAnswer(
        id=row.id,
        team=TeamId(row.team_id),
        key=row.key,
        text=row.text,
        created_by=UserId(row.created_by),
        created_at=row.created_at,
        updated_by=UserId(row.updated_by),
        updated_at=row.updated_at,
    )


class SqlAnswerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    async def add(self, draft: AnswerDraft) -> SavedAnswer | None:
        # INSERT … ON CONFLICT DO NOTHING: of two managers adding one key at once, one gets it, the other is told.
        insert = pg_insert if self._postgresql else sqlite_insert
        statement = (
            insert(SavedAnswerRow)
            .values(
                team_id=draft.team,
                key=draft.key,
                text=draft.text,
                search_text=search_text(draft.text),
                created_by=draft.by,
                created_at=draft.at,
                updated_by=draft.by,
                updated_at=draft.at,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "key"])
            .returning(SavedAnswerRow.id)
        )
        added = await self._session.scalar(statement)
        if added is None:
            return None
        return SavedAnswer(added, draft.team, draft.key, draft.text, draft.by, draft.at, draft.by, draft.at)

    async def get(self, team: TeamId, key: str) -> SavedAnswer | None:
        row = await self._session.scalar(
            select(SavedAnswerRow).where(SavedAnswerRow.team_id == team, SavedAnswerRow.key == key)
        )
        return _answer(row) if row is not None else None

    async def update(self, team: TeamId, key: str, text: str, *, by: UserId, at: datetime) -> SavedAnswer | None:
        row = await self._session.scalar(
            update(SavedAnswerRow)
            .where(SavedAnswerRow.team_id == team, SavedAnswerRow.key == key)
            .values(text=text, search_text=search_text(text), updated_by=by, updated_at=at)
            .returning(SavedAnswerRow)
            .execution_options(synchronize_session=False)
        )
        return _answer(row) if row is not None else None

    async def remove(self, team: TeamId, key: str) -> SavedAnswer | None:
        row = await self._session.scalar(
            delete(SavedAnswerRow)
            .where(SavedAnswerRow.team_id == team, SavedAnswerRow.key == key)
            .returning(SavedAnswerRow)
            .execution_options(synchronize_session=False)
        )
        return _answer(row) if row is not None else None

    async def all(self, team: TeamId, limit: int) -> list[SavedAnswer]:
        rows = await self._session.scalars(
            select(SavedAnswerRow).where(SavedAnswerRow.team_id == team).order_by(SavedAnswerRow.key).limit(limit)
        )
        return [_answer(row) for row in rows]

    async def count(self, team: TeamId) -> int:
        found = await self._session.scalar(
            select(func.count()).select_from(SavedAnswerRow).where(SavedAnswerRow.team_id == team)
        )
        return int(found or 0)

    # ---- full-text search ------------------------------------------------------------------------------------

    def _answer_hits(self, team: TeamId, query: SearchQuery, limit: int) -> Subquery:
        if self._postgresql:
            found = text(_POSTGRESQL_ANSWERS).bindparams(match=tsquery(query), team=team, limit=limit)
        else:
            found = text(_SQLITE_ANSWERS).bindparams(match=fts5_match(team, query, _ANSWER_COLUMNS), limit=limit)
        return found.columns(column("id", Integer), column("score", Float)).subquery("hit")

    async def search(self, team: TeamId, query: SearchQuery, limit: int) -> list[SavedAnswer]:
        if query.empty or limit <= 0:
            return []
        hits = self._answer_hits(team, query, limit)
        rows = await self._session.scalars(
            select(SavedAnswerRow)
            .join(hits, hits.c.id == SavedAnswerRow.id)
            .where(SavedAnswerRow.team_id == team)
            .order_by(hits.c.score, SavedAnswerRow.id)
        )
        return [_answer(row) for row in rows]

    async def search_cases(self, team: TeamId, query: SearchQuery, limit: int) -> list[int]:
        if query.empty or limit <= 0:
            return []
        if self._postgresql:
            statement = text(_POSTGRESQL_CASES).bindparams(match=tsquery(query), team=team, limit=limit)
        else:
            statement = text(_SQLITE_CASES).bindparams(
                match=fts5_match(team, query, _CASE_COLUMNS), team=team, limit=limit
            )
        return [int(found) for found in await self._session.scalars(statement)]
