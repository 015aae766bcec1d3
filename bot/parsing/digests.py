"""`/ops digest …` (`riepilogo`):

/ops digest                          this channel's digests
/ops digest daily 08:00 [Europe/Rome]          (giornaliero)
/ops digest weekly monday 09:00 [Europe/Rome]  (settimanale lunedì 09:00)
/ops digest off                      (spento)
/ops digest now                      one daily digest at once (ora)
/ops digest sections tasks meetings cases      (sezioni: people, meetings, tasks, checklists, cases, feedback, stock)
/ops digest quiet skip | line        an all-quiet day posts nothing, or one line (silenzio salta | riga)
/ops digest me 07:45 | me off        my own morning DM (io)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.domain.messages import Msg
from bot.parsing.errors import ParseError
from bot.parsing.people import DAY_NAMES, clock_time
from bot.parsing.tokens import split_first

_SECTIONS = {
    "people": "people",
    "persone": "people",
    "shifts": "people",
    "turni": "people",
    "meetings": "meetings",
    "riunioni": "meetings",
    "appointments": "meetings",
    "tasks": "tasks",
    "attività": "tasks",
    "attivita": "tasks",
    "checklists": "checklists",
    "checklist": "checklists",
    "cases": "cases",
    "casi": "cases",
    "feedback": "feedback",
    "stock": "stock",
    "scorte": "stock",
    "magazzino": "stock",
}
_ZONE = re.compile(r"^[A-Za-z]+(?:/[A-Za-z0-9_+\-]+)+$|^UTC$")


@dataclass(frozen=True, slots=True)
class ShowDigests:
    """`/ops digest` alone."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    kind: str  # daily | weekly | personal
    at: time
    weekday: int | None
    zone: str | None


@dataclass(frozen=True, slots=True)
class TurnOff:
    personal: bool


@dataclass(frozen=True, slots=True)
class PostNow:
    """`/ops digest now`."""


@dataclass(frozen=True, slots=True)
class ChooseSections:
    sections: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuietDays:
    skip: bool


DigestRequest = ShowDigests | Subscribe | TurnOff | PostNow | ChooseSections | QuietDays


def _error(key: str, example: str, **params: str) -> ParseError:
    return ParseError(Msg.of(key, **params), example=Msg.of(f"digest.settings.example.{example}"))


def _time_and_zone(words: list[str], example: str) -> tuple[time, str | None]:
    if not words:
        raise _error("digest.settings.error.time", example, text="")
    at = clock_time(words[0])
    if at is None:
        raise _error("digest.settings.error.time", example, text=words[0])
    zone = None
    if len(words) > 1:
        if len(words) > 2 or not _ZONE.match(words[1]):
            raise _error("digest.settings.error.zone", example, zone=" ".join(words[1:]))
        zone = words[1]
    return at, zone


def parse_digest_command(text: str) -> DigestRequest:
    verb, rest = split_first(text)
    words = rest.split()
    if not verb:
        return ShowDigests()
    if verb in ("daily", "giornaliero", "quotidiano"):
        at, zone = _time_and_zone(words, "daily")
        return Subscribe("daily", at, None, zone)
    if verb in ("weekly", "settimanale"):
        if not words or words[0].lower() not in DAY_NAMES:
            raise _error("digest.settings.error.weekday", "weekly", text=words[0] if words else "")
        at, zone = _time_and_zone(words[1:], "weekly")
        return Subscribe("weekly", at, DAY_NAMES[words[0].lower()], zone)
    if verb in ("off", "spento", "disattiva", "stop"):
        return TurnOff(personal=False)
    if verb in ("now", "ora", "adesso"):
        return PostNow()
    if verb in ("sections", "sezioni"):
        chosen = []
        for word in words:
            found = _SECTIONS.get(word.lower().strip(","))
            if found is None:
                raise _error("digest.settings.error.section", "sections", text=word)
            chosen.append(found)
        if not chosen:
            raise _error("digest.settings.error.section", "sections", text="")
        return ChooseSections(tuple(dict.fromkeys(chosen)))
    if verb in ("quiet", "silenzio"):
        choice = words[0].lower() if words else ""
        if choice in ("skip", "salta", "nothing", "niente"):
            return QuietDays(skip=True)
        if choice in ("line", "riga", "post", "pubblica"):
            return QuietDays(skip=False)
        raise _error("digest.settings.error.quiet", "quiet", text=choice)
    if verb in ("me", "io", "mine", "mio"):
        if words and words[0].lower() in ("off", "spento", "stop"):
            return TurnOff(personal=True)
        at, zone = _time_and_zone(words, "me")
        return Subscribe("personal", at, None, zone)
    raise _error("digest.settings.error.verb", "daily", text=verb)
