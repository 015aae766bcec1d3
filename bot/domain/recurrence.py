"""A repeating schedule: an RFC 5545 RRULE over wall-clock times in one IANA zone.

The rule is expanded over *naive local* times, so "every day at 08:00" stays 08:00 in Rome on both sides of a
DST change, and each local time is then placed on the UTC line with zoneinfo (PEP 495, fold=0):

- a local time in the spring-forward gap moves forward by the gap (02:30 on 2026-03-29 in Rome → 03:30 CEST);
- a local time repeated in the autumn happens once, at its first (summer-time) instance.

These are the rules of RFC 5545 §3.3.10 ("if the computed local start time … is invalid … it is interpreted
using the UTC offset before the gap") and the same rule string goes into the calendar file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

# Frequencies a schedule may have. Minutely and secondly rules are refused: nothing in the bot repeats that often,
# and an unfiltered secondly rule is the one shape that makes dateutil's expansion slow.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
# BYYEARDAY, BYWEEKNO and BYSECOND are left out: no schedule needs them, and fewer parts keep the checks in
# `_check_can_fire` complete enough that a rule which can never fire is refused up front (dateutil itself would
# search for it until the year 9999).
_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYHOUR", "BYMINUTE", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY_ITEM = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_RULE_TEXT = re.compile(r"[A-Z]+=[A-Z0-9,+\-]+(?:;[A-Z]+=[A-Z0-9,+\-]+)*")
_UNTIL_UTC = re.compile(r"(\d{8})(?:T(\d{6}))?Z")
_UNTIL_LOCAL = re.compile(r"(\d{8})(?:T(\d{6}))?")
# How far ahead one search looks before it concludes that a rule does not fire again. Ten years covers every
# honest rule (a 29 February rule fires at least every eight years) and keeps an impossible one
# (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) to a few thousand steps.
HORIZON = timedelta(days=3660)
# A later wall time can land earlier on the UTC line only by the size of a DST gap, which is far under a day.
_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """`rule` is an RRULE value without the `RRULE:` prefix; `local_start` is the first occurrence's naive
    wall-clock date and time in `zone` (naive on purpose: it is a wall-clock time, not an instant)."""

    rule: str
    zone: str
    local_start: datetime

    def __post_init__(self) -> None:
        if self.local_start.tzinfo is not None:
            raise ValueError("local_start is a wall-clock time in `zone` and must be naive")
        if self.local_start.microsecond:
            raise ValueError("local_start must be a whole second")
        _zone(self.zone)
        _parse(self.rule, self.local_start, self.zone)

    def occurrences_after(self, after: datetime, *, limit: int) -> list[datetime]:
        """Up to `limit` occurrences strictly after the aware instant `after`, as aware UTC datetimes, in order."""
        return [instant for _, instant in self._expand(after, limit)]

    def next_after(self, after: datetime) -> datetime | None:
        found = self._expand(after, 1)
        return found[0][1] if found else None

    def next_local_after(self, after: datetime) -> datetime | None:
        """The wall-clock time (naive, in `zone`) of the next occurrence strictly after `after`.

        It is the rule's time, not the time the clock shows: 02:30 on a spring-forward day stays 02:30 here even
        though it fires at 03:30.
        """
        found = self._expand(after, 1)
        return found[0][0] if found else None

    def ical_rrule(self) -> str:
        """The rule as a calendar file's `RRULE:` line; UNTIL is given in UTC, as RFC 5545 asks next to a TZID."""
        parts = []
        for part in self.rule.split(";"):
            name, value = part.split("=", 1)
            if name == "UNTIL" and not value.endswith("Z"):
                value = _format_utc(_to_utc(_read_until_local(value), _zone(self.zone)))
            parts.append(f"{name}={value}")
        return "RRULE:" + ";".join(parts)

    def _expand(self, after: datetime, limit: int) -> list[tuple[datetime, datetime]]:
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("`after` must be timezone-aware")
        if limit <= 0:
            return []
        zone = _zone(self.zone)
        after_utc = after.astimezone(UTC)
        after_local = after_utc.astimezone(zone).replace(tzinfo=None)
        search_from = max(self.local_start, after_local - _SLACK)
        window_end = search_from + HORIZON
        found: dict[datetime, datetime] = {}  # UTC instant → the wall time that first produced it
        for local in _candidates(_parse(self.rule, self.local_start, self.zone), search_from, window_end):
            if len(found) >= limit:
                kth = sorted(found)[limit - 1]
                if local - _SLACK > kth.astimezone(zone).replace(tzinfo=None):
                    break
            instant = _to_utc(local, zone)
            if instant > after_utc and instant not in found:
                found[instant] = local
        return [(found[instant], instant) for instant in sorted(found)[:limit]]


