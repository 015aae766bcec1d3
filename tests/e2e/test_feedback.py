"""Feedback as people use it: recorded by command (English and Italian) and by the form, the anonymous suggestion
box (nothing about who made a suggestion is stored, audit log included), and a manager's insights over a seeded
month: the message, and the chart uploaded as a PNG to their DM."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import Row, insert, select

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_cases import CaseRow
from storage.models_feedback import FeedbackRow, SuggestionRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, TEAM, RunningBot
from tests.e2e.talk import bot_dms
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC: 09:00 in Rome, the workspace's zone.
# Alex is an admin and reads English; Giulia (admin) and Maria (staff) read Italian; Luca and Sam are staff.
OPS = "C0OPS0001"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def command(double: SlackDouble, user: str, text: str, *, channel: str = OPS) -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


async def next_dm(double: SlackDouble, user: str, after: int) -> Message:
    return await double.wait_for(lambda: bot_dms(double, user)[after] if len(bot_dms(double, user)) > after else None)


async def feedback_rows(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(FeedbackRow).order_by(FeedbackRow.id))


async def suggestion_rows(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(SuggestionRow).order_by(SuggestionRow.id))


# ---- feedback ----------------------------------------------------------------------------------------------------


async def test_feedback_by_command_in_english_and_italian(running: RunningBot, double: SlackDouble) -> None:
    recorded = await command(double, LUCA, "feedback 4 slow service at lunch #service")
    assert "Feedback recorded: \u2605\u2605\u2605\u2605\u2606 4/5 \u201cslow service at lunch\u201d #service" in (
        recorded.all_text()
    )
    italian = await command(double, MARIA, "valutazione 2 servizio lento a pranzo via telefono #servizio #Cucina")
    assert (
        "Feedback registrato: \u2605\u2605\u2606\u2606\u2606 2/5 \u201cservizio lento a pranzo\u201d #servizio #cucina"
        " (telefono)" in italian.all_text()
    )
    assert "`/ops andamento`" in italian.all_text()

    first, second = await feedback_rows(running)
    assert (first.team_id, first.rating, first.text, first.tags, first.source) == (
        TEAM,
        4,
        "slow service at lunch",
        ",service,",
        "",
    )
    assert (first.recorded_by, first.created_at) == (LUCA, NOW)  # who heard it: the feedback is the customer's
    assert (second.rating, second.tags, second.source, second.recorded_by) == (2, ",servizio,cucina,", "phone", MARIA)

    unreadable = await command(double, SAM, "feedback great service")
    assert "The rating comes first and is a number from 1 to 5, not “great”." in unreadable.all_text()
    assert "Example: `/ops feedback 4 slow service at lunch #service`" in unreadable.all_text()
    too_high = await command(double, SAM, "feedback 6 wonderful")
    assert "not “6”" in too_high.all_text()
    assert len(await feedback_rows(running)) == 2  # a refused command changes nothing


async def test_feedback_by_the_form(running: RunningBot, double: SlackDouble) -> None:
    await double.send_command(SAM, "feedback")
    (view,) = await double.wait_for(lambda: double.open_views(SAM) or None)
    assert view["title"]["text"] == "Customer feedback"
    assert [block["label"]["text"] for block in view["blocks"]] == [
        "Rating",
        "What the customer said",
        "Tags",
        "Where from",
    ]
    sources = [option["text"]["text"] for option in view["blocks"][3]["element"]["options"]]
    assert sources == ["in person", "phone", "email", "review site"]

    missing = await double.send_view_submission(SAM, values={"feedback_text": {"text": "Lovely tiramisu"}})
    assert missing.json() == {"response_action": "errors", "errors": {"feedback_rating": "Pick a rating from 1 to 5."}}
    assert double.open_views(SAM)
    assert await feedback_rows(running) == []

    ok = await double.send_view_submission(
        SAM,
        values={
            "feedback_rating": {"rating": "5"},
            "feedback_text": {"text": "Lovely   tiramisu, friendly staff"},
            "feedback_tags": {"tags": "#dessert, staff"},
            "feedback_source": {"source": "review"},
        },
    )
    assert ok.status == 200
    assert double.open_views(SAM) == []
    confirmation = await next_dm(double, SAM, 0)
    assert "Feedback recorded: \u2605\u2605\u2605\u2605\u2605 5/5" in confirmation.all_text()
    assert "#dessert #staff (review site)" in confirmation.all_text()
    (row,) = await feedback_rows(running)
    assert (row.rating, row.text, row.tags, row.source, row.recorded_by) == (
        5,
        "Lovely tiramisu, friendly staff",
        ",dessert,staff,",
        "review",
        SAM,
    )


# ---- the suggestion box -------------------------------------------------------------------------------------------


async def test_a_suggestion_is_stored_without_its_author(running: RunningBot, double: SlackDouble) -> None:
    thanks = await command(double, SAM, "suggest a second coffee machine for the morning rush")
    assert "Thanks, recorded anonymously." in thanks.all_text()
    assert double.messages(OPS) == []  # the thanks is private, and nothing is posted where others read
    grazie = await command(double, MARIA, "suggerimento tende nuove in sala")
    assert "Grazie, registrato in forma anonima." in grazie.all_text()

    first, second = await suggestion_rows(running)
    # No author column at all, no author anywhere in the row, and only the day, not the time.
    assert set(first._mapping) == {"id", "team_id", "number", "text", "created_on", "status", "closed_by", "closed_at"}
    assert (first.number, first.text, first.created_on, first.status) == (
        1,
        "a second coffee machine for the morning rush",
        date(2026, 11, 30),
        "open",
    )
    assert (second.number, second.text) == (2, "tende nuove in sala")
    for row, author in ((first, SAM), (second, MARIA)):
        assert all(author not in str(value) for value in row._mapping.values())
    # Nor in the audit log: suggesting is not audited.
    audit = await stored_rows(running.bot.engine, select(AuditLogRow))
    assert all(entry.actor not in (SAM, MARIA) for entry in audit)
    assert all("suggest" not in entry.action for entry in audit)

    refused = await command(double, LUCA, "suggest list")
    assert "manager" in refused.all_text()
    listed = await command(double, ALEX, "suggest list")
    text = listed.all_text()
    assert "Open suggestions (2)" in text
    assert "`#2` tende nuove in sala _(2026-11-30)_\n`#1` a second coffee machine for the morning rush" in text
    assert SAM not in text
    assert MARIA not in text

    closed = await command(double, ALEX, "suggest done 1")
    assert "Suggestion #1 closed: a second coffee machine for the morning rush" in closed.all_text()
    again = await command(double, ALEX, "suggest done 1")
    assert "Suggestion #1 is already closed." in again.all_text()
    unknown = await command(double, ALEX, "suggest done 9")
    assert "There is no suggestion #9." in unknown.all_text()
    assert "Example: `/ops suggest list`" in unknown.all_text()
    first, _ = await suggestion_rows(running)
    assert (first.status, first.closed_by, first.closed_at) == ("done", ALEX, NOW)
    listed = await command(double, GIULIA, "suggerimento elenco")
    assert "Suggerimenti aperti (1)" in listed.all_text()
    assert "coffee machine" not in listed.all_text()

    empty = await command(double, SAM, "suggest")
    assert "Write the suggestion after the command." in empty.all_text()


# ---- insights over a seeded month ---------------------------------------------------------------------------------


def _at(day: int, hour: int, *, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _feedback(rating: int, at: datetime, text: str, tags: str, team: str = TEAM) -> dict[str, Any]:
    return {
        "team_id": team,
        "rating": rating,
        "text": text,
        "tags": tags,
        "source": "in_person",
        "recorded_by": LUCA,
        "created_at": at,
    }


def _case(
    number: int,
    category: str,
    arrived_by: str,
    created: datetime,
    description: str,
    *,
    responded: timedelta | None,
    resolved: timedelta | None,
    team: str = TEAM,
) -> dict[str, Any]:
    """A normal-severity case: first response due in 4 hours, resolution in 3 days."""
    return {
        "team_id": team,
        "number": number,
        "kind": "complaint",
        "status": "resolved" if resolved is not None else ("in_progress" if responded is not None else "open"),
        "severity": "normal",
        "category": category,
        "arrived_by": arrived_by,
        "customer_name": "Anna Neri",
        "customer_phone": "",
        "customer_email": "",
        "description": description,
        "created_by": LUCA,
        "created_at": created,
        "updated_at": created,
        "first_response_at": created + responded if responded is not None else None,
        "resolved_at": created + resolved if resolved is not None else None,
        "respond_by": created + timedelta(hours=4),
        "resolve_by": created + timedelta(days=3),
    }


async def seed_two_months(running: RunningBot) -> None:
    """October (the period before) and November so far, with known values, and another workspace's rows."""
    feedback = [
        # October: 4 and 2, average 3.0.
        _feedback(4, _at(5, 12, month=10), "Good food, slow service", ",food,"),
        _feedback(2, _at(20, 12, month=10), "Slow service at dinner", ",service,"),
        # After 09:00 on October 30th in Rome: past the same point of the month, so not compared.
        _feedback(1, _at(30, 9, month=10), "Terrible", ",service,"),
        # November: 4, 3, 5, 4, average 4.0.
        _feedback(4, _at(2, 12), "Slow service at lunch", ",service,"),
        _feedback(3, _at(2, 18), "The service was slow and the pasta cold", ",service,kitchen,"),
        _feedback(5, _at(15, 12), "Lovely tiramisu", ",kitchen,"),
        _feedback(4, _at(28, 19), "", ""),
        # Another workspace: never counted.
        _feedback(1, _at(10, 12), "awful awful pasta", ",pasta,", team="T0OTHER01"),
        _feedback(1, _at(11, 12), "awful pasta", ",pasta,", team="T0OTHER01"),
    ]
    cases = [
        # October: food and two of service, all in person; one first response late.
        _case(
            1,
            "food",
            "in_person",
            _at(3, 9, month=10),
            "Burnt pizza",
            responded=timedelta(hours=2),
            resolved=timedelta(days=1),
        ),
        _case(
            2,
            "service",
            "in_person",
            _at(8, 9, month=10),
            "Rude waiter",
            responded=timedelta(hours=6),
            resolved=timedelta(days=2),
        ),
        _case(
            3,
            "service",
            "in_person",
            _at(9, 9, month=10),
            "Long queue",
            responded=timedelta(hours=1),
            resolved=timedelta(days=1),
        ),
        # November: two about food (one resolved late) and one about cleaning, never answered.
        _case(
            4,
            "food",
            "in_person",
            _at(3, 9),
            "Cold pasta at table 4",
            responded=timedelta(minutes=30),
            resolved=timedelta(hours=5),
        ),
        _case(
            5,
            "food",
            "phone",
            _at(3, 10),
            "The pasta was cold again",
            responded=timedelta(hours=1),
            resolved=timedelta(days=4),
        ),
        _case(6, "cleaning", "email", _at(20, 9), "Dirty tables", responded=None, resolved=None),
        _case(1, "food", "phone", _at(12, 9), "Cold cold cold", responded=None, resolved=None, team="T0OTHER01"),
    ]
    async with running.bot.engine.begin() as connection:
        await connection.execute(insert(FeedbackRow), feedback)
        await connection.execute(insert(CaseRow), cases)


