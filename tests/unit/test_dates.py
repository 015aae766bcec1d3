"""Plain-language dates: a table of phrases and the local time each one means, in English and Italian."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.language import LANGUAGES, Language
from bot.i18n import translator
from bot.parsing.dates import DEFAULT_TIME, Every, When, find_due, parse_every, parse_when, split_trailing_when
from bot.parsing.errors import ParseError

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 30 November 2026, 08:00 in Rome (07:00 UTC).
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=ROME)


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - a wall time, compared with a wall time


def wall(instant: datetime, zone: ZoneInfo = ROME) -> datetime:
    assert instant.tzinfo is UTC
    return instant.astimezone(zone).replace(tzinfo=None)


ENGLISH = [
    ("today", "2026-11-30 09:00"),
    ("tonight", "2026-11-30 20:00"),
    ("tonight at 9", "2026-11-30 21:00"),
    ("tomorrow", "2026-12-01 09:00"),
    ("Tomorrow at 9.", "2026-12-01 09:00"),
    ("TOMORROW AT 9", "2026-12-01 09:00"),
    ("day after tomorrow", "2026-12-02 09:00"),
    ("the day after tomorrow", "2026-12-02 09:00"),
    ("friday", "2026-12-04 09:00"),
    ("fri", "2026-12-04 09:00"),
    ("on friday", "2026-12-04 09:00"),
    ("next friday", "2026-12-11 09:00"),  # Friday of next calendar week
    ("monday", "2026-12-07 09:00"),  # today is Monday: a weekday alone means next week's
    ("monday at 10", "2026-11-30 10:00"),  # ...unless a time still to come today is given
    ("monday at 7", "2026-12-07 07:00"),
    ("next monday", "2026-12-07 09:00"),
    ("at 9", "2026-11-30 09:00"),
    ("at 9:30", "2026-11-30 09:30"),
    ("9:00", "2026-11-30 09:00"),
    ("17:00", "2026-11-30 17:00"),
    ("at 7", "2026-12-01 07:00"),  # already passed today: tomorrow
    ("9am", "2026-11-30 09:00"),
    ("5pm", "2026-11-30 17:00"),
    ("5:30 pm", "2026-11-30 17:30"),
    ("12am", "2026-12-01 00:00"),
    ("noon", "2026-11-30 12:00"),
    ("midnight", "2026-12-01 00:00"),
    ("friday at midnight", "2026-12-05 00:00"),  # the end of Friday
    ("tomorrow at 9", "2026-12-01 09:00"),
    ("friday 17:00", "2026-12-04 17:00"),
    ("at 10 tomorrow", "2026-12-01 10:00"),
    ("tomorrow evening", "2026-12-01 20:00"),
    ("in 10 minutes", "2026-11-30 08:10"),
    ("in 2 hours", "2026-11-30 10:00"),
    ("in two hours", "2026-11-30 10:00"),
    ("in 1 hour and 30 minutes", "2026-11-30 09:30"),
    ("in an hour", "2026-11-30 09:00"),
    ("in half an hour", "2026-11-30 08:30"),
    ("in 3 days", "2026-12-03 09:00"),
    ("in 3 days at 10", "2026-12-03 10:00"),
    ("in 2 weeks", "2026-12-14 09:00"),
    ("next week", "2026-12-07 09:00"),
    ("3 December", "2026-12-03 09:00"),
    ("December 3", "2026-12-03 09:00"),
    ("December 3rd", "2026-12-03 09:00"),
    ("on 3 December at 10:00", "2026-12-03 10:00"),
    ("the 3rd of December at 10am", "2026-12-03 10:00"),
    ("december 3rd 2026 10:30am", "2026-12-03 10:30"),
    ("29 November", "2027-11-29 09:00"),  # passed this year: next year
    ("3/12", "2026-12-03 09:00"),  # European day/month
    ("3/12 at 14:30", "2026-12-03 14:30"),
    ("1/1", "2027-01-01 09:00"),
    ("2026-12-03", "2026-12-03 09:00"),
    ("2026-12-03 10:00", "2026-12-03 10:00"),
    ("on the 15th", "2026-12-15 09:00"),
    ("by friday 5pm", "2026-12-04 17:00"),
    ("a week from now", "2026-12-07 09:00"),  # not in the grammar: read by dateparser
]
ITALIAN = [
    ("oggi", "2026-11-30 09:00"),
    ("oggi alle 18", "2026-11-30 18:00"),
    ("stasera", "2026-11-30 20:00"),
    ("stasera alle 9", "2026-11-30 21:00"),
    ("domani", "2026-12-01 09:00"),
    ("dopodomani", "2026-12-02 09:00"),
    ("lunedì", "2026-12-07 09:00"),
    ("lunedi", "2026-12-07 09:00"),
    ("Lunedì", "2026-12-07 09:00"),
    ("lunedì prossimo", "2026-12-07 09:00"),
    ("venerdì prossimo", "2026-12-04 09:00"),  # Italian "prossimo": the first one after today
    ("prossimo venerdì", "2026-12-04 09:00"),
    ("venerdì alle 18", "2026-12-04 18:00"),
    ("venerdi alle 18:30", "2026-12-04 18:30"),
    ("alle 9", "2026-11-30 09:00"),
    ("alle 9:30", "2026-11-30 09:30"),
    ("alle 9 e mezza", "2026-11-30 09:30"),
    ("alle 15", "2026-11-30 15:00"),
    ("alle ore 15", "2026-11-30 15:00"),
    ("alle 7", "2026-12-01 07:00"),
    ("alle 3 del pomeriggio", "2026-11-30 15:00"),
    ("domani alle 15", "2026-12-01 15:00"),
    ("domani sera", "2026-12-01 20:00"),
    ("domani mattina alle 10", "2026-12-01 10:00"),
    ("tra 10 minuti", "2026-11-30 08:10"),
    ("fra 2 ore", "2026-11-30 10:00"),
    ("tra due ore", "2026-11-30 10:00"),
    ("tra un'ora", "2026-11-30 09:00"),
    ("tra un\u2019ora", "2026-11-30 09:00"),  # a typographic apostrophe
    ("tra mezz'ora", "2026-11-30 08:30"),
    ("tra un quarto d'ora", "2026-11-30 08:15"),
    ("tra 3 giorni", "2026-12-03 09:00"),
    ("tra una settimana", "2026-12-07 09:00"),
    ("settimana prossima", "2026-12-07 09:00"),
    ("il 3 dicembre", "2026-12-03 09:00"),
    ("3 dicembre alle 10", "2026-12-03 10:00"),
    ("l'8 dicembre", "2026-12-08 09:00"),
    ("mercoledì 2 dicembre ore 10", "2026-12-02 10:00"),
    ("il 15", "2026-12-15 09:00"),
    ("mezzogiorno", "2026-11-30 12:00"),
    ("a mezzogiorno", "2026-11-30 12:00"),
    ("mezzanotte", "2026-12-01 00:00"),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH + ITALIAN)
def test_phrase_means_local_time(text: str, expected: str) -> None:
    when = parse_when(text, now=NOW, zone=ROME)
    assert wall(when.at) == local(expected)
    assert when.at.utcoffset() == timedelta(0)
    assert when.phrase == text.strip()


def test_the_table_is_big_enough() -> None:
    assert len(ENGLISH) >= 35
    assert len(ITALIAN) >= 30


def test_a_date_without_a_time_is_the_default_time() -> None:
    assert wall(parse_when("3 December", now=NOW, zone=ROME).at).time() == DEFAULT_TIME


@pytest.mark.parametrize(
    ("text", "expected_local", "expected_utc"),
    [
        # The same instant is 02:00 in New York: "at 9" is 09:00 there, 14:00 UTC.
        ("at 9", "2026-11-30 09:00", "2026-11-30 14:00"),
        ("tomorrow at 9", "2026-12-01 09:00", "2026-12-01 14:00"),
        ("tonight", "2026-11-30 20:00", "2026-12-01 01:00"),
        ("domani alle 15", "2026-12-01 15:00", "2026-12-01 20:00"),
    ],
)
def test_the_speakers_zone_is_used(text: str, expected_local: str, expected_utc: str) -> None:
    when = parse_when(text, now=NOW, zone=NEW_YORK)
    assert wall(when.at, NEW_YORK) == local(expected_local)
    assert when.at.replace(tzinfo=None) == local(expected_utc)


def test_spring_gap_moves_forward() -> None:
    now = datetime(2026, 3, 27, 12, 0, tzinfo=ROME)  # Friday before the change on Sunday 29 March
    when = parse_when("sunday at 2:30", now=now, zone=ROME)
    assert when.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert wall(when.at) == local("2026-03-29 03:30")
    after = parse_when("sunday at 9", now=now, zone=ROME)
    assert after.at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_autumn_repeated_time_is_the_first_instance() -> None:
    now = datetime(2026, 10, 23, 12, 0, tzinfo=ROME)  # Friday before the change on Sunday 25 October
    when = parse_when("domenica alle 2:30", now=now, zone=ROME)
    assert when.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 02:30 CET
    assert when.at.astimezone(ROME).utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "text", ["today at 7", "oggi alle 7", "2026-11-01", "3 dicembre 2025", "29/11/2026", "3 days ago"]
)
def test_past_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_when(text, now=NOW, zone=ROME)
    assert caught.value.message.key == "dates.error.past"
    assert caught.value.message.params == {"text": text}


@pytest.mark.parametrize(
    "text",
    [
        "blah",
        "",
        "   ",
        "next blursday",
        "at 25",
        "alle 25:00",
        "99:99",
        "31/2",
        "lunedì 3 dicembre",  # 3 December 2026 is a Thursday
        "friday at 9 o'clock please",
        "December",
        "next month",
        "the supplier",
        "x" * 500,
    ],
)
def test_unreadable_is_refused_quoting_the_phrase(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_when(text, now=NOW, zone=ROME)
    assert caught.value.message.key == "dates.error.unreadable"
    assert caught.value.message.params == {"text": text.strip()}
    assert caught.value.example is not None
    assert caught.value.example.key == "dates.example.when"


def test_unreadable_text_is_refused_quickly() -> None:
    texts = [f"blah {n} blursday {n % 7} zork" for n in range(100)]
    texts += [f"qq{n}/zz ore del mese {n}" for n in range(100)]
    started = clock.perf_counter()
    for text in texts:
        with pytest.raises(ParseError):
            parse_when(text, now=NOW, zone=ROME)
    assert clock.perf_counter() - started < 2.0


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow", now=datetime(2026, 11, 30, 8, 0), zone=ROME)  # noqa: DTZ001


# --- phrases at the end of a sentence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest", "expected"),
    [
        ("call the supplier tomorrow at 10", "call the supplier", "2026-12-01 10:00"),
        ("restock napkins in 2 hours", "restock napkins", "2026-11-30 10:00"),
        ("pulire la macchina del caffè venerdì alle 18", "pulire la macchina del caffè", "2026-12-04 18:00"),
        ("Call Monday at 10", "Call", "2026-11-30 10:00"),
        ("call monday", "call", "2026-12-07 09:00"),
        ("Call on Monday", "Call", "2026-12-07 09:00"),
        ("Prepare slides for friday", "Prepare slides", "2026-12-04 09:00"),
        ("Call Anna, tomorrow", "Call Anna", "2026-12-01 09:00"),
        ("Book a table for 2 at 9", "Book a table for 2", "2026-11-30 09:00"),
        ("Controllare ogni frigo alle 18", "Controllare ogni frigo", "2026-11-30 18:00"),
        ("Comprare due casse entro venerdì", "Comprare due casse", "2026-12-04 09:00"),
        ("tomorrow at 9", "", "2026-12-01 09:00"),
    ],
)
def test_split_trailing_when(text: str, rest: str, expected: str) -> None:
    found_rest, found = split_trailing_when(text, now=NOW, zone=ROME)
    assert found_rest == rest
    assert isinstance(found, When)
    assert wall(found.at) == local(expected)
    assert text.endswith(found.phrase)


def test_split_trailing_recurrence() -> None:
    rest, found = split_trailing_when("Clean the espresso machine every weekday at 18:00", now=NOW, zone=ROME)
    assert rest == "Clean the espresso machine"
    assert isinstance(found, Every)
    assert found.recurrence.rule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert found.phrase == "every weekday at 18:00"
    assert wall(found.first) == local("2026-11-30 18:00")


@pytest.mark.parametrize(
    "text",
    [
        "Order 3 boxes",
        "Call Monday Foods",
        "Call Monday",  # a lone capitalised weekday is kept in the title
        "Ring Friday",
        "Put in 2 boxes",
        "",
        "Comprare due casse",
    ],
)
def test_split_leaves_titles_without_a_date_alone(text: str) -> None:
    assert split_trailing_when(text, now=NOW, zone=ROME) == (text, None)


def test_split_refuses_a_past_time() -> None:
    with pytest.raises(ParseError) as caught:
        split_trailing_when("Call supplier today at 7", now=NOW, zone=ROME)
    assert caught.value.message.key == "dates.error.past"
    assert caught.value.message.params == {"text": "today at 7"}


# --- due phrases in task commands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rest", "expected"),
    [
        (
            "Order napkins due friday 17:00 priority high #supplies",
            "Order napkins priority high #supplies",
            "2026-12-04 17:00",
        ),
        ("Order napkins due tomorrow", "Order napkins", "2026-12-01 09:00"),
        ("Comprare due casse entro venerdì", "Comprare due casse", "2026-12-04 09:00"),
        ("Pay rent due 3/12 #bills", "Pay rent #bills", "2026-12-03 09:00"),
        ("Report scadenza 15 dicembre alle 12 priorità alta", "Report priorità alta", "2026-12-15 12:00"),
        ("Send report due a week from now #ops", "Send report #ops", "2026-12-07 09:00"),
        ("Order napkins due friday for Maria", "Order napkins for Maria", "2026-12-04 09:00"),
        ("Chiamare il fornitore entro domani alle 10 <@U123>", "Chiamare il fornitore <@U123>", "2026-12-01 10:00"),
    ],
)
def test_find_due(text: str, rest: str, expected: str) -> None:
    found_rest, found = find_due(text, now=NOW, zone=ROME)
    assert found_rest == rest
    assert isinstance(found, When)
    assert wall(found.at) == local(expected)


@pytest.mark.parametrize(
    ("text", "rest", "rule", "first"),
    [
        (
            "Pulire il bancone ogni giorno alle 8 #pulizie",
            "Pulire il bancone #pulizie",
            "FREQ=DAILY",
            "2026-12-01 08:00",
        ),
        (
            "Clean fridge every monday at 9 priority low",
            "Clean fridge priority low",
            "FREQ=WEEKLY;BYDAY=MO",
            "2026-11-30 09:00",
        ),
    ],
)
def test_find_due_recurring(text: str, rest: str, rule: str, first: str) -> None:
    found_rest, found = find_due(text, now=NOW, zone=ROME)
    assert found_rest == rest
    assert isinstance(found, Every)
    assert found.recurrence.rule == rule
    assert wall(found.first) == local(first)


@pytest.mark.parametrize("text", ["Order 3 boxes", "Comprare due casse", "Check every fridge", "Order napkins"])
def test_find_due_without_a_due_phrase(text: str) -> None:
    assert find_due(text, now=NOW, zone=ROME) == (text, None)


@pytest.mark.parametrize(
    ("text", "key", "phrase"),
    [
        ("Order napkins due friday at 25:00 priority high", "dates.error.unreadable", "friday at 25:00"),
        ("Order napkins due tomorow priority high", "dates.error.unreadable", "tomorow"),
        ("Order napkins entro blah #x", "dates.error.unreadable", "blah"),
        ("Order napkins due today at 7", "dates.error.past", "today at 7"),
        ("Clean every monday at 25:00", "dates.error.unreadable_every", "every monday at 25:00"),
    ],
)
def test_find_due_errors_quote_the_phrase(text: str, key: str, phrase: str) -> None:
    with pytest.raises(ParseError) as caught:
        find_due(text, now=NOW, zone=ROME)
    assert caught.value.message.key == key
    assert caught.value.message.params == {"text": phrase}


# --- the catalog's examples are valid input ----------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_examples_parse(language: Language) -> None:
    words = translator()
    when = parse_when(words.text(language, "dates.example.when"), now=NOW, zone=ROME)
    assert when.at > NOW
    every = parse_every(words.text(language, "dates.example.every"), now=NOW, zone=ROME)
    assert every.first > NOW


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_messages_quote_the_text(language: Language) -> None:
    for key in ("dates.error.unreadable", "dates.error.past", "dates.error.unreadable_every", "dates.error.too_often"):
        assert "“zork”" in translator().text(language, key, text="zork")
