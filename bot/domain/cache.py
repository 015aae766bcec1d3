"""A small time-bounded cache for what every request reads and almost nothing writes (roles, settings).

Entries expire after `ttl` by the injected clock; the process that makes a change forgets the entry at once,
and other processes (PostgreSQL deployments) see it within `ttl`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.domain.clock import Clock

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, clock: Clock, ttl: timedelta, *, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: dict[K, tuple[datetime, V]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if self._clock.now() - stored_at >= self._ttl:
            del self._entries[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()  # crude but bounded; the store still has everything
        self._entries[key] = (self._clock.now(), value)

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)
