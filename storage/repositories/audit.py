from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.audit import AuditEntry
from bot.domain.ids import TeamId, UserId
from storage.models import AuditLogRow


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditLogRow(
                team_id=entry.team,
                actor=entry.actor,
                action=entry.action,
                target=entry.target,
                details=dict(entry.details),
                at=entry.at,
            )
        )

    async def recent(self, team: TeamId, limit: int) -> list[AuditEntry]:
        rows = await self._session.scalars(
            select(AuditLogRow)
            .where(AuditLogRow.team_id == team)
            .order_by(AuditLogRow.at.desc(), AuditLogRow.id.desc())
            .limit(limit)
        )
        return [
            AuditEntry(
                team=team,
                actor=UserId(row.actor),
                action=row.action,
                target=row.target,
                at=row.at,
                details=dict(row.details),
            )
            for row in rows
        ]
