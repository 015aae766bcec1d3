"""The checklist service: managing checklists (managers), and the runs people tick off in the channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.access import AccessService
from bot.domain.checklists import (
    HISTORY_RUNS,
    MAX_ITEMS,
    MAX_LABEL,
    MAX_NAME,
    MAX_NOTE,
    MAX_SCHEDULES,
    MAX_UNIT,
    Added,
    Change,
    Checklist,
    ChecklistOverview,
    ChecklistSchedule,
    DeadlineReport,
    Entry,
    Export,
    ExportRow,
    Flag,
    Item,
    ItemKind,
    ItemSpec,
    MessageLink,
    NeedsItem,
    NewEntry,
    NewRun,
    Posting,
    Run,
    TaskOpener,
    clean_text,
    format_number,
    name_key,
    quantize,
)
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.people import Profile
from bot.domain.ports import UnitOfWork, UnitOfWorkFactory
from bot.domain.recurrence import Recurrence
from bot.domain.reminders import Delivery, Kind, ScheduleSpec, is_late
from bot.domain.roles import Actor, Role
from bot.domain.team import RoleListing

log = logging.getLogger("ops.checklists")

# Told of every number entered on a run (the checklist item's id and the value): stock-takes record counts.
NumberListener = Callable[[Actor, int, Decimal], Awaitable[object]]


def _managers_of(listing: RoleListing) -> tuple[UserId, ...]:
    return tuple(sorted(set(listing.holders(Role.MANAGER)) | set(listing.holders(Role.ADMIN))))


class ChecklistService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        poke: Callable[[datetime], None],
        access: AccessService,
        tasks: TaskOpener,
        slack_admins: Callable[[TeamId], Awaitable[list[Profile]]],
    ) -> None:
        """`slack_admins` lists the workspace's admins and owners straight from Slack; it is not
        `AccessService.refresh_admins`, whose users.list profiles carry no locale and would overwrite the cached
        ones (the managers' DMs would then come in the workspace language instead of their own)."""
        self._uow = uow
        self._clock = clock
        self._poke = poke
        self._access = access
        self._tasks = tasks
        self._slack_admins = slack_admins
        self._number_listeners: list[NumberListener] = []

    def on_number(self, listener: NumberListener) -> None:
        self._number_listeners.append(listener)

    # ---- managing checklists (managers) ---------------------------------------------------------------------

    async def create(self, actor: Actor, name: str) -> Checklist:
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        name = clean_text(name).strip("\"'“”")
        if not name:
            raise InvalidRequest(Msg.of("checklist.error.no_name"), example=Msg.of("checklist.example.create"))
        if len(name) > MAX_NAME:
            raise InvalidRequest(
                Msg.of("checklist.error.name_too_long", most=MAX_NAME), example=Msg.of("checklist.example.create")
            )
        async with self._uow() as uow:
            if await uow.checklists.named(actor.team, name) is not None:
                raise InvalidRequest(Msg.of("checklist.error.exists", name=name))
            return await uow.checklists.add(actor.team, name, created_by=actor.user, at=self._clock.now())

    async def add_item(self, actor: Actor, text: str, spec: ItemSpec) -> Added | NeedsItem:
        """`text` is the checklist's name followed by the item's label; the longest name that fits wins, so
        names of several words need no quotes. `spec.label` is ignored: the label is what follows the name."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        async with self._uow() as uow:
            checklist, rest = await self._split(uow, actor.team, text)
            label = clean_text(rest)
            if not label:
                if spec.kind is not ItemKind.CHECK:
                    raise InvalidRequest(Msg.of("checklist.error.no_label"), example=Msg.of("checklist.example.add"))
                return NeedsItem(checklist)
            return await self._add(uow, actor, checklist, replace(spec, label=label))

    async def add_item_to(self, actor: Actor, checklist_id: int, spec: ItemSpec) -> Added:
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        async with self._uow() as uow:
            checklist = await uow.checklists.get(actor.team, checklist_id)
            if checklist is None:
                raise NotFound(Msg.of("checklist.error.gone"))
            return await self._add(uow, actor, checklist, replace(spec, label=clean_text(spec.label)))

    async def _add(self, uow: UnitOfWork, actor: Actor, checklist: Checklist, spec: ItemSpec) -> Added:
        example = Msg.of("checklist.example.add")
        if not spec.label:
            raise InvalidRequest(Msg.of("checklist.error.no_label"), example=example)
        if len(spec.label) > MAX_LABEL:
            raise InvalidRequest(Msg.of("checklist.error.label_too_long", most=MAX_LABEL), example=example)
        if len(checklist.items) >= MAX_ITEMS:
            raise InvalidRequest(Msg.of("checklist.error.too_many_items", name=checklist.name, most=MAX_ITEMS))
        if spec.unit is not None and (not spec.unit.strip() or len(spec.unit) > MAX_UNIT):
            raise InvalidRequest(Msg.of("checklist.error.bad_unit", most=MAX_UNIT), example=example)
        if spec.kind is not ItemKind.NUMBER and (spec.minimum, spec.maximum, spec.unit) != (None, None, None):
            raise InvalidRequest(Msg.of("checklist.error.range_needs_number"), example=example)
        if (spec.minimum is None) != (spec.maximum is None):
            raise InvalidRequest(Msg.of("checklist.error.half_range"), example=example)
        if spec.minimum is not None and spec.maximum is not None:
            spec = replace(spec, minimum=quantize(spec.minimum), maximum=quantize(spec.maximum))
            if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
                raise InvalidRequest(
                    Msg.of(
                        "checklist.error.range_backwards",
                        low=format_number(spec.minimum),
                        high=format_number(spec.maximum),
                    ),
                    example=example,
                )
        item = await uow.checklists.add_item(actor.team, checklist.id, spec, at=self._clock.now())
        return Added(replace(checklist, items=(*checklist.items, item)), item)

    async def remove_item(self, actor: Actor, name: str, position: int) -> tuple[Checklist, Item]:
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        async with self._uow() as uow:
            checklist = await self._named(uow, actor.team, name)
            item = next((i for i in checklist.items if i.position == position), None)
            if item is None:
                raise NotFound(Msg.of("checklist.error.no_item", name=checklist.name, number=position))
            await uow.checklists.remove_item(actor.team, item.id, at=self._clock.now())
        return checklist, item

    async def schedule(
        self,
        actor: Actor,
        name: str,
        *,
        recurrence: Recurrence,
        first: datetime,
        channel: ChannelId,
        deadline: time | None,
    ) -> tuple[Checklist, ChecklistSchedule]:
        """Post the checklist to `channel` on `recurrence` (wall-clock time in its zone); `deadline` is the local
        time, on the same day and after the start, at which items still open are reported."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        start = recurrence.local_start.time()
        if deadline is not None and deadline <= start:
            raise InvalidRequest(
                Msg.of("checklist.error.deadline_before_start", due=deadline.strftime("%H:%M"), start=f"{start:%H:%M}"),
                example=Msg.of("checklist.example.schedule"),
            )
        async with self._uow() as uow:
            checklist = await self._named(uow, actor.team, name)
            if not checklist.items:
                raise InvalidRequest(
                    Msg.of("checklist.error.empty", name=checklist.name), example=Msg.of("checklist.example.add")
                )
            if len(await uow.checklists.schedules_of(actor.team, checklist.id)) >= MAX_SCHEDULES:
                raise InvalidRequest(Msg.of("checklist.error.too_many_schedules", most=MAX_SCHEDULES))
            payload = {"checklist": str(checklist.id), "name": checklist.name}
            if deadline is not None:
                payload["deadline"] = deadline.strftime("%H:%M")
            spec = ScheduleSpec(
                team=actor.team,
                kind=Kind.CHECKLIST,
                target=f"checklist:{checklist.id}",
                recipient=UserId(channel),  # a channel post: the schedule's recipient is the channel
                created_by=actor.user,
                first_fire=first,
                zone=recurrence.zone,
                rrule=recurrence.rule,
                local_start=recurrence.local_start,
                payload=payload,
            )
            schedule = await uow.schedules.add(spec, at=self._clock.now())
        self._poke(first)
        return checklist, ChecklistSchedule.of(schedule)

    async def unschedule(self, actor: Actor, name: str) -> tuple[Checklist, int]:
        actor.require(Role.MANAGER, action=Msg.of("action.change_checklists"))
        async with self._uow() as uow:
            checklist = await self._named(uow, actor.team, name)
            schedules = await uow.checklists.schedules_of(actor.team, checklist.id)
            for schedule in schedules:
                await uow.schedules.cancel(actor.team, schedule.id, at=self._clock.now())
        return checklist, len(schedules)

    # ---- reading (anyone) --------------------------------------------------------------------------------------

    async def overview(self, actor: Actor) -> list[ChecklistOverview]:
        async with self._uow() as uow:
            checklists = await uow.checklists.all(actor.team)
            return [await self._overview(uow, actor.team, checklist) for checklist in checklists]

    async def show(self, actor: Actor, name: str) -> ChecklistOverview:
        async with self._uow() as uow:
            return await self._overview(uow, actor.team, await self._named(uow, actor.team, name))

    async def history(self, actor: Actor, name: str, limit: int = HISTORY_RUNS) -> tuple[Checklist, list[Run]]:
        async with self._uow() as uow:
            checklist = await self._named(uow, actor.team, name)
            runs = await uow.checklists.runs(actor.team, checklist.id, since=None, until=None, limit=limit)
        return checklist, [run for run in runs if run.ts is not None]

    async def export(self, actor: Actor, name: str, month: tuple[int, int] | None = None) -> Export:
        """Every entry of the month's runs, oldest first, and a row for each item a run left undone."""
        local_now = self._clock.now().astimezone(actor.timezone)
        year, number = month or (local_now.year, local_now.month)
        first_day = date(year, number, 1)
        next_month = date(year + number // 12, number % 12 + 1, 1)
        # A day either side: runs are dated in their own zone, which may not be the actor's.
        since = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=actor.timezone)
        until = datetime.combine(next_month + timedelta(days=1), time(0), tzinfo=actor.timezone)
        async with self._uow() as uow:
            checklist = await self._named(uow, actor.team, name)
            runs = await uow.checklists.runs(actor.team, checklist.id, since=since, until=until, limit=100_000)
        runs = sorted(
            (run for run in runs if run.ts is not None and first_day <= run.local_day() < next_month),
            key=lambda run: run.due,
        )
        names: dict[UserId, str] = {}
        rows: list[ExportRow] = []
        for run in runs:
            zone = ZoneInfo(run.zone)
            for entry in run.entries:
                item = run.item(entry.item_id)
                if item is None:
                    continue
                if entry.by not in names:
                    names[entry.by] = await self._name(actor.team, entry.by)
                rows.append(
                    ExportRow(
                        day=run.local_day(),
                        at=entry.at.astimezone(zone).time().replace(microsecond=0),
                        item=item.label,
                        kind=item.kind,
                        checked=entry.checked,
                        number=entry.number,
                        note=entry.note,
                        unit=item.unit,
                        in_range=entry.in_range,
                        by=names[entry.by],
                    )
                )
            for item in run.open_items:
                rows.append(
                    ExportRow(run.local_day(), None, item.label, item.kind, None, None, None, item.unit, None, None)
                )
        return Export(checklist, year, number, tuple(rows))

    async def _name(self, team: TeamId, user: UserId) -> str:
        try:
            return (await self._access.profile(team, user)).name
        except Exception:  # the directory is Slack; a person who left still belongs in the record, by id
            log.warning("no profile for %s; the export shows the id", user)
            return user

    # ---- runs: posting, ticking, values, deadline ---------------------------------------------------------------

    async def start_run(self, delivery: Delivery, now: datetime) -> Posting | None:
        """The run for a checklist delivery, made once per occurrence (a retried post finds the same run), with
        its deadline scheduled. None when there is nothing to post (the checklist is gone or empty, or the day is a
        public holiday)."""
        team = delivery.team
        deadline_at: datetime | None = None
        async with self._uow() as uow:
            settings = await self._access.settings(uow, team)
            existing = await uow.checklists.run_for(team, delivery.occurrence_key)
            if existing is not None:
                return Posting(existing, settings.language, settings.zone, is_late(delivery.due, now))
            checklist = await uow.checklists.get(team, int(delivery.payload.get("checklist", "0")))
            if checklist is None or not checklist.items:
                return None
            schedule = await uow.schedules.get(team, delivery.schedule_id)
            zone_name = schedule.zone if schedule is not None else settings.timezone
            local_day = delivery.due.astimezone(ZoneInfo(zone_name)).date()
            if await uow.people.holiday(team, local_day) is not None:
                return None  # a public holiday: the shop is closed, so no routine to run
            deadline_at = self._deadline(delivery, zone_name, now)
            run = await uow.checklists.add_run(
                NewRun(
                    team=team,
                    checklist_id=checklist.id,
                    schedule_id=delivery.schedule_id,
                    occurrence_key=delivery.occurrence_key,
                    channel=ChannelId(delivery.recipient),
                    due=delivery.due,
                    deadline=deadline_at,
                    zone=zone_name,
                    item_ids=tuple(item.id for item in checklist.items),
                    started_at=now,
                )
            )
            if deadline_at is not None:
                await uow.schedules.add(
                    ScheduleSpec(
                        team=team,
                        kind=Kind.CHECKLIST_DEADLINE,
                        target=f"checklist_run:{run.id}",
                        recipient=delivery.recipient,
                        created_by=delivery.created_by,
                        first_fire=deadline_at,
                        zone=zone_name,
                        payload={"run": str(run.id), "checklist": str(checklist.id)},
                    ),
                    at=now,
                )
        if deadline_at is not None:
            self._poke(deadline_at)
        return Posting(run, settings.language, settings.zone, is_late(delivery.due, now))

    @staticmethod
    def _deadline(delivery: Delivery, zone_name: str, now: datetime) -> datetime | None:
        """The run's deadline: that local time on the occurrence's day. A run posted late (the bot was down)
        keeps the whole window it should have had, so nobody is reported for time they never had."""
        text = delivery.payload.get("deadline")
        if not text:
            return None
        zone = ZoneInfo(zone_name)
        local_day = delivery.due.astimezone(zone).date()
        deadline = datetime.combine(local_day, time.fromisoformat(text), tzinfo=zone)
        if deadline <= delivery.due:
            return None
        if is_late(delivery.due, now):
            deadline += now - delivery.due
        return deadline

    async def record_message(self, team: TeamId, run_id: int, *, channel: ChannelId, ts: str) -> None:
        async with self._uow() as uow:
            await uow.checklists.set_message(team, run_id, channel=channel, ts=ts)

    async def posting(self, team: TeamId, run_id: int) -> Posting:
        async with self._uow() as uow:
            return await self._posting(uow, team, run_id)

    async def item_on_run(self, actor: Actor, run_id: int, item_id: int) -> tuple[Run, Item]:
        async with self._uow() as uow:
            posting = await self._posting(uow, actor.team, run_id)
        item = posting.run.item(item_id)
        if item is None:
            raise NotFound(Msg.of("checklist.error.item_gone"))
        return posting.run, item

    async def tick(self, actor: Actor, run_id: int, item_id: int) -> Change:
        """Anyone in the channel may tick an item; ticking a done item again unticks it (a mis-tap is undone)."""
        async with self._uow() as uow:
            posting = await self._posting(uow, actor.team, run_id)
            item = self._item(posting.run, item_id)
            if item.kind is not ItemKind.CHECK:
                raise InvalidRequest(Msg.of("checklist.error.needs_value", item=item.label))
            current = posting.run.current(item.id)
            checked = not (current is not None and current.checked)
            entry = await uow.checklists.add_entry(
                actor.team, NewEntry(run_id, item.id, actor.user, self._clock.now(), checked=checked)
            )
            posting = await self._posting(uow, actor.team, run_id)
        return Change(posting, entry)

    async def record_value(self, actor: Actor, run_id: int, item_id: int, value: Decimal | str) -> Change:
        """A reading or a note. A number outside the item's range is flagged, once per excursion: a second
        out-of-range reading right after the first is kept but raises no second alarm or task."""
        now = self._clock.now()
        async with self._uow() as uow:
            posting = await self._posting(uow, actor.team, run_id)
            run = posting.run
            item = self._item(run, item_id)
            previous = run.current(item.id)
            if item.kind is ItemKind.NUMBER:
                if not isinstance(value, Decimal):
                    raise InvalidRequest(Msg.of("checklist.error.bad_number", value=str(value)))
                number = quantize(value)
                in_range = item.in_range(number)
                flagged = in_range is False and not (previous is not None and previous.in_range is False)
                new = NewEntry(run_id, item.id, actor.user, now, number=number, in_range=in_range, flagged=flagged)
            elif item.kind is ItemKind.NOTE:
                note = str(value).strip()
                if not note:
                    raise InvalidRequest(Msg.of("checklist.error.empty_note"))
                if len(note) > MAX_NOTE:
                    raise InvalidRequest(Msg.of("checklist.error.note_too_long", most=MAX_NOTE))
                new = NewEntry(run_id, item.id, actor.user, now, note=note)
            else:
                raise InvalidRequest(Msg.of("checklist.error.no_value", item=item.label))
            entry = await uow.checklists.add_entry(actor.team, new)
        flag: Flag | None = None
        if entry.flagged:
            # Outside the transaction: the Tasks service opens its own unit of work.
            task_id = await self._open_task(run, item, entry)
            if task_id is not None:
                async with self._uow() as uow:
                    await uow.checklists.set_task(actor.team, entry.id, task_id)
                entry = replace(entry, task_id=task_id)
            flag = Flag(item, entry, task_id)
        if entry.number is not None:
            for listener in self._number_listeners:
                await listener(actor, item.id, entry.number)
        async with self._uow() as uow:
            posting = await self._posting(uow, actor.team, run_id)
        return Change(posting, entry, flag)

    async def _open_task(self, run: Run, item: Item, entry: Entry) -> int | None:
        assert entry.number is not None
        unit = f" {item.unit}" if item.unit else ""
        allowed = f"{format_number(item.minimum or Decimal(0))}\u2013{format_number(item.maximum or Decimal(0))}{unit}"
        title = f"{run.name} — {item.label}: {format_number(entry.number)}{unit} ({allowed})"
        try:
            return await self._tasks.open_for_checklist(
                run.team,
                title=title,
                assignee=run.created_by,
                created_by=entry.by,
                link=MessageLink(run.channel, run.ts or ""),
            )
        except Exception:  # the flag in the channel matters more than the task; it is posted either way
            log.exception("could not open a task for the out-of-range reading on run %s", run.id)
            return None

    async def deadline_report(self, delivery: Delivery) -> DeadlineReport | None:
        """What to report at a run's deadline; None when there is nothing to (all done, already reported, or the
        checklist never reached the channel)."""
        team = delivery.team
        async with self._uow() as uow:
            run = await uow.checklists.run(team, int(delivery.payload.get("run", "0")))
            if run is None or run.ts is None or run.deadline_reported or not run.open_items:
                return None
            posting = await self._posting(uow, team, run.id)
            grants = await uow.roles.all(team)
        admins = await self._slack_admins(team)
        listing = RoleListing(slack_admins=sorted(p.user for p in admins if not p.is_bot), grants=grants)
        return DeadlineReport(posting, tuple(posting.run.open_items), _managers_of(listing))

    async def mark_deadline_reported(self, team: TeamId, run_id: int) -> Posting | None:
        """Record that the deadline was reported; None if another attempt already did (reported once)."""
        async with self._uow() as uow:
            if not await uow.checklists.mark_deadline_reported(team, run_id, at=self._clock.now()):
                return None
            return await self._posting(uow, team, run_id)

    # ---- helpers -----------------------------------------------------------------------------------------------

    async def _posting(self, uow: UnitOfWork, team: TeamId, run_id: int) -> Posting:
        run = await uow.checklists.run(team, run_id)
        if run is None:
            raise NotFound(Msg.of("checklist.error.run_gone"))
        settings = await self._access.settings(uow, team)
        return Posting(run, settings.language, settings.zone)

    @staticmethod
    def _item(run: Run, item_id: int) -> Item:
        item = run.item(item_id)
        if item is None:
            raise NotFound(Msg.of("checklist.error.item_gone"))
        return item

    async def _overview(self, uow: UnitOfWork, team: TeamId, checklist: Checklist) -> ChecklistOverview:
        schedules = await uow.checklists.schedules_of(team, checklist.id)
        return ChecklistOverview(checklist, tuple(ChecklistSchedule.of(schedule) for schedule in schedules))

    @staticmethod
    async def _named(uow: UnitOfWork, team: TeamId, name: str) -> Checklist:
        cleaned = clean_text(name).strip("\"'“”")
        if not cleaned:
            raise InvalidRequest(Msg.of("checklist.error.no_name"), example=Msg.of("checklist.example.show"))
        checklist = await uow.checklists.named(team, cleaned)
        if checklist is None:
            known = ", ".join(c.name for c in await uow.checklists.all(team)) or "—"
            raise NotFound(Msg.of("checklist.error.not_found", name=cleaned, known=known))
        return checklist

    async def _split(self, uow: UnitOfWork, team: TeamId, text: str) -> tuple[Checklist, str]:
        """The checklist whose name starts `text` (the longest such name), and what follows it."""
        words = clean_text(text).split(" ")
        quoted = text.strip()[:1] in {'"', "“"}
        if quoted:
            closing = next((i for i, w in enumerate(words) if w.rstrip().endswith(('"', "”"))), None)
            if closing is not None:
                name = " ".join(words[: closing + 1]).strip('"“”')
                found = await uow.checklists.named(team, name)
                if found is None:
                    return await self._named(uow, team, name), ""
                return found, " ".join(words[closing + 1 :])
        checklists = await uow.checklists.all(team)
        by_key = {name_key(c.name): c for c in checklists}
        for cut in range(len(words), 0, -1):
            found = by_key.get(name_key(" ".join(words[:cut])))
            if found is not None:
                full = await uow.checklists.get(team, found.id)
                assert full is not None
                return full, " ".join(words[cut:])
        return await self._named(uow, team, words[0] if words else ""), ""
