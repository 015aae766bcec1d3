"""The audit log: who changed what, and when. Every capability writes to it through its services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from bot.domain.ids import TeamId, UserId


@dataclass(frozen=True, slots=True)
class AuditEntry:
    team: TeamId
    actor: UserId
    action: str
    target: str
    at: datetime
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
