"""Calendar files (.ics): an invitation, its cancellation and a subscription feed, written with `icalendar`.

The meeting and shift services map their records onto the neutral dataclasses below; this module knows only
RFC 5545 (iCalendar) and RFC 5546 (iTIP). Choices, and why:

- **Times.** Every instant is held in UTC and written as the wall-clock time of the event's IANA zone with
  `TZID=<zone>`, plus one VTIMEZONE per zone. The VTIMEZONE is built by `icalendar.Timezone.from_tzid` over a
  *bounded* range: whole years from the first to the last date the event touches (an open-ended rule counts
  `OPEN_ENDED_YEARS` from its start). Outside that range the file does not describe the zone, but mainstream
  clients resolve an IANA TZID from their own database anyway, and icalendar's default range (1970 to 2038)
  would add some 2.7 kB of past transitions per zone to every invitation. The zones are added in sorted order
  rather than by `add_missing_timezones()`, whose set iteration would let the order of two zones vary between
  runs. UTC needs no VTIMEZONE: it is written `...Z`.
- **Recurrence.** The RRULE is the one the bot expands with `bot.domain.recurrence.Recurrence` over wall-clock
  time in the same zone; it is validated there, and a local UNTIL is rewritten in UTC (`…Z`) as RFC 5545
  requires next to a TZID DTSTART. `starts` must be an occurrence of the rule: RFC 5545 leaves a DTSTART that
  the rule does not produce undefined, so such an event is refused rather than written two ways. The file's
  DTSTART is the first occurrence's *instant* in local time, so a first occurrence inside a spring-forward gap
  (02:30 read as 03:30) would recur at 03:30 in a client: the services start series outside the gap.
- **Overrides.** A moved occurrence is its own VEVENT with the same UID and `RECURRENCE-ID;TZID=zone:` its
  original local start. A cancelled occurrence becomes an EXDATE on the master, in invitations and feeds alike:
  every client honours EXDATE, while a CANCELLED instance VEVENT inside a REQUEST is handled unevenly.
- **Attendees.** `ROLE=REQ-PARTICIPANT` and the person's PARTSTAT. `RSVP=TRUE` on every attendee of a REQUEST
  (the bot wants every answer, and one already given can be changed); `RSVP=FALSE` in a CANCEL and in a feed,
  where no reply is expected. A person Slack gave no e-mail for gets the stable placeholder
  `<user id>@users.slack.invalid`: ORGANIZER and ATTENDEE must be calendar addresses, a client matches a person
  across updates by that address (so it must not change between SEQUENCEs), and the reserved `.invalid` domain
  (RFC 2606) guarantees a client's reply is never delivered to a stranger.
- **Messages.** An invitation is `METHOD:REQUEST` and needs an ORGANIZER; a cancellation is `METHOD:CANCEL`,
  `STATUS:CANCELLED`, same UID, the (already bumped) SEQUENCE it is given, attendees listed. A feed has no
  METHOD (it is a published calendar, not a scheduling message), names itself with `X-WR-CALNAME` and NAME
  (RFC 7986), and may hold events without organizer or attendees; a cancelled event stays in a feed with
  `STATUS:CANCELLED`. TRANSP is always written: OPAQUE unless the event says it is transparent (shifts in a
  feed are OPAQUE: a person on shift is busy).
- **Determinism.** The same input gives the same bytes: no generated UIDs, no clock (DTSTAMP is `stamp`).
  Output is UTF-8 with CRLF line ends and folded lines, as icalendar writes it; text escaping (commas,
  semicolons, new lines) is icalendar's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

from bot.domain.recurrence import Recurrence

PRODUCT = "-//Ops Assistant//EN"
# How many years of a zone's rules a file describes after the start of a rule with neither COUNT nor UNTIL.
OPEN_ENDED_YEARS = 10
PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED"})
_PLACEHOLDER_DOMAIN = "users.slack.invalid"
_SECOND = timedelta(seconds=1)
_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)")
# Recurrence.ical_rrule() always writes UNTIL in UTC.
_UNTIL_UTC = re.compile(r"(?:^|;|:)UNTIL=(\d{8})(?:T(\d{6}))?Z")


@dataclass(frozen=True, slots=True)
class CalendarPerson:
    user: str  # Slack user id, e.g. "U0MARIA01"
    name: str  # display name ("" when unknown)
    email: str | None  # None when Slack gave none: a placeholder address is written (see the module docstring)
    partstat: str = "NEEDS-ACTION"  # NEEDS-ACTION | ACCEPTED | TENTATIVE | DECLINED

    @property
    def address(self) -> str:
        """The calendar address: the e-mail, or a stable placeholder in the reserved `.invalid` domain."""
        return f"mailto:{self.email or f'{self.user.lower()}@{_PLACEHOLDER_DOMAIN}'}"


@dataclass(frozen=True, slots=True)
class Override:
    recurrence_id: datetime  # aware: the original start of the occurrence being changed
    starts: datetime | None = None  # aware new start (None with cancelled=True)
    ends: datetime | None = None  # aware new end; None keeps the series' duration
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str  # stable, e.g. "meeting-42-T0OPS0001@ops-assistant"
    sequence: int
    summary: str
    starts: datetime  # aware; for a recurring event, the first occurrence
    ends: datetime  # aware
    zone: str  # IANA zone the event is written in (TZID), e.g. "Europe/Rome"
    organizer: CalendarPerson | None
    attendees: tuple[CalendarPerson, ...] = ()
    location: str = ""
    description: str = ""
    url: str = ""
    rrule: str | None = None  # RRULE value without "RRULE:", over wall-clock time in `zone`
    overrides: tuple[Override, ...] = ()
    cancelled: bool = False  # STATUS:CANCELLED
    created: datetime | None = None
    transparent: bool = False  # TRANSP:TRANSPARENT (does not block free/busy)


def invitation(event: CalendarEvent, *, stamp: datetime, product: str = PRODUCT) -> bytes:
    """A `METHOD:REQUEST` file inviting the attendees to `event` (or updating them: bump `sequence`)."""
    if event.cancelled:
        raise ValueError(f"{event.uid}: a cancelled event is sent with cancellation(), not invitation()")
    if event.organizer is None:
        raise ValueError(f"{event.uid}: an invitation needs an organizer (RFC 5546 REQUEST)")
    calendar = _calendar(product, method="REQUEST")
    _add_event(calendar, event, stamp=stamp, rsvp=True)
    return _finish(calendar, [event])


def cancellation(event: CalendarEvent, *, stamp: datetime, product: str = PRODUCT) -> bytes:
    """A `METHOD:CANCEL` file for the whole of `event`; its `sequence` must already be the bumped one."""
    if event.organizer is None:
        raise ValueError(f"{event.uid}: a cancellation needs an organizer (RFC 5546 CANCEL)")
    calendar = _calendar(product, method="CANCEL")
    _add_event(calendar, event, stamp=stamp, rsvp=False, cancelled=True, with_overrides=False)
    return _finish(calendar, [event])


def feed(name: str, events: Sequence[CalendarEvent], *, stamp: datetime, product: str = PRODUCT) -> bytes:
    """A subscription feed: no METHOD, named `name`, the events in the order given, overrides included."""
    uids = [event.uid for event in events]
    if len(set(uids)) != len(uids):
        raise ValueError("a feed names each UID once (overrides go in the event's `overrides`)")
    calendar = _calendar(product, method=None)
    # icalendar types NAME and X-WR-CALNAME as unknown and would write a comma or new line unescaped: say TEXT.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("name", vText(name))
    for event in events:
        _add_event(calendar, event, stamp=stamp, rsvp=False)
    return _finish(calendar, events)


def _calendar(product: str, *, method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    return calendar


def _add_event(
    calendar: Calendar,
    event: CalendarEvent,
    *,
    stamp: datetime,
    rsvp: bool,
    cancelled: bool = False,
    with_overrides: bool = True,
) -> None:
    zone = _zone(event.zone)
    starts, ends = _instant(event.starts, "starts"), _instant(event.ends, "ends")
    if ends < starts:
        raise ValueError(f"{event.uid}: ends before it starts")
    if event.sequence < 0:
        raise ValueError(f"{event.uid}: SEQUENCE cannot be negative")
    moved, removed = _overrides(event) if with_overrides else ([], [])
    master = _vevent(event, starts, ends, zone, stamp=stamp, rsvp=rsvp, cancelled=cancelled or event.cancelled)
    if event.rrule is not None:
        recurrence = _recurrence(event, event.rrule)
        master.add("rrule", vRecur.from_ical(recurrence.ical_rrule().removeprefix("RRULE:")))
        if removed:
            master.add("exdate", [instant.astimezone(zone) for instant in removed])
    calendar.add_component(master)
    for original, new_start, new_end in moved:
        instance = _vevent(event, new_start, new_end, zone, stamp=stamp, rsvp=rsvp, cancelled=event.cancelled)
        instance.add("recurrence-id", original.astimezone(zone))
        calendar.add_component(instance)


def _vevent(
    event: CalendarEvent,
    starts: datetime,
    ends: datetime,
    zone: ZoneInfo,
    *,
    stamp: datetime,
    rsvp: bool,
    cancelled: bool,
) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("sequence", event.sequence)
    if event.created is not None:
        vevent.add("created", _utc(event.created))
    vevent.add("dtstart", starts.astimezone(zone))
    vevent.add("dtend", ends.astimezone(zone))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if event.transparent else "OPAQUE")
    if event.organizer is not None:
        vevent.add("organizer", _address(event.organizer))
    for person in event.attendees:
        attendee = _address(person)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = _partstat(person)
        attendee.params["RSVP"] = "TRUE" if rsvp else "FALSE"
        vevent.add("attendee", attendee)
    return vevent


def _address(person: CalendarPerson) -> vCalAddress:
    address = vCalAddress(person.address)
    if person.name:
        address.params["CN"] = person.name
    return address


def _partstat(person: CalendarPerson) -> str:
    if person.partstat not in PARTSTATS:
        raise ValueError(f"{person.user}: PARTSTAT {person.partstat!r} is not one of {sorted(PARTSTATS)}")
    return person.partstat


def _recurrence(event: CalendarEvent, rule: str) -> Recurrence:
    """The bot's own reading of the rule, checked to produce `starts` as its first occurrence."""
    starts = _instant(event.starts, "starts")
    recurrence = Recurrence(rule, event.zone, starts.astimezone(_zone(event.zone)).replace(tzinfo=None))
    if recurrence.next_after(starts - _SECOND) != starts:
        raise ValueError(f"{event.uid}: starts is not an occurrence of {rule}")
    return recurrence


