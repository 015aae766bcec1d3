"""Checklists in Slack: the run message people tick off in the channel, its flags and deadline reports, the
modals, the command replies, and the CSV record.

A run message stays within Slack's limits whatever the checklist's length: up to `FULL_ITEMS` items get one
section each with its own button; a longer checklist is posted compact (items listed ten to a section, each
section with a menu to pick the item to tick or fill in), so it is still one message under 50 blocks.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.checklists import (
    Added,
    Checklist,
    ChecklistOverview,
    ChecklistSchedule,
    DeadlineReport,
    Entry,
    Export,
    Flag,
    Item,
    ItemKind,
    Posting,
    Run,
    format_number,
)
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import MAX_TEXT, button, clip, context, header, section
from bot.rendering.time import slack_date

TICK = "checklist_tick"
VALUE = "checklist_value"
PICK = "checklist_pick"
ADD_MODAL = "checklist_add_item"
VALUE_MODAL = "checklist_value_submit"
FULL_ITEMS = 40  # one block each, plus header, context and footer: well inside 50
COMPACT_CHUNK = 10  # items per section (and per menu) in a compact message
MAX_OPTION = 75  # Slack's limit for an option's text
HISTORY_LINES = 12  # lines of detail per run in /ops checklist history
LIST_PAGE = 20


def slack_time(instant: datetime, zone: ZoneInfo) -> str:
    """A time of day every reader sees in their own zone."""
    return f"<!date^{int(instant.timestamp())}^{{time}}|{instant.astimezone(zone):%H:%M}>"


def slack_day(instant: datetime, zone: ZoneInfo) -> str:
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}}|{instant.astimezone(zone):%Y-%m-%d}>"


def _range(item: Item) -> str:
    unit = f" {item.unit}" if item.unit else ""
    if item.minimum is not None and item.maximum is not None:
        return f"{format_number(item.minimum)}\u2013{format_number(item.maximum)}{unit}"
    return unit.strip()


def item_description(words: Words, item: Item) -> str:
    """`Fridge temperature (number, 0-5 °C)`: what an item is, for lists and confirmations."""
    if item.kind is ItemKind.NUMBER:
        detail = _range(item)
        kind = words("checklist.kind.number") + (f", {detail}" if detail else "")
    else:
        kind = words(f"checklist.kind.{item.kind.value}")
    return f"{item.label} _({kind})_"


def _value_text(words: Words, item: Item, entry: Entry) -> str:
    if entry.number is not None:
        return format_number(entry.number) + (f" {item.unit}" if item.unit else "")
    if entry.note is not None:
        return f"“{entry.note}”"
    return words("checklist.value.yes") if entry.checked else words("checklist.value.no")


def _item_state(words: Words, posting: Posting, item: Item) -> str:
    current = posting.run.current(item.id)
    if current is None or not current.completes:
        hint = f" _({_range(item)})_" if item.kind is ItemKind.NUMBER and _range(item) else ""
        return f"⬜ {item.label}{hint}"
    who = words("checklist.run.by", user=f"<@{current.by}>", time=slack_time(current.at, posting.zone))
    if item.kind is ItemKind.CHECK:
        return f"✅ {item.label} — {who}"
    value = _value_text(words, item, current)
    if current.in_range is False:
        return f"⚠️ {item.label}: *{value}* " + words("checklist.run.outside", range=_range(item)) + f" — {who}"
    icon = "📝" if item.kind is ItemKind.NOTE else "✅"
    return f"{icon} {item.label}: *{value}* — {who}"


def _item_button(words: Words, posting: Posting, item: Item) -> ButtonElement:
    value = f"{posting.run.id}:{item.id}"
    done = posting.run.is_done(item)
    if item.kind is ItemKind.CHECK:
        return button(
            words, "checklist.button.undo" if done else "checklist.button.done", TICK, value, primary=not done
        )
    key = "checklist.button.change" if done else f"checklist.button.enter_{item.kind.value}"
    return button(words, key, VALUE, value, primary=not done)


def run_message(words: Words, posting: Posting) -> Reply:
    """The checklist as posted to the channel, and as it looks after every tick (chat.update)."""
    run = posting.run
    blocks: list[Block] = [header("📋 " + run.name)]
    notes = [
        slack_day(run.due, posting.zone),
        words("checklist.run.progress", done=run.done_count, total=len(run.items)),
    ]
    if run.deadline is not None:
        notes.append(words("checklist.run.deadline", time=slack_time(run.deadline, posting.zone)))
    if posting.late:
        notes.append(words("checklist.run.late", time=slack_time(run.due, posting.zone)))
    blocks.append(context(" · ".join(notes)))
    if len(run.items) <= FULL_ITEMS:
        for item in run.items:
            blocks.append(
                section(
                    _item_state(words, posting, item), _item_button(words, posting, item), f"checklist_item:{item.id}"
                )
            )
    else:
        blocks += _compact(words, posting)
    if run.deadline_reported and run.open_items:
        blocks.append(context(words("checklist.run.deadline_missed", n=len(run.open_items))))
    elif run.items and not run.open_items:
        blocks.append(context(words("checklist.run.complete")))
    fallback = words("checklist.run.fallback", name=run.name, done=run.done_count, total=len(run.items))
    return Reply(text=fallback, blocks=blocks, response_type="in_channel")


def _compact(words: Words, posting: Posting) -> list[Block]:
    run = posting.run
    blocks: list[Block] = []
    for start in range(0, len(run.items), COMPACT_CHUNK):
        chunk = run.items[start : start + COMPACT_CHUNK]
        lines = [f"`{start + index + 1}` " + _item_state(words, posting, item) for index, item in enumerate(chunk)]
        text = "\n".join(lines)
        while len(text) > MAX_TEXT and lines:  # every line is short; this only guards against the absurd
            lines = [clip(line, MAX_TEXT // COMPACT_CHUNK) for line in lines]
            text = "\n".join(lines)
        blocks.append(section(text))
        options = [
            Option(value=f"{run.id}:{item.id}", text=clip(f"{start + index + 1}. {item.label}", MAX_OPTION))
            for index, item in enumerate(chunk)
        ]
        blocks.append(
            ActionsBlock(
                block_id=f"checklist_pick:{start}",
                elements=[
                    StaticSelectElement(
                        action_id=PICK,
                        placeholder=PlainTextObject(text=words("checklist.button.pick")),
                        options=options,
                    )
                ],
            )
        )
    return blocks


def flag_reply(words: Words, posting: Posting, flag: Flag) -> Reply:
    """In the checklist's thread, at once: which item, what value, the allowed range, who entered it."""
    item, entry = flag.item, flag.entry
    assert entry.number is not None
    unit = f" {item.unit}" if item.unit else ""
    text = words(
        "checklist.flag",
        item=item.label,
        value=format_number(entry.number) + unit,
        range=_range(item),
        user=f"<@{entry.by}>",
        time=slack_time(entry.at, posting.zone),
    )
    blocks: list[Block] = [section("⚠️ " + text)]
    if flag.task_id is not None:
        blocks.append(context(words("checklist.flag_task", id=flag.task_id)))
    return Reply(text=text, blocks=blocks, response_type="in_channel")


