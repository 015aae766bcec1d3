"""The one translation layer: every word a person reads comes from the catalogs in `bot/i18n/<language>/`.

Catalogs are gettext PO files read with Babel, one file per capability (`core.po`, `tasks.po`…) so each area
owns its words, keyed by message id (`help.tasks.example`) with named `{placeholders}`. A missing Italian
entry falls back to English rather than showing a key; a test keeps the languages complete and their
placeholders identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from babel.messages.pofile import read_po

from bot.domain.language import LANGUAGES, Language
from bot.domain.messages import Msg

FALLBACK: Language = "en"


class _KeepMissing(dict[str, str]):
    """Leaves an unknown placeholder visible instead of raising in front of a person."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def catalog_files(language: Language) -> list[Traversable]:
    folder = files("bot.i18n") / language
    return sorted((entry for entry in folder.iterdir() if entry.name.endswith(".po")), key=lambda e: e.name)


def read_catalog(language: Language) -> dict[str, str]:
    """Every message of a language, from all its PO files; a key defined twice is a mistake, not an override."""
    messages: dict[str, str] = {}
    for source in catalog_files(language):
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = str(message.id)
            if key in messages:
                raise ValueError(f"{key!r} is defined twice in the {language} catalogs (again in {source.name})")
            messages[key] = str(message.string)
    return messages


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: one per process
class Translator:
    catalogs: Mapping[Language, Mapping[str, str]]

    def text(self, language: Language, key: str, **params: str | int | Msg) -> str:
        template = self.catalogs[language].get(key) or self.catalogs[FALLBACK].get(key)
        if template is None:
            raise KeyError(f"no catalog entry for {key!r}")
        resolved = {
            name: self.msg(language, value) if isinstance(value, Msg) else str(value) for name, value in params.items()
        }
        return template.format_map(_KeepMissing(resolved))

    def msg(self, language: Language, message: Msg) -> str:
        return self.text(language, message.key, **message.params)

    def bind(self, language: Language) -> Words:
        return Words(self, language)


@dataclass(frozen=True, slots=True)
class Words:
    """A translator fixed to one reader's language, passed to the renderers."""

    translator: Translator
    language: Language

    def __call__(self, key: str, **params: str | int | Msg) -> str:
        return self.translator.text(self.language, key, **params)

    def msg(self, message: Msg) -> str:
        return self.translator.msg(self.language, message)


@cache
def translator() -> Translator:
    return Translator({language: read_catalog(language) for language in LANGUAGES})