def _overrides(event: CalendarEvent) -> tuple[list[tuple[datetime, datetime, datetime]], list[datetime]]:
    """(original, new start, new end) of each moved occurrence, and the originals of the cancelled ones."""
    if not event.overrides:
        return [], []
    if event.rrule is None:
        raise ValueError(f"{event.uid}: only a recurring event has overrides")
    recurrence = _recurrence(event, event.rrule)
    duration = event.ends - event.starts
    moved: list[tuple[datetime, datetime, datetime]] = []
    removed: list[datetime] = []
    seen: set[datetime] = set()
    for override in event.overrides:
        original = _instant(override.recurrence_id, "recurrence_id")
        if original in seen:
            raise ValueError(f"{event.uid}: two overrides of the occurrence at {original:%Y-%m-%d %H:%M}Z")
        seen.add(original)
        if recurrence.next_after(original - _SECOND) != original:
            raise ValueError(f"{event.uid}: {original:%Y-%m-%d %H:%M}Z is not an occurrence of {event.rrule}")
        if override.cancelled:
            removed.append(original)
            continue
        if override.starts is None:
            raise ValueError(f"{event.uid}: an override either moves the occurrence (starts) or cancels it")
        new_start = _instant(override.starts, "override starts")
        new_end = _instant(override.ends, "override ends") if override.ends is not None else new_start + duration
        if new_end < new_start:
            raise ValueError(f"{event.uid}: the override of {original:%Y-%m-%d %H:%M}Z ends before it starts")
        moved.append((original, new_start, new_end))
    return sorted(moved), sorted(removed)


