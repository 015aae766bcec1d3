"""`/ops meeting …` text → a meeting to book or free time to find, in English and Italian; never a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ids import ChannelId, UserId
from bot.domain.messages import Msg
from bot.parsing.dates import Every, When
from bot.parsing.errors import ParseError
from bot.parsing.meetings import FindRequest, Invitees, MeetingText, parse_find, parse_meeting

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ROME)  # Monday
MARIA = UserId("U0MARIA01")
LUCA = UserId("U0LUCA001")
SAM = UserId("U0SAM0001")
ADD_EXAMPLE = Msg.of("meeting.example.add")
FIND_EXAMPLE = Msg.of("meeting.example.find")


def meeting(text: str) -> MeetingText:
    return parse_meeting(text, now=NOW, zone=ROME)


def find(text: str) -> FindRequest:
    return parse_find(text, now=NOW, zone=ROME)


def start(parsed: MeetingText) -> datetime:
    return parsed.when.first if isinstance(parsed.when, Every) else parsed.when.at


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


@pytest.mark.parametrize(
    ("text", "title", "at", "length", "place", "invitees"),
    [
        (
            "Weekly sync with <@U0MARIA01|maria> <@U0LUCA001> on 3 December at 10:00 for 45m at Room 2",
            "Weekly sync",
            utc(12, 3, 9),
            minutes(45),
            "Room 2",
            Invitees(people=(MARIA, LUCA)),
        ),
        ("Supplier call tomorrow 15:00 with <@U0SAM0001>", "Supplier call", utc(12, 1, 14), None, "", Invitees((SAM,))),
        (
            "Planning next tuesday at 9 with <!subteam^S0KITCHEN|@kitchen> in Sala 2 for 1 hour",
            "Planning",
            utc(12, 8, 8),
            minutes(60),
            "Sala 2",
            Invitees(groups=("S0KITCHEN",)),
        ),
        (
            "Riunione di reparto con <@U0MARIA01> domani alle 15 per 30 minuti in Sala 2",
            "Riunione di reparto",
            utc(12, 1, 14),
            minutes(30),
            "Sala 2",
            Invitees((MARIA,)),
        ),
        (
            "Riunione settimanale con <@U0MARIA01> <@U0LUCA001> il 3 dicembre alle 10:00 per 45 minuti in Sala 2",
            "Riunione settimanale",
            utc(12, 3, 9),
            minutes(45),
            "Sala 2",
            Invitees((MARIA, LUCA)),
        ),
        (
            "Briefing with the kitchen shift tomorrow at 8 for 15m",
            "Briefing",
            utc(12, 1, 7),
            minutes(15),
            "",
            Invitees(roles=("kitchen",)),
        ),
        (
            "Briefing con il turno cucina domani alle 8",
            "Briefing",
            utc(12, 1, 7),
            None,
            "",
            Invitees(roles=("cucina",)),
        ),
        (
            "Briefing con il turno di notte domani alle 8",
            "Briefing",
            utc(12, 1, 7),
            None,
            "",
            Invitees(roles=("notte",)),
        ),
        ("Handover with the night shift at 22", "Handover", utc(11, 30, 21), None, "", Invitees(roles=("night",))),
        (
            "Sync tomorrow at 10 in Sala 2 con <@U0MARIA01> e il turno cucina",
            "Sync",
            utc(12, 1, 9),
            None,
            "Sala 2",
            Invitees((MARIA,), roles=("cucina",)),
        ),
        (
            "Call at https://meet.example.com/abc-def tomorrow at 11 with <@U0MARIA01>",
            "Call",
            utc(12, 1, 10),
            None,
            "https://meet.example.com/abc-def",
            Invitees((MARIA,)),
        ),
        (
            "Call at <https://meet.example.com/abc-def|meet> tomorrow at 11",
            "Call",
            utc(12, 1, 10),
            None,
            "https://meet.example.com/abc-def",
            Invitees(),
        ),
        ("Visit at Via Roma 1, Milano tomorrow at 10", "Visit", utc(12, 1, 9), None, "Via Roma 1, Milano", Invitees()),
        (
            "Corso presso l'ufficio venerdì alle 14 di due ore",
            "Corso",
            utc(12, 4, 13),
            minutes(120),
            "l'ufficio",
            Invitees(),
        ),
        # the words after at/in read as a time: they are the time, not a place
        ("Sync at 10:00", "Sync", utc(11, 30, 9), None, "", Invitees()),
        ("Sync in 2 hours", "Sync", utc(11, 30, 10), None, "", Invitees()),
        ("Sync at 9", "Sync", utc(12, 1, 8), None, "", Invitees()),
        ("Sync at Room 2 at 10", "Sync", utc(11, 30, 9), None, "Room 2", Invitees()),
        ("Sync in Sala 2 alle 10", "Sync", utc(11, 30, 9), None, "Sala 2", Invitees()),
        ("Lunch at the Monday Club tomorrow at 12", "Lunch", utc(12, 1, 11), None, "the Monday Club", Invitees()),
        ("Drinks at night club tomorrow at 21", "Drinks", utc(12, 1, 20), None, "night club", Invitees()),
        # one date split around the invitees
        ("Sync on friday with <@U0MARIA01> at 10", "Sync", utc(12, 4, 9), None, "", Invitees((MARIA,))),
        # date words inside the title stay there when a fuller date follows
        ("Morning briefing tomorrow at 8", "Morning briefing", utc(12, 1, 7), None, "", Invitees()),
        ("Team night out planning tomorrow", "Team night out planning", utc(12, 1, 8), None, "", Invitees()),
        ("Sync Monday", "Sync", utc(12, 7, 8), None, "", Invitees()),
        # words belonging to no part join the title; punctuation between parts is dropped
        (
            "Sync with <@U0MARIA01> about the budget tomorrow at 10, for an hour and a half",
            "Sync about the budget",
            utc(12, 1, 9),
            minutes(90),
            "",
            Invitees((MARIA,)),
        ),
        (
            "Catch-up <@U0MARIA01>,<@U0LUCA001> and <@U0SAM0001> tomorrow 10:00, in Sala 2.",
            "Catch-up",
            utc(12, 1, 9),
            None,
            "Sala 2",
            Invitees((MARIA, LUCA, SAM)),
        ),
        ("Check in with <@U0MARIA01> tomorrow at 10", "Check in", utc(12, 1, 9), None, "", Invitees((MARIA,))),
        ("Riunione per il budget venerdì alle 10", "Riunione per il budget", utc(12, 4, 9), None, "", Invitees()),
        (
            "Sync with <@U0MARIA01> <@U0MARIA01|maria> tomorrow at 10",
            "Sync",
            utc(12, 1, 9),
            None,
            "",
            Invitees((MARIA,)),
        ),
        (
            "Sync with the front desk shift tomorrow at 10",
            "Sync",
            utc(12, 1, 9),
            None,
            "",
            Invitees(roles=("front desk",)),
        ),
        ("Sync on 3/12 at 10:00 for 45 minutes", "Sync", utc(12, 3, 9), minutes(45), "", Invitees()),
        # durations
        ("Sync friday at 10 for 1h30m", "Sync", utc(12, 4, 9), minutes(90), "", Invitees()),
        ("Sync friday at 10 for 1h 30m", "Sync", utc(12, 4, 9), minutes(90), "", Invitees()),
        ("Sync friday at 10 for 1.5 hours", "Sync", utc(12, 4, 9), minutes(90), "", Invitees()),
        ("Sync friday at 10 for half an hour", "Sync", utc(12, 4, 9), minutes(30), "", Invitees()),
        ("Sync friday at 10 per un'ora e mezza", "Sync", utc(12, 4, 9), minutes(90), "", Invitees()),
        ("Pausa di mezz'ora domani alle 10", "Pausa", utc(12, 1, 9), minutes(30), "", Invitees()),
        ("Sync friday at 10 lasting 12 hours", "Sync", utc(12, 4, 9), minutes(720), "", Invitees()),
        ("Sync friday at 10 for 5 min", "Sync", utc(12, 4, 9), minutes(5), "", Invitees()),
    ],
)
def test_meetings(
    text: str, title: str, at: datetime, length: timedelta | None, place: str, invitees: Invitees
) -> None:
    parsed = meeting(text)
    assert isinstance(parsed.when, When)
    assert (parsed.title, start(parsed), parsed.duration, parsed.place, parsed.invitees) == (
        title,
        at,
        length,
        place,
        invitees,
    )


@pytest.mark.parametrize(
    ("text", "rule", "first", "phrase"),
    [
        (
            "Stand-up every monday 9:00 for 15m with <#C0OPS0001|ops>",
            "FREQ=WEEKLY;BYDAY=MO",
            utc(12, 7, 8),
            "every monday 9:00",
        ),
        (
            "Stand-up ogni lunedì alle 9 per 15 minuti con <#C0OPS0001|ops>",
            "FREQ=WEEKLY;BYDAY=MO",
            utc(12, 7, 8),
            "ogni lunedì alle 9",
        ),
    ],
)
def test_recurring_meetings(text: str, rule: str, first: datetime, phrase: str) -> None:
    parsed = meeting(text)
    assert isinstance(parsed.when, Every)
    assert (parsed.when.recurrence.rule, parsed.when.first, parsed.when.phrase) == (rule, first, phrase)
    assert (parsed.title, parsed.duration, parsed.invitees) == (
        "Stand-up",
        minutes(15),
        Invitees(channels=(ChannelId("C0OPS0001"),)),
    )


def test_the_phrase_is_kept_as_typed_without_trailing_punctuation() -> None:
    assert meeting("Weekly sync on 3 December at 10:00, with <@U0MARIA01>").when.phrase == "on 3 December at 10:00"


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("", "meeting.parse.no_title", {}),
        ("   ", "meeting.parse.no_title", {}),
        ("tomorrow at 10 with <@U0MARIA01>", "meeting.parse.no_title", {}),
        ("Weekly sync with <@U0MARIA01>", "meeting.parse.no_time", {"text": "Weekly sync with <@U0MARIA01>"}),
        ("Sync today at 8", "dates.error.past", {"text": "today at 8"}),
        ("Sync on 1 January 2020 at 10", "dates.error.past", {"text": "on 1 January 2020 at 10"}),
        ("Sync every hour", "dates.error.too_often", {"text": "every hour"}),
        ("Sync tomorrow at 10 for 2 people", "meeting.parse.bad_duration", {"text": "for 2 people"}),
        ("Riunione per 2 reparti venerdì alle 10", "meeting.parse.bad_duration", {"text": "per 2 reparti"}),
        ("Sync tomorrow at 10 for 90", "meeting.parse.bad_duration", {"text": "for 90"}),
        ("Sync tomorrow at 10 for 13h", "meeting.parse.too_long", {"most": 12}),
        ("Sync tomorrow at 10 for 2 days", "meeting.parse.too_long", {"most": 12}),
        ("Sync tomorrow at 10 for 4m", "meeting.parse.too_short", {"least": 5}),
        ("Sync tomorrow at 10 for 1h for 30m", "meeting.parse.duration_twice", {"text": "for 30m"}),
        ("Sync at 9 tomorrow at 10", "meeting.parse.two_times", {"first": "at 9", "second": "tomorrow at 10"}),
        ("x" * 151 + " tomorrow at 10", "meeting.parse.title_too_long", {"most": 150}),
        ("Sync tomorrow at 10 at " + "x" * 201, "meeting.parse.place_too_long", {"most": 200}),
    ],
)
def test_meeting_errors(text: str, key: str, params: dict[str, object]) -> None:
    with pytest.raises(ParseError) as caught:
        meeting(text)
    assert caught.value.message.key == key
    assert dict(caught.value.message.params) == params
    assert caught.value.example == ADD_EXAMPLE


def test_titles_and_places_at_their_limits_are_accepted() -> None:
    assert len(meeting("x" * 150 + " tomorrow at 10").title) == 150
    assert len(meeting("Sync tomorrow at 10 at " + "x" * 200).place) == 200


@pytest.mark.parametrize(
    ("text", "length", "invitees", "first_day", "last_day"),
    [
        # by default from today to the end of next week
        ("30m with <@U0MARIA01> <@U0LUCA001>", 30, Invitees((MARIA, LUCA)), date(2026, 11, 30), date(2026, 12, 13)),
        ("30m with <@U0MARIA01> this week", 30, Invitees((MARIA,)), date(2026, 11, 30), date(2026, 12, 6)),
        ("30m with <@U0MARIA01> next week", 30, Invitees((MARIA,)), date(2026, 12, 7), date(2026, 12, 13)),
        ("30 minuti con <@U0MARIA01> questa settimana", 30, Invitees((MARIA,)), date(2026, 11, 30), date(2026, 12, 6)),
        (
            "30 minuti con <@U0MARIA01> prossima settimana",
            30,
            Invitees((MARIA,)),
            date(2026, 12, 7),
            date(2026, 12, 13),
        ),
        (
            "30 minuti con <@U0MARIA01> la settimana prossima",
            30,
            Invitees((MARIA,)),
            date(2026, 12, 7),
            date(2026, 12, 13),
        ),
        ("30m with <@U0MARIA01> tomorrow", 30, Invitees((MARIA,)), date(2026, 12, 1), date(2026, 12, 1)),
        ("30m with <@U0MARIA01> today", 30, Invitees((MARIA,)), date(2026, 11, 30), date(2026, 11, 30)),
        (
            "1 hour with the kitchen shift on friday",
            60,
            Invitees(roles=("kitchen",)),
            date(2026, 12, 4),
            date(2026, 12, 4),
        ),
        (
            "45 minuti con <!subteam^S0KITCHEN|@kitchen> venerdì",
            45,
            Invitees(groups=("S0KITCHEN",)),
            date(2026, 12, 4),
            date(2026, 12, 4),
        ),
        (
            "1h with <#C0OPS0001|ops> domani",
            60,
            Invitees(channels=(ChannelId("C0OPS0001"),)),
            date(2026, 12, 1),
            date(2026, 12, 1),
        ),
        ("30m <@U0MARIA01>, <@U0LUCA001> on 3/12", 30, Invitees((MARIA, LUCA)), date(2026, 12, 3), date(2026, 12, 3)),
    ],
)
def test_find(text: str, length: int, invitees: Invitees, first_day: date, last_day: date) -> None:
    assert find(text) == FindRequest(minutes(length), invitees, first_day, last_day)


def test_find_windows_on_a_sunday_evening() -> None:
    sunday = datetime(2026, 12, 6, 22, 0, tzinfo=ROME)
    assert parse_find("30m with <@U0MARIA01> this week", now=sunday, zone=ROME).last_day == date(2026, 12, 6)
    default = parse_find("30m with <@U0MARIA01>", now=sunday, zone=ROME)
    assert (default.first_day, default.last_day) == (date(2026, 12, 6), date(2026, 12, 13))


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("", "meeting.parse.find_no_duration", {}),
        ("with <@U0MARIA01>", "meeting.parse.find_no_duration", {}),
        ("30x with <@U0MARIA01>", "meeting.parse.bad_duration", {"text": "30x"}),
        ("30m", "meeting.parse.find_no_invitees", {}),
        ("30m with maria next week", "meeting.parse.find_no_invitees", {}),
        ("30m with <@U0MARIA01> someday", "meeting.parse.find_window", {"text": "someday"}),
        ("30m with <@U0MARIA01> every friday", "meeting.parse.find_window", {"text": "every friday"}),
        ("13h with <@U0MARIA01>", "meeting.parse.too_long", {"most": 12}),
        ("2m with <@U0MARIA01>", "meeting.parse.too_short", {"least": 5}),
    ],
)
def test_find_errors(text: str, key: str, params: dict[str, object]) -> None:
    with pytest.raises(ParseError) as caught:
        find(text)
    assert caught.value.message.key == key
    assert dict(caught.value.message.params) == params
    assert caught.value.example == FIND_EXAMPLE


WORDS = [
    "Sync", "Riunione", "with", "con", "at", "in", "presso", "for", "per", "di", "and", "e", ",", "the", "il",
    "kitchen", "shift", "turno", "cucina", "tomorrow", "domani", "today", "monday", "Monday", "every", "ogni",
    "at 10", "alle 15", "in 2 hours", "3/12", "45m", "1 hour", "mezz'ora", "2", "next week", "night",
    "<@U0MARIA01|maria>", "<!subteam^S0KITCHEN|@kitchen>", "<#C0OPS0001|ops>", "<https://meet.example/abc|x>",
]  # fmt: skip


def outcome(read: Callable[[str], MeetingText | FindRequest], text: str) -> MeetingText | FindRequest | ParseError:
    try:
        return read(text)
    except ParseError as error:
        return error


@settings(max_examples=200, deadline=None)
@given(st.text() | st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_any_text_is_a_meeting_or_a_parse_error(text: str) -> None:
    parsed = outcome(meeting, text)
    if isinstance(parsed, ParseError):
        assert parsed.example == ADD_EXAMPLE
    else:
        assert isinstance(parsed, MeetingText)
        assert 0 < len(parsed.title) <= 150
        assert start(parsed) > NOW
    found = outcome(find, text)
    if isinstance(found, ParseError):
        assert found.example == FIND_EXAMPLE
    else:
        assert isinstance(found, FindRequest)
        assert found.first_day <= found.last_day
