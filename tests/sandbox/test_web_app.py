"""The sandbox page's JSON API end to end: the real bot, the Slack double and the page, on loopback.

What a person does on the page goes through the double's signed HTTP path to the bot; these tests drive the
API as the page's script does and read back what the page would show.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.__main__ import main
from bot.config import Settings
from bot.i18n import translator
from bot.sandbox.clock import SandboxClock
from bot.sandbox.runner import Sandbox, sandbox
from bot.sandbox.web.app import slack_text
from bot.sandbox.workspace import Workspace

LUCA = "U0LUCA001"  # staff, America/New_York, en-US
GIULIA = "U0GIULIA1"  # owner, Europe/Rome, it-IT
OPS = "C0OPS0001"
LUCA_DM = "D0LUCA001"


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Sandbox]:
    base = Settings(_env_file=None, ops_default_timezone="Europe/Rome", ops_language="en")
    async with sandbox(
        base, translator().bind("en"), port=0, database_url=f"sqlite:///{tmp_path / 'sandbox.db'}"
    ) as started:
        yield started


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Page:
    """The page's calls, as its script makes them."""

    def __init__(self, running: Sandbox, http: aiohttp.ClientSession) -> None:
        self.url = running.url
        self.http = http

    async def state(self, person: str, conversation: str, **extra: str) -> dict[str, Any]:
        params = {"person": person, "conversation": conversation, **extra}
        async with self.http.get(self.url + "api/state", params=params) as response:
            assert response.status == 200, await response.text()
            answer: dict[str, Any] = await response.json()
            return answer

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        async with self.http.post(self.url + path, json=body) as response:
            assert response.status == status, await response.text()
            answer: dict[str, Any] = await response.json()
            return answer


@pytest.fixture
def page(running: Sandbox, http: aiohttp.ClientSession) -> Page:
    return Page(running, http)


def _attributes(html: str, action_id: str) -> dict[str, str]:
    found = re.search(rf'<button[^>]*data-action-id="{re.escape(action_id)}"[^>]*>', html)
    assert found, f"no {action_id} button in {html}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found.group(0)))


async def test_the_page_is_served_with_its_parts(page: Page, http: aiohttp.ClientSession) -> None:
    async with http.get(page.url) as response:
        body = await response.text()
    assert response.status == 200
    for part in ('id="person"', 'id="conversations"', 'id="messages"', 'id="composer"', 'id="send"', 'id="modal"'):
        assert part in body
    for part in ('id="modal-submit"', 'id="modal-close"', 'id="home"', 'id="clock"', 'id="clock-next"', 'id="thread"'):
        assert part in body
    assert "{{" not in body
    for asset in ("page.js", "page.css"):
        async with http.get(page.url + "static/" + asset) as response:
            assert response.status == 200
            assert "cdn" not in (await response.text()).lower()


async def test_a_task_reminder_arrives_after_a_jump_and_its_done_button_works(page: Page, running: Sandbox) -> None:
    sent = await page.post(
        "api/send", {"person": LUCA, "conversation": OPS, "text": "/ops task add Call the supplier due in 1 minute"}
    )
    assert sent["ok"]
    ops = await page.state(LUCA, OPS)
    [reply] = [m for m in ops["messages"] if m["ephemeral"]]
    assert "Call the supplier" in reply["html"]
    assert reply["author"] == "Ops Assistant"
    # Only Luca sees it.
    assert not [m for m in (await page.state(GIULIA, OPS))["messages"] if m["ephemeral"]]

    assert (await page.state(LUCA, LUCA_DM))["messages"] == []
    before = running.clock.now()
    jump = await page.post("api/clock/next", {})
    assert jump["delivered"] >= 1
    assert datetime.fromisoformat(jump["clock"]) >= datetime.fromisoformat(jump["due"]) > before
    assert datetime.fromisoformat(jump["clock"]) > datetime.now(UTC)
    assert jump["where"] == ["Luca Verdi (DM)"]

    [reminder] = (await page.state(LUCA, LUCA_DM))["messages"]
    assert "Call the supplier" in reminder["html"]
    done = _attributes(reminder["html"], "task_dm_done")
    assert done["class"].startswith("bk-button")
    acted = await page.post(
        "api/action",
        {
            "person": LUCA,
            "conversation": LUCA_DM,
            "message_ts": reminder["ts"],
            "action_id": "task_dm_done",
            "block_id": done["data-block-id"],
            "value": done["data-value"],
        },
    )
    assert acted["ok"]

    def changed() -> bool | None:
        [message] = running.double.dm(LUCA)
        return True if "task_dm_done" not in str(message.blocks) else None

    await running.double.wait_for(changed, timeout=5)
    [message] = (await page.state(LUCA, LUCA_DM))["messages"]
    assert message["ts"] == reminder["ts"]
    assert message["html"] != reminder["html"]
    assert 'data-action-id="task_dm_done"' not in message["html"]


