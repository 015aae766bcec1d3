"""The App Home as each person's dashboard: a staff member's and a manager's, acting from its buttons, and kept
current after a change elsewhere that touches the person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select

from bot.sandbox.records import Message
from bot.sandbox.server import SlackDouble
from storage.models_tasks import TaskRow
from tests.e2e.conftest import ALEX, LUCA, MARIA, SAM, RunningBot
from tests.e2e.talk import command
from tests.stored import stored_rows

# The clock starts on Monday 2026-11-30 08:00 UTC (08:00 for Sam in London, 09:00 in Rome, 03:00 in New York).


def at(user: str) -> str:
    return f"<@{user}|someone>"


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot and not m.files]


async def invitation(double: SlackDouble, user: str, title: str) -> Message:
    return await double.wait_for(
        lambda: next(
            (m for m in bot_dms(double, user) if title in m.all_text() and "meeting_going" in str(m.blocks)), None
        )
    )


async def open_home(double: SlackDouble, user: str, showing: str) -> dict[str, Any]:
    """The person opens the Home tab: the view published once it shows `showing` (a change of the test's
    clock is seen only by a Home built after it, not by a refresh still under way from an earlier command)."""
    await double.send_app_home_opened(user)
    return await home_showing(double, user, showing)


async def home_showing(double: SlackDouble, user: str, text: str, *, present: bool = True) -> dict[str, Any]:
    """The person's Home once it (re)published with `text` in it (or, with present=False, without it)."""
    return await double.wait_for(
        lambda: view if (view := double.home_view(user)) is not None and (text in shown(view)) is present else None
    )


