"""The management words of `/ops meeting` (move, cancel, poll, agenda, minutes, rooms, calendar) and the meeting
form's values, in English and Italian."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import meeting_commands as manage
from bot.parsing.errors import ParseError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Rome
ROME = ZoneInfo("Europe/Rome")


def test_move_and_cancel_a_meeting_or_one_occurrence() -> None:
    assert manage.parse_manage("move", "42 to friday 10:00", now=NOW, zone=ROME) == manage.MoveMeeting(
        42, datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    )
    assert manage.parse_manage("sposta", "42 a venerdì alle 10", now=NOW, zone=ROME) == manage.MoveMeeting(
        42, datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    )
    assert manage.parse_manage("move", "#7 on 2026-12-07 to 2026-12-08 10:00", now=NOW, zone=ROME) == (
        manage.MoveMeeting(7, datetime(2026, 12, 8, 9, 0, tzinfo=UTC), date(2026, 12, 7))
    )
    assert manage.parse_manage("cancel", "42", now=NOW, zone=ROME) == manage.CancelMeeting(42)
    assert manage.parse_manage("annulla", "42 il 2026-12-14", now=NOW, zone=ROME) == manage.CancelMeeting(
        42, date(2026, 12, 14)
    )
    assert manage.parse_manage("list", "", now=NOW, zone=ROME) == manage.ListMeetings()


@pytest.mark.parametrize("text", ["42", "to friday", "forty-two to friday 10:00", "42 to someday"])
def test_an_unreadable_move_says_why_with_an_example(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        manage.parse_manage("move", text, now=NOW, zone=ROME)
    assert caught.value.example is not None


def test_polls_agenda_minutes_rooms_and_the_calendar() -> None:
    poll = manage.split_poll("Menu tasting with <@U0MARIA01> for 1h options friday 15:00 / monday 10:00 | tue 9")
    assert poll == manage.PollText("Menu tasting with <@U0MARIA01> for 1h", ("friday 15:00", "monday 10:00", "tue 9"))
    assert manage.split_poll("Degustazione opzioni venerdì 15:00 oppure lunedì 10").options == (
        "venerdì 15:00",
        "lunedì 10",
    )
    with pytest.raises(ParseError):
        manage.split_poll("Menu tasting friday 15:00")
    assert manage.parse_agenda("42 Discuss the new supplier") == manage.AddAgenda(42, "Discuss the new supplier")
    with pytest.raises(ParseError):
        manage.parse_agenda("Discuss the new supplier")
    assert manage.parse_minutes("") is None
    assert manage.parse_minutes("#42") == 42
    assert manage.parse_room("add Room 2 capacity 8") == manage.AddRoom("Room 2", 8)
    assert manage.parse_room("aggiungi Sala Grande capienza 20 persone") == manage.AddRoom("Sala Grande", 20)
    assert manage.parse_room("add Terrace") == manage.AddRoom("Terrace", None)
    assert manage.parse_room("") == manage.ListRooms()
    assert manage.parse_calendar("") is False
    assert manage.parse_calendar("reimposta") is True
    with pytest.raises(ParseError):
        manage.parse_calendar("delete everything")


def _form(**fields: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": {"value": {"type": "plain_text_input", "value": "Inventory review"}},
        "date": {"value": {"type": "datepicker", "selected_date": "2026-12-02"}},
        "start": {"value": {"type": "timepicker", "selected_time": "11:00"}},
        "duration": {"value": {"type": "static_select", "selected_option": {"value": "45"}}},
        "attendees": {"value": {"type": "multi_users_select", "selected_users": ["U0SAM0001"]}},
        "place": {"value": {"type": "plain_text_input", "value": "  Back   office "}},
        "agenda": {"value": {"type": "plain_text_input", "value": "- Count the freezer\n\n• New supplier"}},
        "lead": {"value": {"type": "static_select", "selected_option": {"value": "30"}}},
        "channel": {"value": {"type": "channels_select", "selected_channel": None}},
    }
    values.update(fields)
    return values


def test_the_meeting_form_is_read_on_the_writers_clock() -> None:
    form = manage.read_form(_form(), now=NOW, zone=ROME)
    assert form.starts == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert (form.duration, form.lead, form.place, form.agenda, form.channel) == (
        timedelta(minutes=45),
        timedelta(minutes=30),
        "Back office",
        ("Count the freezer", "New supplier"),
        None,
    )
    with pytest.raises(manage.FormErrors) as caught:
        manage.read_form(
            _form(
                title={"value": {"value": " "}},
                date={"value": {"selected_date": "2026-11-29"}},
                attendees={"value": {"selected_users": []}},
            ),
            now=NOW,
            zone=ROME,
        )
    assert sorted(caught.value.errors) == ["attendees", "date", "title"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_management_text_is_a_request_or_a_parse_error(text: str) -> None:
    readers = {
        "move": lambda: manage.parse_manage("move", text, now=NOW, zone=ROME),
        "cancel": lambda: manage.parse_manage("cancel", text, now=NOW, zone=ROME),
        "agenda": lambda: manage.parse_agenda(text),
        "minutes": lambda: manage.parse_minutes(text),
        "room": lambda: manage.parse_room(text),
        "calendar": lambda: manage.parse_calendar(text),
        "poll": lambda: manage.split_poll(text),
    }
    expected: dict[str, tuple[type, ...]] = {
        "move": (manage.MoveMeeting,),
        "cancel": (manage.CancelMeeting,),
        "agenda": (manage.AddAgenda,),
        "minutes": (int, type(None)),
        "room": (manage.AddRoom, manage.ListRooms),
        "calendar": (bool,),
        "poll": (manage.PollText,),
    }
    for name, read in readers.items():
        result: object
        try:
            result = read()
        except ParseError as error:
            result = error.example  # an unreadable text is answered with a correct example
            assert result is not None, name
            continue
        assert isinstance(result, expected[name]), name
