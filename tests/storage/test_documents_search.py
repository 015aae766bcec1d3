"""Documents in the store, on SQLite (FTS5) and PostgreSQL (tsvector): numbered per workspace, searched by words
(prefixes, accents and case ignored) best first and only inside the workspace, restricted documents found only by
their author and managers, and lists newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.answers import all_words, telling_words
from bot.domain.documents import NewDocument, Viewer, builtin_named, summary_of, validate
from bot.domain.ids import TeamId, UserId
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")
ANNA, BEN = UserId("U0ANNA001"), UserId("U0BEN0001")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
EVERYONE = Viewer(ANNA, sees_all=True)


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


async def _write(
    engine: AsyncEngine, team: TeamId, template: str, entries: dict[str, str], author: UserId, n: int
) -> int:
    found = builtin_named(template)
    assert found is not None
    values = validate(found, entries, {})
    draft = NewDocument(
        team, found, values, summary_of(found, values), "en", author, "anna", NOW + timedelta(minutes=n)
    )
    async with uow(engine) as work:
        return (await work.documents.add(draft)).number


async def _numbers(
    engine: AsyncEngine, team: TeamId, text: str, viewer: Viewer = EVERYONE, *, every: bool = True
) -> list[int]:
    query = all_words(text) if every else telling_words(text)
    async with uow(engine) as work:
        return [document.number for document in await work.documents.search(team, viewer, query, 10)]


async def test_numbers_search_scope_and_privacy(engine: AsyncEngine) -> None:
    memo = {"to": "Kitchen", "subject": "Fridge rules", "body": "Label everything in the walk-in fridge. Fridge!"}
    handover = {"date": "2026-12-03", "shift": "evening", "open": "Ice machine leaks; più ghiaccio"}
    assert await _write(engine, T1, "memo", memo, ANNA, 1) == 1
    assert await _write(engine, T1, "handover", {**handover, "done": "Cleaned the fridge"}, ANNA, 2) == 2
    incident = {"date": "2026-11-29", "place": "kitchen", "what": "Burn from the fryer", "actions": "First aid"}
    assert await _write(engine, T1, "incident", incident, ANNA, 3) == 3
    # Another workspace counts from 1 and is never seen from the first.
    assert await _write(engine, T2, "memo", {**memo, "subject": "Fridge in T2"}, BEN, 4) == 1

    assert await _numbers(engine, T1, "fridge") == [1, 2]  # the memo says it three times
    assert await _numbers(engine, T1, "FRIDG") == [1, 2]  # the start of a word
    assert await _numbers(engine, T1, "piu ghiaccio") == [2]  # accents folded both ways
    assert await _numbers(engine, T1, "più") == [2]
    assert await _numbers(engine, T1, "handover") == [2]  # the template's names are searchable
    assert await _numbers(engine, T1, "consegna") == [2]
    assert await _numbers(engine, T1, "fridge unicorn") == []
    assert await _numbers(engine, T1, "fridge unicorn", every=False) == [1, 2]
    assert await _numbers(engine, T2, "fridge") == [1]

    # The incident report: its author and managers find it; others do not, and a list does not come back short.
    assert await _numbers(engine, T1, "fryer") == [3]
    assert await _numbers(engine, T1, "fryer", Viewer(ANNA, sees_all=False)) == [3]
    assert await _numbers(engine, T1, "fryer", Viewer(BEN, sees_all=False)) == []
    async with uow(engine) as work:
        ben = Viewer(BEN, sees_all=False)
        assert [d.number for d in await work.documents.newest(T1, ben, None, 2)] == [2, 1]
        assert await work.documents.count(T1, ben, None) == 2
        assert await work.documents.count(T1, EVERYONE, None) == 3
        assert [d.number for d in await work.documents.newest(T1, EVERYONE, "memo", 10)] == [1]
        assert await work.documents.get(T2, 3) is None
        stored = await work.documents.get(T1, 2)
    assert stored is not None
    assert stored.summary == "evening"
    assert stored.value("open") is not None
