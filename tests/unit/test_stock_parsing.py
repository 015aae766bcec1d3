"""`/ops stock …` text → typed requests (English and Italian), units and their conversion, and the rules of an
item's level: a table of inputs and what they mean, refusals with their message, and any text a request or a
ParseError, never a crash."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidRequest
from bot.domain.ids import ChannelId, TeamId
from bot.domain.stock import (
    Amount,
    ItemSettings,
    MovementKind,
    StockItem,
    convert,
    format_quantity,
    quantize,
    unit_of,
)
from bot.parsing.errors import ParseError
from bot.parsing.stock import (
    AddItem,
    ListStock,
    Move,
    Reorder,
    ScheduleTake,
    SetChannel,
    SetItem,
    SetSupplier,
    ShowHistory,
    parse_edit_form,
    parse_stock_command,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ROME = ZoneInfo("Europe/Rome")


def parse(text: str) -> object:
    return parse_stock_command(text, now=NOW, zone=ROME)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ListStock()),
        ("list", ListStock()),
        ("elenco", ListStock()),
        (
            "add flour 25 kg min 10 supplier Molino Rossi",
            AddItem("flour", Amount(Decimal(25), "kg"), ItemSettings(Amount(Decimal(10)), None, "Molino Rossi")),
        ),
        (
            "aggiungi farina 25kg min 10 kg obiettivo 30 fornitore Molino Rossi in cucina",
            AddItem(
                "farina",
                Amount(Decimal(25), "kg"),
                ItemSettings(Amount(Decimal(10), "kg"), Amount(Decimal(30)), "Molino Rossi", "cucina"),
            ),
        ),
        ("add napkins 200", AddItem("napkins", Amount(Decimal(200)), ItemSettings())),
        ("add olive oil 2,5 l at bar", AddItem("olive oil", Amount(Decimal("2.5"), "l"), ItemSettings(location="bar"))),
        ("set flour min 12 target 40", SetItem("flour", ItemSettings(Amount(Decimal(12)), Amount(Decimal(40))))),
        ("imposta farina in dispensa", SetItem("farina", ItemSettings(location="dispensa"))),
        ("use flour 3 kg", Move(MovementKind.USE, "flour", Amount(Decimal(3), "kg"))),
        ("use olive oil 250ml", Move(MovementKind.USE, "olive oil", Amount(Decimal(250), "ml"))),
        ("usa farina 1,5 kg", Move(MovementKind.USE, "farina", Amount(Decimal("1.5"), "kg"))),
        ("use eggs 12", Move(MovementKind.USE, "eggs", Amount(Decimal(12)))),
        ("use 7up cans 6", Move(MovementKind.USE, "7up cans", Amount(Decimal(6)))),
        ("receive flour 20 kg", Move(MovementKind.RECEIVE, "flour", Amount(Decimal(20), "kg"))),
        ("ricevi farina 20 kg", Move(MovementKind.RECEIVE, "farina", Amount(Decimal(20), "kg"))),
        ("count flour 12 kg", Move(MovementKind.COUNT, "flour", Amount(Decimal(12), "kg"))),
        ("conta farina 0", Move(MovementKind.COUNT, "farina", Amount(Decimal(0)))),
        ("history flour", ShowHistory("flour")),
        ("storico farina", ShowHistory("farina")),
        (
            "supplier Molino Rossi email ordini@molino.example lead 2 days",
            SetSupplier("Molino Rossi", "ordini@molino.example", 2),
        ),
        (
            "fornitore Molino Rossi email <mailto:Ordini@molino.example|Ordini@molino.example> consegna 3 giorni",
            SetSupplier("Molino Rossi", "ordini@molino.example", 3),
        ),
        ("supplier Carta lead 1d", SetSupplier("Carta", None, 1)),
        ("channel <#C0KITCHEN|kitchen>", SetChannel(ChannelId("C0KITCHEN"))),
        ("canale off", SetChannel(None)),
        ("reorder", Reorder()),
        ("riordina", Reorder()),
    ],
)
def test_commands(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_a_stock_take_uses_the_checklist_schedule_grammar() -> None:
    take = parse("take kitchen every friday at 18:00 in <#C0OPS0001|ops> due 19:00")
    assert isinstance(take, ScheduleTake)
    assert (take.location, take.channel, str(take.deadline)) == ("kitchen", "C0OPS0001", "19:00:00")
    assert take.every.recurrence.rule == "FREQ=WEEKLY;BYDAY=FR"
    assert take.every.first == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    italian = parse("inventario cucina ogni venerdì alle 18:00")
    assert isinstance(italian, ScheduleTake)
    assert (italian.location, italian.channel) == ("cucina", None)


@pytest.mark.parametrize(
    ("text", "key", "example"),
    [
        ("sell flour 3", "stock.error.verb", "stock.example.use"),
        ("use flour", "stock.error.no_quantity", "stock.example.use"),
        ("use", "stock.error.no_name", "stock.example.use"),
        ("add flour", "stock.error.no_quantity", "stock.example.add"),
        ("add flour 3 kg min", "stock.error.missing_value", "stock.example.add"),
        ("add flour 3 kg min lots", "stock.error.bad_level", "stock.example.add"),
        ("add flour 3 kg cheap", "stock.error.unexpected", "stock.example.add"),
        ("set flour", "stock.error.nothing_to_set", "stock.example.set"),
        ("history", "stock.error.no_name", "stock.example.history"),
        ("supplier Molino Rossi", "stock.error.supplier_nothing", "stock.example.supplier"),
        ("supplier email x@y.example", "stock.error.no_supplier", "stock.example.supplier"),
        ("supplier Carta lead soon", "stock.error.bad_lead", "stock.example.supplier"),
        ("channel #kitchen", "stock.error.channel", "stock.example.channel"),
        ("take kitchen", "checklist.error.no_every", "stock.example.take"),
    ],
)
def test_refusals_say_why_and_show_an_example(text: str, key: str, example: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert raised.value.message.key == key
    assert raised.value.example is not None
    assert raised.value.example.key == example


@given(st.text(max_size=80))
def test_any_text_is_a_request_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text)


@given(st.lists(st.sampled_from(["add", "use", "count", "flour", "3", "2,5", "kg", "min", "at", "in", "10g", "x"])))
def test_any_mix_of_stock_words_is_a_request_or_a_parse_error(words: list[str]) -> None:
    with contextlib.suppress(ParseError):
        parse(" ".join(words))


# ---- units -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "given", "wanted", "expected"),
    [
        ("500", "g", "kg", "0.5"),
        ("1.5", "kg", "g", "1500"),
        ("250", "ml", "l", "0.25"),
        ("33", "cl", "ml", "330"),
        ("2", "litri", "ml", "2000"),
        ("1", "dozen", "pcs", "12"),
        ("3", "pz", "pieces", "3"),
        ("2", "boxes", "boxes", "2"),
        ("1", "g", "kg", "0.001"),
        ("0.4", "g", "kg", "0.000"),  # below what is kept: rounds to three places
    ],
)
def test_same_dimension_converts(amount: str, given: str, wanted: str, expected: str) -> None:
    assert convert(Decimal(amount), unit_of(given), unit_of(wanted), item="x") == Decimal(expected)


@pytest.mark.parametrize(("given", "wanted"), [("kg", "l"), ("ml", "g"), ("pcs", "kg"), ("boxes", "bottles")])
def test_another_dimension_is_refused(given: str, wanted: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        convert(Decimal(1), unit_of(given), unit_of(wanted), item="flour")
    assert raised.value.message.key == "stock.error.unit_mismatch"
    assert raised.value.message.params == {"item": "flour", "typed": unit_of(given).name, "unit": unit_of(wanted).name}


def test_quantities_are_decimals_shown_without_noise() -> None:
    assert quantize(Decimal("2.5")) == Decimal("2.500")
    assert format_quantity(Decimal("2.500")) == "2.5"
    assert format_quantity(Decimal("50.000")) == "50"
    with pytest.raises(InvalidRequest):
        quantize(Decimal("1e20"))
    with pytest.raises(InvalidRequest):
        unit_of("a-very-long-unit-name")


def _item(quantity: str, minimum: str | None, target: str | None = None) -> StockItem:
    return StockItem(
        1,
        TeamId("T"),
        "flour",
        "kg",
        Decimal(quantity),
        Decimal(minimum) if minimum else None,
        Decimal(target) if target else None,
        None,
        None,
        None,
        False,
    )


def test_low_means_below_the_minimum_and_a_reorder_goes_back_to_the_target() -> None:
    assert _item("9.999", "10").is_low
    assert not _item("10", "10").is_low
    assert not _item("0", None).is_low
    assert _item("4", "10").to_order == Decimal(16)  # twice the minimum
    assert _item("4", "10", "30").to_order == Decimal(26)
    assert _item("40", "10", "30").to_order == Decimal(0)


def test_the_edit_form_reads_quantities_by_line() -> None:
    values = {
        "stock_line:7": {"quantity": {"type": "plain_text_input", "value": "18,5"}},
        "stock_line:8": {"quantity": {"type": "plain_text_input", "value": "lots"}},
        "other": {"x": {"value": "1"}},
    }
    quantities, errors = parse_edit_form(values)
    assert quantities == {7: Decimal("18.5")}
    assert list(errors) == ["stock_line:8"]
