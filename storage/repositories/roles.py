from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId, UserId
from bot.domain.ports import RoleGrant
from bot.domain.roles import Role
from storage.models import RoleGrantRow


class SqlRoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team: TeamId, user: UserId) -> Role | None:
        role = await self._session.scalar(
            select(RoleGrantRow.role).where(RoleGrantRow.team_id == team, RoleGrantRow.user_id == user)
        )
        return Role(role) if role is not None else None

    async def put(self, grant: RoleGrant) -> None:
        await self._session.merge(
            RoleGrantRow(
                team_id=grant.team,
                user_id=grant.user,
                role=grant.role.value,
                granted_by=grant.granted_by,
                granted_at=grant.granted_at,
            )
        )

    async def remove(self, team: TeamId, user: UserId) -> None:
        await self._session.execute(
            delete(RoleGrantRow).where(RoleGrantRow.team_id == team, RoleGrantRow.user_id == user)
        )

    async def all(self, team: TeamId) -> list[RoleGrant]:
        rows = await self._session.scalars(
            select(RoleGrantRow).where(RoleGrantRow.team_id == team).order_by(RoleGrantRow.user_id)
        )
        return [
            RoleGrant(
                team=team,
                user=UserId(row.user_id),
                role=Role(row.role),
                granted_by=UserId(row.granted_by),
                granted_at=row.granted_at,
            )
            for row in rows
        ]
