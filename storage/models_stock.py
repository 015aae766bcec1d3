"""Tables of the stock capability: items, their movements, suppliers, orders and their lines, and the stock-take
checklists (one per location) with the link from each checklist item to its stock item.

Quantities are `Numeric(14, 3)`, read back as `Decimal`, in the item's own unit. `below_minimum` is the alert
state, changed only by conditional UPDATEs so that one crossing of the minimum alerts once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime

AMOUNT = Numeric(14, 3, asdecimal=True)


class StockSupplierRow(Base):
    __tablename__ = "stock_suppliers"
    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_stock_suppliers_team_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    lead_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StockItemRow(Base):
    __tablename__ = "stock_items"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_stock_items_team_name"),
        # The low items (digest, reorder, the top of the listing) and a location's items (stock-take).
        Index("ix_stock_items_team_low", "team_id", "below_minimum"),
        Index("ix_stock_items_team_location", "team_id", "location_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(AMOUNT)
    minimum: Mapped[Decimal | None] = mapped_column(AMOUNT)
    target: Mapped[Decimal | None] = mapped_column(AMOUNT)
    supplier_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("stock_suppliers.id", ondelete="SET NULL"))
    location: Mapped[str | None] = mapped_column(String(60))
    location_key: Mapped[str | None] = mapped_column(String(60))
    below_minimum: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StockMovementRow(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_team_item", "team_id", "item_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("stock_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # add | use | receive | count
    change: Mapped[Decimal] = mapped_column(AMOUNT)  # in the item's unit
    quantity_after: Mapped[Decimal] = mapped_column(AMOUNT)
    entered: Mapped[Decimal] = mapped_column(AMOUNT)  # as typed
    entered_unit: Mapped[str] = mapped_column(String(16))
    done_by: Mapped[str] = mapped_column(String(USER_ID))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class StockOrderCounterRow(Base):
    """Each workspace's last order number: one atomic upsert per draft, so two reorders never share a number."""

    __tablename__ = "stock_order_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class StockOrderRow(Base):
    __tablename__ = "stock_orders"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_stock_orders_team_number"),
        Index("ix_stock_orders_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)
    supplier_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("stock_suppliers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10))  # draft | approved | replaced
    drafted_by: Mapped[str] = mapped_column(String(USER_ID))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(USER_ID))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expected_on: Mapped[date | None] = mapped_column(Date())
    emailed_to: Mapped[str | None] = mapped_column(String(254))
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    task_number: Mapped[int | None] = mapped_column(Integer)


class StockOrderLineRow(Base):
    __tablename__ = "stock_order_lines"
    __table_args__ = (Index("ix_stock_order_lines_order", "order_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(Integer, ForeignKey("stock_orders.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("stock_items.id", ondelete="CASCADE"))
    quantity: Mapped[Decimal] = mapped_column(AMOUNT)
    unit: Mapped[str] = mapped_column(String(16))


class StockTakeRow(Base):
    """A location's stock-take checklist."""

    __tablename__ = "stock_takes"
    __table_args__ = (UniqueConstraint("team_id", "location_key", name="uq_stock_takes_team_location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    location_key: Mapped[str] = mapped_column(String(60))
    checklist_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklists.id", ondelete="CASCADE"))


class StockTakeItemRow(Base):
    """Which stock item a stock-take checklist's number item counts."""

    __tablename__ = "stock_take_items"
    __table_args__ = (
        UniqueConstraint("checklist_item_id", name="uq_stock_take_items_checklist_item_id"),
        Index("ix_stock_take_items_team_checklist", "team_id", "checklist_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    checklist_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklists.id", ondelete="CASCADE"))
    checklist_item_id: Mapped[int] = mapped_column(Integer, ForeignKey("checklist_items.id", ondelete="CASCADE"))
    stock_item_id: Mapped[int] = mapped_column(Integer, ForeignKey("stock_items.id", ondelete="CASCADE"))
