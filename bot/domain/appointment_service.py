"""The appointment service: a manager's bookable hours, the free slots in them, colleagues' bookings that the manager
accepts, declines or answers with another time, visitors added by the manager (or an assistant), cancellations,
the 15-minute reminder and the calendar feed's share.

Who may do what: publishing hours and adding visitors takes the manager role (an assistant with it may act for a
manager); anyone books a slot of a manager who has published hours; only the manager answers a booking, only the
colleague answers another time; the colleague, the manager or anyone with the manager role cancels.

An appointment clashes with the manager's other appointments that hold their time (pending, proposed or
confirmed), their meetings and their time off. Changes to one manager's calendar are serialised (a lock held
for the transaction), so of two bookings of one slot at once the second is refused as a clash.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.appointments import (
    DEFAULT_SLOT,
    FEED_AHEAD,
    FEED_PAST,
    HOLDING,
    MAX_AHEAD,
    MAX_PHONE,
    MAX_SLOT,
    MAX_TOPIC,
    MAX_VISITOR,
    MIN_SLOT,
    REMINDER_LEAD,
    SLOTS_AHEAD,
    Appointment,
    AppointmentDraft,
    AppointmentStatus,
    BookableHours,
    Span,
    clean,
    free,
    overlapping,
)
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.people_time import WorkingHours, describe, local_midnight
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.reminders import Delivery, Kind, ScheduleSpec
from bot.domain.roles import Actor, Role

ActorOf = Callable[[TeamId, UserId], Awaitable[Actor]]


def date_token(starts: datetime, ends: datetime | None = None) -> str:
    """When, as Slack date tokens (each reader sees their own zone), for messages the domain words itself."""
    start = f"<!date^{int(starts.timestamp())}^{{date_short_pretty}} {{time}}|{starts.isoformat()}>"
    if ends is None:
        return start
    return start + f"\u2013<!date^{int(ends.timestamp())}^{{time}}|{ends.isoformat()}>"


def status_name(status: AppointmentStatus) -> Msg:
    return Msg.of(f"appointment.status.{status.value}")


@dataclass(frozen=True, slots=True)
class FreeSlots:
    """A manager's free slots in a window (a day, or the next week), soonest first."""

    manager: UserId
    hours: BookableHours
    slots: tuple[Span, ...]
    day: date | None


