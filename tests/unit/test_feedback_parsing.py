"""`/ops feedback …`, `/ops suggest …`, `/ops insights …` and the feedback form, in English and Italian."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.feedback import FeedbackDraft, PeriodKind, Source
from bot.parsing import feedback as parse
from bot.parsing.errors import ParseError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 slow service at lunch #service", FeedbackDraft(4, "slow service at lunch", ("service",))),
        ("4 servizio lento a pranzo #servizio", FeedbackDraft(4, "servizio lento a pranzo", ("servizio",))),
        ("5", FeedbackDraft(5)),
        ("4/5 lovely #Food #food", FeedbackDraft(4, "lovely", ("food",))),
        ("2 cold pasta via phone #kitchen", FeedbackDraft(2, "cold pasta", ("kitchen",), Source.PHONE)),
        ("1 via recensione: attesa infinita", FeedbackDraft(1, "attesa infinita", (), Source.REVIEW)),
        ("3 Nice, said via email.", FeedbackDraft(3, "Nice, said", (), Source.EMAIL)),
        ("5 via person friendly staff", FeedbackDraft(5, "friendly staff", (), Source.IN_PERSON)),
        # "via" that names no source is part of what was said.
        ("3 the shop in via Roma was closed", FeedbackDraft(3, "the shop in via Roma was closed")),
        # Slack escapes a tag that is also a channel name.
        ("4 great coffee <#C0SUPPLY1|supplies> #bar", FeedbackDraft(4, "great coffee", ("supplies", "bar"))),
        ("2   long   wait\n at the till  ", FeedbackDraft(2, "long wait at the till")),
        ("4 R&amp;D #a-b #c_d", FeedbackDraft(4, "R&amp;D", ("a-b", "c_d"))),
    ],
)
def test_feedback_by_command(text: str, expected: FeedbackDraft) -> None:
    assert parse.parse_feedback_command(text) == parse.RecordFeedback(expected)


def test_feedback_alone_opens_the_form() -> None:
    assert parse.parse_feedback_command("") == parse.OpenFeedbackForm()
    assert parse.parse_feedback_command("   ") == parse.OpenFeedbackForm()


@pytest.mark.parametrize("text", ["slow service", "6 great", "0 awful", "10/10 wow", "-1 no", "4.5 good", "quattro ok"])
def test_the_rating_comes_first_and_is_1_to_5(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse.parse_feedback_command(text)
    assert caught.value.message.key == "feedback.error.rating"
    assert caught.value.message.params["typed"] == text.split()[0]
    assert caught.value.example is not None
    assert caught.value.example.key == "feedback.example.record"


def _form(rating: str | None, text: str = "", tags: str = "", source: str | None = None) -> dict[str, Any]:
    def option(value: str | None) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value} if value is not None else None}

    return {
        parse.RATING_BLOCK: {"rating": option(rating)},
        parse.TEXT_BLOCK: {"text": {"type": "plain_text_input", "value": text or None}},
        parse.TAGS_BLOCK: {"tags": {"type": "plain_text_input", "value": tags or None}},
        parse.SOURCE_BLOCK: {"source": option(source)},
    }


def test_the_form() -> None:
    values = _form("2", "  Waited   40 minutes ", "service, #Kitchen  wait;service", "review")
    assert parse.parse_feedback_form(values) == FeedbackDraft(
        2, "Waited 40 minutes", ("service", "kitchen", "wait"), Source.REVIEW
    )
    assert parse.parse_feedback_form(_form("5")) == FeedbackDraft(5)
    assert parse.parse_feedback_form(_form("4", source="somewhere")) == FeedbackDraft(4)


@pytest.mark.parametrize("rating", [None, "", "0", "6", "x"])
def test_the_form_needs_a_rating(rating: str | None) -> None:
    with pytest.raises(parse.FormErrors) as caught:
        parse.parse_feedback_form(_form(rating, "text"))
    assert {block: msg.key for block, msg in caught.value.errors.items()} == {
        parse.RATING_BLOCK: "feedback.error.pick_rating"
    }
    with pytest.raises(parse.FormErrors):
        parse.parse_feedback_form({})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a second coffee machine for the rush", parse.MakeSuggestion("a second coffee machine for the rush")),
        ("una  seconda macchina\ndel caffè", parse.MakeSuggestion("una seconda macchina del caffè")),
        ("list", parse.ListSuggestions()),
        ("LIST", parse.ListSuggestions()),
        ("elenco", parse.ListSuggestions()),
        ("done 3", parse.CloseSuggestion(3)),
        ("fatto #12", parse.CloseSuggestion(12)),
        ("chiudi 4", parse.CloseSuggestion(4)),
        # Only `list` alone and `done <n>` are the managers' words: anything else is a suggestion.
        ("list prices on the board", parse.MakeSuggestion("list prices on the board")),
        ("done with paper cups, please", parse.MakeSuggestion("done with paper cups, please")),
        ("done 0", parse.MakeSuggestion("done 0")),
    ],
)
def test_suggest(text: str, expected: parse.SuggestCommand) -> None:
    assert parse.parse_suggest_command(text) == expected


def test_an_empty_suggestion_is_refused_with_an_example() -> None:
    with pytest.raises(ParseError) as caught:
        parse.parse_suggest_command("  ")
    assert caught.value.message.key == "feedback.error.no_suggestion"
    assert caught.value.example is not None
    assert caught.value.example.key == "feedback.example.suggest"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", PeriodKind.MONTH),
        ("month", PeriodKind.MONTH),
        ("Mese", PeriodKind.MONTH),
        ("questo mese", PeriodKind.MONTH),
        ("week", PeriodKind.WEEK),
        ("settimana", PeriodKind.WEEK),
        ("last  month", PeriodKind.LAST_MONTH),
        ("mese scorso", PeriodKind.LAST_MONTH),
        ("Last Week", PeriodKind.LAST_WEEK),
        ("settimana scorsa", PeriodKind.LAST_WEEK),
    ],
)
def test_insights_period(text: str, expected: PeriodKind) -> None:
    assert parse.parse_insights_command(text) == expected


@pytest.mark.parametrize("text", ["year", "next month", "2026-11", "mese prossimo"])
def test_an_unknown_period_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse.parse_insights_command(text)
    assert caught.value.message.key == "feedback.error.period"
    assert caught.value.example is not None
    assert caught.value.example.key == "feedback.example.insights"


@given(st.text(max_size=80))
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    for parser in (parse.parse_feedback_command, parse.parse_suggest_command, parse.parse_insights_command):
        with contextlib.suppress(ParseError):
            parser(text)


@given(
    st.sampled_from(["1", "2", "3", "4", "5", "4/5"]),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
)
def test_a_good_rating_always_records(rating: str, rest: str) -> None:
    parsed = parse.parse_feedback_command(f"{rating} {rest}")
    assert isinstance(parsed, parse.RecordFeedback)
    assert parsed.draft.rating == int(rating[0])
    assert "#" not in " ".join(parsed.draft.tags)
