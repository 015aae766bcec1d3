"""Stock items, movements, suppliers, orders and stock-take links. Every query is filtered by team; the alert
state and an order's approval change only through conditional UPDATEs (one winner under concurrency)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.ids import TeamId, UserId
from bot.domain.stock import (
    Listing,
    LowStock,
    Movement,
    MovementKind,
    NewItem,
    NewMovement,
    NewOrderLine,
    Order,
    OrderLine,
    OrderStatus,
    StockItem,
    Supplier,
    key_of,
)
from storage.models_stock import (
    StockItemRow,
    StockMovementRow,
    StockOrderCounterRow,
    StockOrderLineRow,
    StockOrderRow,
    StockSupplierRow,
    StockTakeItemRow,
    StockTakeRow,
)

# Low: below a minimum. The listing shows low items first, then by name.
_IS_LOW = and_(StockItemRow.minimum.is_not(None), StockItemRow.quantity < StockItemRow.minimum)


def _item(row: StockItemRow, supplier: str | None) -> StockItem:
    return StockItem(
        id=row.id,
        team=TeamId(row.team_id),
        name=row.name,
        unit=row.unit,
        quantity=row.quantity,
        minimum=row.minimum,
        target=row.target,
        supplier_id=row.supplier_id,
        supplier=supplier,
        location=row.location,
        below_minimum=row.below_minimum,
    )


def _movement(row: StockMovementRow) -> Movement:
    return Movement(
        id=row.id,
        item_id=row.item_id,
        kind=MovementKind(row.kind),
        change=row.change,
        quantity_after=row.quantity_after,
        entered=row.entered,
        entered_unit=row.entered_unit,
        by=UserId(row.done_by),
        at=row.done_at,
        note=row.note,
    )


def _supplier(row: StockSupplierRow) -> Supplier:
    return Supplier(row.id, TeamId(row.team_id), row.name, row.email, row.lead_days)


class SqlStockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one_item(self, team: TeamId, condition: ColumnElement[bool], *, lock: bool) -> StockItem | None:
        query = (
            select(StockItemRow, StockSupplierRow.name)
            .outerjoin(StockSupplierRow, StockSupplierRow.id == StockItemRow.supplier_id)
            .where(StockItemRow.team_id == team, condition)
        )
        if lock:
            query = query.with_for_update(of=StockItemRow)
        found = (await self._session.execute(query)).first()
        return _item(found[0], found[1]) if found is not None else None

    async def item(self, team: TeamId, key: str, *, lock: bool = False) -> StockItem | None:
        return await self._one_item(team, StockItemRow.name_key == key, lock=lock)

    async def item_by_id(self, team: TeamId, item_id: int, *, lock: bool = False) -> StockItem | None:
        return await self._one_item(team, StockItemRow.id == item_id, lock=lock)

    async def names(self, team: TeamId, limit: int) -> list[str]:
        query = select(StockItemRow.name).where(StockItemRow.team_id == team).order_by(StockItemRow.name_key)
        return list((await self._session.scalars(query.limit(limit))).all())

    async def listing(self, team: TeamId, limit: int) -> Listing:
        low_first = case((_IS_LOW, 0), else_=1)
        query = (
            select(StockItemRow, StockSupplierRow.name)
            .outerjoin(StockSupplierRow, StockSupplierRow.id == StockItemRow.supplier_id)
            .where(StockItemRow.team_id == team)
            .order_by(low_first, StockItemRow.name_key)
            .limit(limit)
        )
        items = tuple(_item(row, supplier) for row, supplier in (await self._session.execute(query)).all())
        counts = select(func.count(), func.coalesce(func.sum(case((_IS_LOW, 1), else_=0)), 0)).where(
            StockItemRow.team_id == team
        )
        total, low = (await self._session.execute(counts)).one()
        return Listing(items, int(total), int(low))

    async def low(self, team: TeamId, limit: int) -> LowStock:
        """Low items, the furthest below their minimum (as a share of it) first."""
        share = StockItemRow.quantity / func.nullif(StockItemRow.minimum, 0)
        query = (
            select(StockItemRow, StockSupplierRow.name)
            .outerjoin(StockSupplierRow, StockSupplierRow.id == StockItemRow.supplier_id)
            .where(StockItemRow.team_id == team, _IS_LOW)
            .order_by(share, StockItemRow.name_key)
            .limit(limit)
        )
        items = tuple(_item(row, supplier) for row, supplier in (await self._session.execute(query)).all())
        total = len(items)
        if total >= limit:
            count = select(func.count()).where(StockItemRow.team_id == team, _IS_LOW)
            total = int(await self._session.scalar(count) or 0)
        return LowStock(items, total)

    async def at_location(self, team: TeamId, location_key: str) -> list[StockItem]:
        query = (
            select(StockItemRow)
            .where(StockItemRow.team_id == team, StockItemRow.location_key == location_key)
            .order_by(StockItemRow.name_key)
        )
        return [_item(row, None) for row in (await self._session.scalars(query)).all()]

    async def add_item(self, item: NewItem) -> StockItem:
        row = StockItemRow(
            team_id=item.team,
            name=item.name,
            name_key=key_of(item.name),
            unit=item.unit,
            quantity=item.quantity,
            minimum=item.minimum,
            target=item.target,
            supplier_id=item.supplier_id,
            location=item.location,
            location_key=key_of(item.location) if item.location else None,
            below_minimum=False,
            created_by=item.created_by,
            created_at=item.at,
            updated_at=item.at,
        )
        self._session.add(row)
        await self._session.flush()
        found = await self.item_by_id(item.team, row.id)
        assert found is not None
        return found

    async def change_item(
        self,
        team: TeamId,
        item_id: int,
        *,
        minimum: Decimal | None,
        target: Decimal | None,
        supplier_id: int | None,
        location: str | None,
    ) -> None:
        await self._session.execute(
            update(StockItemRow)
            .where(StockItemRow.team_id == team, StockItemRow.id == item_id)
            .values(
                minimum=minimum,
                target=target,
                supplier_id=supplier_id,
                location=location,
                location_key=key_of(location) if location else None,
            )
        )

    async def set_quantity(self, team: TeamId, item_id: int, quantity: Decimal, *, at: datetime) -> None:
        await self._session.execute(
            update(StockItemRow)
            .where(StockItemRow.team_id == team, StockItemRow.id == item_id)
            .values(quantity=quantity, updated_at=at)
        )

    async def _flip(self, team: TeamId, item_id: int, *, low: bool) -> bool:
        result = await self._session.execute(
            update(StockItemRow)
            .where(StockItemRow.team_id == team, StockItemRow.id == item_id, StockItemRow.below_minimum.is_(not low))
            .values(below_minimum=low)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_low(self, team: TeamId, item_id: int) -> bool:
        return await self._flip(team, item_id, low=True)

    async def clear_low(self, team: TeamId, item_id: int) -> bool:
        return await self._flip(team, item_id, low=False)

    async def add_movement(self, movement: NewMovement) -> Movement:
        row = StockMovementRow(
            team_id=movement.team,
            item_id=movement.item_id,
            kind=movement.kind.value,
            change=movement.change,
            quantity_after=movement.quantity_after,
            entered=movement.entered,
            entered_unit=movement.entered_unit,
            done_by=movement.by,
            done_at=movement.at,
            note=movement.note,
        )
        self._session.add(row)
        await self._session.flush()
        return _movement(row)

    async def movements(self, team: TeamId, item_id: int, limit: int) -> list[Movement]:
        query = (
            select(StockMovementRow)
            .where(StockMovementRow.team_id == team, StockMovementRow.item_id == item_id)
            .order_by(StockMovementRow.id.desc())
            .limit(limit)
        )
        return [_movement(row) for row in (await self._session.scalars(query)).all()]

    # ---- suppliers -----------------------------------------------------------------------------------------------

    async def supplier(self, team: TeamId, key: str) -> Supplier | None:
        row = await self._session.scalar(
            select(StockSupplierRow).where(StockSupplierRow.team_id == team, StockSupplierRow.name_key == key)
        )
        return _supplier(row) if row is not None else None

    async def add_supplier(self, team: TeamId, name: str, *, at: datetime) -> Supplier:
        row = StockSupplierRow(team_id=team, name=name, name_key=key_of(name), created_at=at)
        self._session.add(row)
        await self._session.flush()
        return _supplier(row)

    async def change_supplier(
        self, team: TeamId, supplier_id: int, *, email: str | None, lead_days: int | None
    ) -> None:
        await self._session.execute(
            update(StockSupplierRow)
            .where(StockSupplierRow.team_id == team, StockSupplierRow.id == supplier_id)
            .values(email=email, lead_days=lead_days)
        )

    # ---- orders --------------------------------------------------------------------------------------------------

    async def replace_drafts(self, team: TeamId) -> int:
        result = await self._session.execute(
            update(StockOrderRow)
            .where(StockOrderRow.team_id == team, StockOrderRow.status == OrderStatus.DRAFT.value)
            .values(status=OrderStatus.REPLACED.value)
        )
        return int(getattr(result, "rowcount", 0))

    async def next_order_number(self, team: TeamId) -> int:
        """One atomic upsert: two managers reordering at once never draft two orders with one number."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(StockOrderCounterRow)
            .values(team_id=team, last=1)
            .on_conflict_do_update(
                index_elements=[StockOrderCounterRow.team_id], set_={"last": StockOrderCounterRow.last + 1}
            )
            .returning(StockOrderCounterRow.last)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add_order(
        self,
        team: TeamId,
        number: int,
        supplier_id: int | None,
        lines: Sequence[NewOrderLine],
        *,
        by: UserId,
        at: datetime,
    ) -> Order:
        row = StockOrderRow(
            team_id=team,
            number=number,
            supplier_id=supplier_id,
            status=OrderStatus.DRAFT.value,
            drafted_by=by,
            drafted_at=at,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add_all(
            StockOrderLineRow(order_id=row.id, item_id=line.item_id, quantity=line.quantity, unit=line.unit)
            for line in lines
        )
        await self._session.flush()
        order = await self.order(team, row.id)
        assert order is not None
        return order

    async def order(self, team: TeamId, order_id: int) -> Order | None:
        found = (
            await self._session.execute(
                select(StockOrderRow, StockSupplierRow)
                .outerjoin(StockSupplierRow, StockSupplierRow.id == StockOrderRow.supplier_id)
                .where(StockOrderRow.team_id == team, StockOrderRow.id == order_id)
            )
        ).first()
        if found is None:
            return None
        row, supplier = found
        lines = (
            await self._session.execute(
                select(StockOrderLineRow, StockItemRow.name)
                .join(StockItemRow, StockItemRow.id == StockOrderLineRow.item_id)
                .where(StockOrderLineRow.order_id == row.id)
                .order_by(StockItemRow.name_key)
            )
        ).all()
        return Order(
            id=row.id,
            team=TeamId(row.team_id),
            number=row.number,
            supplier_id=row.supplier_id,
            supplier=supplier.name if supplier else None,
            email=supplier.email if supplier else None,
            lead_days=supplier.lead_days if supplier else None,
            status=OrderStatus(row.status),
            lines=tuple(OrderLine(line.id, line.item_id, name, line.quantity, line.unit) for line, name in lines),
            drafted_by=UserId(row.drafted_by),
            drafted_at=row.drafted_at,
            approved_by=UserId(row.approved_by) if row.approved_by else None,
            approved_at=row.approved_at,
            expected_on=row.expected_on,
            emailed_to=row.emailed_to,
            task_number=row.task_number,
        )

    async def set_line_quantity(self, team: TeamId, order_id: int, line_id: int, quantity: Decimal) -> bool:
        owned = select(StockOrderRow.id).where(
            StockOrderRow.team_id == team, StockOrderRow.id == order_id, StockOrderRow.status == "draft"
        )
        result = await self._session.execute(
            update(StockOrderLineRow)
            .where(StockOrderLineRow.id == line_id, StockOrderLineRow.order_id.in_(owned))
            .values(quantity=quantity)
        )
        return bool(getattr(result, "rowcount", 0))

    async def approve(self, team: TeamId, order_id: int, *, by: UserId, at: datetime, expected_on: date) -> bool:
        result = await self._session.execute(
            update(StockOrderRow)
            .where(
                StockOrderRow.team_id == team,
                StockOrderRow.id == order_id,
                StockOrderRow.status == OrderStatus.DRAFT.value,
            )
            .values(status=OrderStatus.APPROVED.value, approved_by=by, approved_at=at, expected_on=expected_on)
        )
        if getattr(result, "rowcount", 0):
            # Lines ordered at nothing are left out of what is sent.
            await self._session.execute(
                delete(StockOrderLineRow).where(StockOrderLineRow.order_id == order_id, StockOrderLineRow.quantity <= 0)
            )
        return bool(getattr(result, "rowcount", 0))

    async def set_sent(self, team: TeamId, order_id: int, *, to: str, message_id: str) -> None:
        await self._session.execute(
            update(StockOrderRow)
            .where(StockOrderRow.team_id == team, StockOrderRow.id == order_id)
            .values(emailed_to=to, email_message_id=message_id)
        )

    async def set_task(self, team: TeamId, order_id: int, task_number: int) -> None:
        await self._session.execute(
            update(StockOrderRow)
            .where(StockOrderRow.team_id == team, StockOrderRow.id == order_id)
            .values(task_number=task_number)
        )

    # ---- stock-takes ---------------------------------------------------------------------------------------------

    async def take_checklist(self, team: TeamId, location_key: str) -> int | None:
        return await self._session.scalar(
            select(StockTakeRow.checklist_id).where(
                StockTakeRow.team_id == team, StockTakeRow.location_key == location_key
            )
        )

    async def add_take(self, team: TeamId, location_key: str, checklist_id: int) -> None:
        await self._session.execute(
            delete(StockTakeRow).where(StockTakeRow.team_id == team, StockTakeRow.location_key == location_key)
        )
        self._session.add(StockTakeRow(team_id=team, location_key=location_key, checklist_id=checklist_id))
        await self._session.flush()

    async def linked(self, team: TeamId, checklist_id: int) -> set[int]:
        query = select(StockTakeItemRow.stock_item_id).where(
            StockTakeItemRow.team_id == team, StockTakeItemRow.checklist_id == checklist_id
        )
        return set((await self._session.scalars(query)).all())

    async def link(self, team: TeamId, checklist_id: int, checklist_item_id: int, stock_item_id: int) -> None:
        self._session.add(
            StockTakeItemRow(
                team_id=team,
                checklist_id=checklist_id,
                checklist_item_id=checklist_item_id,
                stock_item_id=stock_item_id,
            )
        )
        await self._session.flush()

    async def linked_item(self, team: TeamId, checklist_item_id: int) -> int | None:
        return await self._session.scalar(
            select(StockTakeItemRow.stock_item_id).where(
                StockTakeItemRow.team_id == team, StockTakeItemRow.checklist_item_id == checklist_item_id
            )
        )
