"""Stock: items with a quantity in a unit, a minimum level, a target, a supplier and a location.

- Quantities are `Decimal`, kept in the item's own unit. An amount given in another unit of the same dimension
  is converted (g ↔ kg, ml ↔ cl ↔ l); a unit of another dimension is refused, never guessed. A unit the bot does
  not know (`boxes`, `bottles`) is its own dimension: it converts only to itself.
- Every change is a movement (add, use, receive, count): the amount as typed, the change in the item's unit and
  the quantity after it. A count (stock-take) sets the quantity and records the difference.
- An item is *low* below its minimum. Crossing the minimum posts one alert to the stock channel; the item's
  `below_minimum` flag is set by a conditional UPDATE, so two uses at once alert once, and it is cleared only when
  the quantity is back at or above the minimum (then a later fall alerts again).
- A reorder drafts one order per supplier for the low items: enough of each to get back to its target (the
  target set on the item, else twice its minimum). A manager approves (or edits, then approves) each draft:
  approval records it once (a conditional UPDATE), emails the supplier where an address is known, and opens a
  "receive delivery" task for the expected day (today plus the supplier's lead time).
- A stock-take of a location is a checklist (one number item per stock item there, in its unit) scheduled like
  any checklist; each number entered on its post is recorded here as a count.

No Slack and no SQL here; `StockService` is the one entry point.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.checklisting import ChecklistService
from bot.domain.checklists import ChecklistSchedule, ItemKind, ItemSpec
from bot.domain.clock import Clock
from bot.domain.digests import LowStockLine, Top
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWork
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Kind, ScheduleSpec
from bot.domain.roles import Actor, Role
from bot.domain.workspace import WorkspaceSettings

log = logging.getLogger("ops.stock")

MAX_NAME = 60
MAX_UNIT = 12
MAX_LOCATION = 40
MAX_SUPPLIER = 80
MAX_EMAIL = 254
MAX_LEAD_DAYS = 60
HISTORY_LIMIT = 15
LIST_LIMIT = 40
# Stored as Numeric(14, 3): eleven digits before the point, three after.
PLACES = 3
MAX_DIGITS = 11
_STEP = Decimal(1).scaleb(-PLACES)
# The hour (local) a "receive delivery" task is due on the expected day.
DELIVERY_HOUR = time(9, 0)
# After an approval, the reminder engine checks the order's email and delivery task were done (a crash between the
# approval and them, or a relay that refused the email once); by then the approval's own request has long finished.
DISPATCH_CHECK_AFTER = timedelta(minutes=5)


# ---- units ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # as stored and shown: kg, g, l, ml, pcs, or the word itself
    dimension: str  # mass, volume, count, or "other:<name>"
    factor: Decimal  # how many of the dimension's base unit (g, ml, pcs) one of this is


_KNOWN: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("mg", "mass", "0.001", ("milligram", "milligrams", "milligrammi")),
    ("g", "mass", "1", ("gr", "grs", "gram", "grams", "gramme", "grammes", "grammi", "grammo")),
    ("kg", "mass", "1000", ("kgs", "kilo", "kilos", "kilogram", "kilograms", "chilo", "chili", "chilogrammi")),
    ("ml", "volume", "1", ("millilitre", "millilitres", "milliliter", "milliliters", "millilitri")),
    ("cl", "volume", "10", ("centilitre", "centilitres", "centiliter", "centiliters", "centilitri")),
    ("dl", "volume", "100", ("decilitre", "decilitres", "decilitri")),
    ("l", "volume", "1000", ("lt", "ltr", "litre", "litres", "liter", "liters", "litro", "litri")),
    ("pcs", "count", "1", ("pc", "piece", "pieces", "pz", "pezzo", "pezzi", "each", "x", "unit", "units")),
    ("dozen", "count", "12", ("doz", "dozzina", "dozzine")),
)
UNITS: Mapping[str, Unit] = MappingProxyType(
    {
        alias: Unit(name, dimension, Decimal(factor))
        for name, dimension, factor, aliases in _KNOWN
        for alias in (name, *aliases)
    }
)
DEFAULT_UNIT = UNITS["pcs"]


def unit_of(text: str) -> Unit:
    """A unit as typed: a known one by any of its names, or any other word as a unit of its own."""
    word = text.strip().lower().rstrip(".")
    known = UNITS.get(word)
    if known is not None:
        return known
    if not word or len(word) > MAX_UNIT:
        raise InvalidRequest(Msg.of("stock.error.bad_unit", unit=text.strip()[:20], most=MAX_UNIT))
    return Unit(word, f"other:{word}", Decimal(1))


def quantize(value: Decimal) -> Decimal:
    """A quantity as stored: three decimals (halves up); refuses what the column cannot hold."""
    if not value.is_finite():
        raise InvalidRequest(Msg.of("stock.error.bad_number", value=str(value)))
    rounded = value.quantize(_STEP, rounding=ROUND_HALF_UP)
    if abs(rounded) >= Decimal(10) ** MAX_DIGITS:
        raise InvalidRequest(Msg.of("stock.error.bad_number", value=str(value)))
    return rounded


def convert(amount: Decimal, given: Unit, wanted: Unit, *, item: str) -> Decimal:
    """`amount` of `given` in `wanted` units; a different dimension is refused with the item's name."""
    if given.dimension != wanted.dimension:
        raise InvalidRequest(
            Msg.of("stock.error.unit_mismatch", item=item, typed=given.name, unit=wanted.name),
            example=Msg.of("stock.example.use"),
        )
    if given.factor == wanted.factor:
        return quantize(amount)
    return quantize(amount * given.factor / wanted.factor)