def _open_list(items: Sequence[Item]) -> str:
    return "\n".join(f"• {item.label}" for item in items)


def deadline_thread(words: Words, report: DeadlineReport) -> Reply:
    run = report.posting.run
    assert run.deadline is not None
    text = words(
        "checklist.deadline.thread", n=len(report.open_items), time=slack_time(run.deadline, report.posting.zone)
    )
    return Reply(
        text=text, blocks=[section("⏰ " + text + "\n" + _open_list(report.open_items))], response_type="in_channel"
    )


def deadline_dm(words: Words, report: DeadlineReport, zone: ZoneInfo) -> Reply:
    run = report.posting.run
    assert run.deadline is not None
    text = words(
        "checklist.deadline.dm",
        name=run.name,
        channel=f"<#{run.channel}>",
        n=len(report.open_items),
        time=slack_time(run.deadline, zone),
    )
    return Reply(text=text, blocks=[section("⏰ " + text + "\n" + _open_list(report.open_items))])


def post_failed(words: Words, name: str, channel: str, error: str) -> Reply:
    text = words("checklist.post_failed", name=name, channel=f"<#{channel}>", error=error)
    return Reply(text=text, blocks=[section(":warning: " + text)])


# ---- command replies -----------------------------------------------------------------------------------------


def created(words: Words, checklist: Checklist) -> Reply:
    text = words("checklist.created", name=checklist.name)
    return Reply(text=text, blocks=[section(":white_check_mark: " + text), context(words("checklist.next_add"))])


def item_added(words: Words, added: Added) -> Reply:
    text = words(
        "checklist.item_added",
        item=item_description(words, added.item),
        name=added.checklist.name,
        n=len(added.checklist.items),
    )
    return Reply(text=text, blocks=[section(":heavy_plus_sign: " + text)])


def item_removed(words: Words, checklist: Checklist, item: Item) -> Reply:
    text = words("checklist.item_removed", item=item.label, name=checklist.name)
    return Reply(text=text, blocks=[section(":heavy_minus_sign: " + text)])


