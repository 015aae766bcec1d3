"""Checklists, their items, runs and entries. Every query is filtered by team."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.checklists import (
    Checklist,
    Entry,
    Item,
    ItemKind,
    ItemSpec,
    NewEntry,
    NewRun,
    Run,
    name_key,
)
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.reminders import Kind, Schedule
from storage.models import ScheduleRow
from storage.models_checklists import ChecklistEntryRow, ChecklistItemRow, ChecklistRow, ChecklistRunRow
from storage.repositories.schedules import _schedule


def _item(row: ChecklistItemRow) -> Item:
    return Item(
        id=row.id,
        checklist_id=row.checklist_id,
        position=row.position,
        label=row.label,
        kind=ItemKind(row.kind),
        minimum=row.minimum,
        maximum=row.maximum,
        unit=row.unit,
    )


def _entry(row: ChecklistEntryRow) -> Entry:
    return Entry(
        id=row.id,
        run_id=row.run_id,
        item_id=row.item_id,
        by=UserId(row.done_by),
        at=row.done_at,
        checked=row.checked,
        number=row.number,
        note=row.note,
        in_range=row.in_range,
        flagged=row.flagged,
        task_id=row.task_id,
    )


class SqlChecklistRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- checklists and items ----------------------------------------------------------------------------------

    async def add(self, team: TeamId, name: str, *, created_by: UserId, at: datetime) -> Checklist:
        row = ChecklistRow(team_id=team, name=name, name_key=name_key(name), created_by=created_by, created_at=at)
        self._session.add(row)
        await self._session.flush()
        return Checklist(id=row.id, team=team, name=row.name, created_by=created_by)

    async def _with_items(self, row: ChecklistRow | None) -> Checklist | None:
        if row is None:
            return None
        items = await self._session.scalars(
            select(ChecklistItemRow)
            .where(
                ChecklistItemRow.team_id == row.team_id,
                ChecklistItemRow.checklist_id == row.id,
                ChecklistItemRow.removed_at.is_(None),
            )
            .order_by(ChecklistItemRow.position, ChecklistItemRow.id)
        )
        return Checklist(
            id=row.id,
            team=TeamId(row.team_id),
            name=row.name,
            created_by=UserId(row.created_by),
            items=tuple(_item(item) for item in items),
        )

    async def named(self, team: TeamId, name: str) -> Checklist | None:
        row = await self._session.scalar(
            select(ChecklistRow).where(ChecklistRow.team_id == team, ChecklistRow.name_key == name_key(name))
        )
        return await self._with_items(row)

    async def get(self, team: TeamId, checklist_id: int) -> Checklist | None:
        row = await self._session.scalar(
            select(ChecklistRow).where(ChecklistRow.team_id == team, ChecklistRow.id == checklist_id)
        )
        return await self._with_items(row)

    async def all(self, team: TeamId) -> list[Checklist]:
        rows = await self._session.scalars(
            select(ChecklistRow).where(ChecklistRow.team_id == team).order_by(ChecklistRow.name_key)
        )
        found = []
        for row in list(rows):
            checklist = await self._with_items(row)
            assert checklist is not None
            found.append(checklist)
        return found

    async def add_item(self, team: TeamId, checklist_id: int, spec: ItemSpec, *, at: datetime) -> Item:
        # Positions keep counting past removed items: "item 3" means the same item for as long as it exists.
        last = await self._session.scalar(
            select(func.max(ChecklistItemRow.position)).where(
                ChecklistItemRow.team_id == team, ChecklistItemRow.checklist_id == checklist_id
            )
        )
        row = ChecklistItemRow(
            team_id=team,
            checklist_id=checklist_id,
            position=(last or 0) + 1,
            label=spec.label,
            kind=spec.kind.value,
            minimum=spec.minimum,
            maximum=spec.maximum,
            unit=spec.unit,
            created_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        return _item(row)

    async def remove_item(self, team: TeamId, item_id: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(ChecklistItemRow)
            .where(
                ChecklistItemRow.team_id == team,
                ChecklistItemRow.id == item_id,
                ChecklistItemRow.removed_at.is_(None),
            )
            .values(removed_at=at)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def schedules_of(self, team: TeamId, checklist_id: int) -> list[Schedule]:
        rows = await self._session.scalars(
            select(ScheduleRow)
            .where(
                ScheduleRow.team_id == team,
                ScheduleRow.kind == Kind.CHECKLIST.value,
                ScheduleRow.target == f"checklist:{checklist_id}",
                ScheduleRow.cancelled_at.is_(None),
            )
            .order_by(ScheduleRow.id)
        )
        return [_schedule(row) for row in rows]

    # ---- runs and entries --------------------------------------------------------------------------------------

    async def _runs(self, rows: list[ChecklistRunRow]) -> list[Run]:
        if not rows:
            return []
        team = rows[0].team_id
        run_ids = [row.id for row in rows]
        item_ids = {item_id for row in rows for item_id in row.item_ids}
        items = {
            row.id: _item(row)
            for row in await self._session.scalars(
                select(ChecklistItemRow).where(ChecklistItemRow.team_id == team, ChecklistItemRow.id.in_(item_ids))
            )
        }
        entries: dict[int, list[Entry]] = defaultdict(list)
        for row in await self._session.scalars(
            select(ChecklistEntryRow)
            .where(ChecklistEntryRow.team_id == team, ChecklistEntryRow.run_id.in_(run_ids))
            .order_by(ChecklistEntryRow.done_at, ChecklistEntryRow.id)
        ):
            entries[row.run_id].append(_entry(row))
        lists = {
            row.id: row
            for row in await self._session.scalars(
                select(ChecklistRow).where(
                    ChecklistRow.team_id == team, ChecklistRow.id.in_({run.checklist_id for run in rows})
                )
            )
        }
        return [
            Run(
                id=row.id,
                team=TeamId(row.team_id),
                checklist_id=row.checklist_id,
                name=lists[row.checklist_id].name,
                created_by=UserId(lists[row.checklist_id].created_by),
                schedule_id=row.schedule_id,
                occurrence_key=row.occurrence_key,
                channel=ChannelId(row.channel),
                ts=row.ts,
                due=row.due_utc,
                deadline=row.deadline_utc,
                zone=row.zone,
                items=tuple(items[item_id] for item_id in row.item_ids if item_id in items),
                entries=tuple(entries[row.id]),
                deadline_reported=row.deadline_reported_at is not None,
            )
            for row in rows
        ]

    async def run_for(self, team: TeamId, occurrence_key: str) -> Run | None:
        row = await self._session.scalar(
            select(ChecklistRunRow).where(
                ChecklistRunRow.team_id == team, ChecklistRunRow.occurrence_key == occurrence_key
            )
        )
        return (await self._runs([row]))[0] if row is not None else None

    async def add_run(self, run: NewRun) -> Run:
        row = ChecklistRunRow(
            team_id=run.team,
            checklist_id=run.checklist_id,
            schedule_id=run.schedule_id,
            occurrence_key=run.occurrence_key,
            channel=run.channel,
            due_utc=run.due,
            deadline_utc=run.deadline,
            zone=run.zone,
            item_ids=list(run.item_ids),
            started_at=run.started_at,
        )
        self._session.add(row)
        await self._session.flush()
        return (await self._runs([row]))[0]

    async def set_message(self, team: TeamId, run_id: int, *, channel: ChannelId, ts: str) -> None:
        await self._session.execute(
            update(ChecklistRunRow)
            .where(ChecklistRunRow.team_id == team, ChecklistRunRow.id == run_id)
            .values(channel=channel, ts=ts)
        )

    async def run(self, team: TeamId, run_id: int) -> Run | None:
        row = await self._session.scalar(
            select(ChecklistRunRow).where(ChecklistRunRow.team_id == team, ChecklistRunRow.id == run_id)
        )
        return (await self._runs([row]))[0] if row is not None else None

    async def add_entry(self, team: TeamId, entry: NewEntry) -> Entry:
        row = ChecklistEntryRow(
            team_id=team,
            run_id=entry.run_id,
            item_id=entry.item_id,
            done_by=entry.by,
            done_at=entry.at,
            checked=entry.checked,
            number=entry.number,
            note=entry.note,
            in_range=entry.in_range,
            flagged=entry.flagged,
        )
        self._session.add(row)
        await self._session.flush()
        return _entry(row)

    async def set_task(self, team: TeamId, entry_id: int, task_id: int) -> None:
        await self._session.execute(
            update(ChecklistEntryRow)
            .where(ChecklistEntryRow.team_id == team, ChecklistEntryRow.id == entry_id)
            .values(task_id=task_id)
        )

    async def mark_deadline_reported(self, team: TeamId, run_id: int, *, at: datetime) -> bool:
        result = await self._session.execute(
            update(ChecklistRunRow)
            .where(
                ChecklistRunRow.team_id == team,
                ChecklistRunRow.id == run_id,
                ChecklistRunRow.deadline_reported_at.is_(None),
            )
            .values(deadline_reported_at=at)
        )
        return int(getattr(result, "rowcount", 0)) == 1

    async def runs(
        self, team: TeamId, checklist_id: int, *, since: datetime | None, until: datetime | None, limit: int
    ) -> list[Run]:
        query = select(ChecklistRunRow).where(
            ChecklistRunRow.team_id == team, ChecklistRunRow.checklist_id == checklist_id
        )
        if since is not None:
            query = query.where(ChecklistRunRow.due_utc >= since)
        if until is not None:
            query = query.where(ChecklistRunRow.due_utc < until)
        rows = await self._session.scalars(query.order_by(ChecklistRunRow.due_utc.desc()).limit(limit))
        return await self._runs(list(rows))
