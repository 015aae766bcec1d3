"""Digest subscriptions. Every query is filtered by team."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.digesting import DigestKind, Subscription, SubscriptionDraft
from bot.domain.digests import ALL_SECTIONS, Section
from bot.domain.ids import TeamId, UserId
from storage.models_digests import DigestSubscriptionRow


def _sections(text: str) -> frozenset[Section]:
    found = frozenset(Section(part) for part in text.split(",") if part in Section.__members__.values())
    return found or ALL_SECTIONS


def _subscription(row: DigestSubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        team=TeamId(row.team_id),
        target=row.target,
        kind=DigestKind(row.kind),
        at=time.fromisoformat(row.local_time),
        weekday=row.weekday,
        zone=row.zone,
        sections=_sections(row.sections),
        skip_quiet=row.skip_quiet,
        schedule_id=row.schedule_id,
        created_by=UserId(row.created_by),
    )


def _text(sections: frozenset[Section]) -> str:
    return "" if sections == ALL_SECTIONS else ",".join(sorted(section.value for section in sections))


class SqlDigestSubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team: TeamId, target: str, kind: DigestKind) -> Subscription | None:
        row = await self._session.scalar(
            select(DigestSubscriptionRow).where(
                DigestSubscriptionRow.team_id == team,
                DigestSubscriptionRow.target == target,
                DigestSubscriptionRow.kind == kind.value,
            )
        )
        return _subscription(row) if row is not None else None

    async def by_id(self, team: TeamId, subscription_id: int) -> Subscription | None:
        row = await self._session.scalar(
            select(DigestSubscriptionRow).where(
                DigestSubscriptionRow.team_id == team, DigestSubscriptionRow.id == subscription_id
            )
        )
        return _subscription(row) if row is not None else None

    async def of_target(self, team: TeamId, target: str) -> list[Subscription]:
        rows = await self._session.scalars(
            select(DigestSubscriptionRow)
            .where(DigestSubscriptionRow.team_id == team, DigestSubscriptionRow.target == target)
            .order_by(DigestSubscriptionRow.kind)
        )
        return [_subscription(row) for row in rows]

    async def put(
        self, draft: SubscriptionDraft, *, sections: frozenset[Section], skip_quiet: bool, at: datetime
    ) -> Subscription:
        row = await self._session.scalar(
            select(DigestSubscriptionRow).where(
                DigestSubscriptionRow.team_id == draft.team,
                DigestSubscriptionRow.target == draft.target,
                DigestSubscriptionRow.kind == draft.kind.value,
            )
        )
        if row is None:
            row = DigestSubscriptionRow(team_id=draft.team, target=draft.target, kind=draft.kind.value)
            self._session.add(row)
        row.local_time = draft.at.strftime("%H:%M")
        row.weekday = draft.weekday
        row.zone = draft.zone
        row.sections = _text(sections)
        row.skip_quiet = skip_quiet
        row.schedule_id = None
        row.created_by = draft.created_by
        row.created_at = at
        await self._session.flush()
        return _subscription(row)

    async def set_schedule(self, team: TeamId, subscription_id: int, schedule_id: int) -> None:
        await self._session.execute(
            update(DigestSubscriptionRow)
            .where(DigestSubscriptionRow.team_id == team, DigestSubscriptionRow.id == subscription_id)
            .values(schedule_id=schedule_id)
        )

    async def choose(
        self, team: TeamId, subscription_id: int, *, sections: frozenset[Section], skip_quiet: bool | None
    ) -> None:
        values: dict[str, object] = {"sections": _text(sections)}
        if skip_quiet is not None:
            values["skip_quiet"] = skip_quiet
        await self._session.execute(
            update(DigestSubscriptionRow)
            .where(DigestSubscriptionRow.team_id == team, DigestSubscriptionRow.id == subscription_id)
            .values(**values)
        )

    async def remove(self, team: TeamId, subscription_id: int) -> None:
        await self._session.execute(
            delete(DigestSubscriptionRow).where(
                DigestSubscriptionRow.team_id == team, DigestSubscriptionRow.id == subscription_id
            )
        )
