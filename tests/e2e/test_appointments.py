"""The manager's appointments as people use them: Giulia (Rome, Italian) publishes bookable hours; Luca (New York,
English) lists her free slots and books one; Giulia accepts, declines or proposes another time; clashes with her
other appointments and her meetings are refused; visitors added by her or an assistant; the list, cancellations,
the 15-minute reminder to both sides, refusals with an example, and the calendar feed's share."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import vobject
from sqlalchemy import Row, select

from bot.domain.ids import TeamId, UserId
from bot.rendering import appointments as render
from bot.rendering.calendar import feed
from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.models import ScheduleRow
from storage.models_appointments import AppointmentHoursRow, AppointmentRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, TEAM, RunningBot
from tests.e2e.talk import command
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC: 09:00 in Rome, 03:00 in New York, 08:00 in London.
# Giulia is the owner (so a manager) and reads Italian; Maria is staff and reads Italian; Luca and Sam are staff
# and read English; Alex is an admin in Tokyo.
ROME = ZoneInfo("Europe/Rome")
SLOT_START = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\}")
PUBLISH = "appuntamenti orari lun-ven 14:00-17:00 slot 30m"


def at(user: str) -> str:
    return f"<@{user}|someone>"


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot and not m.files]


async def dm_saying(double: SlackDouble, user: str, text: str) -> Message:
    return await double.wait_for(lambda: next((m for m in bot_dms(double, user) if text in m.all_text()), None))


def latest(double: SlackDouble, user: str, ts: str) -> Message:
    return next(m for m in double.dm(user) if m.ts == ts)


async def appointments(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(AppointmentRow).order_by(AppointmentRow.id))


def starts_of(text: str) -> list[datetime]:
    return [datetime.fromtimestamp(int(epoch), UTC) for epoch in SLOT_START.findall(text)]


def book_buttons(reply: Ephemeral) -> list[dict[str, Any]]:
    return [block["accessory"] for block in reply.blocks if block.get("accessory", {}).get("action_id") == render.BOOK]


async def test_hours_slots_a_booking_accepted_clashes_and_the_reminder(
    running: RunningBot, double: SlackDouble
) -> None:
    published = await command(double, GIULIA, PUBLISH)
    assert "slot da 30 minuti (Europe/Rome)" in published.all_text()
    (hours,) = await stored_rows(running.bot.engine, select(AppointmentHoursRow))
    assert (hours.manager_id, hours.days, hours.slot_minutes, hours.zone) == (GIULIA, "01234", 30, "Europe/Rome")
    shown = await command(double, GIULIA, "appuntamenti orari")
    assert "I tuoi orari prenotabili:" in shown.all_text()
    assert "14:00\u201317:00" in shown.all_text()

    # Luca's tomorrow (New York) is Tuesday 1 December: Giulia's 14:00-17:00 in Rome, six slots of 30 minutes.
    slots = await command(double, LUCA, f"appointment slots {at(GIULIA)} tomorrow")
    assert f"Free slots with <@{GIULIA}> on 2026-12-01 (6)" in slots.all_text()
    starts = starts_of(slots.all_text())
    assert len(starts) == 6
    for begin in starts:
        local = begin.astimezone(ROME)
        assert local.date() == date(2026, 12, 1)
        assert 14 * 60 <= local.hour * 60 + local.minute <= 16 * 60 + 30
    assert starts[0] == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    buttons = book_buttons(slots)
    assert len(buttons) == 6

    # Luca books the second slot (14:30 in Rome) with its button; Giulia is asked in Italian.
    await double.send_block_action(LUCA, render.BOOK, value=buttons[1]["value"], message=slots)
    request = await dm_saying(double, GIULIA, "chiede un appuntamento con te")
    assert f"<@{LUCA}> chiede un appuntamento con te" in request.all_text()
    assert f"<!date^{int(datetime(2026, 12, 1, 13, 30, tzinfo=UTC).timestamp())}^" in request.all_text()
    (row,) = await appointments(running)
    assert (row.manager_id, row.booker_id, row.status) == (GIULIA, LUCA, "pending")
    assert (row.starts_utc, row.ends_utc) == (
        datetime(2026, 12, 1, 13, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
    )

    # A pending booking holds its slot: Sam (London) asking for the same time is told what is there.
    taken = await command(double, SAM, f"appointment book {at(GIULIA)} tomorrow 13:30 about the rota")
    assert f"<@{GIULIA}> already has appointment #1 then" in taken.all_text()
    assert "Example: `/ops appointment slots @giulia tomorrow`" in taken.all_text()
    assert len(await appointments(running)) == 1

    # Giulia accepts: her message says so, Luca is told, the reminder is set.
    await double.send_block_action(GIULIA, render.ACCEPT, message=request)
    await double.wait_for(lambda: True if "Hai accettato" in latest(double, GIULIA, request.ts).all_text() else None)
    told = await dm_saying(double, LUCA, "accepted your appointment #1")
    assert f"<@{GIULIA}> accepted your appointment #1" in told.all_text()
    (row,) = await appointments(running)
    assert row.status == "confirmed"
    assert row.reminder_schedule_id is not None
    (schedule,) = await stored_rows(
        running.bot.engine, select(ScheduleRow).where(ScheduleRow.kind == "appointment_reminder")
    )
    assert schedule.next_fire_utc == datetime(2026, 12, 1, 13, 15, tzinfo=UTC)

    # A meeting Giulia organises blocks its time too (15:00 in Rome is 14:00 in London).
    await command(double, GIULIA, f"meeting Budget with {at(MARIA)} tomorrow 15:00")
    clash = await command(double, SAM, f"appointment book {at(GIULIA)} tomorrow 14:00")
    assert f"<@{GIULIA}> has the meeting *Budget* (#1) then" in clash.all_text()
    assert len(await appointments(running)) == 1
    again = await command(double, LUCA, f"appointment slots {at(GIULIA)} tomorrow")
    assert f"Free slots with <@{GIULIA}> on 2026-12-01 (4)" in again.all_text()
    left = starts_of(again.all_text())
    assert datetime(2026, 12, 1, 13, 30, tzinfo=UTC) not in left
    assert datetime(2026, 12, 1, 14, 0, tzinfo=UTC) not in left

    # 15 minutes before, both are reminded, each in their language.
    running.clock.set(datetime(2026, 12, 1, 13, 15, tzinfo=UTC))
    await running.tick()
    giulia = await dm_saying(double, GIULIA, "Tra 15 minuti: appuntamento #1")
    assert f"con <@{LUCA}>" in giulia.all_text()
    luca = await dm_saying(double, LUCA, "In 15 minutes: appointment #1")
    assert f"with <@{GIULIA}>" in luca.all_text()

    # The calendar feed's share: confirmed appointments of either side, as events a parser reads back.
    for user in (GIULIA, LUCA):
        (mine,) = await running.bot.services.appointments.for_feed(TeamId(TEAM), UserId(user))
        assert mine.id == 1
    event = render.calendar_event(mine)
    assert (event.uid, event.organizer) == (f"appointment-1-{TEAM}@ops-assistant", None)
    # Read untransformed: vobject would otherwise keep this file's (2026-only) Europe/Rome for every later file.
    parsed = vobject.readOne(feed("Luca", [event], stamp=running.clock.now()).decode(), transform=False)
    assert (parsed.vevent.dtstart.value, parsed.vevent.dtstart.params["TZID"]) == ("20261201T143000", ["Europe/Rome"])
    assert parsed.vevent.uid.value == f"appointment-1-{TEAM}@ops-assistant"


async def test_declined_and_another_time_proposed_and_accepted(running: RunningBot, double: SlackDouble) -> None:
    await command(double, GIULIA, PUBLISH)

    # Maria asks in Italian for tomorrow 16:00; Giulia declines; Maria is told and the slot is free again.
    asked = await command(double, MARIA, f"appuntamento prenota {at(GIULIA)} domani 16:00 riguardo ferie")
    assert "Richiesto a" in asked.all_text()
    request = await dm_saying(double, GIULIA, f"<@{MARIA}> chiede un appuntamento")
    assert "*Argomento:* ferie" in request.all_text()
    await double.send_block_action(GIULIA, render.DECLINE, message=request)
    told = await dm_saying(double, MARIA, "ha rifiutato il tuo appuntamento #1")
    assert f"<@{GIULIA}> ha rifiutato" in told.all_text()
    (row,) = await appointments(running)
    assert row.status == "declined"
    assert row.reminder_schedule_id is None
    # A second click from a screen that still shows the buttons changes nothing, and says why.
    await double.send_block_action(GIULIA, render.ACCEPT, message=request)
    await double.wait_for(
        lambda: next((e for e in double.ephemerals(GIULIA) if "non aspetta più questa risposta" in e.all_text()), None)
    )
    assert (await appointments(running))[0].status == "declined"

    # Sam asks for Wednesday 14:00 in Rome (13:00 in London); Giulia proposes 16:00 instead, in the form.
    await command(double, SAM, f"appointment book {at(GIULIA)} wednesday 13:00 about the rota")
    request = await dm_saying(double, GIULIA, f"<@{SAM}> chiede un appuntamento")
    await double.send_block_action(GIULIA, render.PROPOSE, message=request)
    (view,) = await double.wait_for(lambda: double.open_views(GIULIA) or None)
    assert view["title"]["text"] == "Un altro orario"
    empty = await double.send_view_submission(GIULIA, values={render.WHEN_BLOCK: {render.WHEN_ACTION: "domani"}})
    assert "manca l'ora" in empty.json()["errors"][render.WHEN_BLOCK]
    same = await double.send_view_submission(
        GIULIA, values={render.WHEN_BLOCK: {render.WHEN_ACTION: "mercoledì 14:00"}}
    )
    assert "già richiesto" in same.json()["errors"][render.WHEN_BLOCK]
    assert double.open_views(GIULIA)
    sent = await double.send_view_submission(
        GIULIA, values={render.WHEN_BLOCK: {render.WHEN_ACTION: "mercoledì alle 16"}}
    )
    assert sent.status == 200
    assert double.open_views(GIULIA) == []
    await double.wait_for(lambda: True if "Hai proposto" in latest(double, GIULIA, request.ts).all_text() else None)
    proposal = await dm_saying(double, SAM, "proposes")
    new_time = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert f"<!date^{int(new_time.timestamp())}^" in proposal.all_text()
    assert f"<!date^{int(datetime(2026, 12, 2, 13, 0, tzinfo=UTC).timestamp())}^" in proposal.all_text()
    (_, row) = await appointments(running)
    assert (row.status, row.starts_utc, row.previous_starts_utc) == (
        "proposed",
        new_time,
        datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
    )
    # Only Sam answers the other time.
    await double.send_block_action(LUCA, render.PROPOSAL_ACCEPT, message=proposal)
    assert (await appointments(running))[1].status == "proposed"

    await double.send_block_action(SAM, render.PROPOSAL_ACCEPT, message=proposal)
    await dm_saying(double, GIULIA, f"<@{SAM}> ha accettato")
    await double.wait_for(lambda: True if "You accepted" in latest(double, SAM, proposal.ts).all_text() else None)
    (_, row) = await appointments(running)
    assert (row.status, row.starts_utc) == ("confirmed", new_time)
    assert row.reminder_schedule_id is not None

    # Sam cancels: Giulia is told, and no reminder comes.
    cancelled = await command(double, SAM, "appointment cancel 2")
    assert "Cancelled appointment #2" in cancelled.all_text()
    await dm_saying(double, GIULIA, f"<@{SAM}> ha annullato l'appuntamento #2")
    assert (await appointments(running))[1].status == "cancelled"
    running.clock.set(datetime(2026, 12, 2, 14, 45, tzinfo=UTC))
    await running.tick()
    assert not any("15 minut" in m.all_text() for m in bot_dms(double, GIULIA) + bot_dms(double, SAM))


async def test_visitors_the_list_cancelling_and_refusals(running: RunningBot, double: SlackDouble) -> None:
    # Booking someone who has published no hours.
    none = await command(double, LUCA, f"appointment book {at(GIULIA)} tomorrow 9:00")
    assert f"<@{GIULIA}> has not published any bookable hours." in none.all_text()

    # Staff cannot publish hours or add visitors.
    staff = await command(double, LUCA, "appointments hours mon-fri 9:00-12:00 slot 30m")
    assert "manager" in staff.all_text()
    visitor = await command(double, LUCA, f"appointment add {at(GIULIA)} tomorrow 9:00 Bob Brown")
    assert "manager" in visitor.all_text()

    # Unreadable commands: an answer with a correct example, nothing stored.
    for text, example in (
        (f"appointment book {at(GIULIA)} someday 15:00", "/ops appointment book @giulia tomorrow 15:00"),
        (f"appointment book {at(GIULIA)} tomorrow", "/ops appointment book @giulia tomorrow 15:00"),
        ("appointment book tomorrow 15:00", "/ops appointment book @giulia tomorrow 15:00"),
        ("appointment frobnicate", "/ops appointment book @giulia tomorrow 15:00"),
        ("appointment cancel seven", "/ops appointment cancel 7"),
        ("appointments hours mon-fri 14:00 slot 30m", "/ops appointments hours mon-fri 14:00-17:00 slot 30m"),
        ("appointment add tomorrow 11:00", "/ops appointment add @giulia tomorrow 11:00 Mario Rossi"),
    ):
        reply = await command(double, LUCA if "hours" not in text else ALEX, text)
        assert f"Example: `{example}" in reply.all_text(), text
    assert await appointments(running) == []
    assert await stored_rows(running.bot.engine, select(AppointmentHoursRow)) == []

    # Giulia adds a visitor for herself: confirmed at once, name and phone kept.
    added = await command(
        double, GIULIA, "appuntamento aggiungi domani 11:00 Mario Rossi (fornitore) +39 333 1234567 riguardo fatture"
    )
    assert "Appuntamento #1 aggiunto: *Mario Rossi (fornitore)* (visitatore)" in added.all_text()
    (row,) = await appointments(running)
    assert (row.booker_id, row.status, row.visitor_name, row.visitor_phone, row.topic) == (
        None,
        "confirmed",
        "Mario Rossi (fornitore)",
        "+39 333 1234567",
        "fatture",
    )
    assert row.starts_utc == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    # Alex (an admin, so a manager) adds one for Giulia, in Tokyo's time: 19:00 there is 11:00 in Rome, taken.
    clash = await command(double, ALEX, f"appointment add {at(GIULIA)} tomorrow 19:00 Anna Neri about samples")
    assert f"<@{GIULIA}> already has appointment #1 then" in clash.all_text()
    await command(double, ALEX, f"appointment add {at(GIULIA)} tomorrow 20:00 Anna Neri about samples")
    told = await dm_saying(double, GIULIA, f"<@{ALEX}> ha aggiunto un appuntamento per te")
    assert "*Anna Neri* (visitatore)" in told.all_text()
    not_a_manager = await command(double, ALEX, f"appointment add {at(LUCA)} tomorrow 20:00 Anna Neri")
    assert f"<@{LUCA}> doesn't have the manager role" in not_a_manager.all_text()

    # Giulia's list: both visitors, with the phone.
    listed = await command(double, GIULIA, "appuntamento elenco")
    text = listed.all_text()
    assert "I tuoi prossimi appuntamenti (2)" in text
    assert "`#1`" in text
    assert "*Mario Rossi (fornitore)* (visitatore) \u2014 fatture (+39 333 1234567)" in text
    assert "*Anna Neri* (visitatore) \u2014 samples" in text

    # Bookings must be in the bookable hours, on the grid. Alex publishes them for Giulia, on her clock (Rome).
    await command(double, ALEX, f"appointments hours {at(GIULIA)} mon-fri 14:00-17:00 slot 30m")
    (hours,) = await stored_rows(running.bot.engine, select(AppointmentHoursRow))
    assert (hours.manager_id, hours.zone, hours.set_by) == (GIULIA, "Europe/Rome", ALEX)
    outside = await command(double, LUCA, f"appointment book {at(GIULIA)} tomorrow 14:00")
    assert f"is not one of <@{GIULIA}>'s bookable slots" in outside.all_text()
    off_grid = await command(double, LUCA, f"appointment book {at(GIULIA)} tomorrow 8:10")
    assert f"is not one of <@{GIULIA}>'s bookable slots" in off_grid.all_text()
    booked = await command(double, LUCA, f"appointment book {at(GIULIA)} tomorrow 9:00 about supplier contract")
    assert f"Asked <@{GIULIA}> for appointment #3" in booked.all_text()
    mine = await command(double, LUCA, "appointment list")
    assert "Your appointments to come (1)" in mine.all_text()
    assert "supplier contract _waiting for an answer_" in mine.all_text()

    # Cancelling: not someone else's; the booker's cancel tells the manager; a visitor's tells nobody.
    refused = await command(double, SAM, "appointment cancel 3")
    assert "isn't yours" in refused.all_text()
    await command(double, LUCA, "appointment cancel 3")
    await dm_saying(double, GIULIA, f"<@{LUCA}> ha annullato l'appuntamento #3")
    before = len(bot_dms(double, GIULIA))
    gone = await command(double, GIULIA, "appuntamento annulla 1")
    assert "Appuntamento #1 con *Mario Rossi (fornitore)* (visitatore) annullato" in gone.all_text()
    twice = await command(double, GIULIA, "appuntamento annulla 1")
    assert "annullato: non c'è niente da annullare" in twice.all_text()
    missing = await command(double, GIULIA, "appuntamento annulla 99")
    assert "Non esiste l'appuntamento #99." in missing.all_text()
    assert [row.status for row in await appointments(running)] == ["cancelled", "confirmed", "cancelled"]
    assert len(bot_dms(double, GIULIA)) == before

    # The hours can be withdrawn; bookings then stop.
    await command(double, GIULIA, "appuntamenti orari chiudi")
    closed = await command(double, LUCA, f"appointment slots {at(GIULIA)}")
    assert "has not published any bookable hours" in closed.all_text()


async def test_two_bookings_of_one_slot_at_once_give_it_to_one(running: RunningBot, double: SlackDouble) -> None:
    await command(double, GIULIA, PUBLISH)
    slots = await command(double, LUCA, f"appointment slots {at(GIULIA)} tomorrow")
    value = book_buttons(slots)[0]["value"]
    assert json.loads(value)["m"] == GIULIA
    maria_slots = await command(double, MARIA, f"appuntamento liberi {at(GIULIA)} domani")
    await asyncio.gather(
        double.send_block_action(LUCA, render.BOOK, value=value, message=slots),
        double.send_block_action(MARIA, render.BOOK, value=value, message=maria_slots),
    )
    await dm_saying(double, GIULIA, "chiede un appuntamento con te")
    (row,) = await appointments(running)
    loser, words = (
        (MARIA, "ha già l'appuntamento #1") if row.booker_id == LUCA else (LUCA, "already has appointment #1")
    )
    await double.wait_for(lambda: next((e for e in double.ephemerals(loser) if words in e.all_text()), None))
    assert len(bot_dms(double, GIULIA)) == 1
