"""The insights computation: period boundaries on the shop's clock, averages and trends, medians, targets missed,
stop words and recurring words and tags. All pure: no database, no Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.feedback import (
    STOP_WORDS,
    CaseFacts,
    Count,
    Feedback,
    Focus,
    FocusKind,
    PeriodKind,
    Source,
    Suggestion,
    SuggestionStatus,
    Targets,
    Window,
    average,
    compare,
    compute_insights,
    median,
    recurring_tags,
    recurring_words,
    windows,
    words_of,
)
from bot.domain.ids import TeamId, UserId

ROME = ZoneInfo("Europe/Rome")
TEAM = TeamId("T1")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ---- periods ---------------------------------------------------------------------------------------------------


def test_this_month_so_far_against_the_same_days_of_last_month() -> None:
    now = utc(2026, 11, 30, 8, 0)  # 09:00 in Rome
    current, previous = windows(PeriodKind.MONTH, now, ROME)
    assert current == Window(
        date(2026, 11, 1), date(2026, 11, 30), utc(2026, 10, 31, 23, 0), utc(2026, 11, 30, 23, 0), True
    )
    # October 1st is still summer time in Rome (UTC+2); October 30th is winter time (UTC+1).
    assert previous == Window(
        date(2026, 10, 1), date(2026, 10, 30), utc(2026, 9, 30, 22, 0), utc(2026, 10, 30, 8, 0), True
    )
    assert len(current.days()) == 30


def test_the_31st_compares_with_the_whole_of_a_shorter_month() -> None:
    now = utc(2026, 12, 31, 10, 0)
    current, previous = windows(PeriodKind.MONTH, now, ROME)
    assert (current.first, current.last, current.ends) == (date(2026, 12, 1), date(2026, 12, 31), utc(2026, 12, 31, 23))
    assert previous == Window(date(2026, 11, 1), date(2026, 11, 30), utc(2026, 10, 31, 23, 0), current.starts, True)
    _, february = windows(PeriodKind.MONTH, utc(2027, 3, 30, 12, 0), ROME)
    assert (february.first, february.last) == (date(2027, 2, 1), date(2027, 2, 28))
    assert february.ends == utc(2027, 2, 28, 23, 0)  # midnight of March 1st in Rome


def test_the_local_day_decides_the_period() -> None:
    # 23:30 UTC on October 31st is already November 1st in Rome: a new month with nothing in it yet.
    now = utc(2026, 10, 31, 23, 30)
    current, previous = windows(PeriodKind.MONTH, now, ROME)
    assert (current.first, current.last) == (date(2026, 11, 1), date(2026, 11, 1))
    assert (current.starts, current.ends) == (utc(2026, 10, 31, 23, 0), utc(2026, 11, 1, 23, 0))
    assert (previous.first, previous.last) == (date(2026, 10, 1), date(2026, 10, 1))
    assert previous.ends == utc(2026, 9, 30, 22, 30)  # 00:30 on October 1st in Rome


def test_this_week_so_far_starts_on_monday() -> None:
    now = utc(2026, 12, 2, 15, 0)  # Wednesday, 16:00 in Rome
    current, previous = windows(PeriodKind.WEEK, now, ROME)
    assert (current.first, current.last, current.starts, current.ends) == (
        date(2026, 11, 30),
        date(2026, 12, 2),
        utc(2026, 11, 29, 23),
        utc(2026, 12, 2, 23),  # the end of today: what is recorded now counts
    )
    assert (previous.first, previous.last) == (date(2026, 11, 23), date(2026, 11, 25))
    assert (previous.starts, previous.ends) == (utc(2026, 11, 22, 23), utc(2026, 11, 25, 15, 0))
    assert [day.isoformat() for day in current.days()] == ["2026-11-30", "2026-12-01", "2026-12-02"]


def test_last_month_and_last_week_are_whole_periods() -> None:
    now = utc(2027, 1, 10, 9, 0)
    current, previous = windows(PeriodKind.LAST_MONTH, now, ROME)
    assert current == Window(date(2026, 12, 1), date(2026, 12, 31), utc(2026, 11, 30, 23), utc(2026, 12, 31, 23), False)
    assert previous == Window(
        date(2026, 11, 1), date(2026, 11, 30), utc(2026, 10, 31, 23), utc(2026, 11, 30, 23), False
    )
    week, before = windows(PeriodKind.LAST_WEEK, now, ROME)  # a Sunday
    assert (week.first, week.last, before.first, before.last) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
        date(2026, 12, 21),
        date(2026, 12, 27),
    )
    assert week.ends == utc(2027, 1, 3, 23)
    assert not week.holds(week.ends)
    assert week.holds(week.starts)


def test_a_week_across_the_spring_change_is_seven_local_days() -> None:
    # Clocks in Rome go forward on Sunday, March 28th 2027: that week is seven local days but 167 hours.
    spring, before = windows(PeriodKind.LAST_WEEK, utc(2027, 4, 1, 12), ROME)
    assert (spring.first, spring.last) == (date(2027, 3, 22), date(2027, 3, 28))
    assert (spring.starts, spring.ends) == (utc(2027, 3, 21, 23), utc(2027, 3, 28, 22))
    assert spring.ends - spring.starts == timedelta(days=7) - timedelta(hours=1)
    assert before.ends - before.starts == timedelta(days=7)
    summer, _ = windows(PeriodKind.LAST_WEEK, utc(2027, 4, 6, 12), ROME)
    assert (summer.starts, summer.ends) == (utc(2027, 3, 28, 22), utc(2027, 4, 4, 22))


# ---- averages, medians, comparisons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([], None),
        ([4], Decimal("4.0")),
        ([4, 4, 3, 4], Decimal("3.8")),
        ([1, 2], Decimal("1.5")),
        ([5, 4, 4], Decimal("4.3")),
    ],
)
def test_average_to_one_decimal_halves_up(ratings: list[int], expected: Decimal | None) -> None:
    assert average(ratings) == expected


def test_median() -> None:
    minutes = [timedelta(minutes=m) for m in (30, 10, 90)]
    assert median(minutes) == timedelta(minutes=30)
    assert median([*minutes, timedelta(hours=5)]) == timedelta(minutes=60)  # (30 + 90) / 2
    assert median([timedelta(seconds=89), timedelta(seconds=30)]) == timedelta(minutes=1)  # to the minute
    assert median([]) is None
    assert median([timedelta(days=2)]) == timedelta(days=2)


def test_compare_keeps_names_seen_in_either_period() -> None:
    counted = compare(["food", "service", "food", "food"], ["service", "service", "cleaning"])
    assert counted == (Count("food", 3, 0), Count("service", 1, 2), Count("cleaning", 0, 1))
    assert [count.delta for count in counted] == [3, -1, -1]


# ---- words and tags --------------------------------------------------------------------------------------------


def test_stop_words_are_left_out_in_both_languages() -> None:
    assert words_of("The service was very slow and the pasta was cold!") == {"service", "slow", "pasta", "cold"}
    assert words_of("Il servizio è stato lento e la pasta era fredda") == {"servizio", "lento", "pasta", "fredda"}
    assert words_of("Manca l'acqua, dell'olio non c'è più") == {"manca", "acqua", "olio"}
    assert words_of("We didn't get the bill") == {"bill"}
    assert {"the", "and", "della", "perché", "è", "molto"} <= STOP_WORDS


def test_links_mentions_emoji_and_numbers_are_not_words() -> None:
    text = "<@U0MARIA01> said :rage: 2 times https://example.com/review?id=3 anna@example.com <#C1|ops> 40min wait"
    assert words_of(text) == {"times", "min", "wait"}


def test_recurring_words_count_each_text_once_and_need_two() -> None:
    texts = [
        "Slow slow slow service",
        "The service was slow",
        "Cold coffee, slow",
        "Parking was hard",
        "servizio lento",
        "servizio ottimo",
    ]
    assert recurring_words(texts) == (("slow", 3), ("service", 2), ("servizio", 2))
    assert recurring_words(texts, top=1) == (("slow", 3),)
    assert recurring_words(["one text only mentions parking"]) == ()


def test_recurring_tags() -> None:
    assert recurring_tags([("service", "food"), ("service",), ("food", "food"), ("bar",)]) == (
        ("food", 2),
        ("service", 2),
    )


# ---- cases: targets --------------------------------------------------------------------------------------------

OPENED = utc(2026, 11, 10, 9, 0)


def case(
    *,
    category: str = "food",
    arrived_by: str = "in_person",
    created: datetime = OPENED,
    respond: timedelta = timedelta(hours=4),
    resolve: timedelta = timedelta(days=3),
    responded: timedelta | None = None,
    resolved: timedelta | None = None,
    description: str = "",
) -> CaseFacts:
    return CaseFacts(
        category=category,
        arrived_by=arrived_by,
        created_at=created,
        respond_by=created + respond,
        resolve_by=created + resolve,
        first_response_at=created + responded if responded is not None else None,
        resolved_at=created + resolved if resolved is not None else None,
        active=resolved is None,
        description=description,
    )


def test_targets_missed() -> None:
    now = OPENED + timedelta(days=5)
    on_time = case(responded=timedelta(hours=1), resolved=timedelta(days=1))
    late_answer = case(responded=timedelta(hours=6), resolved=timedelta(days=1))
    late_resolution = case(responded=timedelta(hours=1), resolved=timedelta(days=4))
    never_answered = case()  # open, past both targets
    waiting = case(responded=timedelta(hours=2), resolve=timedelta(days=10))  # open, not late yet
    resolved_unanswered = case(resolved=timedelta(hours=2))  # resolving answered it, in time
    cases = [on_time, late_answer, late_resolution, never_answered, waiting, resolved_unanswered]
    assert [c.missed_response(now) for c in cases] == [False, True, False, True, False, False]
    assert [c.missed_resolution(now) for c in cases] == [False, False, True, True, False, False]
    assert [c.open_past_target(now) for c in cases] == [False, False, False, True, False, False]
    assert Targets.of(cases, now) == Targets(response=2, resolution=2, cases=3, still_open=1)
    # Earlier, the open case had not missed its resolution target yet.
    assert Targets.of([never_answered], OPENED + timedelta(hours=5)) == Targets(1, 0, 1, 1)


# ---- everything together ---------------------------------------------------------------------------------------


def feedback(number: int, rating: int, at: datetime, text: str = "", tags: tuple[str, ...] = ()) -> Feedback:
    return Feedback(number, TEAM, rating, text, tags, Source.IN_PERSON, UserId("U1"), at)


def test_compute_insights() -> None:
    now = utc(2026, 11, 30, 8, 0)
    current, previous = windows(PeriodKind.MONTH, now, ROME)
    rows = [
        # October (the period before): average 3.0
        feedback(1, 4, utc(2026, 10, 5, 12), "good food", ("food",)),
        feedback(2, 2, utc(2026, 10, 20, 12), "slow service", ("service",)),
        # October 30th after 09:00 in Rome is past the same point of the month: not compared.
        feedback(3, 1, utc(2026, 10, 30, 9)),
        # November: 4, 3, 5, 4 → 4.0, up 1.0
        feedback(4, 4, utc(2026, 11, 2, 12), "Slow service at lunch", ("service",)),
        feedback(5, 3, utc(2026, 11, 2, 18), "service was slow, cold pasta", ("service", "kitchen")),
        feedback(6, 5, utc(2026, 11, 15, 12), "lovely", ("kitchen",)),
        # The first minutes of November 1st in Rome are still October 31st in UTC.
        feedback(7, 4, utc(2026, 10, 31, 23, 10), "", ()),
    ]
    cases = [
        case(category="food", created=utc(2026, 10, 3, 9), responded=timedelta(hours=2), resolved=timedelta(days=1)),
        case(category="service", created=utc(2026, 10, 8, 9), responded=timedelta(hours=6), resolved=timedelta(days=2)),
        case(category="service", created=utc(2026, 10, 9, 9), responded=timedelta(hours=1), resolved=timedelta(days=1)),
        case(
            category="food",
            created=utc(2026, 11, 3, 9),
            responded=timedelta(minutes=30),
            resolved=timedelta(hours=5),
            description="Cold pasta at table 4",
        ),
        case(
            category="food",
            created=utc(2026, 11, 3, 10),
            responded=timedelta(hours=1),
            resolved=timedelta(days=4),
            arrived_by="phone",
            description="The pasta was cold again",
        ),
        case(category="cleaning", created=utc(2026, 11, 20, 9), arrived_by="email", description="Dirty tables"),
    ]
    open_ones = [Suggestion(9, TEAM, n, f"idea {n}", date(2026, 11, n), SuggestionStatus.OPEN) for n in (5, 4, 3)]

    found = compute_insights(PeriodKind.MONTH, ROME, current, previous, rows, cases, open_ones, 7, now)

    assert found.rating.average == Decimal("4.0")
    assert found.rating.count == 4
    assert found.rating.previous_average == Decimal("3.0")
    assert found.rating.previous_count == 2
    assert found.rating.delta == Decimal("1.0")

    stats = found.cases
    assert stats.opened == Count("", 3, 3)
    assert stats.categories == (Count("food", 2, 1), Count("cleaning", 1, 0), Count("service", 0, 2))
    assert stats.arrivals == (Count("in_person", 1, 3), Count("email", 1, 0), Count("phone", 1, 0))
    assert stats.first_response == timedelta(minutes=45)  # 30 min and 1 h; the open case has none
    assert stats.previous_first_response == timedelta(hours=2)  # 1 h, 2 h, 6 h
    assert stats.resolution == timedelta(days=2, hours=2, minutes=30)  # (5 h + 4 days) / 2
    assert stats.previous_resolution == timedelta(days=1)
    # November: one resolved late, one never answered and open past both targets.
    assert stats.missed == Targets(response=1, resolution=2, cases=2, still_open=1)
    assert stats.previous_missed == Targets(response=1, resolution=0, cases=1, still_open=0)

    assert found.top_tags == (("kitchen", 2), ("service", 2))
    assert dict(found.top_words) == {"pasta": 3, "slow": 2, "service": 2, "cold": 3}
    assert found.top_words[:2] == (("cold", 3), ("pasta", 3))
    assert found.open_suggestions == 7
    assert [s.number for s in found.newest_suggestions] == [5, 4, 3]

    days = {point.day: point for point in found.days}
    assert len(days) == 30
    assert (days[date(2026, 11, 2)].average, days[date(2026, 11, 2)].ratings) == (Decimal("3.5"), 2)
    assert days[date(2026, 11, 1)].ratings == 1
    assert days[date(2026, 11, 3)].cases == 2
    assert days[date(2026, 11, 4)].average is None

    assert found.focus == (
        Focus(FocusKind.CATEGORY_UP, "food", 1),
        Focus(FocusKind.TARGETS_MISSED, amount=2),
        Focus(FocusKind.TAG, "kitchen", 2),
    )


def test_insights_with_nothing_recorded() -> None:
    now = utc(2026, 11, 30, 8, 0)
    current, previous = windows(PeriodKind.WEEK, now, ROME)
    found = compute_insights(PeriodKind.WEEK, ROME, current, previous, [], [], [], 0, now)
    assert found.rating.average is None
    assert found.rating.delta is None
    assert found.cases.opened == Count("", 0, 0)
    assert found.cases.first_response is None
    assert found.top_words == ()
    assert found.focus == ()
    assert [point.day for point in found.days] == [date(2026, 11, 30)]


def test_a_falling_rating_comes_first_in_the_focus() -> None:
    now = utc(2026, 11, 30, 8, 0)
    current, previous = windows(PeriodKind.MONTH, now, ROME)
    rows = [feedback(1, 5, utc(2026, 10, 10, 12)), feedback(2, 3, utc(2026, 11, 10, 12))]
    found = compute_insights(PeriodKind.MONTH, ROME, current, previous, rows, [], [], 0, now)
    assert found.rating.delta == Decimal("-2.0")
    assert found.focus == (Focus(FocusKind.RATING_DOWN),)
