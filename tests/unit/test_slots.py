"""The meeting slot finder: span arithmetic, working hours across zones and DST, and slots nobody can fault."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.people_time import WEEKDAYS, WorkingHours
from bot.domain.slots import Availability, Span, find_slots, intersect, merge, subtract, working_spans

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
KOLKATA = ZoneInfo("Asia/Kolkata")
NINE_TO_FIVE = WorkingHours(time(9, 0), time(17, 0), WEEKDAYS)
HALF_HOUR = timedelta(minutes=30)
WEEK_START = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday: the first week of December 2026
WEEK_END = datetime(2026, 12, 8, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def h(hour: int, minute: int = 0) -> datetime:
    """An instant on Tuesday 1 December 2026, for the span arithmetic."""
    return at(1, hour, minute)


def person(zone: ZoneInfo, busy: tuple[Span, ...] = (), hours: WorkingHours = NINE_TO_FIVE) -> Availability:
    return Availability(working_spans(hours, zone, WEEK_START, WEEK_END), busy)


def maria(*busy: Span) -> Availability:
    return person(ROME, busy)


def luca(*busy: Span) -> Availability:
    return person(NEW_YORK, busy)


# ---- merge / subtract / intersect ----------------------------------------------------------------------------


def test_merge_of_nothing_is_nothing() -> None:
    assert merge([]) == []


def test_merge_sorts_and_joins_overlapping_touching_and_contained_spans() -> None:
    spans = [(h(13), h(15)), (h(9), h(10)), (h(10), h(11)), (h(14), h(14, 30)), (h(16), h(17))]
    assert merge(spans) == [(h(9), h(11)), (h(13), h(15)), (h(16), h(17))]


def test_merge_drops_empty_spans_and_refuses_reversed_ones() -> None:
    assert merge([(h(9), h(9)), (h(10), h(11))]) == [(h(10), h(11))]
    with pytest.raises(ValueError, match="ends before it starts"):
        merge([(h(11), h(10))])


def test_merge_accepts_an_iterator() -> None:
    assert merge(iter([(h(10), h(11)), (h(9), h(10))])) == [(h(9), h(11))]


@pytest.mark.parametrize(
    ("spans", "busy", "expected"),
    [
        ([], [(h(9), h(10))], []),
        ([(h(9), h(17))], [], [(h(9), h(17))]),
        ([(h(9), h(17))], [(h(8), h(18))], []),  # busy contains the span
        ([(h(9), h(17))], [(h(9), h(17))], []),  # exactly the span
        ([(h(9), h(17))], [(h(12), h(13))], [(h(9), h(12)), (h(13), h(17))]),  # a hole in the middle
        ([(h(9), h(17))], [(h(8), h(9)), (h(17), h(18))], [(h(9), h(17))]),  # touching busy takes nothing
        ([(h(9), h(17))], [(h(8), h(10)), (h(16), h(18))], [(h(10), h(16))]),  # overlapping both ends
        ([(h(9), h(12)), (h(13), h(17))], [(h(11), h(14))], [(h(9), h(11)), (h(14), h(17))]),  # busy over a gap
        (  # unsorted, overlapping inputs on both sides
            [(h(13), h(17)), (h(9), h(12)), (h(10), h(11))],
            [(h(15), h(16)), (h(9, 30), h(10)), (h(15, 30), h(16, 30))],
            [(h(9), h(9, 30)), (h(10), h(12)), (h(13), h(15)), (h(16, 30), h(17))],
        ),
        ([(h(9), h(10))], [(h(9, 15), h(9, 30)), (h(9, 30), h(9, 45))], [(h(9), h(9, 15)), (h(9, 45), h(10))]),
    ],
)
def test_subtract(spans: list[Span], busy: list[Span], expected: list[Span]) -> None:
    assert subtract(spans, busy) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], [(h(9), h(17))], []),
        ([(h(9), h(17))], [], []),
        ([(h(9), h(12))], [(h(12), h(15))], []),  # touching shares no instant
        ([(h(9), h(17))], [(h(10), h(11))], [(h(10), h(11))]),  # containment
        ([(h(9), h(12))], [(h(11), h(15))], [(h(11), h(12))]),
        (
            [(h(9), h(11)), (h(12), h(14)), (h(15), h(17))],
            [(h(10), h(12, 30)), (h(13, 30), h(16))],
            [(h(10), h(11)), (h(12), h(12, 30)), (h(13, 30), h(14)), (h(15), h(16))],
        ),
        ([(h(12), h(14)), (h(9), h(11))], [(h(10), h(13)), (h(10, 30), h(12, 30))], [(h(10), h(11)), (h(12), h(13))]),
    ],
)
def test_intersect(a: list[Span], b: list[Span], expected: list[Span]) -> None:
    assert intersect(a, b) == expected
    assert intersect(b, a) == expected


# ---- working_spans -------------------------------------------------------------------------------------------


def test_working_spans_keep_the_wall_clock_across_the_spring_change_in_rome() -> None:
    # Europe moves its clocks on Sunday 29 March 2026: 09:00 in Rome is 08:00 UTC before, 07:00 UTC after.
    spans = working_spans(NINE_TO_FIVE, ROME, at(27, 0, month=3), at(31, 0, month=3))
    assert spans == [(at(27, 8, month=3), at(27, 16, month=3)), (at(30, 7, month=3), at(30, 15, month=3))]


def test_working_spans_keep_the_wall_clock_across_the_autumn_change_in_new_york() -> None:
    # The US moves back on Sunday 1 November 2026: 09:00 in New York is 13:00 UTC before, 14:00 UTC after.
    spans = working_spans(NINE_TO_FIVE, NEW_YORK, at(30, 0, month=10), at(3, 0, month=11))
    assert spans == [(at(30, 13, month=10), at(30, 21, month=10)), (at(2, 14, month=11), at(2, 22, month=11))]


def test_a_local_day_east_of_utc_starts_on_the_previous_utc_day() -> None:
    # Tokyo 08:00-18:00 is 23:00-09:00 UTC: Monday's hours start on Sunday in UTC, and Tuesday's begin on Monday.
    early = WorkingHours(time(8, 0), time(18, 0), WEEKDAYS)
    spans = working_spans(early, TOKYO, at(7, 0), at(8, 0))
    assert spans == [(at(7, 0), at(7, 9)), (at(7, 23), at(8, 0))]


def test_a_local_day_west_of_utc_reaches_into_the_next_utc_day() -> None:
    # Sunday 16:00-22:00 in New York is 21:00 Sunday to 03:00 Monday UTC: a window from Monday 00:00 UTC gets the
    # tail of the person's Sunday, which is their local day before the window's first UTC day.
    evenings = WorkingHours(time(16, 0), time(22, 0), (6,))
    assert working_spans(evenings, NEW_YORK, at(7, 0), at(8, 0)) == [(at(7, 0), at(7, 3))]


def test_working_spans_in_an_empty_window_and_with_naive_datetimes() -> None:
    assert working_spans(NINE_TO_FIVE, ROME, at(2, 12), at(2, 12)) == []
    assert working_spans(NINE_TO_FIVE, ROME, at(3, 12), at(2, 12)) == []
    with pytest.raises(ValueError, match="naive"):
        working_spans(NINE_TO_FIVE, ROME, datetime(2026, 12, 1), at(2, 0))  # noqa: DTZ001 - the point of the test


def test_maria_in_rome_and_luca_in_new_york_share_two_hours_a_day() -> None:
    # 15:00-17:00 in Rome is 09:00-11:00 in New York: 14:00-16:00 UTC, on the five weekdays of the window.
    shared = intersect(maria().working, luca().working)
    assert shared == [(at(day, 14), at(day, 16)) for day in (1, 2, 3, 4, 7)]


# ---- find_slots ----------------------------------------------------------------------------------------------


def test_three_half_hours_inside_both_working_days() -> None:
    slots = find_slots([maria(), luca()], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END)

    assert len(slots) == 3
    for start, end in slots:
        assert end - start == HALF_HOUR
        for zone in (ROME, NEW_YORK):
            local_start, local_end = start.astimezone(zone), end.astimezone(zone)
            assert local_start.date() == local_end.date()
            assert local_start.weekday() in WEEKDAYS
            assert time(9, 0) <= local_start.time()
            assert local_end.time() <= time(17, 0)
    # The rule: earliest first, back to back when the time allows.
    assert slots == [(at(1, 14), at(1, 14, 30)), (at(1, 14, 30), at(1, 15)), (at(1, 15), at(1, 15, 30))]


def test_busy_time_is_avoided() -> None:
    slots = find_slots(
        [maria((at(1, 14), at(1, 15))), luca((at(1, 15, 30), at(1, 15, 45)))],
        duration=HALF_HOUR,
        since=WEEK_START,
        until=WEEK_END,
    )
    assert slots == [(at(1, 15), at(1, 15, 30)), (at(2, 14), at(2, 14, 30)), (at(2, 14, 30), at(2, 15))]


def test_a_day_fully_busy_is_skipped() -> None:
    day_off = (datetime(2026, 12, 1, tzinfo=NEW_YORK), datetime(2026, 12, 2, tzinfo=NEW_YORK))  # Luca's Tuesday
    slots = find_slots([maria(), luca(day_off)], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END, count=1)
    assert slots == [(at(2, 14), at(2, 14, 30))]


def test_no_common_time_gives_nothing() -> None:
    assert find_slots([person(TOKYO), luca()], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END) == []


def test_a_gap_shorter_than_the_meeting_is_not_a_slot() -> None:
    busy = ((at(1, 14), at(1, 14, 20)), (at(1, 14, 45), at(1, 16)))  # 14:20-14:45 free: 25 minutes
    slots = find_slots([maria(*busy), luca()], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END, count=1)
    assert slots == [(at(2, 14), at(2, 14, 30))]


def test_since_is_rounded_up_to_the_quarter_hour_and_slots_end_by_until() -> None:
    slots = find_slots([maria(), luca()], duration=HALF_HOUR, since=at(1, 14, 7), until=at(1, 15, 30))
    assert slots == [(at(1, 14, 15), at(1, 14, 45)), (at(1, 14, 45), at(1, 15, 15))]


def test_a_meeting_off_the_grid_makes_the_next_slot_start_on_the_grid() -> None:
    slots = find_slots([maria(), luca()], duration=timedelta(minutes=20), since=WEEK_START, until=WEEK_END)
    assert slots == [(at(1, 14), at(1, 14, 20)), (at(1, 14, 30), at(1, 14, 50)), (at(1, 15), at(1, 15, 20))]


def test_the_grid_is_utc_even_for_a_half_hour_zone() -> None:
    # 09:00 in Kolkata (+05:30) is 03:30 UTC: a quarter-hour start; with an hourly grid the first is 04:00 UTC.
    priya = person(KOLKATA)
    assert find_slots([priya], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END, count=1) == [
        (at(1, 3, 30), at(1, 4))
    ]
    hourly = find_slots([priya], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END, count=1, step=timedelta(hours=1))
    assert hourly == [(at(1, 4), at(1, 4, 30))]


def test_working_spans_that_touch_are_one_stretch() -> None:
    shifts = Availability([(at(1, 8), at(1, 12)), (at(1, 12), at(1, 16))], [(at(1, 8), at(1, 11, 45))])
    slots = find_slots([shifts], duration=HALF_HOUR, since=WEEK_START, until=WEEK_END, count=1)
    assert slots == [(at(1, 11, 45), at(1, 12, 15))]


def test_instants_in_other_zones_are_the_same_instants() -> None:
    in_rome = Availability(
        [(at(1, 14).astimezone(ROME), at(1, 16).astimezone(ROME))], [(at(1, 14).astimezone(NEW_YORK), at(1, 15))]
    )
    slots = find_slots([in_rome], duration=HALF_HOUR, since=WEEK_START.astimezone(TOKYO), until=WEEK_END, count=5)
    assert slots == [(at(1, 15), at(1, 15, 30)), (at(1, 15, 30), at(1, 16))]
    assert all(start.tzinfo is UTC and end.tzinfo is UTC for start, end in slots)


def test_bad_requests_are_refused() -> None:
    someone = [maria()]
    since, until = WEEK_START, WEEK_END
    with pytest.raises(ValueError, match="at least one person"):
        find_slots([], duration=HALF_HOUR, since=since, until=until)
    for duration in (timedelta(0), -HALF_HOUR):
        with pytest.raises(ValueError, match="duration"):
            find_slots(someone, duration=duration, since=since, until=until)
    for step in (timedelta(0), timedelta(minutes=7)):
        with pytest.raises(ValueError, match="step"):
            find_slots(someone, duration=HALF_HOUR, since=since, until=until, step=step)
    with pytest.raises(ValueError, match="count"):
        find_slots(someone, duration=HALF_HOUR, since=since, until=until, count=0)
    naive = datetime(2026, 12, 1, 14)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="naive"):
        find_slots(someone, duration=HALF_HOUR, since=naive, until=until)
    with pytest.raises(ValueError, match="naive"):
        find_slots(someone, duration=HALF_HOUR, since=since, until=naive)
    for naive_one in (
        Availability([(naive, at(1, 16))], []),
        Availability([(at(1, 14), at(1, 16))], [(naive, at(1, 15))]),
    ):
        with pytest.raises(ValueError, match="naive"):
            find_slots([naive_one], duration=HALF_HOUR, since=since, until=until)


# ---- property: nothing earlier was missed ------------------------------------------------------------------------

BASE = datetime(2026, 3, 27, tzinfo=UTC)  # a midnight, so minute m from BASE is on the grid when m % 15 == 0
WINDOW = 3 * 24 * 60  # minutes
Minutes = tuple[int, int]  # a span as minutes from BASE
Person = tuple[list[Minutes], list[Minutes]]  # working, busy


def spans(shortest: int, longest: int) -> st.SearchStrategy[Minutes]:
    """Whole-minute spans (offsets from BASE), some reaching outside the window."""
    return st.builds(
        lambda start, length: (start, start + length),
        st.integers(-120, WINDOW + 120),
        st.integers(shortest, longest),
    )


def with_core(core: list[Minutes], people: list[tuple[bool, list[Minutes], list[Minutes]]]) -> list[Person]:
    """Most people work the team's core hours plus hours of their own; some only their own (never nothing)."""
    return [((core if shares or not own else []) + own, busy) for shares, own, busy in people]


