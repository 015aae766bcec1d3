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
from re import Pattern
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs

Listener = Callable[..., Awaitable[Any]]
Recover = Callable[[Exception, AsyncArgs], Awaitable[None]]
Constraint = str | Pattern[str] | dict[str, Any]


def guard(listener: Listener, recover: Recover) -> Listener:
    """Call `listener` with the arguments it names, and hand any error to `recover`."""
    names = list(inspect.signature(listener).parameters)

    async def guarded(args: AsyncArgs) -> None:  # `args`: bolt passes everything it has
        try:
            await listener(**{name: getattr(args, name) for name in names})
        except Exception as error:
            await recover(error, args)

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