async def test_the_task_form_opens_shows_errors_and_submits(page: Page, running: Sandbox) -> None:
    await page.post("api/send", {"person": LUCA, "conversation": OPS, "text": "/ops task add"})
    state = await page.state(LUCA, OPS)
    modal = state["modal"]
    assert modal is not None
    assert state["view"] == modal["html"]
    assert 'class="bk-block bk-input' in modal["html"]
    [live] = running.double.open_views(LUCA)
    assert modal["id"] == live["id"]
    inputs = {block["block_id"]: block["element"]["action_id"] for block in live["blocks"] if block["type"] == "input"}
    title_block = next(b for b in inputs if "title" in b)

    # Nothing typed: the bot answers with errors, shown in the input's .bk-error and kept in the modal.
    answer = await page.post("api/submit", {"person": LUCA, "view_id": modal["id"], "values": {}})
    assert answer["errors"], answer
    state = await page.state(LUCA, OPS)
    assert state["modal"] is not None
    for block_id, error in answer["errors"].items():
        assert re.search(
            rf'data-block-id="{re.escape(block_id)}".*?<div class="bk-error">{re.escape(error)}</div>',
            state["modal"]["html"],
            re.S,
        ), state["modal"]["html"]

    values = {title_block: {inputs[title_block]: "Order napkins"}}
    answer = await page.post("api/submit", {"person": LUCA, "view_id": modal["id"], "values": values})
    assert answer["ok"], answer
    assert not answer["errors"], answer
    assert (await page.state(LUCA, OPS))["modal"] is None
    await page.post("api/send", {"person": LUCA, "conversation": LUCA_DM, "text": "/ops task list"})
    listed = await page.state(LUCA, LUCA_DM)
    assert any("Order napkins" in m["html"] for m in listed["messages"])


async def test_a_date_token_is_shown_in_each_persons_zone(page: Page) -> None:
    instant = int(datetime(2026, 12, 3, 15, 30, tzinfo=UTC).timestamp())
    text = f"Delivery at <!date^{instant}^{{time}}|3 Dec 15:30 UTC>"
    assert (await page.post("api/send", {"person": GIULIA, "conversation": OPS, "text": text}))["ok"]
    [for_giulia] = (await page.state(GIULIA, OPS))["messages"]
    [for_luca] = (await page.state(LUCA, OPS))["messages"]
    assert for_giulia["ts"] == for_luca["ts"]
    assert "16:30" in for_giulia["html"]  # Rome
    assert "10:30" in for_luca["html"]  # New York
    assert "16:30" not in for_luca["html"]


async def test_people_conversations_threads_home_and_files(page: Page, running: Sandbox) -> None:
    state = await page.state(LUCA, OPS)
    people = {p["id"]: p for p in state["people"]}
    assert set(people) == {u.id for u in running.double.workspace.users if not u.is_bot}
    assert people[LUCA]["tz"] == "America/New_York"
    assert people[LUCA]["role"] == "staff"
    assert people[GIULIA]["role"] == "owner"
    assert people[GIULIA]["language"] == "Italiano"
    ids = [c["id"] for c in state["conversations"]]
    assert ids[-2:] == [LUCA_DM, "home"]
    assert OPS in ids
    assert "C0CASES01" not in ids
    assert next(c for c in state["conversations"] if c["id"] == LUCA_DM)["name"] == "Ops Assistant"

    # A thread: a reply goes under its parent, not in the channel.
    await page.post("api/send", {"person": LUCA, "conversation": OPS, "text": "Fridge is warm @maria"})
    [parent] = (await page.state(LUCA, OPS))["messages"]
    assert "@Maria Rossi" in parent["html"]
    await page.post("api/send", {"person": GIULIA, "conversation": OPS, "text": "On it", "thread_ts": parent["ts"]})
    state = await page.state(LUCA, OPS, thread=parent["ts"])
    assert [m["ts"] for m in state["messages"]] == [parent["ts"]]
    assert state["messages"][0]["thread_count"] == 1
    assert [m["author"] for m in state["thread"]["messages"]] == ["Giulia Bianchi"]

    # The Home tab: opening it tells the bot, which publishes the person's Home.
    assert (await page.post("api/home", {"person": LUCA}))["ok"]
    await running.double.wait_for(lambda: running.double.home_view(LUCA), timeout=5)
    home = await page.state(LUCA, "home")
    assert home["home"]
    assert 'class="bk-view bk-view-home"' in home["home"]
    assert home["messages"] == []

    # A file shared in the DM is linked under its message and served with its type.
    form = aiohttp.FormData()
    form.add_field("person", LUCA)
    form.add_field("text", "")
    form.add_field("file", b"\x89PNG\r\n\x1a\nfake", filename="receipt.png", content_type="image/png")
    async with page.http.post(page.url + "api/upload", data=form) as response:
        assert response.status == 200
    dm = await page.state(LUCA, LUCA_DM)
    [shared] = [m for m in dm["messages"] if m["files"]]
    [file] = shared["files"]
    assert file["name"] == "receipt.png"
    assert file["mimetype"] == "image/png"
    async with page.http.get(page.url + file["url"].lstrip("/")) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert await response.read() == b"\x89PNG\r\n\x1a\nfake"
    async with page.http.get(page.url + "files/F404") as response:
        assert response.status == 404


