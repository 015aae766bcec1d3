"""Block Kit for meetings: the invitation DM with Going / Maybe / Can't go / Suggest another time, the
organizer's live tally, clashes with Send anyway / Find another time, proposals with a button each, reminders,
nudges, and the lists. Times are Slack date tokens, so each reader sees their own zone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ChannelSelectElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.ids import UserId
from bot.domain.meeting_service import Planned, Proposal
from bot.domain.meetings import Clash, Meeting, Minutes, Poll, PollOption, Room, Rsvp
from bot.domain.tasks import Task
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import button, clip, context, header, section
from bot.rendering.time import minutes_text

GOING = "meeting_going"
MAYBE = "meeting_maybe"
DECLINE = "meeting_decline"
SUGGEST = "meeting_suggest"
SEND_ANYWAY = "meeting_send_anyway"
FIND_OTHER = "meeting_find_other"
PICK = "meeting_pick"
ANSWERS = {GOING: Rsvp.GOING, MAYBE: Rsvp.MAYBE, DECLINE: Rsvp.DECLINED}
MAX_LISTED = 40
_ICONS = {Rsvp.GOING: ":white_check_mark:", Rsvp.MAYBE: ":grey_question:", Rsvp.DECLINED: ":x:"}


def when_text(starts: datetime, ends: datetime) -> str:
    """`Thu, Dec 3 10:00 \u2013 10:45`, each part a date token rendered in the reader's zone."""
    start = f"<!date^{int(starts.timestamp())}^{{date_short_pretty}} {{time}}|{starts.isoformat()}>"
    end = f"<!date^{int(ends.timestamp())}^{{time}}|{ends.isoformat()}>"
    return f"{start} \u2013 {end}"


def place_text(words: Words, meeting: Meeting) -> str:
    return meeting.place or words("meeting.no_place")


def _details(words: Words, meeting: Meeting, starts: datetime | None = None) -> str:
    begin = starts or meeting.starts
    lines = [
        words("meeting.when", when=when_text(begin, begin + meeting.duration)),
        words("meeting.where", place=place_text(words, meeting)),
        words("meeting.organizer", user=f"<@{meeting.organizer}>"),
    ]
    if meeting.rrule:
        lines.append(words("meeting.repeats", rule=meeting.rrule))
    if meeting.agenda:
        lines.append(words("meeting.agenda") + "\n" + "\n".join(f"• {item}" for item in meeting.agenda))
    return "\n".join(lines)


def _answer_buttons(words: Words, meeting: Meeting) -> ActionsBlock:
    value = str(meeting.id)
    return ActionsBlock(
        block_id=f"meeting_rsvp:{meeting.id}",
        elements=[
            button(words, "meeting.going", GOING, value, primary=True),
            button(words, "meeting.maybe", MAYBE, value),
            button(words, "meeting.decline", DECLINE, value),
            button(words, "meeting.suggest", SUGGEST, value),
        ],
    )


def invitation(words: Words, meeting: Meeting, user: UserId, *, changed: bool = False) -> Reply:
    """The attendee's DM; the same message is updated when they answer or the meeting changes."""
    title = words("meeting.invitation_moved" if changed else "meeting.invitation", title=meeting.title)
    mine = meeting.attendee(user)
    blocks: list[Block] = [
        section(":calendar: " + title),
        section(_details(words, meeting)),
        _answer_buttons(words, meeting),
    ]
    if mine is not None and mine.rsvp is not Rsvp.NEEDS_ACTION:
        blocks.append(context(words("meeting.your_answer", answer=words(f"meeting.rsvp.{mine.rsvp.value}"))))
    else:
        blocks.append(context(words("meeting.ics_hint")))
    return Reply(text=title, blocks=blocks)


def cancelled_invitation(words: Words, meeting: Meeting) -> Reply:
    line = words("meeting.cancelled_dm", title=meeting.title, when=when_text(meeting.starts, meeting.ends))
    return Reply(text=line, blocks=[section(":no_entry_sign: " + line)])


