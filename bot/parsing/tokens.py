"""The pieces of Slack command text: words, escaped mentions, channels, durations."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta

from bot.domain.ids import ChannelId, UserId

# With should_escape on, Slack sends `<@U123|maria>` and `<#C123|ops>`; older clients omit the |name.
_USER = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_DURATION_PART = re.compile(
    r"(\d{1,4})\s*(days?|giorn[oi]|d|hours?|hrs?|h|or[ae]|minutes?|minut[oi]|mins?|m)", re.IGNORECASE
)
_UNIT_MINUTES = {"d": 1440, "g": 1440, "h": 60, "o": 60, "m": 1}


def words(text: str) -> list[str]:
    return text.split()


def split_first(text: str) -> tuple[str, str]:
    """The first word, lowercased, and the rest of the text as typed."""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


def user_mention(token: str) -> UserId | None:
    match = _USER.match(token)
    return UserId(match.group(1)) if match else None


def channel_mention(token: str) -> ChannelId | None:
    match = _CHANNEL.match(token)
    return ChannelId(match.group(1)) if match else None


def duration(text: str) -> timedelta | None:
    """`90m`, `1h`, `2h30m`, `1 hour`, `45 minuti`, `1d` → timedelta; None when it is not a duration."""
    compact = text.strip()
    if not compact:
        return None
    position = 0
    minutes = 0
    for match in _DURATION_PART.finditer(compact):
        if compact[position : match.start()].strip():
            return None
        minutes += int(match.group(1)) * _UNIT_MINUTES[match.group(2)[0].lower()]
        position = match.end()
    if position == 0 or compact[position:].strip():
        return None
    return timedelta(minutes=minutes)


def closest(word: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), choices, n=1, cutoff=0.6)
    return matches[0] if matches else None
