"""Tasks as people see them: confirmations, the paginated list, the modal, due DMs and escalations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.messages import Msg
from bot.domain.reminders import Delivery, is_late
from bot.domain.roles import Actor
from bot.domain.tasks import Priority, Scope, Task, TaskQuery
from bot.i18n import Words
from bot.parsing import tasks as fields
from bot.rendering.blocks import Reply
from bot.rendering.kit import button, clip, context, section
from bot.rendering.time import slack_date

DM_DONE = "task_dm_done"
DM_SNOOZE = "task_dm_snooze"
DM_TOMORROW = "task_dm_tomorrow"
LIST_DONE = "task_list_done"
LIST_SNOOZE = "task_list_snooze"
PAGE = "task_page"
PAGE_SIZE = 20  # two blocks each, plus a header and the pager: well inside Slack's 50
MAX_GROUPED = 45  # one block each in a grouped message
BLOCK_PREFIX = "task:"
PRIORITY_MARKS: Mapping[Priority, str] = {
    Priority.LOW: "▫️",
    Priority.NORMAL: "",
    Priority.HIGH: "🔺",
    Priority.URGENT: "🚨",
}


def _priority(words: Words, priority: Priority) -> str:
    mark = PRIORITY_MARKS[priority]
    return (mark + " " if mark else "") + words(f"task.priority.{priority.value}")


def _title(task: Task) -> str:
    return f"<{task.source_link}|{task.title}>" if task.source_link else task.title


def task_line(words: Words, actor: Actor, task: Task, now: datetime) -> str:
    """`*#12* Order napkins — <@maria> — due Fri 17:00 — 🔺 high — #supplies`"""
    parts = [f"*#{task.number}* {_title(task)}", f"<@{task.assignee}>"]
    if task.due is not None:
        key = "task.overdue_since" if task.is_overdue(now) else "task.due_on"
        parts.append(words(key, when=slack_date(task.due, actor.timezone)))
    else:
        parts.append(words("task.no_due"))
    parts.append(_priority(words, task.priority))
    if task.tags:
        parts.append(" ".join(f"#{tag}" for tag in task.tags))
    if task.rrule:
        parts.append("🔁")
    if not task.is_open:
        parts.append(words("task.status.done"))
    return " — ".join(parts)


# ---- answers to commands ---------------------------------------------------------------------------------------


def created(words: Words, actor: Actor, task: Task, every: str | None, now: datetime) -> Reply:
    due = (
        words("task.due_absolute", when=slack_date(task.due, actor.timezone, absolute=True))
        if task.due
        else words("task.no_due")
    )
    who = words("task.for_you") if task.assignee == actor.user else words("task.for_user", user=f"<@{task.assignee}>")
    text = words("task.created", number=task.number, title=task.title, who=who, due=due)
    blocks: list[Block] = [section("✅ " + text), context(task_line(words, actor, task, now))]
    if every:
        blocks.append(context(words("task.repeats", every=every)))
    return Reply(text=text, blocks=blocks)


CHANGE_KEYS: Mapping[str, str] = {
    "done": "task.changed.done",
    "reopen": "task.changed.reopen",
    "assign": "task.changed.assign",
    "due": "task.changed.due",
    "no_due": "task.changed.no_due",
    "edit": "task.changed.edit",
    "delete": "task.changed.delete",
    "snooze": "task.changed.snooze",
}


def changed(words: Words, actor: Actor, task: Task, change: str, now: datetime) -> Reply:
    when = slack_date(task.due, actor.timezone, absolute=True) if task.due else ""
    text = words(CHANGE_KEYS[change], number=task.number, title=task.title, user=f"<@{task.assignee}>", when=when)
    blocks: list[Block] = [section(text)]
    if change != "delete":
        blocks.append(context(task_line(words, actor, task, now)))
    return Reply(text=text, blocks=blocks)


# ---- the list --------------------------------------------------------------------------------------------------


def _list_title(words: Words, query: TaskQuery, count: int) -> str:
    match query.scope:
        case Scope.MINE:
            return words("task.list.mine", n=count)
        case Scope.ALL:
            return words("task.list.all", n=count)
        case Scope.OVERDUE:
            return words("task.list.overdue", n=count)
        case Scope.PERSON:
            return words("task.list.person", n=count, user=f"<@{query.person}>")
        case Scope.TAG:
            return words("task.list.tag", n=count, tag=f"#{query.tag}")


def list_value(number: int, query: TaskQuery, offset: int) -> str:
    return f"{number}|{query.encode()}|{offset}"


def read_list_value(value: str) -> tuple[int, TaskQuery, int]:
    number, query, offset = [*value.split("|", 2), "", ""][:3]
    return (
        int(number) if number.isdigit() else 0,
        TaskQuery.decode(query),
        int(offset) if offset.isdigit() else 0,
    )


def task_list(
    words: Words, actor: Actor, tasks: Sequence[Task], query: TaskQuery, now: datetime, offset: int = 0
) -> Reply:
    title = _list_title(words, query, len(tasks))
    if not tasks:
        text = words("task.list.empty")
        return Reply(text=title + " " + text, blocks=[section(f"*{title}*\n{text}"), context(words("task.hint"))])
    offset = max(0, min(offset, len(tasks) - 1))
    page = tasks[offset : offset + PAGE_SIZE]
    # A header is plain text: mentions would show raw, so the title goes into a section.
    blocks: list[Block] = [section(f"*{title}*")]
    for task in page:
        blocks.append(section(task_line(words, actor, task, now)))
        value = list_value(task.number, query, offset)
        blocks.append(
            ActionsBlock(
                block_id=f"{BLOCK_PREFIX}{task.number}",
                elements=[
                    button(words, "task.button.done", LIST_DONE, value, primary=True),
                    button(words, "task.button.snooze", LIST_SNOOZE, value),
                ],
            )
        )
    pager: list[ButtonElement] = []
    if offset > 0:
        pager.append(button(words, "task.button.previous", PAGE, f"0|{query.encode()}|{max(offset - PAGE_SIZE, 0)}"))
    if offset + PAGE_SIZE < len(tasks):
        pager.append(button(words, "task.button.more", PAGE, f"0|{query.encode()}|{offset + PAGE_SIZE}"))
    if pager:
        blocks.append(context(words("task.list.page", first=offset + 1, last=offset + len(page), n=len(tasks))))
        blocks.append(ActionsBlock(block_id="task_pager", elements=pager))
    return Reply(text=title, blocks=blocks)


# ---- the modal -------------------------------------------------------------------------------------------------


def task_modal(words: Words, actor: Actor, *, title: str = "", private_metadata: str = "") -> dict[str, Any]:
    options = [Option(text=PlainTextObject(text=words(f"task.priority.{p.value}")), value=p.value) for p in Priority]
    normal = options[list(Priority).index(Priority.NORMAL)]
    view = View(
        type="modal",
        callback_id=fields.MODAL,
        title=PlainTextObject(text=words("task.modal.title")),
        submit=PlainTextObject(text=words("task.modal.submit")),
        close=PlainTextObject(text=words("task.modal.cancel")),
        private_metadata=private_metadata,
        blocks=[
            InputBlock(
                block_id=fields.TITLE_BLOCK,
                label=PlainTextObject(text=words("task.modal.task")),
                element=PlainTextInputElement(
                    action_id="title", initial_value=clip(title, 200) if title else None, max_length=200
                ),
            ),
            InputBlock(
                block_id=fields.ASSIGNEE_BLOCK,
                label=PlainTextObject(text=words("task.modal.assignee")),
                element=UserSelectElement(action_id="assignee", initial_user=actor.user),
                optional=True,
            ),
            InputBlock(
                block_id=fields.DATE_BLOCK,
                label=PlainTextObject(text=words("task.modal.date")),
                element=DatePickerElement(action_id="date"),
                optional=True,
            ),
            InputBlock(
                block_id=fields.TIME_BLOCK,
                label=PlainTextObject(text=words("task.modal.time")),
                element=TimePickerElement(action_id="time", timezone=actor.timezone.key),
                hint=PlainTextObject(text=words("task.modal.time_hint")),
                optional=True,
            ),
            InputBlock(
                block_id=fields.PRIORITY_BLOCK,
                label=PlainTextObject(text=words("task.modal.priority")),
                element=StaticSelectElement(action_id="priority", options=options, initial_option=normal),
                optional=True,
            ),
            InputBlock(
                block_id=fields.NOTES_BLOCK,
                label=PlainTextObject(text=words("task.modal.notes")),
                element=PlainTextInputElement(action_id="notes", multiline=True, max_length=2000),
                optional=True,
            ),
        ],
    )
    return view.to_dict()


def modal_errors(words: Words, errors: Mapping[str, Msg]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": {block: words.msg(msg) for block, msg in errors.items()}}


# ---- due reminders and escalations -------------------------------------------------------------------------------


def _ago(words: Words, due: datetime, now: datetime) -> str:
    minutes = max(int((now - due).total_seconds() // 60), 0)
    if minutes < 60:
        return words("task.ago.minutes", n=minutes)
    if minutes < 48 * 60:
        return words("task.ago.hours", n=minutes // 60)
    return words("task.ago.days", n=minutes // 1440)


def _late_note(words: Words, actor: Actor, due: datetime, now: datetime) -> str:
    return words("task.late", due=due.astimezone(actor.timezone).strftime("%H:%M"), ago=_ago(words, due, now))


def _dm_buttons(words: Words, task: Task) -> ActionsBlock:
    value = str(task.number)
    return ActionsBlock(
        block_id=f"{BLOCK_PREFIX}{task.number}",
        elements=[
            button(words, "task.button.done", DM_DONE, value, primary=True),
            button(words, "task.button.snooze", DM_SNOOZE, value),
            button(words, "task.button.tomorrow", DM_TOMORROW, value),
        ],
    )


def due_message(words: Words, actor: Actor, delivery: Delivery, task: Task, now: datetime) -> Reply:
    notes = [task_line(words, actor, task, now)]
    if task.created_by != task.assignee:
        notes.append(words("task.from", user=f"<@{task.created_by}>"))
    if is_late(delivery.due, now):
        notes.append(_late_note(words, actor, delivery.due, now))
    blocks: list[Block] = [
        section(words("task.due_title", number=task.number, title=_title(task))),
        context(" · ".join(notes)),
    ]
    if task.notes:
        blocks.append(context(task.notes))
    blocks.append(_dm_buttons(words, task))
    return Reply(text=words("task.due_fallback", number=task.number, title=task.title), blocks=blocks)


def grouped_due(words: Words, actor: Actor, items: Sequence[tuple[Delivery, Task]], now: datetime) -> Reply:
    """Several tasks due for one person at once (typically after downtime): one message, one line each."""
    late = any(is_late(delivery.due, now) for delivery, _ in items)
    title_key = "task.group_late" if late else "task.group"
    blocks: list[Block] = [section(words(title_key, n=len(items)))]
    for delivery, task in items[:MAX_GROUPED]:
        note = (
            _late_note(words, actor, delivery.due, now)
            if is_late(delivery.due, now)
            else slack_date(delivery.due, actor.timezone)
        )
        block = section(
            f"• *#{task.number}* {_title(task)} — {note}",
            button(words, "task.button.done", DM_DONE, str(task.number)),
        )
        block.block_id = f"{BLOCK_PREFIX}{task.number}"
        blocks.append(block)
    titles = ", ".join(task.title for _, task in items)
    return Reply(text=words(title_key, n=len(items)) + " " + titles, blocks=blocks)


def after_dm_action(
    words: Words, actor: Actor, message_blocks: list[dict[str, Any]], task: Task, outcome: str
) -> dict[str, Any]:
    """The due DM as it should look after Done or Snooze: the acted-on task replaced in place."""
    if outcome == "done":
        line = words("task.dm.done", number=task.number, title=task.title)
    else:
        assert task.due is not None
        line = words("task.dm.snoozed", number=task.number, title=task.title, when=slack_date(task.due, actor.timezone))
    block_id = f"{BLOCK_PREFIX}{task.number}"
    resolved = SectionBlock(block_id=block_id, text=MarkdownTextObject(text=clip(line))).to_dict()
    grouped = sum(1 for block in message_blocks if str(block.get("block_id", "")).startswith(BLOCK_PREFIX)) > 1
    if not grouped:
        return {"replace_original": True, "text": line, "blocks": [resolved]}
    blocks = [resolved if block.get("block_id") == block_id else block for block in message_blocks]
    return {"replace_original": True, "text": line, "blocks": blocks}


def escalation_message(words: Words, actor: Actor, task: Task, now: datetime) -> Reply:
    assert task.due is not None
    text = words(
        "task.escalation",
        number=task.number,
        title=_title(task),
        user=f"<@{task.assignee}>",
        when=slack_date(task.due, actor.timezone),
        ago=_ago(words, task.due, now),
    )
    return Reply(text=text, blocks=[section("⏰ " + text), context(task_line(words, actor, task, now))])


def failure_report(words: Words, recipient: str, title: str, error: str) -> Reply:
    line = words("task.failed", user=f"<@{recipient}>", title=title, error=error)
    return Reply(text=line, blocks=[section(":warning: " + line)])
