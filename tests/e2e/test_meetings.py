"""Meetings as people use them: scheduled from a sentence, invitations with answer buttons and an .ics, the
organizer's live tally, the nudge, a reschedule and a cancellation reaching every calendar, room and attendee
clashes, a time found across Rome and New York, a recurring meeting with one occurrence moved, reminders, and
the personal calendar feed read back by an independent parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import vobject
from sqlalchemy import Row, select

from bot.sandbox.records import FileRecord, Message
from bot.sandbox.server import SlackDouble
from storage.models_meetings import MeetingAttendeeRow, MeetingRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot
from tests.e2e.talk import command
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC: 09:00 in Rome, 03:00 in New York, 08:00 in London.
ROME, NEW_YORK = ZoneInfo("Europe/Rome"), ZoneInfo("America/New_York")
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^")


def at(user: str) -> str:
    return f"<@{user}|someone>"


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot and not m.files]


async def nth_dm(double: SlackDouble, user: str, index: int) -> Message:
    return await double.wait_for(lambda: bot_dms(double, user)[index] if len(bot_dms(double, user)) > index else None)


def latest(double: SlackDouble, user: str, ts: str) -> Message:
    return next(m for m in double.dm(user) if m.ts == ts)


def ics_files(double: SlackDouble, user: str) -> list[FileRecord]:
    channel = double.workspace.dm_channel_id(user)
    return [f for f in double.files if f.filename.endswith(".ics") and channel in f.channels]


async def nth_file(double: SlackDouble, user: str, index: int) -> FileRecord:
    return await double.wait_for(
        lambda: ics_files(double, user)[index] if len(ics_files(double, user)) > index else None
    )


def parsed(file: FileRecord) -> Any:
    return vobject.readOne(file.content.decode())


async def meetings(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(MeetingRow).order_by(MeetingRow.id))


async def answers(running: RunningBot) -> dict[str, str]:
    rows = await stored_rows(running.bot.engine, select(MeetingAttendeeRow).order_by(MeetingAttendeeRow.id))
    return {row.user_id: row.rsvp for row in rows}


async def test_schedule_answer_nudge_reschedule_and_cancel(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "room add Room 2 capacity 8")
    sent = await command(
        double, ALEX, f"meeting Weekly sync with {at(MARIA)} {at(LUCA)} on 3 December at 10:00 for 45m at room 2"
    )
    assert "Meeting #1 *Weekly sync* sent to 2 people." in sent.all_text()
    (row,) = await meetings(running)
    # Alex writes in Tokyo: 10:00 there is 01:00 UTC.
    assert (row.title, row.place, row.room_id, row.status, row.sequence) == ("Weekly sync", "Room 2", 1, "scheduled", 0)
    assert (row.starts_utc, row.ends_utc) == (
        datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 1, 45, tzinfo=UTC),
    )

    maria = await nth_dm(double, MARIA, 0)
    assert "Sei invitato: *Weekly sync*" in maria.all_text()
    assert "*Dove:* Room 2" in maria.all_text()
    assert f"<!date^{int(row.starts_utc.timestamp())}^" in maria.all_text()  # each reader sees their own zone
    luca = await nth_dm(double, LUCA, 0)
    assert "You're invited: *Weekly sync*" in luca.all_text()
    invite = parsed(await double.wait_for(lambda: (ics_files(double, LUCA) or [None])[0]))
    assert invite.method.value == "REQUEST"
    event = invite.vevent
    assert event.uid.value == "meeting-1-T0OPS0001@ops-assistant"
    assert event.sequence.value == "0"
    assert event.dtstart.value.astimezone(UTC) == row.starts_utc
    assert event.location.value == "Room 2"
    attendees = {a.value.lower(): a.params for a in event.attendee_list}
    assert attendees["mailto:luca@ops-demo.example"]["PARTSTAT"] == ["NEEDS-ACTION"]
    tally = await nth_dm(double, ALEX, 0)
    assert "Going 0 · Maybe 0 · Can't go 0 · No answer 2" in tally.all_text()

    # Answers: each updates the invitation in place and the organizer's tally.
    await double.send_block_action(MARIA, "meeting_going", message=maria)
    await double.wait_for(
        lambda: True if "Ci sarò" in latest(double, MARIA, maria.ts).all_text().split("risposta")[-1] else None
    )
    await double.send_block_action(LUCA, "meeting_maybe", message=luca)
    await double.send_block_action(LUCA, "meeting_decline", message=latest(double, LUCA, luca.ts))
    updated = await double.wait_for(
        lambda: m if "Can't go 1" in (m := latest(double, ALEX, tally.ts)).all_text() else None
    )
    assert "Going 1 · Maybe 0 · Can't go 1 · No answer 0" in updated.all_text()
    assert "Your answer: *Can't go*" in latest(double, LUCA, luca.ts).all_text()
    assert await answers(running) == {MARIA: "going", LUCA: "declined"}
    stranger = await double.send_block_action(SAM, "meeting_going", message=luca)
    assert stranger is not None
    assert await answers(running) == {MARIA: "going", LUCA: "declined"}

    # Reschedule: everyone asked again, DMs updated, a new .ics with SEQUENCE 1.
    moved = await command(double, ALEX, "meeting move 1 to 4 December 11:00")
    assert "Moved meeting #1 *Weekly sync*" in moved.all_text()
    (row,) = await meetings(running)
    assert (row.starts_utc, row.sequence) == (datetime(2026, 12, 4, 2, 0, tzinfo=UTC), 1)
    assert await answers(running) == {MARIA: "needs-action", LUCA: "needs-action"}
    changed = await double.wait_for(lambda: m if "Changed" in (m := latest(double, LUCA, luca.ts)).all_text() else None)
    assert "please answer again" in changed.all_text()
    second = parsed(
        await double.wait_for(lambda: ics_files(double, LUCA)[1] if len(ics_files(double, LUCA)) > 1 else None)
    )
    assert (second.vevent.uid.value, second.vevent.sequence.value) == (event.uid.value, "1")
    assert second.vevent.dtstart.value.astimezone(UTC) == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)

    # The nudge: the day before, once, to whoever has not answered (both, after the move), with the buttons.
    await double.send_block_action(MARIA, "meeting_going", message=latest(double, MARIA, maria.ts))
    await double.wait_for(lambda: True if "*Ci sarò*" in latest(double, MARIA, maria.ts).all_text() else None)
    running.clock.set(datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
    await running.tick()
    nudge = await nth_dm(double, LUCA, 1)
    assert "You haven't answered yet: *Weekly sync*" in nudge.all_text()
    assert len(bot_dms(double, MARIA)) == 1

    # Cancel: the invitations say so and a METHOD:CANCEL file goes to everyone.
    cancelled = await command(double, ALEX, "meeting cancel 1")
    assert "Cancelled meeting #1 *Weekly sync*" in cancelled.all_text()
    await double.wait_for(lambda: True if "Cancelled" in latest(double, LUCA, luca.ts).all_text() else None)
    last = parsed(
        await double.wait_for(lambda: ics_files(double, LUCA)[2] if len(ics_files(double, LUCA)) > 2 else None)
    )
    assert last.method.value == "CANCEL"
    assert last.vevent.status.value == "CANCELLED"
    assert last.vevent.sequence.value == "2"
    (row,) = await meetings(running)
    assert row.status == "cancelled"
    # No reminder after a cancellation.
    running.clock.set(datetime(2026, 12, 4, 1, 50, tzinfo=UTC))
    await running.tick()
    assert not any("starts soon" in m.all_text() for m in bot_dms(double, LUCA))


async def test_a_room_is_never_double_booked_and_clashes_wait_for_the_organizer(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, ALEX, "room add Sala 2 capacity 2")
    await command(double, ALEX, f"meeting Budget with {at(MARIA)} tomorrow 15:00 for 1h in Sala 2")
    taken = await command(double, ALEX, f"meeting Training with {at(SAM)} tomorrow 15:30 for 30m at sala 2")
    assert "Sala 2 is already booked then: *Budget* (#1)" in taken.all_text()
    assert "Example: `/ops meeting" in taken.all_text()
    assert len(await meetings(running)) == 1

    crowded = await command(double, ALEX, f"meeting Review with {at(SAM)} {at(GIULIA)} tomorrow 17:00 in Sala 2")
    assert "Sala 2 holds 2, and 3 people are invited." in crowded.all_text()

    # Maria is in Budget tomorrow 15:00-16:00 in Tokyo (Alex's zone), 06:00-07:00 UTC: Sam's meeting with her at
    # 06:30 in London clashes.
    clash = await command(double, SAM, f"meeting Stock check with {at(MARIA)} tomorrow 6:30 for 30m")
    text = clash.all_text()
    assert "*Stock check* clashes with 1 other commitment(s); nothing has been sent yet." in text
    assert f"<@{MARIA}> has *Budget*" in text
    (_, _, draft) = await meetings(running)
    assert draft.status == "draft"
    assert len(bot_dms(double, MARIA)) == 1  # Budget's invitation only: nothing about the draft
    await double.send_block_action(SAM, "meeting_send_anyway", message=clash)
    await double.wait_for(lambda: True if len(bot_dms(double, MARIA)) == 2 else None)
    assert "Stock check" in bot_dms(double, MARIA)[1].all_text()
    (_, _, sent) = await meetings(running)
    assert sent.status == "scheduled"


async def test_find_a_time_across_rome_and_new_york(running: RunningBot, double: SlackDouble) -> None:
    found = await command(double, GIULIA, f"meeting find 30m with {at(LUCA)} this week")
    starts = [int(value) for value in DATE_TOKEN.findall(found.all_text())]
    assert len(starts) == 6  # three proposals, a start and an end token each
    for first in starts[::2]:
        begin = datetime.fromtimestamp(first, UTC)
        for zone in (ROME, NEW_YORK):
            local = begin.astimezone(zone)
            assert local.weekday() < 5
            minutes = local.hour * 60 + local.minute
            assert minutes >= 9 * 60
            assert minutes + 30 <= 17 * 60
    # Shared hours: 15:00-17:00 in Rome is 09:00-11:00 in New York.
    assert datetime.fromtimestamp(starts[0], UTC) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)

    await double.send_block_action(GIULIA, "meeting_pick", message=found)
    invite = await nth_dm(double, LUCA, 0)
    assert "You're invited: *Riunione*" in invite.all_text()
    (row,) = await meetings(running)
    assert row.starts_utc == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


async def test_a_recurring_meeting_with_one_occurrence_moved_and_its_reminders(
    running: RunningBot, double: SlackDouble
) -> None:
    sent = await command(
        double, MARIA, f"riunione Punto della settimana ogni lunedì alle 10 per 15 minuti con {at(GIULIA)}"
    )
    assert "inviata a 1 persone" in sent.all_text()
    invitation = await nth_dm(double, GIULIA, 0)
    await double.send_block_action(GIULIA, "meeting_going", message=invitation)

    moved = await command(double, MARIA, "riunione sposta 1 il 2026-12-14 a 2026-12-15 11:00")
    assert "Modificata una ricorrenza" in moved.all_text()
    ics = parsed(
        await double.wait_for(lambda: ics_files(double, GIULIA)[1] if len(ics_files(double, GIULIA)) > 1 else None)
    )
    events = ics.contents["vevent"]
    assert len(events) == 2
    override = next(e for e in events if hasattr(e, "recurrence_id"))
    assert override.recurrence_id.value.astimezone(UTC) == datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    assert override.dtstart.value.astimezone(UTC) == datetime(2026, 12, 15, 10, 0, tzinfo=UTC)

    # Reminders, 15 minutes before each occurrence, to the organizer and everyone going.
    running.clock.set(datetime(2026, 12, 7, 8, 45, tzinfo=UTC))  # 09:45 in Rome, Monday 7 December
    await running.tick()
    reminder = await double.wait_for(
        lambda: next(
            (m for m in bot_dms(double, GIULIA) if "starts soon" in m.all_text() or "sta per" in m.all_text()), None
        )
    )
    assert "Punto della settimana" in reminder.all_text()
    count = len(bot_dms(double, GIULIA))
    running.clock.set(datetime(2026, 12, 14, 8, 45, tzinfo=UTC))  # the moved occurrence's old time: nothing
    await running.tick()
    assert len(bot_dms(double, GIULIA)) == count
    running.clock.set(datetime(2026, 12, 15, 9, 45, tzinfo=UTC))  # 10:45 on Tuesday: its new time
    await running.tick()
    await double.wait_for(lambda: True if len(bot_dms(double, GIULIA)) == count + 1 else None)
    # A reminder the bot could not send before the meeting started is dropped, not sent late.
    running.clock.set(datetime(2026, 12, 21, 9, 5, tzinfo=UTC))
    await running.tick()
    assert len(bot_dms(double, GIULIA)) == count + 1


async def test_the_calendar_feed_is_served_parsed_back_and_reset(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"meeting Supplier call with {at(MARIA)} tomorrow 15:00")
    await command(double, ALEX, f"shift add {at(MARIA)} friday 7:00-15:00 role kitchen")
    reply = await command(double, MARIA, "calendario")
    url = re.search(r"https?://\S+?/calendar/[\w-]+\.ics", reply.all_text())
    assert url is not None
    path = url.group(0).split("/calendar/", 1)[1]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{running.url}/calendar/{path}") as response:
            assert response.status == 200
            assert response.content_type == "text/calendar"
            body = await response.text()
        feed = vobject.readOne(body)
        assert not hasattr(feed, "method")
        events = {e.summary.value: e for e in feed.contents["vevent"]}
        assert sorted(events) == ["Supplier call", "Turno (kitchen)"]
        assert events["Turno (kitchen)"].dtstart.value.astimezone(UTC) == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
        reset = await command(double, MARIA, "calendario reimposta")
        assert "il vecchio non funziona più" in reset.all_text()
        async with session.get(f"{running.url}/calendar/{path}") as response:
            assert response.status == 404
        # A manager's feed carries her appointments too.
        await command(double, GIULIA, "appuntamento aggiungi domani 11:00 Mario Rossi (fornitore) riguardo fatture")
        giulia = await command(double, GIULIA, "calendario")
        found = re.search(r"/calendar/([\w-]+\.ics)", giulia.all_text())
        assert found is not None
        async with session.get(f"{running.url}/calendar/{found.group(1)}") as response:
            summaries = [e.summary.value for e in vobject.readOne(await response.text()).contents["vevent"]]
        assert any("Mario Rossi" in summary for summary in summaries)


async def test_schedule_from_the_form(running: RunningBot, double: SlackDouble) -> None:
    await double.send_command(LUCA, "meeting")
    form = await double.wait_for(lambda: (double.open_views(LUCA) or [None])[-1])
    assert form["callback_id"] == "meeting_create_modal"
    await double.send_view_submission(LUCA, values={"title": {"value": ""}})
    assert len(double.open_views(LUCA)) == 1  # stays open, the title marked
    await double.send_view_submission(
        LUCA,
        values={
            "title": {"value": "Inventory review"},
            "date": {"value": "2026-12-02"},
            "start": {"value": "11:00"},
            "duration": {"value": "45"},
            "attendees": {"value": [SAM, LUCA]},
            "place": {"value": "Back office"},
            "agenda": {"value": "- Count the freezer\n- New supplier"},
            "lead": {"value": "30"},
        },
    )
    assert double.open_views(LUCA) == []
    sam = await nth_dm(double, SAM, 0)
    assert "You're invited: *Inventory review*" in sam.all_text()
    assert "• Count the freezer" in sam.all_text()
    (row,) = await meetings(running)
    # 11:00 in New York (Luca's zone) is 16:00 UTC; Luca is not his own attendee.
    assert (row.starts_utc, row.ends_utc, row.lead_minutes, row.agenda) == (
        datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 16, 45, tzinfo=UTC),
        30,
        "Count the freezer\nNew supplier",
    )
    assert await answers(running) == {SAM: "needs-action"}
    assert "Meeting #1 *Inventory review* sent to 1 people." in (await nth_dm(double, LUCA, 0)).all_text()


async def test_a_poll_is_voted_and_confirmed_into_an_invitation(running: RunningBot, double: SlackDouble) -> None:
    started = await command(
        double, ALEX, f"meeting poll Menu tasting with {at(MARIA)} {at(SAM)} for 1h options friday 15:00 / monday 10:00"
    )
    assert "Poll for *Menu tasting* sent to 2 people with 2 times" in started.all_text()
    maria = await nth_dm(double, MARIA, 0)
    sam = await nth_dm(double, SAM, 0)
    tally = await nth_dm(double, ALEX, 0)
    assert "0 votes" in tally.all_text()
    await double.send_block_action(SAM, "meeting_vote", message=sam, block_id="poll_option:1:2")
    await double.send_block_action(MARIA, "meeting_vote", message=maria, block_id="poll_option:1:1")
    voted = await double.wait_for(
        lambda: m if ":white_check_mark:" in (m := latest(double, MARIA, maria.ts)).all_text() else None
    )
    await double.send_block_action(MARIA, "meeting_vote", message=voted, block_id="poll_option:1:2")
    updated = await double.wait_for(
        lambda: m if "2 votes" in (m := latest(double, ALEX, tally.ts)).all_text() else None
    )
    assert f"<@{SAM}>" in updated.all_text()
    await double.send_block_action(ALEX, "meeting_confirm", message=updated, block_id="poll_choice:1:2")
    invitation = await nth_dm(double, SAM, 1)
    assert "You're invited: *Menu tasting*" in invitation.all_text()
    (row,) = await meetings(running)
    # Monday 7 December 10:00 in Tokyo (Alex) is 01:00 UTC.
    assert (row.status, row.starts_utc) == ("scheduled", datetime(2026, 12, 7, 1, 0, tzinfo=UTC))


async def test_agenda_then_minutes_with_action_items_that_become_tasks(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, ALEX, f"meeting Kitchen review with {at(SAM)} {at(LUCA)} tomorrow 9:00 for 30m")
    added = await command(double, SAM, "agenda 1 Fridge temperatures")
    assert "Added to the agenda of #1 *Kitchen review* (1 items)" in added.all_text()
    refused = await command(double, MARIA, "agenda 1 Something")
    assert "Non sei invitato a *Kitchen review*." in refused.all_text()

    running.clock.set(datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # 09:30 in Tokyo: it has ended
    await running.tick()
    prompt = await double.wait_for(
        lambda: next((m for m in bot_dms(double, ALEX) if "write the minutes" in m.all_text()), None)
    )
    await double.send_block_action(ALEX, "meeting_minutes_write", message=prompt)
    modal = await double.wait_for(lambda: (double.open_views(ALEX) or [None])[-1])
    assert "- Fridge temperatures" in str(modal["blocks"])
    await double.send_view_submission(
        ALEX,
        values={
            "minutes": {"value": "Fridges fine. New supplier from January."},
            "actions": {"value": f"Call the new supplier {at(LUCA)} due friday 10:00\nUpdate the HACCP log"},
        },
    )
    posted = await double.wait_for(
        lambda: next((m for m in bot_dms(double, LUCA) if "Minutes: Kitchen review" in m.all_text()), None)
    )
    assert "Fridges fine. New supplier from January." in posted.all_text()
    assert f"Task #1: Call the new supplier \u2014 <@{LUCA}>" in posted.all_text()
    assert "Task #2: Update the HACCP log" in posted.all_text()
    listed = await command(double, SAM, "minutes")
    assert "*Kitchen review*" in listed.all_text()
    assert "tasks #1, #2" in listed.all_text()


async def test_inviting_a_shift_and_meeting_someone_outside_their_shift(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, GIULIA, f"turno aggiungi {at(MARIA)} domani 7:00-15:00 ruolo cucina")
    await command(double, GIULIA, f"turno aggiungi {at(SAM)} domani 15:00-22:00 ruolo cucina")
    await command(double, GIULIA, f"turno aggiungi {at(LUCA)} domani 7:00-15:00 ruolo sala")
    held = await command(double, GIULIA, "riunione Briefing con il turno cucina domani alle 8 per 15 minuti")
    # Maria and Sam work the kitchen tomorrow; Sam's shift starts at 15:00, so 08:00 is outside it.
    assert f"<@{SAM}> è di turno quel giorno, ma non a quell'ora" in held.all_text()
    assert f"<@{MARIA}>" not in held.all_text()
    assert await answers(running) == {MARIA: "needs-action", SAM: "needs-action"}
    await double.send_block_action(GIULIA, "meeting_send_anyway", message=held)
    assert "Briefing" in (await nth_dm(double, MARIA, 0)).all_text()
    assert "Briefing" in (await nth_dm(double, SAM, 0)).all_text()
    assert bot_dms(double, LUCA) == []


async def test_the_app_home_shows_my_next_meeting(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"meeting Supplier call with {at(SAM)} tomorrow 15:00")
    await double.send_app_home_opened(SAM)
    home = str(await double.wait_for(lambda: double.home_view(SAM)))
    assert "*Meetings and appointments*" in home
    assert "*Supplier call* · :hourglass_flowing_sand: No answer yet" in home
    await double.send_app_home_opened(LUCA)
    assert "Meetings and appointments" not in str(await double.wait_for(lambda: double.home_view(LUCA)))


async def test_suggest_another_time_reaches_the_organizer(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"meeting Supplier call with {at(SAM)} tomorrow 15:00")
    invitation = await nth_dm(double, SAM, 0)
    await double.send_block_action(SAM, "meeting_suggest", message=invitation)
    modal = await double.wait_for(lambda: (double.open_views(SAM) or [None])[-1])
    assert "Supplier call" in str(modal["blocks"])
    await double.send_view_submission(SAM, values={"suggestion": {"text": "  "}})
    assert len(double.open_views(SAM)) == 1  # an empty suggestion is refused on the field
    await double.send_view_submission(SAM, values={"suggestion": {"text": "Friday after 14:00"}})
    told = await double.wait_for(
        lambda: next((m for m in bot_dms(double, ALEX) if "suggests another time" in m.all_text()), None)
    )
    assert f"<@{SAM}> suggests another time for *Supplier call*: Friday after 14:00" in told.all_text()
    tally = bot_dms(double, ALEX)[0]
    await double.wait_for(lambda: True if "Friday after 14:00" in latest(double, ALEX, tally.ts).all_text() else None)


async def test_a_user_group_and_a_channels_members_are_invited_once_each(
    running: RunningBot, double: SlackDouble
) -> None:
    sent = await command(
        double, ALEX, "meeting Kitchen sync with <!subteam^S0KITCHEN|@kitchen> <#C0SUPPLY1|supplies> tomorrow 15:00"
    )
    # The group and the channel are both Maria and Luca: two invitations, not four.
    assert "Meeting #1 *Kitchen sync* sent to 2 people." in sent.all_text()
    assert await answers(running) == {MARIA: "needs-action", LUCA: "needs-action"}
    assert "Kitchen sync" in (await nth_dm(double, MARIA, 0)).all_text()


async def test_an_appointment_is_a_clash_and_busy_time_for_find(running: RunningBot, double: SlackDouble) -> None:
    await command(double, GIULIA, "appuntamento aggiungi domani 11:00 Mario Rossi (fornitore) riguardo fatture")
    # 19:00 in Tokyo (Alex) is 11:00 in Rome: Giulia is with her visitor.
    held = await command(double, ALEX, f"meeting Budget with {at(GIULIA)} tomorrow 19:00 for 30m")
    assert f"<@{GIULIA}> has an appointment (fatture)" in held.all_text()
    (draft,) = await meetings(running)
    assert draft.status == "draft"
    await double.send_app_home_opened(GIULIA)
    home = str(await double.wait_for(lambda: double.home_view(GIULIA)))
    assert "Appuntamento con *Mario Rossi (fornitore)* (visitatore) · fatture" in home
