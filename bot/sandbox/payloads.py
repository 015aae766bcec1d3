"""The JSON Slack sends to an app: interaction payloads and events, shaped like real captured ones.

Pure functions over the workspace; the double adds trigger ids and response URLs it has issued.
The shapes follow the payloads captured from real workspaces in /work/shared/slack/payloads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from bot.sandbox.workspace import FakeChannel, FakeUser, Workspace


def user_ref(workspace: Workspace, user: FakeUser) -> dict[str, Any]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": workspace.team_id}


def team_ref(workspace: Workspace) -> dict[str, Any]:
    return {"id": workspace.team_id, "domain": workspace.team_domain}


def channel_name(workspace: Workspace, channel_id: str) -> str:
    """The `channel_name` Slack sends: the name, or `directmessage` / `privategroup` where it hides one."""
    if channel_id.startswith("D"):
        return "directmessage"
    channel: FakeChannel | None = workspace.channel(channel_id)
    if channel is None:
        return channel_id
    return "privategroup" if channel.is_private else channel.name


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every interactive element in the blocks, with the block_id it lives in."""
    for block in blocks:
        block_id = str(block.get("block_id", ""))
        if isinstance(block.get("accessory"), dict):
            yield block_id, block["accessory"]
        if isinstance(block.get("element"), dict):
            yield block_id, block["element"]
        if block.get("type") in ("actions", "input") or "elements" in block:
            for element in block.get("elements", []):
                if isinstance(element, dict) and "action_id" in element:
                    yield block_id, element


def find_element(
    blocks: list[dict[str, Any]], action_id: str, block_id: str | None = None
) -> tuple[str, dict[str, Any]] | None:
    for found_block_id, element in iter_elements(blocks):
        if element.get("action_id") == action_id and (block_id is None or found_block_id == block_id):
            return found_block_id, element
    return None


