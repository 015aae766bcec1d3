"""Reminder DMs, their in-place updates, and the `/ops reminders` list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.reminders import Delivery, is_late
from bot.domain.reminding import PendingReminders, PlainReminder, TaskReminder
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import button, clip, context, section
from bot.rendering.time import slack_date

DONE = "reminder_done"
SNOOZE = "reminder_snooze"
TOMORROW = "reminder_tomorrow"
LIST_SNOOZE = "reminder_list_snooze"
LIST_CANCEL = "reminder_list_cancel"
PAGE = "reminder_page"
TASK_SNOOZE = "reminder_task_snooze"
TASK_CANCEL = "reminder_task_cancel"
PAGE_SIZE = 20  # two blocks each: well inside Slack's 50
MAX_GROUPED = 45  # one block each in a grouped message


def _ago(words: Words, due: datetime, now: datetime) -> str:
    minutes = max(int((now - due).total_seconds() // 60), 0)
    if minutes < 60:
        return words("reminder.ago.minutes", n=minutes)
    if minutes < 48 * 60:
        return words("reminder.ago.hours", n=minutes // 60)
    return words("reminder.ago.days", n=minutes // 1440)


def _late_note(words: Words, actor: Actor, delivery: Delivery, now: datetime) -> str:
    local = delivery.due.astimezone(actor.timezone)
    return words("reminder.late", due=local.strftime("%H:%M"), ago=_ago(words, delivery.due, now))


def _from(words: Words, delivery: Delivery) -> str:
    return words("reminder.from", user=f"<@{delivery.created_by}>") if delivery.created_by != delivery.recipient else ""


def reminder_message(words: Words, actor: Actor, delivery: Delivery, now: datetime) -> Reply:
    text = delivery.payload.get("text", "")
    value = str(delivery.schedule_id)
    notes = [note for note in (_from(words, delivery), slack_date(delivery.due, actor.timezone)) if note]
    if is_late(delivery.due, now):
        notes.append(_late_note(words, actor, delivery, now))
    blocks: list[Block] = [
        section(words("reminder.title", text=text)),
        context(" · ".join(notes)),
        ActionsBlock(
            block_id=f"reminder:{value}",
            elements=[
                button(words, "reminder.button.done", DONE, value, primary=True),
                button(words, "reminder.button.snooze", SNOOZE, value),
                button(words, "reminder.button.tomorrow", TOMORROW, value),
            ],
        ),
    ]
    return Reply(text=words("reminder.fallback", text=text), blocks=blocks)


def grouped_reminders(words: Words, actor: Actor, deliveries: Sequence[Delivery], now: datetime) -> Reply:
    """Several reminders for one person at once (typically after downtime): one message, one line each."""
    late = [d for d in deliveries if is_late(d.due, now)]
    title_key = "reminder.group_late" if late else "reminder.group"
    blocks: list[Block] = [section(words(title_key, n=len(deliveries)))]
    for delivery in deliveries[:MAX_GROUPED]:
        parts = [delivery.payload.get("text", ""), _from(words, delivery)]
        note = (
            _late_note(words, actor, delivery, now)
            if is_late(delivery.due, now)
            else slack_date(delivery.due, actor.timezone)
        )
        line = "• *" + parts[0] + "*" + (f" ({parts[1]})" if parts[1] else "") + " — " + note
        block = section(line, button(words, "reminder.button.done", DONE, str(delivery.schedule_id)))
        block.block_id = f"reminder:{delivery.schedule_id}"
        blocks.append(block)
    texts = ", ".join(d.payload.get("text", "") for d in deliveries)
    return Reply(text=words(title_key, n=len(deliveries)) + " " + texts, blocks=blocks)


def _resolved_block(block_id: str, text: str) -> dict[str, Any]:
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(text=clip(text))).to_dict()


def after_action(
    words: Words,
    actor: Actor,
    message_blocks: list[dict[str, Any]],
    reminder: PlainReminder,
    outcome: str,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The reminder message as it should look after Done or Snooze: the acted-on part replaced in place."""
    if outcome == "done":
        line = words("reminder.done", text=reminder.text)
    else:
        assert until is not None
        line = words("reminder.snoozed", text=reminder.text, when=slack_date(until, actor.timezone))
    block_id = f"reminder:{reminder.id}"
    grouped = sum(1 for block in message_blocks if str(block.get("block_id", "")).startswith("reminder:")) > 1
    if not grouped:
        return {"replace_original": True, "text": line, "blocks": [_resolved_block(block_id, line)]}
    blocks = [
        _resolved_block(block_id, line) if block.get("block_id") == block_id else block for block in message_blocks
    ]
    return {"replace_original": True, "text": line, "blocks": blocks}


