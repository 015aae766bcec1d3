"""The App Home tab: each person's dashboard.

Top to bottom: who you are and the buttons to create things; today (your next shift, who is on, who is away);
your meetings and appointments today and this week with your answer; your open tasks, each with Done; your
reminders; the cases assigned to you; for managers, the team's overdue tasks and cases past their target; a
short footer. A section is shown only when it has something in it, and each one lists at most `MAX_ITEMS`
(then "…and N more"), so the view stays far inside Slack's 100 blocks whatever the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock, SectionBlock
from slack_sdk.models.views import View

from bot.domain.appointments import Appointment, AppointmentStatus
from bot.domain.cases import Case
from bot.domain.digests import LowStockLine, Top
from bot.domain.meetings import Meeting, Rsvp
from bot.domain.reminding import PlainReminder
from bot.domain.roles import Actor
from bot.domain.shifting import Today
from bot.domain.tasks import Task
from bot.i18n import Words
from bot.rendering import appointments as appointment_text
from bot.rendering import meetings as meeting_text
from bot.rendering.kit import button, clip, context, header, section
from bot.rendering.shifts import shift_line, span_text
from bot.rendering.stock import quantity as stock_quantity
from bot.rendering.tasks import PRIORITY_MARKS
from bot.rendering.time import slack_date

TASK_DONE = "home_task_done"
NEW_TASK = "home_new_task"
NEW_MEETING = "home_new_meeting"
NEW_CASE = "home_new_case"
LOG_FEEDBACK = "home_log_feedback"
TASK_BLOCK_PREFIX = "home_task:"

MAX_NAMES = 30  # people named in one line of Today
MAX_ITEMS = 10  # per section: ~45 blocks at most in all, well inside a view's 100
MAX_DESCRIPTION = 80  # of a case, in its line
SECTION_TEXT = 2900  # a section holds 3000 characters; leaves room for the "…and N more" line

# Your answer to a meeting, as the dashboard shows it.
RSVP_KEYS: Mapping[Rsvp, str] = {
    Rsvp.GOING: "meeting.going",
    Rsvp.MAYBE: "meeting.maybe",
    Rsvp.DECLINED: "meeting.decline",
    Rsvp.NEEDS_ACTION: "home.rsvp.none",
}
RSVP_ICONS: Mapping[Rsvp, str] = {
    Rsvp.GOING: ":white_check_mark:",
    Rsvp.MAYBE: ":grey_question:",
    Rsvp.DECLINED: ":x:",
    Rsvp.NEEDS_ACTION: ":hourglass_flowing_sand:",
}


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What one person's Home shows, gathered by `bot.home_refresh`; `None` team lists: not a manager."""

    now: datetime
    today: Today | None = None
    meetings: Sequence[tuple[Meeting, datetime, datetime]] = ()
    appointments: Sequence[Appointment] = ()
    tasks: Sequence[Task] = ()
    reminders: Sequence[PlainReminder] = ()
    cases: Sequence[Case] = ()
    team_overdue: Sequence[Task] | None = None
    team_breached: Sequence[Case] | None = None
    team_low_stock: Top[LowStockLine] | None = None  # items below their minimum


# ---- Today -----------------------------------------------------------------------------------------------------


def _today(words: Words, today: Today) -> SectionBlock:
    mine = (
        words("home.next_shift", shift=shift_line(words, today.mine, with_person=False))
        if today.mine is not None
        else words("home.no_shift")
    )
    working = (
        words("home.on_now", people=", ".join(f"<@{s.user}> {span_text(s)}" for s in today.working[:MAX_NAMES]))
        if today.working
        else words("home.nobody_on")
    )
    away = (
        words("home.away_today", people=", ".join(f"<@{user}>" for user in today.away[:MAX_NAMES]))
        if today.away
        else words("home.nobody_away")
    )
    return section(f"*{words('home.today')}*\n" + "\n".join(f"• {line}" for line in (mine, working, away)))


# ---- meetings and appointments ---------------------------------------------------------------------------------


def _meeting_line(words: Words, actor: Actor, meeting: Meeting, starts: datetime, ends: datetime) -> str:
    if meeting.organizer == actor.user:
        answer = ":star: " + words("home.rsvp.organizer")
    else:
        mine = meeting.attendee(actor.user)
        rsvp = mine.rsvp if mine is not None else Rsvp.NEEDS_ACTION
        answer = f"{RSVP_ICONS[rsvp]} {words(RSVP_KEYS[rsvp])}"
    parts = [meeting_text.when_text(starts, ends), f"*{meeting.title}*"]
    if meeting.place:
        parts.append(meeting.place)
    parts.append(answer)
    return " · ".join(parts)