def format_quantity(value: Decimal) -> str:
    """`4.500` → `4.5`, `5.000` → `5`, never `5E+1`."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


# ---- values --------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(text.split())


def key_of(name: str) -> str:
    """How names are compared: case and spacing do not matter ("Flour" is "flour")."""
    return clean(name).casefold()


@dataclass(frozen=True, slots=True)
class Amount:
    """A quantity as typed: the number and, if given, its unit."""

    value: Decimal
    unit: str | None = None


class MovementKind(StrEnum):
    ADD = "add"  # the item was added with this quantity
    USE = "use"
    RECEIVE = "receive"
    COUNT = "count"  # a stock-take: the quantity is set, the change is the difference


@dataclass(frozen=True, slots=True)
class StockItem:
    id: int
    team: TeamId
    name: str
    unit: str
    quantity: Decimal
    minimum: Decimal | None
    target: Decimal | None
    supplier_id: int | None
    supplier: str | None  # the supplier's name
    location: str | None
    below_minimum: bool  # the alert state: set when it went below, cleared when back at or above

    @property
    def is_low(self) -> bool:
        return self.minimum is not None and self.quantity < self.minimum

    @property
    def reorder_level(self) -> Decimal | None:
        """The level a reorder brings it back to: its target, else twice its minimum."""
        if self.target is not None:
            return self.target
        return self.minimum * 2 if self.minimum is not None else None

    @property
    def to_order(self) -> Decimal:
        level = self.reorder_level
        return max(level - self.quantity, Decimal(0)) if level is not None else Decimal(0)


@dataclass(frozen=True, slots=True)
class ItemSettings:
    """What `add` and `set` may give; None leaves a setting as it is (`clear_*` empties it)."""

    minimum: Amount | None = None
    target: Amount | None = None
    supplier: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class NewItem:
    team: TeamId
    name: str
    unit: str
    quantity: Decimal
    minimum: Decimal | None
    target: Decimal | None
    supplier_id: int | None
    location: str | None
    created_by: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class Movement:
    id: int
    item_id: int
    kind: MovementKind
    change: Decimal  # in the item's unit; negative for a use
    quantity_after: Decimal
    entered: Decimal  # as typed
    entered_unit: str
    by: UserId
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class NewMovement:
    team: TeamId
    item_id: int
    kind: MovementKind
    change: Decimal
    quantity_after: Decimal
    entered: Decimal
    entered_unit: str
    by: UserId
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Supplier:
    id: int
    team: TeamId
    name: str
    email: str | None
    lead_days: int | None


class OrderStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REPLACED = "replaced"  # a later reorder drafted again


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: int
    item_id: int
    item: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    team: TeamId
    number: int
    supplier_id: int | None
    supplier: str | None
    email: str | None
    lead_days: int | None
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    drafted_by: UserId
    drafted_at: datetime
    approved_by: UserId | None = None
    approved_at: datetime | None = None
    expected_on: date | None = None
    emailed_to: str | None = None
    task_number: int | None = None


@dataclass(frozen=True, slots=True)
class NewOrderLine:
    item_id: int
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Change:
    """What one movement did: the item after it, the movement, and whether it crossed the minimum."""

    item: StockItem
    movement: Movement
    crossed: bool = False  # went below its minimum with this change
    alerted: bool = False  # and the stock channel is being told (there is one)
    recovered: bool = False  # back at or above its minimum


@dataclass(frozen=True, slots=True)
class LowAlert:
    """One crossing of the minimum, for the stock channel."""

    team: TeamId
    channel: ChannelId
    language: Language
    item: StockItem
    by: UserId


@dataclass(frozen=True, slots=True)
class Listing:
    items: tuple[StockItem, ...]  # low first, then by name
    total: int
    low: int


@dataclass(frozen=True, slots=True)
class History:
    item: StockItem
    movements: tuple[Movement, ...]  # newest first


@dataclass(frozen=True, slots=True)
class Approval:
    order: Order
    emailed: bool  # sent to the supplier
    email_failed: bool  # there was an address but the relay refused or was down
    task_due: datetime | None
    zone: ZoneInfo


@dataclass(frozen=True, slots=True)
class TakeSchedule:
    location: str
    checklist: str
    items: int  # stock items on it
    added: int  # added to the checklist now


@dataclass(frozen=True, slots=True)
class LowStock:
    """The digest's section: low items, lowest first, and how many are low in all."""

    items: tuple[StockItem, ...] = ()
    total: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.total


