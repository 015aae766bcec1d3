"""The Web API client every outgoing call goes through, with slack-sdk's own retry handlers."""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.pacing import ChannelPacer, PacedWebClient
from bot.slack.workspace import bound_workspace

# 429s honour Retry-After; server errors and dropped connections are retried with backoff.
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


# Slack's answers to a token that is no longer the workspace's current one.
STALE_TOKEN_ERRORS = frozenset({"token_revoked", "token_expired", "invalid_auth", "account_inactive"})


class BotTokens(Protocol):
    """Where the bot token of each installed workspace comes from (bot.slack.installations in OAuth mode)."""

    async def bot_token(self, team: str) -> str: ...

    def drop_cached(self, team: str) -> None:
        """Read the workspace's token afresh next time (Slack refused the one we had)."""


class WorkspaceWebClient(PacedWebClient):
    """OAuth mode's shared client: no token of its own; each call carries the bot token of the workspace bound
    to the running task (bot.slack.workspace), read from the installations."""

    def __init__(self, *args: Any, tokens: BotTokens, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tokens = tokens

    async def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: Any = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: Any = None,
    ) -> AsyncSlackResponse:
        team: str | None = None
        if auth is None:  # oauth.v2.access signs in with the app's client id and secret instead of a token
            team = bound_workspace()
            token = await self._tokens.bot_token(team)
            headers = {**(headers or {}), "Authorization": f"Bearer {token}"}
        try:
            return await super().api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                data=data,
                params=params,
                json=json,
                headers=headers,
                auth=auth,
            )
        except SlackApiError as error:
            if team is not None and error.response.get("error") in STALE_TOKEN_ERRORS:
                # Another replica saw the workspace reinstall or renew its token: the next call reads it again.
                self._tokens.drop_cached(team)
            raise


def build_web_client(
    token: str | BotTokens | None,
    base_url: str,
    session: aiohttp.ClientSession | None = None,
    pacer: ChannelPacer | None = None,
    observer: AsyncRetryHandler | None = None,
) -> PacedWebClient:
    """With a `session`, calls reuse its pooled connections; without one slack_sdk opens one per call.

    `token`: the one workspace's bot token; or, in OAuth mode, the installations each call's token comes from;
    None for a client that only makes calls carrying their own credentials (oauth.v2.access).

    `observer` sees every response and connection error before the retry handlers (slack-sdk asks them in order
    and stops at the first that retries); it must never ask for a retry itself (see bot.metrics).
    """
    retry_handlers = [
        *([observer] if observer is not None else []),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
    ]
    if token is None or isinstance(token, str):
        return PacedWebClient(
            token=token, base_url=base_url, session=session, pacer=pacer, retry_handlers=retry_handlers
        )
    return WorkspaceWebClient(
        base_url=base_url, session=session, pacer=pacer, retry_handlers=retry_handlers, tokens=token
    )