class AppointmentService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, poke: Callable[[datetime], None], actor_of: ActorOf
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._actor_of = actor_of

    # ---- helpers ---------------------------------------------------------------------------------------------

    def _audit(self, actor: Actor, action: str, target: str, **details: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, target, self._clock.now(), details)

    async def _manager(self, actor: Actor, user: UserId) -> Actor:
        """The person an assistant acts for, who must hold the manager role themselves."""
        if user == actor.user:
            return actor
        target = await self._actor_of(actor.team, user)
        if not target.role.includes(Role.MANAGER):
            raise InvalidRequest(Msg.of("appointment.error.not_a_manager", user=user))
        return target

    @staticmethod
    async def _get(uow: UnitOfWork, team: TeamId, appointment_id: int) -> Appointment:
        found = await uow.appointments.get(team, appointment_id)
        if found is None:
            raise NotFound(
                Msg.of("appointment.error.not_found", id=appointment_id), example=Msg.of("appointment.example.list")
            )
        return found

    @staticmethod
    async def _fresh(uow: UnitOfWork, team: TeamId, appointment_id: int) -> Appointment:
        found = await uow.appointments.get(team, appointment_id)
        assert found is not None, "an appointment changed in this transaction is still there"
        return found

    @staticmethod
    async def _clash(
        uow: UnitOfWork, team: TeamId, manager: UserId, starts: datetime, ends: datetime, *, ignore: int | None = None
    ) -> Msg | None:
        """What is in the manager's calendar then: another appointment, a meeting, time off; None when free."""
        taken = overlapping(await uow.appointments.holding(team, manager, starts, ends), starts, ends, ignore=ignore)
        if taken is not None:
            return Msg.of(
                "appointment.error.clash_appointment",
                user=manager,
                id=taken.id,
                when=date_token(taken.starts, taken.ends),
            )
        for meeting in await uow.meetings.involving(team, [manager], starts, ends):
            for begin, end in meeting.occurrences(starts, ends):
                return Msg.of(
                    "appointment.error.clash_meeting",
                    user=manager,
                    title=meeting.title,
                    id=meeting.id,
                    when=date_token(begin, end),
                )
        if await uow.people.time_off_between(team, manager, starts, ends):
            return Msg.of("appointment.error.clash_away", user=manager)
        return None

    @staticmethod
    async def _busy(uow: UnitOfWork, team: TeamId, manager: UserId, since: datetime, until: datetime) -> list[Span]:
        spans: list[Span] = [(a.starts, a.ends) for a in await uow.appointments.holding(team, manager, since, until)]
        for meeting in await uow.meetings.involving(team, [manager], since, until):
            spans += meeting.occurrences(since, until)
        spans += [
            (entry.starts, entry.ends) for entry in await uow.people.time_off_between(team, manager, since, until)
        ]
        return spans

    async def _arm(self, uow: UnitOfWork, appointment: Appointment, now: datetime) -> datetime | None:
        """The reminder 15 minutes before a confirmed appointment; when it fires, or None when too late for one."""
        fires = appointment.starts - REMINDER_LEAD
        if appointment.status is not AppointmentStatus.CONFIRMED or fires <= now:
            return None
        schedule = await uow.schedules.add(
            ScheduleSpec(
                team=appointment.team,
                kind=Kind.APPOINTMENT_REMINDER,
                target=f"appointment:{appointment.id}",
                recipient=appointment.manager,
                created_by=appointment.created_by,
                first_fire=fires,
                zone=appointment.zone,
                payload={"appointment": str(appointment.id), "starts": appointment.starts.isoformat()},
            ),
            at=now,
        )
        await uow.appointments.set_reminder(appointment.team, appointment.id, schedule.id)
        return fires

    @staticmethod
    async def _disarm(uow: UnitOfWork, appointment: Appointment, now: datetime) -> None:
        if appointment.reminder_schedule_id is not None:
            await uow.schedules.cancel(appointment.team, appointment.reminder_schedule_id, at=now)
            await uow.appointments.set_reminder(appointment.team, appointment.id, None)

    def _check_future(self, starts: datetime, now: datetime, example: Msg) -> None:
        if starts <= now:
            raise InvalidRequest(Msg.of("appointment.error.past", when=date_token(starts)), example=example)
        if starts - now > MAX_AHEAD:
            raise InvalidRequest(Msg.of("appointment.error.too_far", days=MAX_AHEAD.days), example=example)

    @staticmethod
    def _check_topic(topic: str, example: Msg) -> str:
        topic = clean(topic)
        if len(topic) > MAX_TOPIC:
            raise InvalidRequest(Msg.of("appointment.error.topic_too_long", most=MAX_TOPIC), example=example)
        return topic

    # ---- bookable hours --------------------------------------------------------------------------------------

    async def hours_of(self, actor: Actor, manager: UserId) -> BookableHours | None:
        async with self._uow() as uow:
            return await uow.appointments.hours(actor.team, manager)

    async def publish_hours(self, actor: Actor, manager: UserId, hours: WorkingHours, slot: timedelta) -> BookableHours:
        """Hours on the manager's own clock, cut into slots from their start; they replace any published before."""
        actor.require(Role.MANAGER, action=Msg.of("action.publish_appointment_hours"))
        example = Msg.of("appointment.example.hours")
        target = await self._manager(actor, manager)
        minutes = slot.total_seconds() / 60
        if not MIN_SLOT <= slot <= MAX_SLOT or minutes != int(minutes):
            raise InvalidRequest(
                Msg.of("appointment.error.slot_length", least=MIN_SLOT.seconds // 60, most=MAX_SLOT.seconds // 60),
                example=example,
            )
        length = timedelta(hours=hours.end.hour - hours.start.hour, minutes=hours.end.minute - hours.start.minute)
        if slot > length:
            raise InvalidRequest(Msg.of("appointment.error.slot_too_long", minutes=int(minutes)), example=example)
        published = BookableHours(actor.team, manager, hours, slot, target.timezone.key, actor.user, self._clock.now())
        async with self._uow() as uow:
            await uow.appointments.lock_calendar(actor.team, manager)
            await uow.appointments.put_hours(published)
            await uow.audit.add(
                self._audit(
                    actor,
                    "appointment.hours",
                    manager,
                    hours=describe(hours),
                    slot=f"{int(minutes)}m",
                    zone=target.timezone.key,
                )
            )
        return published

    async def withdraw_hours(self, actor: Actor, manager: UserId) -> None:
        """No more bookings from now on; appointments already made stay."""
        actor.require(Role.MANAGER, action=Msg.of("action.publish_appointment_hours"))
        await self._manager(actor, manager)
        async with self._uow() as uow:
            if not await uow.appointments.remove_hours(actor.team, manager):
                raise NotFound(
                    Msg.of("appointment.error.no_hours", user=manager), example=Msg.of("appointment.example.hours")
                )
            await uow.audit.add(self._audit(actor, "appointment.hours_off", manager))

    # ---- free slots and bookings -----------------------------------------------------------------------------

    async def free_slots(self, actor: Actor, manager: UserId, day: date | None) -> FreeSlots:
        """The manager's free slots on a day (the reader's day), or in the next week, soonest first."""
        now = self._clock.now()
        if day is None:
            since, until = now, now + SLOTS_AHEAD
        else:
            since = max(now, local_midnight(day, actor.timezone))
            until = local_midnight(day + timedelta(days=1), actor.timezone)
        async with self._uow() as uow:
            hours = await uow.appointments.hours(actor.team, manager)
            if hours is None:
                raise NotFound(
                    Msg.of("appointment.error.no_hours", user=manager), example=Msg.of("appointment.example.slots")
                )
            if until <= since:
                return FreeSlots(manager, hours, (), day)
            candidates = [(begin, end) for begin, end in hours.slots_between(since, until) if begin > now]
            busy = await self._busy(uow, actor.team, manager, since, until + MAX_SLOT)
        return FreeSlots(manager, hours, tuple(free(candidates, busy)), day)

    async def book(self, actor: Actor, manager: UserId, starts: datetime, topic: str) -> Appointment:
        """A colleague asks for one of the manager's slots; it is held until the manager answers."""
        example = Msg.of("appointment.example.book")
        if manager == actor.user:
            raise InvalidRequest(Msg.of("appointment.error.book_self"), example=Msg.of("appointment.example.add"))
        topic = self._check_topic(topic, example)
        now = self._clock.now()
        self._check_future(starts, now, example)
        async with self._uow() as uow:
            hours = await uow.appointments.hours(actor.team, manager)
            if hours is None:
                raise NotFound(Msg.of("appointment.error.no_hours", user=manager), example=example)
            slot = hours.slot_at(starts)
            if slot is None:
                raise InvalidRequest(
                    Msg.of("appointment.error.not_a_slot", user=manager, when=date_token(starts)),
                    example=Msg.of("appointment.example.slots"),
                )
            await uow.appointments.lock_calendar(actor.team, manager)
            problem = await self._clash(uow, actor.team, manager, *slot)
            if problem is not None:
                raise InvalidRequest(problem, example=Msg.of("appointment.example.slots"))
            appointment = await uow.appointments.add(
                AppointmentDraft(
                    team=actor.team,
                    manager=manager,
                    booker=actor.user,
                    created_by=actor.user,
                    starts=slot[0],
                    ends=slot[1],
                    zone=hours.zone,
                    status=AppointmentStatus.PENDING,
                    created_at=now,
                    topic=topic,
                )
            )
            await uow.audit.add(
                self._audit(
                    actor, "appointment.book", f"appointment #{appointment.id}", manager=manager, at=slot[0].isoformat()
                )
            )
        return appointment

    async def add_visitor(
        self, actor: Actor, manager: UserId, starts: datetime, visitor: str, phone: str, topic: str
    ) -> Appointment:
        """An outside visitor in the manager's calendar, confirmed at once (any time, as long as it is free)."""
        actor.require(Role.MANAGER, action=Msg.of("action.add_visitor"))
        example = Msg.of("appointment.example.add")
        target = await self._manager(actor, manager)
        visitor, phone = clean(visitor), clean(phone)
        if not visitor:
            raise InvalidRequest(Msg.of("appointment.error.no_visitor"), example=example)
        if len(visitor) > MAX_VISITOR:
            raise InvalidRequest(Msg.of("appointment.error.visitor_too_long", most=MAX_VISITOR), example=example)
        if len(phone) > MAX_PHONE:
            raise InvalidRequest(Msg.of("appointment.error.phone_too_long", most=MAX_PHONE), example=example)
        topic = self._check_topic(topic, example)
        now = self._clock.now()
        self._check_future(starts, now, example)
        async with self._uow() as uow:
            hours = await uow.appointments.hours(actor.team, manager)
            length = hours.slot if hours is not None else DEFAULT_SLOT
            zone = hours.zone if hours is not None else target.timezone.key
            ends = starts + length
            await uow.appointments.lock_calendar(actor.team, manager)
            problem = await self._clash(uow, actor.team, manager, starts, ends)
            if problem is not None:
                raise InvalidRequest(problem, example=example)
            appointment = await uow.appointments.add(
                AppointmentDraft(
                    team=actor.team,
                    manager=manager,
                    booker=None,
                    created_by=actor.user,
                    starts=starts,
                    ends=ends,
                    zone=zone,
                    status=AppointmentStatus.CONFIRMED,
                    created_at=now,
                    topic=topic,
                    visitor_name=visitor,
                    visitor_phone=phone,
                )
            )
            fires = await self._arm(uow, appointment, now)
            appointment = await self._fresh(uow, actor.team, appointment.id)
            await uow.audit.add(
                self._audit(
                    actor, "appointment.add", f"appointment #{appointment.id}", manager=manager, at=starts.isoformat()
                )
            )
        if fires is not None:
            self._poke(fires)
        return appointment

    # ---- answers ---------------------------------------------------------------------------------------------

    async def pending_for_manager(self, actor: Actor, appointment_id: int) -> Appointment:
        """A booking waiting for this manager's answer (before the "another time" form opens)."""
        async with self._uow() as uow:
            appointment = await self._get(uow, actor.team, appointment_id)
        self._check_manager(actor, appointment)
        self._check_status(appointment, AppointmentStatus.PENDING)
        return appointment

    @staticmethod
    def _check_manager(actor: Actor, appointment: Appointment) -> None:
        if appointment.manager != actor.user:
            raise NotAllowed(Msg.of("appointment.error.not_manager", id=appointment.id, user=appointment.manager))

    @staticmethod
    def _check_status(appointment: Appointment, wanted: AppointmentStatus) -> None:
        if appointment.status is not wanted:
            raise InvalidRequest(
                Msg.of("appointment.error.answered", id=appointment.id, status=status_name(appointment.status))
            )

    async def _changed_meanwhile(self, uow: UnitOfWork, team: TeamId, appointment_id: int, key: str) -> InvalidRequest:
        """Someone else's change won (a conditional UPDATE found the appointment no longer as it was read)."""
        current = await self._fresh(uow, team, appointment_id)
        return InvalidRequest(Msg.of(key, id=appointment_id, status=status_name(current.status)))

    async def decide(self, actor: Actor, appointment_id: int, *, accept: bool) -> Appointment:
        """The manager accepts or declines a colleague's booking."""
        now = self._clock.now()
        outcome = AppointmentStatus.CONFIRMED if accept else AppointmentStatus.DECLINED
        fires: datetime | None = None
        async with self._uow() as uow:
            appointment = await self._get(uow, actor.team, appointment_id)
            self._check_manager(actor, appointment)
            self._check_status(appointment, AppointmentStatus.PENDING)
            if accept and appointment.starts <= now:
                raise InvalidRequest(Msg.of("appointment.error.started", id=appointment_id))
            if not await uow.appointments.transition(
                actor.team, appointment_id, from_statuses=(AppointmentStatus.PENDING,), to_status=outcome, at=now
            ):
                raise await self._changed_meanwhile(uow, actor.team, appointment_id, "appointment.error.answered")
            decided = await self._fresh(uow, actor.team, appointment_id)
            fires = await self._arm(uow, decided, now)
            await uow.audit.add(self._audit(actor, f"appointment.{outcome.value}", f"appointment #{appointment_id}"))
            decided = await self._fresh(uow, actor.team, appointment_id)
        if fires is not None:
            self._poke(fires)
        return decided

    async def propose(self, actor: Actor, appointment_id: int, starts: datetime) -> Appointment:
        """The manager offers another time for a booking (same length); the colleague accepts or declines it."""
        now = self._clock.now()
        example = Msg.of("appointment.example.propose")
        async with self._uow() as uow:
            appointment = await self._get(uow, actor.team, appointment_id)
            self._check_manager(actor, appointment)
            self._check_status(appointment, AppointmentStatus.PENDING)
            self._check_future(starts, now, example)
            if starts == appointment.starts:
                raise InvalidRequest(Msg.of("appointment.error.same_time"), example=example)
            ends = starts + appointment.duration
            await uow.appointments.lock_calendar(actor.team, appointment.manager)
            problem = await self._clash(uow, actor.team, appointment.manager, starts, ends, ignore=appointment.id)
            if problem is not None:
                raise InvalidRequest(problem, example=example)
            if not await uow.appointments.move(
                actor.team,
                appointment_id,
                from_status=AppointmentStatus.PENDING,
                to_status=AppointmentStatus.PROPOSED,
                starts=starts,
                ends=ends,
                at=now,
            ):
                raise await self._changed_meanwhile(uow, actor.team, appointment_id, "appointment.error.answered")
            await uow.audit.add(
                self._audit(actor, "appointment.propose", f"appointment #{appointment_id}", at=starts.isoformat())
            )
            return await self._fresh(uow, actor.team, appointment_id)

    async def answer_proposal(self, actor: Actor, appointment_id: int, *, accept: bool) -> Appointment:
        """The colleague takes the other time the manager offered, or turns it down."""
        now = self._clock.now()
        outcome = AppointmentStatus.CONFIRMED if accept else AppointmentStatus.DECLINED
        fires: datetime | None = None
        async with self._uow() as uow:
            appointment = await self._get(uow, actor.team, appointment_id)
            if appointment.booker != actor.user:
                raise NotAllowed(Msg.of("appointment.error.not_booker", id=appointment_id))
            self._check_status(appointment, AppointmentStatus.PROPOSED)
            if accept and appointment.starts <= now:
                raise InvalidRequest(Msg.of("appointment.error.started", id=appointment_id))
            if not await uow.appointments.transition(
                actor.team, appointment_id, from_statuses=(AppointmentStatus.PROPOSED,), to_status=outcome, at=now
            ):
                raise await self._changed_meanwhile(uow, actor.team, appointment_id, "appointment.error.answered")
            fires = await self._arm(uow, await self._fresh(uow, actor.team, appointment_id), now)
            action = "appointment.proposal_accepted" if accept else "appointment.proposal_declined"
            await uow.audit.add(self._audit(actor, action, f"appointment #{appointment_id}"))
            answered = await self._fresh(uow, actor.team, appointment_id)
        if fires is not None:
            self._poke(fires)
        return answered

    async def cancel(self, actor: Actor, appointment_id: int) -> Appointment:
        """The colleague, the manager, whoever added it, or anyone with the manager role calls it off."""
        now = self._clock.now()
        async with self._uow() as uow:
            appointment = await self._get(uow, actor.team, appointment_id)
            mine = actor.user in (appointment.manager, appointment.booker, appointment.created_by)
            if not mine and not actor.role.includes(Role.MANAGER):
                raise NotAllowed(Msg.of("appointment.error.not_yours", id=appointment_id))
            if not appointment.holds_slot:
                raise InvalidRequest(
                    Msg.of(
                        "appointment.error.not_cancellable", id=appointment_id, status=status_name(appointment.status)
                    )
                )
            if appointment.ends <= now:
                raise InvalidRequest(Msg.of("appointment.error.over", id=appointment_id))
            if not await uow.appointments.transition(
                actor.team,
                appointment_id,
                from_statuses=HOLDING,
                to_status=AppointmentStatus.CANCELLED,
                at=now,
                by=actor.user,
            ):
                raise await self._changed_meanwhile(
                    uow, actor.team, appointment_id, "appointment.error.not_cancellable"
                )
            await self._disarm(uow, appointment, now)
            await uow.audit.add(self._audit(actor, "appointment.cancel", f"appointment #{appointment_id}"))
            return await self._fresh(uow, actor.team, appointment_id)

    # ---- reading ---------------------------------------------------------------------------------------------

    async def upcoming(self, actor: Actor) -> list[Appointment]:
        """Yours, as the manager or the colleague, that have not ended and still stand (pending ones included)."""
        now = self._clock.now()
        async with self._uow() as uow:
            return await uow.appointments.involving(actor.team, actor.user, now, now + MAX_AHEAD, HOLDING)

    async def for_feed(self, team: TeamId, user: UserId) -> list[Appointment]:
        """Confirmed appointments of the person (as the manager or the colleague), for their calendar feed."""
        now = self._clock.now()
        async with self._uow() as uow:
            return await uow.appointments.involving(
                team, user, now - FEED_PAST, now + FEED_AHEAD, (AppointmentStatus.CONFIRMED,)
            )

    async def reminder_for(self, delivery: Delivery) -> Appointment | None:
        """The appointment a reminder is for, unless it was cancelled, moved since, or has started."""
        async with self._uow() as uow:
            appointment = await uow.appointments.get(delivery.team, int(delivery.payload.get("appointment", "0")))
        if appointment is None or appointment.status is not AppointmentStatus.CONFIRMED:
            return None
        try:
            planned = datetime.fromisoformat(delivery.payload.get("starts", ""))
        except ValueError:
            return None
        if planned != appointment.starts or self._clock.now() >= appointment.starts:
            return None
        return appointment
