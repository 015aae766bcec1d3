"""`/ops task …` text → requests; any text gives a request or a ParseError, never a crash."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.ids import UserId
from bot.domain.tasks import Priority, Scope, TaskQuery
from bot.parsing.errors import ParseError
from bot.parsing.tasks import (
    AddTask,
    AssignTask,
    ChangeTask,
    DueTask,
    EditTask,
    ListTasks,
    ModalErrors,
    OpenModal,
    TaskHelp,
    parse_modal,
    parse_task_command,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Rome
ROME = ZoneInfo("Europe/Rome")


def parse(text: str) -> object:
    return parse_task_command(text, now=NOW, zone=ROME)


def test_add_with_everything() -> None:
    parsed = parse("add Order napkins <@U0MARIA01|maria> due friday 17:00 priority high #supplies <#C0SUP|kitchen>")
    assert isinstance(parsed, AddTask)
    draft = parsed.draft
    assert (draft.title, draft.assignee, draft.priority, draft.tags) == (
        "Order napkins",
        UserId("U0MARIA01"),
        Priority.HIGH,
        ("kitchen", "supplies"),
    )
    assert draft.due == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert draft.every is None


def test_add_recurring_and_italian() -> None:
    parsed = parse("add Pulire il frigo ogni lunedì alle 9 priorità alta")
    assert isinstance(parsed, AddTask)
    assert parsed.draft.every is not None
    assert parsed.draft.every.rule == "FREQ=WEEKLY;BYDAY=MO"
    assert parsed.draft.priority is Priority.HIGH
    assert parsed.every == "ogni lunedì alle 9"
    assert parsed.draft.due == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", TaskHelp()),
        ("add", OpenModal()),
        ("list", ListTasks(TaskQuery(Scope.MINE))),
        ("list all", ListTasks(TaskQuery(Scope.ALL))),
        ("list overdue", ListTasks(TaskQuery(Scope.OVERDUE))),
        ("list <@U0LUCA001|luca>", ListTasks(TaskQuery(Scope.PERSON, person=UserId("U0LUCA001")))),
        ("list #Supplies", ListTasks(TaskQuery(Scope.TAG, tag="supplies"))),
        ("done 12", ChangeTask("done", 12)),
        ("done #12", ChangeTask("done", 12)),
        ("reopen 12", ChangeTask("reopen", 12)),
        ("delete 12", ChangeTask("delete", 12)),
        ("assign 12 <@U0LUCA001|luca>", AssignTask(12, UserId("U0LUCA001"))),
        ("due 12 friday 17:00", DueTask(12, datetime(2026, 12, 4, 16, 0, tzinfo=UTC))),
        ("due 12 venerdì alle 17", DueTask(12, datetime(2026, 12, 4, 16, 0, tzinfo=UTC))),
        ("due 12 none", DueTask(12, None)),
        ("edit 12 Order 200 napkins", EditTask(12, "Order 200 napkins")),
    ],
)
def test_commands(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("add due tomorrow 9:00", "task.error.no_title"),
        ("add Fix it due tomorrow at 25:00", "dates.error.unreadable"),
        ("add Open up due today 8:00", "dates.error.past"),
        ("add Fix it priority whenever", "task.error.priority"),
        ("add Fix it <@U0A1|a> <@U0B2|b>", "task.error.one_assignee"),
        ("done twelve", "task.error.no_number"),
        ("done 12 now", "task.error.extra"),
        ("assign 12 luca", "task.error.no_assignee"),
        ("due 12", "task.error.no_due"),
        ("due 12 yesterday-ish", "dates.error.unreadable"),
        ("edit 12", "task.error.no_title"),
        ("list everything", "task.error.list_filter"),
        ("frobnicate", "task.error.unknown"),
    ],
)
def test_errors_carry_an_example(text: str, key: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert raised.value.message.key == key
    assert raised.value.example is not None


def test_modal_values() -> None:
    values = {
        "task_title": {"title": {"type": "plain_text_input", "value": "  Mop   the floor "}},
        "task_assignee": {"assignee": {"type": "users_select", "selected_user": "U0SAM0001"}},
        "task_date": {"date": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "task_time": {"time": {"type": "timepicker", "selected_time": None}},
        "task_priority": {"priority": {"type": "static_select", "selected_option": {"value": "low"}}},
    }
    draft = parse_modal(values, now=NOW, zone=ROME, source_link="https://x.slack.com/archives/C1/p1")
    assert (draft.title, draft.assignee, draft.priority) == ("Mop the floor", UserId("U0SAM0001"), Priority.LOW)
    assert draft.due == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # no time: 09:00 in Rome
    with pytest.raises(ModalErrors) as raised:
        parse_modal({"task_date": {"date": {"type": "datepicker", "selected_date": "2026-11-01"}}}, now=NOW, zone=ROME)
    assert set(raised.value.errors) == {"task_title", "task_date"}


words = st.sampled_from(
    [
        "add",
        "list",
        "done",
        "due",
        "assign",
        "edit",
        "reopen",
        "delete",
        "12",
        "every",
        "ogni",
        "priority",
        "high",
        "#tag",
        "<@U0LUCA001|luca>",
        "<#C0X|x>",
        "tomorrow",
        "friday",
        "17:00",
        "alle",
        "venerdì",
        "none",
        "all",
        "@",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(words | st.text(max_size=8), max_size=8))
def test_any_text_gives_a_request_or_a_parse_error(parts: list[str]) -> None:
    with contextlib.suppress(ParseError):
        parse(" ".join(parts))
