from __future__ import annotations

from bot.domain.messages import Msg


class ParseError(Exception):
    """Text that cannot be understood; the message says what was wrong and `example` shows a correct one."""

    def __init__(self, message: Msg, *, example: Msg | None = None) -> None:
        super().__init__(message.key)
        self.message = message
        self.example = example
