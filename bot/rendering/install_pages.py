"""The web pages of an OAuth install: "Add to Slack", then done or why not. Plain HTML, no scripts."""

from __future__ import annotations

from html import escape

from bot.domain.language import Language
from bot.i18n import Words

# bolt's reasons for a failed install callback → what the person is told.
_FAILURES = {
    "access_denied": "install.failed.access_denied",
    "invalid_browser": "install.failed.expired",
    "invalid_state": "install.failed.expired",
    "missing_code": "install.failed.not_confirmed",
    "invalid_code": "install.failed.not_confirmed",
    "storage_error": "install.failed.not_saved",
}


def page_language(accept_language: str | None, default: Language) -> Language:
    """The reader's language from the browser's Accept-Language: the first of ours it names, else `default`."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("it"):
            return "it"
        if tag.startswith("en"):
            return "en"
    return default


def _page(language: Language, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1d1c1d}a.button{display:inline-block;padding:.6rem 1.2rem;border-radius:.3rem;"
        "background:#4a154b;color:#fff;text-decoration:none;font-weight:600}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def install_page(words: Words, language: Language, authorize_url: str) -> str:
    return _page(
        language,
        words("install.title"),
        f"<p>{escape(words('install.intro'))}</p>"
        f'<p><a class="button" id="add-to-slack" href="{escape(authorize_url)}">'
        f"{escape(words('install.button'))}</a></p>",
    )


def installed_page(words: Words, language: Language, team_name: str, open_url: str) -> str:
    return _page(
        language,
        words("install.done.title"),
        f"<p>{escape(words('install.done.body', team=team_name))}</p>"
        f'<p><a class="button" href="{escape(open_url)}">{escape(words("install.done.open"))}</a></p>',
    )


def failed_page(words: Words, language: Language, reason: str, install_url: str) -> str:
    explanation = words(_FAILURES.get(reason, "install.failed.not_confirmed"))
    return _page(
        language,
        words("install.failed.title"),
        f"<p>{escape(explanation)}</p>"
        f'<p><a class="button" href="{escape(install_url)}">{escape(words("install.failed.retry"))}</a></p>',
    )
