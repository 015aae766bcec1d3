"""Roles in a workspace: who is an admin, a manager or staff, and who may change that."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.access import AccessService
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.ports import RoleGrant, UnitOfWorkFactory
from bot.domain.roles import Actor, Role


@dataclass(frozen=True, slots=True)
class RoleListing:
    slack_admins: list[UserId]
    grants: list[RoleGrant]

    def holders(self, role: Role) -> list[UserId]:
        granted = [grant.user for grant in self.grants if grant.role is role]
        if role is Role.ADMIN:
            return sorted(set(self.slack_admins) | set(granted))
        return sorted(set(granted) - set(self.slack_admins))


@dataclass(frozen=True, slots=True)
class RoleChange:
    user: UserId
    before: Role
    after: Role


class RoleService:
    def __init__(self, uow: UnitOfWorkFactory, access: AccessService, clock: Clock) -> None:
        self._uow = uow
        self._access = access
        self._clock = clock

    async def list_roles(self, actor: Actor) -> RoleListing:
        admins = await self._access.refresh_admins(actor.team)
        async with self._uow() as uow:
            grants = await uow.roles.all(actor.team)
        return RoleListing(slack_admins=sorted(p.user for p in admins if not p.is_bot), grants=grants)

    async def managers(self, team: TeamId) -> list[UserId]:
        """Everyone who may run the rota: managers and admins (Slack's admins and owners included)."""
        admins = await self._access.refresh_admins(team)
        async with self._uow() as uow:
            grants = await uow.roles.all(team)
        listing = RoleListing(slack_admins=sorted(p.user for p in admins if not p.is_bot), grants=grants)
        return sorted(set(listing.holders(Role.MANAGER)) | set(listing.holders(Role.ADMIN)))

    async def assign(self, actor: Actor, target: UserId, role: Role) -> RoleChange:
        actor.require(Role.ADMIN, action=Msg.of("action.change_roles"))
        profile = await self._access.profile(actor.team, target)
        if profile.is_bot:
            raise InvalidRequest(Msg.of("role.error.bot", user=target), example=Msg.of("role.example.assign"))
        if profile.is_workspace_admin and role is not Role.ADMIN:
            raise InvalidRequest(Msg.of("role.error.slack_admin", user=target))
        now = self._clock.now()
        async with self._uow() as uow:
            before = (
                Role.ADMIN if profile.is_workspace_admin else (await uow.roles.get(actor.team, target) or Role.STAFF)
            )
            if role is Role.STAFF:
                await uow.roles.remove(actor.team, target)
            else:
                await uow.roles.put(RoleGrant(actor.team, target, role, granted_by=actor.user, granted_at=now))
            await uow.audit.add(
                AuditEntry(
                    team=actor.team,
                    actor=actor.user,
                    action="role.change",
                    target=target,
                    at=now,
                    details={"before": before.value, "after": role.value},
                )
            )
        self._access.forget_role(actor.team, target)
        return RoleChange(user=target, before=before, after=role)