def _schedule_line(words: Words, actor: Actor, schedule: ChecklistSchedule) -> str:
    parts = [f"<#{schedule.channel}>"]
    if schedule.local_start is not None:
        parts.append(words("checklist.schedule.at", time=f"{schedule.local_start:%H:%M}", zone=schedule.zone))
    if schedule.deadline is not None:
        parts.append(words("checklist.schedule.due", time=f"{schedule.deadline:%H:%M}"))
    if schedule.next_at is not None:
        parts.append(words("checklist.schedule.next", when=slack_date(schedule.next_at, actor.timezone)))
    return " · ".join(parts)


def scheduled(words: Words, actor: Actor, checklist: Checklist, schedule: ChecklistSchedule, phrase: str) -> Reply:
    assert schedule.next_at is not None
    text = words(
        "checklist.scheduled",
        name=checklist.name,
        channel=f"<#{schedule.channel}>",
        every=phrase,
        when=slack_date(schedule.next_at, actor.timezone, absolute=True),
    )
    blocks: list[Block] = [section(":calendar: " + text)]
    if schedule.deadline is not None:
        blocks.append(context(words("checklist.scheduled_due", time=f"{schedule.deadline:%H:%M}", zone=schedule.zone)))
    return Reply(text=text, blocks=blocks)


def unscheduled(words: Words, checklist: Checklist, count: int) -> Reply:
    text = words("checklist.unscheduled", name=checklist.name, n=count)
    return Reply(text=text, blocks=[section(text)])


def checklist_list(words: Words, actor: Actor, overviews: Sequence[ChecklistOverview]) -> Reply:
    if not overviews:
        text = words("checklist.list_empty")
        return Reply(text=text, blocks=[section(text), context(words("checklist.next_create"))])
    blocks: list[Block] = [header(words("checklist.list_title", n=len(overviews)))]
    for overview in overviews[:LIST_PAGE]:
        checklist = overview.checklist
        lines = [f"*{checklist.name}* — " + words("checklist.items_count", n=len(checklist.items))]
        lines += ["   " + _schedule_line(words, actor, schedule) for schedule in overview.schedules]
        if not overview.schedules:
            lines.append("   _" + words("checklist.not_scheduled") + "_")
        blocks.append(section("\n".join(lines)))
    if len(overviews) > LIST_PAGE:
        blocks.append(context(words("checklist.list_more", n=len(overviews) - LIST_PAGE)))
    blocks.append(context(words("checklist.list_hint")))
    return Reply(text=words("checklist.list_title", n=len(overviews)), blocks=blocks)


def checklist_detail(words: Words, actor: Actor, overview: ChecklistOverview) -> Reply:
    checklist = overview.checklist
    blocks: list[Block] = [header("📋 " + checklist.name)]
    if checklist.items:
        lines = [f"`{item.position}` {item_description(words, item)}" for item in checklist.items]
        blocks += _packed(lines)
    else:
        blocks.append(section(words("checklist.no_items", name=checklist.name)))
    for schedule in overview.schedules:
        blocks.append(context(":calendar: " + _schedule_line(words, actor, schedule)))
    if not overview.schedules:
        blocks.append(context(words("checklist.not_scheduled")))
    return Reply(text=checklist.name, blocks=blocks)


def _packed(lines: Sequence[str]) -> list[Block]:
    """Lines in as few sections as Slack's 3000 characters a text allow."""
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(item) + 1 for item in chunk) + len(line) > MAX_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(clip(line, 500))
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def history(words: Words, actor: Actor, checklist: Checklist, runs: Sequence[Run]) -> Reply:
    if not runs:
        text = words("checklist.history_empty", name=checklist.name)
        return Reply(text=text, blocks=[section(text)])
    blocks: list[Block] = [header(words("checklist.history_title", name=checklist.name))]
    for run in runs:
        zone = actor.timezone
        head = f"*{slack_day(run.due, zone)}* — " + words(
            "checklist.run.progress", done=run.done_count, total=len(run.items)
        )
        if run.deadline_reported and run.open_items:
            head += " · ⏰ " + words("checklist.history_missed", n=len(run.open_items))
        lines = [head]
        for item in run.items:
            current = run.current(item.id)
            if current is None or not current.completes:
                lines.append(f"⬜ {item.label}")
                continue
            value = "" if item.kind is ItemKind.CHECK else f": *{_value_text(words, item, current)}*"
            icon = "⚠️" if current.in_range is False else "✅"
            who = words("checklist.run.by", user=f"<@{current.by}>", time=slack_time(current.at, zone))
            lines.append(f"{icon} {item.label}{value} — {who}")
        for entry in run.out_of_range:
            flagged = run.item(entry.item_id)
            if flagged is not None and entry is not run.current(entry.item_id):
                value = _value_text(words, flagged, entry)
                lines.append("⚠️ " + words("checklist.history_reading", item=flagged.label, value=value))
        if len(lines) > HISTORY_LINES:
            lines = [*lines[:HISTORY_LINES], "…"]
        blocks.append(section("\n".join(lines)))
    blocks.append(context(words("checklist.history_hint", name=checklist.name)))
    return Reply(text=words("checklist.history_title", name=checklist.name), blocks=blocks)


