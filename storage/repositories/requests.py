from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId
from storage.models import ProcessedRequest


class SqlRequestLedger:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, team: TeamId, key: str, *, at: datetime) -> bool:
        # INSERT … ON CONFLICT DO NOTHING: two processes racing on the same retry cannot both win.
        values = {"team_id": team, "request_key": key, "received_at": at}
        dialect = self._session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(ProcessedRequest).values(values).on_conflict_do_nothing()
        result = await self._session.execute(statement)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def forget_before(self, cutoff: datetime) -> int:
        result = await self._session.execute(delete(ProcessedRequest).where(ProcessedRequest.received_at < cutoff))
        return int(getattr(result, "rowcount", 0))
