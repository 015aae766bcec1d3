"""Replies for `/ops hours`, `/ops away` and `/ops holiday`.

Local dates are shown as they were meant (weekday and ISO date, the same in every reader's zone); working hours
are shown on the owner's wall clock with its zone, and the next working span as Slack date tokens so each
reader also sees it in their own time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from slack_sdk.models.blocks import Block

from bot.domain.people_time import Holiday, HoursSource, PersonHours, TimeOff, WorkingHours
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import context, header, section
from bot.rendering.time import slack_date

MAX_LISTED = 45  # one block each, inside Slack's 50 with the header and a footer
_DAY_KEYS = (
    "people.day.mon",
    "people.day.tue",
    "people.day.wed",
    "people.day.thu",
    "people.day.fri",
    "people.day.sat",
    "people.day.sun",
)


def day_name(words: Words, weekday: int) -> str:
    return words(_DAY_KEYS[weekday])


def local_day(words: Words, day: date) -> str:
    return f"{day_name(words, day.weekday())} {day.isoformat()}"


def days_text(words: Words, days: Sequence[int]) -> str:
    """Mon-Fri (with an en dash) for a run of days, otherwise a list: Mon, Wed, Fri."""
    ordered = sorted(days)
    if len(ordered) == 7:
        return words("people.days.every")
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{day_name(words, ordered[0])}\u2013{day_name(words, ordered[-1])}"
    return ", ".join(day_name(words, day) for day in ordered)


def hours_text(words: Words, hours: WorkingHours) -> str:
    return f"{hours.start:%H:%M}\u2013{hours.end:%H:%M}, {days_text(words, hours.days)}"


def range_text(words: Words, first: date, last: date) -> str:
    if first == last:
        return words("people.range.one", day=local_day(words, first))
    return words(
        "people.range.many",
        first=local_day(words, first),
        last=local_day(words, last),
        n=(last - first).days + 1,
    )


def _who(actor: Actor, user: str) -> str:
    return f"<@{user}>"


# ---- hours -----------------------------------------------------------------------------------------------------


def person_hours(words: Words, actor: Actor, person: PersonHours, now: datetime) -> Reply:
    hours = hours_text(words, person.hours)
    if person.user == actor.user:
        line = words("people.hours.mine", hours=hours, zone=person.zone.key)
    else:
        line = words("people.hours.theirs", user=_who(actor, person.user), hours=hours, zone=person.zone.key)
    notes = []
    if person.source == HoursSource.DEFAULT:
        notes.append(words("people.hours.from_default"))
    elif person.source == HoursSource.FALLBACK:
        notes.append(words("people.hours.from_fallback"))
    span = person.next_span(now)
    if span is not None:
        notes.append(
            words(
                "people.hours.next",
                start=slack_date(span[0], person.zone, absolute=True),
                end=slack_date(span[1], person.zone),
            )
        )
    blocks: list[Block] = [section(":clock9: " + line)]
    if notes:
        blocks.append(context(" · ".join(notes)))
    if person.user == actor.user and person.source != HoursSource.OWN:
        blocks.append(context(words("people.hours.hint")))
    return Reply(text=line, blocks=blocks)


def hours_set(words: Words, actor: Actor, person: PersonHours, now: datetime) -> Reply:
    hours = hours_text(words, person.hours)
    if person.user == actor.user:
        line = words("people.hours.set_mine", hours=hours, zone=person.zone.key)
    else:
        line = words("people.hours.set_theirs", user=_who(actor, person.user), hours=hours, zone=person.zone.key)
    blocks: list[Block] = [section(":white_check_mark: " + line)]
    span = person.next_span(now)
    if span is not None:
        blocks.append(
            context(
                words(
                    "people.hours.next",
                    start=slack_date(span[0], person.zone, absolute=True),
                    end=slack_date(span[1], person.zone),
                )
            )
        )
    return Reply(text=line, blocks=blocks)


def default_hours(words: Words, hours: WorkingHours, *, changed: bool) -> Reply:
    key = "people.hours.default_set" if changed else "people.hours.default_is"
    line = words(key, hours=hours_text(words, hours))
    return Reply(text=line, blocks=[section((":white_check_mark: " if changed else ":clock9: ") + line)])


# ---- time off --------------------------------------------------------------------------------------------------


def away_added(words: Words, actor: Actor, away: TimeOff) -> Reply:
    when = range_text(words, away.first, away.last)
    if away.user == actor.user:
        line = words("people.away.added_mine", when=when, id=away.id)
    else:
        line = words("people.away.added_theirs", user=_who(actor, away.user), when=when, id=away.id)
    blocks: list[Block] = [section(":palm_tree: " + line)]
    notes = [words("people.away.zone", zone=away.zone)]
    if away.cover is not None:
        notes.insert(0, words("people.away.covered_by", user=_who(actor, away.cover)))
    if away.reason:
        notes.insert(0, away.reason)
    blocks.append(context(" · ".join(notes) + " · " + words("people.away.cancel_hint", id=away.id)))
    return Reply(text=line, blocks=blocks)


def away_list(words: Words, actor: Actor, entries: Sequence[TimeOff]) -> Reply:
    if not entries:
        line = words("people.away.list_empty")
        return Reply(text=line, blocks=[section(line), context(words("people.away.example_hint"))])
    title = words("people.away.list_title", n=len(entries))
    blocks: list[Block] = [header(title)]
    for entry in entries[:MAX_LISTED]:
        reason = f" \u2014 {entry.reason}" if entry.reason else ""
        if entry.cover is not None:
            reason += " \u2014 " + words("people.away.covered_by", user=_who(actor, entry.cover))
        blocks.append(
            section(
                f"`#{entry.id}` {_who(actor, entry.user)} \u2014 {range_text(words, entry.first, entry.last)}{reason}"
            )
        )
    if len(entries) > MAX_LISTED:
        blocks.append(context(words("people.away.more", n=len(entries) - MAX_LISTED)))
    blocks.append(context(words("people.away.cancel_any_hint")))
    return Reply(text=title, blocks=blocks)


def away_cancelled(words: Words, actor: Actor, away: TimeOff) -> Reply:
    line = words(
        "people.away.cancelled",
        id=away.id,
        user=_who(actor, away.user),
        when=range_text(words, away.first, away.last),
    )
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def covering(words: Words, reader: Actor, reply: Reply, user: str, back: datetime) -> Reply:
    """A reminder that reached someone covering: for whom, and until when."""
    line = words("people.away.covering", user=f"<@{user}>", back=slack_date(back, reader.timezone))
    return reply.prefixed(line, context(":busts_in_silhouette: " + line))


# ---- holidays --------------------------------------------------------------------------------------------------


def holiday_added(words: Words, holiday: Holiday) -> Reply:
    line = words("people.holiday.added", name=holiday.name, day=local_day(words, holiday.day))
    return Reply(text=line, blocks=[section(":tada: " + line)])


def holiday_removed(words: Words, holiday: Holiday) -> Reply:
    line = words("people.holiday.removed", name=holiday.name, day=local_day(words, holiday.day))
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def holiday_list(words: Words, holidays: Sequence[Holiday]) -> Reply:
    if not holidays:
        line = words("people.holiday.list_empty")
        return Reply(text=line, blocks=[section(line), context(words("people.holiday.example_hint"))])
    title = words("people.holiday.list_title", n=len(holidays))
    blocks: list[Block] = [header(title)]
    lines = [f"• {local_day(words, holiday.day)} \u2014 *{holiday.name}*" for holiday in holidays[:MAX_LISTED]]
    blocks.append(section("\n".join(lines)))
    if len(holidays) > MAX_LISTED:
        blocks.append(context(words("people.holiday.more", n=len(holidays) - MAX_LISTED)))
    return Reply(text=title, blocks=blocks)