def shown(view: dict[str, Any]) -> str:
    """Every text of the view as a person reads it, one text object after another."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                texts.append(node["text"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(view["blocks"])
    return "\n".join(texts)


def line_with(text: str, fragment: str) -> str:
    return next(line for line in text.splitlines() if fragment in line)


def done_buttons(view: dict[str, Any]) -> dict[str, str]:
    """Each task's Done button in the Home: block id → the button's value (the task number)."""
    return {
        block["block_id"]: block["accessory"]["value"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == "home_task_done"
    }


async def tasks(running: RunningBot) -> list[Row[Any]]:
    return await stored_rows(running.bot.engine, select(TaskRow).order_by(TaskRow.number))


async def test_a_staff_members_home_is_their_dashboard(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, "config cases-channel <#C0CASES01|customer-cases>")
    await command(double, ALEX, f"meeting Supplier call with {at(SAM)} tomorrow 15:00")
    await command(double, ALEX, f"meeting Menu tasting with {at(SAM)} thursday 11:00 at Kitchen")
    await command(double, ALEX, f"shift add {at(SAM)} today 8:00-16:00 role bar")
    await double.send_block_action(SAM, "meeting_maybe", message=await invitation(double, SAM, "Supplier call"))
    await command(double, LUCA, f"task add Restock napkins {at(SAM)} due tomorrow 9:00 priority high")
    await command(double, SAM, "task add Order lemons due wednesday 12:00")
    await command(double, SAM, "task add Water the plants")
    await double.send_message_im(SAM, "remind me to call the supplier tomorrow at 10")
    await double.wait_for(lambda: next((m for m in bot_dms(double, SAM) if "call the supplier" in m.all_text()), None))
    await command(double, MARIA, "complaint Cold food served at table 4 — Anna Neri, +39 333 1234567, in person")
    await command(double, SAM, "case C-1 take")

    home = await open_home(double, SAM, "Cases assigned to you (1)")
    text = shown(home)
    assert len(home["blocks"]) <= 100
    # Today: my next shift (the shop's clock is Rome), who is on.
    assert "Your next shift: `#1` Mon 2026-11-30 08:00\u201316:00 (bar)" in text
    assert f"On shift now: <@{SAM}>" in text
    # Meetings this week with my answer: Maybe to one, not answered the other.
    assert "*Meetings and appointments*" in text
    supplier = line_with(text, "Supplier call")
    assert "Maybe" in supplier
    assert "<!date^" in supplier  # a Slack date token: each reader sees their own clock
    tasting = line_with(text, "Menu tasting")
    assert "Kitchen" in tasting
    assert "No answer yet" in tasting
    # My open tasks, due soonest first, those without a due time last, each with Done.
    assert "Your open tasks (3)" in text
    assert text.index("Restock napkins") < text.index("Order lemons") < text.index("Water the plants")
    assert set(done_buttons(home).values()) == {"1", "2", "3"}
    # My reminder, and the case I took with its target.
    assert "Your reminders (1)" in text
    assert "*call the supplier*" in text
    assert "Cases assigned to you (1)" in text
    case_line = line_with(text, "`C-1`")
    assert "Complaint" in case_line
    assert "in progress" in case_line
    assert "resolve by <!date^" in case_line
    # Buttons to create things; nothing of the team's for staff.
    actions = next(block for block in home["blocks"] if block.get("block_id") == "home_actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "home_new_task",
        "home_new_meeting",
        "home_new_case",
        "home_log_feedback",
    ]
    assert [e["text"]["text"] for e in actions["elements"]] == ["New task", "New meeting", "New case", "Log feedback"]
    assert "Team:" not in text


async def test_a_managers_home_adds_the_teams_overdue_tasks_and_breached_cases(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, ALEX, f"role {at(LUCA)} manager")
    await command(double, MARIA, "task add Clean the fridge due today 10:00")  # 09:00 UTC
    await command(double, LUCA, "task add Call the bank due today 4:00")  # 09:00 UTC
    await command(double, MARIA, "complaint Waited 40 minutes for a table high — Marco, phone")
    await command(double, SAM, "question Do you have gluten-free pasta? — from email anna@example.com")
    # Two hours later: both tasks are overdue, the high complaint missed its first response (one hour); the
    # question (normal: four hours) has not.
    running.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))

    home = await open_home(double, LUCA, "Team: cases past their target (1)")
    text = shown(home)
    assert "Team: overdue tasks (2)" in text
    fridge = line_with(text, "Clean the fridge")
    assert f"<@{MARIA}>" in fridge
    assert "overdue since" in fridge
    assert "Team: cases past their target (1)" in text
    breached = line_with(text, "`C-1`")
    assert "target missed" in breached
    assert "nobody yet" in breached
    assert "`C-2`" not in text  # a question's targets are not missed yet
    # Luca's own overdue task is his to close, with Done.
    assert "Your open tasks (1)" in text
    assert list(done_buttons(home).values()) == ["2"]

    # Staff see none of it; Maria reads her Home in Italian.
    maria = shown(await open_home(double, MARIA, "scaduta da"))
    assert "Squadra:" not in maria
    assert "Le tue attività aperte (1)" in maria
    assert "scaduta da" in maria


async def test_done_from_the_home_closes_the_task_and_republishes_the_home(
    running: RunningBot, double: SlackDouble
) -> None:
    await command(double, SAM, "task add Order lemons due tomorrow 12:00")
    await command(double, SAM, "task add Water the plants")
    home = await open_home(double, SAM, "Water the plants")
    assert done_buttons(home) == {"home_task:1": "1", "home_task:2": "2"}

    await double.send_block_action(SAM, "home_task_done", view=home, block_id="home_task:1")
    home = await home_showing(double, SAM, "Order lemons", present=False)
    assert "Your open tasks (1)" in shown(home)
    assert done_buttons(home) == {"home_task:2": "2"}
    first, second = await tasks(running)
    assert (first.status, first.done_by) == ("done", SAM)
    assert second.status == "open"

    # Pressing Done again on a Home that was out of date: told why, and shown the Home as it is now.
    await double.send_block_action(SAM, "home_task_done", "2", view=home, block_id="home_task:2")
    await home_showing(double, SAM, "Water the plants", present=False)
    await double.send_block_action(SAM, "home_task_done", "2", view=home, block_id="home_task:2")
    told = await double.wait_for(
        lambda: next((m for m in bot_dms(double, SAM) if "already done" in m.all_text()), None)
    )
    assert "#2" in told.all_text()
    assert (await tasks(running))[1].status == "done"


async def test_the_create_buttons_open_their_forms(running: RunningBot, double: SlackDouble) -> None:
    home = await open_home(double, SAM, "New task")
    forms = {  # the button → the form it opens (the commands' own forms): its callback id and title
        "home_new_task": ("task_create_modal", "New task"),
        "home_new_meeting": ("meeting_create_modal", "New meeting"),
        "home_new_case": ("case_new_modal", "Customer case"),
        "home_log_feedback": ("feedback_modal", "Customer feedback"),
    }
    for action_id, (callback_id, title) in forms.items():
        await double.send_block_action(SAM, action_id, view=home)
        modal = await double.wait_for(lambda: double.open_views(SAM)[-1] if double.open_views(SAM) else None)
        assert (modal["callback_id"], modal["title"]["text"]) == (callback_id, title)
        await double.send_view_closed(SAM)
        assert double.open_views(SAM) == []

    # New task, filled in and submitted: the task exists and the Home shows it.
    await double.send_block_action(SAM, "home_new_task", view=home)
    modal = await double.wait_for(lambda: double.open_views(SAM)[-1] if double.open_views(SAM) else None)
    assert modal["callback_id"] == "task_create_modal"
    await double.send_view_submission(SAM, values={"task_title": {"title": "Descale the coffee machine"}})
    home = await home_showing(double, SAM, "Descale the coffee machine")
    assert "Your open tasks (1)" in shown(home)
    (row,) = await tasks(running)
    assert (row.title, row.assignee) == ("Descale the coffee machine", SAM)


async def test_a_change_elsewhere_republishes_the_persons_home(running: RunningBot, double: SlackDouble) -> None:
    await open_home(double, SAM, "Your role")
    await command(double, LUCA, f"task add Restock napkins {at(SAM)} due tomorrow 9:00")
    home = await home_showing(double, SAM, "Restock napkins")  # Sam did not open the Home again
    assert done_buttons(home) == {"home_task:1": "1"}

    # Luca, who gave it, closes it: gone from Sam's Home too.
    await command(double, LUCA, "task done 1")
    await home_showing(double, SAM, "Restock napkins", present=False)

    # A case Sam takes, and a meeting Sam answers, show up without opening the Home.
    await command(double, MARIA, "complaint Cold food served at table 4 — Anna Neri, in person")
    await command(double, SAM, "case C-1 take")
    await home_showing(double, SAM, "Cases assigned to you (1)")
    await command(double, ALEX, f"meeting Supplier call with {at(SAM)} tomorrow 15:00")
    await home_showing(double, SAM, "Supplier call")
    await double.send_block_action(SAM, "meeting_going", message=await invitation(double, SAM, "Supplier call"))
    home = await home_showing(double, SAM, "Going")
    assert "No answer yet" not in shown(home)


async def test_no_home_is_published_for_someone_who_never_opened_it(running: RunningBot, double: SlackDouble) -> None:
    """Slack shows a Home only once its person opens it, and the opening builds it fresh: until then a change
    publishes nothing (each publish costs a whole dashboard)."""
    await command(double, LUCA, f"task add Restock napkins {at(SAM)} due tomorrow 9:00")
    await command(double, LUCA, "task done 1")
    assert [c.args.get("user_id") for c in double.calls_to("views.publish")] == []
    await open_home(double, SAM, "Your role")
    await command(double, LUCA, f"task add Fold the napkins {at(SAM)} due tomorrow 9:00")
    await home_showing(double, SAM, "Fold the napkins")
    assert {c.args.get("user_id") for c in double.calls_to("views.publish")} == {SAM}


async def test_a_full_home_stays_inside_slacks_limits(running: RunningBot, double: SlackDouble) -> None:
    await command(double, ALEX, f"role {at(LUCA)} manager")
    for number in range(1, 15):
        await command(double, LUCA, f"task add Check shelf {number} due today 4:00")
    running.clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    home = await open_home(double, LUCA, "Team: overdue tasks (14)")
    text = shown(home)
    assert len(home["blocks"]) <= 100
    assert "Your open tasks (14)" in text
    assert len(done_buttons(home)) == 10
    assert "…and 4 more" in text
    assert "Team: overdue tasks (14)" in text
