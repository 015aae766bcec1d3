"""Checklist storage: exact Decimals, one run per occurrence, the deadline reported once, and no team sees
another's checklists."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.checklists import ItemKind, ItemSpec, NewEntry, NewRun
from bot.domain.ids import ChannelId, TeamId, UserId
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

AT = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
ONE, OTHER = TeamId("T1"), TeamId("T2")
GIULIA = UserId("U1")


async def test_items_runs_entries_round_trip_exactly(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions) as uow:
        checklist = await uow.checklists.add(ONE, "Opening", created_by=GIULIA, at=AT)
        fridge = await uow.checklists.add_item(
            ONE, checklist.id, ItemSpec("Fridge", ItemKind.NUMBER, Decimal("0.5"), Decimal("4.125"), "°C"), at=AT
        )
        ovens = await uow.checklists.add_item(ONE, checklist.id, ItemSpec("Ovens"), at=AT)
        run = await uow.checklists.add_run(
            NewRun(
                ONE,
                checklist.id,
                7,
                "7@20261201T063000Z",
                ChannelId("C1"),
                AT,
                None,
                "Europe/Rome",
                (fridge.id, ovens.id),
                AT,
            )
        )
        await uow.checklists.add_entry(
            ONE, NewEntry(run.id, fridge.id, GIULIA, AT, number=Decimal("7.125"), in_range=False)
        )
    async with SqlUnitOfWork(sessions) as uow:
        found = await uow.checklists.named(ONE, "  OPENING ")
        assert found is not None
        assert [i.label for i in found.items] == ["Fridge", "Ovens"]
        assert found.items[0].maximum == Decimal("4.125")
        again = await uow.checklists.run_for(ONE, "7@20261201T063000Z")
        assert again is not None
        assert again.id == run.id
        (entry,) = again.entries
        assert entry.number == Decimal("7.125")
        assert isinstance(entry.number, Decimal)
        assert [i.label for i in again.open_items] == ["Ovens"]
        # Removed later, still on the run it was posted with.
        await uow.checklists.remove_item(ONE, ovens.id, at=AT)
    async with SqlUnitOfWork(sessions) as uow:
        current = await uow.checklists.get(ONE, checklist.id)
        posted = await uow.checklists.run(ONE, run.id)
        assert current is not None
        assert posted is not None
        assert [i.label for i in current.items] == ["Fridge"]
        assert [i.label for i in posted.items] == ["Fridge", "Ovens"]
        assert await uow.checklists.mark_deadline_reported(ONE, run.id, at=AT)
        assert not await uow.checklists.mark_deadline_reported(ONE, run.id, at=AT)


async def test_one_workspace_never_sees_another(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with SqlUnitOfWork(sessions) as uow:
        checklist = await uow.checklists.add(ONE, "Opening", created_by=GIULIA, at=AT)
        await uow.checklists.add(OTHER, "Opening", created_by=GIULIA, at=AT)  # the same name elsewhere is fine
    async with SqlUnitOfWork(sessions) as uow:
        assert await uow.checklists.get(OTHER, checklist.id) is None
        assert [c.team for c in await uow.checklists.all(OTHER)] == [OTHER]
        assert await uow.checklists.runs(OTHER, checklist.id, since=None, until=None, limit=10) == []
