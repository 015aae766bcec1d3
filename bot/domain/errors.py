"""Errors whose message is safe to show to the person who caused them.

Each carries a catalog message, not English text, so it reaches the reader in their language; `example`
is a correct command to copy, shown under the explanation.
"""

from __future__ import annotations

from bot.domain.messages import Msg


class DomainError(Exception):
    def __init__(self, message: Msg, *, example: Msg | None = None) -> None:
        super().__init__(message.key)
        self.message = message
        self.example = example


class InvalidRequest(DomainError):
    """The request is understood but cannot be carried out as asked."""


class NotAllowed(DomainError):
    """The person lacks the role the action needs."""


class NotFound(DomainError):
    """What the request names does not exist in this workspace."""
