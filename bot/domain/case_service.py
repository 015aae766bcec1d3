"""The customer cases service: cases opened from a command, the form, a Slack message, or an email; taken,
answered, resolved with what was offered, followed up, closed; response targets watched through the reminder
engine; customers forgotten on request.

Timing rules live here, the Slack side in `handlers/cases.py`. A target is counted in the workspace's business
hours when it has set default working hours (`/ops hours default …`), otherwise on the wall clock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.cases import (
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    WARN_BEFORE,
    ArrivedBy,
    Case,
    CaseDraft,
    CaseKind,
    CaseRules,
    CaseStatus,
    Customer,
    Note,
    NoteKind,
    Offer,
    Severity,
)
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.people_time import WorkingHours
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.reminders import Delivery, Kind, ScheduleSpec
from bot.domain.roles import Actor, Role

ACTIVE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)
MAX_FOLLOW_UP_DAYS = 90
MAX_OFFER = Decimal("100000")


def _example(key: str = "complaint") -> Msg:
    return Msg.of(f"case.example.{key}")


class Mailer(Protocol):
    """Sends a reply to the customer (SMTP); returns the Message-ID it used."""

    async def send(
        self, *, to: str, subject: str, text: str, in_reply_to: str | None, references: tuple[str, ...]
    ) -> str: ...


class OfferBook(Protocol):
    """Money offered on a resolved case (a refund or voucher with an amount) goes into the books, inside the
    resolution's own unit of work (the bookkeeping capability implements it)."""

    async def offer_made(self, uow: UnitOfWork, case: Case, by: UserId, at: datetime) -> object: ...


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """An email as the case service needs it (the mail layer parses; this side decides)."""

    sender_name: str
    sender_email: str
    subject: str
    text: str
    message_id: str
    thread: tuple[str, ...]  # In-Reply-To and References
    case_number: int | None  # "[C-17]" in the subject


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    notes: tuple[Note, ...]


@dataclass(frozen=True, slots=True)
class Alert:
    """What a target schedule found when it fired."""

    case: Case
    target: str  # "response" | "resolution"
    missed: bool  # False: the warning before
    managers: tuple[UserId, ...]


def business_deadline(start: datetime, duration: timedelta, hours: WorkingHours | None, zone: ZoneInfo) -> datetime:
    """`start` plus `duration`, counting only the business hours when the workspace has them."""
    if hours is None:
        return start + duration
    remaining = duration
    day = start.astimezone(zone).date()
    for _ in range(3660):
        span = hours.on(day, zone)
        if span is not None:
            begin, end = max(span[0], start), span[1]
            if begin < end:
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)
    return start + duration


