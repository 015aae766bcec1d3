"""What people read: Block Kit replies in both languages, within Slack's limits, and Slack date tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.audit import AuditEntry
from bot.domain.capabilities import CAPABILITIES, Capability
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import LANGUAGES, Language
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role
from bot.domain.workspace import Setting, WorkspaceSettings
from bot.i18n import Words, translator
from bot.parsing.admin import MAX_AUDIT_LIMIT
from bot.rendering.blocks import (
    Reply,
    audit_list,
    config_view,
    help_overview,
    help_topic,
    problem,
    unknown_command,
)
from bot.rendering.home import home_view
from bot.rendering.time import minutes_text, slack_date

ROME = ZoneInfo("Europe/Rome")
TEAM = TeamId("T0TEAM")
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_HEADER = 150


def _words(language: Language) -> Words:
    return translator().bind(language)


def _actor(language: Language = "en", role: Role = Role.ADMIN) -> Actor:
    return Actor(team=TEAM, user=UserId("U0ADMIN"), role=role, language=language, timezone=ROME)


def _text_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") in {"plain_text", "mrkdwn"} and "text" in node:
            yield node
        for value in node.values():
            yield from _text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from _text_objects(item)


def _all_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(obj["text"] for obj in _text_objects(blocks))


def _assert_within_slack_limits(blocks: list[dict[str, Any]], max_blocks: int = MAX_MESSAGE_BLOCKS) -> None:
    assert 0 < len(blocks) <= max_blocks
    for obj in _text_objects(blocks):
        assert 0 < len(obj["text"]) <= MAX_TEXT, f"a text object of {len(obj['text'])} characters"
    for block in blocks:
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= MAX_HEADER
            assert block["text"]["type"] == "plain_text"
        if block["type"] == "section":
            assert block.get("text", {}).get("text") or block.get("fields"), f"an empty section: {block}"
            assert len(block.get("fields", [])) <= 10


def _message(reply: Reply) -> dict[str, Any]:
    message = reply.as_message()
    assert message["text"]
    return message


# --- help -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_overview_names_every_capability(language: Language) -> None:
    words = _words(language)
    message = _message(help_overview(words))
    _assert_within_slack_limits(message["blocks"])
    shown = _all_text(message["blocks"])
    # `help` itself is the page being read, so it is not listed in it.
    for capability in (c for c in CAPABILITIES if c.id != "help"):
        name = translator().text(language, f"cap.{capability.id}.name")
        assert name in shown, f"{capability.id} ({name}) missing from the {language} help"
        assert translator().text(language, f"cap.{capability.id}.example") in shown
        assert name in message["text"]


def test_help_overview_in_italian_is_italian() -> None:
    english = _all_text(_message(help_overview(_words("en")))["blocks"])
    italian = _all_text(_message(help_overview(_words("it")))["blocks"])
    assert italian != english
    assert translator().text("it", "help.title") in italian


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("capability", CAPABILITIES, ids=lambda c: c.id)
def test_help_topic(language: Language, capability: Capability) -> None:
    message = _message(help_topic(_words(language), capability))
    _assert_within_slack_limits(message["blocks"])
    shown = _all_text(message["blocks"])
    assert message["blocks"][0]["type"] == "header"
    assert message["blocks"][0]["text"]["text"] == translator().text(language, f"cap.{capability.id}.name")
    assert translator().text(language, f"cap.{capability.id}.summary") in shown
    assert translator().text(language, f"cap.{capability.id}.detail") in shown
    name = translator().text(language, f"cap.{capability.id}.name")
    coming = translator().text(language, "help.topic_coming_soon", capability=name)
    assert (coming in shown) is (not capability.available)


# --- errors and unknown commands ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_command_with_suggestion(language: Language) -> None:
    message = _message(unknown_command(_words(language), "tsak", "task"))
    _assert_within_slack_limits(message["blocks"])
    expected = translator().text(language, "router.unknown_with_suggestion", typed="tsak", suggestion="task")
    assert message["text"] == expected
    assert expected in _all_text(message["blocks"])
    assert "`/ops task`" in message["text"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_command_without_suggestion(language: Language) -> None:
    message = _message(unknown_command(_words(language), "xyzzy", None))
    expected = translator().text(language, "router.unknown", typed="xyzzy")
    assert message["text"] == expected
    shown = _all_text(message["blocks"])
    assert expected in shown
    assert translator().text(language, "help.see_help") in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_problem_shows_what_was_wrong_and_the_example(language: Language) -> None:
    words = _words(language)
    reply = problem(words, Msg.of("role.error.not_a_person", text="maria"), Msg.of("role.example.assign"))
    message = _message(reply)
    _assert_within_slack_limits(message["blocks"])
    shown = _all_text(message["blocks"])
    assert translator().text(language, "role.error.not_a_person", text="maria") in shown
    assert translator().text(language, "role.example.assign") in shown
    assert message["blocks"][-1]["type"] == "context"


def test_problem_without_example_has_no_example_line() -> None:
    message = _message(problem(_words("en"), Msg.of("config.error.escalation_range"), None))
    assert [block["type"] for block in message["blocks"]] == ["section"]
    assert translator().text("en", "config.error.escalation_range") in message["text"]


# --- audit ----------------------------------------------------------------------------------------------------


def _entries(count: int, target_length: int) -> list[AuditEntry]:
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    return [
        AuditEntry(
            team=TEAM,
            actor=UserId(f"U{index:04d}"),
            action="config.change",
            target=f"target-{index}-" + "x" * target_length,
            at=start - timedelta(minutes=index),
            details={"setting": "timezone", "before": "UTC", "after": "Europe/Rome"},
        )
        for index in range(count)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("target_length", [20, 600, 1600, 4000])
def test_audit_list_of_200_long_entries_stays_within_limits(language: Language, target_length: int) -> None:
    message = _message(audit_list(_words(language), _actor(language), _entries(200, target_length)))
    _assert_within_slack_limits(message["blocks"])
    assert message["blocks"][0]["type"] == "header"
    assert "<!date^" in _all_text(message["blocks"])


def test_audit_list_of_the_most_entries_a_person_can_ask_for_stays_within_limits() -> None:
    # `/ops audit 50` is the largest request the parser lets through.
    message = _message(audit_list(_words("en"), _actor(), _entries(MAX_AUDIT_LIMIT, 1600)))
    _assert_within_slack_limits(message["blocks"])


def test_audit_entry_longer_than_a_text_object_leaves_no_empty_section() -> None:
    message = _message(audit_list(_words("en"), _actor(), _entries(3, 3500)))
    _assert_within_slack_limits(message["blocks"])
    assert message["blocks"][0]["type"] == "header"
    assert "<!date^" in _all_text(message["blocks"])


def test_audit_list_shows_each_entry_with_a_date_token() -> None:
    entries = _entries(3, 5)
    message = _message(audit_list(_words("en"), _actor(), entries))
    shown = _all_text(message["blocks"])
    for entry in entries:
        assert f"<@{entry.actor}>" in shown
        assert entry.target in shown
        assert slack_date(entry.at, ROME) in shown
    assert "`config.change`" in shown
    assert "before: UTC" in shown
    assert len(re.findall(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+>", shown)) == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_audit_list(language: Language) -> None:
    message = _message(audit_list(_words(language), _actor(language), []))
    assert message["text"] == translator().text(language, "audit.empty")


# --- config ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_config_view_shows_every_setting(language: Language) -> None:
    settings = WorkspaceSettings(
        team=TEAM,
        timezone="Europe/Rome",
        language="it",
        cases_channel=ChannelId("C0CASES"),
        stock_channel=None,
        digest_channel=ChannelId("C0DIGEST"),
        task_escalation=timedelta(minutes=90),
        case_escalation=timedelta(days=1),
    )
    message = _message(config_view(_words(language), settings))
    _assert_within_slack_limits(message["blocks"])
    shown = _all_text(message["blocks"])
    for setting in Setting:
        assert translator().text(language, f"config.setting.{setting.value}") in shown
        assert f"`{setting.value}`" in shown
    assert "Europe/Rome" in shown
    assert translator().text(language, "language.it") in shown
    assert "<#C0CASES>" in shown
    assert "<#C0DIGEST>" in shown
    assert translator().text(language, "config.not_set") in shown
    assert translator().text(language, "config.after_delay", delay="1h30m") in shown
    assert translator().text(language, "config.after_delay", delay="1d") in shown


# --- time -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        (
            datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
            ROME,
            "<!date^1782900000^{date_short_pretty} {time}|2026-07-01 12:00 CEST>",
        ),
        (
            datetime(2026, 1, 15, 7, 30, tzinfo=UTC),
            ROME,
            "<!date^1768462200^{date_short_pretty} {time}|2026-01-15 08:30 CET>",
        ),
        (
            datetime(2026, 1, 15, 8, 30, tzinfo=ROME),
            ZoneInfo("America/New_York"),
            "<!date^1768462200^{date_short_pretty} {time}|2026-01-15 02:30 EST>",
        ),
        (
            datetime(2026, 1, 15, 7, 30, tzinfo=UTC),
            ZoneInfo("UTC"),
            "<!date^1768462200^{date_short_pretty} {time}|2026-01-15 07:30 UTC>",
        ),
    ],
)
def test_slack_date(instant: datetime, zone: ZoneInfo, expected: str) -> None:
    assert slack_date(instant, zone) == expected


def test_slack_date_refuses_naive_datetimes() -> None:
    naive = datetime(2026, 7, 1, 10, 0)  # noqa: DTZ001 — the point of the test
    with pytest.raises(ValueError, match="timezone-aware"):
        slack_date(naive, ROME)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=59), "0m"),
        (timedelta(minutes=5), "5m"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=1, hours=2, minutes=3), "1d2h3m"),
        (timedelta(days=7), "7d"),
        (timedelta(days=2, minutes=1), "2d1m"),
    ],
)
def test_minutes_text(delta: timedelta, expected: str) -> None:
    assert minutes_text(delta) == expected


# --- App Home -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(Role))
def test_home_view(language: Language, role: Role) -> None:
    view = home_view(_words(language), _actor(language, role))
    assert view["type"] == "home"
    _assert_within_slack_limits(view["blocks"], max_blocks=MAX_VIEW_BLOCKS)
    shown = _all_text(view["blocks"])
    assert "<@U0ADMIN>" in shown
    assert translator().msg(language, role.label()) in shown
    assert "Europe/Rome" in shown
    for key in ("home.button.task", "home.button.meeting", "home.button.case", "home.button.feedback"):
        assert translator().text(language, key) in shown
    assert translator().text(language, "help.see_help") in shown  # the footer: short, pointing to help