def _appointment_line(words: Words, actor: Actor, appointment: Appointment) -> str:
    who = appointment_text.party(words, appointment, actor.user)
    parts = [
        appointment_text.when_text(appointment.starts, appointment.ends, appointment.zone),
        words("home.appointment", who=who),
    ]
    if appointment.topic:
        parts.append(clip(appointment.topic, MAX_DESCRIPTION))
    if appointment.status is not AppointmentStatus.CONFIRMED:
        parts.append("_" + words(f"appointment.status.{appointment.status.value}") + "_")
    return " · ".join(parts)


def _week_end(day: date) -> date:
    """The Sunday that ends `day`'s week (Monday to Sunday)."""
    return day + timedelta(days=6 - day.weekday())


def _agenda(words: Words, actor: Actor, board: Dashboard) -> list[Block]:
    today = board.now.astimezone(actor.timezone).date()
    last = _week_end(today)
    entries: list[tuple[datetime, str]] = [
        (starts, _meeting_line(words, actor, meeting, starts, ends)) for meeting, starts, ends in board.meetings
    ]
    entries += [(a.starts, _appointment_line(words, actor, a)) for a in board.appointments]
    entries = sorted(
        (entry for entry in entries if entry[0].astimezone(actor.timezone).date() <= last), key=lambda e: e[0]
    )
    if not entries:
        return []
    shown, more = entries[:MAX_ITEMS], len(entries) - MAX_ITEMS
    now_lines = [line for starts, line in shown if starts.astimezone(actor.timezone).date() <= today]
    later_lines = [line for starts, line in shown if starts.astimezone(actor.timezone).date() > today]
    text = f"*{words('home.meetings.title')}*"
    if now_lines:
        text += f"\n_{words('home.meetings.today')}_\n" + "\n".join(f"• {line}" for line in now_lines)
    if later_lines:
        text += f"\n_{words('home.meetings.week')}_\n" + "\n".join(f"• {line}" for line in later_lines)
    return _listed(words, text, more)


# ---- tasks, reminders, cases -----------------------------------------------------------------------------------


def _task_line(words: Words, actor: Actor, task: Task, now: datetime, *, with_assignee: bool = False) -> str:
    """`*#12* Order napkins · due Fri 17:00 · 🔺`; in the reader's own list the assignee is the reader."""
    parts = [f"*#{task.number}* {clip(task.title, 200)}"]
    if with_assignee:
        parts.append(f"<@{task.assignee}>")
    if task.due is not None:
        key = "task.overdue_since" if task.is_overdue(now) else "task.due_on"
        parts.append(words(key, when=slack_date(task.due, actor.timezone)))
    if PRIORITY_MARKS[task.priority]:
        parts.append(PRIORITY_MARKS[task.priority])
    if task.rrule:
        parts.append("🔁")
    return " · ".join(parts)


def _tasks(words: Words, actor: Actor, board: Dashboard) -> list[Block]:
    if not board.tasks:
        return []
    blocks: list[Block] = [section(f"*{words('task.list.mine', n=len(board.tasks))}*")]
    for task in board.tasks[:MAX_ITEMS]:
        done = button(words, "task.button.done", TASK_DONE, str(task.number))
        blocks.append(
            section(_task_line(words, actor, task, board.now), done, block_id=f"{TASK_BLOCK_PREFIX}{task.number}")
        )
    if len(board.tasks) > MAX_ITEMS:
        blocks.append(context(words("home.more", n=len(board.tasks) - MAX_ITEMS)))
    return blocks


def _reminder_line(words: Words, actor: Actor, reminder: PlainReminder) -> str:
    assert reminder.next_at is not None
    parts = [f"*{clip(reminder.text, 200)}*", slack_date(reminder.next_at, actor.timezone)]
    if reminder.recipient != actor.user:
        parts.append(words("reminder.for", user=f"<@{reminder.recipient}>"))
    elif reminder.created_by != actor.user:
        parts.append(words("reminder.from", user=f"<@{reminder.created_by}>"))
    if reminder.rrule:
        parts.append("🔁")
    return " · ".join(parts)


