"""Instants as Slack date tokens, so every reader sees them in their own time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def slack_date(instant: datetime, fallback_zone: ZoneInfo, *, absolute: bool = False) -> str:
    """`<!date^…>`: Slack renders it in each reader's zone; the fallback is for clients that cannot.

    `absolute` spells the date out ("Fri, Dec 5, 2026 17:00") where "tomorrow" could be misread, as when
    echoing back what was understood.
    """
    if instant.tzinfo is None:
        raise ValueError("slack_date needs a timezone-aware instant")
    local = instant.astimezone(fallback_zone)
    fallback = local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")
    style = "{date_long_pretty} {time}" if absolute else "{date_short_pretty} {time}"
    return f"<!date^{int(instant.timestamp())}^{style}|{fallback.strip()}>"


def minutes_text(delta: timedelta) -> str:
    """A compact, language-neutral duration: 90 minutes → `1h30m`."""
    total = int(delta.total_seconds() // 60)
    days, rest = divmod(total, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"