def tally(words: Words, meeting: Meeting) -> Reply:
    """The organizer's message: who was invited and how each answered, updated in place."""
    counts = meeting.tally()
    title = words("meeting.tally_title", id=meeting.id, title=meeting.title)
    summary = words(
        "meeting.tally",
        going=counts[Rsvp.GOING],
        maybe=counts[Rsvp.MAYBE],
        declined=counts[Rsvp.DECLINED],
        waiting=counts[Rsvp.NEEDS_ACTION],
    )
    lines = []
    for attendee in meeting.attendees[:MAX_LISTED]:
        icon = _ICONS.get(attendee.rsvp, ":hourglass:")
        suggestion = f" \u2014 _{attendee.suggestion}_" if attendee.suggestion else ""
        lines.append(f"{icon} <@{attendee.user}>{suggestion}")
    blocks: list[Block] = [
        section(":calendar: *" + title + "*"),
        section(_details(words, meeting)),
        section(summary + "\n" + "\n".join(lines)),
        context(words("meeting.manage_hint", id=meeting.id)),
    ]
    if meeting.is_cancelled:
        blocks = [section(":no_entry_sign: " + words("meeting.cancelled_tally", id=meeting.id, title=meeting.title))]
    return Reply(text=title, blocks=blocks)


def planned(words: Words, plan: Planned) -> Reply:
    """The organizer's answer to the command: sent, or held with its clashes and two ways on."""
    meeting = plan.meeting
    notes: list[Block] = []
    if plan.over_capacity is not None:
        notes.append(
            context(
                ":warning: "
                + words(
                    "meeting.over_capacity",
                    room=meeting.place,
                    capacity=plan.over_capacity,
                    n=len(meeting.attendees) + 1,
                )
            )
        )
    if plan.sent:
        line = words("meeting.sent", id=meeting.id, title=meeting.title, n=len(meeting.attendees))
        return Reply(
            text=line, blocks=[section(":white_check_mark: " + line), section(_details(words, meeting)), *notes]
        )
    line = words("meeting.clashes_title", title=meeting.title, n=len(plan.clashes))
    blocks: list[Block] = [section(":warning: " + line), section(clash_lines(words, plan.clashes)), *notes]
    blocks.append(
        ActionsBlock(
            block_id=f"meeting_draft:{meeting.id}",
            elements=[
                button(words, "meeting.send_anyway", SEND_ANYWAY, str(meeting.id), primary=True),
                button(words, "meeting.find_other", FIND_OTHER, str(meeting.id)),
            ],
        )
    )
    return Reply(text=line, blocks=blocks)


def clash_lines(words: Words, clashes: Sequence[Clash]) -> str:
    lines = []
    for clash in clashes[:MAX_LISTED]:
        key = {
            "away": "meeting.clash_away",
            "off_shift": "meeting.clash_off_shift",
            "appointment": "meeting.clash_appointment",
        }.get(clash.reason, "meeting.clash_meeting")
        lines.append(
            "• " + words(key, user=f"<@{clash.user}>", title=clash.title, when=when_text(clash.starts, clash.ends))
        )
    return "\n".join(lines)