# Partly shared working hours and shortish busy spans, so that most examples have common time left and the
# comparison with the brute force is about which slots are found, not only about agreeing there are none.
people_strategy = st.builds(
    with_core,
    st.lists(spans(60, 36 * 60), min_size=1, max_size=3),
    st.lists(
        st.tuples(
            st.sampled_from([True, True, True, False]),
            st.lists(spans(60, 48 * 60), max_size=3),
            st.lists(spans(1, 3 * 60), max_size=6),
        ),
        min_size=1,
        max_size=6,
    ),
)


def instant(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


def free_minutes(working: list[Minutes], busy: list[Minutes]) -> set[int]:
    """The minutes (from BASE) a person can meet in, one by one: the brute force's view of working minus busy."""
    covered = {m for start, end in working for m in range(start, end)}
    return covered - {m for start, end in busy for m in range(start, end)}


@settings(max_examples=300, deadline=None)
@given(
    people=people_strategy,
    minutes=st.integers(15, 120),
    since_seconds=st.integers(0, 2 * 3600),
    until_seconds_early=st.integers(0, 2 * 3600),
    count=st.integers(1, 4),
)
def test_slots_are_feasible_and_nothing_earlier_was_missed(
    people: list[Person],
    minutes: int,
    since_seconds: int,
    until_seconds_early: int,
    count: int,
) -> None:
    since = BASE + timedelta(seconds=since_seconds)
    until = instant(WINDOW) - timedelta(seconds=until_seconds_early)
    duration = timedelta(minutes=minutes)
    available = [
        Availability([(instant(s), instant(e)) for s, e in working], [(instant(s), instant(e)) for s, e in busy])
        for working, busy in people
    ]

    slots = find_slots(available, duration=duration, since=since, until=until, count=count)

    free = [free_minutes(working, busy) for working, busy in people]
    everyone = set.intersection(*free)
    for start, end in slots:
        assert end - start == duration
        assert since <= start
        assert end <= until
        assert start.second == 0
        assert start.microsecond == 0
        assert start.minute % 15 == 0
        first = int((start - BASE) / timedelta(minutes=1))
        for own in free:
            assert all(m in own for m in range(first, first + minutes))
    assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(slots))
    assert len(slots) <= count

    # The brute force: every grid minute in turn, the earliest that fits, then the earliest from its end on.
    expected: list[Span] = []
    cursor = since
    for m in range(0, WINDOW, 15):
        start, end = instant(m), instant(m + minutes)
        if len(expected) == count or end > until:
            break
        if start >= cursor and all(k in everyone for k in range(m, m + minutes)):
            expected.append((start, end))
            cursor = end
    if expected:
        assert slots
        assert slots[0] == expected[0]
    assert slots == expected