class CaseService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        poke: Callable[[datetime], None],
        managers_of: Callable[[TeamId], Awaitable[list[UserId]]],
        mailer: Mailer | None = None,
        offers: OfferBook | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._managers_of = managers_of
        self._mailer = mailer
        self._offers = offers

    @property
    def can_email(self) -> bool:
        return self._mailer is not None

    def _audit(self, team: TeamId, actor: UserId, action: str, case: Case, **details: str) -> AuditEntry:
        return AuditEntry(team, actor, action, case.label, self._clock.now(), details)

    # ---- rules -------------------------------------------------------------------------------------------------

    async def rules(self, team: TeamId) -> CaseRules:
        async with self._uow() as uow:
            return await uow.cases.rules(team) or CaseRules.defaults()

    async def set_rules(self, actor: Actor, rules: CaseRules) -> CaseRules:
        actor.require(Role.MANAGER, action=Msg.of("action.change_case_rules"))
        async with self._uow() as uow:
            await uow.cases.put_rules(actor.team, rules)
        return rules

    # ---- opening -----------------------------------------------------------------------------------------------

    async def open(self, draft: CaseDraft) -> Case | None:
        """A new case with its targets armed; None when its Slack message already has one."""
        description = draft.description.strip()
        if not description:
            raise InvalidRequest(Msg.of("case.error.no_description"), example=_example(draft.kind.value))
        if len(description) > MAX_DESCRIPTION:
            raise InvalidRequest(Msg.of("case.error.too_long", most=MAX_DESCRIPTION), example=_example())
        if len(draft.category) > MAX_CATEGORY:
            raise InvalidRequest(Msg.of("case.error.category_too_long", most=MAX_CATEGORY), example=_example())
        now = self._clock.now()
        async with self._uow() as uow:
            if draft.source_channel and draft.source_ts:
                existing = await uow.cases.by_source(draft.team, draft.source_channel, draft.source_ts)
                if existing is not None:
                    return None
            rules = await uow.cases.rules(draft.team) or CaseRules.defaults()
            settings = await uow.workspaces.get(draft.team)
            zone = settings.zone if settings is not None else ZoneInfo("UTC")
            stored_hours = await uow.people.hours(draft.team, None)
            hours = stored_hours.hours if stored_hours is not None else None
            respond, resolve = rules.targets[draft.severity]
            number = await uow.cases.next_number(draft.team)
            case = await uow.cases.add(
                replace(draft, description=description),
                number=number,
                respond_by=business_deadline(now, respond, hours, zone),
                resolve_by=business_deadline(now, resolve, hours, zone),
                at=now,
            )
            if case is None:
                return None
            await uow.cases.add_note(
                draft.team, case.id, NoteKind.CREATED, author=draft.created_by, body=description, at=now
            )
            await self._arm_targets(uow, case, now)
            await uow.audit.add(self._audit(draft.team, draft.created_by, "case.open", case, kind=case.kind.value))
        self._poke(now)
        return case

    async def _arm_targets(self, uow: UnitOfWork, case: Case, now: datetime) -> None:
        for target, deadline in (("response", case.respond_by), ("resolution", case.resolve_by)):
            for phase, at in (("warn", deadline - WARN_BEFORE), ("miss", deadline)):
                if at <= now:
                    continue
                await uow.schedules.add(
                    ScheduleSpec(
                        team=case.team,
                        kind=Kind.CASE_TARGET,
                        target=f"case:{case.number}",
                        recipient=case.assignee or case.created_by,
                        created_by=case.created_by,
                        first_fire=at,
                        zone="UTC",
                        payload={"case": str(case.number), "target": target, "phase": phase},
                    ),
                    at=now,
                )

    async def record_post(self, team: TeamId, number: int, *, channel: ChannelId, ts: str) -> None:
        async with self._uow() as uow:
            await uow.cases.update(team, number, at=self._clock.now(), post_channel=channel, post_ts=ts)

    # ---- reading -----------------------------------------------------------------------------------------------

    async def _case(self, uow: UnitOfWork, team: TeamId, number: int) -> Case:
        case = await uow.cases.get(team, number)
        if case is None:
            raise NotFound(Msg.of("case.error.not_found", case=f"C-{number}"), example=_example("show"))
        return case

    async def view(self, actor: Actor, number: int) -> CaseView:
        async with self._uow() as uow:
            case = await self._case(uow, actor.team, number)
            return CaseView(case, tuple(await uow.cases.notes(actor.team, case.id)))

    async def notes(self, team: TeamId, number: int) -> list[Note]:
        async with self._uow() as uow:
            case = await uow.cases.get(team, number)
            return await uow.cases.notes(team, case.id) if case is not None else []

    async def cases_channel(self, team: TeamId) -> ChannelId | None:
        """Where cases are posted (`/ops config cases-channel #…`); None until it is set."""
        async with self._uow() as uow:
            settings = await uow.workspaces.get(team)
        return settings.cases_channel if settings is not None else None

    async def case(self, team: TeamId, number: int) -> Case | None:
        async with self._uow() as uow:
            return await uow.cases.get(team, number)

    async def listing(self, actor: Actor, scope: str) -> list[Case]:
        """`mine`, `open` (all active), `overdue`, or a category."""
        now = self._clock.now()
        async with self._uow() as uow:
            if scope == "mine":
                return await uow.cases.listed(actor.team, statuses=ACTIVE, assignee=actor.user)
            if scope == "overdue":
                return await uow.cases.listed(actor.team, statuses=ACTIVE, overdue_at=now)
            if scope in ("", "open"):
                return await uow.cases.listed(actor.team, statuses=ACTIVE)
            return await uow.cases.listed(actor.team, statuses=list(CaseStatus), category=scope)

    # ---- handling ----------------------------------------------------------------------------------------------

    async def _change(
        self,
        actor_user: UserId,
        team: TeamId,
        number: int,
        *,
        from_statuses: Sequence[CaseStatus],
        status: CaseStatus | None,
        note: NoteKind,
        body: str,
        first_response: bool,
        **values: object,
    ) -> Case:
        now = self._clock.now()
        async with self._uow() as uow:
            case = await self._case(uow, team, number)
            if case.status not in from_statuses:
                raise InvalidRequest(
                    Msg.of("case.error.status", label=case.label, status=Msg.of(f"case.status.{case.status.value}"))
                )
            changes: dict[str, object] = dict(values)
            if status is not None:
                changes["status"] = status.value
            if first_response and case.first_response_at is None:
                changes["first_response_at"] = now
            if not await uow.cases.transition(team, number, from_statuses=from_statuses, at=now, **changes):
                raise InvalidRequest(Msg.of("case.error.changed", label=case.label))
            await uow.cases.add_note(team, case.id, note, author=actor_user, body=body, at=now)
            changed = await self._case(uow, team, number)
            await uow.audit.add(
                self._audit(team, actor_user, f"case.{note.value}", changed, status=changed.status.value)
            )
            if status is CaseStatus.RESOLVED and self._offers is not None:
                await self._offers.offer_made(uow, changed, actor_user, now)
        return changed

    async def take(self, actor: Actor, number: int) -> Case:
        return await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=ACTIVE,
            status=CaseStatus.IN_PROGRESS,
            note=NoteKind.ASSIGNED,
            body=actor.user,
            first_response=True,
            assignee=actor.user,
        )

    async def add_note(self, actor: Actor, number: int, text: str) -> Case:
        text = " ".join(text.split())
        if not text:
            raise InvalidRequest(Msg.of("case.error.empty_note"), example=_example("note"))
        return await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=list(CaseStatus),
            status=None,
            note=NoteKind.NOTE,
            body=text,
            first_response=False,
        )

    async def set_status(self, actor: Actor, number: int, status: CaseStatus) -> Case:
        """waiting (on the customer), in progress (reopen), closed."""
        allowed = {
            CaseStatus.WAITING: (CaseStatus.OPEN, CaseStatus.IN_PROGRESS),
            CaseStatus.IN_PROGRESS: (CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
            CaseStatus.CLOSED: (CaseStatus.RESOLVED, CaseStatus.WAITING, CaseStatus.OPEN, CaseStatus.IN_PROGRESS),
        }[status]
        now = self._clock.now()
        extra: dict[str, object] = {}
        if status is CaseStatus.WAITING:
            extra["waiting_since"] = now
        if status is CaseStatus.CLOSED:
            extra["closed_at"] = now
        if status is CaseStatus.IN_PROGRESS:
            extra.update(closed_at=None, resolved_at=None, waiting_since=None)
        changed = await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=allowed,
            status=status,
            note=NoteKind.STATUS,
            body=status.value,
            first_response=status is not CaseStatus.CLOSED,
            **extra,
        )
        if status is CaseStatus.WAITING:
            await self._arm_waiting(changed, now)
        return changed

    async def _arm_waiting(self, case: Case, now: datetime) -> None:
        rules = await self.rules(case.team)
        async with self._uow() as uow:
            for phase, after in (("nudge", rules.waiting_nudge), ("close", rules.waiting_close)):
                await uow.schedules.add(
                    ScheduleSpec(
                        team=case.team,
                        kind=Kind.CASE_WAITING,
                        target=f"case:{case.number}",
                        recipient=case.assignee or case.created_by,
                        created_by=case.created_by,
                        first_fire=now + after,
                        zone="UTC",
                        payload={"case": str(case.number), "phase": phase, "since": now.isoformat()},
                    ),
                    at=now,
                )
        self._poke(now + rules.waiting_nudge)

    async def reply(self, actor: Actor, number: int, text: str) -> tuple[Case, bool]:
        """A reply to the customer: emailed when the case has an address and mail is set up (True), else kept
        as a note to pass on by hand (False). Either way the case now waits on the customer."""
        text = text.strip()
        if not text:
            raise InvalidRequest(Msg.of("case.error.empty_reply"))
        async with self._uow() as uow:
            case = await self._case(uow, actor.team, number)
        emailed = False
        message_id: str | None = None
        if self._mailer is not None and case.customer.email and not case.forgotten:
            thread = tuple(x for x in (case.email_message_id,) if x)
            message_id = await self._mailer.send(
                to=case.customer.email,
                subject=f"[{case.label}] "
                + (case.description.splitlines()[0][:60] if case.description else case.label),
                text=text,
                in_reply_to=case.email_message_id,
                references=thread,
            )
            emailed = True
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.cases.add_note(
                actor.team,
                case.id,
                NoteKind.EMAIL_OUT if emailed else NoteKind.NOTE,
                author=actor.user,
                body=text,
                at=now,
                email_message_id=message_id,
            )
        if case.status in (CaseStatus.OPEN, CaseStatus.IN_PROGRESS):
            changed = await self.set_status(actor, number, CaseStatus.WAITING)
        else:
            async with self._uow() as uow:
                if case.first_response_at is None:
                    await uow.cases.update(actor.team, number, at=now, first_response_at=now)
                changed = await self._case(uow, actor.team, number)
        return changed, emailed

    async def resolve(
        self,
        actor: Actor,
        number: int,
        note: str,
        offer: Offer,
        amount: Decimal | None,
        follow_up_days: int | None,
        satisfaction: Callable[[str], tuple[str, str]] | None = None,
    ) -> Case:
        """Resolved with a note and what was offered (with an amount for money); optionally a follow-up."""
        note = note.strip()
        if not note:
            raise InvalidRequest(Msg.of("case.error.resolution_needed"), example=_example("resolve"))
        if offer.is_money and (amount is None or amount <= 0 or amount > MAX_OFFER):
            raise InvalidRequest(Msg.of("case.error.amount_needed", offer=Msg.of(f"case.offer.{offer.value}")))
        if not offer.is_money:
            amount = None
        if follow_up_days is not None and not 1 <= follow_up_days <= MAX_FOLLOW_UP_DAYS:
            raise InvalidRequest(Msg.of("case.error.follow_up", most=MAX_FOLLOW_UP_DAYS))
        now = self._clock.now()
        follow_up_at = now + timedelta(days=follow_up_days) if follow_up_days else None
        changed = await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=ACTIVE,
            status=CaseStatus.RESOLVED,
            note=NoteKind.RESOLVED,
            body=note,
            first_response=True,
            resolved_at=now,
            resolution_note=note,
            offer=offer.value,
            offer_amount=amount.quantize(Decimal("0.01")) if amount is not None else None,
            follow_up_at=follow_up_at,
        )
        if satisfaction is not None:
            await self._ask_satisfaction(changed, *satisfaction(changed.label))
        if follow_up_at is not None:
            async with self._uow() as uow:
                await uow.schedules.add(
                    ScheduleSpec(
                        team=changed.team,
                        kind=Kind.CASE_FOLLOW_UP,
                        target=f"case:{changed.number}",
                        recipient=changed.assignee or actor.user,
                        created_by=actor.user,
                        first_fire=follow_up_at,
                        zone="UTC",
                        payload={"case": str(changed.number)},
                    ),
                    at=now,
                )
            self._poke(follow_up_at)
        return changed

    async def _ask_satisfaction(self, case: Case, subject: str, question: str) -> None:
        """The customer is asked, by email, how satisfied they are (1-5): the answer comes back as a reply."""
        if self._mailer is None or not case.customer.email or case.forgotten:
            return
        message_id = await self._mailer.send(
            to=case.customer.email,
            subject=f"[{case.label}] {subject}",
            text=question,
            in_reply_to=case.email_message_id,
            references=tuple(x for x in (case.email_message_id,) if x),
        )
        async with self._uow() as uow:
            await uow.cases.add_note(
                case.team,
                case.id,
                NoteKind.EMAIL_OUT,
                author="",
                body=question,
                at=self._clock.now(),
                email_message_id=message_id,
            )

    async def record_follow_up(self, actor: Actor, number: int, outcome: str) -> Case:
        outcome = outcome.strip()
        if not outcome:
            raise InvalidRequest(Msg.of("case.error.empty_note"), example=_example("note"))
        return await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=list(CaseStatus),
            status=None,
            note=NoteKind.FOLLOW_UP,
            body=outcome,
            first_response=False,
            follow_up_outcome=outcome,
        )

    async def escalate(self, actor: Actor, number: int) -> tuple[Case, list[UserId]]:
        """Severity up to high and the managers told."""
        changed = await self._change(
            actor.user,
            actor.team,
            number,
            from_statuses=ACTIVE,
            status=None,
            note=NoteKind.STATUS,
            body="escalated",
            first_response=False,
            severity=Severity.HIGH.value,
        )
        managers = [m for m in await self._managers_of(actor.team) if m != actor.user]
        return changed, managers

    # ---- timers ------------------------------------------------------------------------------------------------

    async def target_alert(self, delivery: Delivery) -> Alert | None:
        """A target's warning or miss, if it still matters: the response target until someone responds, the
        resolution target until resolved. The managers hear of a miss once."""
        team, number = delivery.team, int(delivery.payload.get("case", "0"))
        target, phase = delivery.payload.get("target", ""), delivery.payload.get("phase", "")
        async with self._uow() as uow:
            case = await uow.cases.get(team, number)
            if case is None or not case.status.is_active:
                return None
            if target == "response" and case.first_response_at is not None:
                return None
            if phase == "miss":
                column = "response_missed_alerted" if target == "response" else "resolution_missed_alerted"
                if not await uow.cases.flag_alert(team, number, column):
                    return None
        managers = tuple(await self._managers_of(team)) if phase == "miss" else ()
        return Alert(case, target, phase == "miss", managers)

    async def waiting_event(self, delivery: Delivery) -> tuple[Case, str] | None:
        """Still waiting on the customer since that time: nudge the assignee, or close the case with a note."""
        team, number = delivery.team, int(delivery.payload.get("case", "0"))
        since = delivery.payload.get("since", "")
        phase = delivery.payload.get("phase", "")
        now = self._clock.now()
        async with self._uow() as uow:
            case = await uow.cases.get(team, number)
            if case is None or case.status is not CaseStatus.WAITING or case.waiting_since is None:
                return None
            if case.waiting_since.isoformat() != since:
                return None  # answered and waiting again since: a newer timer is in charge
            if phase == "close":
                if not await uow.cases.transition(
                    team,
                    number,
                    from_statuses=[CaseStatus.WAITING],
                    at=now,
                    status=CaseStatus.CLOSED.value,
                    closed_at=now,
                ):
                    return None
                await uow.cases.add_note(team, case.id, NoteKind.STATUS, author="", body="auto_closed", at=now)
                case = replace(case, status=CaseStatus.CLOSED, closed_at=now)
        return case, phase

    async def follow_up_due(self, delivery: Delivery) -> Case | None:
        async with self._uow() as uow:
            case = await uow.cases.get(delivery.team, int(delivery.payload.get("case", "0")))
        if case is None or case.follow_up_outcome:
            return None
        return case

    # ---- email -------------------------------------------------------------------------------------------------

    async def from_email(self, team: TeamId, message: InboundMessage, *, bot_user: UserId) -> tuple[Case, bool] | None:
        """A new case, or an email added to the case it replies to ([C-17] in the subject, or its thread).
        None when this email was taken in already. A lone digit 1-5 answering a resolved case is its rating."""
        async with self._uow() as uow:
            if await uow.cases.email_seen(team, message.message_id):
                return None
            existing = await uow.cases.get(team, message.case_number) if message.case_number else None
            if existing is None:
                existing = await uow.cases.by_email_thread(team, message.thread)
        now = self._clock.now()
        if existing is not None:
            async with self._uow() as uow:
                await uow.cases.add_note(
                    team,
                    existing.id,
                    NoteKind.EMAIL_IN,
                    author="",
                    body=message.text.strip()[:MAX_DESCRIPTION],
                    at=now,
                    email_message_id=message.message_id,
                )
                score = message.text.strip()[:1]
                if existing.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and score in "12345" and score:
                    await uow.cases.update(team, existing.number, at=now, satisfaction=int(score))
                elif existing.status is CaseStatus.WAITING:
                    await uow.cases.transition(
                        team,
                        existing.number,
                        from_statuses=[CaseStatus.WAITING],
                        at=now,
                        status=CaseStatus.IN_PROGRESS.value,
                        waiting_since=None,
                    )
                changed = await self._case(uow, team, existing.number)
            return changed, False
        kind = CaseKind.QUESTION if message.text.strip().endswith("?") or "?" in message.subject else CaseKind.COMPLAINT
        body = (message.subject.strip() + "\n\n" + message.text.strip()).strip()
        case = await self.open(
            CaseDraft(
                team=team,
                kind=kind,
                description=body[:MAX_DESCRIPTION],
                customer=Customer(message.sender_name, "", message.sender_email),
                arrived_by=ArrivedBy.EMAIL,
                severity=Severity.NORMAL,
                category="",
                created_by=bot_user,
                email_message_id=message.message_id,
            )
        )
        return (case, True) if case is not None else None

    # ---- privacy -----------------------------------------------------------------------------------------------

    async def forget(self, actor: Actor, email: str) -> int:
        actor.require(Role.MANAGER, action=Msg.of("action.forget_customer"))
        email = email.strip().strip("<>").lower()
        if "@" not in email:
            raise InvalidRequest(Msg.of("case.error.forget_email", text=email), example=_example("forget"))
        now = self._clock.now()
        async with self._uow() as uow:
            touched = await uow.cases.forget(actor.team, email, at=now)
            for case in touched:
                await uow.cases.add_note(actor.team, case.id, NoteKind.FORGOTTEN, author=actor.user, body="", at=now)
            # The audit keeps that it happened and how many, never the address.
            await uow.audit.add(
                AuditEntry(actor.team, actor.user, "customer.forget", "customer", now, {"cases": str(len(touched))})
            )
        return len(touched)

    async def require_manager_view(self, actor: Actor) -> bool:
        """Whether this reader sees customer contact details outside the cases channel."""
        return actor.role.includes(Role.MANAGER)
