"""Posts to a `response_url`, applied as Slack applies them.

A response URL belongs to one person in one channel, works 5 times within 30 minutes, and can replace or delete
the message the interaction came from. Errors are plain-text bodies with a 4xx status, as Slack answers them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.sandbox import limits
from bot.sandbox.records import Ephemeral, EphemeralSource
from bot.sandbox.state import MessageRef, ResponseUrl, SandboxState
from bot.sandbox.webapi import ApiError, message_content


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: str
    # What happened, for the call record (a test can check the app used replace_original, say).
    effect: str


def post(state: SandboxState, token: str, raw_body: bytes) -> Outcome:
    hook = state.response_urls.get(token)
    if hook is None:
        return Outcome(404, "no_active_hooks", "rejected")
    if state.clock() - hook.issued_at > limits.RESPONSE_URL_TTL_SECONDS:
        return Outcome(404, "expired_url", "rejected")
    if hook.uses >= limits.RESPONSE_URL_MAX_USES:
        return Outcome(404, "used_url", "rejected")
    try:
        payload = json.loads(raw_body or b"{}")
    except json.JSONDecodeError:
        return Outcome(400, "invalid_payload", "rejected")
    if not isinstance(payload, dict):
        return Outcome(400, "invalid_payload", "rejected")
    outcome = deliver(state, hook, payload)
    if outcome.status == 200:
        hook.uses += 1
    return outcome


def deliver(
    state: SandboxState, hook: ResponseUrl, payload: dict[str, Any], source: EphemeralSource = "response_url"
) -> Outcome:
    """Show a message payload to the hook's person; also how Slack shows a slash command's immediate reply."""
    try:
        text, blocks = message_content(payload)
    except ApiError as error:
        return Outcome(400, error.error, "rejected")
    delete = _flag(payload, "delete_original")
    if not delete and not text and not blocks:
        return Outcome(400, "no_text", "rejected")
    return Outcome(200, "ok", _apply(state, hook, payload, text, blocks, delete=delete, source=source))


def _flag(payload: dict[str, Any], name: str) -> bool:
    value = payload.get(name)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _apply(
    state: SandboxState,
    hook: ResponseUrl,
    payload: dict[str, Any],
    text: str,
    blocks: list[dict[str, Any]] | None,
    *,
    delete: bool,
    source: EphemeralSource,
) -> str:
    original = hook.original
    if delete:
        _delete(state, original)
        return "delete_original"
    if _flag(payload, "replace_original") and original is not None and _replace(state, original, text, blocks):
        return "replace_original"
    thread_ts = payload.get("thread_ts")
    if payload.get("response_type") == "in_channel":
        message = state.add_message(hook.channel_id, state.workspace.bot_user, text, blocks=blocks, thread_ts=thread_ts)
        if hook.original is None:  # a later replace_original from a slash command changes this reply
            hook.original = MessageRef("message", message.channel, message.ts)
        return "in_channel"
    ephemeral = state.add_ephemeral(
        hook.channel_id, hook.user_id, text, blocks=blocks, thread_ts=thread_ts, source=source
    )
    if hook.original is None:
        hook.original = MessageRef("ephemeral", ephemeral.channel, ephemeral.ts, hook.user_id)
    return "ephemeral"


def _replace(state: SandboxState, ref: MessageRef, text: str, blocks: list[dict[str, Any]] | None) -> bool:
    if ref.kind == "ephemeral":
        ephemeral: Ephemeral | None = state.find_ephemeral(ref.user or "", ref.ts)
        if ephemeral is None:
            return False
        state.replace_ephemeral(ephemeral, text, blocks or [])
        return True
    message = state.find_message(ref.channel, ref.ts)
    if message is None:
        return False
    # Replacing through a response URL swaps the whole message: blocks left out are gone.
    state.edit_message(message, text=text, blocks=blocks or [])
    return True


def _delete(state: SandboxState, ref: MessageRef | None) -> None:
    if ref is None:
        return
    if ref.kind == "ephemeral":
        ephemeral = state.find_ephemeral(ref.user or "", ref.ts)
        if ephemeral is not None:
            state.delete_ephemeral(ephemeral)
        return
    message = state.find_message(ref.channel, ref.ts)
    if message is not None:
        state.delete_message(message)