# ---- ports ---------------------------------------------------------------------------------------------------


class StockRepository(Protocol):
    async def item(self, team: TeamId, key: str, *, lock: bool = False) -> StockItem | None: ...

    async def item_by_id(self, team: TeamId, item_id: int, *, lock: bool = False) -> StockItem | None: ...

    async def names(self, team: TeamId, limit: int) -> list[str]: ...

    async def listing(self, team: TeamId, limit: int) -> Listing: ...

    async def low(self, team: TeamId, limit: int) -> LowStock: ...

    async def at_location(self, team: TeamId, location_key: str) -> list[StockItem]: ...

    async def add_item(self, item: NewItem) -> StockItem: ...

    async def change_item(
        self,
        team: TeamId,
        item_id: int,
        *,
        minimum: Decimal | None,
        target: Decimal | None,
        supplier_id: int | None,
        location: str | None,
    ) -> None: ...

    async def set_quantity(self, team: TeamId, item_id: int, quantity: Decimal, *, at: datetime) -> None: ...

    async def mark_low(self, team: TeamId, item_id: int) -> bool:
        """Set the alert state if it is not set yet; True only for the call that set it."""
        ...

    async def clear_low(self, team: TeamId, item_id: int) -> bool: ...

    async def add_movement(self, movement: NewMovement) -> Movement: ...

    async def movements(self, team: TeamId, item_id: int, limit: int) -> list[Movement]: ...

    async def supplier(self, team: TeamId, key: str) -> Supplier | None: ...

    async def add_supplier(self, team: TeamId, name: str, *, at: datetime) -> Supplier: ...

    async def change_supplier(
        self, team: TeamId, supplier_id: int, *, email: str | None, lead_days: int | None
    ) -> None: ...

    async def replace_drafts(self, team: TeamId) -> int: ...

    async def next_order_number(self, team: TeamId) -> int: ...

    async def add_order(
        self,
        team: TeamId,
        number: int,
        supplier_id: int | None,
        lines: Sequence[NewOrderLine],
        *,
        by: UserId,
        at: datetime,
    ) -> Order: ...

    async def order(self, team: TeamId, order_id: int) -> Order | None: ...

    async def set_line_quantity(self, team: TeamId, order_id: int, line_id: int, quantity: Decimal) -> bool: ...

    async def approve(self, team: TeamId, order_id: int, *, by: UserId, at: datetime, expected_on: date) -> bool:
        """Draft → approved; False when it is not a draft any more (approved already, or replaced)."""
        ...

    async def set_sent(self, team: TeamId, order_id: int, *, to: str, message_id: str) -> None: ...

    async def set_task(self, team: TeamId, order_id: int, task_number: int) -> None: ...

    async def take_checklist(self, team: TeamId, location_key: str) -> int | None: ...

    async def add_take(self, team: TeamId, location_key: str, checklist_id: int) -> None: ...

    async def linked(self, team: TeamId, checklist_id: int) -> set[int]:
        """The stock items already on a stock-take checklist."""
        ...

    async def link(self, team: TeamId, checklist_id: int, checklist_item_id: int, stock_item_id: int) -> None: ...

    async def linked_item(self, team: TeamId, checklist_item_id: int) -> int | None: ...


