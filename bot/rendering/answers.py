"""Block Kit for saved answers: the best matches of a search, the list by key, and what a manager changed.

`answer_blocks` is the card of each answer (its key, its text as the manager wrote it, who last changed it): the
search results are made of them, and so can anything else that shows matches (a new question case).
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block

from bot.domain.answers import AnswerListing, AnswerSearch, SavedAnswer
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import MAX_TEXT, clip, context, section
from bot.rendering.time import slack_date

PREVIEW = 90
UTC = ZoneInfo("UTC")


def _preview(text: str) -> str:
    first = " ".join(text.split())
    return clip(first, PREVIEW)


def _quoted(text: str) -> str:
    return clip(" ".join(text.split()), 200)


def answer_blocks(words: Words, answer: SavedAnswer) -> list[Block]:
    """An answer's card: `key`, its text, and who changed it last (the reader's own clock)."""
    changed = words("answer.changed", user=f"<@{answer.updated_by}>", when=slack_date(answer.updated_at, UTC))
    return [section(f"*`{answer.key}`*\n{answer.text}"), context(changed)]


def found(words: Words, search: AnswerSearch) -> Reply:
    """`/ops answer <words>`: the best matches, or how to add one."""
    if not search.answers:
        line = words("answer.none_found", text=_quoted(search.text))
        return Reply(text=line, blocks=[section(line), context(words("answer.how_to_add"))])
    key = "answer.found" if search.every_word else "answer.found_closest"
    title = words(key, text=_quoted(search.text), n=len(search.answers))
    blocks: list[Block] = [section(f"*{title}*")]
    for answer in search.answers:
        blocks.extend(answer_blocks(words, answer))
    return Reply(text=title, blocks=blocks)


def _packed(lines: Sequence[str]) -> list[Block]:
    """Lines in as few sections as Slack's text limit allows."""
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > MAX_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def listing(words: Words, listed: AnswerListing) -> Reply:
    if not listed.answers:
        line = words("answer.none")
        return Reply(text=line, blocks=[section(line), context(words("answer.how_to_add"))])
    title = words("answer.list_title", n=listed.total)
    lines = [f"`{answer.key}` \u2014 {_preview(answer.text)}" for answer in listed.answers]
    blocks: list[Block] = [section(f"*{title}*"), *_packed(lines)]
    if listed.total > len(listed.answers):
        blocks.append(context(words("answer.list_more", n=listed.total - len(listed.answers))))
    blocks.append(context(words("answer.how_to_search")))
    return Reply(text=title, blocks=blocks)


def added(words: Words, answer: SavedAnswer) -> Reply:
    line = words("answer.added", name=answer.key)
    return Reply(text=line, blocks=[section(":card_index: " + line), *answer_blocks(words, answer)])


def edited(words: Words, answer: SavedAnswer) -> Reply:
    line = words("answer.edited", name=answer.key)
    return Reply(text=line, blocks=[section(":pencil2: " + line), *answer_blocks(words, answer)])


def removed(words: Words, answer: SavedAnswer) -> Reply:
    line = words("answer.removed", name=answer.key)
    return Reply(text=line, blocks=[section(":wastebasket: " + line), context(_preview(answer.text))])