def pick_value(title: str, proposal: Proposal, attendees: Sequence[UserId], draft: int | None) -> str:
    """What a proposal's button carries back (Slack allows 2000 characters)."""
    return json.dumps(
        {
            "t": title[:150],
            "s": int(proposal.starts.timestamp()),
            "m": int((proposal.ends - proposal.starts).total_seconds() // 60),
            "u": list(attendees),
            "d": draft,
        },
        separators=(",", ":"),
    )


def proposals(
    words: Words,
    title: str,
    duration: timedelta,
    found: Sequence[Proposal],
    attendees: Sequence[UserId],
    draft: int | None,
) -> Reply:
    if not found:
        line = words("meeting.find_none", duration=minutes_text(duration))
        return Reply(text=line, blocks=[section(line), context(words("meeting.find_hint"))])
    line = words("meeting.find_title", n=len(found), duration=minutes_text(duration), people=len(attendees) + 1)
    blocks: list[Block] = [section(":mag: " + line)]
    for index, proposal in enumerate(found):
        blocks.append(
            section(
                f"*{index + 1}.* " + when_text(proposal.starts, proposal.ends),
                accessory=button(words, "meeting.pick", PICK, pick_value(title, proposal, attendees, draft)),
            )
        )
    blocks.append(context(words("meeting.find_note")))
    return Reply(text=line, blocks=blocks)


def reminder(words: Words, meeting: Meeting, starts: datetime) -> Reply:
    line = words("meeting.reminder", title=meeting.title, when=when_text(starts, starts + meeting.duration))
    return Reply(
        text=line,
        blocks=[section(":alarm_clock: " + line), context(words("meeting.where", place=place_text(words, meeting)))],
    )


def nudge(words: Words, meeting: Meeting) -> Reply:
    line = words("meeting.nudge", title=meeting.title, when=when_text(meeting.starts, meeting.ends))
    return Reply(text=line, blocks=[section(":wave: " + line), _answer_buttons(words, meeting)])


def changed_for_organizer(words: Words, meeting: Meeting, key: str) -> Reply:
    line = words(key, id=meeting.id, title=meeting.title, when=when_text(meeting.starts, meeting.ends))
    return Reply(text=line, blocks=[section(line)])


def suggestion_to_organizer(words: Words, meeting: Meeting, user: UserId, text: str) -> Reply:
    line = words("meeting.suggestion", user=f"<@{user}>", title=meeting.title, text=text)
    return Reply(
        text=line, blocks=[section(":speech_balloon: " + line), context(words("meeting.manage_hint", id=meeting.id))]
    )


def upcoming(words: Words, rows: Sequence[tuple[Meeting, datetime, datetime]]) -> Reply:
    if not rows:
        line = words("meeting.list_empty")
        return Reply(text=line, blocks=[section(line), context(words("meeting.example.add"))])
    title = words("meeting.list_title", n=len(rows))
    lines = [
        f"`#{meeting.id}` {when_text(begin, end)} *{meeting.title}* \u2014 {place_text(words, meeting)}"
        for meeting, begin, end in rows[:MAX_LISTED]
    ]
    return Reply(text=title, blocks=[header(title), section("\n".join(lines))])


def rooms(words: Words, found: Sequence[Room]) -> Reply:
    if not found:
        line = words("meeting.rooms_empty")
        return Reply(text=line, blocks=[section(line), context(words("meeting.example.room"))])
    title = words("meeting.rooms_title", n=len(found))
    lines = [
        f"• *{room.name}*" + (" \u2014 " + words("meeting.capacity", n=room.capacity) if room.capacity else "")
        for room in found
    ]
    return Reply(text=title, blocks=[section(f"*{title}*"), section("\n".join(lines))])


def room_added(words: Words, room: Room) -> Reply:
    line = words("meeting.room_added", name=room.name)
    return Reply(text=line, blocks=[section(":door: " + line)])


def suggest_modal(words: Words, meeting: Meeting, callback_id: str) -> dict[str, object]:
    """ "Suggest another time": one free-text field; the meeting travels in private_metadata."""
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=str(meeting.id),
        title=PlainTextObject(text=clip(words("meeting.suggest_title"), 24)),
        submit=PlainTextObject(text=words("meeting.suggest_submit")),
        close=PlainTextObject(text=words("meeting.suggest_close")),
        blocks=[
            section(words("meeting.suggest_intro", title=meeting.title)),
            InputBlock(
                block_id="suggestion",
                label=PlainTextObject(text=words("meeting.suggest_label")),
                element=PlainTextInputElement(action_id="text", max_length=300),
            ),
        ],
    ).to_dict()


def feed(words: Words, url: str, *, reset: bool) -> Reply:
    line = words("meeting.feed_reset" if reset else "meeting.feed", url=url)
    webcal = "webcal://" + url.split("://", 1)[-1]
    return Reply(
        text=line, blocks=[section(":date: " + line), section(f"`{webcal}`"), context(words("meeting.feed_hint"))]
    )


# ---- the meeting form ----------------------------------------------------------------------------------------

MEETING_MODAL = "meeting_create_modal"
DURATIONS = (15, 30, 45, 60, 90, 120)
LEADS = (5, 10, 15, 30, 60)


def _options(words: Words, minutes: Sequence[int]) -> list[Option]:
    return [Option(text=PlainTextObject(text=minutes_text(timedelta(minutes=m))), value=str(m)) for m in minutes]


