"""A workspace's settings; and its installation, with the purge that forgets everything stored for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Delete, ForeignKey, MetaData, Table, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import ChannelId, TeamId
from bot.domain.language import Language
from bot.domain.workspace import WorkspaceSettings
from bot.domain.workspaces import Installation
from storage.models import Workspace, WorkspaceInstallRow
from storage.tables import metadata as all_tables

# Tables that belong to no workspace, listed on purpose. Any other table must carry `team_id`, or hang by a
# foreign key from one that does, or `purge_plan` refuses to run: a new table is never forgotten.
UNSCOPED_TABLES: frozenset[str] = frozenset(
    {
        "slack_oauth_states",  # OAuth mode: a state is made before anyone knows which workspace will install
    }
)


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


@dataclass(frozen=True, slots=True)
class PurgeStep:
    """One DELETE of a purge: by the table's own `team_id`, or (a table without one) through the foreign keys
    that tie its rows to a parent that has it."""

    table: Table

    @property
    def parent_keys(self) -> list[ForeignKey]:
        """The foreign keys to a table with `team_id` (used only when this table has none of its own)."""
        return [key for key in self.table.foreign_keys if "team_id" in key.column.table.c]

    @property
    def reachable(self) -> bool:
        return "team_id" in self.table.c or bool(self.parent_keys)

    def statement(self, team: TeamId) -> Delete:
        if "team_id" in self.table.c:
            return delete(self.table).where(self.table.c.team_id == team)
        return delete(self.table).where(
            or_(
                *(
                    key.parent.in_(select(key.column).where(key.column.table.c.team_id == team))
                    for key in self.parent_keys
                )
            )
        )


def purge_plan(metadata: MetaData = all_tables) -> list[PurgeStep]:
    """A DELETE for every table of ours, children before parents (foreign keys hold at every step, and a child
    without `team_id` is deleted while its parents still say whose it is). Raises for a table it cannot scope."""
    steps = [PurgeStep(table) for table in reversed(metadata.sorted_tables) if table.name not in UNSCOPED_TABLES]
    unscoped = sorted(step.table.name for step in steps if not step.reachable)
    if unscoped:
        raise ValueError(
            f"tables with no team_id and no foreign key to a table that has one: {', '.join(unscoped)}; "
            "give them team_id, or list them in UNSCOPED_TABLES"
        )
    return steps


def _installation(row: WorkspaceInstallRow) -> Installation:
    return Installation(
        team=TeamId(row.team_id),
        installed_at=row.installed_at,
        uninstalled_at=row.uninstalled_at,
        purge_after=row.purge_after,
    )


class SqlInstallationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team: TeamId, *, lock: bool = False) -> Installation | None:
        query = select(WorkspaceInstallRow).where(WorkspaceInstallRow.team_id == team)
        if lock:  # PostgreSQL: FOR UPDATE; SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE)
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return _installation(row) if row is not None else None

    def _insert(self) -> Any:
        return pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert

    async def put(self, installation: Installation) -> None:
        values = {
            "installed_at": installation.installed_at,
            "uninstalled_at": installation.uninstalled_at,
            "purge_after": installation.purge_after,
        }
        statement = self._insert()(WorkspaceInstallRow).values(team_id=installation.team, **values)
        await self._session.execute(statement.on_conflict_do_update(index_elements=["team_id"], set_=values))

    async def mark_uninstalled(self, team: TeamId, *, at: datetime, purge_after: datetime) -> bool:
        """Record the uninstall unless one is recorded already; True when this call recorded it.

        One statement (INSERT … ON CONFLICT DO UPDATE … WHERE still installed): Slack sends `app_uninstalled` and
        `tokens_revoked` together, and two processes handling them at once must not both record it.
        """
        table = WorkspaceInstallRow.__table__
        statement = self._insert()(WorkspaceInstallRow).values(
            team_id=team, installed_at=None, uninstalled_at=at, purge_after=purge_after
        )
        statement = statement.on_conflict_do_update(
            index_elements=["team_id"],
            set_={"uninstalled_at": statement.excluded.uninstalled_at, "purge_after": statement.excluded.purge_after},
            where=table.c.uninstalled_at.is_(None),
        )
        result: Any = await self._session.execute(statement)
        return bool(result.rowcount == 1)

    async def due_for_purge(self, now: datetime) -> list[TeamId]:
        rows = await self._session.scalars(
            select(WorkspaceInstallRow.team_id)
            .where(WorkspaceInstallRow.uninstalled_at.is_not(None), WorkspaceInstallRow.purge_after <= now)
            .order_by(WorkspaceInstallRow.purge_after)
        )
        return [TeamId(team) for team in rows]

    async def purge(self, team: TeamId) -> dict[str, int]:
        # Core statements, not the ORM: no row is loaded, and the session's identity map holds nothing stale.
        removed: dict[str, int] = {}
        for step in purge_plan():
            result: Any = await self._session.execute(step.statement(team))
            if result.rowcount:
                removed[step.table.name] = int(result.rowcount)
        return removed
