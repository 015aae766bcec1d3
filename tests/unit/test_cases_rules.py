"""Case text, masking and business-hours targets."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.case_service import business_deadline
from bot.domain.cases import ArrivedBy, CaseKind, CaseStatus, Customer, Severity, parse_case_id
from bot.domain.people_time import WorkingHours
from bot.parsing import cases as parse
from bot.parsing.errors import ParseError

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (
            CaseKind.COMPLAINT,
            "Cold food served at table 4 — Anna Neri, +39 333 1234567, in person",
            ("Cold food served at table 4", Customer("Anna Neri", "+39 333 1234567", ""), ArrivedBy.IN_PERSON),
        ),
        (
            CaseKind.QUESTION,
            "Do you have gluten-free pasta? — from email anna@example.com",
            ("Do you have gluten-free pasta?", Customer("", "", "anna@example.com"), ArrivedBy.EMAIL),
        ),
        (
            CaseKind.COMPLAINT,
            "Conto sbagliato #cassa — Marco, telefono",
            ("Conto sbagliato", Customer("Marco", "", ""), ArrivedBy.PHONE),
        ),
        (CaseKind.QUESTION, "Are you open on Monday?", ("Are you open on Monday?", Customer(), ArrivedBy.IN_PERSON)),
    ],
)
def test_a_case_is_read_from_one_line(kind: CaseKind, text: str, expected: tuple[str, Customer, ArrivedBy]) -> None:
    found = parse.parse_new_case(kind, text)
    assert isinstance(found, parse.NewCase)
    assert (found.description, found.customer, found.arrived_by) == expected


def test_severity_and_category_and_the_form() -> None:
    found = parse.parse_new_case(CaseKind.COMPLAINT, "Waited 40 minutes high #service — Marco")
    assert isinstance(found, parse.NewCase)
    assert (found.severity, found.category, found.description) == (Severity.HIGH, "service", "Waited 40 minutes")
    assert parse.parse_new_case(CaseKind.QUESTION, "  ") == parse.OpenForm(CaseKind.QUESTION)
    with pytest.raises(ParseError):
        parse.parse_new_case(CaseKind.COMPLAINT, "#kitchen — Anna")


def test_case_commands() -> None:
    assert parse.parse_case_command("C-17") == parse.ShowCase(17)
    assert parse.parse_case_command("c17 close") == parse.CaseAction(17, "status", status=CaseStatus.CLOSED)
    assert parse.parse_case_command("C-3 riapri") == parse.CaseAction(3, "status", status=CaseStatus.IN_PROGRESS)
    assert parse.parse_case_command("C-3 reply We are open") == parse.CaseAction(3, "reply", "We are open")
    assert parse.parse_case_command("list mine") == parse.ListCases("mine")
    assert parse.parse_case_command("waiting 3d 7d") == parse.SetWaiting(timedelta(days=3), timedelta(days=7))
    assert parse.parse_case_command("targets low 1d 7d") == parse.SetTargets(
        Severity.LOW, timedelta(days=1), timedelta(days=7)
    )
    assert parse.parse_case_command("emoji :sos:") == parse.SetEmoji("sos")
    for bad in ("seventeen", "C-1 dance", "targets high 1h", "emoji <b>"):
        with pytest.raises(ParseError):
            parse.parse_case_command(bad)
    assert parse.parse_forget("forget Anna@example.com") == "Anna@example.com"
    assert parse_case_id("#C-42") == 42


def test_contact_details_are_masked() -> None:
    masked = Customer("Anna Neri", "+39 333 1234567", "anna@example.com").masked()
    assert masked == Customer("Anna \u2026", "***67", "a***@example.com")


def test_targets_count_business_hours_only_when_the_workspace_has_them() -> None:
    friday_4pm = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 16:00 in Rome
    hours = WorkingHours(time(9), time(17), (0, 1, 2, 3, 4))
    assert business_deadline(friday_4pm, timedelta(hours=4), None, ROME) == friday_4pm + timedelta(hours=4)
    # One hour left on Friday, three more from 09:00 on Monday: Monday 12:00 in Rome.
    assert business_deadline(friday_4pm, timedelta(hours=4), hours, ROME) == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert business_deadline(saturday, timedelta(hours=1), hours, ROME) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_case_text_is_a_case_a_form_or_a_parse_error(text: str) -> None:
    try:
        found = parse.parse_new_case(CaseKind.COMPLAINT, text)
    except ParseError as error:
        assert error.example is not None  # noqa: PT017 - the error must carry a correct example
        return
    assert isinstance(found, parse.NewCase | parse.OpenForm)
