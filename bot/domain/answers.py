"""Saved answers to customer questions, found by full-text search; and the same search over customer cases.

A saved answer is a short text under a key (`opening-hours`: "We are open Tuesday to Sunday 12-15 and 19-23").
Managers add, edit and remove them; anyone lists and searches them, and the case desk shows the best matches for
a new question (`AnswerService.best`) so a reply can start from one.

Search is on words, not substrings, in English and Italian alike: text is folded (lower case, accents dropped, so
"caffè" finds "caffe" and the other way round), split into words, and each word of the query matches the words it
begins ("open" finds "opening"). `/ops answer opening hours` wants every word; when nothing has them all, the
answers that have the most telling of them (common words like "the" or "il" left out) are shown instead, best
first. Best is the database's own ranking (bm25 on SQLite's FTS5, `ts_rank` on PostgreSQL) with the key counting
more than the text. Cases are searched for every word and come newest first.

This module holds the values, the folding and the service; `storage.repositories.answers` holds the SQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role

if TYPE_CHECKING:
    # The ports name this module's values, so the service's one use of them is for type checking only.
    from bot.domain.ports import UnitOfWorkFactory

MAX_TEXT = 2000
MIN_KEY = 2
MAX_KEY = 60
# Results of `/ops answer <words>`, and suggestions on a new question case.
SEARCH_LIMIT = 5
BEST_LIMIT = 3
MAX_LISTED = 200
# A question's words beyond this many add little to its best matches and cost the search time.
MAX_TERMS = 16
CASE_SEARCH_LIMIT = 20

_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A word: letters and digits (any script), as SQLite's unicode61 tokenizer and PostgreSQL's parser both see them.
_WORD = re.compile(r"[^\W_]+")

# Words too common to tell answers apart, left out when a question is matched on any of its words (English, then
# Italian, folded).
_STOP_WORDS = """
    a about after all also am an and any are as at be been but by can could did do does for from had has have
    hello hi how i if in into is it its just let me my no not of on or our please so than thank thanks that the
    their them then there these they this to us was we were what when where which who why will with would you
    your yours
    a ad agli ai al alla alle allo anche avete bene buona buonasera buongiorno che chi ci ciao come con cosa da
    dal dalla dei del della delle di dove e ed era gli grazie ha hanno ho i il in io la le lei li lo loro lui ma
    mi mio ne nei nel nella noi non o per perche piu poi quale quando quanto questa questo se si sia siamo sono
    su sua sul sulla suo ti tra tu tua tuo un una uno vi voi vorrei vostro
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case without accents: "Caffè LUNEDÌ" → "caffe lunedi" (what both databases index and are asked)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order, repeats kept."""
    return _WORD.findall(fold(text))


def search_text(text: str) -> str:
    """The normalised form of an answer's text that is indexed: its folded words, one space apart."""
    return " ".join(words_of(text))


def clean_key(text: str) -> str:
    """`Opening-Hours` → `opening-hours`, `caffè_orari` → `caffe-orari`; raises when it is not a key."""
    key = fold(text.strip()).replace("_", "-")
    if not (MIN_KEY <= len(key) <= MAX_KEY) or not _KEY.fullmatch(key):
        raise InvalidRequest(
            Msg.of("answer.error.key", name=text.strip(), most=MAX_KEY), example=Msg.of("answer.example.add")
        )
    return key


def clean_text(text: str) -> str:
    """The answer as typed, without surrounding blanks; refused when empty or longer than Slack lets us show."""
    stripped = text.strip()
    if not stripped:
        raise InvalidRequest(Msg.of("answer.error.no_text"), example=Msg.of("answer.example.add"))
    if len(stripped) > MAX_TEXT:
        raise InvalidRequest(
            Msg.of("answer.error.too_long", length=len(stripped), most=MAX_TEXT), example=Msg.of("answer.example.add")
        )
    return stripped


@dataclass(frozen=True, slots=True)
class Term:
    """One word to look for: the words it begins when `prefix`, else that word only."""

    word: str
    prefix: bool = True


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Words to look for, all of them (`match_all`) or any; each is folded letters and digits only, so it needs
    no quoting beyond what each database's query syntax asks for."""

    terms: tuple[Term, ...]
    match_all: bool = True

    @property
    def empty(self) -> bool:
        return not self.terms


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


def all_words(text: str) -> SearchQuery:
    """Every word must be there; a one-letter word (the 4 of "table 4") only as a whole word."""
    found = _unique(words_of(text))[:MAX_TERMS]
    return SearchQuery(tuple(Term(word, prefix=len(word) > 1) for word in found), match_all=True)