async def test_bad_requests_are_refused_plainly(page: Page) -> None:
    assert "unknown person" in (await page.post("api/send", {"person": "U0BOT0001", "text": "hi"}, 400))["error"]
    refused = await page.post("api/send", {"person": LUCA, "conversation": "C0CASES01", "text": "hi"}, 400)
    assert "not in" in refused["error"]
    assert (await page.post("api/send", {"person": LUCA, "conversation": OPS, "text": "/giphy cat"}, 400))["error"]
    missing = {"person": LUCA, "conversation": OPS, "message_ts": "1.000001", "action_id": "x", "block_id": "y"}
    await page.post("api/action", missing, 409)
    assert (await page.post("api/clock/advance", {"seconds": -5}, 400))["error"]


async def test_advance_moves_the_clock_and_ticks(page: Page, running: Sandbox) -> None:
    answer = await page.post("api/clock/advance", {"seconds": 3600})
    assert answer["ok"]
    assert answer["delivered"] == 0
    assert running.clock.offset == timedelta(hours=1)
    assert datetime.fromisoformat(answer["clock"]) - datetime.now(UTC) > timedelta(minutes=59)
    state = await page.state(LUCA, OPS)
    assert state["offset_seconds"] == 3600
    assert state["clock_text"].endswith("(America/New_York)")


async def test_everything_listens_on_loopback_only(running: Sandbox) -> None:
    for url in (running.url, running.live.url, running.double.base_url):
        assert urlsplit(url).hostname == "127.0.0.1"


def test_typed_mentions_become_slack_references() -> None:
    workspace = Workspace.sample()
    assert (
        slack_text(workspace, "check @maria and #ops", command=True) == "check <@U0MARIA01|maria> and <#C0OPS0001|ops>"
    )
    assert slack_text(workspace, "@Ops Assistant hi @luca.", command=False) == "<@U0BOT0001> hi <@U0LUCA001>."
    assert slack_text(workspace, "@kitchen clean #17", command=True) == "<!subteam^S0KITCHEN|@kitchen> clean #17"


def test_the_sandbox_clock_only_moves_forward() -> None:
    clock = SandboxClock()
    start = clock.now()
    assert clock.jump_to(datetime(2000, 1, 1, tzinfo=UTC)) >= start
    assert clock.offset == timedelta(0)
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))
    clock.advance(timedelta(hours=2))
    assert clock.now() - datetime.now(UTC) > timedelta(hours=1, minutes=59)
    later = datetime.now(UTC) + timedelta(days=3)
    assert clock.jump_to(later) >= later
    assert clock.to_real(later) <= datetime.now(UTC)


@pytest.mark.parametrize("variable", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"])
def test_the_sandbox_refuses_real_slack_credentials(
    variable: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    value = {"SLACK_BOT_TOKEN": "xoxb-real", "SLACK_APP_TOKEN": "xapp-real"}.get(variable, "real-secret")
    monkeypatch.setenv(variable, value)
    assert main(["sandbox", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "does not start while real Slack credentials are set" in err
    assert variable in err
    assert not (tmp_path / "ops-sandbox.db").exists()


def test_the_sandbox_refuses_credentials_in_dot_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SLACK_SIGNING_SECRET=abc\n", encoding="utf-8")
    assert main(["sandbox", "--port", "0"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


async def test_a_message_shortcut_opens_the_task_form_on_that_message(page: Page, running: Sandbox) -> None:
    await page.post("api/send", {"person": LUCA, "conversation": OPS, "text": "Restock the napkins"})
    state = await page.state(LUCA, OPS)
    assert {"create_task", "log_case"} <= {s["callback_id"] for s in state["shortcuts"]}
    [message] = state["messages"]
    body = {"person": LUCA, "conversation": OPS, "message_ts": message["ts"], "callback_id": "create_task"}
    assert (await page.post("api/shortcut", body))["ok"]
    modal = (await page.state(LUCA, OPS))["modal"]
    assert modal is not None
    assert "Restock the napkins" in modal["html"]
    await page.post("api/shortcut", {**body, "callback_id": "nope"}, 400)