def meeting_modal(words: Words, today: str) -> dict[str, object]:
    """`/ops meeting` alone: every field of a meeting; the date defaults to today in the reader's zone."""
    durations = _options(words, DURATIONS)
    leads = _options(words, LEADS)
    blocks: list[Block] = [
        InputBlock(
            block_id="title",
            label=PlainTextObject(text=words("meeting.form.title")),
            element=PlainTextInputElement(action_id="value", max_length=150),
        ),
        InputBlock(
            block_id="date",
            label=PlainTextObject(text=words("meeting.form.date")),
            element=DatePickerElement(action_id="value", initial_date=today),
        ),
        InputBlock(
            block_id="start",
            label=PlainTextObject(text=words("meeting.form.start")),
            element=TimePickerElement(action_id="value", initial_time="10:00"),
        ),
        InputBlock(
            block_id="duration",
            label=PlainTextObject(text=words("meeting.form.duration")),
            element=StaticSelectElement(action_id="value", options=durations, initial_option=durations[1]),
        ),
        InputBlock(
            block_id="attendees",
            label=PlainTextObject(text=words("meeting.form.attendees")),
            element=UserMultiSelectElement(action_id="value"),
        ),
        InputBlock(
            block_id="place",
            optional=True,
            label=PlainTextObject(text=words("meeting.form.place")),
            hint=PlainTextObject(text=words("meeting.form.place_hint")),
            element=PlainTextInputElement(action_id="value", max_length=200),
        ),
        InputBlock(
            block_id="agenda",
            optional=True,
            label=PlainTextObject(text=words("meeting.form.agenda")),
            hint=PlainTextObject(text=words("meeting.form.agenda_hint")),
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
        ),
        InputBlock(
            block_id="lead",
            label=PlainTextObject(text=words("meeting.form.lead")),
            element=StaticSelectElement(action_id="value", options=leads, initial_option=leads[2]),
        ),
        InputBlock(
            block_id="channel",
            optional=True,
            label=PlainTextObject(text=words("meeting.form.channel")),
            hint=PlainTextObject(text=words("meeting.form.channel_hint")),
            element=ChannelSelectElement(action_id="value"),
        ),
    ]
    return View(
        type="modal",
        callback_id=MEETING_MODAL,
        title=PlainTextObject(text=clip(words("meeting.form.heading"), 24)),
        submit=PlainTextObject(text=words("meeting.form.submit")),
        close=PlainTextObject(text=words("meeting.suggest_close")),
        blocks=blocks,
    ).to_dict()


# ---- polls ---------------------------------------------------------------------------------------------------

VOTE = "meeting_vote"
CONFIRM = "meeting_confirm"


def _option_line(option: PollOption, length: timedelta) -> str:
    return f"*{option.position}.* " + when_text(option.starts, option.starts + length)


def poll_ballot(words: Words, poll: Poll, user: UserId) -> Reply:
    """The attendee's DM: a button per candidate time, pressed again to take a vote back."""
    meeting = poll.meeting
    line = words("meeting.poll_ballot", user=f"<@{meeting.organizer}>", title=meeting.title)
    blocks: list[Block] = [section(":ballot_box_with_ballot: " + line)]
    for option in poll.options:
        mine = user in option.voters
        blocks.append(
            section(
                _option_line(option, meeting.duration) + ("  :white_check_mark:" if mine else ""),
                accessory=button(
                    words,
                    "meeting.poll_unvote" if mine else "meeting.poll_vote",
                    VOTE,
                    f"{meeting.id}:{option.position}",
                ),
                block_id=f"poll_option:{meeting.id}:{option.position}",
            )
        )
    blocks.append(context(words("meeting.poll_hint")))
    return Reply(text=line, blocks=blocks)


def poll_tally(words: Words, poll: Poll) -> Reply:
    """The organizer's DM: votes per option and a Confirm button on each."""
    meeting = poll.meeting
    line = words("meeting.poll_tally", id=meeting.id, title=meeting.title, n=len(meeting.attendees))
    blocks: list[Block] = [section(":bar_chart: " + line)]
    for option in poll.options:
        voters = ", ".join(f"<@{user}>" for user in option.voters) or "\u2014"
        blocks.append(
            section(
                _option_line(option, meeting.duration)
                + "\n"
                + words("meeting.poll_votes", n=len(option.voters))
                + f" {voters}",
                accessory=button(words, "meeting.poll_confirm", CONFIRM, f"{meeting.id}:{option.position}"),
                block_id=f"poll_choice:{meeting.id}:{option.position}",
            )
        )
    return Reply(text=line, blocks=blocks)


def poll_sent(words: Words, poll: Poll) -> Reply:
    line = words(
        "meeting.poll_sent", title=poll.meeting.title, n=len(poll.meeting.attendees), options=len(poll.options)
    )
    return Reply(text=line, blocks=[section(":ballot_box_with_ballot: " + line)])


