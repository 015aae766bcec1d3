"""Recurrences keep their wall-clock time across DST, fire once in the autumn overlap, and round-trip to .ics."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import vRecur

from bot.domain.recurrence import Recurrence
from bot.parsing.dates import parse_every
from bot.parsing.errors import ParseError

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=ROME)  # a Monday


def naive(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time (what Recurrence.local_start holds)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).replace(tzinfo=None)


def wall(instant: datetime) -> datetime:
    return instant.astimezone(ROME).replace(tzinfo=None)


def test_daily_eight_stays_eight_across_spring_change() -> None:
    daily = Recurrence("FREQ=DAILY", "Europe/Rome", naive(2026, 3, 27, 8, 0))
    found = daily.occurrences_after(datetime(2026, 3, 27, 0, 0, tzinfo=UTC), limit=4)
    assert [wall(instant).hour for instant in found] == [8, 8, 8, 8]
    assert [instant.hour for instant in found] == [7, 7, 6, 6]  # UTC shifts when the offset does
    assert [instant.astimezone(ROME).utcoffset() for instant in found] == [timedelta(hours=h) for h in (1, 1, 2, 2)]
    assert all(instant.tzinfo is UTC for instant in found)


def test_daily_eight_stays_eight_across_autumn_change() -> None:
    daily = Recurrence("FREQ=DAILY", "Europe/Rome", naive(2026, 10, 23, 8, 0))
    found = daily.occurrences_after(datetime(2026, 10, 23, 0, 0, tzinfo=UTC), limit=4)
    assert [wall(instant) for instant in found] == [naive(2026, 10, d, 8, 0) for d in (23, 24, 25, 26)]
    assert [instant.hour for instant in found] == [6, 6, 7, 7]


def test_spring_gap_moves_forward_by_the_gap() -> None:
    daily = Recurrence("FREQ=DAILY", "Europe/Rome", naive(2026, 3, 27, 2, 30))
    found = daily.occurrences_after(datetime(2026, 3, 27, 0, 0, tzinfo=UTC), limit=4)
    assert [wall(instant) for instant in found] == [
        naive(2026, 3, 27, 2, 30),
        naive(2026, 3, 28, 2, 30),
        naive(2026, 3, 29, 3, 30),  # 02:30 does not exist that day
        naive(2026, 3, 30, 2, 30),
    ]
    assert found[2] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_autumn_overlap_fires_once_at_the_first_instance() -> None:
    daily = Recurrence("FREQ=DAILY", "Europe/Rome", naive(2026, 10, 24, 2, 30))
    found = daily.occurrences_after(datetime(2026, 10, 24, 0, 0, tzinfo=UTC), limit=3)
    assert found == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST; the 02:30 CET an hour later is not an occurrence
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    # Asked from between the two 02:30s, the next one is the following day's.
    assert daily.next_after(datetime(2026, 10, 25, 0, 45, tzinfo=UTC)) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_hourly_rule_has_no_duplicates_in_the_gap() -> None:
    hourly = Recurrence("FREQ=HOURLY", "Europe/Rome", naive(2026, 3, 29, 0, 0))
    found = hourly.occurrences_after(datetime(2026, 3, 28, 22, 0, tzinfo=UTC), limit=5)
    assert len(set(found)) == len(found) == 5
    assert found == sorted(found)
    assert found == [datetime(2026, 3, 28, 23, 0, tzinfo=UTC) + timedelta(hours=h) for h in range(5)]


def test_occurrences_are_strictly_after() -> None:
    daily = Recurrence("FREQ=DAILY", "Europe/Rome", naive(2026, 11, 30, 8, 0))
    assert daily.next_after(datetime(2026, 11, 30, 7, 0, tzinfo=UTC)) == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert daily.next_after(datetime(2026, 11, 30, 6, 59, tzinfo=UTC)) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert daily.occurrences_after(NOW, limit=0) == []


def test_weekdays() -> None:
    weekdays = Recurrence("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Europe/Rome", naive(2026, 11, 30, 18, 0))
    found = weekdays.occurrences_after(NOW, limit=6)
    assert [wall(instant).day for instant in found] == [30, 1, 2, 3, 4, 7]
    assert {wall(instant).hour for instant in found} == {18}


def test_monthly_first() -> None:
    monthly = Recurrence("FREQ=MONTHLY;BYMONTHDAY=1", "Europe/Rome", naive(2026, 12, 1, 10, 0))
    found = monthly.occurrences_after(NOW, limit=3)
    assert [wall(instant) for instant in found] == [
        naive(2026, 12, 1, 10, 0),
        naive(2027, 1, 1, 10, 0),
        naive(2027, 2, 1, 10, 0),
    ]


def test_monthly_31st_skips_short_months() -> None:
    monthly = Recurrence("FREQ=MONTHLY;BYMONTHDAY=31", "Europe/Rome", naive(2026, 12, 31, 9, 0))
    found = monthly.occurrences_after(NOW, limit=4)
    assert [wall(instant).date().isoformat() for instant in found] == [
        "2026-12-31",
        "2027-01-31",
        "2027-03-31",  # no 31 February
        "2027-05-31",  # no 31 April
    ]


def test_finished_rule_returns_nothing() -> None:
    counted = Recurrence("FREQ=DAILY;COUNT=3", "Europe/Rome", naive(2026, 11, 1, 9, 0))
    assert counted.next_after(NOW) is None
    assert len(counted.occurrences_after(datetime(2026, 10, 1, tzinfo=UTC), limit=10)) == 3
    until = Recurrence("FREQ=DAILY;UNTIL=20261201T235959Z", "Europe/Rome", naive(2026, 11, 1, 9, 0))
    assert until.occurrences_after(NOW, limit=10) == [
        datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "RRULE:FREQ=DAILY",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=DAILY;FREQ=WEEKLY",
        "BYDAY=MO",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=DAILY;BYHOUR=24",
        "FREQ=DAILY;COUNT=2;UNTIL=20270101",
        "FREQ=DAILY;COUNT=0",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",  # can never fire
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU",  # every 7 days from a Monday never lands on a Tuesday
        "FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",  # every 12 months from November never reaches February
        "freq=daily",
        "FREQ=DAILY;X-NAME=1",
    ],
)
def test_invalid_rules_raise_value_error(rule: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages vary with the rule
        Recurrence(rule, "Europe/Rome", naive(2026, 11, 30, 9, 0))


def test_invalid_zone_or_aware_start_raise_value_error() -> None:
    with pytest.raises(ValueError, match="IANA"):
        Recurrence("FREQ=DAILY", "Mars/Olympus", naive(2026, 11, 30, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        Recurrence("FREQ=DAILY", "Europe/Rome", NOW)
    with pytest.raises(ValueError, match="aware"):
        Recurrence("FREQ=DAILY", "Europe/Rome", datetime(2026, 11, 30, 9, 0)).next_after(datetime(2026, 12, 1))  # noqa: DTZ001


def test_search_is_bounded_for_rules_that_rarely_fire() -> None:
    started = clock.perf_counter()
    leap = Recurrence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "Europe/Rome", naive(2028, 2, 29, 9, 0))
    assert wall(leap.occurrences_after(NOW, limit=2)[1]) == naive(2032, 2, 29, 9, 0)
    hourly = Recurrence("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29", "Europe/Rome", naive(2026, 1, 1, 0, 0))
    assert wall(hourly.next_after(NOW) or NOW) == naive(2028, 2, 29, 0, 0)
    assert clock.perf_counter() - started < 2.0


# --- parse_every -----------------------------------------------------------------------------------------------

EVERY = [
    ("every day at 8", "FREQ=DAILY", "2026-12-01 08:00"),
    ("every day at 7:30", "FREQ=DAILY", "2026-12-01 07:30"),
    ("every day", "FREQ=DAILY", "2026-11-30 09:00"),
    ("everyday at 18:00", "FREQ=DAILY", "2026-11-30 18:00"),
    ("every weekday at 18:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-11-30 18:00"),
    ("every monday 9:00", "FREQ=WEEKLY;BYDAY=MO", "2026-11-30 09:00"),
    ("every monday at 7", "FREQ=WEEKLY;BYDAY=MO", "2026-12-07 07:00"),
    ("every monday and thursday at 9", "FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-30 09:00"),
    ("every tuesday, thursday and friday at 5pm", "FREQ=WEEKLY;BYDAY=TU,TH,FR", "2026-12-01 17:00"),
    ("every week on friday at 17", "FREQ=WEEKLY;BYDAY=FR", "2026-12-04 17:00"),
    ("every 2 weeks on monday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "2026-11-30 09:00"),
    ("every other day at 10", "FREQ=DAILY;INTERVAL=2", "2026-11-30 10:00"),
    ("every 1st of the month at 10", "FREQ=MONTHLY;BYMONTHDAY=1", "2026-12-01 10:00"),
    ("every month on the 15th at 9", "FREQ=MONTHLY;BYMONTHDAY=15", "2026-12-15 09:00"),
    ("every last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1", "2026-11-30 09:00"),
    ("every weekend at noon", "FREQ=WEEKLY;BYDAY=SA,SU", "2026-12-05 12:00"),
    ("ogni giorno alle 8", "FREQ=DAILY", "2026-12-01 08:00"),
    ("ogni lunedì alle 9", "FREQ=WEEKLY;BYDAY=MO", "2026-11-30 09:00"),
    ("ogni lunedi e giovedì alle 9:30", "FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-30 09:30"),
    ("ogni giorno feriale alle 18", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-11-30 18:00"),
    ("ogni 1 del mese alle 10", "FREQ=MONTHLY;BYMONTHDAY=1", "2026-12-01 10:00"),
    ("ogni mese il 31", "FREQ=MONTHLY;BYMONTHDAY=31", "2026-12-31 09:00"),
    ("ogni settimana il venerdì alle 17", "FREQ=WEEKLY;BYDAY=FR", "2026-12-04 17:00"),
    ("ogni giorno alle 9 di sera", "FREQ=DAILY", "2026-11-30 21:00"),
]


@pytest.mark.parametrize(("text", "rule", "first"), EVERY)
def test_parse_every(text: str, rule: str, first: str) -> None:
    every = parse_every(text, now=NOW, zone=ROME)
    assert every.recurrence.rule == rule
    assert every.recurrence.zone == "Europe/Rome"
    assert wall(every.first) == datetime.strptime(first, "%Y-%m-%d %H:%M")  # noqa: DTZ007
    assert every.recurrence.local_start == wall(every.first)  # the first occurrence's wall time
    assert every.first.tzinfo is UTC
    assert every.first > NOW
    assert every.phrase == text


def test_parse_every_keeps_the_wall_time_of_a_gap_start() -> None:
    now = datetime(2026, 3, 28, 12, 0, tzinfo=ROME)
    every = parse_every("every day at 2:30", now=now, zone=ROME)
    assert every.recurrence.local_start == naive(2026, 3, 29, 2, 30)
    assert wall(every.first) == naive(2026, 3, 29, 3, 30)
    assert wall(every.recurrence.occurrences_after(every.first, limit=1)[0]) == naive(2026, 3, 30, 2, 30)


@pytest.mark.parametrize("text", ["every hour", "every 2 hours", "ogni ora", "ogni 30 minuti", "every 5 minutes"])
def test_sub_daily_recurrences_are_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_every(text, now=NOW, zone=ROME)
    assert caught.value.message.key == "dates.error.too_often"
    assert caught.value.message.params == {"text": text}


@pytest.mark.parametrize("text", ["tomorrow at 9", "every", "every blursday", "ogni frigo", "every day at 25:00", ""])
def test_unreadable_recurrences_are_refused(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_every(text, now=NOW, zone=ROME)
    assert caught.value.message.key == "dates.error.unreadable_every"
    assert caught.value.message.params == {"text": text}
    assert caught.value.example is not None
    assert caught.value.example.key == "dates.example.every"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=DAILY;COUNT=10",
    ],
)
def test_ical_rrule_round_trips_through_icalendar(rule: str) -> None:
    line = Recurrence(rule, "Europe/Rome", naive(2026, 11, 30, 9, 0)).ical_rrule()
    assert line == f"RRULE:{rule}"
    parsed = vRecur.from_ical(line.removeprefix("RRULE:"))
    assert vRecur.from_ical(parsed.to_ical().decode()) == parsed
    assert parsed["FREQ"] == [rule.split(";")[0].removeprefix("FREQ=")]


def test_ical_rrule_gives_until_in_utc() -> None:
    local_until = Recurrence("FREQ=DAILY;UNTIL=20261231T090000", "Europe/Rome", naive(2026, 11, 30, 9, 0))
    assert local_until.ical_rrule() == "RRULE:FREQ=DAILY;UNTIL=20261231T080000Z"
    parsed = vRecur.from_ical(local_until.ical_rrule().removeprefix("RRULE:"))
    assert parsed["UNTIL"] == [datetime(2026, 12, 31, 8, 0, tzinfo=UTC)]
