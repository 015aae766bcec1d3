"""Who works when, as people use it: `/ops hours`, `/ops away`, `/ops holiday` (and `orari`, `assenza`, `festivo`)
in English and Italian, each person's hours in their own time zone, and managers-only changes refused by role."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Row, select

from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_people import HolidayRow, TimeOffRow, WorkingHoursRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, RunningBot
from tests.e2e.talk import command
from tests.stored import stored_rows

# The clock fixture starts at Monday 2026-11-30 08:00 UTC (09:00 in Rome, 03:00 in New York, 08:00 in London).


def mention(user: str, name: str) -> str:
    return f"<@{user}|{name}>"


def token(instant: datetime, fallback: str, style: str = "{date_long_pretty} {time}") -> str:
    return f"<!date^{int(instant.timestamp())}^{style}|{fallback}>"


async def hours_rows(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(WorkingHoursRow).order_by(WorkingHoursRow.id))


async def time_off_rows(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(TimeOffRow).order_by(TimeOffRow.id))


async def holiday_rows(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(HolidayRow).order_by(HolidayRow.day))


async def audit_actions(running: RunningBot) -> list[str]:
    async with running.bot.engine.connect() as connection:
        return list(await connection.scalars(select(AuditLogRow.action).order_by(AuditLogRow.id)))


# ---- working hours ---------------------------------------------------------------------------------------------


async def test_hours_in_two_time_zones_are_shown_back_on_each_persons_clock(
    running: RunningBot, double: SlackDouble
) -> None:
    maria = await command(double, MARIA, "orari 10:00-18:00 lun-ven")
    assert "Il tuo orario di lavoro ora è *10:00\u201318:00, lun\u2013ven* (Europe/Rome)." in maria.all_text()
    # Today, 10:00 in Rome is 09:00 UTC: the token lets every reader see it in their own time.
    assert token(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "2026-11-30 10:00 CET") in maria.all_text()

    luca = await command(double, LUCA, "hours 9am-5pm mon to fri")
    assert "Your working hours are now *09:00\u201317:00, Mon\u2013Fri* (America/New_York)." in luca.all_text()
    assert token(datetime(2026, 11, 30, 14, 0, tzinfo=UTC), "2026-11-30 09:00 EST") in luca.all_text()

    shown = await command(double, LUCA, f"hours {mention(MARIA, 'maria')}")
    assert f"<@{MARIA}>'s working hours: *10:00\u201318:00, Mon\u2013Fri* (Europe/Rome)." in shown.all_text()
    assert token(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "2026-11-30 10:00 CET") in shown.all_text()
    in_italian = await command(double, MARIA, f"orari {mention(LUCA, 'luca')}")
    assert (
        f"Orario di lavoro di <@{LUCA}>: *09:00\u201317:00, lun\u2013ven* (America/New_York)." in in_italian.all_text()
    )

    rows = {row.user_id: row for row in await hours_rows(running)}
    assert (rows[MARIA].start_local, rows[MARIA].end_local, rows[MARIA].days, rows[MARIA].zone) == (
        time(10, 0),
        time(18, 0),
        "01234",
        "Europe/Rome",
    )
    assert (rows[LUCA].start_local, rows[LUCA].zone) == (time(9, 0), "America/New_York")

    # Changing them replaces the row.
    again = await command(double, MARIA, "orari dalle 9 alle 13 lun, mer e ven")
    assert "*09:00\u201313:00, lun, mer, ven*" in again.all_text()
    assert len(await hours_rows(running)) == 2
    assert await audit_actions(running) == ["hours.set", "hours.set", "hours.set"]


async def test_the_workspace_default_applies_in_each_persons_zone(running: RunningBot, double: SlackDouble) -> None:
    before = await command(double, SAM, "hours")
    assert "Your working hours: *09:00\u201317:00, Mon\u2013Fri* (Europe/London)." in before.all_text()
    assert "no hours set" in before.all_text()

    refused = await command(double, MARIA, "orari predefinito 8-16 lun-sab")
    assert "serve il ruolo amministratore" in refused.all_text()
    assert await hours_rows(running) == []

    changed = await command(double, ALEX, "hours default 8:00-16:00 mon-sat")
    assert "default working hours are now 08:00\u201316:00, Mon\u2013Sat" in changed.all_text()
    (row,) = await hours_rows(running)
    assert (row.user_id, row.zone, row.days) == ("", None, "012345")

    after = await command(double, SAM, "hours")
    assert "Your working hours: *08:00\u201316:00, Mon\u2013Sat* (Europe/London)." in after.all_text()
    assert "the workspace default" in after.all_text()
    assert "Set your own with `/ops hours 10:00-18:00 mon-fri`" in after.all_text()
    luca = await command(double, SAM, f"hours {mention(LUCA, 'luca')}")
    assert f"<@{LUCA}>'s working hours: *08:00\u201316:00, Mon\u2013Sat* (America/New_York)." in luca.all_text()
    assert "08:00\u201316:00, Mon\u2013Sat" in (await command(double, LUCA, "hours default")).all_text()


async def test_unreadable_hours_are_answered_with_an_example_and_nothing_is_stored(
    running: RunningBot, double: SlackDouble
) -> None:
    unreadable = await command(double, LUCA, "hours sometimes")
    assert "I couldn't read “sometimes” as working hours" in unreadable.all_text()
    assert "Example: `/ops hours 10:00-18:00 mon-fri`" in unreadable.all_text()
    backwards = await command(double, MARIA, "orari 18-10 lun-ven")
    assert "deve finire dopo l'inizio (18:00\u201310:00)" in backwards.all_text()
    assert "`/ops orari 10:00-18:00 lun-ven`" in backwards.all_text()
    bad_days = await command(double, LUCA, "hours 9-17 someday")
    assert "Example:" in bad_days.all_text()
    assert await hours_rows(running) == []
    assert await audit_actions(running) == []


# ---- time off --------------------------------------------------------------------------------------------------


async def test_away_for_myself_and_for_others_listing_and_cancelling(running: RunningBot, double: SlackDouble) -> None:
    maria = await command(double, MARIA, "assenza venerdì")
    assert "Preso nota: sei assente il ven 2026-12-04 (#1)." in maria.all_text()
    luca = await command(double, LUCA, "away friday to monday")
    assert "Noted: you're away from Fri 2026-12-04 to Mon 2026-12-07 (4 days) (#2)." in luca.all_text()

    refused = await command(double, MARIA, f"assenza {mention(LUCA, 'luca')} 2026-12-24 al 2026-12-26 ferie")
    assert "Per registrare un'assenza per un'altra persona serve il ruolo responsabile" in refused.all_text()
    assert len(await time_off_rows(running)) == 2

    giulia = await command(double, GIULIA, f"away {mention(LUCA, 'luca')} 2026-12-24 to 2026-12-26 holiday")
    assert f"Preso nota: <@{LUCA}> è assente dal gio 2026-12-24 al sab 2026-12-26 (3 giorni) (#3)." in giulia.all_text()
    assert "holiday" in giulia.all_text()

    rows = await time_off_rows(running)
    assert [(r.user_id, r.first_day, r.last_day, r.zone, r.reason) for r in rows] == [
        (MARIA, date(2026, 12, 4), date(2026, 12, 4), "Europe/Rome", ""),
        (LUCA, date(2026, 12, 4), date(2026, 12, 7), "America/New_York", ""),
        (LUCA, date(2026, 12, 24), date(2026, 12, 26), "America/New_York", "holiday"),
    ]
    # The instants are the local midnights, in UTC.
    assert (rows[2].starts_utc, rows[2].ends_utc) == (
        datetime(2026, 12, 24, 5, 0, tzinfo=UTC),
        datetime(2026, 12, 27, 5, 0, tzinfo=UTC),
    )
    assert rows[2].created_by == GIULIA

    listed = await command(double, LUCA, "away")
    assert "Time off coming up (3)" in listed.all_text()
    assert f"`#1` <@{MARIA}> \u2014 on Fri 2026-12-04" in listed.all_text()
    assert f"`#3` <@{LUCA}> \u2014 from Thu 2026-12-24 to Sat 2026-12-26 (3 days) \u2014 holiday" in listed.all_text()

    not_his = await command(double, LUCA, "away cancel 1")
    assert f"belongs to <@{MARIA}>" in not_his.all_text()
    cancelled = await command(double, MARIA, "assenza annulla 1")
    assert f"Assenza #1 annullata: <@{MARIA}>, il ven 2026-12-04." in cancelled.all_text()
    gone = await command(double, MARIA, "assenza annulla 1")
    assert "Non c'è nessuna assenza #1 da annullare." in gone.all_text()
    assert "Assenze in programma (2)" in (await command(double, MARIA, "assenza")).all_text()
    assert await audit_actions(running) == ["away.add", "away.add", "away.add", "away.cancel"]


async def test_bad_or_overlapping_time_off_is_answered_and_nothing_is_stored(
    running: RunningBot, double: SlackDouble
) -> None:
    unreadable = await command(double, LUCA, "away whenever")
    assert "I couldn't read “whenever” as a date." in unreadable.all_text()
    assert "Example: `/ops away friday to monday`" in unreadable.all_text()
    past = await command(double, MARIA, "assenza 2026-11-20")
    assert "Il 2026-11-20 è già passato." in past.all_text()
    assert "Esempio" in past.all_text()
    backwards = await command(double, LUCA, "away 2026-12-10 to 2026-12-08")
    assert "would end (2026-12-08) before it starts (2026-12-10)" in backwards.all_text()
    assert await time_off_rows(running) == []

    await command(double, LUCA, "away 2026-12-10 to 2026-12-12")
    overlap = await command(double, LUCA, "away 2026-12-12 to 2026-12-14")
    assert "overlaps time off #1" in overlap.all_text()
    assert len(await time_off_rows(running)) == 1
    assert "Nobody has time off coming up." not in (await command(double, SAM, "away")).all_text()


# ---- holidays --------------------------------------------------------------------------------------------------


async def test_holidays_add_list_remove_and_refusal_for_staff(running: RunningBot, double: SlackDouble) -> None:
    refused = await command(double, MARIA, "festivo aggiungi 2026-12-25 Natale")
    assert "serve il ruolo responsabile" in refused.all_text()
    assert await holiday_rows(running) == []

    added = await command(double, GIULIA, "holiday add 2026-12-25 Natale")
    assert "Giorno festivo aggiunto: *Natale*, ven 2026-12-25." in added.all_text()
    await command(double, GIULIA, "festivo aggiungi 26 dicembre Santo Stefano")
    duplicate = await command(double, ALEX, "holiday add 2026-12-26 Boxing Day")
    assert "2026-12-26 is already a holiday: *Santo Stefano*." in duplicate.all_text()

    listed = await command(double, LUCA, "holiday list")
    assert "Public holidays (2)" in listed.all_text()
    assert "• Fri 2026-12-25 \u2014 *Natale*\n• Sat 2026-12-26 \u2014 *Santo Stefano*" in listed.all_text()
    rows = await holiday_rows(running)
    assert [(r.day, r.name, r.zone, r.created_by) for r in rows] == [
        (date(2026, 12, 25), "Natale", "Europe/Rome", GIULIA),
        (date(2026, 12, 26), "Santo Stefano", "Europe/Rome", GIULIA),
    ]

    staff_remove = await command(double, LUCA, "holiday remove 2026-12-25")
    assert "you need the manager role" in staff_remove.all_text()
    removed = await command(double, ALEX, "holiday remove 2026-12-25")
    assert "Holiday removed: *Natale* on Fri 2026-12-25." in removed.all_text()
    missing = await command(double, ALEX, "holiday remove 2026-12-25")
    assert "2026-12-25 is not one of the workspace's holidays." in missing.all_text()
    assert "Giorni festivi (1)" in (await command(double, MARIA, "festivo")).all_text()
    assert await audit_actions(running) == ["holiday.add", "holiday.add", "holiday.remove"]

    no_name = await command(double, GIULIA, "holiday add 2027-01-06")
    assert "Dai un nome al giorno festivo" in no_name.all_text()
    unreadable = await command(double, GIULIA, "festivo aggiungi mai Natale")
    assert "Non riesco a leggere" in unreadable.all_text()
    assert "`/ops festivo aggiungi 2026-12-25 Natale`" in unreadable.all_text()
    assert len(await holiday_rows(running)) == 1
