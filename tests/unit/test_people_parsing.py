"""`/ops hours`, `/ops away`, `/ops holiday` text in English and Italian: hours, ranges of dates, and never a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ids import UserId
from bot.domain.people_time import WorkingHours
from bot.parsing.errors import ParseError
from bot.parsing.people import (
    AddAway,
    AddHoliday,
    CancelAway,
    ListAway,
    ListHolidays,
    RemoveHoliday,
    SetDefaultHours,
    SetHours,
    ShowDefaultHours,
    ShowHours,
    parse_away_command,
    parse_holiday_command,
    parse_hours,
    parse_hours_command,
    parse_range,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday: 09:00 in Rome, 03:00 in New York
ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
WEEK = (0, 1, 2, 3, 4)
LUCA = UserId("U0LUCA001")


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("10:00-18:00 mon-fri", time(10), time(18), WEEK),
        ("10:00 - 18:00 Mon-Fri", time(10), time(18), WEEK),
        ("9am-5pm mon to fri", time(9), time(17), WEEK),
        ("8:30-16:30 weekdays", time(8, 30), time(16, 30), WEEK),
        ("9-13 mon, wed, fri", time(9), time(13), (0, 2, 4)),
        ("10 to 18 sat and sun", time(10), time(18), (5, 6)),
        ("from 7 to 15 every day", time(7), time(15), (0, 1, 2, 3, 4, 5, 6)),
        ("12-20 weekends", time(12), time(20), (5, 6)),
        ("fri-mon 18-23", time(18), time(23), (0, 4, 5, 6)),
        ("10-18", time(10), time(18), WEEK),
        ("lun-ven 9-17", time(9), time(17), WEEK),
        ("dalle 9 alle 17 lun-ven", time(9), time(17), WEEK),
        ("lunedì-venerdì 10:00-18:00", time(10), time(18), WEEK),
        ("lunedi al venerdi 10.00-18.00", time(10), time(18), WEEK),
        ("10-14 lun, mer e ven", time(10), time(14), (0, 2, 4)),
        ("9-13 sab e dom", time(9), time(13), (5, 6)),
        ("tutti i giorni 7-15", time(7), time(15), (0, 1, 2, 3, 4, 5, 6)),
        ("8-16 giorni feriali", time(8), time(16), WEEK),
        ("venerdì 18-24", time(18), time(23, 59), (4,)),
    ],
)
def test_hours_phrases(text: str, start: time, end: time, days: tuple[int, ...]) -> None:
    assert parse_hours(text) == WorkingHours(start, end, days)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("sometimes", "people.error.hours_unreadable"),
        ("25:00-26:00 mon-fri", "people.error.hours_unreadable"),
        ("9-17 someday", "people.error.hours_unreadable"),
        ("18-10 mon-fri", "people.error.hours_order"),
        ("9-9", "people.error.hours_order"),
    ],
)
def test_unreadable_hours_are_refused_with_an_example(text: str, key: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_hours(text)
    assert refused.value.message.key == key
    assert refused.value.example is not None
    assert refused.value.example.key == "people.example.hours"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ShowHours(None)),
        ("<@U0LUCA001|luca>", ShowHours(LUCA)),
        ("<@U0LUCA001> 9-17 mon-fri", SetHours(LUCA, WorkingHours(time(9), time(17), WEEK))),
        ("10-18", SetHours(None, WorkingHours(time(10), time(18), WEEK))),
        ("default", ShowDefaultHours()),
        ("predefinito 9:00-17:00 lun-ven", SetDefaultHours(WorkingHours(time(9), time(17), WEEK))),
    ],
)
def test_hours_commands(text: str, expected: object) -> None:
    assert parse_hours_command(text) == expected


@pytest.mark.parametrize(
    ("text", "zone", "first", "last", "rest"),
    [
        ("friday", ROME, date(2026, 12, 4), date(2026, 12, 4), ""),
        ("venerdì", ROME, date(2026, 12, 4), date(2026, 12, 4), ""),
        ("friday to monday", ROME, date(2026, 12, 4), date(2026, 12, 7), ""),
        ("venerdì al lunedì", ROME, date(2026, 12, 4), date(2026, 12, 7), ""),
        ("venerdì fino a lunedì", ROME, date(2026, 12, 4), date(2026, 12, 7), ""),
        ("from wednesday until tuesday", NEW_YORK, date(2026, 12, 2), date(2026, 12, 8), ""),
        ("2026-12-24 to 2026-12-26 holiday", NEW_YORK, date(2026, 12, 24), date(2026, 12, 26), "holiday"),
        ("2026-12-24 - 2026-12-26", ROME, date(2026, 12, 24), date(2026, 12, 26), ""),
        ("dal 24 dicembre al 26 dicembre ferie", ROME, date(2026, 12, 24), date(2026, 12, 26), "ferie"),
        ("24/12 al 6/1 vacanze di Natale", ROME, date(2026, 12, 24), date(2027, 1, 6), "vacanze di Natale"),
        ("tomorrow dentist", ROME, date(2026, 12, 1), date(2026, 12, 1), "dentist"),
        ("domani", ROME, date(2026, 12, 1), date(2026, 12, 1), ""),
        ("today", ROME, date(2026, 11, 30), date(2026, 11, 30), ""),
        ("oggi to friday", ROME, date(2026, 11, 30), date(2026, 12, 4), ""),
        ("next friday", ROME, date(2026, 12, 11), date(2026, 12, 11), ""),
        ("venerdì prossimo", ROME, date(2026, 12, 4), date(2026, 12, 4), ""),
        ("december 24 to december 26", ROME, date(2026, 12, 24), date(2026, 12, 26), ""),
    ],
)
def test_date_ranges(text: str, zone: ZoneInfo, first: date, last: date, rest: str) -> None:
    assert parse_range(text, now=NOW, zone=zone, example="people.example.away") == (first, last, rest)


def test_a_late_evening_in_new_york_is_still_the_day_before_in_rome() -> None:
    late = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Monday 21:00 in New York, Tuesday 03:00 in Rome
    assert parse_range("today", now=late, zone=NEW_YORK, example="people.example.away")[0] == date(2026, 11, 30)
    assert parse_range("today", now=late, zone=ROME, example="people.example.away")[0] == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ListAway()),
        ("list", ListAway()),
        ("cancel 3", CancelAway(3)),
        ("annulla #4", CancelAway(4)),
        (
            "<@U0LUCA001|luca> 2026-12-24 to 2026-12-26 holiday",
            AddAway(LUCA, date(2026, 12, 24), date(2026, 12, 26), "holiday"),
        ),
        ("friday", AddAway(None, date(2026, 12, 4), date(2026, 12, 4), "")),
    ],
)
def test_away_commands(text: str, expected: object) -> None:
    assert parse_away_command(text, now=NOW, zone=ROME) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ListHolidays()),
        ("elenco", ListHolidays()),
        ("add 2026-12-25 Natale", AddHoliday(date(2026, 12, 25), "Natale")),
        ("aggiungi 26 dicembre Santo Stefano", AddHoliday(date(2026, 12, 26), "Santo Stefano")),
        ("add 2026-12-25", AddHoliday(date(2026, 12, 25), "")),
        ("remove 2026-12-25", RemoveHoliday(date(2026, 12, 25))),
        ("rimuovi 25 dicembre", RemoveHoliday(date(2026, 12, 25))),
    ],
)
def test_holiday_commands(text: str, expected: object) -> None:
    assert parse_holiday_command(text, now=NOW, zone=ROME) == expected


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (lambda t: parse_away_command(t, now=NOW, zone=ROME), "whenever"),
        (lambda t: parse_away_command(t, now=NOW, zone=ROME), "cancel soon"),
        (lambda t: parse_away_command(t, now=NOW, zone=ROME), "2026-13-40"),
        (lambda t: parse_away_command(t, now=NOW, zone=ROME), "friday to whenever"),
        (lambda t: parse_holiday_command(t, now=NOW, zone=ROME), "add mai Natale"),
        (lambda t: parse_holiday_command(t, now=NOW, zone=ROME), "rename 2026-12-25 Xmas"),
    ],
)
def test_bad_dates_are_refused_with_an_example(parse: Callable[[str], Any], text: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(text)
    assert refused.value.example is not None


# ---- never a crash ---------------------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "to", "al", "a", "-", "fino", "dal", "from", "mon", "lun", "venerdì", "friday", "monday", "2026-12-24",
        "24", "dicembre", "9", "17:00", "9-17", "10:00-18:00", "mon-fri", "lun-ven", "default", "cancel", "add",
        "remove", "<@U0LUCA001|luca>", "oggi", "today", "weekdays", "e", ",", "25:99", "0-0", "next", "prossimo",
    ]
)  # fmt: skip
_TEXT = st.one_of(st.text(max_size=40), st.lists(_WORDS, max_size=7).map(" ".join))


def _answers_or_refuses(parse: Callable[[str], Any], text: str) -> None:
    refusal: ParseError | None = None
    try:
        parse(text)
    except ParseError as error:
        refusal = error
    if refusal is not None:
        assert refusal.message.key
        assert refusal.example is not None, f"{text!r} refused without an example"


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_hours_text_gives_a_request_or_a_parse_error(text: str) -> None:
    _answers_or_refuses(parse_hours_command, text)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_away_text_gives_a_request_or_a_parse_error(text: str) -> None:
    _answers_or_refuses(lambda t: parse_away_command(t, now=NOW, zone=ROME), text)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_holiday_text_gives_a_request_or_a_parse_error(text: str) -> None:
    _answers_or_refuses(lambda t: parse_holiday_command(t, now=NOW, zone=ROME), text)
