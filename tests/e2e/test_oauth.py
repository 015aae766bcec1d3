"""OAuth mode end to end: two workspaces install the app through Slack's OAuth v2 flow (played by two linked
Slack doubles), use it side by side, and never see each other's data in a command, a reminder, a digest or the
Home tab; a token about to expire is renewed; a workspace that uninstalls stops getting deliveries at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Bot, build_app
from bot.config import Settings
from bot.domain.clock import ManualClock
from bot.runtime import finish_background_work
from bot.sandbox.records import Message
from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import Workspace
from bot.server import EVENTS_PATH, build_web_app
from storage.models_slack import bots, installations
from tests.e2e import talk
from tests.e2e.conftest import GIULIA, MARIA, TEAM
from tests.e2e.talk import bot_dms, command, next_bot_dm
from tests.replicas.harness import free_port

SHOP = "T0SHOP002"
BEATRICE = "U0BEA0001"  # the shop's owner
PIA = "U0PIA0001"
OPS = "C0OPS0001"
SHOP_OPS = "C0SHOPOPS"


@dataclass
class TwoWorkspaces:
    bot: Bot
    url: str
    clock: ManualClock
    trattoria: SlackDouble  # the sample workspace, and the Slack the bot talks to
    bottega: SlackDouble  # the second workspace, reached through the first

    async def tick(self) -> int:
        return await self.bot.reminders.tick()

    def double(self, team: str) -> SlackDouble:
        return self.trattoria if team == TEAM else self.bottega


@asynccontextmanager
async def oauth_bot(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[TwoWorkspaces]:
    async with SlackDouble(Workspace.sample()) as trattoria, SlackDouble(Workspace.second_sample()) as bottega:
        trattoria.link(bottega)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        settings = Settings(
            _env_file=None,
            slack_client_id=trattoria.client_id,
            slack_client_secret=trattoria.client_secret,
            slack_signing_secret=trattoria.signing_secret,
            slack_api_url=trattoria.api_url,
            slack_authorize_url=trattoria.authorize_url,
            ops_public_url=url,
            database_url="sqlite:///unused.db",
            ops_default_timezone="Europe/Rome",
            ops_language="en",
        )
        bot = build_app(settings, engine=engine, clock=clock, post_interval=0.0)
        runner = web.AppRunner(build_web_app(bot, serve_events=True), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        for double in (trattoria, bottega):
            double.connect_app(url + EVENTS_PATH)
        try:
            yield TwoWorkspaces(bot, url, clock, trattoria, bottega)
        finally:
            await runner.cleanup()
            await finish_background_work()
            await bot.close()


async def install(running: TwoWorkspaces, team: str, user: str, *, language: str = "en-GB,en;q=0.8") -> tuple[int, str]:
    """Installed through the bot's own page and Slack's authorize page (the first double's)."""
    return await talk.install(running.url, running.trattoria, team, user, language=language)


@pytest.fixture
async def two(engine: AsyncEngine, clock: ManualClock) -> AsyncIterator[TwoWorkspaces]:
    """Both businesses have installed the app: Giulia for Trattoria, Beatrice (in Italian) for Bottega Verde."""
    async with oauth_bot(engine, clock) as running:
        status, page = await install(running, TEAM, GIULIA)
        assert status == 200, page
        assert "Ops Assistant is installed" in page
        status, page = await install(running, SHOP, BEATRICE, language="it-IT,it;q=0.9")
        assert status == 200, page
        assert "Ops Assistant è installato" in page
        assert "Bottega Verde" in page
        yield running


async def stored_bots(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(bots.c.team_id, bots.c.bot_token))).all()
    return {str(team): str(token) for team, token in rows}


async def remind(double: SlackDouble, user: str, text: str) -> Message:
    """A reminder asked for in the bot's DM; the bot's confirmation."""
    before = len(bot_dms(double, user))
    await double.send_message_im(user, text)
    return await next_bot_dm(double, user, before)


def reminded(double: SlackDouble, user: str, about: str) -> Message | None:
    """The reminder itself (not the confirmation) in the person's DM."""
    return next((m for m in double.dm(user) if m.from_bot and "\u23f0" in m.all_text() and about in m.all_text()), None)


def bot_messages(double: SlackDouble, channel: str) -> list[Message]:
    return [m for m in double.messages(channel) if m.from_bot]


# ---- installing ---------------------------------------------------------------------------------------------------


