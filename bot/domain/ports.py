"""What the domain needs from the outside world, as Protocols; storage and the Slack adapter implement them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.audit import AuditEntry
from bot.domain.ids import TeamId, UserId
from bot.domain.people import Profile
from bot.domain.roles import Role
from bot.domain.workspace import WorkspaceSettings


@dataclass(frozen=True, slots=True)
class RoleGrant:
    team: TeamId
    user: UserId
    role: Role
    granted_by: UserId
    granted_at: datetime


class WorkspaceRepository(Protocol):
    async def get(self, team: TeamId) -> WorkspaceSettings | None: ...

    async def save(self, settings: WorkspaceSettings, *, at: datetime) -> None: ...


class RoleRepository(Protocol):
    async def get(self, team: TeamId, user: UserId) -> Role | None: ...

    async def put(self, grant: RoleGrant) -> None: ...

    async def remove(self, team: TeamId, user: UserId) -> None: ...

    async def all(self, team: TeamId) -> list[RoleGrant]: ...


class ProfileRepository(Protocol):
    async def get(self, team: TeamId, user: UserId) -> Profile | None: ...

    async def put(self, profile: Profile) -> None: ...


class AuditRepository(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def recent(self, team: TeamId, limit: int) -> list[AuditEntry]: ...


class RequestLedger(Protocol):
    async def claim(self, team: TeamId, key: str, *, at: datetime) -> bool:
        """Record `key` as processed; False when it already was (a retry or a duplicate)."""
        ...

    async def forget_before(self, cutoff: datetime) -> int: ...


class UnitOfWork(Protocol):
    """One transaction: committed when the block ends normally, rolled back when it raises."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...

    @property
    def roles(self) -> RoleRepository: ...

    @property
    def profiles(self) -> ProfileRepository: ...

    @property
    def audit(self) -> AuditRepository: ...

    @property
    def requests(self) -> RequestLedger: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class SlackDirectory(Protocol):
    """Slack's view of the people in a workspace (users.info, users.list)."""

    async def fetch_profile(self, team: TeamId, user: UserId) -> Profile: ...

    async def fetch_admins(self, team: TeamId) -> list[Profile]: ...
