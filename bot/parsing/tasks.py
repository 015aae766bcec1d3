"""`/ops task …` text and the task modal's values → typed requests.

Subcommands keep their English keywords (`add`, `list`, `done`…); the dates and recurrences inside them are
read in English or Italian, on the speaker's clock (`find_due`, `parse_when`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.ids import UserId
from bot.domain.messages import Msg
from bot.domain.tasks import MAX_TAGS, MAX_TITLE, Priority, Scope, TaskDraft, TaskQuery
from bot.parsing.dates import DEFAULT_TIME, Every, When, find_due, parse_when
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first, user_mention

PRIORITY_WORDS: Mapping[str, Priority] = MappingProxyType(
    {
        "low": Priority.LOW,
        "bassa": Priority.LOW,
        "normal": Priority.NORMAL,
        "normale": Priority.NORMAL,
        "medium": Priority.NORMAL,
        "media": Priority.NORMAL,
        "high": Priority.HIGH,
        "alta": Priority.HIGH,
        "urgent": Priority.URGENT,
        "urgente": Priority.URGENT,
    }
)
_PRIORITY_KEYWORDS = frozenset({"priority", "priorità", "priorita", "prio"})
_MENTION = re.compile(r"<@[UW][A-Z0-9]{2,}(?:\|[^>]*)?>")
_CHANNEL_TAG = re.compile(r"<#[CG][A-Z0-9]{2,}\|([^>]+)>")
_TAG = re.compile(r"(?<![\w&])#([\w-]{1,40})")
_NONE_WORDS = frozenset({"none", "off", "no", "nessuna", "nessuno"})

# The modal's block and action ids (the renderer builds it, the parser reads it back).
MODAL = "task_create_modal"
TITLE_BLOCK = "task_title"
ASSIGNEE_BLOCK = "task_assignee"
DATE_BLOCK = "task_date"
TIME_BLOCK = "task_time"
PRIORITY_BLOCK = "task_priority"
NOTES_BLOCK = "task_notes"


@dataclass(frozen=True, slots=True)
class AddTask:
    draft: TaskDraft
    every: str | None = None  # the recurrence phrase as typed, echoed back


@dataclass(frozen=True, slots=True)
class OpenModal:
    """`/ops task add` with nothing after it: the form to fill in."""


@dataclass(frozen=True, slots=True)
class ListTasks:
    query: TaskQuery


@dataclass(frozen=True, slots=True)
class ChangeTask:
    """done / reopen / delete"""

    verb: str
    number: int


@dataclass(frozen=True, slots=True)
class AssignTask:
    number: int
    assignee: UserId


@dataclass(frozen=True, slots=True)
class DueTask:
    number: int
    due: datetime | None


@dataclass(frozen=True, slots=True)
class EditTask:
    number: int
    title: str


@dataclass(frozen=True, slots=True)
class TaskHelp:
    """`/ops task` alone: what the task commands are."""


TaskCommand = AddTask | OpenModal | ListTasks | ChangeTask | AssignTask | DueTask | EditTask | TaskHelp


def parse_task_command(text: str, *, now: datetime, zone: ZoneInfo) -> TaskCommand:
    verb, rest = split_first(text)
    if verb in ("", "help", "aiuto"):
        return TaskHelp()
    if verb in ("add", "new", "create"):
        return OpenModal() if not rest else parse_add(rest, now=now, zone=zone)
    if verb in ("list", "ls"):
        return ListTasks(parse_list(rest))
    if verb in ("done", "reopen", "delete", "remove"):
        number, extra = _number(rest, f"task.example.{_example_of(verb)}")
        if extra:
            raise ParseError(
                Msg.of("task.error.extra", text=extra), example=Msg.of(f"task.example.{_example_of(verb)}")
            )
        return ChangeTask("delete" if verb == "remove" else verb, number)
    if verb == "assign":
        number, extra = _number(rest, "task.example.assign")
        person = user_mention(extra.strip())
        if person is None:
            raise ParseError(Msg.of("task.error.no_assignee", text=extra), example=Msg.of("task.example.assign"))
        return AssignTask(number, person)
    if verb == "due":
        number, phrase = _number(rest, "task.example.due")
        if not phrase:
            raise ParseError(Msg.of("task.error.no_due"), example=Msg.of("task.example.due"))
        if phrase.lower() in _NONE_WORDS:
            return DueTask(number, None)
        try:
            return DueTask(number, parse_when(phrase, now=now, zone=zone).at)
        except ParseError as error:
            raise ParseError(error.message, example=Msg.of("task.example.due")) from error
    if verb in ("edit", "rename"):
        number, title = _number(rest, "task.example.edit")
        if not title.strip():
            raise ParseError(Msg.of("task.error.no_title"), example=Msg.of("task.example.edit"))
        return EditTask(number, title.strip())
    raise ParseError(Msg.of("task.error.unknown", typed=verb), example=Msg.of("task.example.add"))


def _example_of(verb: str) -> str:
    return {"remove": "delete"}.get(verb, verb)


def _number(text: str, example: str) -> tuple[int, str]:
    first, rest = split_first(text)
    number = first.removeprefix("#")
    if not number.isdigit() or not 0 < int(number) < 10**9:
        raise ParseError(Msg.of("task.error.no_number", text=first or text), example=Msg.of(example))
    return int(number), rest


def parse_add(text: str, *, now: datetime, zone: ZoneInfo) -> AddTask:
    """`Check the freezer @maria due tomorrow 9:00 priority high #kitchen`, options in any order after the title."""
    try:
        rest, when = find_due(text, now=now, zone=zone)
    except ParseError as error:
        raise ParseError(error.message, example=Msg.of("task.example.add")) from error
    mentions = _MENTION.findall(rest)
    if len(mentions) > 1:
        raise ParseError(Msg.of("task.error.one_assignee"), example=Msg.of("task.example.add"))
    assignee = user_mention(mentions[0]) if mentions else None
    rest = _MENTION.sub(" ", rest)
    priority, rest = _priority(rest)
    tags, rest = _tags(rest)
    title = " ".join(rest.split())
    if not title:
        raise ParseError(Msg.of("task.error.no_title"), example=Msg.of("task.example.add"))
    if len(title) > MAX_TITLE:
        raise ParseError(Msg.of("task.error.title_too_long", most=MAX_TITLE), example=Msg.of("task.example.add"))
    draft = TaskDraft(
        title=title,
        assignee=assignee,
        due=_first(when),
        every=when.recurrence if isinstance(when, Every) else None,
        priority=priority,
        tags=tags,
    )
    return AddTask(draft, every=when.phrase if isinstance(when, Every) else None)


def _first(when: When | Every | None) -> datetime | None:
    if isinstance(when, Every):
        return when.first
    return when.at if when is not None else None


def _priority(text: str) -> tuple[Priority, str]:
    words = text.split()
    for index, word in enumerate(words):
        if word.lower() not in _PRIORITY_KEYWORDS:
            continue
        value = words[index + 1].lower() if index + 1 < len(words) else ""
        if value not in PRIORITY_WORDS:
            raise ParseError(Msg.of("task.error.priority", text=value or word), example=Msg.of("task.example.add"))
        return PRIORITY_WORDS[value], " ".join(words[:index] + words[index + 2 :])
    return Priority.NORMAL, text


def normalize_tag(tag: str) -> str:
    return tag.strip().lstrip("#").lower()


def _tags(text: str) -> tuple[tuple[str, ...], str]:
    """`#supplies`, also as Slack escapes it when a channel has that name (`<#C123|supplies>`)."""
    found = [normalize_tag(name) for name in _CHANNEL_TAG.findall(text)]
    text = _CHANNEL_TAG.sub(" ", text)
    found += [normalize_tag(name) for name in _TAG.findall(text)]
    text = _TAG.sub(" ", text)
    tags = tuple(dict.fromkeys(tag for tag in found if tag))
    if len(tags) > MAX_TAGS:
        raise ParseError(Msg.of("task.error.too_many_tags", most=MAX_TAGS), example=Msg.of("task.example.add"))
    return tags, text


def parse_list(text: str) -> TaskQuery:
    word = text.strip()
    lowered = word.lower()
    if lowered in ("", "mine", "my", "me"):
        return TaskQuery(Scope.MINE)
    if lowered in ("all", "tutte", "tutti"):
        return TaskQuery(Scope.ALL)
    if lowered in ("overdue", "late", "scadute", "in ritardo"):
        return TaskQuery(Scope.OVERDUE)
    person = user_mention(word)
    if person is not None:
        return TaskQuery(Scope.PERSON, person=person)
    channel = _CHANNEL_TAG.fullmatch(word)
    if channel is not None:
        return TaskQuery(Scope.TAG, tag=normalize_tag(channel.group(1)))
    tag = _TAG.fullmatch(word)
    if tag is not None:
        return TaskQuery(Scope.TAG, tag=normalize_tag(tag.group(1)))
    raise ParseError(Msg.of("task.error.list_filter", text=word), example=Msg.of("task.example.list"))


# ---- the modal -----------------------------------------------------------------------------------------------


class ModalErrors(Exception):
    """What is wrong with a submitted modal, by block: shown next to the fields (`response_action: errors`)."""

    def __init__(self, errors: Mapping[str, Msg]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def _value(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    entry = values.get(block) or {}
    return next(iter(entry.values()), {}) if isinstance(entry, dict) else {}


def parse_modal(
    values: Mapping[str, Any], *, now: datetime, zone: ZoneInfo, source_link: str | None = None
) -> TaskDraft:
    """The modal's `state.values` → a draft, or `ModalErrors` naming the fields to fix."""
    errors: dict[str, Msg] = {}
    title = " ".join(str(_value(values, TITLE_BLOCK).get("value") or "").split())
    if not title:
        errors[TITLE_BLOCK] = Msg.of("task.error.no_title")
    elif len(title) > MAX_TITLE:
        errors[TITLE_BLOCK] = Msg.of("task.error.title_too_long", most=MAX_TITLE)
    assignee = _value(values, ASSIGNEE_BLOCK).get("selected_user")
    picked_date = _value(values, DATE_BLOCK).get("selected_date")
    picked_time = _value(values, TIME_BLOCK).get("selected_time")
    due: datetime | None = None
    if picked_time and not picked_date:
        errors[DATE_BLOCK] = Msg.of("task.error.time_without_date")
    elif picked_date:
        try:
            day = date.fromisoformat(str(picked_date))
            clock = time.fromisoformat(str(picked_time)) if picked_time else DEFAULT_TIME
        except ValueError:
            errors[DATE_BLOCK] = Msg.of("task.error.bad_date")
        else:
            due = datetime.combine(day, clock).replace(tzinfo=zone, fold=0).astimezone(UTC)
            if due <= now:
                errors[DATE_BLOCK] = Msg.of("task.error.past")
    option = _value(values, PRIORITY_BLOCK).get("selected_option") or {}
    priority = PRIORITY_WORDS.get(str(option.get("value") or "normal"), Priority.NORMAL)
    notes = str(_value(values, NOTES_BLOCK).get("value") or "").strip()
    if errors:
        raise ModalErrors(MappingProxyType(errors))
    return TaskDraft(
        title=title,
        assignee=UserId(str(assignee)) if assignee else None,
        due=due,
        priority=priority,
        notes=notes,
        source_link=source_link,
    )