def poll_closed(words: Words, meeting: Meeting) -> Reply:
    line = words("meeting.poll_closed", title=meeting.title, when=when_text(meeting.starts, meeting.ends))
    return Reply(text=line, blocks=[section(":white_check_mark: " + line)])


# ---- agenda and minutes --------------------------------------------------------------------------------------

WRITE_MINUTES = "meeting_minutes_write"
MINUTES_MODAL = "meeting_minutes_modal"


def agenda_added(words: Words, meeting: Meeting) -> Reply:
    line = words("meeting.agenda_added", id=meeting.id, title=meeting.title, n=len(meeting.agenda))
    return Reply(text=line, blocks=[section(":memo: " + line), section("\n".join(f"• {i}" for i in meeting.agenda))])


def minutes_prompt(words: Words, meeting: Meeting, occurrence: datetime) -> Reply:
    line = words(
        "meeting.minutes_prompt", title=meeting.title, when=when_text(occurrence, occurrence + meeting.duration)
    )
    return Reply(
        text=line,
        blocks=[
            section(
                ":memo: " + line,
                accessory=button(
                    words,
                    "meeting.minutes_write",
                    WRITE_MINUTES,
                    f"{meeting.id}:{int(occurrence.timestamp())}",
                    primary=True,
                ),
            )
        ],
    )


def minutes_modal(words: Words, meeting: Meeting, occurrence: datetime) -> dict[str, object]:
    """Prefilled with the agenda, one item a line; action items become tasks."""
    agenda = "\n".join(f"- {item}" for item in meeting.agenda)
    return View(
        type="modal",
        callback_id=MINUTES_MODAL,
        private_metadata=f"{meeting.id}:{int(occurrence.timestamp())}",
        title=PlainTextObject(text=clip(words("meeting.minutes_heading"), 24)),
        submit=PlainTextObject(text=words("meeting.minutes_submit")),
        close=PlainTextObject(text=words("meeting.suggest_close")),
        blocks=[
            section(words("meeting.minutes_intro", title=meeting.title)),
            InputBlock(
                block_id="minutes",
                label=PlainTextObject(text=words("meeting.minutes_label")),
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=3000, initial_value=agenda or None
                ),
            ),
            InputBlock(
                block_id="actions",
                optional=True,
                label=PlainTextObject(text=words("meeting.minutes_actions")),
                hint=PlainTextObject(text=words("meeting.minutes_actions_hint")),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            ),
        ],
    ).to_dict()


def minutes_message(words: Words, minutes: Minutes, tasks: Sequence[Task]) -> Reply:
    title = words("meeting.minutes_title", title=minutes.title, when=when_text(minutes.occurrence, minutes.occurrence))
    blocks: list[Block] = [
        header(clip(words("meeting.minutes_header", title=minutes.title), 150)),
        section(minutes.text),
    ]
    if tasks:
        lines = [words("meeting.minutes_task", number=t.number, title=t.title, user=f"<@{t.assignee}>") for t in tasks]
        blocks.append(section("*" + words("meeting.minutes_actions") + "*\n" + "\n".join(lines)))
    blocks.append(
        context(
            words(
                "meeting.minutes_by",
                user=f"<@{minutes.written_by}>",
                when=when_text(minutes.occurrence, minutes.occurrence),
            )
        )
    )
    return Reply(text=title, blocks=blocks)


def minutes_list(words: Words, found: Sequence[Minutes]) -> Reply:
    if not found:
        line = words("meeting.minutes_none")
        return Reply(text=line, blocks=[section(line)])
    title = words("meeting.minutes_list", n=len(found))
    blocks: list[Block] = [section(f"*{title}*")]
    for minutes in found[: MAX_LISTED // 2]:
        numbers = ", ".join(f"#{n}" for n in minutes.task_numbers)
        tasks = " \u00b7 " + words("meeting.minutes_tasks", numbers=numbers) if minutes.task_numbers else ""
        day = f"<!date^{int(minutes.occurrence.timestamp())}^{{date_short_pretty}}|{minutes.occurrence.date()}>"
        heading = f"`#{minutes.meeting_id}` *{minutes.title}* \u2014 {day}{tasks}"
        blocks.append(section(heading + "\n" + clip(minutes.text, 500)))
    return Reply(text=title, blocks=blocks)
