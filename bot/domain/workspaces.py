"""A workspace's life with the app: installed, uninstalled (its data kept for a while), reinstalled, purged.

- **Uninstalled** (Slack's `app_uninstalled`, or `tokens_revoked` naming the bot token): recorded at once with the
  instant its data may be purged (`retention` later), and its tokens are forgotten at once. Nothing is deleted yet:
  the reminder engine simply neither materializes nor claims anything of that workspace while it is uninstalled.
- **Reinstalled** within the retention period: everything is found back as it was. What fell due meanwhile is
  handled by `CATCH_UP` (see `WorkspaceLifecycle.installed`): notices whose moment has passed are skipped, so a
  reinstall never brings a burst of messages hours late, and recurring schedules resume at their next occurrence.
- **Purged** once the retention period is over (the hourly housekeeping job), or at once by the operator
  (`ops-assistant purge --team T…`): every row of the workspace, in every table, in one transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType, TracebackType
from typing import Protocol, Self

from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.ids import TeamId, UserId
from bot.domain.ports import AuditRepository
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import LATE_AFTER, Kind, Schedule, ScheduleMove

log = logging.getLogger("ops.workspaces")

# The audit log's actor for what Slack itself reports (its uninstall events name no person).
SLACK = UserId("USLACKBOT")
# A Slack team ID as the operator types it: "T" then capital letters and digits (at most the column's 32).
TEAM_ID = re.compile(r"T[A-Z0-9]{2,31}")
SKIPPED_REASON = "fell due while the workspace had uninstalled the app"

# The tokens of a workspace that left: deleted from wherever they are kept (OAuth mode: the installation store;
# single-token mode: nothing to do, the token is the operator's).
ForgetTokens = Callable[[TeamId], Awaitable[None]]
Poke = Callable[[datetime], None]


async def no_tokens_to_forget(team: TeamId) -> None:
    """Single-token mode: the one token is the operator's setting, not ours to delete."""


def is_team_id(text: str) -> bool:
    return TEAM_ID.fullmatch(text) is not None


class CatchUp(StrEnum):
    """What a reinstall does with an occurrence that fell due while the workspace was uninstalled."""

    SKIP = "skip"  # a notice whose moment has passed: not sent at all
    SEND = "send"  # work that still has to happen: sent once, marked late, by the engine's usual misfire policy


# Only one-off occurrences are sent late; a recurring schedule always skips what it missed and resumes at its next
# occurrence (no recurring schedule is of a SEND kind today). A new Kind must be given a line here (a test checks).
CATCH_UP: Mapping[Kind, CatchUp] = MappingProxyType(
    {
        Kind.REMINDER: CatchUp.SKIP,
        # The task is still open and shown in /ops task list; its reminder also brings a repeating task's next
        # occurrence (TaskService.due_reached), which a skip would lose for good.
        Kind.TASK_DUE: CatchUp.SEND,
        Kind.TASK_OVERDUE: CatchUp.SKIP,  # the late due reminder already says so
        Kind.CHECKLIST: CatchUp.SKIP,
        Kind.CHECKLIST_DEADLINE: CatchUp.SKIP,
        Kind.SHIFT_START: CatchUp.SKIP,
        Kind.MEETING_REMINDER: CatchUp.SKIP,
        Kind.MEETING_NUDGE: CatchUp.SKIP,
        Kind.MEETING_MINUTES: CatchUp.SKIP,
        Kind.CASE_TARGET: CatchUp.SKIP,
        Kind.CASE_WAITING: CatchUp.SEND,  # closes a case left waiting on the customer
        Kind.CASE_FOLLOW_UP: CatchUp.SEND,  # a customer still to be called back
        Kind.DIGEST: CatchUp.SKIP,
        Kind.APPOINTMENT_REMINDER: CatchUp.SKIP,
        Kind.STOCK_ORDER: CatchUp.SEND,  # the supplier's email and the delivery task of an approved order
    }
)
SKIPPED_KINDS: tuple[Kind, ...] = tuple(kind for kind, rule in CATCH_UP.items() if rule is CatchUp.SKIP)


@dataclass(frozen=True, slots=True)
class Installation:
    team: TeamId
    # None: installed before this was recorded (single-token mode, or a version without this table).
    installed_at: datetime | None
    uninstalled_at: datetime | None = None
    purge_after: datetime | None = None

    @property
    def is_installed(self) -> bool:
        return self.uninstalled_at is None


