"""Requests exactly as Slack sends them to an app's Request URL, signed with the app's signing secret.

Pure functions: they take everything they need, so tests can forge (wrong secret), replay (old timestamp)
or retry (`X-Slack-Retry-Num`) a request without a server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    body: bytes
    headers: dict[str, str]


def sign(signing_secret: str, timestamp: int, body: bytes) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed(
    signing_secret: str,
    body: bytes,
    content_type: str,
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedRequest:
    # Real wall time by default: the app checks freshness against its own clock, not the double's fake one.
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(signing_secret, ts, body),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return SignedRequest(body=body, headers=headers)


def slash_command(
    signing_secret: str,
    *,
    token: str,
    team_id: str,
    team_domain: str,
    channel_id: str,
    channel_name: str,
    user_id: str,
    user_name: str,
    command: str,
    text: str,
    api_app_id: str,
    response_url: str,
    trigger_id: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
) -> SignedRequest:
    """A slash command: form-encoded, with the fields (and field order) Slack sends."""
    fields = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return signed(signing_secret, urlencode(fields).encode(), FORM, timestamp=timestamp, retry_num=retry_num)


def interaction(
    signing_secret: str,
    payload: Mapping[str, Any],
    *,
    timestamp: int | None = None,
    retry_num: int | None = None,
) -> SignedRequest:
    """block_actions, view_submission, view_closed…: one form field `payload` holding the JSON."""
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return signed(signing_secret, body, FORM, timestamp=timestamp, retry_num=retry_num)


def event_callback(
    signing_secret: str,
    *,
    token: str,
    team_id: str,
    api_app_id: str,
    bot_user_id: str,
    event: Mapping[str, Any],
    event_id: str,
    event_time: int,
    event_context: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedRequest:
    """An Events API delivery: the JSON `event_callback` envelope around one event."""
    envelope = {
        "token": token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": event_context,
    }
    body = json.dumps(envelope, separators=(",", ":")).encode()
    return signed(signing_secret, body, JSON, timestamp=timestamp, retry_num=retry_num, retry_reason=retry_reason)


def url_verification(signing_secret: str, *, token: str, challenge: str, timestamp: int | None = None) -> SignedRequest:
    """The handshake Slack sends when the Request URL is saved; the app must echo `challenge`."""
    body = json.dumps({"token": token, "challenge": challenge, "type": "url_verification"}).encode()
    return signed(signing_secret, body, JSON, timestamp=timestamp)
