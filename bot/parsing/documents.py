"""`/ops doc …` (`docs`, `documento`) and the document form's values → typed requests.

/ops doc                                   the templates, each with a New button (also `doc templates`, `modelli`)
/ops doc new handover                      the form of a template (`documento nuovo consegna turno`)
/ops doc list [handover]                   the newest documents, of one template if named (`elenco`)
/ops doc show 7 | /ops doc 7               one document, with its files (`mostra 7`)
/ops doc pdf 7 | /ops doc md 7             the PDF or the Markdown file in your DM
/ops doc search fridge                     full-text search (`cerca frigo`)
/ops doc template add "Delivery check" fields: supplier, items (long), checked by (person), notes (long, optional)
/ops doc template remove "Delivery check"  (managers; `modello aggiungi|rimuovi …`, `campi:`)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from bot.domain.documents import FieldDraft, FieldKind
from bot.domain.messages import Msg
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first

# The form's callback id, and its blocks (one per field: FIELD_BLOCK + the field's key; then where to post).
MODAL = "doc_modal"
FIELD_BLOCK = "doc_field_"
FIELD_ACTION = "value"
POST_BLOCK = "doc_post"
POST_ACTION = "channel"

_NEW = frozenset({"new", "nuovo", "nuova", "crea", "create"})
_LIST = frozenset({"list", "ls", "elenco", "lista"})
_SHOW = frozenset({"show", "view", "open", "mostra", "vedi", "apri"})
_PDF = frozenset({"pdf"})
_MARKDOWN = frozenset({"md", "markdown"})
_SEARCH = frozenset({"search", "find", "cerca", "trova"})
_TEMPLATES = frozenset({"templates", "modelli"})
_TEMPLATE = frozenset({"template", "modello"})
_ADD = frozenset({"add", "new", "aggiungi", "nuovo", "crea"})
_REMOVE = frozenset({"remove", "delete", "rm", "rimuovi", "togli", "elimina"})
_KINDS: Mapping[str, FieldKind] = MappingProxyType(
    {
        "short": FieldKind.SHORT,
        "text": FieldKind.SHORT,
        "breve": FieldKind.SHORT,
        "testo": FieldKind.SHORT,
        "long": FieldKind.LONG,
        "paragraph": FieldKind.LONG,
        "lungo": FieldKind.LONG,
        "lunga": FieldKind.LONG,
        "date": FieldKind.DATE,
        "day": FieldKind.DATE,
        "data": FieldKind.DATE,
        "giorno": FieldKind.DATE,
        "person": FieldKind.PERSON,
        "user": FieldKind.PERSON,
        "persona": FieldKind.PERSON,
        "utente": FieldKind.PERSON,
        "number": FieldKind.NUMBER,
        "amount": FieldKind.NUMBER,
        "numero": FieldKind.NUMBER,
        "importo": FieldKind.NUMBER,
    }
)
_OPTIONAL = frozenset({"optional", "opzionale", "facoltativo", "facoltativa"})
_REQUIRED = frozenset({"required", "obbligatorio", "obbligatoria"})
_QUOTED = re.compile(
    r"""^\s*(?:["\u201c\u201d\u201e](?P<double>.+?)["\u201c\u201d]|['\u2018](?P<single>.+?)['\u2019])\s*(?P<rest>.*)$""",
    re.DOTALL,
)
_FIELDS_WORD = re.compile(r"^(?:fields|campi)\s*:?\s*", re.IGNORECASE)
_FIELD = re.compile(r"^(.*?)\s*(?:\(([^()]*)\))?\s*$", re.DOTALL)
_NUMBER = re.compile(r"^#?([0-9]{1,9})$")


@dataclass(frozen=True, slots=True)
class ShowTemplates:
    pass


@dataclass(frozen=True, slots=True)
class NewDocument:
    template: str


@dataclass(frozen=True, slots=True)
class ListDocuments:
    template: str | None = None


@dataclass(frozen=True, slots=True)
class ShowDocument:
    number: int


@dataclass(frozen=True, slots=True)
class DownloadDocument:
    number: int
    format: Literal["pdf", "md"]


@dataclass(frozen=True, slots=True)
class SearchDocuments:
    text: str


@dataclass(frozen=True, slots=True)
class AddTemplate:
    name: str
    fields: tuple[FieldDraft, ...]


@dataclass(frozen=True, slots=True)
class RemoveTemplate:
    name: str


DocCommand = (
    ShowTemplates
    | NewDocument
    | ListDocuments
    | ShowDocument
    | DownloadDocument
    | SearchDocuments
    | AddTemplate
    | RemoveTemplate
)


def _example(key: str) -> Msg:
    return Msg.of(f"doc.example.{key}")


def document_number(text: str, example: str = "show") -> int:
    match = _NUMBER.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ParseError(Msg.of("doc.error.number_needed", typed=text.strip()), example=_example(example))
    return int(match.group(1))


def _quoted(text: str) -> tuple[str, str] | None:
    """A name in straight or curly quotes (Slack curls them) at the start of `text`, and what follows it."""
    match = _QUOTED.match(text)
    if match is None:
        return None
    return (match.group("double") or match.group("single")).strip(), match.group("rest").strip()


def _unquoted(text: str) -> str:
    found = _quoted(text)
    return found[0] if found is not None and not found[1] else text.strip()


def parse_doc_command(text: str) -> DocCommand:
    first, rest = split_first(text)
    first = first.lower()
    if not first or first in _TEMPLATES:
        return ShowTemplates()
    if _NUMBER.match(first) and not rest:
        return ShowDocument(document_number(first))
    if first in _NEW:
        return NewDocument(_unquoted(rest)) if rest.strip() else ShowTemplates()
    if first in _LIST:
        return ListDocuments(_unquoted(rest) or None)
    if first in _SHOW:
        return ShowDocument(document_number(rest))
    if first in _PDF:
        return DownloadDocument(document_number(rest, "pdf"), "pdf")
    if first in _MARKDOWN:
        return DownloadDocument(document_number(rest, "pdf"), "md")
    if first in _SEARCH:
        if not rest.strip():
            raise ParseError(Msg.of("doc.error.no_words"), example=_example("search"))
        return SearchDocuments(rest.strip())
    if first in _TEMPLATE:
        return _template_command(rest)
    raise ParseError(Msg.of("doc.error.unknown", typed=first), example=_example("new"))


def _template_command(text: str) -> AddTemplate | RemoveTemplate | ShowTemplates:
    verb, rest = split_first(text)
    verb = verb.lower()
    if not verb:
        return ShowTemplates()
    if verb in _REMOVE:
        name = _unquoted(rest)
        if not name:
            raise ParseError(Msg.of("doc.error.template_name_needed"), example=_example("template_remove"))
        return RemoveTemplate(name)
    if verb in _ADD:
        return parse_template_add(rest)
    raise ParseError(Msg.of("doc.error.template_verb", typed=verb), example=_example("template_add"))


def _split_outside_parentheses(text: str) -> list[str]:
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ",;\n" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _field(text: str) -> FieldDraft:
    match = _FIELD.match(text)
    label, modifiers = (match.group(1), match.group(2) or "") if match else (text, "")
    kind, required = FieldKind.SHORT, True
    for word in re.split(r"[\s,;/]+", modifiers.lower()):
        if not word:
            continue
        if word in _KINDS:
            kind = _KINDS[word]
        elif word in _OPTIONAL:
            required = False
        elif word in _REQUIRED:
            required = True
        else:
            raise ParseError(
                Msg.of("doc.error.field_kind", typed=word, label=label.strip()), example=_example("template_add")
            )
    if not label.strip():
        raise ParseError(Msg.of("doc.error.field_without_label"), example=_example("template_add"))
    return FieldDraft(label.strip(), kind, required)


def parse_template_add(text: str) -> AddTemplate:
    """`"Delivery check" fields: supplier, items (long), checked by (person)`; the name may go unquoted before a
    colon (`Delivery check: supplier, …`)."""
    quoted = _quoted(text)
    if quoted is not None:
        name, rest = quoted[0], _FIELDS_WORD.sub("", quoted[1].lstrip(":").strip())
    else:
        split = re.split(r"\s*(?:\b(?:fields|campi)\b\s*:?|:)\s*", text, maxsplit=1, flags=re.IGNORECASE)
        if len(split) < 2:
            raise ParseError(Msg.of("doc.error.template_spec"), example=_example("template_add"))
        name, rest = split
    if not name.strip():
        raise ParseError(Msg.of("doc.error.template_name_needed"), example=_example("template_add"))
    fields = tuple(_field(part) for part in _split_outside_parentheses(rest))
    if not fields:
        raise ParseError(Msg.of("doc.error.no_fields"), example=_example("template_add"))
    return AddTemplate(" ".join(name.split()), fields)


# ---- the form ----------------------------------------------------------------------------------------------------


def _entry_value(entry: Mapping[str, Any]) -> str:
    for name in ("value", "selected_date", "selected_user", "selected_conversation"):
        found = entry.get(name)
        if found:
            return str(found)
    return ""


def form_entries(values: Mapping[str, Any]) -> tuple[dict[str, str], str | None]:
    """The form's `state.values` → what was entered by field key, and the conversation to post to (None: DM)."""
    entries: dict[str, str] = {}
    channel: str | None = None
    for block_id, by_action in values.items():
        if not isinstance(by_action, dict):
            continue
        entry: object = next(iter(by_action.values()), {})
        if not isinstance(entry, dict):
            continue
        if block_id == POST_BLOCK:
            channel = _entry_value(entry) or None
        elif block_id.startswith(FIELD_BLOCK):
            entries[block_id.removeprefix(FIELD_BLOCK)] = _entry_value(entry)
    return entries, channel