def telling_words(text: str) -> SearchQuery:
    """Any of the words that tell answers apart: no stop words, no one-letter words (which begin too many)."""
    found = [word for word in _unique(words_of(text)) if len(word) > 1]
    telling = [word for word in found if word not in STOP_WORDS] or found
    return SearchQuery(tuple(Term(word) for word in telling[:MAX_TERMS]), match_all=False)


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    id: int
    team: TeamId
    key: str
    text: str
    created_by: UserId
    created_at: datetime
    updated_by: UserId
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerDraft:
    team: TeamId
    key: str
    text: str
    by: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class AnswerSearch:
    """What `/ops answer <words>` found: `every_word` when the answers have all the words, else the closest."""

    text: str
    answers: tuple[SavedAnswer, ...]
    every_word: bool


@dataclass(frozen=True, slots=True)
class AnswerListing:
    answers: tuple[SavedAnswer, ...]
    total: int


def _not_found(key: str) -> NotFound:
    return NotFound(Msg.of("answer.error.not_found", name=key), example=Msg.of("answer.example.list"))


class AnswerService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def _audit(self, actor: Actor, action: str, key: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, key, self._clock.now())

    # ---- managing (managers) ---------------------------------------------------------------------------------

    async def add(self, actor: Actor, key: str, text: str) -> SavedAnswer:
        actor.require(Role.MANAGER, action=Msg.of("action.change_answers"))
        draft = AnswerDraft(actor.team, clean_key(key), clean_text(text), actor.user, self._clock.now())
        async with self._uow() as uow:
            added = await uow.answers.add(draft)
            if added is None:
                raise InvalidRequest(
                    Msg.of("answer.error.exists", name=draft.key), example=Msg.of("answer.example.edit")
                )
            await uow.audit.add(self._audit(actor, "answer.add", added.key))
        return added

    async def edit(self, actor: Actor, key: str, text: str) -> SavedAnswer:
        actor.require(Role.MANAGER, action=Msg.of("action.change_answers"))
        slug, body = clean_key(key), clean_text(text)
        async with self._uow() as uow:
            changed = await uow.answers.update(actor.team, slug, body, by=actor.user, at=self._clock.now())
            if changed is None:
                raise _not_found(slug)
            await uow.audit.add(self._audit(actor, "answer.edit", slug))
        return changed

    async def remove(self, actor: Actor, key: str) -> SavedAnswer:
        actor.require(Role.MANAGER, action=Msg.of("action.change_answers"))
        slug = clean_key(key)
        async with self._uow() as uow:
            gone = await uow.answers.remove(actor.team, slug)
            if gone is None:
                raise _not_found(slug)
            await uow.audit.add(self._audit(actor, "answer.remove", slug))
        return gone

    # ---- reading (everyone) ----------------------------------------------------------------------------------

    async def listed(self, actor: Actor) -> AnswerListing:
        """Every saved answer by key (the first `MAX_LISTED`), and how many there are."""
        async with self._uow() as uow:
            answers = await uow.answers.all(actor.team, MAX_LISTED)
            total = len(answers) if len(answers) < MAX_LISTED else await uow.answers.count(actor.team)
        return AnswerListing(tuple(answers), total)

    async def get(self, team: TeamId, key: str) -> SavedAnswer | None:
        """The answer under `key` (as typed: folded first), to start a reply from; None when there is none."""
        try:
            slug = clean_key(key)
        except InvalidRequest:
            return None
        async with self._uow() as uow:
            return await uow.answers.get(team, slug)

    async def search(self, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> AnswerSearch:
        """`/ops answer <words>`: the answers with every word, best first; failing that, the closest ones."""
        every = all_words(text)
        if every.empty:
            raise InvalidRequest(Msg.of("answer.error.no_words"), example=Msg.of("answer.example.search"))
        async with self._uow() as uow:
            found = await uow.answers.search(actor.team, every, limit)
            if found:
                return AnswerSearch(text.strip(), tuple(found), every_word=True)
            closest = await uow.answers.search(actor.team, telling_words(text), limit)
        return AnswerSearch(text.strip(), tuple(closest), every_word=False)

    async def best(self, team: TeamId, text: str, limit: int = BEST_LIMIT) -> list[SavedAnswer]:
        """The saved answers that best fit a customer's question (any of its telling words, best first): shown to
        whoever handles a new question case, and what a reply can start from. Empty when nothing fits."""
        query = telling_words(text)
        if query.empty or limit <= 0:
            return []
        async with self._uow() as uow:
            return await uow.answers.search(team, query, limit)

    async def search_cases(self, team: TeamId, text: str, limit: int = CASE_SEARCH_LIMIT) -> list[int]:
        """The ids (not numbers) of the workspace's cases whose description, customer name or category has every
        word of `text` (each as the start of a word), newest first; empty when `text` has no words."""
        query = all_words(text)
        if query.empty or limit <= 0:
            return []
        async with self._uow() as uow:
            return await uow.answers.search_cases(team, query, limit)
