"""Finding a meeting time: when everyone can meet, as UTC spans, and the first few slots of a given length.

Everything here works on spans of instants (aware UTC datetimes, start < end, half-open: [start, end)), so people
in different zones compare directly: a person's wall-clock working hours are turned into UTC spans once, per local
day, by `working_spans`, and from then on Rome and New York are just lists of spans. Half-open spans mean that a
meeting ending at 15:00 and one starting at 15:00 do not clash, and that working spans that touch (two shifts
back to back) are one stretch of availability.

The search is sort + sweep, never a scan over time: the common working time is the running intersection of
everyone's (merged) working spans, the busy spans that touch it are merged into one list and subtracted in one
walk, and slots are cut from what is left, in order. With n spans in all that is O(n log n) for the sorts and
O(n) after, whatever the length of the window or the step of the grid.

No Slack, no SQL: the callers fetch hours, calendars and time off and hand them in as `Availability`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.people_time import WorkingHours

Span = tuple[datetime, datetime]

DEFAULT_STEP = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a whole UTC hour (midnight): the origin of the start grid
_DAY = timedelta(days=1)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Availability:
    """One attendee, already in instants: when they can meet at all, and what is in the way.

    `working` is where a meeting may be (working hours from `working_spans`, or shifts); `busy` is what rules a
    time out (meetings, appointments, time off). Neither needs to be sorted or free of overlaps.
    """

    working: Sequence[Span]
    busy: Sequence[Span]


def merge(spans: Iterable[Span]) -> list[Span]:
    """The same instants as sorted, disjoint spans: overlapping or touching spans become one.

    Touching spans merge because spans are half-open: 09:00-12:00 and 12:00-15:00 leave no gap between them, and a
    meeting across 12:00 fits. Empty spans (start == end) cover nothing and are dropped; a span that ends before it
    starts is a caller's bug and raises ValueError rather than being silently ignored.
    """
    ordered = sorted(spans)
    merged: list[Span] = []
    for start, end in ordered:
        if end <= start:
            if end < start:
                raise ValueError(f"span ends before it starts: {start.isoformat()} > {end.isoformat()}")
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Sequence[Span], busy: Sequence[Span]) -> list[Span]:
    """The instants of `spans` that are in no `busy` span, as sorted, disjoint spans.

    Both lists are merged first, so callers may pass them in any order; then one walk over both, keeping a
    cursor into `busy` that only moves forward (busy spans that end before the current span can't matter to any
    later span either).
    """
    free = merge(spans)
    blocked = merge(busy)
    result: list[Span] = []
    b = 0
    for start, end in free:
        while b < len(blocked) and blocked[b][1] <= start:
            b += 1
        cursor = start
        k = b
        while k < len(blocked) and blocked[k][0] < end:
            busy_start, busy_end = blocked[k]
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The instants in both `a` and `b`, as sorted, disjoint spans (two merged lists walked side by side).

    Touching is not overlapping: 09:00-12:00 and 12:00-15:00 share no instant, so they give nothing.
    """
    left, right = merge(a), merge(b)
    result: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] <= right[j][1]:  # whichever ends first can't meet anything further on the other side
            i += 1
        else:
            j += 1
    return result


def working_spans(hours: WorkingHours, zone: ZoneInfo, since: datetime, until: datetime) -> list[Span]:
    """A person's working spans (UTC) that overlap [since, until), clipped to it, sorted.

    The hours are wall-clock in the person's own zone, so the days to look at are *their* local days: Monday
    08:00 in Tokyo is Sunday 23:00 UTC, and a window that starts Monday 00:00 UTC begins on Monday in Tokyo but
    on Sunday in New York. Every local day from the one `since` falls on to the one `until` falls on is
    converted (each with its own UTC offset, so DST is handled day by day by `WorkingHours.on`), then clipped.
    """
    since, until = _utc(since), _utc(until)
    if until <= since:
        return []
    spans: list[Span] = []
    day = since.astimezone(zone).date()
    last = until.astimezone(zone).date()
    while day <= last:
        span = hours.on(day, zone)
        if span is not None:
            start, end = max(span[0], since), min(span[1], until)
            if start < end:
                spans.append((start, end))
        day += _DAY
    return merge(spans)  # already in order; merge also joins days that touch (a 00:00-24:00 week)