def confirmation(words: Words, actor: Actor, reminders: Sequence[PlainReminder], every: str | None) -> Reply:
    first = reminders[0]
    assert first.next_at is not None
    when = slack_date(first.next_at, actor.timezone, absolute=True)
    if len(reminders) > 1:
        text = words("reminder.confirm_group", n=len(reminders), text=first.text, when=when)
    elif first.recipient == actor.user:
        text = words("reminder.confirm_me", text=first.text, when=when)
    else:
        text = words("reminder.confirm_other", user=f"<@{first.recipient}>", text=first.text, when=when)
    blocks: list[Block] = [section(":alarm_clock: " + text)]
    if every:
        blocks.append(context(words("reminder.repeats", every=every)))
    return Reply(text=text, blocks=blocks)


def reminder_list(words: Words, actor: Actor, pending: PendingReminders, offset: int = 0) -> Reply:
    """Plain reminders and task reminders, soonest first, each with Snooze and Cancel."""
    if not len(pending):
        text = words("reminder.list_empty")
        return Reply(text=text, blocks=[section(text), context(words("reminder.example_hint"))])
    entries: list[tuple[datetime, list[Block]]] = [
        (reminder.next_at, _plain_entry(words, actor, reminder)) for reminder in pending.plain if reminder.next_at
    ]
    entries += [(task.due, _task_entry(words, actor, task)) for task in pending.tasks]
    entries.sort(key=lambda entry: entry[0])
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=words("reminder.list_title", n=len(pending))))]
    for _when, entry in entries[offset : offset + PAGE_SIZE]:
        blocks += entry
    if offset + PAGE_SIZE < len(entries):
        blocks.append(ActionsBlock(elements=[button(words, "reminder.button.more", PAGE, str(offset + PAGE_SIZE))]))
    return Reply(text=words("reminder.list_title", n=len(pending)), blocks=blocks)


def _plain_entry(words: Words, actor: Actor, reminder: PlainReminder) -> list[Block]:
    assert reminder.next_at is not None
    who = ""
    if reminder.recipient != actor.user:
        who = " " + words("reminder.for", user=f"<@{reminder.recipient}>")
    elif reminder.created_by != actor.user:
        who = " " + words("reminder.from", user=f"<@{reminder.created_by}>")
    repeat = " " + words("reminder.recurring") if reminder.rrule else ""
    value = str(reminder.id)
    buttons = [button(words, "reminder.button.cancel", LIST_CANCEL, value)]
    if not reminder.rrule:
        buttons.insert(0, button(words, "reminder.button.snooze", LIST_SNOOZE, value))
    return [
        section(f"*{reminder.text}*{who} — {slack_date(reminder.next_at, actor.timezone)}{repeat}"),
        ActionsBlock(block_id=f"reminder:{value}", elements=buttons),
    ]


def _task_entry(words: Words, actor: Actor, task: TaskReminder) -> list[Block]:
    value = str(task.number)
    line = words("reminder.task_entry", number=task.number, title=task.title)
    return [
        section(f"{line} — {slack_date(task.due, actor.timezone)}"),
        ActionsBlock(
            block_id=f"task-reminder:{value}",
            elements=[
                button(words, "reminder.button.snooze", TASK_SNOOZE, value),
                button(words, "reminder.button.cancel", TASK_CANCEL, value),
            ],
        ),
    ]


def failure_report(words: Words, recipient: str, text: str, error: str) -> Reply:
    line = words("reminder.failed", user=f"<@{recipient}>", text=text, error=error)
    return Reply(text=line, blocks=[section(":warning: " + line)])
