"""The idempotency key of each request, read from payloads captured from real Slack workspaces."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from handlers.middleware import request_key
from tests.shared_data import captured_payload_files

# Without the reference data the table is empty; test_the_captured_payloads_are_there then fails in CI.
PAYLOAD_FILES = captured_payload_files()


def _load(path: Path) -> dict[str, Any]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(payload, dict)
    return payload


def test_the_captured_payloads_are_there(shared_slack_dir: Path) -> None:
    files = sorted((shared_slack_dir / "payloads").glob("*.json"))
    kinds = {_load(path)["type"] for path in files}
    assert {"block_actions", "view_submission", "view_closed"} <= kinds
    assert len(files) == len(PAYLOAD_FILES)


@pytest.mark.parametrize("path", PAYLOAD_FILES, ids=lambda path: path.stem)
def test_interaction_payloads(path: Path) -> None:
    payload = _load(path)
    key = request_key(payload)
    assert key == request_key(copy.deepcopy(payload))  # the same request always has the same key
    if payload.get("trigger_id"):
        assert key == f"{payload['type']}:{payload['trigger_id']}"
    else:
        # view_closed carries no trigger_id: it cannot be told apart from a retry, so it is not deduplicated.
        assert payload["type"] == "view_closed"
        assert key is None


def test_different_interactions_have_different_keys(shared_slack_dir: Path) -> None:
    payloads = [_load(path) for path in sorted((shared_slack_dir / "payloads").glob("*.json"))]
    triggers = {p["trigger_id"] for p in payloads if p.get("trigger_id")}
    keys = {request_key(p) for p in payloads if p.get("trigger_id")}
    assert len(keys) == len(triggers)


def test_a_retried_interaction_has_the_same_key(shared_slack_dir: Path) -> None:
    first = _load(shared_slack_dir / "payloads" / "block_action_button.json")
    retry = copy.deepcopy(first)
    retry["actions"] = first.get("actions", [])
    assert request_key(retry) == request_key(first)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "type": "event_callback",
                "team_id": "T0TEAM",
                "event_id": "Ev0123ABCD",
                "event": {"type": "app_mention", "user": "U0MARIA", "text": "<@U0BOT> help", "ts": "1.2"},
            },
            "event:Ev0123ABCD",
        ),
        (
            {
                "type": "event_callback",
                "team_id": "T0TEAM",
                "event_id": "Ev0HOME",
                "event": {"type": "app_home_opened", "user": "U0MARIA", "tab": "home"},
            },
            "event:Ev0HOME",
        ),
        ({"type": "event_callback", "team_id": "T0TEAM", "event": {"type": "message"}}, None),
        (
            {
                "type": "message_action",
                "callback_id": "log_case",
                "trigger_id": "999.888.shortcut",
                "team": {"id": "T0TEAM"},
            },
            "message_action:999.888.shortcut",
        ),
        ({"type": "url_verification", "challenge": "abc"}, None),
        ({}, None),
    ],
)
def test_synthetic_bodies(body: dict[str, Any], expected: str | None) -> None:
    assert request_key(body) == expected


SLASH_COMMAND = {
    "token": "verification",
    "team_id": "T0TEAM",
    "user_id": "U0MARIA",
    "command": "/ops",
    "text": "help",
    "response_url": "https://hooks.slack.com/commands/T0TEAM/1/abc",
    "trigger_id": "1234.5678.abcdef",
}


def test_a_slash_command_gets_no_ledger_key() -> None:
    # Slack never redelivers a slash command, so recording one would only cost a write on the busiest path.
    assert request_key(dict(SLASH_COMMAND)) is None


def test_a_command_and_an_interaction_with_the_same_trigger_do_not_collide() -> None:
    action = {"type": "block_actions", "trigger_id": SLASH_COMMAND["trigger_id"]}
    assert request_key(action) == "block_actions:1234.5678.abcdef"
    assert request_key(dict(SLASH_COMMAND)) != request_key(action)