def _reminders(words: Words, actor: Actor, board: Dashboard) -> list[Block]:
    pending = sorted((r for r in board.reminders if r.next_at is not None), key=lambda r: (r.next_at, r.id))
    if not pending:
        return []
    title = f"*{words('home.reminders.title', n=len(pending))}*"
    lines = [f"• {_reminder_line(words, actor, reminder)}" for reminder in pending[:MAX_ITEMS]]
    return _listed(words, title + "\n" + "\n".join(lines), len(pending) - MAX_ITEMS)


def _case_line(words: Words, actor: Actor, case: Case, now: datetime, *, with_assignee: bool) -> str:
    parts = [
        f"`{case.label}`",
        words(f"case.kind.{case.kind.value}"),
        words(f"case.status.{case.status.value}"),
        clip(" ".join(case.description.split()), MAX_DESCRIPTION),
    ]
    if with_assignee:
        parts.append(f"<@{case.assignee}>" if case.assignee else words("home.case.unassigned"))
    if case.overdue(now):
        parts.append(words("home.case.breached"))
    elif case.first_response_at is None:
        parts.append(words("home.case.respond_by", when=slack_date(case.respond_by, actor.timezone)))
    else:
        parts.append(words("home.case.resolve_by", when=slack_date(case.resolve_by, actor.timezone)))
    return " · ".join(parts)


def _cases(
    words: Words, actor: Actor, title: str, cases: Sequence[Case], now: datetime, *, with_assignee: bool
) -> list[Block]:
    if not cases:
        return []
    lines = [f"• {_case_line(words, actor, case, now, with_assignee=with_assignee)}" for case in cases[:MAX_ITEMS]]
    return _listed(words, f"*{title}*\n" + "\n".join(lines), len(cases) - MAX_ITEMS)


# ---- managers --------------------------------------------------------------------------------------------------


def _team(words: Words, actor: Actor, board: Dashboard) -> list[Block]:
    blocks: list[Block] = []
    if board.team_overdue:
        overdue = board.team_overdue
        title = f"*{words('home.team.overdue_tasks', n=len(overdue))}*"
        lines = [f"• {_task_line(words, actor, task, board.now, with_assignee=True)}" for task in overdue[:MAX_ITEMS]]
        blocks += _listed(words, title + "\n" + "\n".join(lines), len(overdue) - MAX_ITEMS)
    if board.team_breached:
        title = words("home.team.breached_cases", n=len(board.team_breached))
        blocks += _cases(words, actor, title, board.team_breached, board.now, with_assignee=True)
    if board.team_low_stock:
        low = board.team_low_stock
        lines = [
            words(
                "stock.digest_line",
                item=clip(line.name, 80).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                quantity=stock_quantity(words, line.quantity, line.unit),
                min=stock_quantity(words, line.minimum, line.unit),
            )
            for line in low.items
        ]
        blocks += _listed(words, f"*{words('stock.digest_title', n=low.total)}*\n" + "\n".join(lines), low.more)
    return blocks


# ---- the view --------------------------------------------------------------------------------------------------


def _listed(words: Words, text: str, more: int) -> list[Block]:
    blocks: list[Block] = [section(clip(text, SECTION_TEXT))]
    if more > 0:
        blocks.append(context(words("home.more", n=more)))
    return blocks


def _buttons(words: Words) -> ActionsBlock:
    return ActionsBlock(
        block_id="home_actions",
        elements=[
            button(words, "home.button.task", NEW_TASK, "task", primary=True),
            button(words, "home.button.meeting", NEW_MEETING, "meeting"),
            button(words, "home.button.case", NEW_CASE, "case"),
            button(words, "home.button.feedback", LOG_FEEDBACK, "feedback"),
        ],
    )


def home_view(words: Words, actor: Actor, board: Dashboard | None = None) -> dict[str, Any]:
    you = words("home.you", user=f"<@{actor.user}>", role=actor.role.label(), timezone=str(actor.timezone))
    blocks: list[Block] = [
        header(words("home.title")),
        section(you),
        _buttons(words),
        DividerBlock(),
    ]
    if board is not None:
        if board.today is not None:
            blocks.append(_today(words, board.today))
        mine = [
            *_agenda(words, actor, board),
            *_tasks(words, actor, board),
            *_reminders(words, actor, board),
            *_cases(
                words, actor, words("home.cases.title", n=len(board.cases)), board.cases, board.now, with_assignee=False
            ),
        ]
        blocks += mine or [section(words("home.nothing"))]
        team = _team(words, actor, board)
        if team:
            blocks += [DividerBlock(), *team]
    blocks += [DividerBlock(), context(words("help.see_help"))]
    return View(type="home", blocks=blocks).to_dict()
