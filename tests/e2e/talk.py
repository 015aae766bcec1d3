"""What a person does in the Slack double and waits to see, shared by the end-to-end tests."""

from __future__ import annotations

import re

import aiohttp

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.server import SlackDouble

OPS = "C0OPS0001"
ADD_TO_SLACK = re.compile(r'id="add-to-slack" href="([^"]+)"')


def bot_dms(double: SlackDouble, user: str) -> list[Message]:
    return [m for m in double.dm(user) if m.from_bot]


async def next_bot_dm(double: SlackDouble, user: str, after: int) -> Message:
    """The bot's DM to `user` after the first `after` of them."""
    return await double.wait_for(lambda: bot_dms(double, user)[after] if len(bot_dms(double, user)) > after else None)


async def command(double: SlackDouble, user: str, text: str, channel: str = OPS) -> Ephemeral:
    """`/ops <text>` typed in `channel`; the ephemeral answer it gets."""
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


async def install(
    bot_url: str, slack: SlackDouble, team: str, user: str, *, language: str = "en-GB,en;q=0.8"
) -> tuple[int, str]:
    """`user` opens the bot's install page at `bot_url`, presses Add to Slack, approves in Slack (`slack`: the
    double whose authorize page the bot sends people to, serving `team` or linked to the double that does) and
    comes back: the status and text of the page they end on. The state cookie is carried by hand (it is
    `Secure`, this is http)."""
    slack.approve_installs(team, user)
    async with aiohttp.ClientSession() as browser:
        headers = {"Accept-Language": language}
        async with browser.get(bot_url + "/slack/install", headers=headers, allow_redirects=False) as page:
            assert page.status == 200, await page.text()
            found = ADD_TO_SLACK.search(await page.text())
            assert found is not None
            cookie = "; ".join(f"{m.key}={m.value}" for m in page.cookies.values())
        authorize = found.group(1).replace("&amp;", "&")
        async with browser.get(authorize, allow_redirects=False) as approved:
            assert approved.status == 302
            back = approved.headers["Location"]
        assert back.startswith(bot_url + "/slack/oauth_redirect?")
        async with browser.get(back, headers={**headers, "Cookie": cookie}, allow_redirects=False) as done:
            return done.status, await done.text()
