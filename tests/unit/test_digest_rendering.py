"""What a digest reads like: sections in order and only those with something to say, a quiet day in one line,
long lists cut with "…and N more", Slack's limits kept however long the titles, typed text that cannot mention
anyone, both languages; the weekly numbers against last week and their chart; the domain's small rules."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.domain.cases import CaseKind, CaseStatus, Severity
from bot.domain.digests import (
    ALL_SECTIONS,
    AppointmentLine,
    AwayLine,
    CaseLine,
    ChecklistsYesterday,
    DailyDigest,
    DayNumbers,
    FeedbackYesterday,
    MeetingLine,
    MeetingRows,
    MeetingsToday,
    Numbers,
    OpenCases,
    OutOfRange,
    PeopleToday,
    PersonalDigest,
    Section,
    ShiftLine,
    TaskGroup,
    TaskLine,
    TasksDue,
    Top,
    UnfinishedRun,
    WeeklyDigest,
    average,
    day_span,
    meetings_between,
    monday_of,
    summary_of,
    top_tag,
)
from bot.domain.ids import TeamId, UserId
from bot.domain.language import LANGUAGES, Language
from bot.domain.meetings import Meeting, MeetingStatus, Override
from bot.i18n import Words, translator
from bot.rendering.blocks import Reply
from bot.rendering.digests import daily_message, personal_message, weekly_chart, weekly_message

ROME = ZoneInfo("Europe/Rome")
TEAM = TeamId("T1")
MARIA, LUCA, GIULIA = UserId("U0MARIA"), UserId("U0LUCA"), UserId("U0GIULIA")
DAY = date(2026, 11, 30)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def words(language: Language = "en") -> Words:
    return translator().bind(language)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME).astimezone(UTC)


def texts(reply: Reply) -> Iterator[str]:
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if node.get("type") in {"plain_text", "mrkdwn"} and isinstance(node.get("text"), str):
                yield node["text"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    yield from walk(list(reply.blocks))


def shown(reply: Reply) -> str:
    return "\n".join(texts(reply))


def placeholders(text: str) -> list[str]:
    """`{name}` left unfilled, outside Slack's own date tokens (whose `{time}` is Slack's to fill)."""
    return re.findall(r"\{[a-z_]+\}", re.sub(r"<!date\^[^>]*>", "", text))


def within_limits(reply: Reply) -> None:
    assert 0 < len(reply.blocks) <= 50
    assert all(len(found) <= 3000 for found in texts(reply))
    assert reply.text


def full_digest(title: str = "Weekly sync") -> DailyDigest:
    return DailyDigest(
        team=TEAM,
        day=DAY,
        zone=ROME,
        sections=ALL_SECTIONS,
        people=PeopleToday(
            Top((ShiftLine(MARIA, "kitchen", at(7), at(15)), ShiftLine(None, "bar", at(18), at(23))), 10),
            Top((AwayLine(LUCA, DAY, DAY + timedelta(days=2), "sick", GIULIA),), 1),
            "Sant'Andrea",
        ),
        meetings=MeetingsToday(
            Top((MeetingLine(4, title, at(10), at(11), "Room 2", GIULIA, True),), 1),
            Top((AppointmentLine(7, GIULIA, None, "Mario Rossi", "invoices", at(15), at(15, 30), False),), 1),
        ),
        tasks=TasksDue(
            Top(
                (
                    TaskGroup(
                        MARIA,
                        3,
                        1,
                        (
                            TaskLine(12, "Order napkins", at(9, day=DAY - timedelta(days=2)), True),
                            TaskLine(14, "Clean the fridge", at(9, day=DAY - timedelta(days=1)), True),
                            TaskLine(15, "Call the supplier", at(9, day=DAY - timedelta(days=1)), True),
                        ),
                    ),
                    TaskGroup(LUCA, 0, 1, (TaskLine(20, "Count the till", at(18), False),)),
                ),
                5,
            ),
            overdue=6,
            today=4,
        ),
        checklists=ChecklistsYesterday(
            Top((UnfinishedRun(31, "Opening", at(7, day=DAY - timedelta(days=1)), Top(("Lights", "Till"), 2), 8),), 1),
            Top(
                (
                    OutOfRange(
                        "Opening",
                        "Fridge",
                        Decimal("7.500"),
                        "°C",
                        Decimal("0"),
                        Decimal("4.5"),
                        MARIA,
                        at(7, 5, day=DAY - timedelta(days=1)),
                    ),
                ),
                1,
            ),
        ),
        cases=OpenCases(
            Top(
                (
                    CaseLine(
                        17,
                        CaseKind.COMPLAINT,
                        Severity.HIGH,
                        CaseStatus.OPEN,
                        "Cold food at table 4",
                        None,
                        at(6),
                        False,
                        True,
                    ),
                    CaseLine(
                        18, CaseKind.QUESTION, Severity.LOW, CaseStatus.IN_PROGRESS, "", LUCA, at(20), True, False
                    ),
                ),
                12,
            ),
            breached=1,
        ),
        feedback=FeedbackYesterday(5, Decimal("4.2"), "service", 3),
    )


# ---- the daily digest -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_day_in_both_languages(language: Language) -> None:
    reply = daily_message(words(language), full_digest())
    within_limits(reply)
    text = shown(reply)
    assert placeholders(text) == []
    assert "digest." not in text
    assert reply.blocks[0]["type"] == "header"
    assert "2026-11-30" in reply.blocks[0]["text"]["text"]
    for mention in ("<@U0MARIA>", "<@U0LUCA>", "<@U0GIULIA>"):
        assert mention in text
    # Times are Slack date tokens (each reader's clock), with the shop's time as the fallback.
    assert f"<!date^{int(at(7).timestamp())}^{{time}}|07:00>" in text
    assert "`C-17`" in text
    assert "#12" in text
    assert "Sant'Andrea" in text
    assert "Mario Rossi" in text
    assert reply.response_type == "in_channel"


def test_sections_come_in_order_and_say_what_matters() -> None:
    text = shown(daily_message(words(), full_digest()))
    order = ["On shift today (10)", "Meetings today (1)", "Tasks: 6 overdue, 4 due today", "Checklists yesterday"]
    order += ["Open cases: 12, 1 past a target", "Yesterday's feedback: 5, average rating 4.2"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "…and 8 more" in text  # shifts: 2 of 10
    assert "…and 3 more people" in text  # tasks: 2 of 5 people
    assert "most often tagged #service (3)" in text
    assert "7.5 °C (allowed 0\u20134.5)" in text
    assert "2 of 8 items open: Lights, Till" in text
    assert "answer by" in text
    assert "resolve by" in text
    assert "waiting for an answer" in text
    assert ":repeat:" in text


def test_a_quiet_day_is_one_line() -> None:
    quiet = DailyDigest(TEAM, DAY, ROME, ALL_SECTIONS)
    assert quiet.is_quiet
    reply = daily_message(words(), quiet)
    assert len(reply.blocks) == 1
    assert "Nothing to report for Mon 2026-11-30" in reply.text
    late = daily_message(words("it"), quiet, late="08:00")
    assert len(late.blocks) == 2
    assert "08:00" in shown(late)
    assert "lun 2026-11-30" in late.text


def test_a_late_digest_says_when_it_was_due() -> None:
    reply = daily_message(words(), full_digest(), late="08:00")
    assert reply.blocks[1]["type"] == "context"
    assert "Due 08:00, sent late." in shown(reply)


def test_empty_sections_and_sections_not_asked_for_are_left_out() -> None:
    digest = replace(full_digest(), cases=OpenCases(), sections=frozenset({Section.TASKS, Section.CASES}))
    text = shown(daily_message(words(), digest))
    assert "Tasks: 6 overdue" in text
    assert "Open cases" not in text
    assert "On shift today" not in text
    assert "feedback" not in text


def test_typed_text_cannot_mention_or_link() -> None:
    text = shown(daily_message(words(), full_digest(title="Sync <!channel> & <@U0BOSS>")))
    assert "<!channel>" not in text
    assert "<@U0BOSS>" not in text
    assert "Sync &lt;!channel&gt; &amp; &lt;@U0BOSS&gt;" in text


def test_the_longest_titles_stay_within_slacks_limits() -> None:
    long = "x" * 200
    digest = full_digest(title=long)
    groups = tuple(
        TaskGroup(UserId(f"U{n}"), 3, 0, tuple(TaskLine(n * 10 + k, long, at(9), True) for k in range(3)))
        for n in range(8)
    )
    lines = tuple(MeetingLine(n, long, at(9), at(10), long, GIULIA, False) for n in range(8))
    digest = replace(
        digest,
        tasks=TasksDue(Top(groups, 500), 1500, 0),
        meetings=MeetingsToday(Top(lines, 40), digest.meetings.appointments),
    )
    for language in LANGUAGES:
        reply = daily_message(words(language), digest)
        within_limits(reply)
        assert "x" * 81 not in shown(reply)  # titles are cut in lists


# ---- the weekly digest ------------------------------------------------------------------------------------------


def weekly(sections: frozenset[Section] = ALL_SECTIONS) -> WeeklyDigest:
    first = date(2026, 11, 23)
    days = tuple(
        DayNumbers(first + timedelta(days=n), Numbers(n, n + 1, n % 3, 1, 0, n % 2 * 3, n % 2 * 13)) for n in range(7)
    )
    this_week = sum((point.numbers for point in days), Numbers())
    last_week = Numbers(30, 20, 5, 6, 2, 4, 18)
    return WeeklyDigest(TEAM, first, first + timedelta(days=6), ROME, sections, this_week, last_week, days)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_weeks_numbers_against_last_week(language: Language) -> None:
    digest = weekly()
    assert (digest.this_week.tasks_done, digest.this_week.tasks_created) == (21, 28)
    reply = weekly_message(words(language), digest)
    within_limits(reply)
    text = shown(reply)
    assert placeholders(text) == []
    assert "2026-11-23" in text
    assert "2026-11-29" in text
    if language == "en":
        assert "Done: 21 (\u22129; last week 30)" in text
        assert "Created: 28 (+8; last week 20)" in text
        assert "Past a target: 0 (\u22122; last week 2)" in text
        # 39 / 9 = 4.33, last week 18 / 4 = 4.5
        assert "Average rating 4.3 from 9 (4.5 from 4 last week)" in text


def test_a_week_shows_only_its_sections_and_a_quiet_one_is_one_line() -> None:
    text = shown(weekly_message(words(), weekly(frozenset({Section.CASES}))))
    assert "Opened:" in text
    assert "Done:" not in text
    assert "rating" not in text
    empty = WeeklyDigest(
        TEAM,
        date(2026, 11, 23),
        date(2026, 11, 29),
        ROME,
        ALL_SECTIONS,
        Numbers(),
        Numbers(),
        tuple(DayNumbers(date(2026, 11, 23) + timedelta(days=n), Numbers()) for n in range(7)),
    )
    reply = weekly_message(words(), empty, late="09:00")
    assert len(reply.blocks) == 2
    assert "a quiet week" in reply.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_weekly_chart_is_a_png_and_always_the_same(language: Language) -> None:
    png = weekly_chart(words(language), weekly())
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert (image.format, image.mode) == ("PNG", "RGB")
    assert 600 < image.width < 1200
    assert weekly_chart(words(language), weekly()) == png
    # Only the series asked for: a chart of cases alone is a different picture, and a quiet week still draws.
    assert weekly_chart(words(language), weekly(frozenset({Section.CASES}))) != png
    assert weekly_chart(
        words(language), replace(weekly(), days=tuple(replace(p, numbers=Numbers()) for p in weekly().days))
    )


# ---- the personal digest ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_persons_day(language: Language) -> None:
    full = full_digest()
    digest = PersonalDigest(
        TEAM,
        MARIA,
        DAY,
        ROME,
        Top((ShiftLine(MARIA, "kitchen", at(7), at(15)),), 1),
        full.meetings.meetings,
        full.meetings.appointments,
        Top(full.tasks.groups.items[0].tasks, 4),
        full.cases,
    )
    reply = personal_message(words(language), digest)
    within_limits(reply)
    text = shown(reply)
    assert placeholders(text) == []
    assert "#12" in text
    assert "`C-17`" in text
    assert "…" in text  # 3 of 4 tasks
    quiet = personal_message(words(language), PersonalDigest(TEAM, MARIA, DAY, ROME))
    assert len(quiet.blocks) == 1
    assert "2026-11-30" in quiet.text


def test_every_message_is_in_the_readers_language() -> None:
    english = shown(daily_message(words("en"), full_digest()))
    italian = shown(daily_message(words("it"), full_digest()))
    assert english != italian
    assert "In turno oggi (10)" in italian
    assert "lun 2026-11-30" in italian


# ---- the domain's small rules -----------------------------------------------------------------------------------


def test_a_long_list_knows_how_many_more_there_are() -> None:
    assert Top((1, 2), 5).more == 3
    assert not Top()
    assert Top((), 3)


def test_feedbacks_top_tag_and_average() -> None:
    assert top_tag([["service", "food"], ["food"], ["service"], []]) == ("food", 2)
    assert top_tag([["b", "b"], ["a"]]) == ("a", 1)  # each piece counts a tag once; a tie goes alphabetically
    assert top_tag([]) == (None, 0)
    assert average(11, 3) == Decimal("3.7")
    assert average(9, 2) == Decimal("4.5")
    assert average(0, 0) is None


def test_a_case_summary_is_short_and_forgets_a_forgotten_customer() -> None:
    assert summary_of("  Cold\nfood  ", forgotten=False) == "Cold food"
    assert len(summary_of("word " * 50, forgotten=False)) == 80
    assert summary_of("Anna Neri's complaint", forgotten=True) == ""


def test_local_days_and_weeks() -> None:
    # 25 October 2026 has 25 hours in Rome (summer time ends).
    starts, ends = day_span(date(2026, 10, 25), ROME)
    assert ends - starts == timedelta(hours=25)
    assert monday_of(date(2026, 11, 29)) == date(2026, 11, 23)
    assert monday_of(date(2026, 11, 30)) == date(2026, 11, 30)


def _series(rule: str, first: datetime, overrides: tuple[Override, ...] = ()) -> Meeting:
    return Meeting(
        1,
        TEAM,
        "Stand-up",
        GIULIA,
        first,
        first + timedelta(minutes=15),
        "Europe/Rome",
        "",
        None,
        None,
        (),
        None,
        timedelta(minutes=15),
        rule,
        first.astimezone(ROME).replace(tzinfo=None),
        0,
        MeetingStatus.SCHEDULED,
        (),
        overrides,
    )


def test_a_days_meetings_merge_singles_and_occurrences_of_series() -> None:
    since, until = day_span(DAY, ROME)
    single = MeetingLine(9, "Supplier", at(8), at(8, 30), "", LUCA, False)
    daily = _series("FREQ=DAILY", at(9, day=DAY - timedelta(days=10)))
    tuesdays = _series("FREQ=WEEKLY;BYDAY=TU", at(9, day=DAY - timedelta(days=6)))
    moved_in = _series(
        "FREQ=WEEKLY;BYDAY=TU",
        at(12, day=DAY - timedelta(days=6)),
        (Override(at(12, day=DAY + timedelta(days=1)), at(17), at(17, 15)),),
    )
    found = meetings_between(MeetingRows(Top((single,), 1), (daily, tuesdays, moved_in)), since, until, 8)
    assert [(line.title, line.starts) for line in found.items] == [
        ("Supplier", at(8)),
        ("Stand-up", at(9)),
        ("Stand-up", at(17)),  # Tuesday's occurrence, moved to Monday afternoon
    ]
    assert found.total == 3
    cut = meetings_between(MeetingRows(Top((single,), 5), (daily,)), since, until, 1)
    assert (len(cut.items), cut.total) == (1, 6)


def test_numbers_add_up_and_know_when_they_are_empty() -> None:
    assert Numbers(1, 2, 3, 4, 5, 6, 7) + Numbers(1, 1, 1, 1, 1, 1, 1) == Numbers(2, 3, 4, 5, 6, 7, 8)
    assert Numbers().is_empty
    assert Numbers(ratings=2, rating_total=9).average_rating == Decimal("4.5")


def test_no_placeholder_is_left_in_any_message() -> None:
    for language in LANGUAGES:
        for reply in (
            daily_message(words(language), full_digest(), late="08:00"),
            weekly_message(words(language), weekly(), late="08:00"),
        ):
            assert placeholders(shown(reply) + reply.text) == []
