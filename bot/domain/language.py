"""The languages Ops Assistant speaks and how a person's Slack locale maps onto them."""

from __future__ import annotations

from typing import Literal, get_args

Language = Literal["en", "it"]
LANGUAGES: tuple[Language, ...] = get_args(Language)


def language_of_locale(locale: str | None) -> Language | None:
    """Slack locales look like `it-IT` or `en-GB`; only the language part matters here."""
    if not locale:
        return None
    prefix = locale.replace("_", "-").split("-", 1)[0].lower()
    for language in LANGUAGES:
        if prefix == language:
            return language
    return None


def pick_language(*candidates: Language | None, default: Language) -> Language:
    for candidate in candidates:
        if candidate is not None:
            return candidate
    return default