@dataclass(frozen=True, slots=True)
class Purged:
    """What a purge removed: rows per table (tables that had none are left out)."""

    team: TeamId
    removed: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """What a reinstall did with what fell due while the workspace was uninstalled."""

    skipped_occurrences: int  # schedules moved past instants they will not be sent for
    skipped_deliveries: int  # deliveries already waiting, marked skipped
    sent_late: int  # one-off schedules of a SEND kind left to go out now, marked late


# ---- ports --------------------------------------------------------------------------------------------------


class InstallationRepository(Protocol):
    async def get(self, team: TeamId, *, lock: bool = False) -> Installation | None:
        """`lock`: hold the row until the transaction ends (an uninstall, a reinstall and a purge never interleave)."""
        ...

    async def put(self, installation: Installation) -> None: ...

    async def mark_uninstalled(self, team: TeamId, *, at: datetime, purge_after: datetime) -> bool:
        """Record the uninstall unless one is recorded already (atomically); True when this call recorded it."""
        ...

    async def due_for_purge(self, now: datetime) -> list[TeamId]: ...

    async def purge(self, team: TeamId) -> dict[str, int]:
        """Delete every row of `team` from every table; rows removed per table."""
        ...


class CatchUpSchedules(Protocol):
    async def overdue(self, team: TeamId, before: datetime) -> list[Schedule]:
        """The team's live schedules whose next fire time is before `before`."""
        ...

    async def advance_many(self, moves: list[ScheduleMove]) -> int: ...


class CatchUpDeliveries(Protocol):
    async def skip_missed(self, team: TeamId, *, before: datetime, kinds: Sequence[Kind], reason: str) -> int:
        """Mark skipped the team's pending deliveries of `kinds` whose attempt was due before `before`."""
        ...


class LifecycleUnitOfWork(Protocol):
    """The part of the unit of work this service uses (the storage unit of work has it)."""

    @property
    def installations(self) -> InstallationRepository: ...

    @property
    def schedules(self) -> CatchUpSchedules: ...

    @property
    def deliveries(self) -> CatchUpDeliveries: ...

    @property
    def audit(self) -> AuditRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


LifecycleUnitOfWorkFactory = Callable[[], LifecycleUnitOfWork]


# ---- the service --------------------------------------------------------------------------------------------