async def test_insights_over_a_seeded_month(running: RunningBot, double: SlackDouble) -> None:
    await seed_two_months(running)
    await command(double, SAM, "suggest a second coffee machine")
    await command(double, SAM, "suggest music at lower volume")

    refused = await command(double, LUCA, "insights")
    assert "To read the insights you need the manager role" in refused.all_text()

    shown = await command(double, ALEX, "insights month")
    text = shown.all_text()
    assert "Insights: this month" in text
    assert (
        "2026-11-01\u20132026-11-30 so far, compared with the same days of the period before "
        "(2026-10-01\u20132026-10-30) \u00b7 days on the shop's clock (Europe/Rome)"
    ) in text
    # The rating: 4.0 from 4 against 3.0 from 2.
    assert "Average *4.0*/5 from 4 feedback" in text
    assert "\u2191 +1.0 on the period before (3.0/5 from 2 feedback)" in text
    # Cases by category and by how they arrived, each with the change.
    assert "3 opened (\u00b10 on 3 the period before)" in text
    assert "*By category*\n\u2022 food: 2 (+1)\n\u2022 cleaning: 1 (+1)\n\u2022 service: 0 (\u22122)" in text
    assert "*How they arrived*\n\u2022 in person: 1 (\u22122)\n\u2022 email: 1 (+1)\n\u2022 phone: 1 (+1)" in text
    # Medians: first responses 30 min and 1 h; resolutions 5 h and 4 days. October: 2 h and 1 day.
    assert "First response: *45m* (before: 2h) \u00b7 resolution: *2d2h30m* (before: 1d)" in text
    # Targets: case 5 resolved late, case 6 never answered and open past both.
    assert (
        "2 cases (+1 on the period before): 1 first responses late, 2 resolutions late; 1 still open past a target."
    ) in text
    # Recurring tags and words (stop words gone; the other workspace's "awful pasta" not counted).
    assert "Tags: #kitchen \u00d72 \u00b7 #service \u00d72" in text
    assert "Words: cold \u00d73 \u00b7 pasta \u00d73 \u00b7 service \u00d72 \u00b7 slow \u00d72" in text
    assert "awful" not in text
    assert "Open suggestions: 2" in text
    assert "`#2` music at lower volume _(2026-11-30)_\n`#1` a second coffee machine _(2026-11-30)_" in text
    # Where to start.
    assert "More cases about *food* (1 more than the period before)" in text
    assert "2 cases missed a target" in text
    assert "A chart of the days is in your DM with me." in text
    assert len(shown.blocks) <= 50

    image = await double.wait_for(lambda: next((f for f in double.files if f.filename.endswith(".png")), None))
    assert image.filename == "insights-2026-11-01.png"
    assert image.title == "Insights 2026-11-01\u20132026-11-30"
    assert double.workspace.dm_channel_id(ALEX) in image.channels
    assert image.content.startswith(PNG_SIGNATURE)
    picture = Image.open(io.BytesIO(image.content))
    picture.load()
    assert picture.format == "PNG"
    assert picture.mode == "RGB"
    assert picture.width >= 30 * 22  # a column per day of November
    assert picture.height > 300