def _option(element: Mapping[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options", []))
    for group in element.get("option_groups", []):
        options.extend(group.get("options", []))
    for option in options:
        if option.get("value") == value:
            return dict(option)
    return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}


def selected_state(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The `{type, selected_…}` entry Slack reports for an element holding `value`.

    A test may pass a plain string (or a list for multi-selects); it becomes the shape the element type uses.
    """
    kind = str(element.get("type", "plain_text_input"))
    entry: dict[str, Any] = {"type": kind}
    values = value if isinstance(value, list | tuple) else [value]
    if kind in ("static_select", "radio_buttons", "overflow", "external_select"):
        entry["selected_option"] = None if value is None else _option(element, str(value))
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        entry["selected_options"] = [_option(element, str(v)) for v in values if v is not None]
    elif kind == "datepicker":
        entry["selected_date"] = value
    elif kind == "timepicker":
        entry["selected_time"] = value
    elif kind == "datetimepicker":
        entry["selected_date_time"] = value
    elif kind == "users_select":
        entry["selected_user"] = value
    elif kind == "multi_users_select":
        entry["selected_users"] = list(values)
    elif kind == "conversations_select":
        entry["selected_conversation"] = value
    elif kind == "multi_conversations_select":
        entry["selected_conversations"] = list(values)
    elif kind == "channels_select":
        entry["selected_channel"] = value
    elif kind == "multi_channels_select":
        entry["selected_channels"] = list(values)
    elif kind == "button":
        return {}  # buttons hold no state
    else:  # plain_text_input, email/url/number inputs, rich text
        entry["value"] = value
    return entry


def action(element: Mapping[str, Any], block_id: str, value: Any, action_ts: str) -> dict[str, Any]:
    """One entry of `actions[]`: the element's identity plus what the person chose."""
    kind = str(element.get("type", "button"))
    entry: dict[str, Any] = {"action_id": element.get("action_id"), "block_id": block_id}
    if kind == "button":
        entry["text"] = element.get("text")
        if value is not None or "value" in element:
            entry["value"] = element.get("value") if value is None else value
        if "style" in element:
            entry["style"] = element["style"]
        entry["type"] = "button"
    else:
        entry.update(selected_state(element, value))
        for initial in ("initial_date", "initial_time", "initial_option", "initial_user", "initial_conversation"):
            if initial in element:
                entry[initial] = element[initial]
    entry["action_ts"] = action_ts
    return entry


_INITIAL_FIELDS = {
    "static_select": ("initial_option", "selected_option"),
    "external_select": ("initial_option", "selected_option"),
    "radio_buttons": ("initial_option", "selected_option"),
    "multi_static_select": ("initial_options", "selected_options"),
    "checkboxes": ("initial_options", "selected_options"),
    "datepicker": ("initial_date", "selected_date"),
    "timepicker": ("initial_time", "selected_time"),
    "datetimepicker": ("initial_date_time", "selected_date_time"),
    "users_select": ("initial_user", "selected_user"),
    "multi_users_select": ("initial_users", "selected_users"),
    "conversations_select": ("initial_conversation", "selected_conversation"),
    "multi_conversations_select": ("initial_conversations", "selected_conversations"),
    "channels_select": ("initial_channel", "selected_channel"),
    "multi_channels_select": ("initial_channels", "selected_channels"),
}


def initial_values(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The state Slack reports for a modal's inputs nobody touched: each one's initial value, or empty."""
    state: dict[str, dict[str, Any]] = {}
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict) or "action_id" not in element:
            continue
        kind = str(element.get("type", "plain_text_input"))
        initial, selected = _INITIAL_FIELDS.get(kind, ("initial_value", "value"))
        empty: Any = [] if selected.endswith("s") and selected != "value" else None
        entry = {"type": kind, selected: element.get(initial, empty)}
        state.setdefault(str(block.get("block_id")), {})[str(element["action_id"])] = entry
    return state


def merge_state(*layers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Later layers win, input by input (not block by block)."""
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for block_id, by_action in layer.items():
            merged.setdefault(block_id, {}).update(by_action)
    return merged


def expand_values(blocks: list[dict[str, Any]], values: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`state.values` from `{block_id: {action_id: value}}`, where a value is a full entry or a shorthand."""
    state: dict[str, Any] = {}
    for block_id, by_action in values.items():
        state[block_id] = {}
        for action_id, value in by_action.items():
            if isinstance(value, dict) and "type" in value:
                state[block_id][action_id] = value
                continue
            found = find_element(blocks, action_id, block_id)
            element: Mapping[str, Any] = found[1] if found else {"type": "plain_text_input"}
            state[block_id][action_id] = selected_state(element, value)
    return state


def block_actions(
    workspace: Workspace,
    *,
    user: FakeUser,
    token: str,
    trigger_id: str,
    actions: list[dict[str, Any]],
    container: dict[str, Any],
    state_values: dict[str, Any],
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A block_actions payload; key order follows the captured payloads (some parsers are order-sensitive)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user_ref(workspace, user),
        "api_app_id": workspace.app_id,
        "token": token,
        "container": container,
        "trigger_id": trigger_id,
        "team": team_ref(workspace),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["view"] = view
    else:
        assert channel_id is not None
        payload["channel"] = {"id": channel_id, "name": channel_name(workspace, channel_id)}
        if message is not None:  # Slack omits the message when it was ephemeral
            payload["message"] = message
        payload["state"] = {"values": state_values}
        payload["response_url"] = response_url
    payload["actions"] = actions
    return payload


def message_action(
    workspace: Workspace,
    *,
    user: FakeUser,
    token: str,
    trigger_id: str,
    callback_id: str,
    channel_id: str,
    message: dict[str, Any],
    response_url: str,
    action_ts: str,
) -> dict[str, Any]:
    """A message shortcut ("Create task" on a message), as Slack sends it: type `message_action`."""
    return {
        "type": "message_action",
        "token": token,
        "action_ts": action_ts,
        "team": team_ref(workspace),
        "user": {"id": user.id, "name": user.name, "team_id": workspace.team_id},
        "channel": {"id": channel_id, "name": channel_name(workspace, channel_id)},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": message,
    }


def view_submission(
    workspace: Workspace, *, user: FakeUser, token: str, trigger_id: str, view: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": team_ref(workspace),
        "user": user_ref(workspace, user),
        "api_app_id": workspace.app_id,
        "token": token,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(workspace: Workspace, *, user: FakeUser, token: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_closed",
        "team": team_ref(workspace),
        "user": user_ref(workspace, user),
        "api_app_id": workspace.app_id,
        "token": token,
        "view": view,
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def rich_text(text: str) -> list[dict[str, Any]]:
    """The rich_text block Slack's clients attach to a typed message."""
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def user_message_event(
    workspace: Workspace,
    *,
    kind: str,
    user: FakeUser,
    text: str,
    channel_id: str,
    ts: str,
    thread_ts: str | None = None,
    channel_type: str | None = None,
) -> dict[str, Any]:
    """A `message` or `app_mention` event for something a person typed."""
    event: dict[str, Any] = {
        "client_msg_id": str(uuid.uuid4()),
        "type": kind,
        "text": text,
        "user": user.id,
        "ts": ts,
        "blocks": rich_text(text),
        "team": workspace.team_id,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event["channel"] = channel_id
    event["event_ts"] = ts
    if channel_type is not None:
        event["channel_type"] = channel_type
    return event


def file_share_event(
    workspace: Workspace,
    *,
    user: FakeUser,
    text: str,
    channel_id: str,
    ts: str,
    files: list[dict[str, Any]],
    channel_type: str | None = None,
) -> dict[str, Any]:
    """A `message` event with subtype `file_share`: a person shared files (uploaded then and there), maybe with text.

    Key order and fields follow Slack's documented example and captured deliveries: no `blocks` unless the
    person wrote something, `upload: true` because the file was uploaded with the message.
    """
    event: dict[str, Any] = {"type": "message", "text": text, "files": files, "upload": True}
    if text:
        event["blocks"] = rich_text(text)
    event.update(
        {
            "user": user.id,
            "display_as_bot": False,
            "ts": ts,
            "client_msg_id": str(uuid.uuid4()),
            "team": workspace.team_id,
            "channel": channel_id,
            "subtype": "file_share",
            "event_ts": ts,
        }
    )
    if channel_type is not None:
        event["channel_type"] = channel_type
    return event
