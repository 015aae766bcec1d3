"""`/ops shift …`, `/ops rota …`, cover in `/ops away …` and a rota file's names, read in English and Italian."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.ids import UserId
from bot.domain.people import DirectoryEntry, match_person
from bot.domain.shifts import DutyKind, ShiftTimes
from bot.parsing import shifts as parse
from bot.parsing.errors import ParseError
from bot.parsing.people import AddAway, parse_away_command

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday
ROME = ZoneInfo("Europe/Rome")
MARIA = "<@U0MARIA01|maria>"


def read(text: str) -> parse.ShiftRequest:
    return parse.parse_shift_command(text, now=NOW, zone=ROME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"add {MARIA} friday 7:00-15:00 role kitchen",
            parse.AddShift(UserId("U0MARIA01"), ShiftTimes(date(2026, 12, 4), time(7), time(15), "kitchen")),
        ),
        (
            f"aggiungi {MARIA} venerdì dalle 7 alle 15 ruolo cucina",
            parse.AddShift(UserId("U0MARIA01"), ShiftTimes(date(2026, 12, 4), time(7), time(15), "cucina")),
        ),
        (
            f"add {MARIA} 2026-12-24 22:00-06:00 as bar",
            parse.AddShift(UserId("U0MARIA01"), ShiftTimes(date(2026, 12, 24), time(22), time(6), "bar")),
        ),
        (
            f"add {MARIA} every weekday 7:00-15:00 role kitchen",
            parse.AddPattern(UserId("U0MARIA01"), (0, 1, 2, 3, 4), time(7), time(15), "kitchen"),
        ),
        (
            f"aggiungi {MARIA} ogni giorno feriale 7-15",
            parse.AddPattern(UserId("U0MARIA01"), (0, 1, 2, 3, 4), time(7), time(15), ""),
        ),
        (f"add {MARIA} every day 9-17", parse.AddPattern(UserId("U0MARIA01"), tuple(range(7)), time(9), time(17), "")),
        (f"add {MARIA} ogni lun, mer 7-15", parse.AddPattern(UserId("U0MARIA01"), (0, 2), time(7), time(15), "")),
        ("", parse.ListShifts(None)),
        (f"list {MARIA}", parse.ListShifts(UserId("U0MARIA01"))),
        ("cancel 31", parse.CancelShift(31)),
        ("annulla #31", parse.CancelShift(31)),
        ("stop pattern 3", parse.StopPattern(3)),
        ("swap 31 with <@U0SAM0001>", parse.SwapShift(31, UserId("U0SAM0001"))),
        ("scambia 31 con <@U0SAM0001|sam>", parse.SwapShift(31, UserId("U0SAM0001"))),
        (
            "open saturday 9:00-17:00 role kitchen",
            parse.OpenShift(ShiftTimes(date(2026, 12, 5), time(9), time(17), "kitchen")),
        ),
        ("importa", parse.ImportShifts()),
        ("duty", parse.ListDuties()),
        (
            "duty add kitchen checklist Opening every weekday",
            parse.AddDuty("kitchen", DutyKind.CHECKLIST, "Opening", (0, 1, 2, 3, 4)),
        ),
        (
            "compito add chiunque attività Contare la cassa",
            parse.AddDuty("", DutyKind.TASK, "Contare la cassa", tuple(range(7))),
        ),
        ("duty remove 2", parse.RemoveDuty(2)),
    ],
)
def test_shift_commands(text: str, expected: parse.ShiftRequest) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"add {MARIA} someday 7-15", "people.error.date_unreadable"),
        (f"add {MARIA} friday", "shift.error.no_times"),
        (f"add {MARIA} 7-15", "shift.error.no_day"),
        ("add maria friday 7-15", "shift.error.no_person"),
        (f"add {MARIA} every blue moon 7-15", "shift.error.days"),
        ("cancel thirty", "shift.error.id"),
        ("swap 31 sam", "shift.error.swap_shape"),
        ("duty add kitchen", "shift.error.duty_shape"),
        ("duty add kitchen poem Ode", "shift.error.duty_kind"),
        ("juggle", "shift.error.verb"),
    ],
)
def test_unreadable_shift_commands_say_why_and_show_an_example(text: str, key: str) -> None:
    with pytest.raises(ParseError) as caught:
        read(text)
    assert caught.value.message.key == key
    assert caught.value.example is not None


def test_rota_weeks_and_onshift_roles() -> None:
    assert [parse.parse_rota_command(t) for t in ("", "this week", "next week", "prossima settimana")] == [0, 0, 1, 1]
    with pytest.raises(ParseError):
        parse.parse_rota_command("last year")
    assert parse.parse_onshift_command("  Kitchen ") == "kitchen"
    assert parse.parse_onshift_command("") is None


def test_a_cover_is_read_out_of_the_reason() -> None:
    english = parse_away_command("friday to monday holiday cover <@U0SAM0001>", now=NOW, zone=ROME)
    assert english == AddAway(None, date(2026, 12, 4), date(2026, 12, 7), "holiday", UserId("U0SAM0001"))
    italian = parse_away_command(
        "<@U0LUCA001> 2026-12-24 al 2026-12-26 ferie, sostituto <@U0SAM0001|sam>", now=NOW, zone=ROME
    )
    assert (
        (italian.user, italian.reason, italian.cover)
        if isinstance(italian, AddAway)
        else None
        == (
            "U0LUCA001",
            "ferie",
            "U0SAM0001",
        )
    )
    plain = parse_away_command("friday dentist", now=NOW, zone=ROME)
    assert isinstance(plain, AddAway)
    assert plain.cover is None
    assert plain.reason == "dentist"


PEOPLE = [
    DirectoryEntry(UserId("U0MARIA01"), "mrossi", "Maria", "Maria Rossi", "maria@ops-demo.example"),
    DirectoryEntry(UserId("U0MARIA02"), "mariab", "Maria", "Maria Bianchi", None),
    DirectoryEntry(UserId("U0SAM0001"), "sam", "", "Sam Taylor", "sam@ops-demo.example"),
]


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("<@U0SAM0001>", "U0SAM0001"),
        ("U0SAM0001", "U0SAM0001"),
        ("SAM@ops-demo.example", "U0SAM0001"),
        ("@sam", "U0SAM0001"),
        ("maria  rossi", "U0MARIA01"),
        ("Maria", None),  # two people display as Maria: ambiguous, so nobody
        ("Nobody", None),
        ("", None),
    ],
)
def test_a_rota_name_matches_one_person_or_none(written: str, found: str | None) -> None:
    assert match_person(written, PEOPLE) == found
