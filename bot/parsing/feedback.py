"""`/ops feedback …`, `/ops suggest …`, `/ops insights …` and the feedback form's values → typed requests.

/ops feedback 4 slow service at lunch #service          (also `valutazione`; `4/5` works too)
/ops feedback 2 cold pasta via phone #kitchen           (where it came from: via phone / email / review / person)
/ops feedback                                           (the form)
/ops suggest a second coffee machine for the rush      (also `suggerimento`; anonymous)
/ops suggest list | /ops suggest done 3                 (managers; `elenco`, `fatto 3`)
/ops insights [week | month | last week | last month]   (managers; `andamento [settimana | mese scorso …]`)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.domain.feedback import MAX_RATING, MIN_RATING, FeedbackDraft, PeriodKind, Source, clean, clean_tags
from bot.domain.messages import Msg
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first

# The form's callback, block and action ids (the renderer builds it, the parser reads it back).
MODAL = "feedback_modal"
RATING_BLOCK = "feedback_rating"
TEXT_BLOCK = "feedback_text"
TAGS_BLOCK = "feedback_tags"
SOURCE_BLOCK = "feedback_source"

_RATING = re.compile(r"^([0-9]{1,3})(?:/5|★+|\*)?$")
_CHANNEL_TAG = re.compile(r"<#[CG][A-Z0-9]{2,}\|([^>]+)>")
_TAG = re.compile(r"(?<![\w&])#([\w-]{1,40})")
_VIA = re.compile(r"(?<!\S)via\s+(\S+)(?!\S)", re.IGNORECASE)
SOURCE_WORDS: Mapping[str, Source] = MappingProxyType(
    {
        "person": Source.IN_PERSON,
        "persona": Source.IN_PERSON,
        "in-person": Source.IN_PERSON,
        "phone": Source.PHONE,
        "telephone": Source.PHONE,
        "telefono": Source.PHONE,
        "email": Source.EMAIL,
        "e-mail": Source.EMAIL,
        "mail": Source.EMAIL,
        "review": Source.REVIEW,
        "reviews": Source.REVIEW,
        "recensione": Source.REVIEW,
        "recensioni": Source.REVIEW,
    }
)
_LIST = frozenset({"list", "ls", "open", "elenco", "aperti"})
_DONE = frozenset({"done", "close", "fatto", "chiudi"})
_PERIODS: Mapping[str, PeriodKind] = MappingProxyType(
    {
        "": PeriodKind.MONTH,
        "month": PeriodKind.MONTH,
        "this month": PeriodKind.MONTH,
        "mese": PeriodKind.MONTH,
        "questo mese": PeriodKind.MONTH,
        "week": PeriodKind.WEEK,
        "this week": PeriodKind.WEEK,
        "settimana": PeriodKind.WEEK,
        "questa settimana": PeriodKind.WEEK,
        "last month": PeriodKind.LAST_MONTH,
        "previous month": PeriodKind.LAST_MONTH,
        "mese scorso": PeriodKind.LAST_MONTH,
        "scorso mese": PeriodKind.LAST_MONTH,
        "last week": PeriodKind.LAST_WEEK,
        "previous week": PeriodKind.LAST_WEEK,
        "settimana scorsa": PeriodKind.LAST_WEEK,
        "scorsa settimana": PeriodKind.LAST_WEEK,
    }
)


def _example(key: str) -> Msg:
    return Msg.of(f"feedback.example.{key}")


# ---- /ops feedback ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordFeedback:
    draft: FeedbackDraft


@dataclass(frozen=True, slots=True)
class OpenFeedbackForm:
    """`/ops feedback` alone."""


def tags_in(text: str) -> tuple[tuple[str, ...], str]:
    """`#service`, also as Slack escapes it when a channel has that name (`<#C123|service>`); and the rest."""
    found = _CHANNEL_TAG.findall(text)
    text = _CHANNEL_TAG.sub(" ", text)
    found += _TAG.findall(text)
    return clean_tags(found), _TAG.sub(" ", text)


def rating_of(token: str) -> int:
    match = _RATING.match(token.strip())
    if match is None or not MIN_RATING <= int(match.group(1)) <= MAX_RATING:
        raise ParseError(
            Msg.of("feedback.error.rating", typed=token, low=MIN_RATING, high=MAX_RATING), example=_example("record")
        )
    return int(match.group(1))


def parse_feedback_command(text: str) -> RecordFeedback | OpenFeedbackForm:
    first, rest = split_first(text)
    if not first:
        return OpenFeedbackForm()
    rating = rating_of(first)
    tags, rest = tags_in(rest)
    source: Source | None = None
    for found in _VIA.finditer(rest):
        said = SOURCE_WORDS.get(found.group(1).lower().strip(".,;:"))
        if said is not None:
            source = said
            rest = rest[: found.start()] + " " + rest[found.end() :]
            break
    return RecordFeedback(FeedbackDraft(rating=rating, text=clean(rest), tags=tags, source=source))


# ---- the feedback form -----------------------------------------------------------------------------------------


class FormErrors(Exception):
    """What is wrong with a submitted form, by block: shown next to the fields (`response_action: errors`)."""

    def __init__(self, errors: Mapping[str, Msg]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


def _value(values: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    entry = values.get(block) or {}
    return next(iter(entry.values()), {}) if isinstance(entry, dict) else {}


def parse_feedback_form(values: Mapping[str, Any]) -> FeedbackDraft:
    """The form's `state.values` → a draft, or `FormErrors` naming the fields to fix."""
    errors: dict[str, Msg] = {}
    picked = str((_value(values, RATING_BLOCK).get("selected_option") or {}).get("value") or "")
    rating = int(picked) if picked.isdigit() else 0
    if not MIN_RATING <= rating <= MAX_RATING:
        errors[RATING_BLOCK] = Msg.of("feedback.error.pick_rating")
    text = clean(str(_value(values, TEXT_BLOCK).get("value") or ""))
    typed_tags = str(_value(values, TAGS_BLOCK).get("value") or "")
    tags = clean_tags(re.split(r"[\s,;]+", typed_tags))
    source_value = str((_value(values, SOURCE_BLOCK).get("selected_option") or {}).get("value") or "")
    source = Source(source_value) if source_value in {s.value for s in Source} else None
    if errors:
        raise FormErrors(MappingProxyType(errors))
    return FeedbackDraft(rating=rating, text=text, tags=tags, source=source)


# ---- /ops suggest ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MakeSuggestion:
    text: str


@dataclass(frozen=True, slots=True)
class ListSuggestions:
    pass


@dataclass(frozen=True, slots=True)
class CloseSuggestion:
    number: int


SuggestCommand = MakeSuggestion | ListSuggestions | CloseSuggestion


def parse_suggest_command(text: str) -> SuggestCommand:
    """`list` and `done <n>` on their own are the managers'; any other text is a suggestion."""
    text = text.strip()
    if not text:
        raise ParseError(Msg.of("feedback.error.no_suggestion"), example=_example("suggest"))
    first, rest = split_first(text)
    if first in _LIST and not rest:
        return ListSuggestions()
    number = rest.removeprefix("#")
    if first in _DONE and number.isdigit() and 0 < int(number) < 10**9:
        return CloseSuggestion(int(number))
    return MakeSuggestion(clean(text))


# ---- /ops insights ---------------------------------------------------------------------------------------------


def parse_insights_command(text: str) -> PeriodKind:
    said = clean(text).lower()
    kind = _PERIODS.get(said)
    if kind is None:
        raise ParseError(Msg.of("feedback.error.period", typed=text.strip()), example=_example("insights"))
    return kind
