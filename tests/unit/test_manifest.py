"""The Slack app manifest the bot prints is one Slack accepts, for HTTP and for Socket Mode."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.__main__ import main
from bot.domain.capabilities import shortcuts
from bot.domain.language import LANGUAGES, Language
from bot.i18n import translator
from bot.slack.manifest import build_manifest

BOT_EVENTS = {
    "app_mention",
    "message.im",
    "app_home_opened",
    "reaction_added",
    "app_uninstalled",
    "tokens_revoked",
}
ENV_PREFIXES = ("SLACK_", "OPS_")
ENV_NAMES = ("DATABASE_URL", "PORT")


@pytest.fixture(scope="module")
def validator(shared_slack_dir: Path) -> jsonschema.Draft7Validator:
    schema = json.loads((shared_slack_dir / "manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _problems(validator: jsonschema.Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    return sorted(
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(manifest)
    )


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No Slack secrets, database or .env from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES) or name in ENV_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    # main() calls logging.basicConfig; do not leave a handler on a captured stream behind.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


MODES = [
    pytest.param(False, "https://ops.example.org", id="http-url"),
    pytest.param(False, "https://ops.example.org/", id="http-url-slash"),
    pytest.param(False, None, id="http-placeholder"),
    pytest.param(True, None, id="socket"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("socket_mode", "base_url"), MODES)
def test_manifest_is_valid_for_slack(
    validator: jsonschema.Draft7Validator, language: Language, socket_mode: bool, base_url: str | None
) -> None:
    manifest = build_manifest(translator().bind(language), socket_mode=socket_mode, base_url=base_url)
    assert _problems(validator, manifest) == []


@pytest.mark.parametrize(("socket_mode", "base_url"), MODES)
def test_manifest_content(socket_mode: bool, base_url: str | None) -> None:
    manifest = build_manifest(translator().bind("en"), socket_mode=socket_mode, base_url=base_url)
    features, settings = manifest["features"], manifest["settings"]

    (command,) = features["slash_commands"]
    assert command["command"] == "/ops"
    assert command["should_escape"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == BOT_EVENTS
    assert len(settings["event_subscriptions"]["bot_events"]) == len(BOT_EVENTS)
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is socket_mode
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True

    urls = [command.get("url"), settings["event_subscriptions"].get("request_url")]
    urls.append(settings["interactivity"].get("request_url"))
    if socket_mode:
        assert urls == [None, None, None]
    else:
        expected_base = (base_url or "https://ops.example.com").rstrip("/")
        assert urls == [f"{expected_base}/slack/events"] * 3
        # OAuth mode sends installers back here (bot.slack.oauth serves it).
        assert manifest["oauth_config"]["redirect_urls"] == [f"{expected_base}/slack/oauth_redirect"]

    shortcut_rows = features["shortcuts"]
    assert {row["callback_id"] for row in shortcut_rows} == {s.callback_id for s in shortcuts()}
    assert shortcut_rows
    for row in shortcut_rows:
        assert row["type"] == "message"
        assert row["name"] == translator().text("en", f"shortcut.{row['callback_id']}.name")
        assert row["description"]


def test_manifest_asks_for_the_scopes_its_events_need() -> None:
    manifest = build_manifest(translator().bind("en"), socket_mode=False, base_url=None)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "im:history", "app_mentions:read", "reactions:read", "users:read"} <= scopes


# --- the CLI, in-process --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("clean_env", "keep_root_logging")
@pytest.mark.parametrize(
    ("argv", "socket_mode", "url"),
    [
        (["manifest", "--url", "https://ops.example.org"], False, "https://ops.example.org/slack/events"),
        (["manifest"], False, "https://ops.example.com/slack/events"),
        (["manifest", "--socket"], True, None),
    ],
)
def test_cli_prints_a_valid_manifest(
    validator: jsonschema.Draft7Validator,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    socket_mode: bool,
    url: str | None,
) -> None:
    assert main(argv) == 0
    printed = capsys.readouterr().out
    manifest = yaml.safe_load(printed)
    assert _problems(validator, manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is socket_mode
    assert manifest["settings"]["event_subscriptions"].get("request_url") == url
    assert manifest["features"]["slash_commands"][0]["should_escape"] is True
    # Without --url the placeholder is flagged for replacement, in a YAML comment.
    assert printed.startswith("#") is (argv == ["manifest"])


@pytest.mark.usefixtures("clean_env", "keep_root_logging")
def test_cli_manifest_in_italian(
    validator: jsonschema.Draft7Validator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPS_LANGUAGE", "it")
    assert main(["manifest", "--url", "https://ops.example.org"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["display_information"]["description"] == translator().text("it", "manifest.description")
    assert _problems(validator, manifest) == []


@pytest.mark.usefixtures("clean_env", "keep_root_logging")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("subcommand", ["run", "migrate", "manifest"])
def test_cli_subcommand_help(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], language: Language, subcommand: str
) -> None:
    monkeypatch.setenv("OPS_LANGUAGE", language)
    with pytest.raises(SystemExit) as exited:
        main([subcommand, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ops-assistant {subcommand}")


@pytest.mark.usefixtures("clean_env", "keep_root_logging")
def test_cli_top_level_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: ops-assistant")
    for subcommand in ("run", "migrate", "manifest"):
        assert subcommand in out


@pytest.mark.usefixtures("clean_env", "keep_root_logging")
def test_cli_reports_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-not-a-bot-token")
    assert main(["manifest"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [captured.err.strip()]
    assert "SLACK_BOT_TOKEN" in captured.err
    assert "xoxp-not-a-bot-token" not in captured.err
