"""Feedback, suggestions, and the read-only facts about customer cases that insights need. Every query is
filtered by team."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.cases import CaseStatus
from bot.domain.feedback import (
    CaseFacts,
    Feedback,
    NewFeedback,
    Source,
    Suggestion,
    SuggestionStatus,
)
from bot.domain.ids import TeamId, UserId
from storage.models_cases import CaseRow
from storage.models_feedback import FeedbackRow, SuggestionCounterRow, SuggestionRow

_ACTIVE_CASES = frozenset(status.value for status in CaseStatus if status.is_active)


def _tags_text(tags: tuple[str, ...]) -> str:
    return "," + ",".join(tags) + "," if tags else ""


def _feedback(row: FeedbackRow) -> Feedback:
    return Feedback(
        id=row.id,
        team=TeamId(row.team_id),
        rating=row.rating,
        text=row.text,
        tags=tuple(tag for tag in row.tags.split(",") if tag),
        source=Source(row.source) if row.source else None,
        recorded_by=UserId(row.recorded_by),
        created_at=row.created_at,
    )


def _suggestion(row: SuggestionRow) -> Suggestion:
    return Suggestion(
        id=row.id,
        team=TeamId(row.team_id),
        number=row.number,
        text=row.text,
        created_on=row.created_on,
        status=SuggestionStatus(row.status),
        closed_by=UserId(row.closed_by) if row.closed_by else None,
        closed_at=row.closed_at,
    )


def _case(row: CaseRow) -> CaseFacts:
    return CaseFacts(
        category=row.category,
        arrived_by=row.arrived_by,
        created_at=row.created_at,
        respond_by=row.respond_by,
        resolve_by=row.resolve_by,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at or row.closed_at,
        active=row.status in _ACTIVE_CASES,
        # A forgotten customer's words are not mined for recurring words either.
        description="" if row.forgotten else row.description,
        satisfaction=row.satisfaction,
    )


class SqlFeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- feedback ------------------------------------------------------------------------------------------------

    async def add(self, new: NewFeedback) -> Feedback:
        draft = new.draft
        row = FeedbackRow(
            team_id=new.team,
            rating=draft.rating,
            text=draft.text,
            tags=_tags_text(draft.tags),
            source=draft.source.value if draft.source else "",
            recorded_by=new.recorded_by,
            created_at=new.at,
        )
        self._session.add(row)
        await self._session.flush()
        return _feedback(row)

    async def between(self, team: TeamId, since: datetime, until: datetime) -> list[Feedback]:
        rows = await self._session.scalars(
            select(FeedbackRow)
            .where(FeedbackRow.team_id == team, FeedbackRow.created_at >= since, FeedbackRow.created_at < until)
            .order_by(FeedbackRow.created_at, FeedbackRow.id)
        )
        return [_feedback(row) for row in rows]

    # ---- suggestions ---------------------------------------------------------------------------------------------

    async def next_suggestion_number(self, team: TeamId) -> int:
        """One atomic upsert: two suggestions at once never get the same number."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(SuggestionCounterRow)
            .values(team_id=team, last=1)
            .on_conflict_do_update(
                index_elements=[SuggestionCounterRow.team_id], set_={"last": SuggestionCounterRow.last + 1}
            )
            .returning(SuggestionCounterRow.last)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add_suggestion(self, team: TeamId, number: int, text: str, *, created_on: date) -> Suggestion:
        row = SuggestionRow(
            team_id=team, number=number, text=text, created_on=created_on, status=SuggestionStatus.OPEN.value
        )
        self._session.add(row)
        await self._session.flush()
        return _suggestion(row)

    async def suggestion(self, team: TeamId, number: int) -> Suggestion | None:
        row = await self._session.scalar(
            select(SuggestionRow).where(SuggestionRow.team_id == team, SuggestionRow.number == number)
        )
        return _suggestion(row) if row is not None else None

    async def open_suggestions(self, team: TeamId, limit: int) -> list[Suggestion]:
        """Newest first."""
        rows = await self._session.scalars(
            select(SuggestionRow)
            .where(SuggestionRow.team_id == team, SuggestionRow.status == SuggestionStatus.OPEN.value)
            .order_by(SuggestionRow.number.desc())
            .limit(limit)
        )
        return [_suggestion(row) for row in rows]

    async def count_open_suggestions(self, team: TeamId) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(SuggestionRow)
            .where(SuggestionRow.team_id == team, SuggestionRow.status == SuggestionStatus.OPEN.value)
        )
        return int(count or 0)

    async def close_suggestion(self, team: TeamId, number: int, *, by: UserId, at: datetime) -> bool:
        """Only an open one: of two managers closing it at once, one does."""
        result = await self._session.execute(
            update(SuggestionRow)
            .where(
                SuggestionRow.team_id == team,
                SuggestionRow.number == number,
                SuggestionRow.status == SuggestionStatus.OPEN.value,
            )
            .values(status=SuggestionStatus.DONE.value, closed_by=by, closed_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    # ---- customer cases, read only -------------------------------------------------------------------------------

    async def case_facts(self, team: TeamId, since: datetime, until: datetime) -> list[CaseFacts]:
        """The cases opened in [since, until)."""
        rows = await self._session.scalars(
            select(CaseRow)
            .where(CaseRow.team_id == team, CaseRow.created_at >= since, CaseRow.created_at < until)
            .order_by(CaseRow.created_at, CaseRow.id)
        )
        return [_case(row) for row in rows]
