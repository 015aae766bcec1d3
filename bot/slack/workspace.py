"""Which Slack workspace the code running now works for, so the bot's own Web API client can use its token.

With one workspace (SLACK_BOT_TOKEN) there is nothing to choose. With many (OAuth mode) the bot's shared client
(scheduled posts, directory look-ups, case posts) has no token of its own: each call takes the bot token of the
workspace bound here. The request middleware binds the team of each Slack request, the reminder engine the team
of each delivery it posts, the mail intake its mailbox's team. A call with no workspace bound fails instead of
guessing, so one workspace's message can never go out with another's token.

A context variable, not an argument, because the calls are made deep inside services written for one workspace
(a courier, the directory behind AccessService) and each request, delivery group and background task already
runs in its own asyncio task, whose copy of the variable is its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_workspace: ContextVar[str | None] = ContextVar("ops_current_workspace", default=None)


class NoWorkspaceBound(RuntimeError):
    """A Web API call in OAuth mode from code that did not say which workspace it is for."""


def bind_workspace(team: str | None) -> None:
    """From here on in this task (and the tasks it starts) Slack calls are made for `team`."""
    current_workspace.set(team)


@contextmanager
def for_workspace(team: str) -> Iterator[None]:
    """Slack calls inside the block are made for `team`; the previous binding comes back after it."""
    token = current_workspace.set(team)
    try:
        yield
    finally:
        current_workspace.reset(token)


def bound_workspace() -> str:
    team = current_workspace.get()
    if team is None:
        raise NoWorkspaceBound("a Slack call in OAuth mode with no workspace bound")
    return team
