"""Who works when: working hours per person (and the workspace's default), time off, and public holidays.

Hours are a wall-clock range on some weekdays, read in the zone of the person they belong to: "10:00-18:00
Mon-Fri" set by Maria in Rome means 10:00 in Rome, and stays so across DST. The workspace default has no zone
of its own: it applies in each person's own zone. Time off and holidays are local dates (DATE columns plus the
zone they were meant in); the instants they span are derived from them, in UTC, for whoever needs to compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role

if TYPE_CHECKING:  # ports imports this module's values; the service only needs the factory's type
    from bot.domain.ports import UnitOfWorkFactory

WEEKDAYS = (0, 1, 2, 3, 4)
MAX_REASON = 200
MAX_HOLIDAY_NAME = 100
MAX_AWAY_DAYS = 366
DEFAULT_HOURS_START = time(9, 0)
DEFAULT_HOURS_END = time(17, 0)


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """A wall-clock range on some weekdays (0 = Monday); the end is after the start, on the same day."""

    start: time
    end: time
    days: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.days or any(day not in range(7) for day in self.days):
            raise ValueError(f"weekdays must be 0 to 6, got {self.days!r}")
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")

    def on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The instants (UTC) this range covers on a local `day`, or None when it is not a working day."""
        if day.weekday() not in self.days:
            return None
        start = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)
        return start, end


FALLBACK_HOURS = WorkingHours(DEFAULT_HOURS_START, DEFAULT_HOURS_END, WEEKDAYS)


@dataclass(frozen=True, slots=True)
class StoredHours:
    """One row: a person's hours (with the zone they were set in), or the workspace default (`user` None)."""

    team: TeamId
    user: UserId | None
    hours: WorkingHours
    zone: str | None
    set_by: UserId
    set_at: datetime


