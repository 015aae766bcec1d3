"""Domain rules: roles, workspace settings, profiles, the manual clock, and settings from the environment."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_DATABASE_URL, DEFAULT_SLACK_API_URL, SettingsError, load_settings
from bot.domain.clock import ManualClock
from bot.domain.errors import InvalidRequest, NotAllowed
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.people import PROFILE_TTL, Profile
from bot.domain.roles import Actor, Role
from bot.domain.workspace import Setting, WorkspaceSettings

TEAM = TeamId("T0TEAM")
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

# --- roles ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("holder", "needed", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True),
        (Role.ADMIN, Role.MANAGER, True),
        (Role.ADMIN, Role.STAFF, True),
        (Role.MANAGER, Role.ADMIN, False),
        (Role.MANAGER, Role.MANAGER, True),
        (Role.MANAGER, Role.STAFF, True),
        (Role.STAFF, Role.ADMIN, False),
        (Role.STAFF, Role.MANAGER, False),
        (Role.STAFF, Role.STAFF, True),
    ],
)
def test_role_includes(holder: Role, needed: Role, allowed: bool) -> None:
    assert holder.includes(needed) is allowed


def _actor(role: Role) -> Actor:
    return Actor(team=TEAM, user=UserId("U0ME"), role=role, language="en", timezone=ROME)


@pytest.mark.parametrize(
    ("holder", "needed"),
    [(Role.STAFF, Role.MANAGER), (Role.STAFF, Role.ADMIN), (Role.MANAGER, Role.ADMIN)],
)
def test_require_refuses_naming_the_role_needed(holder: Role, needed: Role) -> None:
    action = Msg.of("action.change_roles")
    with pytest.raises(NotAllowed) as caught:
        _actor(holder).require(needed, action=action)
    message = caught.value.message
    assert message.key == "error.role_needed"
    assert message.params["role"] == Msg.of(f"role.{needed.value}")
    assert message.params["yours"] == Msg.of(f"role.{holder.value}")
    assert message.params["action"] == action


@pytest.mark.parametrize(
    ("holder", "needed"),
    [(Role.ADMIN, Role.ADMIN), (Role.ADMIN, Role.STAFF), (Role.MANAGER, Role.MANAGER), (Role.STAFF, Role.STAFF)],
)
def test_require_lets_enough_rank_through(holder: Role, needed: Role) -> None:
    _actor(holder).require(needed, action=Msg.of("action.read_audit"))


# --- workspace settings ---------------------------------------------------------------------------------------


@pytest.fixture
def workspace() -> WorkspaceSettings:
    return WorkspaceSettings.defaults(TEAM, timezone="UTC", language="en")


def test_defaults(workspace: WorkspaceSettings) -> None:
    assert workspace.zone == ZoneInfo("UTC")
    assert workspace.task_escalation == timedelta(hours=1)
    assert workspace.case_escalation == timedelta(hours=1)
    assert workspace.cases_channel is None
    assert workspace.stock_channel is None
    assert workspace.digest_channel is None


@pytest.mark.parametrize("setting", [Setting.TASK_ESCALATION, Setting.CASE_ESCALATION])
@pytest.mark.parametrize(
    "delay", [timedelta(minutes=5), timedelta(minutes=90), timedelta(days=1), timedelta(days=7)], ids=str
)
def test_escalation_within_range_is_kept(workspace: WorkspaceSettings, setting: Setting, delay: timedelta) -> None:
    changed = workspace.with_value(setting, delay)
    assert changed.value_of(setting) == delay
    assert workspace.value_of(setting) == timedelta(hours=1)  # the original is untouched


@pytest.mark.parametrize("setting", [Setting.TASK_ESCALATION, Setting.CASE_ESCALATION])
@pytest.mark.parametrize(
    "delay",
    [
        timedelta(0),
        timedelta(minutes=4, seconds=59),
        timedelta(minutes=-10),
        timedelta(days=7, minutes=1),
        timedelta(days=30),
        "90m",
        None,
    ],
    ids=repr,
)
def test_escalation_outside_range_is_refused(
    workspace: WorkspaceSettings, setting: Setting, delay: timedelta | str | None
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        workspace.with_value(setting, delay)
    assert caught.value.message.key == "config.error.escalation_range"
    assert caught.value.example == Msg.of("config.example.escalation")


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        (Setting.CASES_CHANNEL, "cases_channel"),
        (Setting.STOCK_CHANNEL, "stock_channel"),
        (Setting.DIGEST_CHANNEL, "digest_channel"),
    ],
)
def test_channels_set_and_cleared(workspace: WorkspaceSettings, setting: Setting, field: str) -> None:
    with_channel = workspace.with_value(setting, ChannelId("C0OPS"))
    assert getattr(with_channel, field) == "C0OPS"
    assert with_channel.value_of(setting) == "C0OPS"
    cleared = with_channel.with_value(setting, None)
    assert getattr(cleared, field) is None
    assert cleared == workspace


def test_language_and_timezone(workspace: WorkspaceSettings) -> None:
    changed = workspace.with_value(Setting.LANGUAGE, "it").with_value(Setting.TIMEZONE, "Europe/Rome")
    assert changed.language == "it"
    assert changed.value_of(Setting.LANGUAGE) == "it"
    assert changed.zone == ROME


@pytest.mark.parametrize("language", ["fr", "EN", "italiano"])
def test_unknown_language_is_refused(workspace: WorkspaceSettings, language: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        workspace.with_value(Setting.LANGUAGE, language)
    assert caught.value.message.key == "config.error.language"
    assert caught.value.example == Msg.of("config.example.language")


# --- people ---------------------------------------------------------------------------------------------------


def _profile(timezone: str | None, fetched_at: datetime = NOW) -> Profile:
    return Profile(
        team=TEAM,
        user=UserId("U0MARIA"),
        name="maria",
        timezone=timezone,
        locale="it-IT",
        is_admin=False,
        is_owner=False,
        is_bot=False,
        fetched_at=fetched_at,
    )


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("Europe/Rome", ROME),
        ("America/New_York", ZoneInfo("America/New_York")),
        (None, ZoneInfo("UTC")),
        ("", ZoneInfo("UTC")),
        ("Mars/Olympus", ZoneInfo("UTC")),
        ("Europe/", ZoneInfo("UTC")),
        ("../etc/passwd", ZoneInfo("UTC")),
        ("/etc/localtime", ZoneInfo("UTC")),
        ("Europe/Rome\x00", ZoneInfo("UTC")),
        ("Europe/" + "x" * 300, ZoneInfo("UTC")),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_profile_zone_falls_back_for_a_bad_or_missing_zone(timezone: str | None, expected: ZoneInfo) -> None:
    assert _profile(timezone).zone(ZoneInfo("UTC")) == expected


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (timedelta(0), True),
        (timedelta(hours=1), True),
        (PROFILE_TTL - timedelta(seconds=1), True),
        (PROFILE_TTL, False),
        (timedelta(days=3), False),
    ],
    ids=str,
)
def test_profile_is_fresh(age: timedelta, fresh: bool) -> None:
    assert _profile("Europe/Rome", fetched_at=NOW - age).is_fresh(NOW) is fresh


# --- clock ----------------------------------------------------------------------------------------------------


def test_manual_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 1, 1, 9, 0))  # noqa: DTZ001 — the point of the test


def test_manual_clock_refuses_a_naive_instant() -> None:
    clock = ManualClock(NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 1, 1, 9, 0))  # noqa: DTZ001 — the point of the test
    assert clock.now() == NOW


def test_manual_clock_moves_only_when_told_and_speaks_utc() -> None:
    clock = ManualClock(datetime(2026, 11, 30, 9, 0, tzinfo=ROME))
    assert clock.now() == NOW
    assert clock.now().tzinfo == UTC
    assert clock.now() == clock.now()
    clock.advance(timedelta(minutes=15))
    assert clock.now() == NOW + timedelta(minutes=15)
    clock.set(datetime(2027, 1, 1, 0, 0, tzinfo=ROME))
    assert clock.now() == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC


# --- settings from the environment ----------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "OPS_")) or name in {"DATABASE_URL", "PORT"}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_settings_defaults(env: pytest.MonkeyPatch) -> None:
    settings = load_settings(env_file=None)
    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.ops_default_timezone == "UTC"
    assert settings.ops_language == "en"
    assert settings.port == 3000


def test_settings_read_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-123-abc")
    env.setenv("SLACK_APP_TOKEN", "xapp-1-abc")
    env.setenv("SLACK_SIGNING_SECRET", "s3cr3t")
    env.setenv("OPS_DEFAULT_TIMEZONE", "Europe/Rome")
    env.setenv("OPS_LANGUAGE", "it")
    env.setenv("DATABASE_URL", "postgresql://ops@db/ops")
    env.setenv("PORT", "8080")
    settings = load_settings(env_file=None)
    assert settings.secret("slack_bot_token") == "xoxb-123-abc"
    assert settings.secret("slack_app_token") == "xapp-1-abc"
    assert settings.secret("slack_signing_secret") == "s3cr3t"
    assert "xoxb-123-abc" not in repr(settings)
    assert settings.ops_default_timezone == "Europe/Rome"
    assert settings.ops_language == "it"
    assert settings.database_url == "postgresql://ops@db/ops"
    assert settings.port == 8080


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8123/api", "http://127.0.0.1:8123/api/"),
        ("http://127.0.0.1:8123/api/", "http://127.0.0.1:8123/api/"),
        ("https://slack.com/api", "https://slack.com/api/"),
    ],
)
def test_slack_api_url_gets_a_trailing_slash(env: pytest.MonkeyPatch, url: str, expected: str) -> None:
    env.setenv("SLACK_API_URL", url)
    assert load_settings(env_file=None).slack_api_url == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-secret"),
        ("SLACK_BOT_TOKEN", "not-a-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("OPS_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("OPS_DEFAULT_TIMEZONE", "Europe/" + "x" * 300),
        ("OPS_LANGUAGE", "fr"),
        ("SLACK_API_URL", "slack.com/api"),
        ("DATABASE_URL", "mysql://ops@db/ops"),
        ("PORT", "70000"),
        ("PORT", "three thousand"),
    ],
    ids=lambda value: value[:30],
)
def test_a_bad_setting_is_named_in_one_line(env: pytest.MonkeyPatch, variable: str, value: str) -> None:
    env.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert message.startswith(f"{variable} is not valid: expected ")
    assert "\n" not in message
    if variable.startswith("SLACK_") and "TOKEN" in variable:
        assert value not in message  # a secret never reaches the output


def test_settings_read_a_dotenv_file_when_asked(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    dotenv = tmp_path / "custom.env"
    dotenv.write_text("OPS_LANGUAGE=it\nSLACK_API_URL=http://localhost:9/api\n", encoding="utf-8")
    settings = load_settings(env_file=dotenv)
    assert settings.ops_language == "it"
    assert settings.slack_api_url == "http://localhost:9/api/"
