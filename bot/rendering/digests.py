"""Digests as Block Kit messages (daily, weekly, personal) and the weekly chart as a PNG.

A section with nothing to say is left out; a day with nothing at all is one line. Lists come already cut to their
first few items (`bot.domain.digests.Top`) and end with "…and N more". Instants are Slack date tokens, so every
reader sees their own time; a day is the shop's, named as the rota names it. Text people typed (titles, labels,
topics) is escaped, so it can neither mention nor link. A section's lines are packed into as few text objects of
at most 3000 characters as they fit in, well inside Slack's 50 blocks.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from slack_sdk.models.blocks import Block

from bot.domain.checklists import format_number
from bot.domain.digests import (
    AppointmentLine,
    AwayLine,
    CaseLine,
    DailyDigest,
    MeetingLine,
    Numbers,
    OpenCases,
    OutOfRange,
    PersonalDigest,
    Section,
    ShiftLine,
    TaskLine,
    Top,
    UnfinishedRun,
    WeeklyDigest,
)
from bot.i18n import Words
from bot.rendering import image_text as text
from bot.rendering.blocks import Reply
from bot.rendering.feedback import change, number
from bot.rendering.image_text import RGB
from bot.rendering.kit import clip, context, header, section
from bot.rendering.people import day_name
from bot.rendering.stock import quantity as stock_quantity
from bot.rendering.time import slack_date

MAX_BLOCKS = 50  # Slack's limit for one message
SECTION_TEXT = 2900  # under Slack's 3000 a text object, with room for the mrkdwn Slack adds
TITLE_CHARS = 80  # a task, meeting or checklist title in a list line
INDENT = "\u2003"  # an em space: Slack keeps it where it collapses plain spaces


def escaped(typed: str, limit: int = TITLE_CHARS) -> str:
    """Text someone typed, shown as typed: `<`, `>` and `&` escaped as Slack asks, so `<!channel>` stays words."""
    return clip(" ".join(typed.split()), limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def day_text(words: Words, day: date) -> str:
    return f"{day_name(words, day.weekday())} {day.isoformat()}"


def clock(instant: datetime, zone: ZoneInfo) -> str:
    """A time of day as a Slack token (the reader's clock), with the shop's as the fallback."""
    return f"<!date^{int(instant.timestamp())}^{{time}}|{instant.astimezone(zone):%H:%M}>"


def span(starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    return f"{clock(starts, zone)}\u2013{clock(ends, zone)}"


def person(user: str | None, words: Words) -> str:
    return f"<@{user}>" if user else words("digest.line.nobody")


def _more(words: Words, listed: Top[Any]) -> list[str]:
    return [f"_{words('digest.line.more', n=listed.more)}_"] if listed.more > 0 else []


def _blocks(title: str, lines: Sequence[str]) -> list[Block]:
    """A bold title and its lines, packed into as few sections as fit (a line longer than a text object is cut)."""
    blocks: list[Block] = []
    chunk = f"*{title}*"
    for line in lines:
        line = clip(line, SECTION_TEXT)
        if len(chunk) + 1 + len(line) > SECTION_TEXT:
            blocks.append(section(chunk))
            chunk = line
        else:
            chunk += "\n" + line
    blocks.append(section(chunk))
    return blocks


def _late(words: Words, late: str | None) -> list[Block]:
    return [context(":hourglass: " + words("digest.line.late", due=late))] if late else []


def _finish(title: str, blocks: list[Block], fallback: str) -> Reply:
    if len(blocks) > MAX_BLOCKS:  # never at the sizes the domain cuts lists to; a guard, not a layout
        blocks = [*blocks[: MAX_BLOCKS - 1], context("\u2026")]
    return Reply(fallback or title, blocks, "in_channel")


# ---- lines -----------------------------------------------------------------------------------------------------


def _shift(words: Words, line: ShiftLine, zone: ZoneInfo) -> str:
    role = f" \u00b7 {escaped(line.role)}" if line.role else ""
    who = person(line.user, words) if line.user else f"_{words('digest.line.open_shift')}_"
    return f"\u2022 {span(line.starts, line.ends, zone)} {who}{role}"


def _away(words: Words, line: AwayLine) -> str:
    back = words("digest.line.away_until", last=line.last.isoformat())
    cover = " \u00b7 " + words("digest.line.cover", user=person(line.cover, words)) if line.cover else ""
    return f"\u2022 {person(line.user, words)} \u2014 {back}{cover}"


def _meeting(words: Words, line: MeetingLine, zone: ZoneInfo) -> str:
    place = f" \u00b7 {escaped(line.place)}" if line.place else ""
    repeats = " :repeat:" if line.recurring else ""
    organizer = words("digest.line.organizer", user=person(line.organizer, words))
    return f"\u2022 {span(line.starts, line.ends, zone)} *{escaped(line.title)}*{place} \u00b7 {organizer}{repeats}"


def _appointment(words: Words, line: AppointmentLine, zone: ZoneInfo) -> str:
    other = person(line.booker, words) if line.booker else escaped(line.visitor, 60)
    meets = words("digest.line.appointment", manager=person(line.manager, words), other=other)
    topic = f" \u2014 {escaped(line.topic)}" if line.topic else ""
    pending = f" _({words('digest.line.pending')})_" if not line.confirmed else ""
    return f"\u2022 {span(line.starts, line.ends, zone)} {meets}{topic}{pending}"


def _task(words: Words, line: TaskLine, zone: ZoneInfo, *, indent: bool) -> str:
    due = words("digest.line.overdue", when=slack_date(line.due, zone)) if line.overdue else clock(line.due, zone)
    mark = ":warning: " if line.overdue else ""
    lead = INDENT + "\u25e6" if indent else "\u2022"
    return f"{lead} {mark}`#{line.number}` {escaped(line.title)} \u2014 {due}"


def _run(words: Words, run: UnfinishedRun, zone: ZoneInfo) -> str:
    labels = ", ".join(escaped(label, 60) for label in run.open_items.items)
    more = f" {words('digest.line.more', n=run.open_items.more)}" if run.open_items.more > 0 else ""
    counted = words("digest.line.run_open", open=run.open_items.total, items=run.items)
    return f"\u2022 *{escaped(run.checklist)}* ({slack_date(run.due, zone)}) \u2014 {counted}: {labels}{more}"


def _reading(words: Words, flag: OutOfRange, zone: ZoneInfo) -> str:
    unit = f" {escaped(flag.unit, 12)}" if flag.unit else ""
    value = (format_number(flag.value) + unit) if flag.value is not None else "?"
    allowed = ""
    if flag.minimum is not None and flag.maximum is not None:
        allowed = " " + words("digest.line.allowed", low=format_number(flag.minimum), high=format_number(flag.maximum))
    where = words("digest.line.reading_on", checklist=escaped(flag.checklist))
    return (
        f"\u2022 :thermometer: *{escaped(flag.item)}* {value}{allowed} {where} \u2014 "
        f"{person(flag.by, words)} {slack_date(flag.at, zone)}"
    )


def _case(words: Words, line: CaseLine, zone: ZoneInfo) -> str:
    mark = ":rotating_light:" if line.breached else "\u2022"
    kind = words(f"case.kind.{line.kind.value}")
    severity = words(f"case.severity.{line.severity.value}")
    status = words(f"case.status.{line.status.value}")
    summary = f" \u2014 {escaped(line.summary)}" if line.summary else ""
    who = person(line.assignee, words) if line.assignee else f"_{words('digest.line.unassigned')}_"
    when = slack_date(line.target, zone)
    target = (
        words("digest.line.resolve_by", when=when) if line.responded else words("digest.line.respond_by", when=when)
    )
    return f"{mark} `{line.label}` {kind} \u00b7 {severity} \u00b7 {status}{summary} \u00b7 {who} \u00b7 {target}"


# ---- sections of the daily digest -------------------------------------------------------------------------------


def _people(words: Words, digest: DailyDigest) -> list[Block]:
    people = digest.people
    lines: list[str] = []
    if people.holiday is not None:
        lines.append(":tada: " + words("digest.daily.holiday", name=escaped(people.holiday)))
    lines += [_shift(words, line, digest.zone) for line in people.shifts.items] + _more(words, people.shifts)
    if people.away:
        lines.append(f"*{words('digest.daily.away', n=people.away.total)}*")
        lines += [_away(words, line) for line in people.away.items] + _more(words, people.away)
    title = words("digest.daily.people", n=people.shifts.total)
    return _blocks(":busts_in_silhouette: " + title, lines)


def _meetings(words: Words, digest: DailyDigest) -> list[Block]:
    found = digest.meetings
    lines = [_meeting(words, line, digest.zone) for line in found.meetings.items] + _more(words, found.meetings)
    if found.appointments:
        lines.append(f"*{words('digest.daily.appointments', n=found.appointments.total)}*")
        lines += [_appointment(words, line, digest.zone) for line in found.appointments.items]
        lines += _more(words, found.appointments)
    return _blocks(":calendar: " + words("digest.daily.meetings", n=found.meetings.total), lines)


def _tasks(words: Words, digest: DailyDigest) -> list[Block]:
    due = digest.tasks
    lines: list[str] = []
    for group in due.groups.items:
        counts = words("digest.daily.person_tasks", overdue=group.overdue, today=group.today)
        lines.append(f"{person(group.assignee, words)} \u2014 {counts}")
        lines += [_task(words, line, digest.zone, indent=True) for line in group.tasks]
        if group.total > len(group.tasks):
            lines.append(f"{INDENT}_{words('digest.line.more', n=group.total - len(group.tasks))}_")
    if due.groups.more > 0:
        lines.append(f"_{words('digest.daily.more_people', n=due.groups.more)}_")
    title = words("digest.daily.tasks", overdue=due.overdue, today=due.today)
    return _blocks(":ballot_box_with_check: " + title, lines)


def _checklists(words: Words, digest: DailyDigest) -> list[Block]:
    found = digest.checklists
    lines: list[str] = []
    if found.unfinished:
        lines.append(words("digest.daily.unfinished", n=found.unfinished.total))
        lines += [_run(words, run, digest.zone) for run in found.unfinished.items] + _more(words, found.unfinished)
    if found.out_of_range:
        lines.append(words("digest.daily.out_of_range", n=found.out_of_range.total))
        lines += [_reading(words, flag, digest.zone) for flag in found.out_of_range.items]
        lines += _more(words, found.out_of_range)
    return _blocks(":clipboard: " + words("digest.daily.checklists"), lines)


def _case_lines(words: Words, cases: OpenCases, zone: ZoneInfo) -> list[str]:
    return [_case(words, line, zone) for line in cases.cases.items] + _more(words, cases.cases)


def _cases(words: Words, digest: DailyDigest) -> list[Block]:
    cases = digest.cases
    title = words("digest.daily.cases", n=cases.cases.total, breached=cases.breached)
    return _blocks(":ticket: " + title, _case_lines(words, cases, digest.zone))


def _feedback(words: Words, digest: DailyDigest) -> list[Block]:
    found = digest.feedback
    average = number(words, found.average) if found.average is not None else "\u2013"
    if found.top_tag is not None and found.top_tag_count > 1:
        line = words(
            "digest.daily.feedback_tagged",
            n=found.count,
            average=average,
            tag=escaped(found.top_tag, 40),
            tagged=found.top_tag_count,
        )
    else:
        line = words("digest.daily.feedback", n=found.count, average=average)
    return [section(":speech_balloon: " + line)]


def _stock(words: Words, digest: DailyDigest) -> list[Block]:
    low = digest.stock.items
    lines = [
        words(
            "stock.digest_line",
            item=escaped(line.name, 60),
            quantity=stock_quantity(words, line.quantity, line.unit),
            min=stock_quantity(words, line.minimum, line.unit),
        )
        for line in low.items
    ]
    return _blocks(":package: " + words("stock.digest_title", n=low.total), [*lines, *_more(words, low)])


_DAILY = {
    Section.PEOPLE: _people,
    Section.MEETINGS: _meetings,
    Section.TASKS: _tasks,
    Section.CHECKLISTS: _checklists,
    Section.CASES: _cases,
    Section.FEEDBACK: _feedback,
    Section.STOCK: _stock,
}


def _is_empty(digest: DailyDigest, part: Section) -> bool:
    return {
        Section.PEOPLE: digest.people.is_empty,
        Section.MEETINGS: digest.meetings.is_empty,
        Section.TASKS: digest.tasks.is_empty,
        Section.CHECKLISTS: digest.checklists.is_empty,
        Section.CASES: digest.cases.is_empty,
        Section.FEEDBACK: digest.feedback.is_empty,
        Section.STOCK: digest.stock.is_empty,
    }[part]


def daily_message(words: Words, digest: DailyDigest, *, late: str | None = None) -> Reply:
    """The daily digest; `late` is the time it was due ("08:00") when it goes out late."""
    day = day_text(words, digest.day)
    if digest.is_quiet:
        line = words("digest.daily.quiet", day=day)
        return Reply(line, [section(":sunny: " + line), *_late(words, late)], "in_channel")
    title = words("digest.daily.title", day=day)
    blocks: list[Block] = [header(title), *_late(words, late)]
    for part in Section:
        if part in digest.sections and not _is_empty(digest, part):
            blocks += _DAILY[part](words, digest)
    blocks.append(context(words("digest.line.zone_note", zone=digest.zone.key)))
    fallback = words(
        "digest.daily.fallback",
        day=day,
        tasks=digest.tasks.overdue + digest.tasks.today,
        cases=digest.cases.cases.total,
    )
    return _finish(title, blocks, fallback)


# ---- the weekly digest -----------------------------------------------------------------------------------------


def _delta(now: int, before: int) -> dict[str, str | int]:
    """The placeholders of a week's figure: this week's, the change, last week's."""
    return {"n": now, "change": change(now - before), "before": before}


def _rating(words: Words, this_week: Numbers, last_week: Numbers) -> str:
    now, before = this_week.average_rating, last_week.average_rating
    if now is None and before is None:
        return words("digest.weekly.no_feedback")
    return words(
        "digest.weekly.rating",
        average=number(words, now) if now is not None else "\u2013",
        n=this_week.ratings,
        before=number(words, before) if before is not None else "\u2013",
        before_n=last_week.ratings,
    )


def weekly_message(words: Words, digest: WeeklyDigest, *, late: str | None = None) -> Reply:
    """The week's numbers against the week before; the chart (`weekly_chart`) goes with it as a file."""
    week = words("digest.weekly.week", first=digest.first.isoformat(), last=digest.last.isoformat())
    if digest.is_quiet:
        line = words("digest.weekly.quiet", week=week)
        return Reply(line, [section(":sunny: " + line), *_late(words, late)], "in_channel")
    title = words("digest.weekly.title", week=week)
    now, before = digest.this_week, digest.last_week
    blocks: list[Block] = [header(title), *_late(words, late)]
    if Section.TASKS in digest.sections:
        lines = [
            words("digest.weekly.done", **_delta(now.tasks_done, before.tasks_done)),
            words("digest.weekly.created", **_delta(now.tasks_created, before.tasks_created)),
        ]
        blocks += _blocks(":ballot_box_with_check: " + words("digest.weekly.tasks"), lines)
    if Section.CASES in digest.sections:
        lines = [
            words("digest.weekly.opened", **_delta(now.cases_opened, before.cases_opened)),
            words("digest.weekly.closed", **_delta(now.cases_closed, before.cases_closed)),
            words("digest.weekly.breached", **_delta(now.cases_breached, before.cases_breached)),
        ]
        blocks += _blocks(":ticket: " + words("digest.weekly.cases"), lines)
    if Section.FEEDBACK in digest.sections:
        blocks.append(section(":speech_balloon: " + _rating(words, now, before)))
    blocks.append(context(words("digest.line.zone_note", zone=digest.zone.key)))
    fallback = words("digest.weekly.fallback", week=week, done=now.tasks_done, opened=now.cases_opened)
    return _finish(title, blocks, fallback)


# ---- the personal digest ---------------------------------------------------------------------------------------


def personal_message(words: Words, digest: PersonalDigest) -> Reply:
    """One person's day, for their DM in the morning."""
    day = day_text(words, digest.day)
    if digest.is_quiet:
        line = words("digest.personal.quiet", day=day)
        return Reply(line, [section(":sunny: " + line)])
    title = words("digest.personal.title", day=day)
    zone = digest.zone
    blocks: list[Block] = [header(title)]
    if digest.shifts:
        lines = [_shift(words, line, zone) for line in digest.shifts.items] + _more(words, digest.shifts)
        blocks += _blocks(":busts_in_silhouette: " + words("digest.personal.shifts"), lines)
    if digest.meetings or digest.appointments:
        lines = [_meeting(words, line, zone) for line in digest.meetings.items] + _more(words, digest.meetings)
        lines += [_appointment(words, line, zone) for line in digest.appointments.items]
        lines += _more(words, digest.appointments)
        blocks += _blocks(":calendar: " + words("digest.personal.meetings"), lines)
    if digest.tasks:
        lines = [_task(words, line, zone, indent=False) for line in digest.tasks.items] + _more(words, digest.tasks)
        blocks += _blocks(":ballot_box_with_check: " + words("digest.personal.tasks", n=digest.tasks.total), lines)
    if digest.cases.cases:
        title_cases = words("digest.personal.cases", n=digest.cases.cases.total, breached=digest.cases.breached)
        blocks += _blocks(":ticket: " + title_cases, _case_lines(words, digest.cases, zone))
    blocks.append(context(words("digest.line.zone_note", zone=zone.key)))
    return _finish(title, blocks, title)


# ---- the weekly chart ------------------------------------------------------------------------------------------

_MARGIN = 20
_TITLE_SIZE = 18
_LABEL_SIZE = 12
_AXIS_GAP = 40
_PLOT_HEIGHT = 240
_SLOT = 96  # width per day
_GAP = 10

_PAPER: RGB = (255, 255, 255)
_INK: RGB = (17, 24, 39)
_MUTED: RGB = (107, 114, 128)
_GRID: RGB = (229, 231, 235)
_AXIS: RGB = (156, 163, 175)
_RATING: RGB = (234, 88, 12)
_SERIES_COLOURS: tuple[RGB, ...] = ((34, 197, 94), (147, 197, 253), (251, 191, 36), (167, 139, 250))


@dataclass(frozen=True, slots=True)
class _Series:
    legend: str
    colour: RGB
    values: tuple[int, ...]


def _chart_series(words: Words, digest: WeeklyDigest) -> list[_Series]:
    days = [point.numbers for point in digest.days]
    found: list[tuple[str, tuple[int, ...]]] = []
    if Section.TASKS in digest.sections:
        found.append((words("digest.chart.done"), tuple(n.tasks_done for n in days)))
        found.append((words("digest.chart.created"), tuple(n.tasks_created for n in days)))
    if Section.CASES in digest.sections:
        found.append((words("digest.chart.opened"), tuple(n.cases_opened for n in days)))
        found.append((words("digest.chart.closed"), tuple(n.cases_closed for n in days)))
    return [_Series(legend, _SERIES_COLOURS[i], values) for i, (legend, values) in enumerate(found)]


def weekly_chart(words: Words, digest: WeeklyDigest) -> bytes:
    """The week day by day as an RGB PNG: a bar for each count, and the day's average rating as a line (0-5 on the
    right). Pillow and its bundled font only; the same digest always gives the same bytes."""
    series = _chart_series(words, digest)
    ratings: tuple[Decimal | None, ...] | None = None
    if Section.FEEDBACK in digest.sections:
        ratings = tuple(point.numbers.average_rating for point in digest.days)
    with text.LOCK:
        image = _draw(words, digest, series, ratings)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _scale(series: Sequence[_Series]) -> int:
    """The top of the counts axis: at least 4, and a multiple of 4 so the quarter ticks are whole numbers."""
    top = max([4, *(value for one in series for value in one.values)])
    return top + (-top % 4)


def _draw(
    words: Words, digest: WeeklyDigest, series: Sequence[_Series], ratings: tuple[Decimal | None, ...] | None
) -> Image.Image:
    days = len(digest.days)
    title_face, label_face = text.face(_TITLE_SIZE), text.face(_LABEL_SIZE)
    plot_width = days * _SLOT
    width = plot_width + 2 * (_MARGIN + _AXIS_GAP)
    week = words("digest.weekly.week", first=digest.first.isoformat(), last=digest.last.isoformat())
    title = text.line(_TITLE_SIZE, words("digest.chart.title", week=week), width - 2 * _MARGIN)
    legend_top = _MARGIN + title_face.pitch + _GAP
    # The legend: a swatch and the words of each series, then the rating's line and dot; a row that is full
    # carries on below rather than cutting the words.
    swatch = label_face.ascent
    keys: list[tuple[RGB | None, text.Tile]] = [
        (one.colour, text.line(_LABEL_SIZE, one.legend, plot_width / 2)) for one in series
    ]
    if ratings is not None:
        keys.append((None, text.line(_LABEL_SIZE, words("digest.chart.rating"), plot_width / 2)))
    placed: list[tuple[float, float, RGB | None, text.Tile]] = []
    x, y = float(_MARGIN + _AXIS_GAP), float(legend_top)
    for colour, legend in keys:
        mark = swatch if colour is not None else 2 * swatch
        if placed and x + mark + 6 + legend.advance > _MARGIN + _AXIS_GAP + plot_width:
            x, y = float(_MARGIN + _AXIS_GAP), y + label_face.pitch + 4
        placed.append((x, y, colour, legend))
        x += mark + 6 + legend.advance + 18
    plot_top = round(y) + label_face.pitch + 2 * _GAP
    plot_bottom = plot_top + _PLOT_HEIGHT
    footer = text.line(_LABEL_SIZE, words("digest.chart.footer", zone=digest.zone.key), width - 2 * _MARGIN)
    height = plot_bottom + label_face.pitch + 2 * _GAP + label_face.pitch + _MARGIN

    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    text.put(draw, title, _MARGIN, _MARGIN, _INK)
    for x, y, colour, legend in placed:
        if colour is not None:
            draw.rectangle((x, y + 2, x + swatch, y + 2 + swatch), fill=colour)
            text.put(draw, legend, x + swatch + 6, y, _INK)
        else:
            middle = y + 2 + swatch / 2
            draw.line((x, middle, x + 2 * swatch, middle), fill=_RATING, width=2)
            draw.ellipse((x + swatch - 4, middle - 4, x + swatch + 4, middle + 4), fill=_RATING)
            text.put(draw, legend, x + 2 * swatch + 6, y, _INK)

    left = _MARGIN + _AXIS_GAP
    right = left + plot_width
    scale = _scale(series)
    for quarter in range(5):
        count = scale * quarter // 4
        y = plot_bottom - quarter / 4 * _PLOT_HEIGHT
        draw.line((left, y, right, y), fill=_GRID if quarter else _AXIS, width=1)
        label = text.line(_LABEL_SIZE, str(count))
        text.put(draw, label, left - 8 - label.advance, y - label_face.ascent / 2 - 1, _MUTED)
    if ratings is not None:
        for mark in (0, 5):
            y = plot_bottom - mark / 5 * _PLOT_HEIGHT
            text.put(draw, text.line(_LABEL_SIZE, str(mark)), right + 8, y - label_face.ascent / 2 - 1, _RATING)

    bars = max(1, len(series))
    bar = (_SLOT * 0.8) / bars
    points: list[tuple[float, float] | None] = []
    for index, point in enumerate(digest.days):
        centre = left + _SLOT * (index + 0.5)
        first = centre - bar * bars / 2
        for position, one in enumerate(series):
            value = one.values[index]
            if value:
                top = plot_bottom - value / scale * _PLOT_HEIGHT
                x0 = first + position * bar
                draw.rectangle((x0 + 1, top, x0 + bar - 1, plot_bottom - 1), fill=one.colour)
        label = text.line(_LABEL_SIZE, f"{day_name(words, point.day.weekday())} {point.day.day}", _SLOT - 4)
        text.put(draw, label, centre - label.advance / 2, plot_bottom + 6, _MUTED)
        rating = ratings[index] if ratings is not None else None
        points.append((centre, plot_bottom - float(rating) / 5 * _PLOT_HEIGHT) if rating is not None else None)

    for before, after in itertools.pairwise(points):
        if before is not None and after is not None:
            draw.line((*before, *after), fill=_RATING, width=2)
    for found in points:
        if found is not None:
            cx, cy = found
            draw.ellipse((cx - 4.5, cy - 4.5, cx + 4.5, cy + 4.5), fill=_RATING)

    text.put(draw, footer, _MARGIN, plot_bottom + label_face.pitch + 2 * _GAP, _MUTED)
    return image
