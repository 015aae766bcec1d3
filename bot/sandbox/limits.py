"""Slack's documented limits, checked the way Slack checks them, so the bot meets them before production does.

The checkers return Slack-style messages ("[ERROR] … [json-pointer:/blocks/0/text/text]"), which the double puts
in `response_metadata.messages` just as Slack does; an empty list means the payload is acceptable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

MAX_MESSAGE_BLOCKS: Final = 50
MAX_VIEW_BLOCKS: Final = 100
MAX_TEXT_OBJECT: Final = 3000
MAX_HEADER_TEXT: Final = 150
MAX_BUTTON_TEXT: Final = 75
MAX_SECTION_FIELDS: Final = 10
MAX_SECTION_FIELD_TEXT: Final = 2000
MAX_VIEW_TITLE: Final = 24  # also submit and close
MAX_PRIVATE_METADATA: Final = 3000
MAX_MESSAGE_TEXT: Final = 40_000
MAX_VIEW_STACK: Final = 3

TRIGGER_ID_TTL_SECONDS: Final = 3.0
RESPONSE_URL_MAX_USES: Final = 5
RESPONSE_URL_TTL_SECONDS: Final = 30 * 60

_TEXT_TYPES: Final = frozenset({"plain_text", "mrkdwn"})


def _error(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _text_objects(node: Any, pointer: str, limit: int) -> Iterator[tuple[str, str, int]]:
    """Every text object under `node` as (pointer, text, its limit); limits narrow for headers and buttons."""
    if isinstance(node, dict):
        if node.get("type") in _TEXT_TYPES and isinstance(node.get("text"), str):
            yield pointer + "/text", node["text"], limit
        kind = node.get("type")
        for key, child in node.items():
            child_limit = limit
            if key == "text" and kind == "header":
                child_limit = MAX_HEADER_TEXT
            elif key == "text" and kind == "button":
                child_limit = MAX_BUTTON_TEXT
            elif key == "fields" and kind == "section":
                child_limit = MAX_SECTION_FIELD_TEXT
            yield from _text_objects(child, f"{pointer}/{key}", child_limit)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _text_objects(child, f"{pointer}/{index}", limit)


def _block_errors(blocks: list[Any], pointer: str, max_blocks: int) -> list[str]:
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(_error(f"no more than {max_blocks} items allowed", pointer))
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(_error("missing required field: type", f"{pointer}/{index}"))
            continue
        fields = block.get("fields")
        if block["type"] == "section" and isinstance(fields, list) and len(fields) > MAX_SECTION_FIELDS:
            errors.append(_error(f"no more than {MAX_SECTION_FIELDS} items allowed", f"{pointer}/{index}/fields"))
    for text_pointer, text, limit in _text_objects(blocks, pointer, MAX_TEXT_OBJECT):
        if len(text) > limit:
            errors.append(_error(f"must be less than {limit + 1} characters", text_pointer))
    return errors


def message_block_errors(blocks: Any) -> list[str]:
    """Problems Slack reports as `invalid_blocks` for chat.postMessage, chat.update, response_url posts."""
    if not isinstance(blocks, list):
        return [_error("must be an array", "/blocks")]
    return _block_errors(blocks, "/blocks", MAX_MESSAGE_BLOCKS)


def view_errors(view: Any) -> list[str]:
    """Problems Slack reports as `invalid_arguments` for views.open/push/update/publish."""
    if not isinstance(view, dict):
        return [_error("must be an object", "/view")]
    errors: list[str] = []
    if view.get("type") not in ("modal", "home"):
        errors.append(_error("must be one of modal, home", "/view/type"))
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errors.append(_error("missing required field: blocks", "/view/blocks"))
    else:
        errors.extend(_block_errors(blocks, "/view/blocks", MAX_VIEW_BLOCKS))
    if view.get("type") == "modal" and not isinstance(view.get("title"), dict):
        errors.append(_error("missing required field: title", "/view/title"))
    for key in ("title", "submit", "close"):
        text = view.get(key, {}).get("text") if isinstance(view.get(key), dict) else None
        if isinstance(text, str) and len(text) > MAX_VIEW_TITLE:
            errors.append(_error(f"must be less than {MAX_VIEW_TITLE + 1} characters", f"/view/{key}/text"))
    metadata = view.get("private_metadata")
    if isinstance(metadata, str) and len(metadata) > MAX_PRIVATE_METADATA:
        errors.append(_error(f"must be less than {MAX_PRIVATE_METADATA + 1} characters", "/view/private_metadata"))
    return errors
