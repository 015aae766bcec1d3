"""Plain-language reminder requests.

"remind me to …", "remind @luca to …", "ricordami di …", "ricorda a @maria di …", and a user group in place
of the person; the time goes at the end ("… tomorrow at 10", "… every day at 8").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.ids import UserId
from bot.domain.messages import Msg
from bot.parsing.dates import Every, When, split_trailing_when
from bot.parsing.errors import ParseError

_PERSON = r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>"
_GROUP = r"<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>"
_WHO = rf"(?P<who>me|{_PERSON}|{_GROUP})"
_ENGLISH = re.compile(rf"^\s*remind\s+{_WHO}\s+(?:to\s+|about\s+|that\s+)?(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_ITALIAN = re.compile(
    rf"^\s*(?:ricordami|ricorda\s+a\s+(?P<who>{_PERSON}|{_GROUP}))\s*(?:di\s+|che\s+|de(?:l|lla|i|gli|lle)\s+)?(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PERSON_ID = re.compile(r"^<@([UW][A-Z0-9]+)")
_GROUP_ID = re.compile(r"^<!subteam\^([A-Z0-9]+)")


@dataclass(frozen=True, slots=True)
class Me:
    """The person writing: "remind me"."""


@dataclass(frozen=True, slots=True)
class Person:
    user: UserId


@dataclass(frozen=True, slots=True)
class Group:
    id: str


Who = Me | Person | Group


@dataclass(frozen=True, slots=True)
class ReminderRequest:
    who: Who
    text: str
    when: When | Every


def looks_like_reminder(text: str) -> bool:
    return bool(_ENGLISH.match(text) or _ITALIAN.match(text))


def _who(token: str | None) -> Who:
    if token is None or token.lower() == "me":
        return Me()
    person = _PERSON_ID.match(token)
    if person:
        return Person(UserId(person.group(1)))
    group = _GROUP_ID.match(token)
    assert group is not None, token
    return Group(group.group(1))


def parse_reminder(text: str, *, now: datetime, zone: ZoneInfo) -> ReminderRequest:
    match = _ENGLISH.match(text) or _ITALIAN.match(text)
    if match is None:
        raise ParseError(Msg.of("reminder.error.not_a_reminder", text=text), example=Msg.of("reminder.example.me"))
    rest, when = split_trailing_when(match.group("rest").strip(), now=now, zone=zone)
    if when is None:
        raise ParseError(
            Msg.of("reminder.error.no_when", text=match.group("rest").strip()), example=Msg.of("reminder.example.me")
        )
    if not rest.strip():
        raise ParseError(Msg.of("reminder.error.no_text"), example=Msg.of("reminder.example.me"))
    return ReminderRequest(who=_who(match.group("who")), text=rest.strip(), when=when)
