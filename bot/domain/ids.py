"""Slack identifiers, typed so a user id is never passed where a team id belongs."""

from typing import NewType

TeamId = NewType("TeamId", str)
UserId = NewType("UserId", str)
ChannelId = NewType("ChannelId", str)
