"""Block Kit for the rota: shifts, patterns, who is on now, the week's rota (message and PNG table), open shifts
with their Claim button, swap requests with Accept / Decline, imports, duties and the shift-start DM.

Shift times are the shop's wall clock (the workspace zone), which is how a rota is read; the zone is named under
every list so a reader elsewhere knows which clock it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.domain.ids import UserId
from bot.domain.roles import Actor
from bot.domain.shifting import PatternAdded, ShiftStart, SwapDecision
from bot.domain.shifts import Duty, DutyKind, ImportReport, Rota, Shift, ShiftPattern, SwapRequest
from bot.domain.tasks import Task
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.calendar import CalendarEvent
from bot.rendering.kit import button, context, header, section
from bot.rendering.people import day_name, days_text, local_day
from bot.rendering.rota_image import RotaTable, render_rota_png

MAX_LISTED = 40
CLAIM = "shift_claim"
SWAP_ACCEPT = "shift_swap_accept"
SWAP_DECLINE = "shift_swap_decline"


def span_text(shift: Shift) -> str:
    return f"{shift.start:%H:%M}\u2013{shift.end:%H:%M}"


def role_text(words: Words, role: str) -> str:
    return words("shift.role", role=role) if role else ""


def shift_line(words: Words, shift: Shift, *, with_person: bool = True, with_day: bool = True) -> str:
    who = f"<@{shift.user}>" if shift.user else words("shift.open_slot")
    parts = [f"`#{shift.id}`", *([local_day(words, shift.day)] if with_day else []), span_text(shift)]
    if with_person:
        parts.append(who)
    if shift.role:
        parts.append(role_text(words, shift.role))
    return " ".join(parts)


def _zone_note(words: Words, zone: str) -> str:
    return words("shift.zone_note", zone=zone)


# ---- adding, listing, cancelling -------------------------------------------------------------------------------


def shift_added(words: Words, shift: Shift) -> Reply:
    line = words("shift.added", shift=shift_line(words, shift))
    return Reply(text=line, blocks=[section(":calendar: " + line), context(_zone_note(words, shift.zone))])


def pattern_added(words: Words, added: PatternAdded) -> Reply:
    pattern = added.pattern
    line = words(
        "shift.pattern_added",
        user=f"<@{pattern.user}>",
        days=days_text(words, pattern.days),
        time=f"{pattern.start:%H:%M}\u2013{pattern.end:%H:%M}",
        role=role_text(words, pattern.role),
        id=pattern.id,
        n=len(added.shifts),
    )
    notes = [_zone_note(words, pattern.zone), words("shift.pattern_stop_hint", id=pattern.id)]
    if added.skipped_holidays:
        notes.insert(0, words("shift.pattern_holidays", days=", ".join(d.isoformat() for d in added.skipped_holidays)))
    return Reply(text=line, blocks=[section(":repeat: " + line), context(" · ".join(notes))])


def pattern_stopped(words: Words, pattern: ShiftPattern, cancelled: int) -> Reply:
    line = words("shift.pattern_stopped", id=pattern.id, user=f"<@{pattern.user}>", n=cancelled)
    return Reply(text=line, blocks=[section(":octagonal_sign: " + line)])


def shift_cancelled(words: Words, shift: Shift) -> Reply:
    line = words("shift.cancelled", shift=shift_line(words, shift))
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def shift_list(words: Words, actor: Actor, user: str, shifts: Sequence[Shift]) -> Reply:
    mine = user == actor.user
    if not shifts:
        line = words("shift.list_empty_mine") if mine else words("shift.list_empty", user=f"<@{user}>")
        return Reply(text=line, blocks=[section(line), context(words("shift.list_hint"))])
    title = words("shift.list_title_mine", n=len(shifts)) if mine else words("shift.list_title", n=len(shifts))
    lines = [shift_line(words, shift, with_person=False) for shift in shifts[:MAX_LISTED]]
    blocks: list[Block] = [section(f"*{title}*" + ("" if mine else f" \u2014 <@{user}>")), section("\n".join(lines))]
    notes = [_zone_note(words, shifts[0].zone), words("shift.swap_hint")]
    if len(shifts) > MAX_LISTED:
        notes.insert(0, words("shift.more", n=len(shifts) - MAX_LISTED))
    blocks.append(context(" · ".join(notes)))
    return Reply(text=title, blocks=blocks)


def on_shift(words: Words, role: str | None, shifts: Sequence[Shift]) -> Reply:
    if not shifts:
        line = words("shift.onshift_none_role", role=role) if role else words("shift.onshift_none")
        return Reply(text=line, blocks=[section(line)])
    title = (
        words("shift.onshift_title_role", role=role, n=len(shifts))
        if role
        else words("shift.onshift_title", n=len(shifts))
    )
    lines = [
        f"• <@{shift.user}> {span_text(shift)}" + (f" \u2014 {role_text(words, shift.role)}" if shift.role else "")
        for shift in shifts[:MAX_LISTED]
    ]
    return Reply(
        text=title,
        blocks=[section(f"*{title}*"), section("\n".join(lines)), context(_zone_note(words, shifts[0].zone))],
    )


# ---- the rota ----------------------------------------------------------------------------------------------------


def _week_title(words: Words, rota: Rota) -> str:
    return words("shift.rota_title", first=rota.first.isoformat(), last=rota.last.isoformat())


def rota_message(words: Words, rota: Rota) -> Reply:
    title = _week_title(words, rota)
    blocks: list[Block] = [header(title)]
    for day in rota.days:
        lines: list[str] = []
        holiday = rota.absence(None, day)
        if holiday is not None and holiday.user is None:
            lines.append(":tada: " + words("shift.rota_holiday", name=holiday.label))
        for shift in sorted((s for s in rota.shifts if rota.local_day(s) == day), key=lambda s: (s.starts, s.id)):
            lines.append(shift_line(words, shift, with_day=False))
        away = [a for a in rota.absences if a.user is not None and a.first <= day <= a.last]
        if away:
            lines.append(":palm_tree: " + words("shift.rota_away", users=", ".join(f"<@{a.user}>" for a in away)))
        body = "\n".join(lines) if lines else "_" + words("shift.rota_nobody") + "_"
        blocks.append(section(f"*{day_name(words, day.weekday())} {day.isoformat()}*\n{body}"))
    blocks.append(context(_zone_note(words, rota.zone.key) + " · " + words("shift.rota_image_hint")))
    return Reply(text=title, blocks=blocks)


def rota_image(words: Words, rota: Rota, names: Mapping[UserId, str], today: date) -> bytes:
    """The week as a table: a row per person, a column per day; a cell lists the shifts, or why they are off."""
    columns = (words("shift.rota_person"), *(f"{day_name(words, d.weekday())} {d.day}" for d in rota.days))
    people: list[UserId | None] = [*rota.people]
    if any(shift.user is None for shift in rota.shifts):
        people.append(None)
    rows: list[tuple[str, ...]] = []
    for person in people:
        cells: list[str] = []
        for day in rota.days:
            lines = [span_text(shift) + (f"\n{shift.role}" if shift.role else "") for shift in rota.on(person, day)]
            off = rota.absence(person, day)
            if off is not None:
                lines.append(off.label or words("shift.rota_off"))
            cells.append("\n".join(lines))
        name = names.get(person, person) if person is not None else words("shift.open_slot")
        rows.append((name, *cells))
    highlight = (today - rota.first).days + 1 if rota.first <= today <= rota.last else None
    table = RotaTable(
        title=_week_title(words, rota),
        columns=columns,
        rows=tuple(rows),
        highlight_column=highlight,
        footer=_zone_note(words, rota.zone.key),
    )
    return render_rota_png(table)


# ---- open shifts ---------------------------------------------------------------------------------------------


def open_shift_post(words: Words, shift: Shift) -> Reply:
    line = words("shift.open_posted", shift=shift_line(words, shift, with_person=False))
    blocks: list[Block] = [
        section(":raising_hand: " + line),
        ActionsBlock(
            block_id=f"shift_open:{shift.id}",
            elements=[button(words, "shift.claim", CLAIM, str(shift.id), primary=True)],
        ),
        context(words("shift.open_eligible", role=shift.role) if shift.role else words("shift.open_anyone")),
    ]
    return Reply(text=line, blocks=blocks, response_type="in_channel")


def open_shift_taken(words: Words, shift: Shift) -> Reply:
    line = words("shift.open_taken", shift=shift_line(words, shift, with_person=False), user=f"<@{shift.user}>")
    return Reply(text=line, blocks=[section(":white_check_mark: " + line)], response_type="in_channel")


def open_shift_opened(words: Words, shift: Shift) -> Reply:
    line = words("shift.open_confirm", id=shift.id)
    return Reply(text=line, blocks=[section(line)])


def claim_won(words: Words, shift: Shift) -> Reply:
    line = words("shift.claim_won", shift=shift_line(words, shift, with_person=False))
    return Reply(text=line, blocks=[section(":tada: " + line)])


def claim_lost(words: Words, shift: Shift) -> Reply:
    holder = f"<@{shift.user}>" if shift.user else words("shift.nobody")
    line = words("shift.claim_lost", id=shift.id, user=holder)
    return Reply(text=line, blocks=[section(line)])


def claim_told(words: Words, shift: Shift) -> Reply:
    """To the manager who posted the open shift."""
    line = words("shift.claim_told", user=f"<@{shift.user}>", shift=shift_line(words, shift, with_person=False))
    return Reply(text=line, blocks=[section(line)])


# ---- swaps ---------------------------------------------------------------------------------------------------


def swap_request(words: Words, swap: SwapRequest, shift: Shift) -> Reply:
    """The DM to the person asked, with Accept / Decline."""
    line = words("shift.swap_request", user=f"<@{swap.from_user}>", shift=shift_line(words, shift, with_person=False))
    blocks: list[Block] = [
        section(":arrows_counterclockwise: " + line),
        ActionsBlock(
            block_id=f"shift_swap:{swap.id}",
            elements=[
                button(words, "shift.swap_accept", SWAP_ACCEPT, str(swap.id), primary=True),
                button(words, "shift.swap_decline", SWAP_DECLINE, str(swap.id)),
            ],
        ),
        context(_zone_note(words, shift.zone)),
    ]
    return Reply(text=line, blocks=blocks)


def swap_asked(words: Words, swap: SwapRequest, shift: Shift) -> Reply:
    line = words("shift.swap_asked", user=f"<@{swap.to_user}>", id=shift.id)
    return Reply(text=line, blocks=[section(line)])


def swap_answered(words: Words, decision: SwapDecision) -> Reply:
    """What the DM with the buttons turns into once answered."""
    key = "shift.swap_you_accepted" if decision.accepted else "shift.swap_you_declined"
    line = words(key, shift=shift_line(words, decision.shift, with_person=False))
    return Reply(text=line, blocks=[section(line)])


def swap_result(words: Words, decision: SwapDecision) -> Reply:
    """To the person who asked."""
    key = "shift.swap_accepted" if decision.accepted else "shift.swap_declined"
    line = words(key, user=f"<@{decision.swap.to_user}>", shift=shift_line(words, decision.shift, with_person=False))
    return Reply(text=line, blocks=[section(line)])


def swap_manager(words: Words, decision: SwapDecision) -> Reply:
    line = words(
        "shift.swap_manager",
        from_user=f"<@{decision.swap.from_user}>",
        to_user=f"<@{decision.swap.to_user}>",
        shift=shift_line(words, decision.shift, with_person=False),
    )
    return Reply(text=line, blocks=[section(":arrows_counterclockwise: " + line)])


# ---- import --------------------------------------------------------------------------------------------------


def import_report(words: Words, report: ImportReport) -> Reply:
    line = words("shift.import_done", name=report.file_name, added=len(report.added), refused=len(report.refused))
    blocks: list[Block] = [section(":inbox_tray: " + line)]
    if report.refused:
        lines = [
            words("shift.import_line", line=number, why=words.msg(message))
            for number, message in report.refused[:MAX_LISTED]
        ]
        blocks.append(section("\n".join(lines)))
        if len(report.refused) > MAX_LISTED:
            blocks.append(context(words("shift.more", n=len(report.refused) - MAX_LISTED)))
    blocks.append(context(words("shift.import_hint")))
    return Reply(text=line, blocks=blocks)


def file_noted(words: Words, name: str) -> Reply:
    line = words("shift.file_noted", name=name)
    return Reply(text=line, blocks=[section(":page_facing_up: " + line)])


# ---- duties --------------------------------------------------------------------------------------------------


def _duty_line(words: Words, duty: Duty) -> str:
    who = words("shift.duty_role", role=duty.role) if duty.role else words("shift.duty_anyone")
    kind = words("shift.duty_checklist") if duty.kind is DutyKind.CHECKLIST else words("shift.duty_task")
    return f"`#{duty.id}` {kind} *{duty.title}* \u2014 {who}, {days_text(words, duty.days)}"


def duty_added(words: Words, duty: Duty) -> Reply:
    line = words("shift.duty_added", duty=_duty_line(words, duty))
    return Reply(text=line, blocks=[section(":clipboard: " + line)])


def duty_removed(words: Words, duty: Duty) -> Reply:
    line = words("shift.duty_removed", duty=_duty_line(words, duty))
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def duty_list(words: Words, duties: Sequence[Duty]) -> Reply:
    if not duties:
        line = words("shift.duty_none")
        return Reply(text=line, blocks=[section(line), context(words("shift.example.duty"))])
    title = words("shift.duty_title", n=len(duties))
    lines = [_duty_line(words, duty) for duty in duties[:MAX_LISTED]]
    return Reply(text=title, blocks=[section(f"*{title}*"), section("\n".join(lines))])


def shift_start(words: Words, start: ShiftStart) -> Reply:
    """The DM at the start of a shift: the tasks handed out (each checklist follows as its own message)."""
    shift = start.shift
    line = words(
        "shift.start_dm",
        time=span_text(shift),
        role=role_text(words, shift.role),
        n=len(start.tasks) + len(start.postings),
    )
    blocks: list[Block] = [section(":wave: " + line)]
    if start.tasks:
        blocks.append(section("\n".join(_task_line(words, task) for task in start.tasks)))
    if start.postings:
        names = ", ".join(f"*{posting.run.name}*" for posting in start.postings)
        blocks.append(context(words("shift.start_checklists", names=names)))
    return Reply(text=line, blocks=blocks)


def _task_line(words: Words, task: Task) -> str:
    return words("shift.start_task", number=task.number, title=task.title)


def calendar_event(words: Words, shift: Shift) -> CalendarEvent:
    """A shift in a personal calendar feed: busy time, no organizer or attendees."""
    summary = words("shift.feed_summary", role=role_text(words, shift.role)).strip()
    return CalendarEvent(
        uid=f"shift-{shift.id}-{shift.team}@ops-assistant",
        sequence=0,
        summary=summary,
        starts=shift.starts,
        ends=shift.ends,
        zone=shift.zone,
        organizer=None,
    )
