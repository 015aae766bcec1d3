from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import ChannelId, TeamId
from bot.domain.language import Language
from bot.domain.workspace import WorkspaceSettings
from storage.models import Workspace


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


class SqlWorkspaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team: TeamId) -> WorkspaceSettings | None:
        row = await self._session.get(Workspace, team)
        if row is None:
            return None
        return WorkspaceSettings(
            team=team,
            timezone=row.timezone,
            language=cast(Language, row.language),
            cases_channel=ChannelId(row.cases_channel) if row.cases_channel else None,
            stock_channel=ChannelId(row.stock_channel) if row.stock_channel else None,
            digest_channel=ChannelId(row.digest_channel) if row.digest_channel else None,
            task_escalation=timedelta(minutes=row.task_escalation_minutes),
            case_escalation=timedelta(minutes=row.case_escalation_minutes),
        )

    async def save(self, settings: WorkspaceSettings, *, at: datetime) -> None:
        await self._session.merge(
            Workspace(
                team_id=settings.team,
                timezone=settings.timezone,
                language=settings.language,
                cases_channel=settings.cases_channel,
                stock_channel=settings.stock_channel,
                digest_channel=settings.digest_channel,
                task_escalation_minutes=_minutes(settings.task_escalation),
                case_escalation_minutes=_minutes(settings.case_escalation),
                updated_at=at,
            )
        )
