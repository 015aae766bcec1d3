"""The double as Slack for an app installed in several workspaces: OAuth v2, tokens, linked doubles, uninstall."""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore, Installation
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import SlackDouble, Workspace

from .conftest import FakeBot, FakeClock

REDIRECT = "https://ops.example/slack/oauth_redirect"


@pytest.fixture
async def shop(double: SlackDouble, clock: FakeClock) -> AsyncIterator[SlackDouble]:
    """Bottega Verde, the second workspace, reached through `double` (the one the app's API URL points at)."""
    async with SlackDouble(Workspace.second_sample(), bot_token="xoxb-shop-token", clock=clock) as started:
        double.link(started)
        yield started


def oauth_client(double: SlackDouble) -> AsyncWebClient:
    return AsyncWebClient(base_url=double.api_url)


async def authorize(double: SlackDouble, **params: str) -> tuple[int, dict[str, str]]:
    """Visit the authorize page as the app's "Add to Slack" link would; (status, redirect's query)."""
    query = {"client_id": double.client_id, "scope": "chat:write,commands", "user_scope": "", "state": "st-1"}
    query.update(params)
    async with (
        aiohttp.ClientSession() as session,
        session.get(double.authorize_url, params=query, allow_redirects=False) as response,
    ):
        location = response.headers.get("Location", "")
        return response.status, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def install(double: SlackDouble, **params: str) -> dict[str, Any]:
    status, redirect = await authorize(double, redirect_uri=REDIRECT, **params)
    assert status == 302
    response = await oauth_client(double).oauth_v2_access(
        client_id=double.client_id, client_secret=double.client_secret, code=redirect["code"], redirect_uri=REDIRECT
    )
    return dict(response.data)  # type: ignore[arg-type]


async def api_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call
    return str(raised.value.response["error"])


def test_second_sample_is_another_workspace_of_the_same_app() -> None:
    first, second = Workspace.sample(), Workspace.second_sample()
    assert second.app_id == first.app_id
    assert (second.team_id, second.team_domain, second.team_name) == ("T0SHOP002", "bottega-verde", "Bottega Verde")
    assert second.channel_by_name("ops") is not None
    assert second.channel_by_name("ops").id == "C0SHOPOPS"  # type: ignore[union-attr]

    def ids(ws: Workspace) -> set[str]:
        own = {ws.team_id, ws.bot_user_id, ws.bot_id}
        own |= {u.id for u in ws.users} | {ws.dm_channel_id(u.id) for u in ws.users}
        return own | {c.id for c in ws.channels} | {g.id for g in ws.usergroups}

    assert not ids(first) & ids(second)


