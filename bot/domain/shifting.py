"""The rota service: shifts and weekly patterns, who is on now, the week's rota, swaps, open shifts that the first
eligible person claims, a CSV rota import, and the duties handed to whoever starts a shift.

Shifts are written on the workspace's clock (the shop's), not the writer's: "Friday 7:00-15:00" is 7:00 where
the shop is, whoever types it. Changing the rota is a manager's job; anyone can read it, claim an open shift they
are eligible for, and ask to swap their own shift.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.checklists import Posting
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg
from bot.domain.people import DirectoryEntry, match_person
from bot.domain.people_time import TimeOff
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.reminders import Delivery, Kind, ScheduleSpec
from bot.domain.roles import Actor, Role
from bot.domain.shifts import (
    ALL_DAYS,
    MAX_DUTY_TITLE,
    MAX_IMPORT_ROWS,
    MAX_ROLE,
    MAX_SHIFT_HOURS,
    PATTERN_HORIZON,
    ROLE_MEMORY,
    Absence,
    Duty,
    DutyDraft,
    DutyKind,
    ImportedRow,
    ImportReport,
    PatternDraft,
    Rota,
    SharedFile,
    Shift,
    ShiftDraft,
    ShiftPattern,
    ShiftStatus,
    ShiftTimes,
    SwapRequest,
    SwapStatus,
    clean_role,
    overlapping,
    shift_span,
    week_of,
)
from bot.domain.tasks import Task, TaskDraft
from bot.domain.workspace import WorkspaceSettings

log = logging.getLogger("ops.shifts")

UPCOMING = timedelta(days=14)
# A file shared with the bot stays importable this long.
SHARED_FILE_TTL = timedelta(hours=24)
PATTERN_SWEEP = 200


def conflict(
    user: UserId,
    shifts: Sequence[Shift],
    time_off: Sequence[TimeOff],
    starts: datetime,
    ends: datetime,
    *,
    ignore: int | None = None,
) -> Msg | None:
    """Why `user` cannot work from `starts` to `ends`, given their shifts and time off around then."""
    clash = overlapping(shifts, starts, ends, ignore=ignore)
    if clash is not None:
        return Msg.of("shift.error.overlap", user=user, id=clash.id)
    if any(entry.starts < ends and starts < entry.ends for entry in time_off):
        return Msg.of("shift.error.away", user=user)
    return None


def _example(key: str) -> Msg:
    return Msg.of(f"shift.example.{key}")


class TaskMaker(Protocol):
    """The slice of the task service duties need (a task for whoever starts the shift)."""

    async def create(self, actor: Actor, draft: TaskDraft) -> Task: ...


@dataclass(frozen=True, slots=True)
class Claim:
    shift: Shift
    won: bool


@dataclass(frozen=True, slots=True)
class SwapAsked:
    swap: SwapRequest
    shift: Shift


@dataclass(frozen=True, slots=True)
class SwapDecision:
    swap: SwapRequest
    shift: Shift
    accepted: bool
    # Managers to tell about the change (the rota's author, else every manager), without the two people in it.
    managers: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class PatternAdded:
    pattern: ShiftPattern
    shifts: tuple[Shift, ...]
    skipped_holidays: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class Today:
    """Who works when, at a glance: your next (or current) shift, who is on now, who is off today."""

    mine: Shift | None
    working: tuple[Shift, ...]
    away: tuple[UserId, ...]


@dataclass(frozen=True, slots=True)
class ShiftStart:
    """What a shift start hands to the person working it."""

    shift: Shift
    language: Language
    zone: ZoneInfo
    tasks: tuple[Task, ...]
    postings: tuple[Posting, ...]


# Starts a checklist run for a duty, from a delivery standing for the shift start (its recipient is the channel).
RunStarter = Callable[[Delivery, datetime], Awaitable[Posting | None]]


class ShiftService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        poke: Callable[[datetime], None],
        settings: Callable[[UnitOfWork, TeamId], Awaitable[WorkspaceSettings]],
        tasks: TaskMaker,
        start_run: RunStarter,
        actor_of: Callable[[TeamId, UserId], Awaitable[Actor]],
        managers_of: Callable[[TeamId], Awaitable[list[UserId]]],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._settings = settings
        self._tasks = tasks
        self._start_run = start_run
        self._actor_of = actor_of
        self._managers_of = managers_of

    # ---- helpers ---------------------------------------------------------------------------------------------

    async def zone(self, team: TeamId) -> ZoneInfo:
        """The rota's clock: the workspace's zone."""
        async with self._uow() as uow:
            return (await self._settings(uow, team)).zone

    def _audit(self, actor: Actor, action: str, target: str, **details: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, target, self._clock.now(), details)

    @staticmethod
    def _check_times(times: ShiftTimes, example: str) -> str:
        role = clean_role(times.role)
        if len(role) > MAX_ROLE:
            raise InvalidRequest(Msg.of("shift.error.role_too_long", most=MAX_ROLE), example=_example(example))
        if times.start == times.end:
            raise InvalidRequest(Msg.of("shift.error.empty", time=f"{times.start:%H:%M}"), example=_example(example))
        starts, ends = shift_span(times.day, times.start, times.end, ZoneInfo("UTC"))
        if ends - starts > timedelta(hours=MAX_SHIFT_HOURS):
            raise InvalidRequest(Msg.of("shift.error.too_long", most=MAX_SHIFT_HOURS), example=_example(example))
        return role

    async def _conflicts(
        self,
        uow: UnitOfWork,
        team: TeamId,
        user: UserId,
        starts: datetime,
        ends: datetime,
        *,
        ignore: int | None = None,
    ) -> Msg | None:
        """Why `user` cannot work from `starts` to `ends`: another shift then, or time off; None when free."""
        shifts = await uow.shifts.shifts_of(team, user, starts, ends)
        time_off = await uow.people.time_off_between(team, user, starts, ends)
        return conflict(user, shifts, time_off, starts, ends, ignore=ignore)

    async def _arm(self, uow: UnitOfWork, shift: Shift, now: datetime) -> Shift:
        """The schedule that fires when the shift starts (its duties are handed out then)."""
        if shift.user is None or shift.starts <= now or shift.start_schedule_id is not None:
            return shift
        schedule = await uow.schedules.add(
            ScheduleSpec(
                team=shift.team,
                kind=Kind.SHIFT_START,
                target=f"shift:{shift.id}",
                recipient=shift.user,
                created_by=shift.created_by,
                first_fire=shift.starts,
                zone=shift.zone,
                payload={"shift": str(shift.id)},
            ),
            at=now,
        )
        await uow.shifts.set_start_schedule(shift.team, shift.id, schedule.id)
        return replace(shift, start_schedule_id=schedule.id)

    async def _disarm(self, uow: UnitOfWork, shift: Shift, now: datetime) -> None:
        if shift.start_schedule_id is not None:
            await uow.schedules.cancel(shift.team, shift.start_schedule_id, at=now)
            await uow.shifts.set_start_schedule(shift.team, shift.id, None)

    async def _shift(self, uow: UnitOfWork, team: TeamId, shift_id: int) -> Shift:
        shift = await uow.shifts.shift(team, shift_id)
        if shift is None or not shift.is_live:
            raise NotFound(Msg.of("shift.error.not_found", id=shift_id), example=_example("list"))
        return shift

    # ---- adding and removing shifts --------------------------------------------------------------------------

    async def add(self, actor: Actor, user: UserId, times: ShiftTimes) -> Shift:
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        role = self._check_times(times, "add")
        now = self._clock.now()
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            if times.day < now.astimezone(zone).date():
                raise InvalidRequest(Msg.of("shift.error.past", day=times.day.isoformat()), example=_example("add"))
            shift = await self._insert(uow, actor, user, replace(times, role=role), zone, now)
        self._poke(shift.starts)
        return shift

    async def _insert(
        self, uow: UnitOfWork, actor: Actor, user: UserId | None, times: ShiftTimes, zone: ZoneInfo, now: datetime
    ) -> Shift:
        draft = ShiftDraft(
            team=actor.team,
            user=user,
            role=times.role,
            day=times.day,
            start=times.start,
            end=times.end,
            zone=zone.key,
            status=ShiftStatus.SCHEDULED if user is not None else ShiftStatus.OPEN,
            created_by=actor.user,
            created_at=now,
        )
        if user is not None:
            starts, ends = draft.span()
            problem = await self._conflicts(uow, actor.team, user, starts, ends)
            if problem is not None:
                raise InvalidRequest(problem, example=_example("add"))
        shift = await uow.shifts.add_shift(draft)
        shift = await self._arm(uow, shift, now)
        await uow.audit.add(
            self._audit(
                actor,
                "shift.add" if user is not None else "shift.open",
                f"shift #{shift.id}",
                user=user or "",
                day=times.day.isoformat(),
                time=f"{times.start:%H:%M}-{times.end:%H:%M}",
                role=times.role,
            )
        )
        return shift

    async def cancel(self, actor: Actor, shift_id: int) -> Shift:
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        now = self._clock.now()
        async with self._uow() as uow:
            shift = await self._shift(uow, actor.team, shift_id)
            await uow.shifts.cancel_shift(actor.team, shift_id, by=actor.user, at=now)
            await self._disarm(uow, shift, now)
            await uow.audit.add(self._audit(actor, "shift.cancel", f"shift #{shift_id}", user=shift.user or ""))
        return shift

    # ---- weekly patterns -------------------------------------------------------------------------------------

    async def add_pattern(
        self, actor: Actor, user: UserId, days: tuple[int, ...], start: time, end: time, role: str
    ) -> PatternAdded:
        """Every week on `days` from today: shifts are made a few weeks ahead and topped up as time passes.
        Public holidays are left out, and so are days the person already works or is away."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        now = self._clock.now()
        role = self._check_times(ShiftTimes(now.date(), start, end, role), "pattern")
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            today = now.astimezone(zone).date()
            through = (now + PATTERN_HORIZON).astimezone(zone).date()
            draft = PatternDraft(actor.team, user, role, days, start, end, zone.key, today, actor.user, now)
            pattern = await uow.shifts.add_pattern(draft, through=through)
            made, skipped = await self._expand(uow, pattern, today, through, now)
            await uow.audit.add(
                self._audit(
                    actor,
                    "shift.pattern",
                    f"pattern #{pattern.id}",
                    user=user,
                    days="".join(str(day) for day in days),
                    time=f"{start:%H:%M}-{end:%H:%M}",
                    role=role,
                )
            )
        if made:
            self._poke(made[0].starts)
        return PatternAdded(pattern, tuple(made), tuple(skipped))

    async def _expand(
        self, uow: UnitOfWork, pattern: ShiftPattern, first: date, last: date, now: datetime
    ) -> tuple[list[Shift], list[date]]:
        """The pattern's shifts from `first` to `last`. What could stop one (another shift of the person's, time
        off) is read once for the whole range, not once a day."""
        holidays = {holiday.day for holiday in await uow.people.holidays(pattern.team, since=first)}
        zone = ZoneInfo(pattern.zone)
        since = datetime.combine(first, time(0), tzinfo=zone)
        until = datetime.combine(last + timedelta(days=2), time(0), tzinfo=zone)
        taken = await uow.shifts.shifts_of(pattern.team, pattern.user, since, until)
        time_off = await uow.people.time_off_between(pattern.team, pattern.user, since, until)
        made: list[Shift] = []
        skipped: list[date] = []
        for day in pattern.days_between(first, last):
            if day in holidays:
                skipped.append(day)
                continue
            starts, ends = shift_span(day, pattern.start, pattern.end, zone)
            if ends <= now or conflict(pattern.user, taken, time_off, starts, ends) is not None:
                continue
            shift = await uow.shifts.add_pattern_shift(
                ShiftDraft(
                    team=pattern.team,
                    user=pattern.user,
                    role=pattern.role,
                    day=day,
                    start=pattern.start,
                    end=pattern.end,
                    zone=pattern.zone,
                    status=ShiftStatus.SCHEDULED,
                    created_by=pattern.created_by,
                    created_at=now,
                    pattern_id=pattern.id,
                )
            )
            if shift is not None:
                made.append(await self._arm(uow, shift, now))
                taken.append(shift)
        return made, skipped

    async def extend_patterns(self) -> int:
        """Top every pattern up to the horizon (run at start and every few hours); how many shifts were made."""
        now = self._clock.now()
        made = 0
        while True:
            async with self._uow() as uow:
                behind = await uow.shifts.patterns_behind((now + PATTERN_HORIZON).date(), PATTERN_SWEEP)
                for pattern in behind:
                    zone = ZoneInfo(pattern.zone)
                    through = (now + PATTERN_HORIZON).astimezone(zone).date()
                    if through <= pattern.through:
                        continue
                    if not await uow.shifts.advance_pattern(
                        pattern.team, pattern.id, from_day=pattern.through, to_day=through
                    ):
                        continue  # another process is extending it
                    shifts, _ = await self._expand(uow, pattern, pattern.through + timedelta(days=1), through, now)
                    made += len(shifts)
            if len(behind) < PATTERN_SWEEP:
                break
        if made:
            self._poke(now)
        return made

    async def stop_pattern(self, actor: Actor, pattern_id: int) -> tuple[ShiftPattern, int]:
        """The pattern ends; its shifts still to come are cancelled. Returns how many."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        now = self._clock.now()
        async with self._uow() as uow:
            pattern = await uow.shifts.pattern(actor.team, pattern_id)
            if pattern is None:
                raise NotFound(Msg.of("shift.error.pattern_not_found", id=pattern_id), example=_example("stop"))
            await uow.shifts.stop_pattern(actor.team, pattern_id, at=now)
            future = await uow.shifts.pattern_shifts_from(actor.team, pattern_id, now)
            for shift in future:
                await uow.shifts.cancel_shift(actor.team, shift.id, by=actor.user, at=now)
                await self._disarm(uow, shift, now)
            await uow.audit.add(self._audit(actor, "shift.pattern_stop", f"pattern #{pattern_id}", n=str(len(future))))
        return pattern, len(future)

    # ---- reading ---------------------------------------------------------------------------------------------

    async def shifts_of(self, actor: Actor, user: UserId) -> list[Shift]:
        """A person's shifts from now (one under way included) for two weeks."""
        now = self._clock.now()
        async with self._uow() as uow:
            return await uow.shifts.shifts_of(actor.team, user, now, now + UPCOMING)

    async def for_feed(self, team: TeamId, user: UserId) -> list[Shift]:
        """A person's shifts for their calendar feed: two months back, a year ahead."""
        now = self._clock.now()
        async with self._uow() as uow:
            return await uow.shifts.shifts_of(team, user, now - timedelta(days=60), now + timedelta(days=365))

    async def on_shift(self, actor: Actor, role: str | None) -> list[Shift]:
        """Who is working right now (of one role, if given); someone who went on leave mid-shift is left out."""
        now = self._clock.now()
        wanted = clean_role(role) if role else None
        async with self._uow() as uow:
            shifts = await uow.shifts.shifts_between(actor.team, now, now + timedelta(microseconds=1))
            candidates = [
                shift
                for shift in shifts
                if shift.user is not None and shift.covers(now) and (wanted is None or shift.role == wanted)
            ]
            away = await uow.people.away_among(actor.team, [s.user for s in candidates if s.user is not None], now)
        return [shift for shift in candidates if shift.user not in away]

    async def today(self, actor: Actor) -> Today:
        now = self._clock.now()
        working = await self.on_shift(actor, None)
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            today = now.astimezone(zone).date()
            mine = await uow.shifts.shifts_of(actor.team, actor.user, now, now + UPCOMING)
            off = await uow.people.time_off_since(actor.team, today)
        away = sorted({entry.user for entry in off if entry.starts <= now < entry.ends})
        return Today(mine[0] if mine else None, tuple(working), tuple(away))

    async def rota(self, actor: Actor, weeks_ahead: int) -> Rota:
        """The week (Monday to Sunday, on the workspace's clock) this many weeks from this one."""
        now = self._clock.now()
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            first, last = week_of(now.astimezone(zone).date() + timedelta(weeks=weeks_ahead))
            since = datetime.combine(first, time(0), tzinfo=zone)
            until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
            shifts = await uow.shifts.shifts_between(actor.team, since, until)
            absences = [
                Absence(entry.user, max(entry.first, first), min(entry.last, last), entry.reason)
                for entry in await uow.people.time_off_since(actor.team, first)
                if entry.first <= last
            ]
            absences += [
                Absence(None, holiday.day, holiday.day, holiday.name)
                for holiday in await uow.people.holidays(actor.team, since=first)
                if holiday.day <= last
            ]
        starting = [shift for shift in shifts if first <= shift.starts.astimezone(zone).date() <= last]
        return Rota(first, last, zone, tuple(starting), tuple(absences))

    # ---- open shifts -----------------------------------------------------------------------------------------

    async def open_shift(self, actor: Actor, times: ShiftTimes) -> Shift:
        """A shift nobody works yet, for an eligible person to claim."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        role = self._check_times(times, "open")
        now = self._clock.now()
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            if times.day < now.astimezone(zone).date():
                raise InvalidRequest(Msg.of("shift.error.past", day=times.day.isoformat()), example=_example("open"))
            return await self._insert(uow, actor, None, replace(times, role=role), zone, now)

    async def record_post(self, team: TeamId, shift_id: int, *, channel: ChannelId, ts: str) -> None:
        async with self._uow() as uow:
            await uow.shifts.set_post(team, shift_id, channel=channel, ts=ts)

    async def claim(self, actor: Actor, shift_id: int) -> Claim:
        """Take an open shift. Eligible: the same role (someone who has worked it lately or will), not working
        then, not away. Of two claims at once exactly one wins; the other learns who has it."""
        now = self._clock.now()
        async with self._uow() as uow:
            shift = await self._shift(uow, actor.team, shift_id)
            if not shift.is_open:
                return Claim(shift, won=False)
            if shift.ends <= now:
                raise InvalidRequest(Msg.of("shift.error.claim_over", id=shift_id))
            if shift.role and not await uow.shifts.has_role(actor.team, actor.user, shift.role, now - ROLE_MEMORY):
                raise NotAllowed(Msg.of("shift.error.not_your_role", role=shift.role, id=shift_id))
            problem = await self._conflicts(uow, actor.team, actor.user, shift.starts, shift.ends)
            if problem is not None:
                raise InvalidRequest(problem)
            won = await uow.shifts.claim(actor.team, shift_id, actor.user)
            if not won:
                taken = await uow.shifts.shift(actor.team, shift_id)
                return Claim(taken or shift, won=False)
            claimed = replace(shift, user=actor.user, status=ShiftStatus.SCHEDULED)
            claimed = await self._arm(uow, claimed, now)
            await uow.audit.add(self._audit(actor, "shift.claim", f"shift #{shift_id}"))
        self._poke(claimed.starts)
        return Claim(claimed, won=True)

    # ---- swaps -----------------------------------------------------------------------------------------------

    async def ask_swap(self, actor: Actor, shift_id: int, to_user: UserId) -> SwapAsked:
        """Ask `to_user` to take a shift: the holder asks (or a manager on their behalf)."""
        now = self._clock.now()
        async with self._uow() as uow:
            shift = await self._shift(uow, actor.team, shift_id)
            if shift.user is None:
                raise InvalidRequest(Msg.of("shift.error.swap_open", id=shift_id), example=_example("claim"))
            if shift.user != actor.user:
                actor.require(Role.MANAGER, action=Msg.of("action.swap_others"))
            if to_user == shift.user:
                raise InvalidRequest(Msg.of("shift.error.swap_self", id=shift_id), example=_example("swap"))
            if shift.starts <= now:
                raise InvalidRequest(Msg.of("shift.error.swap_started", id=shift_id), example=_example("swap"))
            if await uow.shifts.pending_swap(actor.team, shift_id) is not None:
                raise InvalidRequest(Msg.of("shift.error.swap_pending", id=shift_id))
            problem = await self._conflicts(uow, actor.team, to_user, shift.starts, shift.ends)
            if problem is not None:
                raise InvalidRequest(problem, example=_example("swap"))
            swap = await uow.shifts.add_swap(
                actor.team, shift_id, from_user=shift.user, to_user=to_user, asked_by=actor.user, at=now
            )
            await uow.audit.add(self._audit(actor, "shift.swap_ask", f"shift #{shift_id}", to=to_user))
        return SwapAsked(swap, shift)

    async def decide_swap(self, actor: Actor, swap_id: int, *, accept: bool) -> SwapDecision:
        now = self._clock.now()
        async with self._uow() as uow:
            swap = await uow.shifts.swap(actor.team, swap_id)
            if swap is None:
                raise NotFound(Msg.of("shift.error.swap_not_found", id=swap_id))
            if swap.to_user != actor.user:
                raise NotAllowed(Msg.of("shift.error.swap_not_yours", user=swap.to_user))
            if swap.status is not SwapStatus.PENDING:
                raise InvalidRequest(Msg.of(f"shift.error.swap_{swap.status.value}", id=swap.shift_id))
            shift = await self._shift(uow, actor.team, swap.shift_id)
            outcome = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
            if accept:
                problem = await self._conflicts(uow, actor.team, actor.user, shift.starts, shift.ends, ignore=shift.id)
                if problem is not None:
                    raise InvalidRequest(problem)
                if not await uow.shifts.reassign(actor.team, shift.id, from_user=swap.from_user, to_user=swap.to_user):
                    await uow.shifts.decide_swap(actor.team, swap_id, SwapStatus.VOID, at=now)
                    raise InvalidRequest(Msg.of("shift.error.swap_void", id=shift.id))
                shift = replace(shift, user=swap.to_user)
            if not await uow.shifts.decide_swap(actor.team, swap_id, outcome, at=now):
                raise InvalidRequest(Msg.of("shift.error.swap_accepted", id=shift.id))
            await uow.audit.add(
                self._audit(actor, f"shift.swap_{outcome.value}", f"shift #{shift.id}", from_user=swap.from_user)
            )
        managers: tuple[UserId, ...] = ()
        if accept:
            involved = {swap.from_user, swap.to_user}
            if shift.created_by not in involved:
                managers = (shift.created_by,)
            else:
                managers = tuple(user for user in await self._managers_of(actor.team) if user not in involved)
        return SwapDecision(replace(swap, status=outcome), shift, accept, managers)

    # ---- import ----------------------------------------------------------------------------------------------

    async def remember_file(self, team: TeamId, user: UserId, *, file_id: str, name: str, url: str, size: int) -> None:
        async with self._uow() as uow:
            await uow.shifts.add_file(team, user, file_id=file_id, name=name, url=url, size=size, at=self._clock.now())

    async def file_to_import(self, actor: Actor) -> SharedFile:
        """The newest file this person shared with the bot (and not imported) in the last day."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        async with self._uow() as uow:
            found = await uow.shifts.latest_file(actor.team, actor.user, self._clock.now() - SHARED_FILE_TTL)
        if found is None:
            raise InvalidRequest(Msg.of("shift.error.no_file"), example=_example("import"))
        return found

    async def import_rows(
        self,
        actor: Actor,
        shared: SharedFile | None,
        file_name: str,
        rows: Sequence[tuple[int, str, ShiftTimes]],
        refused: Sequence[tuple[int, Msg]],
        people: Sequence[DirectoryEntry],
    ) -> ImportReport:
        """Each good row becomes a shift; each bad one (unreadable, unknown person, a clash, in the past) is
        reported with its line. The good rows are kept whatever the bad ones say, all in one transaction."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        if len(rows) > MAX_IMPORT_ROWS:
            raise InvalidRequest(Msg.of("shift.error.import_too_big", most=MAX_IMPORT_ROWS))
        now = self._clock.now()
        added: list[ImportedRow] = []
        problems = list(refused)
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            today = now.astimezone(zone).date()
            for line, person, times in rows:
                user = match_person(person, people)
                if user is None:
                    problems.append((line, Msg.of("shift.import.unknown_person", person=person)))
                    continue
                if times.day < today:
                    problems.append((line, Msg.of("shift.error.past", day=times.day.isoformat())))
                    continue
                try:
                    role = self._check_times(times, "import")
                    shift = await self._insert(uow, actor, user, replace(times, role=role), zone, now)
                except InvalidRequest as refusal:
                    problems.append((line, refusal.message))
                    continue
                added.append(ImportedRow(line, shift))
            if shared is not None:
                await uow.shifts.mark_imported(actor.team, shared.id, at=now)
            await uow.audit.add(
                self._audit(actor, "shift.import", file_name, added=str(len(added)), refused=str(len(problems)))
            )
        if added:
            self._poke(min(row.shift.starts for row in added))
        return ImportReport(file_name, tuple(added), tuple(sorted(problems, key=lambda item: item[0])))

    # ---- duties ----------------------------------------------------------------------------------------------

    async def add_duty(
        self, actor: Actor, role: str, kind: DutyKind, text: str, days: tuple[int, ...] = ALL_DAYS
    ) -> Duty:
        """A checklist (by name) or a task (its title) for the first person to start a shift of `role` ("" for
        any) on each of `days`."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        role = clean_role(role)
        title = " ".join(text.split())
        if not title:
            raise InvalidRequest(Msg.of("shift.error.duty_empty"), example=_example("duty"))
        if len(title) > MAX_DUTY_TITLE or len(role) > MAX_ROLE:
            raise InvalidRequest(Msg.of("shift.error.duty_too_long", most=MAX_DUTY_TITLE), example=_example("duty"))
        checklist_id: int | None = None
        async with self._uow() as uow:
            if kind is DutyKind.CHECKLIST:
                checklist = await uow.checklists.named(actor.team, title)
                if checklist is None:
                    raise NotFound(Msg.of("shift.error.duty_no_checklist", name=title), example=_example("duty"))
                checklist_id, title = checklist.id, checklist.name
            duty = await uow.shifts.add_duty(
                DutyDraft(actor.team, role, kind, checklist_id, title, days, actor.user, self._clock.now())
            )
            await uow.audit.add(self._audit(actor, "shift.duty_add", f"duty #{duty.id}", role=role, title=title))
        return duty

    async def duties(self, actor: Actor) -> list[Duty]:
        async with self._uow() as uow:
            return await uow.shifts.duties(actor.team)

    async def remove_duty(self, actor: Actor, duty_id: int) -> Duty:
        actor.require(Role.MANAGER, action=Msg.of("action.change_rota"))
        async with self._uow() as uow:
            duty = await uow.shifts.remove_duty(actor.team, duty_id, at=self._clock.now())
            if duty is None:
                raise NotFound(Msg.of("shift.error.duty_not_found", id=duty_id), example=_example("duty"))
            await uow.audit.add(self._audit(actor, "shift.duty_remove", f"duty #{duty_id}"))
        return duty

    async def shift_for_start(self, delivery: Delivery) -> Shift | None:
        """The shift a start delivery is for, if someone still works it and it has not ended."""
        shift_id = int(delivery.payload.get("shift", "0"))
        async with self._uow() as uow:
            shift = await uow.shifts.shift(delivery.team, shift_id)
        if shift is None or shift.user is None or shift.status is not ShiftStatus.SCHEDULED:
            return None
        if shift.ends <= self._clock.now():
            return None
        async with self._uow() as uow:
            if await uow.people.away(delivery.team, shift.user, self._clock.now()) is not None:
                return None  # on leave since the rota was made: their duties are not handed to them
        return shift

    async def start(self, delivery: Delivery, shift: Shift, channel: ChannelId) -> ShiftStart:
        """Hand out the day's duties that fall to this shift: each duty once a day, to the first shift of its
        role to start. A retried delivery finds the tasks and runs it made before."""
        assert shift.user is not None
        now = self._clock.now()
        tasks: list[Task] = []
        postings: list[Posting] = []
        async with self._uow() as uow:
            duties = [duty for duty in await uow.shifts.duties(shift.team) if duty.applies(shift)]
            handouts = [
                (duty, await uow.shifts.hand_out(shift.team, duty.id, shift.day, shift, at=now)) for duty in duties
            ]
            mine = [(duty, handout) for duty, handout in handouts if handout.shift_id == shift.id]
        for duty, handout in mine:
            if duty.kind is DutyKind.TASK:
                task = await self._duty_task(shift, duty, handout.id, handout.task_id)
                if task is not None:
                    tasks.append(task)
            else:
                posting = await self._duty_run(delivery, shift, duty, handout.id, channel)
                if posting is not None:
                    postings.append(posting)
        reader = await self._actor_of(shift.team, shift.user)
        return ShiftStart(shift, reader.language, reader.timezone, tuple(tasks), tuple(postings))

    async def _duty_task(self, shift: Shift, duty: Duty, handout_id: int, task_id: int | None) -> Task | None:
        assert shift.user is not None
        if task_id is not None:
            async with self._uow() as uow:
                return await uow.tasks.get_by_id(shift.team, task_id)
        creator = await self._actor_of(shift.team, duty.created_by)
        due = max(shift.ends, self._clock.now() + timedelta(minutes=1))
        task = await self._tasks.create(creator, TaskDraft(title=duty.title, assignee=shift.user, due=due))
        async with self._uow() as uow:
            await uow.shifts.record_handout(shift.team, handout_id, task_id=task.id, run_id=None)
        return task

    async def _duty_run(
        self, delivery: Delivery, shift: Shift, duty: Duty, handout_id: int, channel: ChannelId
    ) -> Posting | None:
        standing = replace(
            delivery,
            occurrence_key=f"duty:{duty.id}:{shift.day.isoformat()}",
            recipient=UserId(channel),
            created_by=duty.created_by,
            payload={"checklist": str(duty.checklist_id), "name": duty.title},
        )
        posting = await self._start_run(standing, self._clock.now())
        if posting is not None:
            async with self._uow() as uow:
                await uow.shifts.record_handout(shift.team, handout_id, task_id=None, run_id=posting.run.id)
        return posting