async def test_insights_in_italian_and_for_other_periods(running: RunningBot, double: SlackDouble) -> None:
    await seed_two_months(running)
    shown = await command(double, GIULIA, "andamento")
    text = shown.all_text()
    assert "Andamento: questo mese" in text
    assert "Media *4,0*/5 su 4 feedback" in text  # the Italian decimal comma
    assert "\u2191 +1,0 rispetto al periodo prima (3,0/5 su 2 feedback)" in text
    assert "\u2022 di persona: 1 (\u22122)" in text
    assert "Il grafico dei giorni è nella tua chat privata con me." in text
    image = await double.wait_for(lambda: next((f for f in double.files if f.filename.endswith(".png")), None))
    assert image.title == "Andamento 2026-11-01\u20132026-11-30"
    assert double.workspace.dm_channel_id(GIULIA) in image.channels

    last = await command(double, ALEX, "insights last month")
    text = last.all_text()
    assert "Insights: last month" in text
    assert "2026-10-01\u20132026-10-31, compared with 2026-09-01\u20132026-09-30" in text
    # All three of October's ratings this time (4, 2 and the 1 of October 30th).
    assert "Average *2.3*/5 from 3 feedback" in text
    assert "No feedback the period before to compare with." in text

    week = await command(double, ALEX, "insights week")  # Monday morning: this week has just begun
    assert "Insights: this week" in week.all_text()
    assert "No feedback in this period yet." in week.all_text()
    await command(double, LUCA, "feedback 5 great start to the week")
    week = await command(double, ALEX, "insights week")
    assert "Average *5.0*/5 from 1 feedback" in week.all_text()

    unknown = await command(double, ALEX, "insights year")
    assert "I don't know the period “year”" in unknown.all_text()
    assert "Example: `/ops insights month`" in unknown.all_text()
