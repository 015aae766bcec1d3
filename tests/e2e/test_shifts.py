"""The rota as people use it: shifts and weekly patterns (across a DST change), `/ops rota` as a message and a
PNG, `/ops onshift`, a CSV rota shared with the bot, duties DMed when a shift starts, swaps accepted and declined,
an open shift two people claim at once, cover while away, and holidays skipped by recurring tasks."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.models import DeliveryRow
from storage.models_shifts import DutyHandoutRow, ShiftRow, ShiftSwapRow
from storage.models_tasks import TaskRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot
from tests.e2e.talk import bot_dms
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC (09:00 in Rome, the workspace's zone and the rota's clock).
# Alex is an admin and reads English; Maria and Giulia read Italian; Sam and Luca English.
OPS = "C0OPS0001"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def at(user: str) -> str:
    return f"<@{user}|someone>"


async def command(double: SlackDouble, user: str, text: str, *, channel: str = OPS) -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


async def next_dm(double: SlackDouble, user: str, after: int) -> Message:
    return await double.wait_for(lambda: bot_dms(double, user)[after] if len(bot_dms(double, user)) > after else None)


async def shifts(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(ShiftRow).order_by(ShiftRow.starts_utc, ShiftRow.id))


# ---- shifts, patterns, list, onshift, rota ---------------------------------------------------------------------


async def test_a_weekly_pattern_keeps_its_local_times_across_the_dst_change(
    running: RunningBot, double: SlackDouble
) -> None:
    running.clock.set(datetime(2027, 3, 22, 8, 0, tzinfo=UTC))  # Monday; Europe's clocks go forward on the 28th
    await command(double, ALEX, "holiday add 2027-03-31 Patron saint")
    added = await command(double, ALEX, f"shift add {at(MARIA)} every weekday 7:00-15:00 role kitchen")
    assert f"Every Mon\u2013Fri, 07:00\u201315:00 (kitchen): <@{MARIA}> is on the rota (weekly pattern #1)" in (
        added.all_text()
    )
    assert "left out for public holidays: 2027-03-31" in added.all_text()

    rows = {row.day: row for row in await shifts(running)}
    # 07:00 in Rome is 06:00 UTC before the change and 05:00 UTC after it; the wall clock stays the same.
    assert (rows[date(2027, 3, 26)].starts_utc, rows[date(2027, 3, 26)].ends_utc) == (
        datetime(2027, 3, 26, 6, 0, tzinfo=UTC),
        datetime(2027, 3, 26, 14, 0, tzinfo=UTC),
    )
    assert (rows[date(2027, 3, 29)].starts_utc, rows[date(2027, 3, 29)].ends_utc) == (
        datetime(2027, 3, 29, 5, 0, tzinfo=UTC),
        datetime(2027, 3, 29, 13, 0, tzinfo=UTC),
    )
    assert date(2027, 3, 31) not in rows  # the holiday
    assert date(2027, 3, 27) not in rows
    assert date(2027, 3, 28) not in rows
    assert {row.role for row in rows.values()} == {"kitchen"}
    assert max(rows) == date(2027, 5, 17)  # eight weeks ahead
    # Today's shift is under way (it is 09:00 in Rome): it is on the rota, but its start has passed.
    assert rows[date(2027, 3, 22)].start_schedule_id is None
    assert all(row.start_schedule_id is not None for day, row in rows.items() if day > date(2027, 3, 22))

    listed = await command(double, MARIA, "turno elenco")
    assert "I tuoi turni, prossime due settimane (10)" in listed.all_text()
    assert "lun 2027-03-29 07:00\u201315:00 (kitchen)" in listed.all_text()

    running.clock.set(datetime(2027, 3, 29, 5, 30, tzinfo=UTC))  # 07:30 in Rome, summer time
    on = await command(double, LUCA, "onshift kitchen")
    assert "On shift now as kitchen (1)" in on.all_text()
    assert f"<@{MARIA}> 07:00\u201315:00" in on.all_text()
    assert "Nobody is on shift as bar right now." in (await command(double, LUCA, "onshift bar")).all_text()
    await double.send_message_im(GIULIA, "chi è di turno in cucina?")
    asked = await next_dm(double, GIULIA, 0)
    assert "Al momento nessuno è in turno come cucina." in asked.all_text()  # roles are named as the rota names them
    await double.send_message_im(SAM, "who's on shift in the kitchen?")
    assert f"<@{MARIA}> 07:00\u201315:00" in (await next_dm(double, SAM, 0)).all_text()

    # Two weeks on, the pattern is topped up to its horizon again: two weeks of new shifts.
    running.clock.set(datetime(2027, 4, 5, 8, 0, tzinfo=UTC))
    assert await running.bot.services.shifts.extend_patterns() == 10
    assert max(row.day for row in await shifts(running)) == date(2027, 5, 31)
    assert await running.bot.services.shifts.extend_patterns() == 0

    stopped = await command(double, ALEX, "shift stop 1")
    assert f"Weekly pattern #1 for <@{MARIA}> stopped" in stopped.all_text()
    assert all(row.status == "cancelled" for row in await shifts(running) if row.starts_utc > running.clock.now())


async def test_one_shift_the_rota_as_message_and_png_and_refusals(running: RunningBot, double: SlackDouble) -> None:
    added = await command(double, ALEX, f"shift add {at(MARIA)} friday 7:00-15:00 role kitchen")
    assert f"Added shift `#1` Fri 2026-12-04 07:00\u201315:00 <@{MARIA}> (kitchen)." in added.all_text()
    assert "Times are on the shop's clock (Europe/Rome)." in added.all_text()
    await command(double, ALEX, f"shift add {at(SAM)} friday 22:00-06:00 role bar")  # past midnight
    await command(double, MARIA, "assenza 2026-12-03")

    clash = await command(double, ALEX, f"shift add {at(MARIA)} friday 14:00-18:00")
    assert f"<@{MARIA}> already works then (shift #1)." in clash.all_text()
    away = await command(double, ALEX, f"shift add {at(MARIA)} thursday 9-13")
    assert f"<@{MARIA}> is on time off then." in away.all_text()
    staff = await command(double, SAM, f"shift add {at(SAM)} saturday 9-13")
    assert "manager" in staff.all_text()
    unreadable = await command(double, ALEX, f"shift add {at(SAM)} someday 9-13")
    assert "Example: `/ops shift add @maria friday 7:00-15:00 role kitchen`" in unreadable.all_text()
    no_times = await command(double, ALEX, f"shift add {at(SAM)} saturday")
    assert "I found no times in “saturday”" in no_times.all_text()
    assert len(await shifts(running)) == 2
    night = (await shifts(running))[1]
    assert (night.starts_utc, night.ends_utc) == (
        datetime(2026, 12, 4, 21, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 5, 0, tzinfo=UTC),
    )

    rota = await command(double, LUCA, "rota")
    text = rota.all_text()
    assert "Rota 2026-11-30 to 2026-12-06" in text
    assert f"*Fri 2026-12-04*\n`#1` 07:00\u201315:00 <@{MARIA}> (kitchen)\n`#2` 22:00\u201306:00 <@{SAM}> (bar)" in text
    assert f"Away: <@{MARIA}>" in text  # Thursday
    image = await double.wait_for(lambda: next((f for f in double.files if f.filename.endswith(".png")), None))
    assert image.filename == "rota-2026-11-30.png"
    assert image.content.startswith(PNG_SIGNATURE)
    assert double.workspace.dm_channel_id(LUCA) in image.channels

    next_week = await command(double, LUCA, "rota next week")
    assert "Rota 2026-12-07 to 2026-12-13" in next_week.all_text()
    bad_week = await command(double, LUCA, "rota someday")
    assert "Example: `/ops rota next week`" in bad_week.all_text()

    cancelled = await command(double, ALEX, "shift cancel 2")
    assert "Cancelled shift `#2`" in cancelled.all_text()
    (left,) = [row for row in await shifts(running) if row.status != "cancelled"]
    assert left.id == 1


# ---- importing a rota ------------------------------------------------------------------------------------------

ROTA_CSV = (
    b"date,start,end,person,role\n"
    b"2026-12-03,07:00,15:00,Maria Rossi,kitchen\n"
    b"2026-12-03,09:00,17:00,sam,bar\n"
    b"2026-13-01,07:00,15:00,Luca Verdi,kitchen\n"
    b"2026-12-04,07:00,15:00,Nobody Here,kitchen\n"
    b"04/12/2026,10:00,18:00,luca@ops-demo.example,floor\n"
)


async def test_a_rota_csv_keeps_the_good_rows_and_reports_the_bad_ones_by_line(
    running: RunningBot, double: SlackDouble
) -> None:
    await double.send_file_share_im(ALEX, "rota.csv", ROTA_CSV, text="import this rota please")
    report = await next_dm(double, ALEX, 0)
    assert "Imported rota.csv: 3 shifts added, 2 lines refused." in report.all_text()
    assert "Line 4:" in report.all_text()
    assert "2026-13-01" in report.all_text()
    assert "Line 5: nobody in this workspace is called Nobody Here" in report.all_text()
    stored = await shifts(running)
    assert [(row.user_id, row.day, row.role) for row in stored] == [
        (MARIA, date(2026, 12, 3), "kitchen"),
        (SAM, date(2026, 12, 3), "bar"),
        (LUCA, date(2026, 12, 4), "floor"),
    ]

    # Shared without a word: kept; `/ops shift import` then reads it, and only once.
    await double.send_file_share_im(
        ALEX, "rota-2.csv", b"data;inizio;fine;persona;ruolo\n05/12/2026;8;14;Maria Rossi;cucina\n"
    )
    noted = await next_dm(double, ALEX, 1)
    assert "Got rota-2.csv. A manager imports it as the rota with `/ops shift import`." in noted.all_text()
    refused = await command(double, MARIA, "shift import")
    assert "responsabile" in refused.all_text()
    await double.send_command(ALEX, "shift import")
    done = await double.wait_for(
        lambda: next((e for e in double.ephemerals(ALEX) if "Imported rota-2.csv" in e.all_text()), None)
    )
    assert "1 shifts added, 0 lines refused" in done.all_text()
    assert len(await shifts(running)) == 4
    again = await command(double, ALEX, "shift import")
    assert "Share the rota as a CSV file with me in a direct message first" in again.all_text()

    unreadable = b"\x00\x01binary"
    await double.send_file_share_im(ALEX, "broken.csv", unreadable, text="import")
    broken = await next_dm(double, ALEX, 2)
    assert "I could not read broken.csv" in broken.all_text()
    assert len(await shifts(running)) == 4


# ---- duties at the start of a shift ----------------------------------------------------------------------------


async def test_a_checklist_and_a_task_go_to_whoever_starts_the_shift(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "checklist create Opening")
    await command(double, ALEX, "checklist add Opening Turn on the ovens")
    await command(double, ALEX, "checklist add Opening Fridge temperature number 0-5 °C")
    duty = await command(double, ALEX, "shift duty add kitchen checklist Opening")
    assert "Duty added: `#1` Checklist *Opening* \u2014 whoever starts a kitchen shift first, every day" in (
        duty.all_text()
    )
    await command(double, ALEX, "shift duty add anyone task Count the till every weekday")
    listing = await command(double, ALEX, "shift duty")
    assert "Shift duties (2)" in listing.all_text()
    assert "Example:" in (await command(double, ALEX, "shift duty add kitchen checklist Closing")).all_text()

    await command(double, ALEX, f"shift add {at(MARIA)} tuesday 7:00-15:00 role kitchen")
    await command(double, ALEX, f"shift add {at(SAM)} tuesday 9:00-17:00 role bar")

    running.clock.set(datetime(2026, 12, 1, 5, 59, tzinfo=UTC))
    await running.tick()
    assert bot_dms(double, MARIA) == []
    running.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))  # 07:00 in Rome: Maria's shift starts
    await running.tick()
    start = await next_dm(double, MARIA, 0)
    assert "Il tuo turno 07:00\u201315:00 (kitchen) inizia ora. Per te oggi: 2." in start.all_text()
    assert "Attività #1: Count the till" in start.all_text()
    checklist = await next_dm(double, MARIA, 1)
    assert "Opening" in checklist.all_text()
    ovens = next(b for b in checklist.blocks if "Turn on the ovens" in str(b))
    await double.send_block_action(MARIA, "checklist_tick", message=checklist, block_id=str(ovens["block_id"]))
    await double.wait_for(
        lambda: True if f"<@{MARIA}>" in next(m for m in double.dm(MARIA) if m.ts == checklist.ts).all_text() else None
    )

    (task,) = await stored_rows(running.bot.engine, select(TaskRow))
    assert (task.title, task.assignee, task.due_utc) == (
        "Count the till",
        MARIA,
        datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
    )
    # Sam starts later, on the bar: the kitchen checklist is not his, and the day's task is Maria's already.
    running.clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    await running.tick()
    assert bot_dms(double, SAM) == []
    handouts = await stored_rows(running.bot.engine, select(DutyHandoutRow).order_by(DutyHandoutRow.duty_id))
    assert [(h.duty_id, h.user_id, h.day, h.task_id is None, h.run_id is None) for h in handouts] == [
        (1, MARIA, date(2026, 12, 1), True, False),
        (2, MARIA, date(2026, 12, 1), False, True),
    ]
    removed = await command(double, ALEX, "shift duty remove 2")
    assert "Duty removed" in removed.all_text()


# ---- swaps -----------------------------------------------------------------------------------------------------


async def test_a_swap_accepted_moves_the_shift_and_a_swap_declined_does_not(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, ALEX, f"shift add {at(MARIA)} thursday 7:00-15:00 role kitchen")
    await command(double, ALEX, f"shift add {at(MARIA)} friday 7:00-15:00 role kitchen")

    asked = await command(double, MARIA, f"turno scambia 1 con {at(SAM)}")
    assert f"Ho chiesto a <@{SAM}> di prendere il turno #1" in asked.all_text()
    request = await next_dm(double, SAM, 0)
    assert f"<@{MARIA}> asks whether you can take their shift `#1` Thu 2026-12-03 07:00\u201315:00" in (
        request.all_text()
    )
    await double.send_block_action(SAM, "shift_swap_accept", message=request)
    answered = await double.wait_for(
        lambda: m if "You took the shift" in (m := bot_dms(double, SAM)[0]).all_text() else None
    )
    assert "Accept" not in str(answered.blocks)
    told = await next_dm(double, MARIA, 0)
    assert f"<@{SAM}> ha accettato: il turno `#1`" in told.all_text()
    manager = await next_dm(double, ALEX, 0)
    assert f"Rota change: <@{SAM}> now works `#1` Thu 2026-12-03 07:00\u201315:00 (kitchen) instead of <@{MARIA}>" in (
        manager.all_text()
    )
    first, second = await shifts(running)
    assert (first.user_id, second.user_id) == (SAM, MARIA)

    # Only the person asked can answer; a second answer is refused.
    await command(double, MARIA, f"turno scambia 2 con {at(LUCA)}")
    request = await next_dm(double, LUCA, 0)
    await double.send_block_action(SAM, "shift_swap_accept", message=request)
    wrong = await double.wait_for(lambda: next((e for e in double.ephemerals(SAM) if "not you" in e.all_text()), None))
    assert f"This swap was asked of <@{LUCA}>, not you." in wrong.all_text()
    await double.send_block_action(LUCA, "shift_swap_decline", message=request)
    declined = await next_dm(double, MARIA, 1)
    assert f"<@{LUCA}> non può prendere il turno `#2`" in declined.all_text()
    assert len(bot_dms(double, ALEX)) == 1  # nothing changed: the manager is not bothered
    first, second = await shifts(running)
    assert (first.user_id, second.user_id) == (SAM, MARIA)
    swaps = await stored_rows(running.bot.engine, select(ShiftSwapRow).order_by(ShiftSwapRow.id))
    assert [(s.shift_id, s.to_user, s.status) for s in swaps] == [(1, SAM, "accepted"), (2, LUCA, "declined")]

    self_swap = await command(double, SAM, f"shift swap 2 with {at(SAM)}")
    assert "manager" in self_swap.all_text()  # not his shift to give away


# ---- open shifts -----------------------------------------------------------------------------------------------


async def test_an_open_shift_claimed_by_two_at_once_goes_to_exactly_one(
    running: RunningBot, double: SlackDouble
) -> None:
    # Maria and Sam both work in the kitchen this week, so both may claim a kitchen shift; Luca does not.
    await command(double, ALEX, f"shift add {at(MARIA)} wednesday 7:00-15:00 role kitchen")
    await command(double, ALEX, f"shift add {at(SAM)} wednesday 15:00-22:00 role kitchen")
    opened = await command(double, ALEX, "shift open saturday 9:00-17:00 role kitchen")
    assert "Posted open shift #3" in opened.all_text()
    post = await double.wait_for(lambda: next((m for m in double.messages(OPS) if m.from_bot), None))
    assert "Open shift: `#3` Sat 2026-12-05 09:00\u201317:00 (kitchen). Who can take it?" in post.all_text()

    await double.send_block_action(LUCA, "shift_claim", message=post)
    refused = await double.wait_for(lambda: double.ephemerals(LUCA)[-1] if double.ephemerals(LUCA) else None)
    assert "Shift #3 is for kitchen, and you have not worked as kitchen lately." in refused.all_text()

    await asyncio.gather(
        double.send_block_action(MARIA, "shift_claim", message=post),
        double.send_block_action(SAM, "shift_claim", message=post),
    )

    def answers() -> list[str] | None:
        shown = [e.all_text() for user in (MARIA, SAM) for e in double.ephemerals(user)]
        return shown if len(shown) == 2 else None

    shown = await double.wait_for(answers)
    won = [text for text in shown if "È tuo" in text or "It's yours" in text]
    lost = [text for text in shown if "Troppo tardi" in text or "Too late" in text]
    assert (len(won), len(lost)) == (1, 1)
    claimed = next(row for row in await shifts(running) if row.id == 3)
    assert claimed.status == "scheduled"
    assert claimed.user_id in (MARIA, SAM)
    assert claimed.start_schedule_id is not None
    winner = claimed.user_id
    updated = await double.wait_for(
        lambda: m if "taken by" in (m := next(x for x in double.messages(OPS) if x.ts == post.ts)).all_text() else None
    )
    assert f"taken by <@{winner}>" in updated.all_text()
    assert "shift_claim" not in str(updated.blocks)
    told = await next_dm(double, ALEX, 0)
    assert f"<@{winner}> took the open shift `#3`" in told.all_text()


# ---- cover and holidays ----------------------------------------------------------------------------------------


async def test_while_away_with_a_cover_the_reminders_go_to_the_cover(running: RunningBot, double: SlackDouble) -> None:
    await double.send_message_im(MARIA, "ricordami di chiamare il commercialista tra 1 ora")
    await next_dm(double, MARIA, 0)
    away = await command(double, MARIA, f"assenza 2026-11-30 a 2026-12-02 ferie sostituto {at(SAM)}")
    assert f"sostituito da <@{SAM}>" in away.all_text()

    running.clock.advance(timedelta(hours=1))
    await running.tick()
    covered = await next_dm(double, SAM, 0)
    assert f"You are covering for <@{MARIA}>, who is away until" in covered.all_text()
    assert "chiamare il commercialista" in covered.all_text()
    assert len(bot_dms(double, MARIA)) == 1
    (delivery,) = await stored_rows(running.bot.engine, select(DeliveryRow))
    assert delivery.status == "sent"


async def test_recurring_tasks_skip_public_holidays(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "holiday add 2026-12-08 Immacolata")
    await command(double, LUCA, "task add Clean the fryer every day at 18:00")
    # Each occurrence comes when the one before is done: done up to the 7th, the next is the 9th, not the 8th.
    for number in range(1, 9):
        assert "Example" not in (await command(double, LUCA, f"task done {number}")).all_text()
    rows = await stored_rows(running.bot.engine, select(TaskRow).order_by(TaskRow.id))
    local_days = [row.due_utc.astimezone(UTC).date() for row in rows]
    assert local_days[0] == date(2026, 11, 30)
    assert local_days[-2:] == [date(2026, 12, 7), date(2026, 12, 9)]
    assert date(2026, 12, 8) not in local_days
    assert {row.title for row in rows} == {"Clean the fryer"}


async def test_the_app_home_shows_my_next_shift_who_is_on_and_who_is_away(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, ALEX, f"shift add {at(SAM)} today 8:00-16:00 role bar")  # 08:00 to 16:00 in Rome
    await command(double, ALEX, f"shift add {at(MARIA)} tomorrow 7:00-15:00 role kitchen")
    await command(double, LUCA, "away today")
    await double.send_app_home_opened(SAM)
    home = str(await double.wait_for(lambda: double.home_view(SAM)))
    assert "Your next shift: `#1` Mon 2026-11-30 08:00\u201316:00 (bar)" in home
    assert f"On shift now: <@{SAM}> 08:00\u201316:00" in home
    assert f"Away today: <@{LUCA}>" in home
    await double.send_app_home_opened(MARIA)
    home = str(await double.wait_for(lambda: double.home_view(MARIA)))
    assert "Il tuo prossimo turno: `#2` mar 2026-12-01 07:00\u201315:00 (kitchen)" in home
