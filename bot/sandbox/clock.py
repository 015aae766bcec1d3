"""The sandbox's clock: real time plus an offset that only moves forward, so the page can jump to what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Implements `bot.domain.clock.Clock`. Time keeps running; a jump adds to the offset and never takes back."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        if offset < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset = offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        """Seconds since the epoch, for the Slack double's message timestamps and expiry checks."""
        return self.now().timestamp()

    def to_real(self, instant: datetime) -> datetime:
        """When, on the machine's own clock, the sandbox clock will read `instant` (for the process's timers)."""
        return instant.astimezone(UTC) - self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self._offset += delta
        return self.now()

    def jump_to(self, instant: datetime) -> datetime:
        """Move to `instant` if it is ahead; an instant already passed leaves the clock as it is."""
        if instant.tzinfo is None:
            raise ValueError("the sandbox clock needs a timezone-aware instant")
        ahead = instant.astimezone(UTC) - datetime.now(UTC)
        self._offset = max(self._offset, ahead)
        return self.now()
