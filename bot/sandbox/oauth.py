"""Tokens and OAuth v2 grants of the Slack double: which tokens a workspace accepts, codes, refresh tokens.

Synchronous and free of HTTP like state.py; the server decides which double (workspace) a request belongs to
and asks that double's `Credentials`. Times are read from the double's injected clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Final, Literal

CODE_TTL_SECONDS: Final = 10 * 60  # Slack's temporary authorization codes expire after ten minutes

TokenKind = Literal["bot", "user"]


@dataclass(slots=True)
class IssuedToken:
    token: str
    kind: TokenKind
    user_id: str  # the bot user for a bot token, the installer for a user token
    issued_at: float
    expires_at: float | None = None  # only with token rotation
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Grant:
    """A one-time code from /oauth/v2/authorize, waiting to be exchanged at oauth.v2.access."""

    code: str
    team_id: str
    user_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    redirect_uri: str | None
    issued_at: float


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    refresh_token: str
    kind: TokenKind
    user_id: str
    installer_id: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    """One visit to /oauth/v2/authorize as the double saw it, for assertions (what scopes the app asked for)."""

    client_id: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...]
    state: str | None
    redirect_uri: str | None
    team_id: str
    user_id: str
    approved: bool
    code: str | None


@dataclass(slots=True)
class Credentials:
    """One workspace's tokens (bot and user) and the refresh tokens that renew them."""

    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshGrant] = field(default_factory=dict)

    def knows(self, token: str) -> bool:
        return token in self.tokens

    def accept(
        self, token: str, *, kind: TokenKind, user_id: str, now: float, lifetime: float | None = None
    ) -> IssuedToken:
        issued = IssuedToken(token, kind, user_id, now, None if lifetime is None else now + lifetime)
        self.tokens[token] = issued
        return issued

    def check(self, token: str, now: float) -> str | None:
        """None when the token may call the Web API, else Slack's error for it."""
        issued = self.tokens.get(token)
        if issued is None:
            return "invalid_auth"
        if issued.revoked:
            return "token_revoked"
        if issued.expires_at is not None and now >= issued.expires_at:
            return "token_expired"
        return None

    def valid(self, now: float) -> frozenset[str]:
        return frozenset(token for token in self.tokens if self.check(token, now) is None)

    def revoke_all(self) -> None:
        """An uninstall: every token answers token_revoked from now on and nothing can be refreshed."""
        for issued in self.tokens.values():
            issued.revoked = True
        self.refresh_tokens.clear()

    def add_refresh(self, kind: TokenKind, user_id: str, installer_id: str, scopes: tuple[str, ...]) -> str:
        refresh_token = f"xoxe-1-{secrets.token_hex(24)}"
        self.refresh_tokens[refresh_token] = RefreshGrant(refresh_token, kind, user_id, installer_id, scopes)
        return refresh_token


def new_token(kind: TokenKind, team_id: str, user_id: str) -> str:
    """Slack-shaped and unique per issue: xoxb-/xoxp- then numbers derived from the ids, then random."""
    prefix = "xoxb" if kind == "bot" else "xoxp"
    return f"{prefix}-{_digits(team_id)}-{_digits(user_id)}-{secrets.token_hex(12)}"


def new_code(team_id: str, now: float) -> str:
    return f"{int(now)}.{_digits(team_id)}.{secrets.token_hex(16)}"


def split_scopes(value: str | None) -> tuple[str, ...]:
    """Scopes as the authorize URL carries them: comma-separated (slack_sdk), spaces tolerated."""
    return tuple(scope for scope in (value or "").replace(" ", ",").split(",") if scope)


def _digits(slack_id: str) -> str:
    return str(int.from_bytes(slack_id.encode(), "big") % 10**12)