def _candidates(parsed: _Parsed, search_from: datetime, window_end: datetime) -> Iterator[datetime]:
    """Wall times of the rule from `search_from` (inclusive) up to `window_end`, never unbounded."""
    expanded, count, until = parsed
    end = window_end if until is None else min(until, window_end)
    if count is None:
        yield from expanded.replace(until=end).xafter(search_from, inc=True)
        return
    # COUNT is counted from DTSTART, so a counted rule is walked from its start (it is finite anyway).
    for index, local in enumerate(expanded.replace(count=None, until=end)):
        if index >= count:
            return
        if local >= search_from:
            yield local


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: a repeated autumn time is its first instance; a spring-gap time is read with the offset before the
    # gap, which is the same as moving it forward by the gap.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _format_utc(instant: datetime) -> str:
    return instant.strftime("%Y%m%dT%H%M%SZ")


def _read_until_local(value: str) -> datetime:
    match = _UNTIL_LOCAL.fullmatch(value)
    if match is None:
        raise ValueError(f"UNTIL={value} is not a date or date-time")
    day, clock = match.group(1), match.group(2) or "235959"
    try:
        return datetime.strptime(day + clock, "%Y%m%d%H%M%S")  # noqa: DTZ007 - a naive wall time on purpose
    except ValueError as error:
        raise ValueError(f"UNTIL={value} is not a date or date-time") from error


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"{name!r} is not an IANA time zone") from error


class _Parsed(NamedTuple):
    expanded: rrule
    total: int | None  # COUNT
    until: datetime | None  # naive wall time


