"""`ops-assistant sandbox --seed demo`: a small restaurant's week, typed in by its people.

Trattoria's owner Giulia makes Maria the manager, sets the workspace up (time zone, channels, digests), puts the
staff on the rota and the team to work: tasks (two of them soon late, one recurring, one done), the Opening
checklist with a fridge reading, a staff meeting with its answers, customer cases in different states, feedback
and a suggestion, stock with a supplier and a draft reorder, this month's and last month's books, and a shift
handover. Everything goes through the Slack double's signed requests, exactly as the people would do it in Slack,
so the data is whatever the bot makes of it; a reply that is an error stops the seed with that reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble

GIULIA = "U0GIULIA1"  # owner
MARIA = "U0MARIA01"  # made manager by the seed
LUCA = "U0LUCA001"
SAM = "U0SAM0001"
OPS = "C0OPS0001"
CASES = "C0CASES01"
SHOP_ZONE = ZoneInfo("Europe/Rome")

# How far the seed moves a clock that can move, so that the tasks due within the hour are late.
LATE_BY = timedelta(hours=1)
# The item whose presence says the demo is already in the database.
MARKER_ITEM = "San Marzano tomatoes"

# How a reply says it could not do what was asked (bot/rendering/blocks.py: problem, unknown_command, apology).
_ERROR_MARKS = (":warning:", ":thinking_face:", ":face_with_head_bandage:")
_REPLY_TIMEOUT = 10.0


class SeedError(RuntimeError):
    """A step of the demo was refused: the seed stops rather than leave half a week behind."""


@runtime_checkable
class MovableClock(Clock, Protocol):
    def advance(self, delta: timedelta) -> object: ...


@dataclass
class _Reply:
    ephemerals: list[Ephemeral] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        parts = [e.all_text() for e in self.ephemerals] + [m.all_text() for m in self.messages]
        return "\n".join(parts)


def _mention(user: str) -> str:
    return f"<@{user}>"


def _is_error(ephemeral: Ephemeral) -> bool:
    if "dispatch_failed" in ephemeral.text:
        return True
    first = ephemeral.blocks[0] if ephemeral.blocks else None
    text = ""
    if isinstance(first, dict) and isinstance(first.get("text"), dict):
        text = str(first["text"].get("text", ""))
    return text.startswith(_ERROR_MARKS)


def _has_action(ephemeral: Ephemeral, action_id: str) -> bool:
    return any(
        element.get("action_id") == action_id
        for block in ephemeral.blocks
        for element in block.get("elements", ())
        if isinstance(element, dict)
    )


class _Seeder:
    def __init__(self, double: SlackDouble, clock: Clock) -> None:
        self._double = double
        self._clock = clock

    def today(self) -> date:
        return self._clock.now().astimezone(SHOP_ZONE).date()

    async def command(
        self, user: str, text: str, channel: str = OPS, *, view: bool = False, go_ahead: str | None = None
    ) -> _Reply:
        """`/ops <text>` typed by `user` in `channel`; waits for the answer (a modal when `view`) and checks it.

        A warning that offers the button `go_ahead` (a meeting's *Send anyway*) is answered by pressing it.
        """
        double = self._double
        ephemerals = len(double.ephemerals(user))
        messages = len(double.messages(channel))
        views = len(double.open_views(user))

        def answered() -> _Reply | None:
            reply = _Reply(
                ephemerals=double.ephemerals(user)[ephemerals:],
                messages=[m for m in double.messages(channel)[messages:] if m.from_bot],
                views=double.open_views(user)[views:],
            )
            if view:
                return reply if reply.views or reply.ephemerals else None
            return reply if reply.ephemerals or reply.messages else None

        await double.send_command(user, text, channel_id=channel)
        reply = await double.wait_for(answered, timeout=_REPLY_TIMEOUT)
        failed = [e for e in reply.ephemerals if _is_error(e)]
        if failed and go_ahead is not None and _has_action(failed[0], go_ahead):
            pressed = await double.send_block_action(user, go_ahead, message=failed[0])
            if pressed.status != 200:
                raise SeedError(f"{go_ahead} after /ops {text} (as {user}) failed: {pressed.status} {pressed.body}")
            return reply
        if failed:
            raise SeedError(f"/ops {text} (as {user}) was refused: {failed[0].all_text()}")
        if view and not reply.views:
            raise SeedError(f"/ops {text} (as {user}) opened no form: {reply.text()}")
        return reply

    async def press(self, user: str, action_id: str, value: str, channel: str) -> None:
        """`user` presses the newest button `action_id` they can see in `channel`."""
        reply = await self._double.send_block_action(user, action_id, value, channel_id=channel)
        if reply.status != 200:
            raise SeedError(f"{action_id} (as {user}) failed: {reply.status} {reply.body}")

    async def click_in_dm(self, user: str, action_id: str, needle: str) -> None:
        """`user` presses the button `action_id` on the newest message in their DM with the bot that has `needle`."""
        double = self._double

        def found() -> Message | None:
            return next((m for m in reversed(double.dm(user)) if m.from_bot and needle in m.all_text()), None)

        message = await double.wait_for(found, timeout=_REPLY_TIMEOUT)
        reply = await double.send_block_action(user, action_id, message=message)
        if reply.status != 200:
            raise SeedError(f"{action_id} on {needle!r} (as {user}) failed: {reply.status} {reply.body}")

    async def submit(self, user: str, values: dict[str, dict[str, Any]]) -> None:
        """`user` fills in their open form with `values` and presses its submit button; the form must close."""
        double = self._double

        def top() -> dict[str, Any] | None:
            views = double.open_views(user)
            return views[-1] if views else None

        form = await double.wait_for(top, timeout=_REPLY_TIMEOUT)
        reply = await double.send_view_submission(user, form, values)
        still_open = any(v["id"] == form["id"] for v in double.open_views(user))
        if reply.status != 200 or still_open:
            raise SeedError(f"the form {form.get('callback_id')} (as {user}) was refused: {reply.status} {reply.body}")

    async def write_to_bot(self, user: str, text: str) -> None:
        """`user` writes `text` in their DM with the bot and waits for its answer."""
        double = self._double
        before = len(double.dm(user))
        await double.send_message_im(user, text)

        def answered() -> Message | None:
            return next((m for m in double.dm(user)[before:] if m.from_bot), None)

        answer = await double.wait_for(answered, timeout=_REPLY_TIMEOUT)
        first = answer.blocks[0].get("text", {}).get("text", "") if answer.blocks else ""
        if isinstance(first, str) and first.startswith(_ERROR_MARKS):
            raise SeedError(f"{text!r} in {user}'s DM was refused: {answer.all_text()}")

    async def already_seeded(self) -> bool:
        reply = await self.command(GIULIA, "stock")
        return MARKER_ITEM in reply.text()


def _number(reply: _Reply, pattern: str, what: str) -> str:
    found = re.search(pattern, reply.text())
    if found is None:
        raise SeedError(f"no {what} in the reply: {reply.text()}")
    return found.group(1)


async def seed_demo(double: SlackDouble, clock: Clock) -> None:
    """Type in Trattoria's week through `double` (already connected to the running bot); a no-op the second time.

    Raises `SeedError` with the bot's answer when a step is refused. With a clock that can move (the sandbox's,
    a test's), the clock ends an hour on, so the tasks due within the hour are late.
    """
    seed = _Seeder(double, clock)
    if await seed.already_seeded():
        return
    for part in (_workspace, _rota, _tasks, _checklist, _meeting, _cases, _feedback, _stock, _books, _handover):
        await part(seed)
    await seed.command(GIULIA, "digest daily 08:00")
    await seed.command(GIULIA, "digest weekly monday 09:00")
    await seed.write_to_bot(GIULIA, "remind me to call the accountant tomorrow at 10")
    if isinstance(clock, MovableClock):
        clock.advance(LATE_BY)


async def _workspace(seed: _Seeder) -> None:
    """The owner sets the workspace up and makes Maria the manager."""
    await seed.command(GIULIA, f"role {_mention(MARIA)} manager")
    await seed.command(GIULIA, "config timezone Europe/Rome")
    await seed.command(GIULIA, "config cases-channel <#C0CASES01|customer-cases>")
    await seed.command(GIULIA, "config stock-channel <#C0OPS0001|ops>")
    await seed.command(GIULIA, "config digest-channel <#C0OPS0001|ops>")


async def _rota(seed: _Seeder) -> None:
    """The kitchen by day, the floor in the evening on weekdays, Sam at weekends."""
    await seed.command(GIULIA, f"shift add {_mention(MARIA)} every day 8:00-16:00 role kitchen")
    await seed.command(GIULIA, f"shift add {_mention(LUCA)} every weekday 16:00-23:00 role floor")
    await seed.command(GIULIA, f"shift add {_mention(SAM)} every weekend 11:00-22:00 role floor")


async def _tasks(seed: _Seeder) -> None:
    """Two due within the hour (late once the clock moves), one later today, tomorrow's, a recurring one, one done."""
    await seed.command(GIULIA, f"task add Check the freezer seals {_mention(MARIA)} due in 20 minutes priority high")
    await seed.command(LUCA, "task add Call the wine supplier due in 30 minutes")
    await seed.command(MARIA, "task add Order napkins and candles due in 3 hours")
    await seed.command(SAM, "task add Update the specials board due tomorrow 11:00")
    await seed.command(GIULIA, f"task add Clean the espresso machine {_mention(LUCA)} every weekday at 18:00")
    done = await seed.command(MARIA, "task add Sharpen the knives due in 2 days")
    await seed.command(MARIA, "task done " + _number(done, r"#(\d+)", "task number"))


async def _checklist(seed: _Seeder) -> None:
    """The Opening checklist, posted in #ops every morning, with a fridge temperature to read."""
    await seed.command(GIULIA, "checklist create Opening")
    await seed.command(GIULIA, "checklist add Opening Turn on the ovens")
    await seed.command(GIULIA, "checklist add Opening Fridge temperature number 0-5 °C")
    await seed.command(GIULIA, "checklist add Opening Check today's bookings")
    await seed.command(GIULIA, "checklist schedule Opening every day at 7:30 in <#C0OPS0001|ops> due 8:00")


async def _meeting(seed: _Seeder) -> None:
    """A room and tomorrow's staff meeting (sent even though Luca is on shift that day); Maria going, Luca maybe."""
    await seed.command(GIULIA, "room add Back room capacity 8")
    await seed.command(
        GIULIA,
        f"meeting Staff meeting with {_mention(MARIA)} {_mention(LUCA)} {_mention(SAM)} tomorrow at 15:00 for 45m"
        " at Back room",
        go_ahead="meeting_send_anyway",
    )
    await seed.click_in_dm(MARIA, "meeting_going", "Staff meeting")
    await seed.click_in_dm(LUCA, "meeting_maybe", "Staff meeting")


async def _cases(seed: _Seeder) -> None:
    """A complaint being handled, a question waiting on the customer, a complaint resolved with a voucher."""
    await seed.command(GIULIA, "answer add gluten-free Yes: gluten-free pasta every day, ask for it when you order.")
    await seed.command(SAM, "complaint Cold food served at table 4 high — Anna Neri, +39 333 1234567, in person", CASES)
    await seed.command(SAM, "case C-1 take", CASES)
    await seed.command(SAM, "case C-1 note Called Anna back, she will come again on Friday", CASES)
    await seed.command(GIULIA, "question Do you have gluten-free pasta? — from email anna@example.com", CASES)
    await seed.command(GIULIA, "case C-2 waiting", CASES)
    await seed.command(SAM, "complaint Waited 40 minutes for the bill #service — Marco, phone", CASES)
    await seed.command(SAM, "case C-3 take", CASES)
    await seed.press(SAM, "case_resolve", "3", CASES)
    await seed.submit(
        SAM,
        {
            "note": {"value": "Apologised on the phone; a voucher for their next dinner."},
            "offer": {"value": "voucher"},
            "amount": {"value": "15"},
        },
    )


async def _feedback(seed: _Seeder) -> None:
    await seed.command(LUCA, "feedback 4 slow service at lunch #service")
    await seed.command(SAM, "feedback 5 the best carbonara in town via review #food")
    await seed.command(MARIA, "feedback 2 pizza arrived cold via phone #food")
    await seed.command(GIULIA, "feedback 4 lovely evening, a bit noisy #ambience")
    await seed.command(MARIA, "suggest a second coffee machine for the morning rush")


async def _stock(seed: _Seeder) -> None:
    """Two suppliers, four items (two below their minimum after today), a delivery, and the draft reorder."""
    await seed.command(GIULIA, "stock supplier Molino Rossi email orders@molino.example lead 2 days")
    await seed.command(GIULIA, "stock supplier Orto Verde email ordini@ortoverde.example lead 1 day")
    await seed.command(GIULIA, "stock add flour 25 kg min 10 target 40 supplier Molino Rossi at kitchen")
    await seed.command(GIULIA, f"stock add {MARKER_ITEM} 4 kg min 10 target 20 supplier Orto Verde at kitchen")
    await seed.command(GIULIA, "stock add mozzarella 6 kg min 5 target 12 supplier Orto Verde at kitchen")
    await seed.command(GIULIA, "stock add espresso beans 8 kg min 2 target 10 at bar")
    await seed.command(MARIA, "stock use mozzarella 3 kg")
    await seed.command(MARIA, "stock receive flour 10 kg")
    await seed.command(GIULIA, "stock reorder")


async def _books(seed: _Seeder) -> None:
    """Last month's and this month's takings and costs, each on its own day (never after today)."""
    today = seed.today()
    first = today.replace(day=1)
    last_month = first - timedelta(days=1)

    def this_month(days_ago: int) -> str:
        return max(first, today - timedelta(days=days_ago)).isoformat()

    def last(day: int) -> str:
        return last_month.replace(day=day).isoformat()

    for text in (
        f"income 1180 dinner service {last(7)}",
        f"income 1420 weekend dinner service {last(14)}",
        f"income 960 lunch service {last(21)}",
        f"expense 640 flour and tomatoes #food {last(5)}",
        f"expense 1800 rent #rent {last(1)}",
        f"expense 210 electricity #utilities {last(20)}",
        f"income 1280 dinner service {this_month(6)}",
        f"income 1510 weekend dinner service {this_month(2)}",
        f"income 880 lunch service {this_month(1)}",
        f"expense 1800 rent #rent {first.isoformat()}",
        f"expense 420.50 flour and mozzarella #food {this_month(3)}",
        f"expense 42.50 cleaning supplies #cleaning {this_month(1)}",
    ):
        await seed.command(GIULIA, text)


async def _handover(seed: _Seeder) -> None:
    """Maria's shift handover, written in the template's form and posted in #ops."""
    await seed.command(MARIA, "doc new handover", view=True)
    await seed.submit(
        MARIA,
        {
            "doc_field_date": {"value": seed.today().isoformat()},
            "doc_field_shift": {"value": "Morning, kitchen"},
            "doc_field_handed_to": {"value": LUCA},
            "doc_field_done": {"value": "Prep for 40 covers; fridge at 3 °C; bread delivered."},
            "doc_field_open": {"value": "Mozzarella is low: the reorder waits for approval. Table 4: see C-1."},
            "doc_field_notes": {"value": "The espresso machine drips; Luca cleans it at 18:00."},
        },
    )
