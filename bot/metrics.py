"""What an operator scrapes at GET /metrics (Prometheus text format).

Each `Bot` has its own registry, not prometheus_client's global one, so several bots in one process (the tests,
the sandbox) keep separate counts and never collide on a metric name.

Label values come from fixed sets (the kinds of Slack request, four outcomes, Slack's method names and error
codes), never from a team, a person or free text, so the number of series stays small.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.domain.reminders import DeliveryBacklog

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "SlackApiErrorCounter", "request_kind"]

# Slack expects an ack within 3 s: buckets are finer below that and stop a little past it.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)

# A request's `type` (or the presence of `command`) → the kind it is counted under.
_KINDS = {
    "event_callback": "event",
    "url_verification": "url_verification",
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
    "dialog_suggestion": "options",
}


def request_kind(body: dict[str, Any]) -> str:
    """What kind of Slack request a parsed body is; `other` for anything unexpected (it may not be signed yet)."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return _KINDS.get(kind, "other") if isinstance(kind, str) else "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "ops_requests",
            "Slack requests received over HTTP, by kind and outcome (ok, error, unauthorized, duplicate).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "ops_ack_seconds",
            "Time from receiving a Slack request to sending its acknowledgement, by kind.",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Gauge(
            "ops_deliveries",
            "Scheduled deliveries at scrape time: pending (not yet sent), late (pending past their time), failed.",
            ["state"],
            registry=self.registry,
        )
        self.slack_api_errors = Counter(
            "ops_slack_api_errors",
            "Failed Slack Web API attempts, by method and error code (ratelimited for HTTP 429).",
            ["method", "code"],
            registry=self.registry,
        )

    def request(self, kind: str, outcome: str, seconds: float) -> None:
        self.requests.labels(kind=kind, outcome=outcome).inc()
        self.ack_seconds.labels(kind=kind).observe(seconds)

    def render(self, backlog: DeliveryBacklog | None) -> bytes:
        """The exposition, with the delivery gauges set from a fresh read of the queue (left out without one,
        rather than showing a stale number)."""
        if backlog is None:
            self.deliveries.clear()
            return generate_latest(self.registry)
        self.deliveries.labels(state="pending").set(backlog.pending)
        self.deliveries.labels(state="late").set(backlog.late)
        self.deliveries.labels(state="failed").set(backlog.failed)
        return generate_latest(self.registry)


class SlackApiErrorCounter(AsyncRetryHandler):
    """Counts every failed Web API attempt; never asks for a retry itself.

    slack-sdk shows each response and connection error to its retry handlers in order, so this one goes first
    in the list and sees every attempt, including those the rate-limit and server-error handlers then retry.
    Bolt copies the client's handler list into the client it gives each request, so listeners' calls are
    counted as well as the reminder engine's.
    """

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._errors = metrics.slack_api_errors

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        code = _error_code(response, error)
        if code is not None:
            method = request.url.rstrip("/").rsplit("/", 1)[-1] or "unknown"
            self._errors.labels(method=method, code=code).inc()
        return False


def _error_code(response: HttpResponse | None, error: Exception | None) -> str | None:
    if error is not None:
        if isinstance(error, TimeoutError):
            return "timeout"
        return "connection_error" if isinstance(error, aiohttp.ClientError) else type(error).__name__
    if response is None:
        return None
    if response.status_code == 429:
        return "ratelimited"
    body = response.body
    if isinstance(body, dict) and body.get("ok") is False:
        return str(body.get("error") or "unknown")
    if response.status_code >= 400:
        return f"http_{response.status_code}"
    return None
