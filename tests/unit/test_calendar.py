"""Calendar files: what icalendar writes is read back with independent parsers (vobject, and
recurring-ical-events for the occurrences), never with icalendar alone, and must match what the bot means."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from bot.domain.recurrence import Recurrence
from bot.rendering.calendar import (
    CalendarEvent,
    CalendarPerson,
    Override,
    cancellation,
    feed,
    invitation,
)

ROME = ZoneInfo("Europe/Rome")
STAMP = datetime(2027, 2, 1, 12, 30, tzinfo=UTC)
UID = "meeting-42-T0OPS0001@ops-assistant"
GIULIA = CalendarPerson("U0GIULIA1", "Giulia Bianchi, capo", "giulia@example.com")
MARIA = CalendarPerson("U0MARIA01", "Maria Rossì", None)
LUCA = CalendarPerson("U0LUCA001", "Luca Ferrè", "luca@example.com", "ACCEPTED")


def rome(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Rome wall-clock time as the UTC instant the services hold."""
    return datetime(year, month, day, hour, minute, tzinfo=ROME).astimezone(UTC)


def meeting(**changes: Any) -> CalendarEvent:
    event = CalendarEvent(
        uid=UID,
        sequence=0,
        summary="Riunione: caffè, più; tè",
        starts=rome(2027, 4, 6, 9),
        ends=rome(2027, 4, 6, 10, 30),
        zone="Europe/Rome",
        organizer=GIULIA,
        attendees=(MARIA, LUCA),
        location="Sala Verdi, piano 2; ingresso B",
        description="Ordine del giorno:\n1) turni, ferie\n2) caffè",
        url="https://ops.example.com/meetings/42",
        created=datetime(2027, 1, 31, 8, 15, 7, 123456, tzinfo=UTC),
    )
    return dataclasses.replace(event, **changes)


def read(data: bytes) -> Any:
    """The file as vobject (an independent iCalendar parser) reads it."""
    assert isinstance(data, bytes)
    return vobject.readOne(data.decode("utf-8"))


def tzids(data: bytes, name: str) -> list[str]:
    """The TZID parameter of every `name` line of the VEVENTs, as written (vobject moves it when it converts)."""
    calendar = vobject.readOne(data.decode("utf-8"), transform=False)
    return [line.params["TZID"][0] for vevent in calendar.vevent_list for line in vevent.contents.get(name, [])]


def utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, "every time in the file must carry a zone"
    return value.astimezone(UTC)


def by_address(vevent: Any) -> dict[str, dict[str, list[str]]]:
    return {line.value: line.params for line in vevent.attendee_list}


# --- invitation ----------------------------------------------------------------------------------------------------


def test_invitation_reads_back_with_vobject() -> None:
    data = invitation(meeting(), stamp=STAMP)
    calendar = read(data)
    assert calendar.method.value == "REQUEST"
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value == "-//Ops Assistant//EN"
    assert calendar.calscale.value == "GREGORIAN"
    [vevent] = calendar.vevent_list
    assert vevent.uid.value == UID
    assert vevent.sequence.value == "0"
    assert utc(vevent.dtstart.value) == datetime(2027, 4, 6, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert utc(vevent.dtend.value) == datetime(2027, 4, 6, 8, 30, tzinfo=UTC)
    assert tzids(data, "dtstart") == tzids(data, "dtend") == ["Europe/Rome"]
    assert vevent.dtstart.value.replace(tzinfo=None) == datetime(2027, 4, 6, 9, 0)  # noqa: DTZ001 - wall clock
    assert vevent.dtstamp.value == STAMP
    assert vevent.created.value == datetime(2027, 1, 31, 8, 15, 7, tzinfo=UTC)  # no fraction in the format
    assert vevent.summary.value == "Riunione: caffè, più; tè"
    assert vevent.location.value == "Sala Verdi, piano 2; ingresso B"
    assert vevent.description.value == "Ordine del giorno:\n1) turni, ferie\n2) caffè"
    assert vevent.url.value == "https://ops.example.com/meetings/42"
    assert vevent.status.value == "CONFIRMED"
    assert vevent.transp.value == "OPAQUE"
    assert not hasattr(vevent, "rrule")


def test_invitation_escapes_text_on_the_wire() -> None:
    data = invitation(meeting(), stamp=STAMP)
    unfolded = data.replace(b"\r\n ", b"")
    assert "SUMMARY:Riunione: caffè\\, più\\; tè\r\n".encode() in unfolded
    assert b"LOCATION:Sala Verdi\\, piano 2\\; ingresso B\r\n" in unfolded
    assert "DESCRIPTION:Ordine del giorno:\\n1) turni\\, ferie\\n2) caffè\r\n".encode() in unfolded


def test_long_accented_text_is_folded_and_reads_back_whole() -> None:
    summary = "Verifica è più lunga: perché è così, però; già fatto. " * 6
    data = invitation(meeting(summary=summary), stamp=STAMP)
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), "RFC 5545 folds lines at 75 octets"
    assert read(data).vevent.summary.value == summary


