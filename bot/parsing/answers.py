"""`/ops answer …` (and `answers`, `risposta`, `risposte`) → typed requests.

    /ops answer add opening-hours We are open Tuesday to Sunday 12-15 and 19-23     (aggiungi; managers)
    /ops answer edit opening-hours We are open every day 12-15 and 19-23             (modifica; managers)
    /ops answer remove opening-hours                                                  (rimuovi, elimina; managers)
    /ops answer list                                                                  (elenco, lista; or nothing)
    /ops answer opening hours                                                         the best matches

The key is the first word after the verb and the text the rest, kept as typed (line breaks too); whether the key
is a key (`opening-hours`) and the text short enough is the domain's rule (`bot.domain.answers`). Anything that does
not start with a verb is words to search for: `/ops answer list of allergens` searches, `/ops answer list` lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.messages import Msg
from bot.parsing.errors import ParseError

ADD = {"add", "new", "save", "aggiungi", "nuova", "salva"}
EDIT = {"edit", "change", "update", "modifica", "cambia", "aggiorna"}
REMOVE = {"remove", "delete", "rimuovi", "elimina", "cancella"}
LIST = {"list", "all", "elenco", "lista", "tutte"}


@dataclass(frozen=True, slots=True)
class AddAnswer:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class EditAnswer:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class RemoveAnswer:
    key: str


@dataclass(frozen=True, slots=True)
class ListAnswers:
    """`/ops answer list` (or nothing): every saved answer by key."""


@dataclass(frozen=True, slots=True)
class SearchAnswers:
    text: str


AnswerRequest = AddAnswer | EditAnswer | RemoveAnswer | ListAnswers | SearchAnswers


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(example))


def _split_verb(text: str) -> tuple[str, str]:
    """The first word, lower-cased, and the rest as typed (its line breaks kept: an answer can have several lines)."""
    stripped = text.strip()
    parts = stripped.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), stripped[len(parts[0]) :].strip()


def _key_and_text(rest: str, example: str) -> tuple[str, str]:
    key, text = _split_verb(rest)
    if not key:
        raise _error("answer.error.no_key", example)
    if not text:
        raise _error("answer.error.no_text_for", example, name=key)
    # The key as typed: the domain folds and checks it.
    return rest.strip().split(maxsplit=1)[0], text


def parse_answer_command(text: str) -> AnswerRequest:
    verb, rest = _split_verb(text)
    if not verb:
        return ListAnswers()
    if verb in LIST:
        return ListAnswers() if not rest else SearchAnswers(text.strip())
    if verb in ADD:
        key, body = _key_and_text(rest, "answer.example.add")
        return AddAnswer(key, body)
    if verb in EDIT:
        key, body = _key_and_text(rest, "answer.example.edit")
        return EditAnswer(key, body)
    if verb in REMOVE:
        words = rest.split()
        if not words:
            raise _error("answer.error.no_key", "answer.example.remove")
        if len(words) > 1:
            raise _error("answer.error.remove_extra", "answer.example.remove", text=" ".join(words[1:]))
        return RemoveAnswer(words[0])
    return SearchAnswers(text.strip())