async def test_installing_through_slack_stores_each_workspaces_own_token(two: TwoWorkspaces) -> None:
    tokens = await stored_bots(two.bot.engine)
    assert set(tokens) == {TEAM, SHOP}
    assert tokens[TEAM] in two.trattoria.accepted_tokens
    assert tokens[SHOP] in two.bottega.accepted_tokens
    assert tokens[TEAM] != tokens[SHOP]
    # Slack was asked for exactly the manifest's bot scopes, and each code was spent once.
    asked = two.trattoria.authorize_requests
    assert [a.team_id for a in asked] == [TEAM, SHOP]
    assert "commands" in asked[0].scopes
    assert "chat:write" in asked[0].scopes
    assert len(two.trattoria.calls_to("oauth.v2.access")) == 2
    async with two.bot.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(installations)) == 2


async def test_a_cancelled_install_or_a_forged_return_installs_nothing(engine: AsyncEngine, clock: ManualClock) -> None:
    async with oauth_bot(engine, clock) as running:
        running.trattoria.deny_installs()
        status, page = await install(running, TEAM, GIULIA)
        assert status == 200
        assert "You chose not to allow Ops Assistant in Slack" in page
        assert 'href="/slack/install"' in page
        # Someone comes back with a code but without the state this browser was given: refused, nothing stored.
        async with aiohttp.ClientSession() as browser:
            forged = running.url + "/slack/oauth_redirect?code=stolen&state=made-up"
            async with browser.get(forged, allow_redirects=False) as answer:
                assert answer.status == 400
                assert "expired or was opened in another browser" in await answer.text()
        assert await stored_bots(running.bot.engine) == {}
        # A workspace that never installed gets Slack's "not installed" answer, not another workspace's bot.
        refused = await command(running.trattoria, GIULIA, "task list", OPS)
        assert "Ops Assistant is not installed in this workspace" in refused.all_text()


# ---- two workspaces side by side ----------------------------------------------------------------------------------


async def test_two_workspaces_never_see_each_others_data(two: TwoWorkspaces) -> None:
    trattoria, bottega = two.trattoria, two.bottega
    await command(trattoria, GIULIA, "task add Order flour due today 18:00", OPS)
    await remind(trattoria, MARIA, "remind me to check the oven in 10 minutes")
    added = await command(bottega, BEATRICE, "task add Repot the basil due today 18:00", SHOP_OPS)
    assert "Repot the basil" in added.all_text()
    await remind(bottega, PIA, "remind me to water the ferns in 10 minutes")

    # Commands: each workspace lists its own task, numbered from 1 in each.
    ours = await command(trattoria, GIULIA, "task list", OPS)
    theirs = await command(bottega, BEATRICE, "task list", SHOP_OPS)
    assert "Order flour" in ours.all_text()
    assert "Repot the basil" not in ours.all_text()
    assert "Repot the basil" in theirs.all_text()
    assert "Order flour" not in theirs.all_text()
    assert "#1" in ours.all_text()
    assert "#1" in theirs.all_text()

    # Reminders: each goes out through its own workspace, to its own person.
    two.clock.advance(timedelta(minutes=11))
    assert await two.tick() >= 2
    await trattoria.wait_for(lambda: reminded(trattoria, MARIA, "oven"))
    await bottega.wait_for(lambda: reminded(bottega, PIA, "ferns"))
    assert not any("ferns" in str(c.args) for c in trattoria.calls_to("chat.postMessage"))
    assert not any("oven" in str(c.args) for c in bottega.calls_to("chat.postMessage"))

    # Digests: each channel's digest counts only its own workspace's tasks.
    await command(trattoria, GIULIA, "digest now", OPS)
    await command(bottega, BEATRICE, "digest now", SHOP_OPS)
    digest_a = await trattoria.wait_for(lambda: next(iter(bot_messages(trattoria, OPS)), None))
    digest_b = await bottega.wait_for(lambda: next(iter(bot_messages(bottega, SHOP_OPS)), None))
    assert "Order flour" in digest_a.all_text()
    assert "Repot the basil" not in digest_a.all_text()
    assert "Repot the basil" in digest_b.all_text()
    assert "Order flour" not in digest_b.all_text()

    # Home tabs: each shows its own workspace's tasks.
    await trattoria.send_app_home_opened(GIULIA)
    await bottega.send_app_home_opened(BEATRICE)
    home_a = await trattoria.wait_for(lambda: trattoria.home_view(GIULIA))
    home_b = await bottega.wait_for(lambda: bottega.home_view(BEATRICE))
    assert "Order flour" in str(home_a)
    assert "Repot the basil" not in str(home_a)
    assert "Repot the basil" in str(home_b)
    assert "Order flour" not in str(home_b)

    # Every Web API call the bot made carried the token of the workspace it was about.
    tokens = await stored_bots(two.bot.engine)
    assert {c.token for c in bottega.calls if c.token} == {tokens[SHOP]}
    assert {c.token for c in trattoria.calls if c.token and c.method != "oauth.v2.access"} == {tokens[TEAM]}


