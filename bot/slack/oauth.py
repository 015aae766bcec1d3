"""OAuth mode's install flow: bolt's AsyncOAuthFlow with our pages (in the reader's language) and our
bookkeeping when a workspace installs (a reinstall inside the retention period finds its data back)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.ids import TeamId, UserId
from bot.domain.language import Language
from bot.i18n import Translator
from bot.rendering import install_pages
from bot.slack.installations import ROTATE_BEFORE_MINUTES
from bot.slack.manifest import BOT_SCOPES, OAUTH_REDIRECT_PATH

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = OAUTH_REDIRECT_PATH


def _html() -> dict[str, str | Sequence[str]]:
    return {"Content-Type": "text/html; charset=utf-8"}


log = logging.getLogger("ops.oauth")

OnInstalled = Callable[[TeamId, UserId], Awaitable[None]]


def _language(request: AsyncBoltRequest, default: Language) -> Language:
    given = request.headers.get("accept-language") or []
    return install_pages.page_language(given[0] if given else None, default)


class InstallFlow(AsyncOAuthFlow):
    """bolt's flow (state in our database, `oauth.v2.access`, the installation saved by slack-sdk's store), with
    our "Add to Slack" page."""

    def __init__(
        self, *, client: AsyncWebClient, settings: AsyncOAuthSettings, words: Translator, default_language: Language
    ) -> None:
        super().__init__(client=client, logger=log, settings=settings)
        self._words = words
        self._default_language = default_language

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        language = _language(request, self._default_language)
        return install_pages.install_page(self._words.bind(language), language, url)


def install_flow(
    *,
    client: AsyncWebClient,
    client_id: str,
    client_secret: str,
    authorize_url: str,
    public_url: str,
    installations: AsyncSQLAlchemyInstallationStore,
    states: AsyncSQLAlchemyOAuthStateStore,
    words: Translator,
    default_language: Language,
    on_installed: OnInstalled,
) -> InstallFlow:
    async def installed(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        team = TeamId(str(installation.team_id))
        await on_installed(team, UserId(str(installation.user_id)))
        log.info("installed in %s (%s)", team, installation.team_name)
        language = _language(args.request, default_language)
        page = install_pages.installed_page(
            words.bind(language),
            language,
            installation.team_name or team,
            f"slack://app?team={team}&id={installation.app_id}",
        )
        return BoltResponse(status=200, body=page, headers=_html())

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        log.warning("an install did not finish: %s", args.reason, exc_info=args.error)
        language = _language(args.request, default_language)
        page = install_pages.failed_page(words.bind(language), language, args.reason, INSTALL_PATH)
        return BoltResponse(status=args.suggested_status_code, body=page, headers=_html())

    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=public_url.rstrip("/") + REDIRECT_PATH,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(success=installed, failure=failed),
        authorization_url=authorize_url,
        installation_store=installations,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
        state_store=states,
    )
    return InstallFlow(client=client, settings=settings, words=words, default_language=default_language)


def store_authorize(
    flow: InstallFlow, installations: AsyncSQLAlchemyInstallationStore, client: AsyncWebClient
) -> AsyncInstallationStoreAuthorize:
    """Each Slack request's bot token, from the installations. Its auth.test answer is kept per token, so a
    request costs one database read, not an extra call to Slack."""
    return AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=installations,
        client_id=flow.settings.client_id,
        client_secret=flow.settings.client_secret,
        token_rotation_expiration_minutes=ROTATE_BEFORE_MINUTES,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
