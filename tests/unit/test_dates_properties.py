"""Any text at all given to the date parsers yields a value or a ParseError — never another exception."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing.dates import (
    MONTH_WORDS,
    NUMBER_WORDS,
    WEEKDAY_WORDS,
    Every,
    When,
    find_due,
    parse_every,
    parse_when,
    split_trailing_when,
)
from bot.parsing.errors import ParseError

ZONES = [ZoneInfo(name) for name in ("Europe/Rome", "America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kathmandu")]
nows = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; timezones= makes the values aware
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from(ZONES),
)
zones = st.sampled_from(ZONES)

date_tokens = st.sampled_from(
    sorted(WEEKDAY_WORDS)
    + sorted(MONTH_WORDS)
    + sorted(NUMBER_WORDS)
    + [
        *("today", "tonight", "tomorrow", "day after tomorrow", "next", "on", "at", "in", "the", "of", "and"),
        *("noon", "midnight", "am", "pm", "morning", "evening", "week", "weeks", "month", "hour", "hours"),
        *("minutes", "days", "every", "weekday", "weekend", "other", "1st", "15th", "last", "by", "for", "due"),
        *("oggi", "stasera", "domani", "dopodomani", "prossimo", "alle", "ore", "tra", "fra", "il", "l'", "e"),
        *("mezzogiorno", "mezzanotte", "un'ora", "mezz'ora", "giorni", "minuti", "settimana", "mese", "del"),
        *("ogni", "giorno", "feriale", "entro", "scadenza", "priority", "high", "#tag", "<@U123>", "mezza"),
    ]
)
numbers = st.one_of(
    st.integers(min_value=-5, max_value=10_000).map(str),
    st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 30), st.integers(0, 99)),
    st.builds(lambda d, m: f"{d}/{m}", st.integers(0, 40), st.integers(0, 14)),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda h, s: f"{h}{s}", st.integers(0, 30), st.sampled_from(["am", "pm", "st", "nd", "th", "°", "h"])),
    st.sampled_from(["²", "٣", "½", "Ⅻ", "0x10", "1e3", "2.5", "+5", "9.30", "9:", ":30", "24:00", "00:00"]),
)
tokens = st.one_of(date_tokens, numbers, st.text(max_size=6))
separators = st.sampled_from([" ", "  ", ", ", "\t", "\n", "\u00a0", "", "."])
phrases = st.builds(
    lambda parts, seps: "".join(part + sep for part, sep in zip(parts, seps, strict=False)),
    st.lists(tokens, max_size=8),
    st.lists(separators, min_size=8, max_size=8),
)
texts = st.one_of(phrases, st.text(max_size=80))

Parser = Callable[..., Any]


def _check(parser: Parser, text: str, now: datetime, zone: ZoneInfo) -> None:
    try:
        result = parser(text, now=now, zone=zone)
    except ParseError as error:
        result = error
    if isinstance(result, ParseError):
        assert result.message.key.startswith("dates.")
        return
    found = result[1] if isinstance(result, tuple) else result
    if isinstance(found, When):
        assert found.at.tzinfo is UTC
        assert found.at > now
    elif isinstance(found, Every):
        assert found.first.tzinfo is UTC
        assert found.first > now
        assert found.recurrence.local_start.tzinfo is None


@settings(max_examples=200, deadline=None)
@given(text=texts, now=nows, zone=zones)
def test_parse_when_never_crashes(text: str, now: datetime, zone: ZoneInfo) -> None:
    _check(parse_when, text, now, zone)


@settings(max_examples=200, deadline=None)
@given(text=texts, now=nows, zone=zones)
def test_parse_every_never_crashes(text: str, now: datetime, zone: ZoneInfo) -> None:
    _check(parse_every, text, now, zone)
    _check(parse_every, "every " + text, now, zone)
    _check(parse_every, "ogni " + text, now, zone)


@settings(max_examples=200, deadline=None)
@given(title=st.text(max_size=20), text=texts, now=nows, zone=zones)
def test_split_trailing_when_never_crashes(title: str, text: str, now: datetime, zone: ZoneInfo) -> None:
    _check(split_trailing_when, f"{title} {text}", now, zone)
    try:
        rest, found = split_trailing_when(f"{title} {text}", now=now, zone=zone)
    except ParseError:
        return
    if found is None:
        assert rest == f"{title} {text}"


@settings(max_examples=200, deadline=None)
@given(title=st.text(max_size=20), text=texts, options=st.sampled_from(["", " priority high", " #x <@U1>"]), now=nows)
def test_find_due_never_crashes(title: str, text: str, options: str, now: datetime) -> None:
    for keyword in ("due", "entro", "scadenza", "every", "ogni"):
        _check(find_due, f"{title} {keyword} {text}{options}", now, ZoneInfo("Europe/Rome"))


@settings(max_examples=200, deadline=None)
@given(text=phrases)
def test_readable_phrases_read_the_same_again(text: str) -> None:
    """A phrase that is understood once is understood the same way when parsed again (no hidden state)."""
    now = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    zone = ZoneInfo("Europe/Rome")
    try:
        first = parse_when(text, now=now, zone=zone)
    except ParseError:
        return
    assert parse_when(text, now=now, zone=zone) == first