# ---- token rotation ------------------------------------------------------------------------------------------------


async def test_a_token_near_its_end_is_renewed_and_the_new_one_used(engine: AsyncEngine, clock: ManualClock) -> None:
    async with oauth_bot(engine, clock) as running:
        # Slack's rotating tokens last 12 hours; this one has one left, inside the bot's two-hour margin.
        running.trattoria.enable_token_rotation(lifetime_seconds=3600)
        status, _page = await install(running, TEAM, GIULIA)
        assert status == 200
        first = (await stored_bots(running.bot.engine))[TEAM]
        await remind(running.trattoria, GIULIA, "remind me to call the bank in 5 minutes")
        renewed = (await stored_bots(running.bot.engine))[TEAM]
        assert renewed != first
        refreshes = [
            c for c in running.trattoria.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"
        ]
        assert refreshes
        running.clock.advance(timedelta(minutes=6))
        await running.tick()
        await running.trattoria.wait_for(lambda: reminded(running.trattoria, GIULIA, "call the bank"))
        assert (await stored_bots(running.bot.engine))[TEAM] in running.trattoria.accepted_tokens


# ---- uninstalling ----------------------------------------------------------------------------------------------------


async def test_an_uninstalled_workspace_loses_its_tokens_and_deliveries_at_once(two: TwoWorkspaces) -> None:
    trattoria, bottega = two.trattoria, two.bottega
    await remind(trattoria, MARIA, "remind me to check the oven in 10 minutes")
    await remind(bottega, PIA, "remind me to water the ferns in 10 minutes")
    revoked, uninstalled = await bottega.uninstall()
    assert revoked.status == 200
    assert uninstalled.status == 200
    assert set(await stored_bots(two.bot.engine)) == {TEAM}

    two.clock.advance(timedelta(minutes=11))
    await two.tick()
    await trattoria.wait_for(lambda: reminded(trattoria, MARIA, "oven"))
    assert reminded(bottega, PIA, "ferns") is None
    # Nothing was even tried with the revoked token: the shop's deliveries wait, unclaimed.
    assert [c.method for c in bottega.calls if c.response.get("error") == "token_revoked"] == []

    # Reinstalled inside the retention period: the shop's task list is back.
    status, _page = await install(two, SHOP, BEATRICE)
    assert status == 200
    listed = await command(bottega, BEATRICE, "task list", SHOP_OPS)
    assert listed.all_text()


# Written in Trattoria, each with a word found nowhere else, so any of it shown in Bottega Verde is a leak.
MARKED = (
    "task add Zanzibar delivery due tomorrow 9:00",
    "complaint Zanzibar soup was cold — Anna Neri, in person",
    "feedback 2 Zanzibar lunch was slow #service",
    "suggest a Zanzibar coffee machine",
    "stock add zanzibar flour 25 kg min 10",
    "expense 42.50 Zanzibar cleaning #cleaning",
    "checklist create Zanzibar opening",
    f"meeting Zanzibar sync with <@{MARIA}|maria> tomorrow at 10:00 for 30m",
)
# Every read command, as Bottega Verde's owner types them.
READS = (
    "task list",
    "reminders",
    "shift list",
    "rota",
    "meeting list",
    "minutes",
    "appointment list",
    "case list",
    "case C-1",
    "suggest list",
    "insights",
    "stock",
    "books",
    "books list",
    "doc list",
    "audit 20",
    "config",
    "role",
)


async def test_no_command_in_one_workspace_shows_the_others_data(two: TwoWorkspaces) -> None:
    for typed in MARKED:
        answer = await command(two.trattoria, GIULIA, typed, OPS)
        assert "Example:" not in answer.all_text(), (typed, answer.all_text())
    answers = [await command(two.bottega, BEATRICE, typed, SHOP_OPS) for typed in READS]
    await command(two.bottega, BEATRICE, "digest now", SHOP_OPS)
    await two.bottega.send_app_home_opened(BEATRICE)
    await two.bottega.wait_for(lambda: two.bottega.home_view(BEATRICE))
    seen = [a.all_text() for a in answers] + [str(c.args) for c in two.bottega.calls]
    assert [text for text in seen if "zanzibar" in text.lower()] == []
    # Asked for Trattoria's checklist by name, Bottega Verde is told it has no lists at all (its reply echoes the
    # name it was asked for, so it is checked here rather than in the sweep).
    asked = await command(two.bottega, BEATRICE, "checklist history Zanzibar opening", SHOP_OPS)
    assert "Liste: \u2014" in asked.all_text()
    # What Trattoria wrote is there for Trattoria.
    assert "Zanzibar delivery" in (await command(two.trattoria, GIULIA, "task list", OPS)).all_text()
