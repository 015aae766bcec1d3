"""`/ops complaint …`, `/ops question …` (`reclamo`, `domanda`), `/ops case …` (`caso`) and `/ops customer forget …`.

    /ops complaint Cold food served at table 4 — Anna Neri, +39 333 1234567, in person
    /ops question Do you have gluten-free pasta? — from email anna@example.com
    /ops complaint Wrong bill #billing high — Marco, phone                 a category (#tag) and a severity
    /ops case C-17                              its history            /ops case list [mine|open|overdue|<category>]
    /ops case C-17 take | waiting | reopen | close | escalate
    /ops case C-17 note <text> | reply <text> | follow-up <outcome>
    /ops case targets high 1h 24h               (managers)             /ops case waiting 3d 7d
    /ops case emoji ticket                      the reaction that opens a case
    /ops customer forget anna@example.com       (managers)

What follows the dash is the customer: a name, a phone number, an email address and how it arrived (in person,
phone, email, chat, review), in any order, separated by commas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.domain.cases import ArrivedBy, CaseKind, CaseStatus, Customer, Severity, parse_case_id
from bot.domain.messages import Msg
from bot.parsing.errors import ParseError
from bot.parsing.tokens import duration, split_first

_DASH = re.compile(r"\s+(?:\u2014|\u2013|--|-)\s+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,20}$")
_TAG = re.compile(r"(?<![\w&])#([\w-]{1,40})")
_SEVERITY = re.compile(
    r"(?:^|\s)(?:severity\s+|priorit[àa]\s+|gravit[àa]\s+)?(?P<level>high|urgent|low|alta|urgente|bassa|normal|normale)(?=\s|$)",
    re.IGNORECASE,
)
_LEVELS = {
    "high": Severity.HIGH,
    "urgent": Severity.HIGH,
    "alta": Severity.HIGH,
    "urgente": Severity.HIGH,
    "low": Severity.LOW,
    "bassa": Severity.LOW,
    "normal": Severity.NORMAL,
    "normale": Severity.NORMAL,
}
_ARRIVALS = {
    "in person": ArrivedBy.IN_PERSON,
    "in-person": ArrivedBy.IN_PERSON,
    "di persona": ArrivedBy.IN_PERSON,
    "in negozio": ArrivedBy.IN_PERSON,
    "phone": ArrivedBy.PHONE,
    "by phone": ArrivedBy.PHONE,
    "telefono": ArrivedBy.PHONE,
    "al telefono": ArrivedBy.PHONE,
    "per telefono": ArrivedBy.PHONE,
    "email": ArrivedBy.EMAIL,
    "e-mail": ArrivedBy.EMAIL,
    "mail": ArrivedBy.EMAIL,
    "chat": ArrivedBy.CHAT,
    "review": ArrivedBy.REVIEW,
    "review site": ArrivedBy.REVIEW,
    "recensione": ArrivedBy.REVIEW,
}
COMPLAINT_WORDS = ("complaint", "reclamo")
QUESTION_WORDS = ("question", "domanda")
CASE_WORDS = ("case", "cases", "caso", "casi")
CUSTOMER_WORDS = ("customer", "cliente")
_STATUS_VERBS = {
    "waiting": CaseStatus.WAITING,
    "attesa": CaseStatus.WAITING,
    "reopen": CaseStatus.IN_PROGRESS,
    "riapri": CaseStatus.IN_PROGRESS,
    "close": CaseStatus.CLOSED,
    "chiudi": CaseStatus.CLOSED,
}


@dataclass(frozen=True, slots=True)
class NewCase:
    kind: CaseKind
    description: str
    customer: Customer
    arrived_by: ArrivedBy
    severity: Severity
    category: str


@dataclass(frozen=True, slots=True)
class OpenForm:
    """No text: the form."""

    kind: CaseKind


@dataclass(frozen=True, slots=True)
class ShowCase:
    number: int


@dataclass(frozen=True, slots=True)
class ListCases:
    scope: str  # mine | open | overdue | a category


@dataclass(frozen=True, slots=True)
class CaseAction:
    number: int
    verb: str  # take | escalate | note | reply | follow-up | status
    text: str = ""
    status: CaseStatus | None = None


@dataclass(frozen=True, slots=True)
class SetTargets:
    severity: Severity
    respond: timedelta
    resolve: timedelta


@dataclass(frozen=True, slots=True)
class SetWaiting:
    nudge: timedelta
    close: timedelta


@dataclass(frozen=True, slots=True)
class SetEmoji:
    emoji: str


CaseRequest = ShowCase | ListCases | CaseAction | SetTargets | SetWaiting | SetEmoji


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(f"case.example.{example}"))


def _customer(text: str) -> tuple[Customer, ArrivedBy | None]:
    name, phone, email = "", "", ""
    arrived: ArrivedBy | None = None
    for raw in text.split(","):
        part = " ".join(raw.split())
        lowered = part.lower()
        for prefix in ("from ", "da ", "via "):
            if lowered.startswith(prefix):
                part, lowered = part[len(prefix) :], lowered[len(prefix) :]
        found = _EMAIL.search(part)
        if found is not None:
            email = found.group(0).lower()
            rest = (part[: found.start()] + part[found.end() :]).strip().lower()
            if rest in _ARRIVALS:
                arrived = _ARRIVALS[rest]
            elif not arrived:
                arrived = ArrivedBy.EMAIL
            continue
        if lowered in _ARRIVALS:
            arrived = _ARRIVALS[lowered]
        elif _PHONE.match(part) and sum(c.isdigit() for c in part) >= 6:
            phone = part
        elif part and not name:
            name = part
    return Customer(name[:120], phone[:40], email[:254]), arrived


def parse_new_case(kind: CaseKind, text: str) -> NewCase | OpenForm:
    text = text.strip()
    if not text:
        return OpenForm(kind)
    parts = _DASH.split(text, maxsplit=1)
    body, who = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
    customer, arrived = _customer(who)
    tags = _TAG.findall(body)
    body = _TAG.sub(" ", body)
    severity = Severity.NORMAL
    level = _SEVERITY.search(body)
    if level is not None and (
        level.group(0).strip().lower().startswith(("severity", "priorit", "gravit"))
        or level.end() == len(body.rstrip())
    ):
        severity = _LEVELS[level["level"].lower()]
        body = body[: level.start()] + " " + body[level.end() :]
    description = " ".join(body.split())
    if not description:
        raise _error("case.error.no_description", kind.value)
    return NewCase(
        kind=kind,
        description=description,
        customer=customer,
        arrived_by=arrived or ArrivedBy.IN_PERSON,
        severity=severity,
        category=tags[0].lower() if tags else "",
    )


def _span(text: str) -> timedelta:
    found = duration(text)
    if found is None or found <= timedelta(0):
        raise _error("case.error.duration", "targets", text=text)
    return found


def parse_case_command(text: str) -> CaseRequest:
    first, rest = split_first(text)
    if first in ("list", "elenco", ""):
        return ListCases((rest.strip().lower() or "open").lstrip("#"))
    if first in ("targets", "obiettivi"):
        words = rest.split()
        if len(words) != 3 or words[0].lower() not in _LEVELS:
            raise _error("case.error.targets_shape", "targets")
        return SetTargets(_LEVELS[words[0].lower()], _span(words[1]), _span(words[2]))
    if first in ("waiting", "attesa") and parse_case_id(rest.split()[0] if rest.split() else "") is None:
        words = rest.split()
        if len(words) != 2:
            raise _error("case.error.waiting_shape", "waiting")
        return SetWaiting(_span(words[0]), _span(words[1]))
    if first in ("emoji", "reaction", "reazione"):
        emoji = rest.strip().strip(":")
        if not re.fullmatch(r"[a-z0-9_+\-']{1,60}", emoji):
            raise _error("case.error.emoji", "emoji", text=rest.strip())
        return SetEmoji(emoji)
    number = parse_case_id(first)
    if number is None:
        raise _error("case.error.case_id", "show", text=first)
    verb, tail = split_first(rest)
    if not verb:
        return ShowCase(number)
    if verb in ("take", "prendi"):
        return CaseAction(number, "take")
    if verb in ("escalate", "segnala"):
        return CaseAction(number, "escalate")
    if verb in _STATUS_VERBS:
        return CaseAction(number, "status", status=_STATUS_VERBS[verb])
    if verb in ("note", "nota"):
        return CaseAction(number, "note", tail)
    if verb in ("reply", "rispondi"):
        return CaseAction(number, "reply", tail)
    if verb in ("follow-up", "followup", "esito"):
        return CaseAction(number, "follow-up", tail)
    raise _error("case.error.verb", "show", text=verb)


def parse_forget(text: str) -> str:
    verb, rest = split_first(text)
    if verb not in ("forget", "dimentica", "cancella") or "@" not in rest:
        raise _error("case.error.forget_shape", "forget")
    return rest.strip()