class HoursSource:
    OWN = "own"
    DEFAULT = "default"
    FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class PersonHours:
    """A person's working hours as they apply: their own, else the workspace default, in their zone."""

    user: UserId
    hours: WorkingHours
    zone: ZoneInfo
    source: str  # HoursSource

    def next_span(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The next (or current) working span, within a week from now."""
        today = now.astimezone(self.zone).date()
        for offset in range(8):
            span = self.hours.on(today + timedelta(days=offset), self.zone)
            if span is not None and span[1] > now:
                return span
        return None


class LocalDays:
    """Whole local days from `first` to `last` in `zone`, and the instants they span."""

    __slots__ = ()
    first: date
    last: date
    zone: str

    @property
    def starts(self) -> datetime:
        return local_midnight(self.first, ZoneInfo(self.zone))

    @property
    def ends(self) -> datetime:
        """The instant the person is back: midnight after the last day, in their zone."""
        return local_midnight(self.last + timedelta(days=1), ZoneInfo(self.zone))


@dataclass(frozen=True, slots=True)
class TimeOffDraft(LocalDays):
    team: TeamId
    user: UserId
    first: date
    last: date
    zone: str
    reason: str
    created_by: UserId
    created_at: datetime
    cover: UserId | None = None


@dataclass(frozen=True, slots=True)
class TimeOff(LocalDays):
    id: int
    team: TeamId
    user: UserId
    first: date
    last: date
    zone: str
    reason: str
    created_by: UserId
    cover: UserId | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class Away:
    """Someone on time off now: when they are back, and who covers for them meanwhile (None: nobody, their
    reminders wait)."""

    back: datetime
    cover: UserId | None


@dataclass(frozen=True, slots=True)
class Holiday:
    team: TeamId
    day: date
    name: str
    created_by: UserId


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def clean(text: str) -> str:
    return " ".join(text.split())


class ZoneDirectory(Protocol):
    """Where a person's language and time zone come from (the access service)."""

    async def reader(self, team: TeamId, user: UserId) -> tuple[Language, ZoneInfo]: ...


def _hours_example() -> Msg:
    return Msg.of("people.example.hours")


def _away_example() -> Msg:
    return Msg.of("people.example.away")


def _holiday_example() -> Msg:
    return Msg.of("people.example.holiday")


class PeopleTimeService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, directory: ZoneDirectory) -> None:
        self._uow = uow
        self._clock = clock
        self._directory = directory

    async def _zone_of(self, actor: Actor, user: UserId) -> ZoneInfo:
        if user == actor.user:
            return actor.timezone
        _language, zone = await self._directory.reader(actor.team, user)
        return zone

    def _audit(self, actor: Actor, action: str, target: str, **details: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, target, self._clock.now(), details)

    # ---- working hours ---------------------------------------------------------------------------------------

    async def hours_of(self, actor: Actor, user: UserId) -> PersonHours:
        async with self._uow() as uow:
            own = await uow.people.hours(actor.team, user)
            default = None if own is not None else await uow.people.hours(actor.team, None)
        zone = await self._zone_of(actor, user)
        if own is not None:
            return PersonHours(user, own.hours, ZoneInfo(own.zone) if own.zone else zone, HoursSource.OWN)
        if default is not None:
            return PersonHours(user, default.hours, zone, HoursSource.DEFAULT)
        return PersonHours(user, FALLBACK_HOURS, zone, HoursSource.FALLBACK)

    async def set_hours(self, actor: Actor, user: UserId, hours: WorkingHours) -> PersonHours:
        """Your own hours, in your own zone; a manager may set anyone's (in that person's zone)."""
        if user != actor.user:
            actor.require(Role.MANAGER, action=Msg.of("action.set_hours_of_others"))
        zone = await self._zone_of(actor, user)
        async with self._uow() as uow:
            await uow.people.put_hours(
                StoredHours(actor.team, user, hours, zone.key, actor.user, self._clock.now()),
            )
            await uow.audit.add(self._audit(actor, "hours.set", user, hours=describe(hours), zone=zone.key))
        return PersonHours(user, hours, zone, HoursSource.OWN)

    async def default_hours(self, actor: Actor) -> WorkingHours:
        async with self._uow() as uow:
            default = await uow.people.hours(actor.team, None)
        return default.hours if default is not None else FALLBACK_HOURS

    async def set_default_hours(self, actor: Actor, hours: WorkingHours) -> WorkingHours:
        actor.require(Role.ADMIN, action=Msg.of("action.set_default_hours"))
        async with self._uow() as uow:
            await uow.people.put_hours(StoredHours(actor.team, None, hours, None, actor.user, self._clock.now()))
            await uow.audit.add(self._audit(actor, "hours.default", "workspace", hours=describe(hours)))
        return hours

    # ---- time off --------------------------------------------------------------------------------------------

    async def add_time_off(
        self, actor: Actor, user: UserId, first: date, last: date, reason: str, cover: UserId | None = None
    ) -> TimeOff:
        if user != actor.user:
            actor.require(Role.MANAGER, action=Msg.of("action.set_time_off_of_others"))
        if cover == user:
            raise InvalidRequest(Msg.of("people.error.cover_self"), example=_away_example())
        reason = clean(reason)
        if len(reason) > MAX_REASON:
            raise InvalidRequest(Msg.of("people.error.reason_too_long", most=MAX_REASON), example=_away_example())
        if last < first:
            raise InvalidRequest(
                Msg.of("people.error.backwards", first=first.isoformat(), last=last.isoformat()),
                example=_away_example(),
            )
        if (last - first).days + 1 > MAX_AWAY_DAYS:
            raise InvalidRequest(Msg.of("people.error.too_long", most=MAX_AWAY_DAYS), example=_away_example())
        zone = await self._zone_of(actor, user)
        today = self._clock.now().astimezone(zone).date()
        if first < today:
            raise InvalidRequest(Msg.of("people.error.past", day=first.isoformat()), example=_away_example())
        draft = TimeOffDraft(actor.team, user, first, last, zone.key, reason, actor.user, self._clock.now(), cover)
        async with self._uow() as uow:
            overlapping = await uow.people.overlapping_time_off(actor.team, user, first, last)
            if overlapping:
                raise InvalidRequest(Msg.of("people.error.overlap", id=overlapping[0].id), example=_away_example())
            added = await uow.people.add_time_off(draft)
            await uow.audit.add(
                self._audit(
                    actor,
                    "away.add",
                    user,
                    id=str(added.id),
                    first=first.isoformat(),
                    last=last.isoformat(),
                    zone=zone.key,
                    reason=reason,
                    cover=cover or "",
                )
            )
        return added

    async def away_until(self, team: TeamId, user: UserId) -> datetime | None:
        """If the person is on time off now, when they are back."""
        away = await self.away(team, user)
        return away.back if away is not None else None

    async def away(self, team: TeamId, user: UserId) -> Away | None:
        """If the person is on time off now: when they are back and who covers; reminders for them go to the
        cover, or wait until they are back."""
        async with self._uow() as uow:
            return await uow.people.away(team, user, self._clock.now())

    async def upcoming_time_off(self, actor: Actor) -> list[TimeOff]:
        """Everyone's time off that has not ended yet (by the reader's calendar, a day's grace for other zones)."""
        today = self._clock.now().astimezone(actor.timezone).date()
        async with self._uow() as uow:
            return await uow.people.time_off_since(actor.team, today - timedelta(days=1))

    async def cancel_time_off(self, actor: Actor, time_off_id: int) -> TimeOff:
        async with self._uow() as uow:
            found = await uow.people.time_off(actor.team, time_off_id)
            if found is None:
                raise NotFound(Msg.of("people.error.away_not_found", id=time_off_id), example=_away_example())
            if actor.user not in (found.user, found.created_by) and not actor.role.includes(Role.MANAGER):
                raise NotAllowed(Msg.of("people.error.away_not_yours", id=time_off_id, user=found.user))
            await uow.people.cancel_time_off(actor.team, time_off_id, by=actor.user, at=self._clock.now())
            await uow.audit.add(self._audit(actor, "away.cancel", found.user, id=str(time_off_id)))
        return found

    # ---- holidays --------------------------------------------------------------------------------------------

    async def add_holiday(self, actor: Actor, day: date, name: str) -> Holiday:
        actor.require(Role.MANAGER, action=Msg.of("action.change_holidays"))
        name = clean(name)
        if not name:
            raise InvalidRequest(Msg.of("people.error.holiday_no_name"), example=_holiday_example())
        if len(name) > MAX_HOLIDAY_NAME:
            raise InvalidRequest(
                Msg.of("people.error.holiday_name_too_long", most=MAX_HOLIDAY_NAME), example=_holiday_example()
            )
        holiday = Holiday(actor.team, day, name, actor.user)
        async with self._uow() as uow:
            existing = await uow.people.holiday(actor.team, day)
            if existing is not None:
                raise InvalidRequest(
                    Msg.of("people.error.holiday_exists", day=day.isoformat(), name=existing.name),
                    example=_holiday_example(),
                )
            await uow.people.add_holiday(holiday, zone=actor.timezone.key, at=self._clock.now())
            await uow.audit.add(self._audit(actor, "holiday.add", day.isoformat(), name=name))
        return holiday

    async def holidays(self, actor: Actor, *, include_past: bool = False) -> list[Holiday]:
        today = self._clock.now().astimezone(actor.timezone).date()
        async with self._uow() as uow:
            return await uow.people.holidays(actor.team, since=None if include_past else today)

    async def remove_holiday(self, actor: Actor, day: date) -> Holiday:
        actor.require(Role.MANAGER, action=Msg.of("action.change_holidays"))
        async with self._uow() as uow:
            existing = await uow.people.holiday(actor.team, day)
            if existing is None:
                raise NotFound(
                    Msg.of("people.error.holiday_not_found", day=day.isoformat()), example=_holiday_example()
                )
            await uow.people.remove_holiday(actor.team, day)
            await uow.audit.add(self._audit(actor, "holiday.remove", day.isoformat(), name=existing.name))
        return existing


def describe(hours: WorkingHours) -> str:
    """A language-neutral form for the audit log: `10:00-18:00 0,1,2,3,4`."""
    days = ",".join(str(day) for day in hours.days)
    return f"{hours.start:%H:%M}-{hours.end:%H:%M} {days}"