class WorkspaceLifecycle:
    def __init__(
        self,
        uow: LifecycleUnitOfWorkFactory,
        clock: Clock,
        *,
        forget_tokens: ForgetTokens,
        poke: Poke,
        retention: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._forget_tokens = forget_tokens
        self._poke = poke
        self._retention = retention

    async def status(self, team: TeamId) -> Installation | None:
        """None: nothing recorded, which means installed (single-token mode, or before this was kept)."""
        async with self._uow() as uow:
            return await uow.installations.get(team)

    async def installed(self, team: TeamId, *, by: UserId | None = None) -> Installation:
        """The app was installed (OAuth success): a first install is recorded, a reinstall finds everything back.

        What fell due while the workspace was uninstalled does not arrive in a burst, hours late. Everything
        more than LATE_AFTER (the engine's own threshold for "late") before now is decided by `CATCH_UP`:
        - a recurring schedule skips the occurrences it missed and resumes at its next one after now;
        - a one-off schedule of a SKIP kind is spent without being sent; one of a SEND kind is left to the
          engine, which sends it once, marked late (couriers fold one person's into a single message);
        - deliveries already waiting are marked skipped (SKIP kinds) or sent late (SEND kinds) alike.
        What is due within LATE_AFTER, or later, goes out on time as if nothing had happened.
        """
        now = self._clock.now()
        async with self._uow() as uow:
            current = await uow.installations.get(team, lock=True)
            if current is None:
                installation = Installation(team, installed_at=now)
                await uow.installations.put(installation)
                await uow.audit.add(AuditEntry(team, by or SLACK, "workspace.install", team, now))
                return installation
            if current.is_installed:
                return current
            installation = replace(current, installed_at=now, uninstalled_at=None, purge_after=None)
            await uow.installations.put(installation)
            caught_up = await self._catch_up(uow, team, now - LATE_AFTER)
            await uow.audit.add(
                AuditEntry(
                    team,
                    by or SLACK,
                    "workspace.reinstall",
                    team,
                    now,
                    {
                        "uninstalled_at": _iso(current.uninstalled_at),
                        "skipped_occurrences": str(caught_up.skipped_occurrences),
                        "skipped_deliveries": str(caught_up.skipped_deliveries),
                        "sent_late": str(caught_up.sent_late),
                    },
                )
            )
        log.info("workspace %s reinstalled: %s", team, caught_up)
        self._poke(now)  # the engine wakes for what is due now that the workspace is back
        return installation

    async def uninstalled(self, team: TeamId) -> Installation:
        """Slack says the app is gone from the workspace: stop at once, keep the data for `retention`, forget the
        tokens. Slack sends both `app_uninstalled` and `tokens_revoked`: the first one counts, the second changes
        nothing (the purge date does not move)."""
        now = self._clock.now()
        async with self._uow() as uow:
            recorded = await uow.installations.mark_uninstalled(team, at=now, purge_after=now + self._retention)
            installation = await uow.installations.get(team)
            assert installation is not None  # just written, in this transaction
            if recorded:
                details = {"purge_after": _iso(installation.purge_after)}
                await uow.audit.add(AuditEntry(team, SLACK, "workspace.uninstall", team, now, details))
        if recorded:
            log.info("workspace %s uninstalled; its data is kept until %s", team, installation.purge_after)
        await self._forget_tokens(team)
        return installation

    async def purge(self, team: TeamId) -> Purged:
        """Every row of the workspace, from every table, in one transaction; then its tokens. Asks nothing: the
        operator's command and the housekeeping job are the only callers."""
        async with self._uow() as uow:
            removed = await uow.installations.purge(team)
        await self._forget_tokens(team)
        purged = Purged(team, MappingProxyType(removed))
        log.info("workspace %s purged: %d rows", team, purged.total)
        return purged

    async def purge_expired(self) -> list[Purged]:
        """Housekeeping: purge the workspaces whose retention period is over. Each in its own transaction, which
        checks again under the row's lock, so a reinstall that came first wins and keeps its data."""
        now = self._clock.now()
        async with self._uow() as uow:
            teams = await uow.installations.due_for_purge(now)
        purged: list[Purged] = []
        for team in teams:
            try:
                async with self._uow() as uow:
                    current = await uow.installations.get(team, lock=True)
                    if current is None or current.purge_after is None or current.purge_after > now:
                        continue
                    removed = await uow.installations.purge(team)
                await self._forget_tokens(team)
            except Exception:  # one workspace's failure must not keep the others' data past their date
                log.exception("could not purge workspace %s; trying again at the next housekeeping run", team)
                continue
            purged.append(Purged(team, MappingProxyType(removed)))
            log.info("workspace %s purged after its retention period: %d rows", team, purged[-1].total)
        return purged

    @staticmethod
    async def _catch_up(uow: LifecycleUnitOfWork, team: TeamId, cutoff: datetime) -> CaughtUp:
        moves: list[ScheduleMove] = []
        skipped = 0
        sent_late = 0
        for schedule in await uow.schedules.overdue(team, cutoff):
            if schedule.rrule is None and CATCH_UP[schedule.kind] is CatchUp.SEND:
                sent_late += 1
                continue
            fired = schedule.next_fire
            assert fired is not None  # `overdue` returns schedules with a next fire time only
            moves.append(ScheduleMove(schedule.id, fired=fired, next_fire=_next_after(schedule, cutoff)))
            skipped += 1
        await uow.schedules.advance_many(moves)
        deliveries = await uow.deliveries.skip_missed(team, before=cutoff, kinds=SKIPPED_KINDS, reason=SKIPPED_REASON)
        return CaughtUp(skipped_occurrences=skipped, skipped_deliveries=deliveries, sent_late=sent_late)


def _next_after(schedule: Schedule, cutoff: datetime) -> datetime | None:
    """A recurring schedule's first occurrence after `cutoff`; None for a one-off (it is spent)."""
    if schedule.rrule is None or schedule.local_start is None:
        return None
    return Recurrence(schedule.rrule, schedule.zone, schedule.local_start).next_after(cutoff)


def _iso(instant: datetime | None) -> str:
    return instant.isoformat() if instant is not None else ""