async def test_install_with_slack_sdk(double: SlackDouble) -> None:
    status, redirect = await authorize(double, redirect_uri=REDIRECT)
    assert status == 302
    assert redirect["state"] == "st-1"
    [asked] = double.authorize_requests
    assert asked.scopes == ("chat:write", "commands")
    assert asked.user_scopes == ()
    assert (asked.team_id, asked.user_id, asked.approved) == ("T0OPS0001", "U0GIULIA1", True)

    response = await oauth_client(double).oauth_v2_access(
        client_id="1111.2222", client_secret="test-client-secret", code=redirect["code"], redirect_uri=REDIRECT
    )
    token = response["access_token"]
    assert response.data == {
        "ok": True,
        "app_id": "A0OPS0001",
        "authed_user": {"id": "U0GIULIA1", "scope": ""},
        "scope": "chat:write,commands",
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": "U0BOT0001",
        "team": {"id": "T0OPS0001", "name": "Ops Demo"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    assert token.startswith("xoxb-")
    assert token != double.bot_token
    assert double.accepted_tokens == {double.bot_token, token}
    assert (await AsyncWebClient(token=token, base_url=double.api_url).auth_test())["team_id"] == "T0OPS0001"
    # The code is spent; a second install gets a different token.
    again = oauth_client(double).oauth_v2_access(
        client_id="1111.2222", client_secret="test-client-secret", code=redirect["code"]
    )
    assert await api_error(again) == "invalid_code"
    assert (await install(double))["access_token"] != token


async def test_code_lasts_ten_minutes(double: SlackDouble, clock: FakeClock) -> None:
    _, redirect = await authorize(double, redirect_uri=REDIRECT)
    clock.advance(10 * 60 + 1)
    call = oauth_client(double).oauth_v2_access(
        client_id=double.client_id, client_secret=double.client_secret, code=redirect["code"]
    )
    assert await api_error(call) == "invalid_code"


async def test_client_credentials_and_redirect_uri_are_checked(double: SlackDouble) -> None:
    client = oauth_client(double)

    async def code() -> str:
        return (await authorize(double, redirect_uri=REDIRECT))[1]["code"]

    bad_secret = client.oauth_v2_access(client_id=double.client_id, client_secret="nope", code=await code())
    assert await api_error(bad_secret) == "bad_client_secret"
    bad_id = client.oauth_v2_access(client_id="9.9", client_secret=double.client_secret, code=await code())
    assert await api_error(bad_id) == "invalid_client_id"
    bad_uri = client.oauth_v2_access(
        client_id=double.client_id, client_secret=double.client_secret, code=await code(), redirect_uri=REDIRECT + "x"
    )
    assert await api_error(bad_uri) == "bad_redirect_uri"
    assert (
        await api_error(client.oauth_v2_access(client_id="1111.2222", client_secret="test-client-secret", code="x"))
        == "invalid_code"
    )
    # Credentials as form fields rather than Basic auth are accepted too; the secret is not recorded.
    form = {"client_id": double.client_id, "client_secret": double.client_secret, "code": await code()}
    async with aiohttp.ClientSession() as session, session.post(double.api_url + "oauth.v2.access", data=form) as got:
        assert (await got.json())["ok"] is True
    assert all("client_secret" not in call.args for call in double.calls_to("oauth.v2.access"))


async def test_denied_install_and_authorize_errors(double: SlackDouble) -> None:
    double.deny_installs()
    status, redirect = await authorize(double, redirect_uri=REDIRECT)
    assert (status, redirect) == (302, {"error": "access_denied", "state": "st-1"})
    assert double.authorize_requests[-1].approved is False
    assert "code" in (await authorize(double, redirect_uri=REDIRECT))[1]  # only the next one is cancelled

    assert (await authorize(double, redirect_uri=REDIRECT, client_id="9.9"))[0] == 400
    assert (await authorize(double))[0] == 400  # no redirect_uri given and none configured
    double.redirect_uri = REDIRECT
    assert (await authorize(double))[0] == 302


async def test_user_scopes_give_the_installer_a_token(double: SlackDouble) -> None:
    double.approve_installs("T0OPS0001", "U0ADMIN02")
    response = await install(double, user_scope="users:read")
    authed = response["authed_user"]
    assert (authed["id"], authed["scope"], authed["token_type"]) == ("U0ADMIN02", "users:read", "user")
    me = await AsyncWebClient(token=authed["access_token"], base_url=double.api_url).auth_test()
    assert me["user_id"] == "U0ADMIN02"
    assert "bot_id" not in me.data


async def test_linked_doubles_answer_for_their_own_workspace(double: SlackDouble, shop: SlackDouble) -> None:
    double.approve_installs("T0SHOP002", "U0BEA0001")
    response = await install(double)
    assert response["team"] == {"id": "T0SHOP002", "name": "Bottega Verde"}
    assert (response["app_id"], response["bot_user_id"]) == ("A0OPS0001", "U0BOTSHP2")
    shop_token = response["access_token"]
    assert shop_token in shop.accepted_tokens
    assert shop_token not in double.accepted_tokens

    # One API URL (the primary's), two workspaces, told apart by the token.
    as_shop = AsyncWebClient(token=shop_token, base_url=double.api_url)
    as_ops = AsyncWebClient(token=double.bot_token, base_url=double.api_url)
    me = await as_shop.auth_test()
    assert (me["team_id"], me["user_id"], me["bot_id"]) == ("T0SHOP002", "U0BOTSHP2", "B0BOTSHP2")
    assert me["url"] == "https://bottega-verde.slack.com/"
    assert (await as_ops.auth_test())["team_id"] == "T0OPS0001"
    assert (await as_shop.users_info(user="U0TOM0001"))["user"]["tz"] == "Europe/London"
    assert await api_error(as_ops.users_info(user="U0TOM0001")) == "user_not_found"
    await as_shop.chat_postMessage(channel="C0SHOPOPS", text="Buongiorno")
    await as_ops.chat_postMessage(channel="C0OPS0001", text="Morning")
    assert [m.text for m in shop.messages("C0SHOPOPS")] == ["Buongiorno"]
    assert [m.text for m in double.messages("C0OPS0001")] == ["Morning"]
    assert [c.method for c in shop.calls] == ["auth.test", "users.info", "chat.postMessage"]
    assert "chat.postMessage" in [c.method for c in double.calls]
    assert all(c.method != "users.info" or not c.ok for c in double.calls)
    # The static token of the linked double works through the primary too, and uploads go to its own server.
    upload = await AsyncWebClient(token=shop.bot_token, base_url=double.api_url).files_getUploadURLExternal(
        filename="a.csv", length=3
    )
    assert upload["upload_url"].startswith(shop.base_url)
    assert {c.token for c in shop.calls} == {shop_token, shop.bot_token}  # each call says which token it bore


async def test_unknown_and_revoked_tokens(double: SlackDouble, shop: SlackDouble) -> None:
    assert await api_error(AsyncWebClient(token="xoxb-nobody", base_url=double.api_url).auth_test()) == "invalid_auth"
    assert double.calls[-1].response["error"] == "invalid_auth"
    shop.revoke_tokens()
    as_shop = AsyncWebClient(token=shop.bot_token, base_url=double.api_url)
    assert await api_error(as_shop.auth_test()) == "token_revoked"
    assert shop.accepted_tokens == frozenset()
    assert (await AsyncWebClient(token=double.bot_token, base_url=double.api_url).auth_test())["ok"] is True
    double.revoke_tokens()
    assert (
        await api_error(AsyncWebClient(token=double.bot_token, base_url=double.api_url).auth_test()) == "token_revoked"
    )


async def test_token_rotation(double: SlackDouble, shop: SlackDouble, clock: FakeClock) -> None:
    double.enable_token_rotation(lifetime_seconds=3600)
    double.approve_installs("T0SHOP002", "U0PIA0001")
    first = await install(double)
    assert first["refresh_token"].startswith("xoxe-1-")
    assert first["expires_in"] == 3600
    old = AsyncWebClient(token=first["access_token"], base_url=double.api_url)
    assert (await old.auth_test())["team_id"] == "T0SHOP002"

    # slack_sdk's rotator (it compares with the machine's clock: the installation says "expires now").
    installation = Installation(
        app_id=first["app_id"],
        team_id="T0SHOP002",
        user_id="U0PIA0001",
        bot_token=first["access_token"],
        bot_id="B0BOTSHP2",
        bot_user_id="U0BOTSHP2",
        bot_refresh_token=first["refresh_token"],
        bot_token_expires_at=int(time.time()),
    )
    clock.advance(1800)
    rotator = AsyncTokenRotator(
        client_id=double.client_id, client_secret=double.client_secret, client=oauth_client(double)
    )
    rotated = await rotator.perform_token_rotation(installation=installation)
    assert rotated is not None
    assert rotated.bot_token not in (None, first["access_token"])
    assert rotated.bot_refresh_token not in (None, first["refresh_token"])
    assert (await old.auth_test())["ok"] is True  # the old token lives until its own expiry

    clock.advance(1800)
    assert await api_error(old.auth_test()) == "token_expired"
    new = AsyncWebClient(token=rotated.bot_token, base_url=double.api_url)
    assert (await new.auth_test())["user_id"] == "U0BOTSHP2"
    reused = oauth_client(double).oauth_v2_access(
        client_id=double.client_id,
        client_secret=double.client_secret,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert await api_error(reused) == "invalid_refresh_token"
    clock.advance(1800)
    assert await api_error(new.auth_test()) == "token_expired"
    assert (await AsyncWebClient(token=shop.bot_token, base_url=double.api_url).auth_test())["ok"] is True


async def test_uninstall_tells_the_app(double: SlackDouble, shop: SlackDouble, bot: FakeBot) -> None:
    shop.connect_app(bot.url)
    token = (await install(double))["access_token"]
    replies = await shop.uninstall()
    assert [reply.status for reply in replies] == [200, 200]
    assert bot.rejected == 0  # signed with the app's one signing secret
    revoked, uninstalled = (received.data for received in bot.received)
    assert revoked["event"] == {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOTSHP2"]}}
    assert uninstalled["event"] == {"type": "app_uninstalled"}
    for envelope in (revoked, uninstalled):
        assert (envelope["type"], envelope["team_id"], envelope["api_app_id"]) == (
            "event_callback",
            "T0SHOP002",
            "A0OPS0001",
        )
        assert envelope["authorizations"][0]["team_id"] == "T0SHOP002"
        assert envelope["event_id"].startswith("Ev")
        assert isinstance(envelope["event_time"], int)
    assert revoked["event_id"] != uninstalled["event_id"]
    shop_client = AsyncWebClient(token=shop.bot_token, base_url=double.api_url)
    assert await api_error(shop_client.auth_test()) == "token_revoked"
    # The primary workspace is untouched, including the token just installed there.
    assert (await AsyncWebClient(token=token, base_url=double.api_url).auth_test())["ok"] is True


async def test_each_double_sends_for_its_own_workspace(double: SlackDouble, shop: SlackDouble, bot: FakeBot) -> None:
    await shop.send_message_im("U0PIA0001", "ciao")  # not connected: it sends where the primary sends
    shop.connect_app(bot.url)
    await shop.send_command("U0TOM0001", "tasks", channel_id="C0SHOPOPS")
    await double.send_message_im("U0MARIA01", "hi")
    assert bot.rejected == 0
    im, command, other = (received.data for received in bot.received)
    assert (im["team_id"], im["event"]["user"], im["event"]["channel"]) == ("T0SHOP002", "U0PIA0001", "D0PIA0001")
    assert (command["team_id"], command["user_id"], command["channel_id"]) == ("T0SHOP002", "U0TOM0001", "C0SHOPOPS")
    assert command["response_url"].startswith(shop.base_url)
    assert other["team_id"] == "T0OPS0001"
    assert [m.text for m in shop.dm("U0PIA0001")] == ["ciao"]


async def test_link_refuses_itself_and_a_workspace_twice(double: SlackDouble, shop: SlackDouble) -> None:
    with pytest.raises(ValueError, match="itself"):
        double.link(double)
    with pytest.raises(ValueError, match="T0SHOP002"):
        double.link(SlackDouble(Workspace.second_sample()))
    with pytest.raises(LookupError):
        double.approve_installs("T0NOPE", "U0BEA0001")
    with pytest.raises(LookupError):
        double.approve_installs("T0SHOP002", "U0BOTSHP2")


async def test_bolt_installs_in_two_workspaces_and_answers_each(
    double: SlackDouble, shop: SlackDouble, tmp_path: Path
) -> None:
    """Bolt's own OAuth flow against the double: /slack/install, the authorize page, /slack/oauth_redirect."""
    settings = AsyncOAuthSettings(
        client_id=double.client_id,
        client_secret=double.client_secret,
        scopes=["chat:write", "commands", "im:history"],
        installation_store=FileInstallationStore(base_dir=str(tmp_path / "installations")),
        state_store=FileOAuthStateStore(expiration_seconds=600, base_dir=str(tmp_path / "states")),
        authorization_url=double.authorize_url,
    )
    app = AsyncApp(
        signing_secret=double.signing_secret,
        client=AsyncWebClient(base_url=double.api_url),
        oauth_settings=settings,
    )

    @app.event("message")
    async def echo(event: dict[str, Any], say: AsyncSay) -> None:
        await say(f"got {event['text']}")

    runner = web.AppRunner(app.web_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    app_url = f"http://{host}:{port}"
    double.redirect_uri = app_url + "/slack/oauth_redirect"  # the app's configured Redirect URL
    try:
        for team_id, user_id in (("T0OPS0001", "U0GIULIA1"), ("T0SHOP002", "U0BEA0001")):
            double.approve_installs(team_id, user_id)
            async with aiohttp.ClientSession() as browser:
                async with browser.get(app_url + "/slack/install") as page:
                    link = re.search(r'href="([^"]+/oauth/v2/authorize[^"]+)"', await page.text())
                    assert link is not None
                    # Bolt's state cookie is Secure; a browser on http://127.0.0.1 would not keep it, so pass it on.
                    cookie = page.headers["Set-Cookie"].partition(";")[0]
                async with browser.get(html.unescape(link.group(1)), allow_redirects=False) as authorize_page:
                    assert authorize_page.status == 302
                    back = authorize_page.headers["Location"]
                async with browser.get(back, headers={"Cookie": cookie}) as done:
                    assert done.status == 200, await done.text()
        for server in (double, shop):
            server.connect_app(app_url + "/slack/events")
        await shop.send_message_im("U0PIA0001", "ciao")
        await double.send_message_im("U0MARIA01", "hello")
        # Bolt answers after the ack, so wait for the replies rather than expect them on return.
        assert await shop.wait_for(lambda: [m.text for m in shop.dm("U0PIA0001")][1:] or None) == ["got ciao"]
        assert await double.wait_for(lambda: [m.text for m in double.dm("U0MARIA01")][1:] or None) == ["got hello"]
        shop_bot = await settings.installation_store.async_find_bot(enterprise_id=None, team_id="T0SHOP002")
        assert shop_bot is not None
        assert (shop_bot.bot_id, shop_bot.bot_user_id) == ("B0BOTSHP2", "U0BOTSHP2")
        assert shop_bot.bot_token in shop.accepted_tokens
        assert [a.scopes for a in double.authorize_requests] == [("chat:write", "commands", "im:history")] * 2
    finally:
        await runner.cleanup()
