"""`/ops checklist …` text: typed items in English and Italian, schedules with deadlines, and never a crash."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.checklists import ItemKind
from bot.parsing.checklists import (
    AddItem,
    CreateChecklist,
    ExportRecord,
    ListChecklists,
    RemoveItem,
    ScheduleChecklist,
    ShowChecklist,
    parse_checklist_command,
    parse_number,
)
from bot.parsing.errors import ParseError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ROME = ZoneInfo("Europe/Rome")


def parse(text: str) -> object:
    return parse_checklist_command(text, now=NOW, zone=ROME)


@pytest.mark.parametrize(
    ("text", "head", "kind", "low", "high", "unit"),
    [
        ("add Opening Turn on the ovens", "Opening Turn on the ovens", ItemKind.CHECK, None, None, None),
        ("add Opening Turn on the ovens yes/no", "Opening Turn on the ovens", ItemKind.CHECK, None, None, None),
        ("add Opening Fridge temperature number 0-5 °C", "Opening Fridge temperature", ItemKind.NUMBER, "0", "5", "°C"),
        ("aggiungi Apertura Frigo numero 0-5 °C", "Apertura Frigo", ItemKind.NUMBER, "0", "5", "°C"),
        ("add Opening Fridge 0\u20135 °C", "Opening Fridge", ItemKind.NUMBER, "0", "5", "°C"),
        ("add Opening Freezer number -20 to -15 °C", "Opening Freezer", ItemKind.NUMBER, "-20", "-15", "°C"),
        ("add Opening Freezer numero -20 a -15°C", "Opening Freezer", ItemKind.NUMBER, "-20", "-15", "°C"),
        ("add Opening Oil number 0,5..1,5 l", "Opening Oil", ItemKind.NUMBER, "0.5", "1.5", "l"),
        ("add Opening Covers number", "Opening Covers", ItemKind.NUMBER, None, None, None),
        ("add Opening Notes note", "Opening Notes", ItemKind.NOTE, None, None, None),
        ("add Chiusura Note nota", "Chiusura Note", ItemKind.NOTE, None, None, None),
        ("add Opening Check shelves 1-3", "Opening Check shelves 1-3", ItemKind.CHECK, None, None, None),
        ("add Opening", "Opening", ItemKind.CHECK, None, None, None),
    ],
)
def test_typed_items(text: str, head: str, kind: ItemKind, low: str | None, high: str | None, unit: str | None) -> None:
    parsed = parse(text)
    assert isinstance(parsed, AddItem)
    assert parsed.text == head
    assert parsed.spec.kind is kind
    assert parsed.spec.minimum == (Decimal(low) if low else None)
    assert parsed.spec.maximum == (Decimal(high) if high else None)
    assert parsed.spec.unit == unit
    assert all(isinstance(v, Decimal) for v in (parsed.spec.minimum, parsed.spec.maximum) if v is not None)


@pytest.mark.parametrize(
    ("text", "channel", "deadline", "start"),
    [
        ("schedule Opening every day at 7:30 in <#C0OPS0001|ops> due 8:00", "C0OPS0001", time(8), "07:30"),
        ("schedule Opening every day at 7:30 in <#C0OPS0001|ops>", "C0OPS0001", None, "07:30"),
        ("schedule Opening every day at 7:30 due 8 in <#C0OPS0001>", "C0OPS0001", time(8), "07:30"),
        ("schedule Big Opening every weekday at 7 due 7:45am", None, time(7, 45), "07:00"),
        ("pianifica Apertura ogni giorno alle 7:30 in <#C0OPS0001|ops> entro le 8:00", "C0OPS0001", time(8), "07:30"),
        (
            "pianifica Chiusura ogni lunedì alle 22 nel <#C0OPS0001|ops> scadenza 23.15",
            "C0OPS0001",
            time(23, 15),
            "22:00",
        ),
    ],
)
def test_schedules(text: str, channel: str | None, deadline: time | None, start: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, ScheduleChecklist)
    assert parsed.channel == channel
    assert parsed.deadline == deadline
    assert f"{parsed.every.recurrence.local_start:%H:%M}" == start
    assert parsed.every.recurrence.zone == "Europe/Rome"


def test_other_commands() -> None:
    assert parse("") == ListChecklists()
    assert parse("list") == ListChecklists()
    assert parse("create Closing bar") == CreateChecklist("Closing bar")
    assert parse("crea Chiusura") == CreateChecklist("Chiusura")
    assert parse("show Opening") == ShowChecklist("Opening")
    assert parse("Opening") == ShowChecklist("Opening")
    assert parse("remove Opening 3") == RemoveItem("Opening", 3)
    assert parse("export Opening 2026-11") == ExportRecord("Opening", (2026, 11))
    assert parse("esporta Opening") == ExportRecord("Opening", None)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("create", "checklist.error.no_name"),
        ("schedule Opening sometimes in <#C0OPS0001|ops>", "checklist.error.no_every"),
        ("schedule every day at 7 in <#C0OPS0001|ops>", "checklist.error.no_name"),
        ("schedule Opening every day at 7 in #ops", "checklist.error.channel"),
        ("schedule Opening every day at 7 in <#C0OPS0001|ops> due 25:00", "checklist.error.bad_deadline"),
        ("schedule Opening every day at 7 in <#C0OPS0001|ops> due 13pm", "checklist.error.bad_deadline"),
        ("schedule Opening every hour in <#C0OPS0001|ops>", "dates.error.too_often"),
        ("export Opening 2026-13", "checklist.error.bad_month"),
        ("remove Opening", "checklist.error.remove_needs_number"),
    ],
)
def test_errors_say_what_and_show_an_example(text: str, key: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert raised.value.message.key == key
    assert raised.value.example is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", "4"), ("4.5", "4.5"), ("4,5", "4.5"), ("-18", "-18"), ("\u221218", "-18"), (" 3 °C ", "3"), ("+2", "2")],
)
def test_readings(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "warm", "4.5.6", "1e5", "NaN", "4 5"])
def test_unreadable_readings(text: str) -> None:
    with pytest.raises(ParseError):
        parse_number(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_a_command_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):  # a helpful refusal is fine; any other exception fails
        parse(text)
        parse("add " + text)
        parse("schedule " + text)
        parse_number(text)
