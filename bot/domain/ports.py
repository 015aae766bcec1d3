"""What the domain needs from the outside world, as Protocols; storage and the Slack adapter implement them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from bot.domain.audit import AuditEntry
from bot.domain.ids import TeamId, UserId
from bot.domain.people import Profile
from bot.domain.reminders import Delivery, Kind, Schedule, ScheduleSpec
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


class ScheduleRepository(Protocol):
    async def add(self, spec: ScheduleSpec, *, at: datetime) -> Schedule: ...

    async def get(self, team: TeamId, schedule_id: int) -> Schedule | None: ...

    async def upcoming_involving(self, team: TeamId, user: UserId, kinds: list[Kind]) -> list[Schedule]: ...

    async def due(self, now: datetime, limit: int) -> list[Schedule]: ...

    async def advance(self, schedule_id: int, *, fired: datetime, next_fire: datetime | None) -> bool: ...

    async def reschedule(self, team: TeamId, schedule_id: int, next_fire: datetime) -> bool: ...

    async def cancel(self, team: TeamId, schedule_id: int, *, at: datetime) -> bool: ...

    async def earliest(self) -> datetime | None: ...


class DeliveryRepository(Protocol):
    async def add_occurrence(self, schedule: Schedule, due: datetime) -> bool: ...

    async def claim(self, *, now: datetime, owner: str, lease: timedelta, limit: int) -> list[Delivery]: ...

    async def mark_sent(
        self, delivery_id: int, owner: str, *, at: datetime, channel: str, ts: str, late: bool
    ) -> bool: ...

    async def mark_retry(self, delivery_id: int, owner: str, *, next_attempt: datetime, error: str) -> bool: ...

    async def mark_failed(self, delivery_id: int, owner: str, *, error: str) -> bool: ...

    async def mark_skipped(self, delivery_id: int, owner: str) -> bool: ...

    async def release(self, owner: str) -> int: ...

    async def release_all(self) -> int: ...

    async def earliest_ready(self) -> datetime | None: ...

    async def counts(self, team: TeamId) -> dict[str, int]: ...


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

    @property
    def schedules(self) -> ScheduleRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class SlackDirectory(Protocol):
    """Slack's view of the people in a workspace (users.info, users.list)."""

    async def fetch_profile(self, team: TeamId, user: UserId) -> Profile: ...

    async def fetch_admins(self, team: TeamId) -> list[Profile]: ...

    async def fetch_group_members(self, team: TeamId, group: str) -> list[UserId]: ...
