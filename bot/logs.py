"""Log output: the usual text lines, or JSON lines (OPS_LOG_FORMAT=json) that carry who and which request.

The request middleware sets `team`, `user` and `request_id` for each Slack request, the reminder engine for each
delivery it posts; every record logged while they are set carries them (bolt runs a listener in a task started
inside the middleware, and a task starts with a copy of these variables). Only identifiers are logged here:
no tokens, no message text beyond what the code itself logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

from bot.config import LogFormat

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

team_var: ContextVar[str | None] = ContextVar("ops_log_team", default=None)
user_var: ContextVar[str | None] = ContextVar("ops_log_user", default=None)
request_id_var: ContextVar[str | None] = ContextVar("ops_log_request_id", default=None)


def bind_log_context(*, team: str | None, user: str | None, request_id: str | None) -> None:
    """From here on in this task (and in tasks it starts), log records carry these identifiers.

    Set, not reset: bolt runs listeners after its middleware has returned, so the values must outlive the call
    that sets them. Each aiohttp request, Socket Mode message and engine post runs in its own task, whose copy of
    the variables is dropped with it.
    """
    team_var.set(team)
    user_var.set(user)
    request_id_var.set(request_id)


@contextmanager
def log_context(*, team: str | None, user: str | None, request_id: str | None) -> Iterator[None]:
    """Like bind_log_context, for a block only: the previous values come back when it ends."""
    tokens = (team_var.set(team), user_var.set(user), request_id_var.set(request_id))
    try:
        yield
    finally:
        request_id_var.reset(tokens[2])
        user_var.reset(tokens[1])
        team_var.reset(tokens[0])


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, team, user, request_id, and the
    traceback as `exc_info` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "team": team_var.get(),
            "user": user_var.get(),
            "request_id": request_id_var.get(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _OpsHandler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs, told apart from anyone else's."""


def configure_logging(log_format: LogFormat = "text", level: int = logging.INFO) -> None:
    """One handler on stderr in the chosen format; called again, it replaces its own handler.

    Like `logging.basicConfig`, it leaves a root logger that someone else has already set up (a test runner
    capturing logs, an embedding application) as it is.
    """
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if isinstance(handler, _OpsHandler)]
    if len(ours) != len(root.handlers):
        return
    for old in ours:
        root.removeHandler(old)
    handler = _OpsHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
