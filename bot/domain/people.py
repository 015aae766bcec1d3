"""What the workspace directory tells about a person, and how long that is trusted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.ids import TeamId, UserId

# Time zones and locales change rarely; a day-old copy is fine and saves a Slack call on every request.
PROFILE_TTL = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Profile:
    team: TeamId
    user: UserId
    name: str
    timezone: str | None
    locale: str | None
    is_admin: bool
    is_owner: bool
    is_bot: bool
    fetched_at: datetime

    @property
    def is_workspace_admin(self) -> bool:
        """Slack's workspace admins and owners are admins of Ops Assistant too."""
        return self.is_admin or self.is_owner

    def zone(self, fallback: ZoneInfo) -> ZoneInfo:
        return zone_named(self.timezone) or fallback

    def is_fresh(self, now: datetime) -> bool:
        return now - self.fetched_at < PROFILE_TTL


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None for anything else (unknown, malformed, absurdly long)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One person in the workspace's member list, with every name they might be written as in a rota file."""

    user: UserId
    handle: str
    display_name: str
    real_name: str
    email: str | None


def match_person(text: str, people: Sequence[DirectoryEntry]) -> UserId | None:
    """The one person `text` names: a mention `<@U…>`, an id, an email, an @handle, a display name or a full name
    (case and accents as written, spaces folded). None when nobody, or more than one person, matches."""
    written = " ".join(text.strip().split())
    mention = re.fullmatch(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", written)
    if mention is not None:
        written = mention.group(1)
    by_id = [entry.user for entry in people if entry.user == written]
    if by_id:
        return by_id[0]
    folded = written.removeprefix("@").casefold()
    if not folded:
        return None
    for field in ("email", "handle", "display_name", "real_name"):
        found = {
            entry.user
            for entry in people
            if (value := getattr(entry, field)) and " ".join(str(value).split()).casefold() == folded
        }
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return None
    return None
