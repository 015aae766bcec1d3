"""The app as the capabilities see it: every listener they register runs guarded.

Bolt acknowledges a request as soon as the listener calls `ack()` and runs the rest in the background. If
the listener then raises, bolt's own error path resets the acknowledgement it already has, and Slack gets
nothing for three seconds and then an error ("dispatch failed"), though the person was already answered.
So a listener's errors never reach bolt: the guard answers the person (in the acknowledgement when there
still is one, privately otherwise) and logs what is ours to fix. Bolt's `@app.error` remains for the
middleware.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from re import Pattern
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

Listener = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Recovery:
    """What answering a failed request needs."""

    ack: AsyncAck
    body: dict[str, Any]
    context: AsyncBoltContext
    respond: AsyncRespond | None
    client: AsyncWebClient


Recover = Callable[[Exception, Recovery], Awaitable[None]]
Constraint = str | Pattern[str] | dict[str, Any]


# What `recover` needs besides what the listener itself asks bolt for.
RECOVERY_ARGUMENTS = ("ack", "body", "context", "respond", "client")


def guard(listener: Listener, recover: Recover) -> Listener:
    """Call `listener` with the arguments it names, and hand any error to `recover`.

    Bolt injects arguments by the names in a listener's signature, so the guard declares the listener's
    names plus the few recovery needs, and passes each call on with exactly what the listener asked for.
    """
    wanted = list(inspect.signature(listener).parameters)
    names = list(dict.fromkeys([*wanted, *RECOVERY_ARGUMENTS]))

    async def guarded(**arguments: Any) -> None:
        try:
            await listener(**{name: arguments[name] for name in wanted})
        except Exception as error:
            await recover(error, Recovery(**{name: arguments[name] for name in RECOVERY_ARGUMENTS}))

    # Functions have no declared __signature__ attribute, but inspect (and so bolt) honours one when set.
    guarded.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    guarded.__name__ = getattr(listener, "__name__", "listener")
    guarded.__qualname__ = getattr(listener, "__qualname__", guarded.__name__)
    return guarded


class Listeners:
    def __init__(self, app: AsyncApp, recover: Recover) -> None:
        self._app = app
        self._recover = recover

    def _wrap(self, register: Callable[[Listener], Any]) -> Callable[[Listener], Listener]:
        def decorator(listener: Listener) -> Listener:
            register(guard(listener, self._recover))
            return listener

        return decorator

    def command(self, command: str | Pattern[str]) -> Callable[[Listener], Listener]:
        return self._wrap(self._app.command(command))

    def action(self, constraint: Constraint) -> Callable[[Listener], Listener]:
        return self._wrap(self._app.action(constraint))

    def view(self, constraint: Constraint) -> Callable[[Listener], Listener]:
        return self._wrap(self._app.view(constraint))

    def shortcut(self, constraint: Constraint) -> Callable[[Listener], Listener]:
        return self._wrap(self._app.shortcut(constraint))

    def event(self, event: Constraint) -> Callable[[Listener], Listener]:
        return self._wrap(self._app.event(event))
