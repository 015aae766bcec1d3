"""`/ops answer …` read in English and Italian; keys, folding and the words a search looks for; the full-text query
each database is given (always valid, whatever was typed); and the answers as people read them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.answers import (
    MAX_KEY,
    MAX_TERMS,
    MAX_TEXT,
    STOP_WORDS,
    AnswerListing,
    AnswerSearch,
    SavedAnswer,
    Term,
    all_words,
    clean_key,
    clean_text,
    fold,
    search_text,
    telling_words,
)
from bot.domain.errors import InvalidRequest
from bot.domain.ids import TeamId, UserId
from bot.i18n import translator
from bot.parsing import answers as parse
from bot.parsing.errors import ParseError
from bot.rendering import answers as render
from storage.repositories.answers import fts5_match, tsquery

OPENING = "We are open Tuesday to Sunday 12\u201315 and 19\u201323"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", parse.ListAnswers()),
        ("list", parse.ListAnswers()),
        ("  elenco ", parse.ListAnswers()),
        ("lista", parse.ListAnswers()),
        (f"add opening-hours {OPENING}", parse.AddAnswer("opening-hours", OPENING)),
        (f"ADD Opening-Hours   {OPENING}  ", parse.AddAnswer("Opening-Hours", OPENING)),
        (
            "aggiungi orari-apertura Siamo aperti\nda martedì",
            parse.AddAnswer("orari-apertura", "Siamo aperti\nda martedì"),
        ),
        ("edit wifi Ask the staff", parse.EditAnswer("wifi", "Ask the staff")),
        ("modifica wifi Chiedi al personale", parse.EditAnswer("wifi", "Chiedi al personale")),
        ("remove wifi", parse.RemoveAnswer("wifi")),
        ("rimuovi wifi", parse.RemoveAnswer("wifi")),
        ("elimina wifi", parse.RemoveAnswer("wifi")),
        ("opening hours", parse.SearchAnswers("opening hours")),
        ("orari di apertura?", parse.SearchAnswers("orari di apertura?")),
        ("list of allergens", parse.SearchAnswers("list of allergens")),
        ("caffè", parse.SearchAnswers("caffè")),
    ],
)
def test_commands(text: str, expected: parse.AnswerRequest) -> None:
    assert parse.parse_answer_command(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        ("add", "answer.error.no_key", "answer.example.add"),
        ("add opening-hours", "answer.error.no_text_for", "answer.example.add"),
        ("edit wifi   ", "answer.error.no_text_for", "answer.example.edit"),
        ("remove", "answer.error.no_key", "answer.example.remove"),
        ("remove wifi please", "answer.error.remove_extra", "answer.example.remove"),
    ],
)
def test_incomplete_commands_say_what_is_missing(text: str, key: str, example: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse.parse_answer_command(text)
    assert raised.value.message.key == key
    assert raised.value.example is not None
    assert raised.value.example.key == example


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda verb, rest: f"{verb} {rest}",
            st.sampled_from(sorted(parse.ADD | parse.EDIT | parse.REMOVE | parse.LIST)),
            st.text(max_size=40),
        ),
    )
)
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    try:
        parsed = parse.parse_answer_command(text)
    except ParseError as error:
        example = error.example
        assert example is not None  # every refusal shows a correct example
        return
    if isinstance(parsed, parse.AddAnswer | parse.EditAnswer):
        assert parsed.key.strip() == parsed.key
        assert parsed.key
        assert parsed.text == parsed.text.strip()
        assert parsed.text


# ---- keys, text and folding ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("opening-hours", "opening-hours"),
        ("Opening-Hours", "opening-hours"),
        ("orari_apertura", "orari-apertura"),
        ("caffè", "caffe"),
        ("wifi2", "wifi2"),
    ],
)
def test_keys_are_folded_slugs(typed: str, key: str) -> None:
    assert clean_key(typed) == key


@pytest.mark.parametrize("typed", ["x", "-wifi", "wifi-", "wi--fi", "wi fi", "wifi!", "<@U123>", "k" * (MAX_KEY + 1)])
def test_what_is_not_a_key_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        clean_key(typed)
    assert raised.value.message.key == "answer.error.key"
    assert raised.value.example is not None


def test_text_is_kept_as_typed_within_the_limit() -> None:
    assert clean_text("  Line one\nline two  ") == "Line one\nline two"
    assert clean_text("x" * MAX_TEXT) == "x" * MAX_TEXT
    with pytest.raises(InvalidRequest, match="too_long"):
        clean_text("x" * (MAX_TEXT + 1))
    with pytest.raises(InvalidRequest, match="no_text"):
        clean_text(" \n ")


def test_folding_drops_case_and_accents() -> None:
    assert fold("Caffè LUNEDÌ Perché Ñandú Ærø") == "caffe lunedi perche nandu ærø"
    assert search_text("Il caffè è compreso nel menù-degustazione, 12\u201315!") == (
        "il caffe e compreso nel menu degustazione 12 15"
    )


def test_all_words_are_looked_for_as_the_start_of_words() -> None:
    query = all_words("Opening hours, opening HOURS at table 4?")
    assert query.match_all
    assert query.terms == (
        Term("opening"),
        Term("hours"),
        Term("at"),
        Term("table"),
        Term("4", prefix=False),
    )
    assert all_words(" ¿! ").empty


def test_a_question_is_matched_on_its_telling_words() -> None:
    query = telling_words("Buongiorno, a che ora aprite il lunedì? E il caffè?")
    assert not query.match_all
    assert [term.word for term in query.terms] == ["ora", "aprite", "lunedi", "caffe"]
    # Only common words: they are all there is to go on.
    assert [term.word for term in telling_words("what is it").terms] == ["what", "is", "it"]
    assert telling_words("a e i").empty
    assert len(telling_words(" ".join(f"word{n}" for n in range(50))).terms) == MAX_TERMS
    assert {"the", "il", "perche", "piu"} <= STOP_WORDS


# ---- the queries the databases get --------------------------------------------------------------------------------


def test_the_fts5_and_tsquery_forms() -> None:
    team = TeamId("T0OPS0001")
    assert fts5_match(team, all_words("opening hours 4"), "{key search_text}") == (
        'team_id:"T0OPS0001" AND {key search_text}:("opening"* AND "hours"* AND "4")'
    )
    assert fts5_match(team, telling_words("wifi menu"), "{key search_text}") == (
        'team_id:"T0OPS0001" AND {key search_text}:("wifi"* OR "menu"*)'
    )
    assert tsquery(all_words("Caffè 4")) == "'caffe':* & '4'"
    assert tsquery(telling_words("wifi menu")) == "'wifi':* | 'menu':*"


@pytest.fixture(scope="module")
def fts5() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE a USING fts5(team_id, key, search_text, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.execute("INSERT INTO a VALUES ('T1', 'opening-hours', 'we are open tuesday')")
    return connection


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), team=st.sampled_from(["T1", 'T1" OR "x', "T(1)*", "E0:1"]))
def test_whatever_is_typed_the_fts5_query_is_valid(fts5: sqlite3.Connection, text: str, team: str) -> None:
    for query in (all_words(text), telling_words(text)):
        if query.empty:
            continue
        match = fts5_match(TeamId(team), query, "{key search_text}")
        fts5.execute("SELECT rowid FROM a WHERE a MATCH ?", (match,)).fetchall()


@pytest.mark.parametrize(
    "text", ['"', "'", "open:*", "AND OR NOT NEAR", "open* (hours", "wifi & menu | !x", "²½", "кафе", "咖啡 ☕"]
)
def test_query_syntax_typed_is_only_words(fts5: sqlite3.Connection, text: str) -> None:
    for query in (all_words(text), telling_words(text)):
        for term in query.terms:
            assert term.word.isalnum()
        if not query.empty:
            fts5.execute("SELECT rowid FROM a WHERE a MATCH ?", (fts5_match(TeamId("T1"), query, "{key}"),))


# ---- what people read ---------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _answer(key: str, text: str) -> SavedAnswer:
    return SavedAnswer(1, TeamId("T1"), key, text, UserId("U1"), NOW, UserId("U2"), NOW)


@pytest.mark.parametrize("language", ["en", "it"])
def test_results_list_and_changes_render_in_both_languages(language: str) -> None:
    words = translator().bind("it" if language == "it" else "en")
    found = render.found(words, AnswerSearch("opening hours", (_answer("opening-hours", OPENING),), every_word=True))
    assert "`opening-hours`" in str(found.blocks)
    assert OPENING in str(found.blocks)
    assert "<@U2>" in str(found.blocks)
    closest = render.found(words, AnswerSearch("x y", (_answer("wifi", "w"),), every_word=False))
    assert closest.text != found.text
    nothing = render.found(words, AnswerSearch("pizza", (), every_word=False))
    assert "pizza" in nothing.text
    many = [_answer(f"key-{n:03d}", "A fairly long answer text " * 10) for n in range(200)]
    listed = render.listing(words, AnswerListing(tuple(many), 250))
    assert len(listed.blocks) <= 50
    assert all(len(str(block)) < 3500 for block in listed.blocks)
    assert "key-199" in str(listed.blocks)
    assert "50" in str(listed.blocks[-2])
    assert render.listing(words, AnswerListing((), 0)).text
    for reply in (render.added(words, many[0]), render.edited(words, many[0]), render.removed(words, many[0])):
        assert "key-000" in reply.text