def test_invitation_organizer_and_attendees() -> None:
    vevent = read(invitation(meeting(), stamp=STAMP)).vevent
    assert vevent.organizer.value == "mailto:giulia@example.com"
    assert vevent.organizer.params["CN"] == ["Giulia Bianchi, capo"]
    attendees = by_address(vevent)
    assert set(attendees) == {"mailto:u0maria01@users.slack.invalid", "mailto:luca@example.com"}
    maria = attendees["mailto:u0maria01@users.slack.invalid"]
    assert maria["CN"] == ["Maria Rossì"]
    assert maria["PARTSTAT"] == ["NEEDS-ACTION"]
    assert maria["RSVP"] == ["TRUE"]
    assert maria["ROLE"] == ["REQ-PARTICIPANT"]
    luca = attendees["mailto:luca@example.com"]
    assert luca["PARTSTAT"] == ["ACCEPTED"]
    assert luca["RSVP"] == ["TRUE"]


def test_placeholder_address_is_stable_and_in_the_invalid_domain() -> None:
    assert MARIA.address == "mailto:u0maria01@users.slack.invalid"
    assert dataclasses.replace(MARIA, name="Maria R.", partstat="DECLINED").address == MARIA.address
    assert LUCA.address == "mailto:luca@example.com"


def test_nameless_person_has_no_cn() -> None:
    nameless = CalendarPerson("U0ANON001", "", None)
    vevent = read(invitation(meeting(attendees=(nameless,)), stamp=STAMP)).vevent
    [line] = vevent.attendee_list
    assert line.value == "mailto:u0anon001@users.slack.invalid"
    assert "CN" not in line.params


def test_sequence_bump_keeps_the_uid() -> None:
    first = read(invitation(meeting(sequence=0), stamp=STAMP)).vevent
    moved = meeting(sequence=1, starts=rome(2027, 4, 7, 15), ends=rome(2027, 4, 7, 16))
    second = read(invitation(moved, stamp=STAMP + timedelta(days=1))).vevent
    assert first.uid.value == second.uid.value == UID
    assert (first.sequence.value, second.sequence.value) == ("0", "1")
    assert utc(second.dtstart.value) == datetime(2027, 4, 7, 13, 0, tzinfo=UTC)
    assert second.dtstamp.value == STAMP + timedelta(days=1)


