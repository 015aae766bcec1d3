"""The English and Italian catalogs are complete, consistent, and cover every key the code asks for."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.domain.capabilities import CAPABILITIES, shortcuts
from bot.domain.language import LANGUAGES, Language, language_of_locale
from bot.domain.messages import Msg
from bot.domain.roles import Role
from bot.domain.workspace import Setting
from bot.i18n import Translator, read_catalog, translator

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIRS = (REPO / "bot", REPO / "handlers")
KEY = re.compile(r"[a-z_]+\.[a-z_.-]+")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@dataclass(frozen=True, slots=True)
class KeyUse:
    key: str
    where: str
    params: frozenset[str] | None  # the keyword arguments given, None when they cannot be known statically


def _call_kind(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in {"words", "w"}:
        return "words"
    if isinstance(func, ast.Attribute):
        if func.attr == "of" and isinstance(func.value, ast.Name) and func.value.id == "Msg":
            return "msg"
        if func.attr == "text":
            return "text"
        if func.attr == "words" or (isinstance(func.value, ast.Name) and func.value.id.endswith("words")):
            return "words"
    if isinstance(func, ast.Name) and func.id == "Msg":
        return "msg"
    return None


def _literal_keys(node: ast.AST) -> Iterator[str]:
    """String constants inside the key argument: a plain literal, or the choices of `{...}.get(x, "...")`.

    The pieces of an f-string (`f"cap.{id}.name"`) are not keys; the dynamic families cover those.
    """
    if isinstance(node, ast.JoinedStr):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(node.value):
        yield node.value
    for child in ast.iter_child_nodes(node):
        yield from _literal_keys(child)


def _source_key_uses() -> list[KeyUse]:
    uses: list[KeyUse] = []
    for directory in SOURCE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                kind = _call_kind(node)
                if kind is None:
                    continue
                position = 1 if kind == "text" else 0
                if len(node.args) <= position:
                    continue
                key_arg = node.args[position]
                splat = any(keyword.arg is None for keyword in node.keywords)
                params = None if splat else frozenset(str(keyword.arg) for keyword in node.keywords)
                direct = isinstance(key_arg, ast.Constant)
                for key in _literal_keys(key_arg):
                    where = f"{path.relative_to(REPO)}:{node.lineno}"
                    uses.append(KeyUse(key, where, params if direct else None))
    return uses


SOURCE_USES = _source_key_uses()


def _dynamic_keys() -> set[str]:
    keys = {f"cap.{c.id}.{part}" for c in CAPABILITIES for part in ("name", "summary", "example", "detail")}
    keys |= {f"config.setting.{setting.value}" for setting in Setting}
    keys |= {f"role.{role.value}" for role in Role}
    keys |= {f"language.{code}" for code in LANGUAGES}
    keys |= {f"shortcut.{s.callback_id}.{part}" for s in shortcuts() for part in ("name", "description")}
    return keys


@pytest.fixture(scope="module")
def catalogs() -> dict[Language, dict[str, str]]:
    return {language: read_catalog(language) for language in LANGUAGES}


def test_the_scan_finds_the_keys_the_code_uses() -> None:
    # Guards the scanner itself: if it found nothing, every test below would pass vacuously.
    found = {use.key for use in SOURCE_USES}
    assert {"help.title", "role.example.assign", "config.example.channel", "cli.run.help", "error.example"} <= found


def test_both_catalogs_have_the_same_keys(catalogs: dict[Language, dict[str, str]]) -> None:
    assert set(catalogs["en"]) - set(catalogs["it"]) == set()
    assert set(catalogs["it"]) - set(catalogs["en"]) == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_empty_or_fuzzy(language: Language) -> None:
    entries = []
    for path in sorted((REPO / "bot" / "i18n" / language).glob("*.po")):
        with path.open("rb") as handle:
            entries += [message for message in read_po(handle, locale=language) if message.id]
    assert entries
    assert [message.id for message in entries if not str(message.string).strip()] == []
    assert [message.id for message in entries if message.fuzzy] == []
    # read_catalog drops nothing that is really there.
    assert set(read_catalog(language)) == {str(message.id) for message in entries}


def test_placeholders_match_per_key(catalogs: dict[Language, dict[str, str]]) -> None:
    mismatched = {
        key: (_placeholders(catalogs["en"][key]), _placeholders(catalogs["it"][key]))
        for key in catalogs["en"].keys() & catalogs["it"].keys()
        if _placeholders(catalogs["en"][key]) != _placeholders(catalogs["it"][key])
    }
    assert mismatched == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_in_the_source_exists(language: Language, catalogs: dict[Language, dict[str, str]]) -> None:
    missing = sorted(f"{use.key} ({use.where})" for use in SOURCE_USES if use.key not in catalogs[language])
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dynamic_key_exists(language: Language, catalogs: dict[Language, dict[str, str]]) -> None:
    assert sorted(_dynamic_keys() - set(catalogs[language])) == []


def test_the_source_fills_exactly_the_placeholders_each_message_has(catalogs: dict[Language, dict[str, str]]) -> None:
    """A parameter the template does not show is information lost; a missing one shows `{name}` to a person."""
    wrong = sorted(
        f"{use.where} {use.key}: gives {sorted(use.params)}, the catalog shows {sorted(_placeholders(template))}"
        for use in SOURCE_USES
        if use.params is not None
        and (template := catalogs["en"].get(use.key)) is not None
        and set(use.params) != _placeholders(template)
    )
    assert wrong == []


def _role_needed() -> Msg:
    return Msg.of(
        "error.role_needed",
        action=Msg.of("action.change_roles"),
        role=Role.ADMIN.label(),
        yours=Role.STAFF.label(),
    )


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        ("en", ["change roles", "admin", "staff"]),
        ("it", ["cambiare i ruoli", "amministratore", "personale"]),
    ],
)
def test_translator_resolves_nested_messages(language: Language, fragments: list[str]) -> None:
    text = translator().msg(language, _role_needed())
    for fragment in fragments:
        assert fragment in text
    assert "{" not in text
    assert "role." not in text
    assert "action." not in text


def test_italian_differs_from_english() -> None:
    assert translator().msg("it", _role_needed()) != translator().msg("en", _role_needed())


def test_bound_words_agree_with_the_translator() -> None:
    words = translator().bind("it")
    assert words.msg(_role_needed()) == translator().msg("it", _role_needed())
    assert words("role.manager") == "responsabile"


def test_missing_italian_entry_falls_back_to_english() -> None:
    small = Translator({"en": {"greet": "Hello {name}"}, "it": {}})
    assert small.text("it", "greet", name="Maria") == "Hello Maria"


def test_unknown_key_is_an_error_not_a_key_shown_to_a_person() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        translator().text("en", "no.such.key")


def test_missing_parameter_stays_visible_instead_of_crashing() -> None:
    small = Translator({"en": {"greet": "Hello {name}"}, "it": {}})
    assert small.text("en", "greet") == "Hello {name}"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("it-IT", "it"),
        ("it_IT", "it"),
        ("IT-it", "it"),
        ("it", "it"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("en_US", "en"),
        ("fr-FR", None),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_language_of_locale(locale: str | None, expected: Language | None) -> None:
    assert language_of_locale(locale) == expected