# ---- the CSV record ------------------------------------------------------------------------------------------

CSV_COLUMNS = ("date", "time", "item", "value", "unit", "in_range", "done_by")


def export_csv(words: Words, export: Export) -> bytes:
    """date, time, item, value, unit, in range, done by; UTF-8 with a BOM so spreadsheets read °C right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([words(f"checklist.csv.{column}") for column in CSV_COLUMNS])
    for row in export.rows:
        if row.at is None:
            value = words("checklist.value.not_done")
        elif row.number is not None:
            value = format_number(row.number)
        elif row.note is not None:
            value = row.note
        else:
            value = words("checklist.value.yes") if row.checked else words("checklist.value.no")
        in_range = (
            "" if row.in_range is None else words("checklist.value.yes" if row.in_range else "checklist.value.no")
        )
        writer.writerow(
            [
                row.day.isoformat(),
                row.at.strftime("%H:%M:%S") if row.at is not None else "",
                row.item,
                value,
                row.unit or "",
                in_range,
                row.by or "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def export_filename(export: Export) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in export.checklist.name).strip("-").lower() or "checklist"
    return f"checklist-{safe}-{export.year:04d}-{export.month:02d}.csv"


def export_comment(words: Words, export: Export) -> str:
    return words("checklist.export_comment", name=export.checklist.name, month=f"{export.year:04d}-{export.month:02d}")


def export_sent(words: Words, export: Export) -> Reply:
    text = words(
        "checklist.export_sent",
        name=export.checklist.name,
        month=f"{export.year:04d}-{export.month:02d}",
        n=len(export.rows),
    )
    return Reply(text=text, blocks=[section(":page_facing_up: " + text)])


# ---- modals --------------------------------------------------------------------------------------------------


def add_item_modal(words: Words, checklist: Checklist, channel: str | None) -> dict[str, Any]:
    kinds = [
        Option(value=kind.value, text=words(f"checklist.kind.{kind.value}"))
        for kind in (ItemKind.CHECK, ItemKind.NUMBER, ItemKind.NOTE)
    ]
    view = View(
        type="modal",
        callback_id=ADD_MODAL,
        private_metadata=json.dumps({"checklist": checklist.id, "channel": channel}),
        title=PlainTextObject(text=clip(words("checklist.modal.add_title"), 24)),
        submit=PlainTextObject(text=words("checklist.modal.add")),
        close=PlainTextObject(text=words("checklist.modal.cancel")),
        blocks=[
            context(words("checklist.modal.add_to", name=checklist.name)),
            InputBlock(
                block_id="label",
                label=PlainTextObject(text=words("checklist.modal.label")),
                element=PlainTextInputElement(action_id="label", max_length=150),
            ),
            InputBlock(
                block_id="kind",
                label=PlainTextObject(text=words("checklist.modal.kind")),
                element=StaticSelectElement(action_id="kind", options=kinds, initial_option=kinds[0]),
            ),
            InputBlock(
                block_id="minimum",
                optional=True,
                label=PlainTextObject(text=words("checklist.modal.minimum")),
                element=PlainTextInputElement(action_id="minimum", max_length=16),
            ),
            InputBlock(
                block_id="maximum",
                optional=True,
                label=PlainTextObject(text=words("checklist.modal.maximum")),
                element=PlainTextInputElement(action_id="maximum", max_length=16),
            ),
            InputBlock(
                block_id="unit",
                optional=True,
                label=PlainTextObject(text=words("checklist.modal.unit")),
                element=PlainTextInputElement(action_id="unit", max_length=12),
                hint=PlainTextObject(text=words("checklist.modal.range_hint")),
            ),
        ],
    )
    return view.to_dict()


def value_modal(words: Words, run: Run, item: Item) -> dict[str, Any]:
    hint = words("checklist.modal.range", range=_range(item)) if item.kind is ItemKind.NUMBER and _range(item) else None
    view = View(
        type="modal",
        callback_id=VALUE_MODAL,
        private_metadata=json.dumps({"run": run.id, "item": item.id}),
        title=PlainTextObject(text=clip(words("checklist.modal.value_title"), 24)),
        submit=PlainTextObject(text=words("checklist.modal.save")),
        close=PlainTextObject(text=words("checklist.modal.cancel")),
        blocks=[
            context(f"📋 {clip(run.name, 200)}"),
            InputBlock(
                block_id="value",
                label=PlainTextObject(text=clip(item.label, 2000)),
                element=PlainTextInputElement(action_id="value", multiline=item.kind is ItemKind.NOTE, max_length=500),
                hint=PlainTextObject(text=hint) if hint else None,
            ),
        ],
    )
    return view.to_dict()
