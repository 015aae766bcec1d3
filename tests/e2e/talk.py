"""What a person does in the Slack double and waits to see, shared by the end-to-end tests."""

from __future__ import annotations

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble

OPS = "C0OPS0001"


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot]


async def next_bot_dm(double: SlackDouble, user: str, after: int) -> Message:
    """The bot's DM to `user` after the first `after` of them."""
    return await double.wait_for(lambda: bot_dms(double, user)[after] if len(bot_dms(double, user)) > after else None)


async def command(double: SlackDouble, user: str, text: str, channel: str = OPS) -> Ephemeral:
    """`/ops <text>` typed in `channel`; the ephemeral answer it gets."""
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)
