"""Any text at all yields a request or a ParseError from the parsers — never a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.admin import (
    LANGUAGE_WORDS,
    OFF_WORDS,
    ROLE_WORDS,
    SETTING_WORDS,
    parse_audit,
    parse_config,
    parse_help,
    parse_role,
)
from bot.parsing.errors import ParseError
from bot.parsing.tokens import duration, split_first

ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=0, max_size=12)
labels = st.text(alphabet=st.characters(blacklist_characters=">"), max_size=12)
user_mentions = st.builds(
    lambda prefix, user, label: f"<@{prefix}{user}" + (f"|{label}" if label is not None else "") + ">",
    st.sampled_from(["U", "W", "u", "C", ""]),
    ids,
    st.none() | labels,
)
channel_mentions = st.builds(
    lambda prefix, channel, label: f"<#{prefix}{channel}" + (f"|{label}" if label is not None else "") + ">",
    st.sampled_from(["C", "G", "D", "c", "U", ""]),
    ids,
    st.none() | labels,
)
numbers = st.one_of(
    st.integers(min_value=-100, max_value=100_000).map(str),
    st.sampled_from(["²", "1²", "٣", "١٢", "½", "Ⅻ", "0x10", "1e3", "1_000", "2.5", "+5", "\u09e6"]),
)
units = st.sampled_from(
    [
        *("m", "h", "d", "min", "mins", "minute", "minutes", "minuto", "minuti", "hour", "hours", "hr", "hrs"),
        *("ora", "ore", "day", "days", "giorno", "giorni", "x", "M", "H"),
    ]
)
durations = st.builds(lambda n, sep, unit: f"{n}{sep}{unit}", numbers, st.sampled_from(["", " ", "  ", "\t"]), units)
keywords = st.sampled_from(
    sorted(ROLE_WORDS)
    + sorted(SETTING_WORDS)
    + sorted(LANGUAGE_WORDS)
    + sorted(OFF_WORDS)
    + ["Europe/Rome", "europe/rome", "UTC", "Mars/Olympus", "help", "tasks", "turni", "?", "@maria", "#ops"]
)
tokens = st.one_of(user_mentions, channel_mentions, numbers, durations, keywords, st.text(max_size=8))
separators = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u3000", ""])
phrases = st.builds(
    lambda parts, seps: "".join(part + sep for part, sep in zip(parts, seps, strict=False)),
    st.lists(tokens, max_size=6),
    st.lists(separators, min_size=6, max_size=6),
)
any_text = st.one_of(st.text(), phrases)


def _answers_or_refuses(parse: Callable[[str], Any], text: str) -> None:
    refusal: ParseError | None = None
    try:
        parse(text)
    except ParseError as error:
        refusal = error
    if refusal is not None:
        assert refusal.message.key
        assert refusal.example is not None, f"{parse.__name__}({text!r}) refused without an example"


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_parse_role_never_crashes(text: str) -> None:
    _answers_or_refuses(parse_role, text)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_parse_config_never_crashes(text: str) -> None:
    _answers_or_refuses(parse_config, text)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_parse_audit_never_crashes(text: str) -> None:
    _answers_or_refuses(parse_audit, text)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_parse_help_never_crashes(text: str) -> None:
    _answers_or_refuses(parse_help, text)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(any_text, durations))
def test_duration_is_a_timedelta_or_none(text: str) -> None:
    result = duration(text)
    assert result is None or result.total_seconds() >= 0


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_split_first_returns_two_strings(text: str) -> None:
    head, rest = split_first(text)
    assert head == head.lower()
    assert (head == "") == (text.strip() == "")
    assert rest == rest.strip()


@settings(max_examples=300, deadline=None)
@given(words=st.lists(keywords, min_size=1, max_size=3))
def test_parse_config_on_keyword_phrases_never_crashes(words: list[str]) -> None:
    _answers_or_refuses(parse_config, " ".join(words))
