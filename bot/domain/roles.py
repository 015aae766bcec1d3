"""Who may do what: the three roles of a workspace and the person acting in a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import NotAllowed
from bot.domain.ids import TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, other: Role) -> bool:
        """An admin can do everything a manager can, and a manager everything staff can."""
        return self.rank >= other.rank

    def label(self) -> Msg:
        return Msg.of(f"role.{self.value}")


_RANKS = {Role.STAFF: 0, Role.MANAGER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind a request, with what the workspace knows about them."""

    team: TeamId
    user: UserId
    role: Role
    language: Language
    timezone: ZoneInfo
    is_slack_admin: bool = False

    def require(self, needed: Role, *, action: Msg) -> None:
        if not self.role.includes(needed):
            raise NotAllowed(Msg.of("error.role_needed", action=action, role=needed.label(), yours=self.role.label()))
