"""Stock in Slack and on paper: the listing (low first), movements and history, the low-stock alert, draft orders
with Approve / Edit, the Edit modal, the approved order as CSV and PDF, and the order email to the supplier."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.domain.checklists import ChecklistSchedule
from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.domain.roles import Actor
from bot.domain.stock import (
    Approval,
    Change,
    History,
    Listing,
    LowAlert,
    LowStock,
    MovementKind,
    Order,
    OrderMail,
    StockItem,
    Supplier,
    TakeSchedule,
    format_quantity,
)
from bot.i18n import Words
from bot.parsing.stock import EDIT_MODAL, LINE_BLOCK
from bot.rendering.blocks import Reply
from bot.rendering.kit import button, clip, context, header, section
from bot.rendering.pdf import Fields, Heading, Paragraph, Table, pdf_document
from bot.rendering.time import slack_date

APPROVE = "stock_order_approve"
EDIT = "stock_order_edit_open"
MAX_LINES = 40


def quantity(words: Words, value: Decimal, unit: str = "") -> str:
    """`2.5 kg` in English, `2,5 kg` in Italian; never `2.500`."""
    text = format_decimal(value.normalize(), format="#,##0.###", locale=words.language)
    return f"{text} {unit}".strip()


def _escaped(text: str) -> str:
    return clip(text, 200).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_line(words: Words, item: StockItem) -> str:
    mark = ":warning: " if item.is_low else ""
    parts = [f"{mark}*{_escaped(item.name)}* {quantity(words, item.quantity, item.unit)}"]
    if item.minimum is not None:
        parts.append(words("stock.line.min", min=quantity(words, item.minimum, item.unit)))
    if item.supplier:
        parts.append(_escaped(item.supplier))
    if item.location:
        parts.append(words("stock.line.at", location=_escaped(item.location)))
    return " · ".join(parts)


def listing(words: Words, found: Listing) -> Reply:
    if not found.total:
        text = words("stock.list_empty")
        return Reply(text, [section(text), context(words("stock.next_add"))])
    title = words("stock.list_title", n=found.total, low=found.low)
    lines = [_item_line(words, item) for item in found.items]
    blocks: list[Block] = [header(title)]
    for start in range(0, len(lines), 20):
        blocks.append(section("\n".join(lines[start : start + 20])))
    if found.total > len(found.items):
        blocks.append(context(words("stock.list_more", n=found.total - len(found.items))))
    return Reply(title, blocks)


def added(words: Words, item: StockItem) -> Reply:
    text = words("stock.added", item=_escaped(item.name), quantity=quantity(words, item.quantity, item.unit))
    blocks: list[Block] = [section(":package: " + text), context(_item_line(words, item))]
    if item.minimum is not None:
        level = item.reorder_level or Decimal(0)
        blocks.append(context(words("stock.reorder_level", target=quantity(words, level, item.unit))))
    return Reply(text, blocks)


def changed(words: Words, item: StockItem) -> Reply:
    text = words("stock.changed", item=_escaped(item.name))
    return Reply(text, [section(text), context(_item_line(words, item))])


_MOVED = {
    MovementKind.USE: "stock.used",
    MovementKind.RECEIVE: "stock.received",
    MovementKind.COUNT: "stock.counted",
    MovementKind.ADD: "stock.added",
}


def moved(words: Words, change: Change) -> Reply:
    item, movement = change.item, change.movement
    text = words(
        _MOVED[movement.kind],
        item=_escaped(item.name),
        quantity=quantity(words, movement.entered, movement.entered_unit),
        left=quantity(words, item.quantity, item.unit),
        difference=_signed(words, movement.change, item.unit),
    )
    blocks: list[Block] = [section(text)]
    if item.is_low and item.minimum is not None:
        key = "stock.still_low"
        if change.crossed:
            key = "stock.now_low_alerted" if change.alerted else "stock.now_low_no_channel"
        minimum = quantity(words, item.minimum, item.unit)
        blocks.append(context(":warning: " + words(key, item=_escaped(item.name), min=minimum)))
    elif change.recovered:
        blocks.append(context(words("stock.recovered", item=_escaped(item.name))))
    return Reply(text, blocks)


def _signed(words: Words, value: Decimal, unit: str) -> str:
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "\u00b1")
    return sign + quantity(words, abs(value), unit)


def history(words: Words, found: History, zone: ZoneInfo) -> Reply:
    item = found.item
    title = words("stock.history_title", item=item.name)
    if not found.movements:
        return Reply(title, [header(title), section(words("stock.history_empty"))])
    lines = []
    for movement in found.movements:
        kind = words(f"stock.kind.{movement.kind.value}")
        line = (
            f"{slack_date(movement.at, zone)} · {kind} {quantity(words, movement.entered, movement.entered_unit)}"
            f" ({_signed(words, movement.change, item.unit)}) → {quantity(words, movement.quantity_after, item.unit)}"
            f" · <@{movement.by}>"
        )
        if movement.note:
            line += f" · _{_escaped(movement.note)}_"
        lines.append(line)
    return Reply(title, [header(title), context(_item_line(words, item)), section("\n".join(lines))])


def supplier_set(words: Words, supplier: Supplier) -> Reply:
    text = words(
        "stock.supplier_set",
        supplier=_escaped(supplier.name),
        email=supplier.email or "\u2014",
        lead=supplier.lead_days if supplier.lead_days is not None else 1,
    )
    return Reply(text, [section(text)])


def channel_set(words: Words, channel: ChannelId | None) -> Reply:
    text = words("stock.channel_set", channel=f"<#{channel}>") if channel else words("stock.channel_off")
    return Reply(text, [section(text)])


def low_alert(words: Words, alert: LowAlert) -> Reply:
    item = alert.item
    minimum = item.minimum or Decimal(0)
    text = words(
        "stock.alert",
        item=_escaped(item.name),
        quantity=quantity(words, item.quantity, item.unit),
        min=quantity(words, minimum, item.unit),
        user=f"<@{alert.by}>",
    )
    return Reply(text, [section(":warning: " + text), context(words("stock.alert_next"))], "in_channel")


# ---- orders ----------------------------------------------------------------------------------------------------


def _supplier_name(words: Words, order: Order) -> str:
    return order.supplier or words("stock.no_supplier")


def _order_lines(words: Words, order: Order) -> str:
    lines = [f"• {_escaped(line.item)}: *{quantity(words, line.quantity, line.unit)}*" for line in order.lines]
    return "\n".join(lines[:MAX_LINES])


def _order_blocks(words: Words, order: Order, can_email: bool) -> list[Block]:
    title = words("stock.order_title", number=order.number, supplier=_escaped(_supplier_name(words, order)))
    if order.email and can_email:
        how = words("stock.order_will_email", email=order.email)
    elif order.email:
        how = words("stock.order_no_smtp", email=order.email)
    else:
        how = words("stock.order_no_email")
    blocks: list[Block] = [
        section(f"*{title}*\n{_order_lines(words, order)}"),
        context(how),
        ActionsBlock(
            block_id=f"stock_order:{order.id}",
            elements=[
                button(words, "stock.button.approve", APPROVE, str(order.id), primary=True),
                button(words, "stock.button.edit", EDIT, str(order.id)),
            ],
        ),
    ]
    return blocks


def drafts(words: Words, orders: Sequence[Order], can_email: bool) -> Reply:
    if not orders:
        text = words("stock.nothing_low")
        return Reply(text, [section(":white_check_mark: " + text)])
    text = words("stock.drafts_title", n=len(orders))
    blocks: list[Block] = [header(text)]
    for order in orders[:10]:
        blocks += [*_order_blocks(words, order, can_email), DividerBlock()]
    return Reply(text, blocks[:-1])


def draft(words: Words, order: Order, can_email: bool) -> Reply:
    text = words("stock.order_edited", number=order.number)
    return Reply(text, [section(text), *_order_blocks(words, order, can_email)])


def approved(words: Words, approval: Approval) -> Reply:
    order = approval.order
    text = words("stock.approved", number=order.number, supplier=_escaped(_supplier_name(words, order)))
    notes = []
    if approval.emailed:
        notes.append(words("stock.emailed", email=order.emailed_to or ""))
    elif approval.email_failed:
        notes.append(words("stock.email_failed", email=order.email or ""))
    else:
        notes.append(words("stock.send_yourself"))
    if order.task_number is not None and approval.task_due is not None:
        notes.append(
            words("stock.delivery_task", number=order.task_number, when=slack_date(approval.task_due, approval.zone))
        )
    return Reply(
        text, [section(":white_check_mark: " + text + "\n" + _order_lines(words, order)), context(" ".join(notes))]
    )


def dispatch_resumed(words: Words, approval: Approval) -> Reply:
    """To the approver, when the check-up after an approval had to finish the email or the delivery task."""
    order = approval.order
    text = words("stock.dispatch_resumed", number=order.number, supplier=_escaped(_supplier_name(words, order)))
    notes = []
    if approval.emailed:
        notes.append(words("stock.emailed", email=order.emailed_to or ""))
    elif approval.email_failed:
        notes.append(words("stock.email_failed_again", email=order.email or ""))
    if order.task_number is not None and approval.task_due is not None:
        notes.append(
            words("stock.delivery_task", number=order.task_number, when=slack_date(approval.task_due, approval.zone))
        )
    return Reply(text, [section(text), context(" ".join(notes))])


def edit_modal(words: Words, order: Order) -> dict[str, Any]:
    blocks: list[Block] = [
        InputBlock(
            block_id=f"{LINE_BLOCK}{line.id}",
            label=PlainTextObject(text=clip(f"{line.item} ({line.unit})", 150)),
            element=PlainTextInputElement(action_id="quantity", initial_value=format_quantity(line.quantity)),
        )
        for line in order.lines[:MAX_LINES]
    ]
    view = View(
        type="modal",
        callback_id=EDIT_MODAL,
        private_metadata=str(order.id),
        title=PlainTextObject(text=clip(words("stock.edit_title", number=order.number), 24)),
        submit=PlainTextObject(text=words("stock.edit_submit")),
        close=PlainTextObject(text=words("stock.edit_cancel")),
        blocks=[context(words("stock.edit_hint")), *blocks],
    )
    return view.to_dict()


def form_errors(words: Words, errors: Mapping[str, Msg]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": {block: words.msg(msg) for block, msg in errors.items()}}


def order_filename(order: Order, extension: str) -> str:
    return f"order-{order.number}.{extension}"


def order_csv(words: Words, order: Order) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            words("stock.csv.order"),
            words("stock.csv.supplier"),
            words("stock.csv.item"),
            words("stock.csv.quantity"),
            words("stock.csv.unit"),
            words("stock.csv.expected"),
        ]
    )
    for line in order.lines:
        writer.writerow(
            [
                order.number,
                order.supplier or "",
                line.item,
                format_quantity(line.quantity),
                line.unit,
                order.expected_on.isoformat() if order.expected_on else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def order_pdf(words: Words, order: Order, zone: ZoneInfo) -> bytes:
    title = words("stock.order_title", number=order.number, supplier=_supplier_name(words, order))
    fields = [(words("stock.csv.supplier"), _supplier_name(words, order))]
    if order.email:
        fields.append(("Email", order.email))
    if order.approved_at is not None:
        fields.append((words("stock.pdf.approved"), order.approved_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")))
    if order.expected_on is not None:
        fields.append((words("stock.csv.expected"), order.expected_on.isoformat()))
    rows = [[line.item, quantity(words, line.quantity), line.unit] for line in order.lines]
    return pdf_document(
        title,
        [
            Fields(fields),
            Heading(words("stock.pdf.lines")),
            Table(
                [words("stock.csv.item"), words("stock.csv.quantity"), words("stock.csv.unit")], rows, frozenset({1})
            ),
            Paragraph(words("stock.pdf.thanks")),
        ],
        footer="Ops Assistant",
    )


def order_email(words: Words, order: Order, zone: ZoneInfo) -> OrderMail:
    """The supplier's email: the order in its text, and the same order as PDF and CSV for their systems."""
    subject = words("stock.email.subject", number=order.number)
    lines = [f"- {line.item}: {quantity(words, line.quantity, line.unit)}" for line in order.lines]
    expected = order.expected_on.isoformat() if order.expected_on else ""
    text = words(
        "stock.email.body",
        supplier=order.supplier or "",
        number=order.number,
        lines="\n".join(lines),
        expected=expected,
    )
    attachments = (
        (order_filename(order, "pdf"), "application/pdf", order_pdf(words, order, zone)),
        (order_filename(order, "csv"), "text/csv", order_csv(words, order)),
    )
    return OrderMail(subject, text + "\n", attachments)


def delivery_task_title(words: Words, order: Order) -> str:
    if order.supplier:
        return words("stock.task_title", number=order.number, supplier=order.supplier)
    return words("stock.task_title_plain", number=order.number)


def take_scheduled(words: Words, actor: Actor, take: TakeSchedule, schedule: ChecklistSchedule, phrase: str) -> Reply:
    assert schedule.next_at is not None
    text = words(
        "stock.take_scheduled",
        location=_escaped(take.location),
        name=_escaped(take.checklist),
        items=take.items,
        channel=f"<#{schedule.channel}>",
        every=phrase,
        when=slack_date(schedule.next_at, actor.timezone, absolute=True),
    )
    return Reply(text, [section(":clipboard: " + text), context(words("stock.take_hint"))])


def low_lines(words: Words, low: LowStock) -> list[str]:
    """The digest's lines: each low item with its quantity and minimum."""
    return [
        words(
            "stock.digest_line",
            item=_escaped(item.name),
            quantity=quantity(words, item.quantity, item.unit),
            min=quantity(words, item.minimum or Decimal(0), item.unit),
        )
        for item in low.items
    ]