class StockUnitOfWork(UnitOfWork, Protocol):
    @property
    def stock(self) -> StockRepository: ...


class OrderMailer(Protocol):
    """The outbound mail port (`bot.mail.outbound.SmtpSender`, as the cases capability uses it)."""

    async def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        in_reply_to: str | None,
        references: tuple[str, ...],
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> str: ...


@dataclass(frozen=True, slots=True)
class OrderMail:
    """The order as the supplier reads it, in the workspace's language, with its files: (name, MIME type, bytes)."""

    subject: str
    text: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()


OrderEmail = Callable[[Order, Language, ZoneInfo], OrderMail]
Settings = Callable[[UnitOfWork, TeamId], Awaitable[WorkspaceSettings]]
AlertSink = Callable[[LowAlert], Awaitable[None]]


# Opens the "receive delivery" task through the Tasks capability, worded for the approver; returns its number.
TaskMaker = Callable[[Actor, Order, datetime], Awaitable[int]]


def _example(key: str) -> Msg:
    return Msg.of(f"stock.example.{key}")


def _check_name(name: str) -> str:
    name = clean(name).strip("\"'“”")
    if not name:
        raise InvalidRequest(Msg.of("stock.error.no_name"), example=_example("add"))
    if len(name) > MAX_NAME:
        raise InvalidRequest(Msg.of("stock.error.name_too_long", most=MAX_NAME), example=_example("add"))
    return name


def _level(amount: Amount | None, unit: Unit, item: str) -> Decimal | None:
    """A minimum or target in the item's unit (given in any unit of its dimension)."""
    if amount is None:
        return None
    given = unit_of(amount.unit) if amount.unit else unit
    return convert(amount.value, given, unit, item=item)


# ---- the service ---------------------------------------------------------------------------------------------


