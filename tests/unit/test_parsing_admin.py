"""`/ops role|config|audit|help` text and the token helpers, as tables of input and expected result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.ids import ChannelId, UserId
from bot.domain.language import Language
from bot.domain.roles import Role
from bot.domain.workspace import Setting
from bot.i18n import translator
from bot.parsing.admin import (
    AssignRole,
    ChangeConfig,
    ShowAudit,
    ShowConfig,
    ShowHelp,
    ShowRoles,
    parse_audit,
    parse_config,
    parse_help,
    parse_role,
)
from bot.parsing.errors import ParseError
from bot.parsing.tokens import channel_mention, closest, duration, split_first, user_mention


def _strip_command(example: str, subcommand: str) -> str:
    prefix = f"/ops {subcommand}"
    assert example.startswith(prefix), example
    return example.removeprefix(prefix)


# --- /ops role ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ShowRoles()),
        ("   ", ShowRoles()),
        ("<@U123|maria> manager", AssignRole(UserId("U123"), Role.MANAGER)),
        ("<@U123> admin", AssignRole(UserId("U123"), Role.ADMIN)),
        ("<@W0ABC|luca> staff", AssignRole(UserId("W0ABC"), Role.STAFF)),
        ("<@U123|maria> MANAGER", AssignRole(UserId("U123"), Role.MANAGER)),
        ("<@U123|maria> responsabile", AssignRole(UserId("U123"), Role.MANAGER)),
        ("<@U123|maria> Amministratore", AssignRole(UserId("U123"), Role.ADMIN)),
        ("<@U123|maria> personale", AssignRole(UserId("U123"), Role.STAFF)),
        ("  <@U123|maria>   staff  ", AssignRole(UserId("U123"), Role.STAFF)),
    ],
)
def test_parse_role_understands(text: str, expected: ShowRoles | AssignRole) -> None:
    assert parse_role(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        ("<@U123|maria>", "role.error.usage", {}),
        ("<@U123|maria> manager please", "role.error.usage", {}),
        ("manager <@U123|maria> extra", "role.error.usage", {}),
        ("maria manager", "role.error.not_a_person", {"text": "maria"}),
        ("@maria manager", "role.error.not_a_person", {"text": "@maria"}),
        ("<#C123|ops> manager", "role.error.not_a_person", {"text": "<#C123|ops>"}),
        ("<@U123|maria> boss", "role.error.unknown_role", {"text": "boss", "roles": "staff, manager, admin"}),
        ("<@U123> capo", "role.error.unknown_role", {"text": "capo"}),
    ],
)
def test_parse_role_refuses_with_example(text: str, key: str, params: dict[str, str]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_role(text)
    assert caught.value.message.key == key
    assert params.items() <= dict(caught.value.message.params).items()
    assert caught.value.example is not None
    assert caught.value.example.key == "role.example.assign"


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_role_example_shown_is_itself_a_valid_command(language: Language) -> None:
    # The example says `@giulia`; in Slack that arrives as an escaped mention.
    example = translator().text(language, "role.example.assign")
    text = _strip_command(example, "role").replace("@giulia", "<@U0GIULIA|giulia>")
    assert parse_role(text) == AssignRole(UserId("U0GIULIA"), Role.MANAGER)


# --- /ops config ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ShowConfig()),
        ("  ", ShowConfig()),
        ("timezone Europe/Rome", ChangeConfig(Setting.TIMEZONE, "Europe/Rome")),
        ("timezone europe/rome", ChangeConfig(Setting.TIMEZONE, "Europe/Rome")),
        ("TIMEZONE AMERICA/NEW_YORK", ChangeConfig(Setting.TIMEZONE, "America/New_York")),
        ("tz utc", ChangeConfig(Setting.TIMEZONE, "UTC")),
        ("fuso Europe/Rome", ChangeConfig(Setting.TIMEZONE, "Europe/Rome")),
        ("Fuso   europe/rome  ", ChangeConfig(Setting.TIMEZONE, "Europe/Rome")),
        ("language it", ChangeConfig(Setting.LANGUAGE, "it")),
        ("lingua italiano", ChangeConfig(Setting.LANGUAGE, "it")),
        ("lingua Inglese", ChangeConfig(Setting.LANGUAGE, "en")),
        ("lang EN", ChangeConfig(Setting.LANGUAGE, "en")),
        ("language english", ChangeConfig(Setting.LANGUAGE, "en")),
        ("cases-channel <#C123|customer-cases>", ChangeConfig(Setting.CASES_CHANNEL, ChannelId("C123"))),
        ("stock-channel <#C0STOCK>", ChangeConfig(Setting.STOCK_CHANNEL, ChannelId("C0STOCK"))),
        ("digest-channel <#G42|private-ops>", ChangeConfig(Setting.DIGEST_CHANNEL, ChannelId("G42"))),
        ("cases-channel off", ChangeConfig(Setting.CASES_CHANNEL, None)),
        ("stock-channel OFF", ChangeConfig(Setting.STOCK_CHANNEL, None)),
        ("digest-channel none", ChangeConfig(Setting.DIGEST_CHANNEL, None)),
        ("digest-channel nessuno", ChangeConfig(Setting.DIGEST_CHANNEL, None)),
        ("task-escalation 90m", ChangeConfig(Setting.TASK_ESCALATION, timedelta(minutes=90))),
        ("task-escalation 2h30m", ChangeConfig(Setting.TASK_ESCALATION, timedelta(hours=2, minutes=30))),
        ("case-escalation 1 hour", ChangeConfig(Setting.CASE_ESCALATION, timedelta(hours=1))),
        ("case-escalation 2 ore", ChangeConfig(Setting.CASE_ESCALATION, timedelta(hours=2))),
    ],
)
def test_parse_config_understands(text: str, expected: ShowConfig | ChangeConfig) -> None:
    assert parse_config(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "params", "example"),
    [
        ("colour blue", "config.error.unknown_setting", {"text": "colour"}, "config.example.timezone"),
        (
            "timzone Europe/Rome",
            "config.error.unknown_setting_with_suggestion",
            {"suggestion": "timezone"},
            "config.example.timezone",
        ),
        ("xyzzy 1", "config.error.unknown_setting", {"text": "xyzzy"}, "config.example.timezone"),
        ("timezone", "config.error.missing_value", {"setting": "timezone"}, "config.example.timezone"),
        ("lingua", "config.error.missing_value", {"setting": "language"}, "config.example.language"),
        ("task-escalation", "config.error.missing_value", {"setting": "task-escalation"}, "config.example.escalation"),
        ("cases-channel", "config.error.missing_value", {"setting": "cases-channel"}, "config.example.channel"),
        ("timezone Mars/Olympus", "config.error.timezone", {"text": "Mars/Olympus"}, "config.example.timezone"),
        ("fuso +02:00", "config.error.timezone", {"text": "+02:00"}, "config.example.timezone"),
        ("language fr", "config.error.language_word", {"text": "fr", "languages": "en, it"}, "config.example.language"),
        ("lingua francese", "config.error.language_word", {"text": "francese"}, "config.example.language"),
        ("task-escalation soon", "config.error.duration", {"text": "soon"}, "config.example.escalation"),
        ("case-escalation 1x", "config.error.duration", {"text": "1x"}, "config.example.escalation"),
        ("cases-channel #ops", "config.error.channel", {"text": "#ops"}, "config.example.channel"),
        ("stock-channel <@U123|maria>", "config.error.channel", {"text": "<@U123|maria>"}, "config.example.channel"),
        ("digest-channel ops", "config.error.channel", {"text": "ops"}, "config.example.channel"),
    ],
)
def test_parse_config_refuses_with_example(text: str, key: str, params: dict[str, str], example: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_config(text)
    assert caught.value.message.key == key
    assert params.items() <= dict(caught.value.message.params).items()
    assert caught.value.example is not None
    assert caught.value.example.key == example


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("config.example.timezone", ChangeConfig(Setting.TIMEZONE, "Europe/Rome")),
        ("config.example.language", ChangeConfig(Setting.LANGUAGE, "it")),
        ("config.example.escalation", ChangeConfig(Setting.TASK_ESCALATION, timedelta(minutes=90))),
    ],
)
def test_the_config_examples_shown_are_themselves_valid(language: Language, key: str, expected: ChangeConfig) -> None:
    example = translator().text(language, key)
    assert parse_config(_strip_command(example, "config")) == expected


# --- /ops audit -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit"),
    [("", 20), ("  ", 20), ("1", 1), ("20", 20), (" 50 ", 50), ("07", 7)],
)
def test_parse_audit_understands(text: str, limit: int) -> None:
    assert parse_audit(text) == ShowAudit(limit=limit)


@pytest.mark.parametrize("text", ["0", "51", "1000", "-1", "ten", "10 20", "2.5", "²", "1²"])
def test_parse_audit_refuses_with_example(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_audit(text)
    assert caught.value.message.key == "audit.error.usage"
    assert caught.value.message.params["most"] == 50
    assert caught.value.example is not None
    assert caught.value.example.key == "audit.example"


# --- /ops help ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "topic"),
    [("", None), ("   ", None), ("tasks", "tasks"), ("  Turni  ", "turni"), ("TASK add more words", "task")],
)
def test_parse_help(text: str, topic: str | None) -> None:
    assert parse_help(text) == ShowHelp(topic=topic)


# --- tokens ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "")),
        ("   ", ("", "")),
        ("help", ("help", "")),
        ("Timezone Europe/Rome", ("timezone", "Europe/Rome")),
        ("  config   timezone   Europe/Rome  ", ("config", "timezone   Europe/Rome")),
        ("TASK add Order Napkins", ("task", "add Order Napkins")),
        ("lingua\nit", ("lingua", "it")),
        ("timezone\tEurope/Rome", ("timezone", "Europe/Rome")),
    ],
)
def test_split_first(text: str, expected: tuple[str, str]) -> None:
    assert split_first(text) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("<@U123|maria>", "U123"),
        ("<@U123>", "U123"),
        ("<@W0ABCDEF|luca.rossi>", "W0ABCDEF"),
        ("<@U123|>", "U123"),
        ("@maria", None),
        ("U123", None),
        ("<@u123>", None),
        ("<@U1>", None),
        ("<#C123|ops>", None),
        ("<@U123|maria", None),
        ("x<@U123>", None),
        ("", None),
    ],
)
def test_user_mention(token: str, expected: str | None) -> None:
    assert user_mention(token) == expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("<#C123|ops>", "C123"),
        ("<#C123>", "C123"),
        ("<#G0PRIVATE|secret-ops>", "G0PRIVATE"),
        ("<#D0DM>", "D0DM"),
        ("#ops", None),
        ("C123", None),
        ("<@U123|maria>", None),
        ("<#c123>", None),
        ("<#C123|ops", None),
        ("", None),
    ],
)
def test_channel_mention(token: str, expected: str | None) -> None:
    assert channel_mention(token) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        ("1h", timedelta(hours=1)),
        ("2h30m", timedelta(hours=2, minutes=30)),
        ("2h 30m", timedelta(hours=2, minutes=30)),
        ("1 hour", timedelta(hours=1)),
        ("3 hours", timedelta(hours=3)),
        ("45 minuti", timedelta(minutes=45)),
        ("1 minuto", timedelta(minutes=1)),
        ("10 minutes", timedelta(minutes=10)),
        ("15 min", timedelta(minutes=15)),
        ("2 ore", timedelta(hours=2)),
        ("1 ora", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("3 giorni", timedelta(days=3)),
        ("1 giorno", timedelta(days=1)),
        ("2 days", timedelta(days=2)),
        ("1H", timedelta(hours=1)),
        ("  1d 2h 3m  ", timedelta(days=1, hours=2, minutes=3)),
        ("0m", timedelta(0)),
    ],
)
def test_duration_reads(text: str, expected: timedelta) -> None:
    assert duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["abc", "1x", "h", "", "   ", "90", "m90", "1h and 2m", "1 month", "1h30", "in 1h", "1.5h", "-1h", "99999m"],
)
def test_duration_refuses_what_is_not_a_duration(text: str) -> None:
    assert duration(text) is None


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("timzone", ["timezone", "language"], "timezone"),
        ("TIMZONE", ["timezone", "language"], "timezone"),
        ("lingu", ["timezone", "lingua"], "lingua"),
        ("tsk", ["task", "meeting"], "task"),
        ("xyzzy", ["timezone", "language"], None),
        ("anything", [], None),
    ],
)
def test_closest(word: str, choices: list[str], expected: str | None) -> None:
    assert closest(word, choices) == expected
