"""`/ops appointment …` read in English and Italian, the slot grid of bookable hours (across a DST change), and an
appointment as a calendar feed event."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.appointments import Appointment, AppointmentStatus, BookableHours, free
from bot.domain.ids import TeamId, UserId
from bot.domain.language import LANGUAGES, Language
from bot.domain.people_time import WorkingHours
from bot.i18n import translator
from bot.parsing import appointments as parse
from bot.parsing.errors import ParseError
from bot.rendering.appointments import calendar_event
from bot.rendering.calendar import feed

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Rome
ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
GIULIA = "<@U0GIULIA1|giulia>"
G = UserId("U0GIULIA1")
MON_FRI = WorkingHours(time(14), time(17), (0, 1, 2, 3, 4))


def read(text: str, zone: ZoneInfo = ROME) -> parse.AppointmentRequest:
    return parse.parse_appointment_command(text, now=NOW, zone=zone)


def rome(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ROME).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", parse.ListAppointments()),
        ("list", parse.ListAppointments()),
        ("elenco", parse.ListAppointments()),
        ("hours", parse.ShowHours(None)),
        (f"orari {GIULIA}", parse.ShowHours(G)),
        ("hours mon-fri 14:00-17:00 slot 30m", parse.PublishHours(None, MON_FRI, timedelta(minutes=30))),
        ("orari lun-ven dalle 14 alle 17 slot 30m", parse.PublishHours(None, MON_FRI, timedelta(minutes=30))),
        ("hours 14:00-17:00", parse.PublishHours(None, MON_FRI, timedelta(minutes=30))),
        (
            f"hours {GIULIA} mon, wed 9-12 slot 45 min",
            parse.PublishHours(G, WorkingHours(time(9), time(12), (0, 2)), timedelta(minutes=45)),
        ),
        (
            "hours 9-13 slot 1h",
            parse.PublishHours(None, WorkingHours(time(9), time(13), (0, 1, 2, 3, 4)), timedelta(hours=1)),
        ),
        ("hours off", parse.WithdrawHours(None)),
        (f"orari {GIULIA} chiudi", parse.WithdrawHours(G)),
        (f"slots {GIULIA}", parse.ListSlots(G, None)),
        (f"slots {GIULIA} tomorrow", parse.ListSlots(G, date(2026, 12, 1))),
        (f"liberi {GIULIA} venerdì", parse.ListSlots(G, date(2026, 12, 4))),
        (f"slots {GIULIA} 2026-12-09", parse.ListSlots(G, date(2026, 12, 9))),
        (
            f"book {GIULIA} tomorrow 15:00 about supplier contract",
            parse.Book(G, rome(1, 15), "supplier contract"),
        ),
        (f"book {GIULIA} tomorrow 15:00 supplier contract", parse.Book(G, rome(1, 15), "supplier contract")),
        (f"prenota {GIULIA} domani alle 15 per il contratto", parse.Book(G, rome(1, 15), "il contratto")),
        (f"prenota {GIULIA} venerdì 14:30 riguardo ferie", parse.Book(G, rome(4, 14, 30), "ferie")),
        (f"book {GIULIA} 3 December at 10", parse.Book(G, rome(3, 10), "")),
        (
            f"add {GIULIA} tomorrow 11:00 Mario Rossi (supplier) +39 333 1234567 about invoices",
            parse.AddVisitor(G, rome(1, 11), "Mario Rossi (supplier)", "+39 333 1234567", "invoices"),
        ),
        ("add tomorrow 11:00 Mario Rossi", parse.AddVisitor(None, rome(1, 11), "Mario Rossi", "", "")),
        (
            "aggiungi domani alle 11 Mario Rossi (fornitore) 02-1234567 riguardo fatture",
            parse.AddVisitor(None, rome(1, 11), "Mario Rossi (fornitore)", "02-1234567", "fatture"),
        ),
        # A short number is part of the name, not a telephone.
        ("add tomorrow 11:00 Room 12 guest", parse.AddVisitor(None, rome(1, 11), "Room 12 guest", "", "")),
        ("cancel 7", parse.CancelAppointment(7)),
        ("annulla #12", parse.CancelAppointment(12)),
    ],
)
def test_commands(text: str, expected: parse.AppointmentRequest) -> None:
    assert read(text) == expected


def test_times_are_read_on_the_writers_clock() -> None:
    # 9:00 in New York is 15:00 in Rome.
    assert read(f"book {GIULIA} tomorrow 9:00", NEW_YORK) == parse.Book(G, rome(1, 15), "")
    assert parse.parse_proposal("mercoledì alle 16", now=NOW, zone=ROME) == rome(2, 16)


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        (f"book {GIULIA} someday 15:00", "dates.error.unreadable", "appointment.example.book"),
        (f"book {GIULIA} tomorrow", "appointment.error.no_time", "appointment.example.book"),
        (f"book {GIULIA} every monday at 10", "appointment.error.recurring", "appointment.example.book"),
        (f"book {GIULIA} today 8:00", "dates.error.past", "appointment.example.book"),
        (f"book {GIULIA}", "appointment.error.no_when", "appointment.example.book"),
        ("book giulia tomorrow 15:00", "appointment.error.no_manager", "appointment.example.book"),
        ("slots tomorrow", "appointment.error.no_manager", "appointment.example.slots"),
        (f"slots {GIULIA} someday", "people.error.date_unreadable", "appointment.example.slots"),
        ("hours mon-fri slot 30m", "people.error.hours_unreadable", "appointment.example.hours"),
        ("hours 17-14", "people.error.hours_order", "appointment.example.hours"),
        ("hours 9-12 slot soon", "appointment.error.slot_unreadable", "appointment.example.hours"),
        ("add tomorrow 11:00", "appointment.error.no_visitor", "appointment.example.add"),
        ("add Mario Rossi", "appointment.error.no_when", "appointment.example.add"),
        ("cancel seven", "appointment.error.id", "appointment.example.cancel"),
        ("list everything", "appointment.error.list_extra", "appointment.example.list"),
        ("frobnicate", "appointment.error.verb", "appointment.example.book"),
    ],
)
def test_refusals_say_why_and_show_an_example(text: str, key: str, example: str) -> None:
    with pytest.raises(ParseError) as refused:
        read(text)
    assert refused.value.message.key == key
    assert refused.value.example is not None
    assert refused.value.example.key == example


def test_a_proposal_needs_a_time() -> None:
    with pytest.raises(ParseError) as refused:
        parse.parse_proposal("domani", now=NOW, zone=ROME)
    assert refused.value.message.key == "appointment.error.no_time"
    with pytest.raises(ParseError):
        parse.parse_proposal("", now=NOW, zone=ROME)


words = st.sampled_from(
    [
        *("book", "prenota", "add", "aggiungi", "slots", "liberi", "hours", "orari", "cancel", "list", "off"),
        *(GIULIA, "<@U0X>", "tomorrow", "domani", "15:00", "alle", "15", "about", "per", "su", "slot", "30m"),
        *("+39", "333", "1234567", "mon-fri", "14-17", "every", "monday", "(supplier)", "#7", "x", "2026-12-24"),
    ]
)
texts = st.one_of(st.text(max_size=60), st.lists(words, max_size=9).map(" ".join))


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_any_text_is_a_request_or_a_refusal_with_an_example(text: str) -> None:
    refusal: ParseError | None = None
    try:
        read(text)
    except ParseError as error:
        refusal = error
    if refusal is not None:
        assert refusal.message.key
        assert refusal.example is not None, text


# ---- the slot grid -------------------------------------------------------------------------------------------------


def hours(slot: int = 30, days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> BookableHours:
    return BookableHours(
        TeamId("T1"), G, WorkingHours(time(14), time(17), days), timedelta(minutes=slot), "Europe/Rome", G, NOW
    )


def test_slots_are_cut_from_the_start_of_the_hours_and_fit_inside_them() -> None:
    slots = hours(50).day_slots(date(2026, 12, 1))
    assert [begin.astimezone(ROME).time() for begin, _ in slots] == [time(14), time(14, 50), time(15, 40)]
    assert all(end.astimezone(ROME).time() <= time(17) for _, end in slots)
    assert hours().day_slots(date(2026, 12, 5)) == []  # Saturday


def test_slots_keep_the_wall_clock_across_the_dst_change() -> None:
    every_day = hours(days=(0, 1, 2, 3, 4, 5, 6))
    before = every_day.day_slots(date(2027, 3, 27))[0][0]
    after = every_day.day_slots(date(2027, 3, 29))[0][0]
    assert before == datetime(2027, 3, 27, 13, 0, tzinfo=UTC)
    assert after == datetime(2027, 3, 29, 12, 0, tzinfo=UTC)


def test_a_booking_must_start_a_slot() -> None:
    grid = hours()
    assert grid.slot_at(rome(1, 14, 30)) == (rome(1, 14, 30), rome(1, 15))
    assert grid.slot_at(rome(1, 14, 10)) is None
    assert grid.slot_at(rome(1, 16, 45)) is None  # would end after 17:00
    assert grid.slot_at(rome(5, 14)) is None  # Saturday
    window = grid.slots_between(rome(1, 15), rome(2, 15))
    assert window[0][0] == rome(1, 15)
    assert window[-1][0] == rome(2, 14, 30)


def test_free_slots_leave_out_what_overlaps_but_not_what_touches() -> None:
    slots = hours().day_slots(date(2026, 12, 1))
    busy = [(rome(1, 14, 30), rome(1, 15)), (rome(1, 15, 45), rome(1, 16, 15))]
    starts = [begin.astimezone(ROME).time() for begin, _ in free(slots, busy)]
    assert starts == [time(14), time(15), time(16, 30)]


# ---- the calendar feed ----------------------------------------------------------------------------------------------


VISITOR = Appointment(
    id=7,
    team=TeamId("T0OPS0001"),
    manager=G,
    booker=None,
    created_by=G,
    starts=rome(1, 11),
    ends=rome(1, 11, 30),
    zone="Europe/Rome",
    status=AppointmentStatus.CONFIRMED,
    topic="invoices",
    visitor_name="Mario Rossi (supplier)",
    visitor_phone="+39 333 1234567",
    sequence=2,
)


def test_an_appointment_as_a_feed_event() -> None:
    event = calendar_event(VISITOR)
    assert event.uid == "appointment-7-T0OPS0001@ops-assistant"
    assert event.organizer is None
    assert (event.summary, event.sequence, event.zone) == ("Mario Rossi (supplier) \u2014 invoices", 2, "Europe/Rome")
    # Read untransformed: vobject would otherwise keep this file's (2026-only) Europe/Rome for every later file.
    parsed = vobject.readOne(feed("Giulia", [event], stamp=NOW).decode(), transform=False)
    assert (parsed.vevent.dtstart.value, parsed.vevent.dtstart.params["TZID"]) == ("20261201T110000", ["Europe/Rome"])
    assert parsed.vevent.dtend.value == "20261201T113000"
    assert parsed.vevent.sequence.value == "2"
    assert not hasattr(parsed.vevent, "organizer")
    assert not hasattr(parsed, "method")
    # Without a subject or a visitor, the reader's word for it.
    bare = replace(VISITOR, topic="", visitor_name="", visitor_phone="", booker=UserId("U0LUCA001"))
    assert calendar_event(bare).summary == "#7"
    assert calendar_event(bare, translator().bind("it")).summary == "Appuntamento #7"


@pytest.mark.parametrize("status", list(AppointmentStatus))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_has_a_name(status: AppointmentStatus, language: Language) -> None:
    assert translator().text(language, f"appointment.status.{status.value}")