def common_free(people: Sequence[Availability], since: datetime, until: datetime) -> list[Span]:
    """When everyone is working and nobody is busy, within [since, until): sorted, disjoint UTC spans.

    The window intersected with everyone's working spans, minus everyone's busy spans. That is the same instants
    as intersecting each person's own free time, in less work: the common working time is small (a few hours a
    day across zones) and found first, so only the busy spans that touch it are merged and subtracted, in one
    sort; meetings in someone's morning that nobody else is awake for never get that far.
    """
    since, until = _utc(since), _utc(until)
    common: list[Span] = [(since, until)] if since < until else []
    for person in people:
        if not common:
            return []
        common = intersect(common, _all_utc(person.working))
    # A busy span matters if the first common span that ends after it starts also starts before it ends; the
    # sentinel start stands for "no common span ends after it". One bisect per busy span, in a comprehension:
    # this filter is most of the finder's time once calendars are full.
    ends = [end for _start, end in common]
    starts = [start for start, _end in common] + [_NEVER]
    relevant = [
        span for person in people for span in _all_utc(person.busy) if starts[bisect_right(ends, span[0])] < span[1]
    ]
    return subtract(common, relevant)


def find_slots(
    people: Sequence[Availability],
    *,
    duration: timedelta,
    since: datetime,
    until: datetime,
    count: int = 3,
    step: timedelta = DEFAULT_STEP,
) -> list[Span]:
    """Up to `count` meeting slots of exactly `duration` that every attendee can make, earliest first.

    The rule, chosen to be simple and predictable for whoever reads the proposals:

    - a slot starts on the grid: a multiple of `step` counted from a whole UTC hour (quarter past, half past…
      by default). The grid is UTC's, not the attendees': someone in Kolkata (+05:30) gets quarter-hour starts
      too, but with a one-hour step they get 09:30 local, not 09:00. `step` must divide a day, so the grid is the
      same every day;
    - the first slot is the earliest grid start at or after `since` (so `since` is rounded up) at which the
      whole `duration` lies inside every attendee's working spans, outside every busy span, and ends by `until`;
    - each next slot is the earliest such start at or after the previous slot's end, rounded up to the grid: the
      slots never overlap and may well be back to back on the same day (14:00, 14:30, 15:00). No spreading over
      days, no scoring: the earliest times win, and "nothing earlier fits" is always true of the first one.

    Fewer than `count` (possibly none) come back when the window holds no more. Raises ValueError for no
    attendees, a duration or step that is not positive, a step that does not divide a day, count < 1, or any
    naive datetime.
    """
    if not people:
        raise ValueError("find_slots needs at least one person")
    if duration <= timedelta(0):
        raise ValueError(f"the duration must be positive, got {duration}")
    if step <= timedelta(0) or _DAY % step:
        raise ValueError(f"the step must be positive and divide a day, got {step}")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    since, until = _utc(since), _utc(until)
    slots: list[Span] = []
    cursor = _ceil(since, step)
    for free_start, free_end in common_free(people, since, until):
        start = max(cursor, _ceil(free_start, step))
        while start + duration <= free_end:
            slots.append((start, start + duration))
            if len(slots) == count:
                return slots
            start = _ceil(start + duration, step)
        cursor = start
    return slots


def _ceil(instant: datetime, step: timedelta) -> datetime:
    """`instant` rounded up to the grid of `step` (aligned to midnight UTC, hence to every whole UTC hour)."""
    over = (instant - _EPOCH) % step
    return instant + (step - over) if over else instant


def _utc(instant: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused, since nobody can tell which instant they mean.

    Converting matters beyond tidiness: datetimes sharing one ZoneInfo compare and subtract by wall clock, which
    is wrong across a DST change; in UTC both are the instant.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime: {instant.isoformat()} (give it a time zone)")
    return instant if instant.tzinfo is UTC else instant.astimezone(UTC)


def _all_utc(spans: Sequence[Span]) -> Sequence[Span]:
    """The spans in UTC, checked (aware, not reversed); as given when they already are, the common case, since
    converting every span of every attendee on each request would be a third of the finder's time."""
    for start, end in spans:
        if start.tzinfo is not UTC or end.tzinfo is not UTC:
            return _all_utc([(_utc(start), _utc(end)) for start, end in spans])
        if end < start:
            raise ValueError(f"span ends before it starts: {start.isoformat()} > {end.isoformat()}")
    return spans
