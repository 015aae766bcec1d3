"""Saved answers as people use them: managers add, change and remove them (in English and Italian), staff cannot;
anyone lists them and searches them by words, accents or not, and gets the closest ones when nothing has every word;
what is stored and audited; and the search a new question case uses (`AnswerService.best`)."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.ids import TeamId
from bot.sandbox.records import Ephemeral
from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_answers import SavedAnswerRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, TEAM, RunningBot
from tests.stored import stored_rows

# Alex is an admin (so a manager) and reads English; Giulia is the owner and reads Italian; Sam, Luca and Maria
# are staff (Maria reads Italian).
OPS = "C0OPS0001"
OPENING = "We are open Tuesday to Sunday 12\u201315 and 19\u201323. Closed on Mondays."


async def command(double: SlackDouble, user: str, text: str) -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=OPS)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


async def stored(running: RunningBot) -> dict[str, str]:
    rows = await stored_rows(running.bot.engine, select(SavedAnswerRow).order_by(SavedAnswerRow.key))
    return {row.key: row.text for row in rows}


async def test_managers_save_answers_and_anyone_finds_them(running: RunningBot, double: SlackDouble) -> None:
    added = await command(double, ALEX, f"answer add opening-hours {OPENING}")
    assert "Saved answer `opening-hours` added." in added.all_text()
    assert OPENING in added.all_text()
    italian = await command(double, GIULIA, "risposta aggiungi Caffè Il caffè è compreso nel menù degustazione.")
    assert "Risposta salvata `caffe` aggiunta." in italian.all_text()
    await command(double, ALEX, "answers add wifi The wifi password is on the back of the menu.")
    await command(double, ALEX, "answer add parking Free parking behind the restaurant, open until midnight.")

    found = await command(double, SAM, "answer opening hours")
    assert "Saved answers for “opening hours” (1)" in found.all_text()
    assert OPENING in found.all_text()
    assert f"Last changed by <@{ALEX}>" in found.all_text()
    # The start of a word, any case, with or without accents.
    assert "Il caffè è compreso" in (await command(double, LUCA, "answer CAFFE")).all_text()
    assert "Il caffè è compreso" in (await command(double, MARIA, "risposta menu degustaz")).all_text()
    # Nothing has every word: the closest, best first.
    closest = await command(double, SAM, "answer are you open on sunday evening?")
    assert "No saved answer has all of “are you open on sunday evening?”; the closest (2)" in closest.all_text()
    assert closest.all_text().index("opening-hours") < closest.all_text().index("parking")
    none = await command(double, MARIA, "risposta pizza senza glutine")
    assert "Nessuna risposta salvata corrisponde a “pizza senza glutine”." in none.all_text()
    assert "/ops risposta aggiungi" in none.all_text()

    listed = await command(double, LUCA, "answer list")
    assert "Saved answers (4)" in listed.all_text()
    text = listed.all_text()
    assert text.index("`caffe`") < text.index("`opening-hours`") < text.index("`parking`") < text.index("`wifi`")
    assert "Elenco" not in listed.all_text()
    assert "Risposte salvate (4)" in (await command(double, MARIA, "risposte")).all_text()

    # What a new question case shows whoever handles it, and a reply starts from.
    best = await running.bot.services.answers.best(TeamId(TEAM), "Hello, is the coffee included? And the caffè?")
    assert [answer.key for answer in best] == ["caffe"]
    assert await running.bot.services.answers.best(TeamId("T0OTHER01"), "caffè") == []


async def test_edit_and_remove_and_what_is_refused(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"answer add opening-hours {OPENING}")

    again = await command(double, GIULIA, "risposta aggiungi opening-hours Sempre aperti")
    assert "Esiste già una risposta salvata `opening-hours`" in again.all_text()
    assert "/ops risposta modifica orari-apertura" in again.all_text()
    staff = await command(double, SAM, "answer add dogs Dogs are welcome")
    assert "To change the saved answers you need the manager role; yours is staff." in staff.all_text()
    staff_edit = await command(double, MARIA, "risposta modifica opening-hours Chiuso")
    assert "responsabile" in staff_edit.all_text()
    staff_remove = await command(double, LUCA, "answer remove opening-hours")
    assert "manager" in staff_remove.all_text()
    # The key is the first word, the answer the rest.
    first_word = await command(double, ALEX, "answer add opening hours! We are open")
    assert "Saved answer `opening` added." in first_word.all_text()
    bad = await command(double, ALEX, "answer add wi--fi Ask the staff")
    assert "`wi--fi` is not a key" in bad.all_text()
    assert "/ops answer add opening-hours" in bad.all_text()
    too_long = await command(double, ALEX, "answer add menu " + "x" * 2001)
    assert "That answer is 2001 characters long; at most 2000 fit." in too_long.all_text()
    no_text = await command(double, ALEX, "answer add menu")
    assert "What should `menu` say?" in no_text.all_text()
    assert await stored(running) == {"opening": "hours! We are open", "opening-hours": OPENING}

    edited = await command(double, ALEX, "answer edit Opening-Hours We are open every day 12\u201315 and 19\u201323.")
    assert "Saved answer `opening-hours` changed." in edited.all_text()
    assert "open every day" in (await command(double, SAM, "answer every day")).all_text()
    assert "No saved answer" in (await command(double, SAM, "answer mondays")).all_text()
    missing = await command(double, ALEX, "answer edit wifi Ask the staff")
    assert "There is no saved answer `wifi`." in missing.all_text()
    assert "/ops answer list" in missing.all_text()

    removed = await command(double, GIULIA, "risposta rimuovi opening")
    assert "Risposta salvata `opening` rimossa." in removed.all_text()
    assert "There is no saved answer `opening`." in (await command(double, ALEX, "answer remove opening")).all_text()
    assert await stored(running) == {"opening-hours": "We are open every day 12\u201315 and 19\u201323."}

    audited = await stored_rows(
        running.bot.engine, select(AuditLogRow).where(AuditLogRow.action.like("answer.%")).order_by(AuditLogRow.id)
    )
    assert [(row.actor, row.action, row.target) for row in audited] == [
        (ALEX, "answer.add", "opening-hours"),
        (ALEX, "answer.add", "opening"),
        (ALEX, "answer.edit", "opening-hours"),
        (GIULIA, "answer.remove", "opening"),
    ]