class StockService:
    def __init__(
        self,
        uow: Callable[[], StockUnitOfWork],
        clock: Clock,
        settings: Settings,
        forget_settings: Callable[[TeamId], None],
        *,
        alerts: AlertSink | None = None,
        mailer: OrderMailer | None = None,
        order_email: OrderEmail | None = None,
        tasks: TaskMaker | None = None,
        checklists: ChecklistService | None = None,
        poke: Callable[[datetime], None] | None = None,
    ) -> None:
        self._poke = poke
        self._uow = uow
        self._clock = clock
        self._settings = settings
        self._forget_settings = forget_settings
        self._alerts = alerts
        self._mailer = mailer
        self._order_email = order_email
        self._tasks = tasks
        self._checklists = checklists

    @property
    def can_email(self) -> bool:
        return self._mailer is not None and self._order_email is not None

    # ---- items -----------------------------------------------------------------------------------------------

    async def add(self, actor: Actor, name: str, amount: Amount, settings: ItemSettings) -> StockItem:
        name = _check_name(name)
        unit = unit_of(amount.unit) if amount.unit else DEFAULT_UNIT
        quantity = quantize(amount.value)
        minimum, target = _level(settings.minimum, unit, name), _level(settings.target, unit, name)
        now = self._clock.now()
        async with self._uow() as uow:
            if await uow.stock.item(actor.team, key_of(name)) is not None:
                raise InvalidRequest(Msg.of("stock.error.exists", item=name), example=_example("set"))
            supplier = await self._supplier(uow, actor.team, settings.supplier, now)
            item = await uow.stock.add_item(
                NewItem(
                    actor.team,
                    name,
                    unit.name,
                    quantity,
                    minimum,
                    target,
                    supplier.id if supplier else None,
                    self._location(settings.location),
                    actor.user,
                    now,
                )
            )
            await uow.stock.add_movement(
                NewMovement(
                    actor.team, item.id, MovementKind.ADD, quantity, quantity, quantity, unit.name, actor.user, now
                )
            )
            if item.is_low:
                await uow.stock.mark_low(actor.team, item.id)
                item = replace(item, below_minimum=True)
            await uow.audit.add(AuditEntry(actor.team, actor.user, "stock.add", f"stock:{item.name}", now))
        return item

    async def change(self, actor: Actor, name: str, settings: ItemSettings) -> StockItem:
        """`/ops stock set flour min 12 target 40 supplier … at kitchen`: managers."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_stock"))
        now = self._clock.now()
        async with self._uow() as uow:
            item = await self._item(uow, actor.team, name, lock=True)
            supplier = await self._supplier(uow, actor.team, settings.supplier, now)
            unit = unit_of(item.unit)
            minimum = _level(settings.minimum, unit, item.name) if settings.minimum is not None else item.minimum
            target = _level(settings.target, unit, item.name) if settings.target is not None else item.target
            location = self._location(settings.location) if settings.location is not None else item.location
            supplier_id = supplier.id if supplier else item.supplier_id
            await uow.stock.change_item(
                actor.team, item.id, minimum=minimum, target=target, supplier_id=supplier_id, location=location
            )
            changed = await uow.stock.item_by_id(actor.team, item.id)
            assert changed is not None
            if not changed.is_low and changed.below_minimum:
                await uow.stock.clear_low(actor.team, item.id)
            await uow.audit.add(AuditEntry(actor.team, actor.user, "stock.set", f"stock:{item.name}", now))
        return changed

    async def move(self, actor: Actor, kind: MovementKind, name: str, amount: Amount, *, note: str = "") -> Change:
        """A use, a delivery received, or a count (the quantity counted)."""
        async with self._uow() as uow:
            item = await self._item(uow, actor.team, name, lock=True)
            change, alert = await self._move(uow, actor.team, actor.user, item, kind, amount, note)
        if alert is not None:
            await self._send_alert(alert)
        return change

    async def _move(
        self,
        uow: StockUnitOfWork,
        team: TeamId,
        user: UserId,
        item: StockItem,
        kind: MovementKind,
        amount: Amount,
        note: str,
    ) -> tuple[Change, LowAlert | None]:
        given = unit_of(amount.unit) if amount.unit else unit_of(item.unit)
        value = quantize(amount.value)
        if value < 0 or (value == 0 and kind is not MovementKind.COUNT):
            raise InvalidRequest(Msg.of("stock.error.positive"), example=_example(kind.value))
        quantity = convert(value, given, unit_of(item.unit), item=item.name)
        if kind is MovementKind.USE:
            if quantity > item.quantity:
                raise InvalidRequest(
                    Msg.of(
                        "stock.error.not_enough",
                        item=item.name,
                        have=format_quantity(item.quantity),
                        unit=item.unit,
                    ),
                    example=Msg.of("stock.example.count"),
                )
            after = item.quantity - quantity
        elif kind is MovementKind.RECEIVE:
            after = quantize(item.quantity + quantity)
        else:
            after = quantity
        now = self._clock.now()
        await uow.stock.set_quantity(team, item.id, after, at=now)
        movement = await uow.stock.add_movement(
            NewMovement(team, item.id, kind, after - item.quantity, after, value, given.name, user, now, note)
        )
        item = replace(item, quantity=after)
        crossed = recovered = False
        alert: LowAlert | None = None
        if item.is_low:
            # Conditional: of two changes at once, only the one that flips the state alerts.
            crossed = await uow.stock.mark_low(team, item.id)
            item = replace(item, below_minimum=True)
            if crossed:
                settings = await self._settings(uow, team)
                if settings.stock_channel is not None:
                    alert = LowAlert(team, settings.stock_channel, settings.language, item, user)
        elif item.below_minimum:
            recovered = await uow.stock.clear_low(team, item.id)
            item = replace(item, below_minimum=False)
        return Change(item, movement, crossed, alert is not None, recovered), alert

    async def _send_alert(self, alert: LowAlert) -> None:
        if self._alerts is None:
            return
        try:
            await self._alerts(alert)
        except Exception:  # the movement is recorded either way; the person who made it is told in their reply
            log.exception("could not post the low-stock alert for %s", alert.item.name)

    async def listing(self, actor: Actor) -> Listing:
        async with self._uow() as uow:
            return await uow.stock.listing(actor.team, LIST_LIMIT)

    async def history(self, actor: Actor, name: str) -> History:
        async with self._uow() as uow:
            item = await self._item(uow, actor.team, name)
            return History(item, tuple(await uow.stock.movements(actor.team, item.id, HISTORY_LIMIT)))

    async def low_for_digest(self, team: TeamId, limit: int) -> Top[LowStockLine]:
        """The daily digest's stock section: the items furthest below their minimum first, and how many in all."""
        async with self._uow() as uow:
            low = await uow.stock.low(team, limit)
        lines = tuple(
            LowStockLine(item.name, item.quantity, item.minimum or Decimal(0), item.unit) for item in low.items
        )
        return Top(lines, low.total)

    # ---- suppliers and the channel (managers) ------------------------------------------------------------------

    async def set_supplier(self, actor: Actor, name: str, *, email: str | None, lead_days: int | None) -> Supplier:
        actor.require(Role.MANAGER, action=Msg.of("action.change_stock"))
        name = clean(name)
        if not name or len(name) > MAX_SUPPLIER:
            raise InvalidRequest(Msg.of("stock.error.supplier_name", most=MAX_SUPPLIER), example=_example("supplier"))
        if email is not None and (len(email) > MAX_EMAIL or "@" not in email or " " in email):
            raise InvalidRequest(Msg.of("stock.error.email", typed=email[:60]), example=_example("supplier"))
        if lead_days is not None and not 0 <= lead_days <= MAX_LEAD_DAYS:
            raise InvalidRequest(Msg.of("stock.error.lead", most=MAX_LEAD_DAYS), example=_example("supplier"))
        now = self._clock.now()
        async with self._uow() as uow:
            supplier = await self._supplier(uow, actor.team, name, now)
            assert supplier is not None
            email = email if email is not None else supplier.email
            lead_days = lead_days if lead_days is not None else supplier.lead_days
            await uow.stock.change_supplier(actor.team, supplier.id, email=email, lead_days=lead_days)
            await uow.audit.add(AuditEntry(actor.team, actor.user, "stock.supplier", f"supplier:{supplier.name}", now))
        return replace(supplier, email=email, lead_days=lead_days)

    async def set_channel(self, actor: Actor, channel: ChannelId | None) -> ChannelId | None:
        """The stock channel (the workspace's `stock-channel` setting), which managers may set from here."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_stock"))
        now = self._clock.now()
        async with self._uow() as uow:
            before = await self._settings(uow, actor.team)
            await uow.workspaces.save(replace(before, stock_channel=channel), at=now)
            await uow.audit.add(
                AuditEntry(
                    actor.team,
                    actor.user,
                    "config.change",
                    "stock-channel",
                    now,
                    {"before": before.stock_channel or "-", "after": channel or "-"},
                )
            )
        self._forget_settings(actor.team)
        return channel

    # ---- reorders (managers) -------------------------------------------------------------------------------------

    async def reorder(self, actor: Actor) -> list[Order]:
        """One draft per supplier for every low item (earlier drafts not approved are replaced)."""
        actor.require(Role.MANAGER, action=Msg.of("action.order_stock"))
        now = self._clock.now()
        async with self._uow() as uow:
            low = await uow.stock.low(actor.team, 10_000)
            await uow.stock.replace_drafts(actor.team)
            groups: dict[int | None, list[NewOrderLine]] = {}
            for item in low.items:
                if item.to_order > 0:
                    groups.setdefault(item.supplier_id, []).append(NewOrderLine(item.id, item.to_order, item.unit))
            orders: list[Order] = []
            for supplier_id in sorted(groups, key=lambda s: (s is None, s or 0)):
                number = await uow.stock.next_order_number(actor.team)
                orders.append(
                    await uow.stock.add_order(
                        actor.team, number, supplier_id, groups[supplier_id], by=actor.user, at=now
                    )
                )
            if orders:
                await uow.audit.add(
                    AuditEntry(
                        actor.team,
                        actor.user,
                        "stock.reorder",
                        ",".join(f"order:{order.number}" for order in orders),
                        now,
                    )
                )
        return orders

    async def order(self, actor: Actor, order_id: int) -> Order:
        async with self._uow() as uow:
            return await self._order(uow, actor.team, order_id)

    async def edit(self, actor: Actor, order_id: int, quantities: Mapping[int, Decimal]) -> Order:
        """New quantities for a draft's lines, by line id; a line set to 0 is left out of the order."""
        actor.require(Role.MANAGER, action=Msg.of("action.order_stock"))
        async with self._uow() as uow:
            order = await self._order(uow, actor.team, order_id)
            if order.status is not OrderStatus.DRAFT:
                raise InvalidRequest(Msg.of("stock.error.not_draft", number=order.number))
            for line in order.lines:
                if line.id in quantities:
                    quantity = quantize(quantities[line.id])
                    await uow.stock.set_line_quantity(actor.team, order.id, line.id, quantity)
            order = await self._order(uow, actor.team, order_id)
            if not any(line.quantity > 0 for line in order.lines):
                raise InvalidRequest(Msg.of("stock.error.empty_order", number=order.number))
        return order

    async def approve(self, actor: Actor, order_id: int) -> Approval:
        """Once: a second click (or a second manager) is told who approved it. Then the email and the task.

        The approval commits together with a check-up a few minutes later in the reminder engine: if the process
        dies between the approval and the email or the task, the check-up finishes the job (and retries an email
        the relay refused once), so an approved order never goes without its email or its delivery task."""
        actor.require(Role.MANAGER, action=Msg.of("action.order_stock"))
        now = self._clock.now()
        async with self._uow() as uow:
            order = await self._order(uow, actor.team, order_id)
            settings = await self._settings(uow, actor.team)
            zone = settings.zone
            expected = now.astimezone(zone).date() + timedelta(days=order.lead_days or 1)
            if not await uow.stock.approve(actor.team, order.id, by=actor.user, at=now, expected_on=expected):
                if order.status is OrderStatus.APPROVED and order.approved_by is not None:
                    raise InvalidRequest(
                        Msg.of("stock.error.already_approved", number=order.number, user=order.approved_by)
                    )
                raise InvalidRequest(Msg.of("stock.error.not_draft", number=order.number))
            await uow.audit.add(AuditEntry(actor.team, actor.user, "stock.order.approve", f"order:{order.number}", now))
            await uow.schedules.add(
                ScheduleSpec(
                    team=actor.team,
                    kind=Kind.STOCK_ORDER,
                    target=f"stock_order:{order.number}",
                    recipient=actor.user,
                    created_by=actor.user,
                    first_fire=now + DISPATCH_CHECK_AFTER,
                    zone="UTC",
                    payload={"order": str(order.id)},
                ),
                at=now,
            )
            order = await self._order(uow, actor.team, order_id)
        if self._poke is not None:
            self._poke(now + DISPATCH_CHECK_AFTER)
        return await self._dispatch(actor, order, settings, now)

    async def resume_dispatch(self, actor: Actor, order_id: int) -> Approval | None:
        """The check-up after an approval: the email and the task that did not happen yet, or None when both did
        (or the order has no email to send and its task exists)."""
        now = self._clock.now()
        async with self._uow() as uow:
            order = await uow.stock.order(actor.team, order_id)
            settings = await self._settings(uow, actor.team)
        if order is None or order.status is not OrderStatus.APPROVED:
            return None
        if order.task_number is not None and not self._email_due(order):
            return None
        return await self._dispatch(actor, order, settings, now)

    def _email_due(self, order: Order) -> bool:
        return bool(order.email) and order.emailed_to is None and self.can_email

    async def _dispatch(self, actor: Actor, order: Order, settings: WorkspaceSettings, now: datetime) -> Approval:
        """Whatever of the email and the delivery task has not been done for an approved order."""
        zone = settings.zone
        emailed = failed = False
        if self._email_due(order) and self._mailer is not None and self._order_email is not None:
            assert order.email is not None  # _email_due
            mail = self._order_email(order, settings.language, zone)
            try:
                message_id = await self._mailer.send(
                    to=order.email,
                    subject=mail.subject,
                    text=mail.text,
                    in_reply_to=None,
                    references=(),
                    attachments=mail.attachments,
                )
            except Exception:  # the order stands; the check-up tries once more, then the manager is told
                log.exception("could not email order %s", order.number)
                failed = True
            else:
                emailed = True
                async with self._uow() as uow:
                    await uow.stock.set_sent(actor.team, order.id, to=order.email, message_id=message_id)
        task_due: datetime | None = None
        if self._tasks is not None and order.task_number is None:
            expected = order.expected_on or now.astimezone(zone).date()
            # The morning it is expected; a same-day delivery whose morning has passed is due in an hour.
            task_due = max(datetime.combine(expected, DELIVERY_HOUR, tzinfo=zone), now + timedelta(hours=1))
            number = await self._tasks(actor, order, task_due)
            async with self._uow() as uow:
                await uow.stock.set_task(actor.team, order.id, number)
        async with self._uow() as uow:
            order = await self._order(uow, actor.team, order.id)
        return Approval(order, emailed, failed, task_due, zone)

    # ---- the stock-take (managers) -------------------------------------------------------------------------------

    async def schedule_take(
        self,
        actor: Actor,
        location: str,
        checklist_name: str,
        *,
        recurrence: Recurrence,
        first: datetime,
        channel: ChannelId,
        deadline: time | None,
    ) -> tuple[TakeSchedule, ChecklistSchedule]:
        """The location's stock-take: a checklist with one number item per stock item there (made, or brought up
        to date with items added since), scheduled like any checklist. Counts entered on it come back to
        `counted`."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_stock"))
        if self._checklists is None:
            raise RuntimeError("stock-takes need the checklists capability")
        location = self._location(location) or ""
        if not location:
            raise InvalidRequest(Msg.of("stock.error.no_location"), example=_example("take"))
        async with self._uow() as uow:
            items = await uow.stock.at_location(actor.team, key_of(location))
            existing = await uow.stock.take_checklist(actor.team, key_of(location))
            checklist = await uow.checklists.get(actor.team, existing) if existing is not None else None
            if checklist is None:
                checklist = await uow.checklists.named(actor.team, checklist_name)
        if not items:
            raise InvalidRequest(Msg.of("stock.error.nothing_at", location=location), example=_example("set"))
        if checklist is None:
            checklist = await self._checklists.create(actor, checklist_name)
        async with self._uow() as uow:
            if existing != checklist.id:
                await uow.stock.add_take(actor.team, key_of(location), checklist.id)
            linked = await uow.stock.linked(actor.team, checklist.id)
        added = 0
        for item in items:
            if item.id in linked:
                continue
            spec = ItemSpec(label=item.name, kind=ItemKind.NUMBER, unit=item.unit)
            made = await self._checklists.add_item_to(actor, checklist.id, spec)
            async with self._uow() as uow:
                await uow.stock.link(actor.team, checklist.id, made.item.id, item.id)
            added += 1
        _, schedule = await self._checklists.schedule(
            actor, checklist.name, recurrence=recurrence, first=first, channel=channel, deadline=deadline
        )
        return TakeSchedule(location, checklist.name, len(items), added), schedule

    async def counted(self, actor: Actor, checklist_item_id: int, value: Decimal) -> Change | None:
        """A number entered on a stock-take checklist's post: a count of the linked item (None for any other
        checklist's readings). The reading is in the item's unit, as the checklist shows it."""
        async with self._uow() as uow:
            item_id = await uow.stock.linked_item(actor.team, checklist_item_id)
            if item_id is None:
                return None
            item = await uow.stock.item_by_id(actor.team, item_id, lock=True)
            if item is None:
                return None
            try:
                change, alert = await self._move(
                    uow, actor.team, actor.user, item, MovementKind.COUNT, Amount(value), "stock-take"
                )
            except InvalidRequest:  # a negative reading: kept on the checklist, not taken as a count
                log.warning("reading %s on a stock-take of %s is not a count", value, item.name)
                return None
        if alert is not None:
            await self._send_alert(alert)
        return change

    # ---- helpers -------------------------------------------------------------------------------------------------

    @staticmethod
    def _location(location: str | None) -> str | None:
        if location is None:
            return None
        location = clean(location).lstrip("#")
        if len(location) > MAX_LOCATION:
            raise InvalidRequest(Msg.of("stock.error.location_too_long", most=MAX_LOCATION), example=_example("add"))
        return location or None

    @staticmethod
    async def _supplier(uow: StockUnitOfWork, team: TeamId, name: str | None, now: datetime) -> Supplier | None:
        if name is None:
            return None
        name = clean(name)
        if not name or len(name) > MAX_SUPPLIER:
            raise InvalidRequest(Msg.of("stock.error.supplier_name", most=MAX_SUPPLIER), example=_example("supplier"))
        found = await uow.stock.supplier(team, key_of(name))
        return found if found is not None else await uow.stock.add_supplier(team, name, at=now)

    @staticmethod
    async def _item(uow: StockUnitOfWork, team: TeamId, name: str, *, lock: bool = False) -> StockItem:
        name = clean(name).strip("\"'“”")
        if not name:
            raise InvalidRequest(Msg.of("stock.error.no_name"), example=_example("use"))
        item = await uow.stock.item(team, key_of(name), lock=lock)
        if item is None:
            known = ", ".join(await uow.stock.names(team, 10)) or "\u2014"
            raise NotFound(Msg.of("stock.error.not_found", item=name, known=known), example=_example("add"))
        return item

    @staticmethod
    async def _order(uow: StockUnitOfWork, team: TeamId, order_id: int) -> Order:
        order = await uow.stock.order(team, order_id)
        if order is None:
            raise NotFound(Msg.of("stock.error.no_order"))
        return order
