"""Full-text search of saved answers and of cases, on SQLite (FTS5) and PostgreSQL (tsvector): words matched as the
start of words, accents and case ignored both ways, the key weighing more than the text, every query inside its
workspace, and the index kept in step with inserts, edits and deletes by the database itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.answers import AnswerDraft, SearchQuery, Term, all_words, telling_words
from bot.domain.ids import TeamId, UserId
from storage.db import alembic_config, migrate, session_factory
from storage.models_cases import CaseRow
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MANAGER = UserId("U0GIULIA1")

ANSWERS = {
    "opening-hours": "We are open Tuesday to Sunday 12\u201315 and 19\u201323. Closed on Mondays.",
    "orari-apertura": "Siamo aperti da martedì a domenica, 12\u201315 e 19\u201323. Lunedì chiuso.",
    "caffe": "Il caffè è compreso nel menù degustazione.",
    "wifi": "The wifi password is on the back of the menu.",
    "parking": "There is free parking behind the restaurant, open until midnight.",
}


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


async def _add_answers(engine: AsyncEngine, team: TeamId, answers: dict[str, str]) -> None:
    async with uow(engine) as work:
        for key, body in answers.items():
            assert await work.answers.add(AnswerDraft(team, key, body, MANAGER, NOW)) is not None


async def _keys(engine: AsyncEngine, team: TeamId, query: SearchQuery, limit: int = 10) -> list[str]:
    async with uow(engine) as work:
        return [answer.key for answer in await work.answers.search(team, query, limit)]


def _case(team: TeamId, number: int, description: str, *, name: str = "Anna Neri", category: str = "food") -> CaseRow:
    return CaseRow(
        team_id=team,
        number=number,
        kind="question",
        status="open",
        severity="normal",
        category=category,
        arrived_by="in_person",
        customer_name=name,
        customer_phone="",
        customer_email="",
        description=description,
        created_by=MANAGER,
        created_at=NOW + timedelta(minutes=number),
        updated_at=NOW + timedelta(minutes=number),
        respond_by=NOW + timedelta(hours=1),
        resolve_by=NOW + timedelta(days=1),
        response_missed_alerted=False,
        resolution_missed_alerted=False,
        resolution_note="",
        offer="",
        follow_up_outcome="",
        forgotten=False,
    )


async def _add_cases(engine: AsyncEngine, rows: list[CaseRow]) -> dict[int, int]:
    """Case number → id."""
    async with session_factory(engine)() as session, session.begin():
        session.add_all(rows)
        await session.flush()
        return {row.number: row.id for row in rows}


async def _cases(engine: AsyncEngine, team: TeamId, words: str, limit: int = 20) -> list[int]:
    async with uow(engine) as work:
        return await work.answers.search_cases(team, all_words(words), limit)


# ---- the schema ---------------------------------------------------------------------------------------------------


async def test_the_search_objects_are_there_at_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            found = {
                row[0]
                for row in await connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE '%_fts%'")
                )
            }
            # A later migration that rebuilds `cases` on SQLite (batch mode) drops its triggers: it must add them back.
            assert {
                "saved_answers_fts",
                "saved_answers_fts_insert",
                "saved_answers_fts_update",
                "saved_answers_fts_delete",
                "cases_fts",
                "cases_fts_insert",
                "cases_fts_update",
                "cases_fts_delete",
            } <= found
        else:
            columns = await connection.run_sync(
                lambda sync: {
                    table: {column["name"] for column in inspect(sync).get_columns(table)}
                    for table in ("cases", "saved_answers")
                }
            )
            assert "search" in columns["cases"]
            assert "search" in columns["saved_answers"]
            indexes = await connection.run_sync(
                lambda sync: {
                    index["name"] for table in ("cases", "saved_answers") for index in inspect(sync).get_indexes(table)
                }
            )
            assert {"ix_cases_search", "ix_saved_answers_search"} <= indexes


async def test_downgrade_removes_the_search_objects_and_upgrade_restores_them(engine: AsyncEngine) -> None:
    await _add_cases(engine, [_case(T1, 1, "Cold soup at table 4")])

    def down(connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "k1c0000000g1")

    async with engine.begin() as connection:
        await connection.run_sync(down)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        case_columns = await connection.run_sync(
            lambda sync: {column["name"] for column in inspect(sync).get_columns("cases")}
        )
    assert "saved_answers" not in tables
    assert not {name for name in tables if "_fts" in name}
    assert "search" not in case_columns
    # Cases written before the upgrade are found after it.
    await migrate(engine)
    ids = await _cases(engine, T1, "soup")
    assert len(ids) == 1


# ---- saved answers --------------------------------------------------------------------------------------------------


async def test_words_match_the_start_of_words_whatever_their_accents_and_case(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, ANSWERS)
    assert await _keys(engine, T1, all_words("opening hours")) == ["opening-hours"]
    assert await _keys(engine, T1, all_words("OPEN sund")) == ["opening-hours"]
    # Accents: typed without, stored with; and the other way round.
    assert await _keys(engine, T1, all_words("caffe")) == ["caffe"]
    assert await _keys(engine, T1, all_words("menu degustazione")) == ["caffe"]
    assert await _keys(engine, T1, all_words("lunedi chiuso")) == ["orari-apertura"]
    assert await _keys(engine, T1, all_words("Caffè")) == ["caffe"]
    assert await _keys(engine, T1, all_words("martedì")) == ["orari-apertura"]
    # Every word must be there.
    assert await _keys(engine, T1, all_words("wifi parking")) == []
    assert await _keys(engine, T1, all_words("pizza")) == []


async def test_the_key_weighs_more_than_the_text(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, ANSWERS)
    # "menu" is in the text of two answers; "wifi" also in one key.
    found = await _keys(engine, T1, telling_words("wifi menu"))
    assert found[0] == "wifi"
    assert set(found) == {"wifi", "caffe"}
    # "open" is in the parking answer's text and in the opening hours' key and text.
    assert (await _keys(engine, T1, all_words("open")))[0] == "opening-hours"


async def test_any_word_finds_the_answers_with_the_most_of_them_first(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, ANSWERS)
    found = await _keys(engine, T1, telling_words("Hi! Are you open on Sunday? Is there parking?"))
    assert set(found) == {"opening-hours", "parking"}
    assert await _keys(engine, T1, telling_words("Hi! Are you open on Sunday?"), limit=1) == ["opening-hours"]


async def test_a_search_sees_only_its_workspace(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, ANSWERS)
    await _add_answers(engine, T2, {"opening-hours": "Open every day 8-20", "dogs": "Dogs are welcome"})
    assert await _keys(engine, T2, all_words("sunday")) == []
    assert await _keys(engine, T2, all_words("open")) == ["opening-hours"]
    assert await _keys(engine, T1, all_words("dogs")) == []
    async with uow(engine) as work:
        (theirs,) = await work.answers.search(T2, all_words("open"), 5)
        assert theirs.team == T2
        assert theirs.text == "Open every day 8-20"
        # A workspace id that looks like query syntax is only ever a string.
        assert await work.answers.search(TeamId('T1" OR "x'), all_words("open"), 5) == []


async def test_edits_and_removals_reach_the_index(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, ANSWERS)
    later = NOW + timedelta(hours=1)
    async with uow(engine) as work:
        changed = await work.answers.update(
            T1, "wifi", "Ask the staff for the guest network code.", by=MANAGER, at=later
        )
        assert changed is not None
        assert changed.updated_at == later
        assert changed.created_at == NOW
        assert await work.answers.update(T2, "wifi", "nope", by=MANAGER, at=later) is None
    assert await _keys(engine, T1, all_words("password")) == []
    assert await _keys(engine, T1, all_words("guest network")) == ["wifi"]
    async with uow(engine) as work:
        assert await work.answers.remove(T2, "parking") is None
        gone = await work.answers.remove(T1, "parking")
        assert gone is not None
        assert gone.key == "parking"
        assert await work.answers.get(T1, "parking") is None
    assert await _keys(engine, T1, all_words("parking")) == []
    assert await _keys(engine, T1, all_words("midnight")) == []
    async with uow(engine) as work:
        assert await work.answers.count(T1) == len(ANSWERS) - 1
        assert [a.key for a in await work.answers.all(T1, 2)] == ["caffe", "opening-hours"]


async def test_a_key_is_taken_once_even_by_two_managers_at_once(engine: AsyncEngine) -> None:
    async def add(body: str) -> bool:
        async with uow(engine) as work:
            return await work.answers.add(AnswerDraft(T1, "wifi", body, MANAGER, NOW)) is not None

    assert sorted(await asyncio.gather(add("one"), add("two"))) == [False, True]
    await _add_answers(engine, T2, {"wifi": "theirs"})
    assert len(await _keys(engine, T1, all_words("wifi"))) == 1


async def test_one_letter_words_and_empty_queries(engine: AsyncEngine) -> None:
    await _add_answers(engine, T1, {"table-4": "Table 4 is by the window", "terrace": "The terrace opens in May"})
    # "4" as a whole word only; "t" would begin nearly everything.
    assert await _keys(engine, T1, all_words("table 4")) == ["table-4"]
    assert await _keys(engine, T1, SearchQuery(())) == []
    assert await _keys(engine, T1, SearchQuery((Term("t", prefix=False),))) == []


# ---- cases --------------------------------------------------------------------------------------------------------


async def test_cases_are_found_by_description_name_and_category_newest_first(engine: AsyncEngine) -> None:
    ids = await _add_cases(
        engine,
        [
            _case(T1, 1, "Cold soup at table 4, waited 40 minutes"),
            _case(T1, 2, "Il caffè era freddo", name="Giulia Bianchi", category="bar"),
            _case(T1, 3, "Soup too salty", name="Mario Rossi", category="kitchen"),
            _case(T2, 9, "Cold soup here too", name="Anna Neri"),
        ],
    )
    assert await _cases(engine, T1, "soup") == [ids[3], ids[1]]
    assert await _cases(engine, T1, "soup", limit=1) == [ids[3]]
    assert await _cases(engine, T1, "cold soup") == [ids[1]]
    assert await _cases(engine, T1, "caffe fredd") == [ids[2]]
    assert await _cases(engine, T1, "GIULIA") == [ids[2]]
    assert await _cases(engine, T1, "kitchen") == [ids[3]]
    assert await _cases(engine, T1, "anna") == [ids[1]]
    assert await _cases(engine, T1, "pizza") == []
    assert await _cases(engine, T2, "salty") == []


async def test_case_changes_reach_the_index(engine: AsyncEngine) -> None:
    ids = await _add_cases(engine, [_case(T1, 1, "Cold soup"), _case(T1, 2, "Noisy room")])
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(CaseRow).where(CaseRow.id == ids[1]).values(status="closed"))
        await session.execute(
            update(CaseRow).where(CaseRow.id == ids[2]).values(description="Noisy room upstairs", customer_name="")
        )
    assert await _cases(engine, T1, "soup") == [ids[1]]
    assert await _cases(engine, T1, "upstairs") == [ids[2]]
    assert await _cases(engine, T1, "anna") == [ids[1]]
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(CaseRow).where(CaseRow.id == ids[1]))
    assert await _cases(engine, T1, "soup") == []
    assert await _cases(engine, T1, "anna") == []