def _finish(calendar: Calendar, events: Iterable[CalendarEvent]) -> bytes:
    """Insert one bounded VTIMEZONE per zone used, in sorted order, ahead of the events; then serialize."""
    spans: dict[str, tuple[date, date]] = {}
    for event in events:
        first, last = _span(event)
        if event.zone in spans:
            first, last = min(first, spans[event.zone][0]), max(last, spans[event.zone][1])
        spans[event.zone] = (first, last)
    # get_missing_tzids() leaves out UTC (written as "…Z"), so only real zones get a VTIMEZONE.
    for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        first, last = spans[tzid]
        timezone = Timezone.from_tzid(tzid, first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
        calendar.subcomponents.insert(index, timezone)
    written = calendar.to_ical()
    # icalendar leaves `to_ical` unannotated (Any): narrow it here, checked, rather than trust it blindly.
    if not isinstance(written, bytes):
        raise TypeError(f"icalendar wrote {type(written).__name__}, not bytes")
    return written


def _span(event: CalendarEvent) -> tuple[date, date]:
    """The first and last local dates the event touches, counting every occurrence of a finite rule."""
    zone = _zone(event.zone)
    instants = [event.starts, event.ends]
    for override in event.overrides:
        instants += [override.recurrence_id, *(t for t in (override.starts, override.ends) if t is not None)]
    if event.rrule is not None:
        instants.append(_last_occurrence(event, event.rrule) + (event.ends - event.starts))
    local_days = [instant.astimezone(zone).date() for instant in instants]
    return min(local_days), max(local_days)


def _last_occurrence(event: CalendarEvent, rule: str) -> datetime:
    """The last occurrence of a finite rule, or a date `OPEN_ENDED_YEARS` on for an open-ended one."""
    recurrence = _recurrence(event, rule)
    horizon = event.starts.replace(year=event.starts.year + OPEN_ENDED_YEARS, month=1, day=1)
    if count := _COUNT.search(rule):
        # Recurrence looks at most ten years ahead, which also keeps a long count to a sane range.
        found = recurrence.occurrences_after(event.starts - _SECOND, limit=int(count.group(1)))
        return found[-1] if found else event.starts
    if until := _UNTIL_UTC.search(recurrence.ical_rrule()):
        day, clock = until.group(1), until.group(2) or "235959"
        return min(datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=UTC), horizon)
    return horizon


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{name!r} is not an IANA time zone") from error


def _instant(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    if value.microsecond:
        raise ValueError(f"{what} must be a whole second: calendar files have no fractions")
    return value.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    """A bookkeeping time (DTSTAMP, CREATED) in UTC; a fraction of a second is dropped, as the format has none."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("DTSTAMP and CREATED must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0)
