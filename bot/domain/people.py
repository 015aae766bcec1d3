"""What the workspace directory tells about a person, and how long that is trusted."""

from __future__ import annotations

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
