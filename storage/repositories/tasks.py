"""Tasks and their per-workspace numbers. Every query is filtered by team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId, UserId
from bot.domain.tasks import Priority, Scope, Task, TaskQuery, TaskStatus
from storage.models_tasks import TaskCounterRow, TaskRow

LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _tags_text(tags: tuple[str, ...]) -> str:
    return "," + ",".join(tags) + "," if tags else ""


def _task(row: TaskRow) -> Task:
    return Task(
        id=row.id,
        team=TeamId(row.team_id),
        number=row.number,
        title=row.title,
        assignee=UserId(row.assignee),
        created_by=UserId(row.created_by),
        status=TaskStatus(row.status),
        priority=Priority(row.priority),
        tags=tuple(tag for tag in row.tags.split(",") if tag),
        notes=row.notes,
        due=row.due_utc,
        rrule=row.rrule,
        zone=row.zone,
        local_start=datetime.strptime(row.local_start, LOCAL_FORMAT) if row.local_start else None,  # noqa: DTZ007  wall-clock time
        source_link=row.source_link,
        created_at=row.created_at,
        done_at=row.done_at,
        done_by=UserId(row.done_by) if row.done_by else None,
        due_schedule=row.due_schedule_id,
        overdue_schedule=row.overdue_schedule_id,
        spawned_next=row.spawned_next,
    )


def _fill(row: TaskRow, task: Task) -> None:
    row.title = task.title
    row.notes = task.notes
    row.assignee = task.assignee
    row.created_by = task.created_by
    row.status = task.status.value
    row.priority = task.priority.value
    row.tags = _tags_text(task.tags)
    row.due_utc = task.due
    row.rrule = task.rrule
    row.zone = task.zone
    row.local_start = task.local_start.strftime(LOCAL_FORMAT) if task.local_start else None
    row.source_link = task.source_link
    row.done_at = task.done_at
    row.done_by = task.done_by
    row.due_schedule_id = task.due_schedule
    row.overdue_schedule_id = task.overdue_schedule
    row.spawned_next = task.spawned_next


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlTaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, team: TeamId) -> int:
        """One atomic upsert: two requests in the same workspace never get the same number."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(TaskCounterRow)
            .values(team_id=team, last_number=1)
            .on_conflict_do_update(
                index_elements=[TaskCounterRow.team_id],
                set_={"last_number": TaskCounterRow.last_number + 1},
            )
            .returning(TaskCounterRow.last_number)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add(self, task: Task) -> Task:
        row = TaskRow(team_id=task.team, number=task.number, created_at=task.created_at)
        _fill(row, task)
        self._session.add(row)
        await self._session.flush()
        return _task(row)

    async def save(self, task: Task) -> None:
        row = await self._row(task.team, task.id)
        if row is None:
            raise LookupError(f"task {task.id} of {task.team} is not stored")
        _fill(row, task)
        await self._session.flush()

    async def get(self, team: TeamId, number: int) -> Task | None:
        row = await self._session.scalar(select(TaskRow).where(TaskRow.team_id == team, TaskRow.number == number))
        return _task(row) if row is not None else None

    async def get_by_id(self, team: TeamId, task_id: int) -> Task | None:
        row = await self._row(team, task_id)
        return _task(row) if row is not None else None

    async def delete(self, team: TeamId, task_id: int) -> None:
        await self._session.execute(delete(TaskRow).where(TaskRow.team_id == team, TaskRow.id == task_id))

    async def open_tasks(self, team: TeamId, query: TaskQuery, me: UserId, *, now: datetime) -> list[Task]:
        """Open tasks that match, soonest due first, those without a due time last."""
        conditions: list[ColumnElement[bool]] = [TaskRow.team_id == team, TaskRow.status == TaskStatus.OPEN.value]
        match query.scope:
            case Scope.MINE:
                conditions.append(TaskRow.assignee == me)
            case Scope.OVERDUE:
                conditions.append(TaskRow.due_utc <= now)
            case Scope.PERSON:
                conditions.append(TaskRow.assignee == (query.person or ""))
            case Scope.TAG:
                conditions.append(TaskRow.tags.like(f"%,{_like_escaped(query.tag or '')},%", escape="\\"))
            case Scope.ALL:
                pass  # every open task of the workspace: no filter beyond the team and the status
        rows = await self._session.scalars(
            select(TaskRow).where(*conditions).order_by(TaskRow.due_utc.is_(None), TaskRow.due_utc, TaskRow.number)
        )
        return [_task(row) for row in rows]

    async def _row(self, team: TeamId, task_id: int) -> TaskRow | None:
        return await self._session.scalar(select(TaskRow).where(TaskRow.team_id == team, TaskRow.id == task_id))
