"""The Slack double: a loopback HTTP server that plays Slack for the bot in tests, benchmarks and the sandbox."""

from bot.sandbox.oauth import AuthorizeRequest
from bot.sandbox.records import AppReply, Ephemeral, FileRecord, Message, RecordedCall
from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import FakeChannel, FakeUser, FakeUsergroup, Workspace

__all__ = [
    "AppReply",
    "AuthorizeRequest",
    "Ephemeral",
    "FakeChannel",
    "FakeUser",
    "FakeUsergroup",
    "FileRecord",
    "Message",
    "RecordedCall",
    "SlackDouble",
    "Workspace",
]