@lru_cache(maxsize=1024)
def _parse(rule: str, local_start: datetime, zone_name: str) -> _Parsed:
    if not _RULE_TEXT.fullmatch(rule):
        raise ValueError(f"{rule!r} is not an RRULE value (NAME=VALUE;… without the RRULE: prefix)")
    names = [part.split("=", 1)[0] for part in rule.split(";")]
    if len(set(names)) != len(names):
        raise ValueError(f"{rule!r} names a part twice")
    if unknown := set(names) - _PARTS:
        raise ValueError(f"{rule!r} has unknown parts {sorted(unknown)}")
    values = dict(part.split("=", 1) for part in rule.split(";"))
    if values.get("FREQ") not in FREQUENCIES:
        raise ValueError(f"{rule!r} needs FREQ, one of {', '.join(FREQUENCIES)}")
    if "COUNT" in values and "UNTIL" in values:
        raise ValueError(f"{rule!r} has both COUNT and UNTIL")
    for name in ("COUNT", "INTERVAL"):
        if name in values and (not values[name].isdigit() or int(values[name]) < 1 or int(values[name]) > 10_000):
            raise ValueError(f"{rule!r}: {name} must be a whole number from 1 to 10000")
    expanded_text = rule
    until = values.get("UNTIL")
    local_until = None
    if until is not None and (utc := _UNTIL_UTC.fullmatch(until)):
        # dateutil wants UNTIL in the same (naive) terms as DTSTART: bring a UTC limit onto the wall clock.
        try:
            stamp = datetime.strptime(utc.group(1) + (utc.group(2) or "235959"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            local_until = stamp.astimezone(_zone(zone_name)).replace(tzinfo=None)
        except (ValueError, OverflowError) as error:
            raise ValueError(f"UNTIL={until} is not a date or date-time") from error
        expanded_text = rule.replace(f"UNTIL={until}", "UNTIL=" + local_until.strftime("%Y%m%dT%H%M%S"))
    elif until is not None:
        local_until = _read_until_local(until)
    try:
        expanded = rrulestr(expanded_text, dtstart=local_start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise ValueError(f"{rule!r} is not a valid RRULE: {error}") from error
    if not isinstance(expanded, rrule):
        raise ValueError(f"{rule!r} is not a single RRULE")
    _check_can_fire(rule, values, local_start)
    return _Parsed(expanded, int(values["COUNT"]) if "COUNT" in values else None, local_until)


def _numbers(rule: str, values: dict[str, str], name: str, low: int, high: int, *, signed: bool = False) -> list[int]:
    if name not in values:
        return []
    try:
        numbers = [int(item) for item in values[name].split(",")]
    except ValueError as error:
        raise ValueError(f"{rule!r}: {name} must be a list of numbers") from error
    if any(not low <= (abs(number) if signed else number) <= high for number in numbers):
        raise ValueError(f"{rule!r}: {name} must be within {low}..{high}" + (" (or minus that)" if signed else ""))
    return numbers


def _check_can_fire(rule: str, values: dict[str, str], start: datetime) -> None:
    """Refuse the rules that can never produce an occurrence (30 February, a 7-day interval that never lands on
    the asked weekday…): expanding one of those would search until the year 9999."""
    freq = values["FREQ"]
    interval = int(values.get("INTERVAL", "1"))
    months = _numbers(rule, values, "BYMONTH", 1, 12)
    month_days = _numbers(rule, values, "BYMONTHDAY", 1, 31, signed=True)
    hours = _numbers(rule, values, "BYHOUR", 0, 23)
    _numbers(rule, values, "BYMINUTE", 0, 59)
    if _numbers(rule, values, "BYSETPOS", 1, 5, signed=True) and freq not in {"MONTHLY", "YEARLY"}:
        raise ValueError(f"{rule!r}: BYSETPOS is for monthly and yearly rules")
    if "WKST" in values and values["WKST"] not in _WEEKDAYS:
        raise ValueError(f"{rule!r}: WKST must be a weekday")
    weekdays: set[int] = set()
    for item in values.get("BYDAY", "").split(",") if "BYDAY" in values else []:
        match = _BYDAY_ITEM.fullmatch(item)
        if match is None:
            raise ValueError(f"{rule!r}: {item!r} is not a weekday")
        ordinal = int(match.group(1)) if match.group(1) else None
        most = 5 if freq == "MONTHLY" or months else 53
        if ordinal is not None and (freq not in {"MONTHLY", "YEARLY"} or not 1 <= abs(ordinal) <= most):
            raise ValueError(f"{rule!r}: {item!r} is not a weekday position this rule can have")
        weekdays.add(_WEEKDAYS.index(match.group(2)))
    if months and month_days:
        positive = [day for day in month_days if day > 0]
        if len(positive) == len(month_days) and not any(day <= _MONTH_DAYS[m - 1] for m in months for day in positive):
            raise ValueError(f"{rule!r} names a day that none of its months has")
    # An interval can keep a rule on a lattice that misses its filters for ever.
    if freq == "MONTHLY" and months:
        reachable = {(start.month - 1 + step * interval) % 12 + 1 for step in range(12)}
        if not reachable & set(months):
            raise ValueError(f"{rule!r}: every {interval} months from {start:%B} never reaches its months")
    if freq == "DAILY" and weekdays:
        reachable = {(start.weekday() + step * interval) % 7 for step in range(7)}
        if not reachable & weekdays:
            raise ValueError(f"{rule!r}: every {interval} days from a {start:%A} never lands on its weekdays")
    if freq == "HOURLY" and hours:
        reachable = {(start.hour + step * interval) % 24 for step in range(24)}
        if not reachable & set(hours):
            raise ValueError(f"{rule!r}: every {interval} hours from {start:%H}:00 never reaches its hours")
    only_leap_day = bool(months) and set(months) == {2} and set(month_days) == {29}
    if only_leap_day and freq == "YEARLY" and interval % 4 == 0:
        raise ValueError(f"{rule!r}: a 29 February every {interval} years is not a schedule")