def test_output_is_deterministic_crlf_bytes() -> None:
    event = meeting(rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4", starts=rome(2027, 3, 2, 9), ends=rome(2027, 3, 2, 10))
    data = invitation(event, stamp=STAMP)
    assert data == invitation(event, stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_time_zone_is_bounded_and_described() -> None:
    data = invitation(meeting(), stamp=STAMP)
    calendar = read(data)
    [zone] = calendar.vtimezone_list
    assert zone.tzid.value == "Europe/Rome"
    observances = [child for child in zone.getChildren() if child.name in {"STANDARD", "DAYLIGHT"}]
    assert 2 <= len(observances) < 20
    assert data.count(b"BEGIN:STANDARD") + data.count(b"BEGIN:DAYLIGHT") == len(observances)
    starts = sorted(child.dtstart.value for child in observances)
    assert starts[0].year == 2027
    assert starts[-1].year == 2027
    # The zone comes before the event that names it.
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_open_ended_rule_still_gets_a_bounded_zone() -> None:
    event = meeting(rrule="FREQ=DAILY", starts=rome(2027, 3, 1, 8), ends=rome(2027, 3, 1, 8, 15))
    data = invitation(event, stamp=STAMP)
    zone = read(data).vtimezone
    observances = [child for child in zone.getChildren() if child.name in {"STANDARD", "DAYLIGHT"}]
    assert len(observances) < 20
    assert len(data) < 4000  # the 1970-2038 default alone would be some 2.7 kB of transitions


def test_each_zone_once_in_sorted_order() -> None:
    rome_meeting = meeting()
    new_york = meeting(uid="meeting-43-T0OPS0001@ops-assistant", zone="America/New_York")
    data = feed("Ops", [rome_meeting, new_york, dataclasses.replace(rome_meeting, uid="m-44")], stamp=STAMP)
    zones = [zone.tzid.value for zone in read(data).vtimezone_list]
    assert zones == ["America/New_York", "Europe/Rome"]
    [_, ny_event, _] = read(data).vevent_list
    assert tzids(data, "dtstart") == ["Europe/Rome", "America/New_York", "Europe/Rome"]
    assert ny_event.dtstart.value.replace(tzinfo=None) == datetime(2027, 4, 6, 3, 0)  # noqa: DTZ001 - wall clock
    assert utc(ny_event.dtstart.value) == datetime(2027, 4, 6, 7, 0, tzinfo=UTC)


def test_utc_zone_is_written_as_z_without_a_timezone() -> None:
    data = invitation(meeting(zone="UTC"), stamp=STAMP)
    assert b"BEGIN:VTIMEZONE" not in data
    assert b"DTSTART:20270406T070000Z\r\n" in data
    assert utc(read(data).vevent.dtstart.value) == datetime(2027, 4, 6, 7, 0, tzinfo=UTC)


# --- cancellation --------------------------------------------------------------------------------------------------


def test_cancellation_reads_back_with_vobject() -> None:
    first = invitation(meeting(sequence=0), stamp=STAMP)
    data = cancellation(meeting(sequence=1), stamp=STAMP + timedelta(hours=2))
    calendar = read(data)
    assert calendar.method.value == "CANCEL"
    [vevent] = calendar.vevent_list
    assert vevent.uid.value == read(first).vevent.uid.value == UID
    assert vevent.sequence.value == "1"
    assert vevent.status.value == "CANCELLED"
    assert utc(vevent.dtstart.value) == datetime(2027, 4, 6, 7, 0, tzinfo=UTC)
    assert vevent.dtstamp.value == STAMP + timedelta(hours=2)
    assert vevent.organizer.value == "mailto:giulia@example.com"
    attendees = by_address(vevent)
    assert set(attendees) == {"mailto:u0maria01@users.slack.invalid", "mailto:luca@example.com"}
    assert all(params["RSVP"] == ["FALSE"] for params in attendees.values())
    assert attendees["mailto:luca@example.com"]["PARTSTAT"] == ["ACCEPTED"]


def test_cancelling_a_series_cancels_the_master_only() -> None:
    event = meeting(
        sequence=3,
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8",
        starts=rome(2027, 3, 1, 9),
        ends=rome(2027, 3, 1, 10),
        overrides=(Override(rome(2027, 3, 8, 9), starts=rome(2027, 3, 9, 9)),),
    )
    calendar = read(cancellation(event, stamp=STAMP))
    [vevent] = calendar.vevent_list
    assert vevent.status.value == "CANCELLED"
    assert vevent.sequence.value == "3"
    assert not hasattr(vevent, "recurrence_id")
    assert vevent.rrule.value == "FREQ=WEEKLY;COUNT=8;BYDAY=MO"


# --- feed ----------------------------------------------------------------------------------------------------------


def test_feed_has_no_method_and_a_name() -> None:
    shift = CalendarEvent(
        uid="shift-7-T0OPS0001@ops-assistant",
        sequence=2,
        summary="Turno cassa",
        starts=rome(2027, 4, 10, 14),
        ends=rome(2027, 4, 10, 20),
        zone="Europe/Rome",
        organizer=None,
    )
    dropped = meeting(uid="meeting-9-T0OPS0001@ops-assistant", cancelled=True, sequence=4)
    data = feed("Turni, Negozio è aperto", [shift, meeting(), dropped], stamp=STAMP)
    assert b"METHOD" not in data
    calendar = read(data)
    assert not hasattr(calendar, "method")
    assert calendar.x_wr_calname.value == "Turni, Negozio è aperto"
    assert "X-WR-CALNAME:Turni\\, Negozio è aperto\r\n".encode() in data
    assert [vevent.uid.value for vevent in calendar.vevent_list] == [shift.uid, UID, dropped.uid]
    shift_event, meeting_event, dropped_event = calendar.vevent_list
    assert not hasattr(shift_event, "organizer")
    assert not hasattr(shift_event, "attendee")
    assert shift_event.transp.value == "OPAQUE"
    assert shift_event.sequence.value == "2"
    assert utc(shift_event.dtstart.value) == datetime(2027, 4, 10, 12, 0, tzinfo=UTC)
    assert utc(shift_event.dtend.value) == datetime(2027, 4, 10, 18, 0, tzinfo=UTC)
    assert all(params["RSVP"] == ["FALSE"] for params in by_address(meeting_event).values())
    assert meeting_event.status.value == "CONFIRMED"
    assert dropped_event.status.value == "CANCELLED"


def test_transparent_event_is_transparent() -> None:
    data = feed("Ops", [meeting(transparent=True)], stamp=STAMP)
    assert read(data).vevent.transp.value == "TRANSPARENT"


def test_feed_refuses_a_uid_twice() -> None:
    with pytest.raises(ValueError, match="UID"):
        feed("Ops", [meeting(), meeting()], stamp=STAMP)


# --- recurrence ----------------------------------------------------------------------------------------------------


WEEKLY = meeting(
    rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8",  # 1 March to 19 April 2027: crosses 28 March (CET → CEST)
    starts=rome(2027, 3, 1, 9),
    ends=rome(2027, 3, 1, 10),
    overrides=(
        Override(rome(2027, 3, 22, 9), starts=rome(2027, 3, 23, 15), ends=rome(2027, 3, 23, 16, 30)),
        Override(rome(2027, 4, 5, 9), cancelled=True),
    ),
)
DAILY = meeting(
    uid="standup-5-T0OPS0001@ops-assistant",
    rrule="FREQ=DAILY;COUNT=10",  # 24 March to 2 April 2027
    starts=rome(2027, 3, 24, 8, 30),
    ends=rome(2027, 3, 24, 8, 45),
    overrides=(
        Override(rome(2027, 3, 29, 8, 30), starts=rome(2027, 3, 29, 11)),  # keeps the 15 minutes
        Override(rome(2027, 3, 27, 8, 30), cancelled=True),
    ),
)
WEEKLY_UNTIL = meeting(
    uid="review-6-T0OPS0001@ops-assistant",
    rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20270426T090000",  # a local UNTIL: written in UTC in the file
    starts=rome(2027, 3, 1, 9),
    ends=rome(2027, 3, 1, 10),
    overrides=(Override(rome(2027, 4, 12, 9), cancelled=True),),
)


def expected_occurrences(event: CalendarEvent) -> list[tuple[datetime, datetime]]:
    """(start, end) instants the bot means: its own expansion, moved ones moved, cancelled ones gone."""
    assert event.rrule is not None
    local_start = event.starts.astimezone(ZoneInfo(event.zone)).replace(tzinfo=None)
    recurrence = Recurrence(event.rrule, event.zone, local_start)
    instants = recurrence.occurrences_after(event.starts - timedelta(seconds=1), limit=500)
    assert instants[0] == event.starts
    duration = event.ends - event.starts
    changes = {override.recurrence_id: override for override in event.overrides}
    found = []
    for instant in instants:
        override = changes.get(instant)
        if override is None:
            found.append((instant, instant + duration))
        elif not override.cancelled:
            assert override.starts is not None
            found.append((override.starts, override.ends or override.starts + duration))
    return sorted(found)


def occurrences_in_file(data: bytes) -> list[tuple[datetime, datetime]]:
    parsed = icalendar.Calendar.from_ical(data)
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
    found = recurring_ical_events.of(parsed).between(*window)
    return sorted((utc(event["DTSTART"].dt), utc(event["DTEND"].dt)) for event in found)


@pytest.mark.parametrize("event", [WEEKLY, DAILY, WEEKLY_UNTIL], ids=["weekly-count", "daily-count", "weekly-until"])
@pytest.mark.parametrize("write", ["invitation", "feed"])
def test_occurrences_match_the_bots_expansion(event: CalendarEvent, write: str) -> None:
    data = invitation(event, stamp=STAMP) if write == "invitation" else feed("Ops", [event], stamp=STAMP)
    assert occurrences_in_file(data) == expected_occurrences(event)


def test_weekly_series_keeps_nine_local_across_dst() -> None:
    found = occurrences_in_file(invitation(WEEKLY, stamp=STAMP))
    starts = [start for start, _ in found]
    assert [start.astimezone(ROME).strftime("%m-%d %H:%M") for start in starts] == [
        "03-01 09:00",
        "03-08 09:00",
        "03-15 09:00",
        "03-23 15:00",  # moved from Monday 22 March
        "03-29 09:00",  # after the change to summer time: 07:00 UTC instead of 08:00
        "04-12 09:00",  # 5 April cancelled
        "04-19 09:00",
    ]
    assert starts[0] == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert starts[4] == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert found[3] == (datetime(2027, 3, 23, 14, 0, tzinfo=UTC), datetime(2027, 3, 23, 15, 30, tzinfo=UTC))


def test_daily_series_moved_and_cancelled_days() -> None:
    found = occurrences_in_file(feed("Ops", [DAILY], stamp=STAMP))
    assert len(found) == 9
    by_day = {start.astimezone(ROME).date().day: (start, end) for start, end in found}
    assert 27 not in by_day
    assert by_day[29] == (datetime(2027, 3, 29, 9, 0, tzinfo=UTC), datetime(2027, 3, 29, 9, 15, tzinfo=UTC))
    assert by_day[26][0] == datetime(2027, 3, 26, 7, 30, tzinfo=UTC)  # 08:30 CET
    assert by_day[28][0] == datetime(2027, 3, 28, 6, 30, tzinfo=UTC)  # 08:30 CEST, on the day of the change


def test_recurring_file_reads_back_with_vobject() -> None:
    data = invitation(WEEKLY, stamp=STAMP)
    calendar = read(data)
    master, moved = calendar.vevent_list
    assert master.uid.value == moved.uid.value == UID
    assert master.rrule.value == "FREQ=WEEKLY;COUNT=8;BYDAY=MO"
    assert not hasattr(master, "recurrence_id")
    [exdate] = master.exdate_list
    assert tzids(data, "exdate") == tzids(data, "recurrence-id") == ["Europe/Rome"]
    assert [utc(value) for value in exdate.value] == [datetime(2027, 4, 5, 7, 0, tzinfo=UTC)]
    assert moved.recurrence_id.value.replace(tzinfo=None) == datetime(2027, 3, 22, 9, 0)  # noqa: DTZ001 - wall clock
    assert utc(moved.recurrence_id.value) == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    assert utc(moved.dtstart.value) == datetime(2027, 3, 23, 14, 0, tzinfo=UTC)
    assert utc(moved.dtend.value) == datetime(2027, 3, 23, 15, 30, tzinfo=UTC)
    assert moved.summary.value == master.summary.value == "Riunione: caffè, più; tè"
    assert set(by_address(moved)) == set(by_address(master))
    # vobject's own expansion of the master agrees that 5 April is excluded and 29 March is at 07:00 UTC.
    expanded = [utc(value) for value in master.getrruleset(addRDate=True)]
    assert datetime(2027, 4, 5, 7, 0, tzinfo=UTC) not in expanded
    assert datetime(2027, 3, 29, 7, 0, tzinfo=UTC) in expanded
    assert len(expanded) == 7


def test_local_until_is_written_in_utc() -> None:
    data = invitation(WEEKLY_UNTIL, stamp=STAMP)
    master = read(data).vevent
    assert master.rrule.value == "FREQ=WEEKLY;UNTIL=20270426T070000Z;BYDAY=MO"
    assert occurrences_in_file(data)[-1][0] == datetime(2027, 4, 26, 7, 0, tzinfo=UTC)


# --- refusals ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organizer": None}, "organizer"),
        ({"cancelled": True}, "cancellation"),
        ({"starts": datetime(2027, 4, 6, 9, 0)}, "timezone-aware"),  # noqa: DTZ001 - the mistake under test
        ({"ends": rome(2027, 4, 6, 8)}, "ends before"),
        ({"zone": "Europe/Atlantis"}, "IANA"),
        ({"overrides": (Override(rome(2027, 4, 6, 9), cancelled=True),)}, "recurring"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO"}, "not an occurrence"),  # 6 April 2027 is a Tuesday
        ({"attendees": (CalendarPerson("U1", "X", None, "MAYBE"),)}, "PARTSTAT"),
    ],
)
def test_invitation_refuses(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        invitation(meeting(**changes), stamp=STAMP)


@pytest.mark.parametrize(
    "overrides",
    [
        (Override(rome(2027, 3, 2, 9), cancelled=True),),  # not an occurrence (a Tuesday)
        (Override(rome(2027, 3, 8, 9)),),  # neither moved nor cancelled
        (Override(rome(2027, 3, 8, 9), cancelled=True), Override(rome(2027, 3, 8, 9), cancelled=True)),
    ],
)
def test_bad_overrides_are_refused(overrides: Sequence[Override]) -> None:
    with pytest.raises(ValueError, match=UID):
        invitation(dataclasses.replace(WEEKLY, overrides=tuple(overrides)), stamp=STAMP)


def test_cancellation_needs_an_organizer() -> None:
    with pytest.raises(ValueError, match="organizer"):
        cancellation(meeting(organizer=None), stamp=STAMP)
