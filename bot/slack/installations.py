"""OAuth mode: the workspaces that installed the app, and their bot tokens, kept in our own database.

slack-sdk's async SQLAlchemy installation and state stores do the storing (their tables are made by our Alembic
migrations: storage/models_slack.py). Bolt's OAuth flow fills them and its authorize step reads them for each
Slack request; `InstalledWorkspaces` reads them for the bot's own calls (scheduled posts, look-ups), rotating a
bot token that is about to expire when the app has token rotation turned on.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot as InstalledBot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.ids import TeamId, UserId

log = logging.getLogger("ops.installations")

# A token is renewed this long before it expires (Slack's rotated tokens last 12 hours).
ROTATE_BEFORE_MINUTES = 120
# A workspace's token is read from the database at most this often per process. Short, because an uninstall seen
# by another replica must stop this one too (its calls then fail with token_revoked until the entry expires, and
# the engine no longer claims that workspace's deliveries in the meantime).
CACHE_SECONDS = 30.0
# How long an install link's state is good for (Slack's own page asks within seconds; ten minutes is generous).
STATE_SECONDS = 600


class NotInstalled(LookupError):
    """No bot token is kept for this workspace: it never installed the app, or it uninstalled it."""


def installation_store(client_id: str, engine: AsyncEngine) -> AsyncSQLAlchemyInstallationStore:
    return AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)


def state_store(engine: AsyncEngine) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    bot_user: UserId
    read_at: float


class InstalledWorkspaces:
    """Each installed workspace's bot token, for the bot's own Web API client."""

    def __init__(self, store: AsyncSQLAlchemyInstallationStore, rotator: AsyncTokenRotator) -> None:
        self._store = store
        self._rotator = rotator
        self._cache: dict[str, _Cached] = {}

    async def bot_token(self, team: str) -> str:
        return (await self._current(team)).token

    async def bot_user(self, team: TeamId) -> UserId:
        return (await self._current(team)).bot_user

    def drop_cached(self, team: str) -> None:
        self._cache.pop(team, None)

    async def forget(self, team: TeamId) -> None:
        """The workspace uninstalled the app or revoked its token: its tokens are deleted now."""
        self._cache.pop(team, None)
        await self._store.async_delete_all(enterprise_id=None, team_id=team)

    def _fresh(self, team: str) -> _Cached | None:
        cached = self._cache.get(team)
        if cached is not None and time.monotonic() - cached.read_at < CACHE_SECONDS:
            return cached
        return None

    async def _current(self, team: str) -> _Cached:
        cached = self._fresh(team)
        if cached is not None:
            return cached
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None or not bot.bot_token:
            self._cache.pop(team, None)
            raise NotInstalled(team)
        bot = await self._rotated(bot)
        # A rotating token is kept too: it was just renewed if it had less than ROTATE_BEFORE_MINUTES left.
        entry = _Cached(token=bot.bot_token, bot_user=UserId(bot.bot_user_id), read_at=time.monotonic())
        self._cache[team] = entry
        return entry

    async def _rotated(self, bot: InstalledBot) -> InstalledBot:
        """The bot with a token good for a while: renewed (and saved) if it expires within ROTATE_BEFORE_MINUTES."""
        try:
            renewed = await self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
            )
        except (SlackTokenRotationError, SlackApiError):
            # Most likely another replica renewed it a moment ago, which spent the refresh token we read: what it
            # saved is the current token.
            latest = await self._store.async_find_bot(enterprise_id=None, team_id=bot.team_id)
            if latest is None or latest.bot_token == bot.bot_token:
                raise
            log.info("the bot token of %s was renewed by another process", bot.team_id)
            return latest
        if renewed is None:
            return bot
        await self._store.async_save_bot(renewed)
        log.info("renewed the bot token of %s", bot.team_id)
        return renewed


def token_rotator(client_id: str, client_secret: str, client: AsyncWebClient) -> AsyncTokenRotator:
    return AsyncTokenRotator(client_id=client_id, client_secret=client_secret, client=client)
