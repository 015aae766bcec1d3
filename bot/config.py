"""Settings read from the environment and an optional `.env` file.

Secrets only ever come from here; nothing in the repository or the logs holds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ops-assistant.db"

Language = Literal["en", "it"]
LogFormat = Literal["text", "json"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    ops_default_timezone: str = "UTC"
    ops_language: Language = "en"
    port: Annotated[int, Field(ge=1, le=65535)] = 3000
    # Where people reach this bot over HTTP: calendar feed links are built on it (https://ops.example.com).
    ops_public_url: str | None = None
    # Customer emails. A mailbox the bot reads (IMAP, polled), and/or a port where forwarded mail is accepted
    # (SMTP), and the server replies go out through (SMTP). Each part is off until its host or port is set.
    ops_imap_host: str | None = None
    ops_imap_port: Annotated[int, Field(ge=1, le=65535)] = 993
    ops_imap_user: str | None = None
    ops_imap_password: SecretStr | None = None
    ops_imap_folder: str = "INBOX"
    ops_imap_ssl: bool = True
    ops_imap_poll_seconds: Annotated[int, Field(ge=10, le=3600)] = 60
    ops_smtp_intake_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    # The listener has no login: by default only this machine (a local MTA forwarding to it) can reach it.
    ops_smtp_intake_host: str = "127.0.0.1"
    ops_smtp_host: str | None = None
    ops_smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    ops_smtp_user: str | None = None
    ops_smtp_password: SecretStr | None = None
    ops_smtp_from: str | None = None
    ops_smtp_starttls: bool = True
    # Logs: the usual text lines, or JSON lines carrying team, user and request_id (for a log collector).
    ops_log_format: LogFormat = "text"
    # GET /metrics is open on the bot's port unless this is set; then it needs `Authorization: Bearer <token>`.
    ops_metrics_token: SecretStr | None = None
    # OAuth mode (many workspaces): with both set, workspaces install the app at GET /slack/install and their
    # tokens are kept in the database; SLACK_BOT_TOKEN is then not used.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # Slack's page where a person approves an install (the Slack double serves its own in tests and the sandbox).
    slack_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    # A workspace that uninstalls the app keeps its data this many days (a reinstall finds it back), then it is
    # purged; `ops-assistant purge --team T123` purges at once.
    ops_retention_days: Annotated[int, Field(ge=0, le=3650)] = 30
    # In OAuth mode, the workspace (T…) whose cases the customer mailbox (IMAP/SMTP intake) feeds.
    ops_mail_team: str | None = None

    def oauth_mode(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an http(s) URL such as https://slack.com/api/")
        # slack_sdk joins method names onto the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "sqlite+aiosqlite:", "postgresql:", "postgres:", "postgresql+asyncpg:")):
            raise ValueError("sqlite:///path/to/file.db or postgresql://user@host/db")
        return value

    @field_validator("ops_default_timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file path
            raise ValueError("an IANA time zone such as Europe/Rome or UTC") from None
        return value

    def public_url(self) -> str:
        """The address calendar feed links start with; without OPS_PUBLIC_URL, this machine on PORT."""
        return (self.ops_public_url or f"http://localhost:{self.port}").rstrip("/")

    def secret(
        self,
        name: Literal["slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_secret"],
    ) -> str | None:
        value: SecretStr | None = getattr(self, name)
        return value.get_secret_value() if value is not None else None


class SettingsError(Exception):
    """One line naming the variable and what it expects; shown instead of a traceback."""


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        expected = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{variable} is not valid: expected {expected}") from None
