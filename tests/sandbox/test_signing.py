"""Requests signed as Slack signs them are accepted by slack_sdk's verifier; forged and stale ones are not."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from bot.sandbox import signing
from bot.sandbox.workspace import Workspace

SECRET = "test-signing-secret"


def _valid(request: signing.SignedRequest, secret: str = SECRET) -> bool:
    return SignatureVerifier(secret).is_valid_request(request.body, request.headers)


def test_sign_matches_slack_sdk() -> None:
    body = b"token=x&text=hello"
    assert signing.sign(SECRET, 1531420618, body) == SignatureVerifier(SECRET).generate_signature(
        timestamp="1531420618", body=body
    )


FIELDS = {
    "token": "tok",
    "team_id": "T0OPS0001",
    "team_domain": "ops-demo",
    "channel_id": "C0OPS0001",
    "channel_name": "ops",
    "user_id": "U0MARIA01",
    "user_name": "maria",
    "command": "/ops",
    "text": "task add buy flour",
    "api_app_id": "A0OPS0001",
    "response_url": "http://127.0.0.1/response/x",
    "trigger_id": "1.2.abc",
}


def _command(
    secret: str = SECRET, *, timestamp: int | None = None, retry_num: int | None = None
) -> signing.SignedRequest:
    return signing.slash_command(secret, **FIELDS, timestamp=timestamp, retry_num=retry_num)


def test_slash_command_has_every_field_slack_sends_and_verifies() -> None:
    request = _command()
    fields = dict(parse_qsl(request.body.decode()))
    assert list(fields) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert fields["is_enterprise_install"] == "false"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "X-Slack-Retry-Num" not in request.headers
    assert _valid(request)


def test_forged_and_stale_requests_fail_verification() -> None:
    assert not _valid(_command("wrong-secret"))
    assert not _valid(_command(timestamp=int(time.time()) - 600))


def test_retry_headers() -> None:
    request = _command(retry_num=2)
    assert request.headers["X-Slack-Retry-Num"] == "2"
    assert request.headers["X-Slack-Retry-Reason"] == "http_timeout"


def test_interaction_is_form_encoded_json_payload() -> None:
    request = signing.interaction(SECRET, {"type": "block_actions", "actions": []})
    fields = dict(parse_qsl(request.body.decode()))
    assert json.loads(fields["payload"]) == {"type": "block_actions", "actions": []}
    assert _valid(request)


def test_event_callback_envelope() -> None:
    ws = Workspace.sample()
    request = signing.event_callback(
        SECRET,
        token="tok",
        team_id=ws.team_id,
        api_app_id=ws.app_id,
        bot_user_id=ws.bot_user_id,
        event={"type": "app_mention", "text": "hi"},
        event_id="Ev01",
        event_time=1700000000,
        event_context="4-x",
    )
    envelope = json.loads(request.body)
    assert request.headers["Content-Type"] == "application/json"
    assert {
        "token",
        "team_id",
        "api_app_id",
        "event",
        "type",
        "event_id",
        "event_time",
        "authorizations",
        "is_ext_shared_channel",
        "event_context",
    } <= set(envelope)
    assert envelope["type"] == "event_callback"
    assert envelope["authorizations"][0]["user_id"] == "U0BOT0001"
    assert _valid(request)


def test_url_verification() -> None:
    request = signing.url_verification(SECRET, token="tok", challenge="abc")
    assert json.loads(request.body) == {"token": "tok", "challenge": "abc", "type": "url_verification"}
    assert _valid(request)


def test_sample_workspace_ids() -> None:
    ws = Workspace.sample()
    assert (ws.team_id, ws.team_domain, ws.app_id, ws.bot_user_id, ws.bot_id) == (
        "T0OPS0001",
        "ops-demo",
        "A0OPS0001",
        "U0BOT0001",
        "B0BOT0001",
    )
    giulia = ws.user("U0GIULIA1")
    assert giulia is not None
    assert (giulia.is_owner, giulia.is_admin, giulia.tz, giulia.locale) == (True, True, "Europe/Rome", "it-IT")
    alex = ws.user("U0ADMIN02")
    assert alex is not None
    assert (alex.name, alex.is_admin, alex.is_owner, alex.tz) == ("alex", True, False, "Asia/Tokyo")
    assert ws.bot_user.is_bot
    ops = ws.channel("C0OPS0001")
    assert ops is not None
    assert set(ops.members) == {"U0GIULIA1", "U0MARIA01", "U0LUCA001", "U0BOT0001"}
    supplies = ws.channel("C0SUPPLY1")
    assert supplies is not None
    assert set(supplies.members) == {"U0MARIA01", "U0LUCA001"}
    kitchen = ws.usergroup("S0KITCHEN")
    assert kitchen is not None
    assert kitchen.handle == "kitchen"
    assert kitchen.users == ("U0MARIA01", "U0LUCA001")
