"""OAuth mode's shared Web API client: each call carries the bot token of the workspace bound to the running task,
a call with none bound fails rather than guess, and a token Slack refuses is read afresh next time."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.server import SlackDouble
from bot.sandbox.workspace import Workspace
from bot.slack.client import build_web_client
from bot.slack.workspace import NoWorkspaceBound, bind_workspace, for_workspace


class Tokens:
    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.reads: list[str] = []
        self.dropped: list[str] = []

    async def bot_token(self, team: str) -> str:
        self.reads.append(team)
        return self.tokens[team]

    def drop_cached(self, team: str) -> None:
        self.dropped.append(team)


async def test_each_call_goes_out_with_its_workspaces_token() -> None:
    async with (
        SlackDouble(Workspace.sample()) as first,
        SlackDouble(Workspace.second_sample(), bot_token="xoxb-shop") as shop,
    ):
        first.link(shop)
        tokens = Tokens({first.workspace.team_id: first.bot_token, shop.workspace.team_id: shop.bot_token})
        client = build_web_client(tokens, first.api_url)

        async def who_am_i(team: str) -> str:
            bind_workspace(team)  # each task its own binding, as each request and delivery group has
            return str((await client.auth_test())["team_id"])

        answers = await asyncio.gather(who_am_i(shop.workspace.team_id), who_am_i(first.workspace.team_id))
        assert answers == [shop.workspace.team_id, first.workspace.team_id]
        assert [call.token for call in shop.calls] == ["xoxb-shop"]
        assert [call.token for call in first.calls] == [first.bot_token]


async def test_a_call_with_no_workspace_bound_is_refused_before_it_leaves() -> None:
    async with SlackDouble(Workspace.sample()) as slack:
        client = build_web_client(Tokens({}), slack.api_url)
        with pytest.raises(NoWorkspaceBound):
            await client.auth_test()
        assert slack.calls == []


async def test_a_refused_token_is_read_again_next_time() -> None:
    async with SlackDouble(Workspace.sample()) as slack:
        team = slack.workspace.team_id
        tokens = Tokens({team: slack.bot_token})
        client = build_web_client(tokens, slack.api_url)
        slack.revoke_tokens()
        with for_workspace(team), pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C0OPS0001", text="hello")
        assert refused.value.response["error"] == "token_revoked"
        assert tokens.dropped == [team]
