"""`/ops hours …`, `/ops away …` and `/ops holiday …` (and `orari`, `assenza`, `festivo`) → typed requests.

Hours are a time range and some weekdays in either order: `10:00-18:00 mon-fri`, `lun-ven dalle 9 alle 17`,
`9-13 mon, wed, fri`, `8:30-16:30 weekdays`; without days they mean Monday to Friday. Single dates are read
by `bot.parsing.dates.parse_when` (so "friday", "venerdì prossimo", "24 dicembre", "2026-12-24" all work) and
kept as the local date; a range is two of them joined by `to`/`until`/`-`/`al`/`a`/`fino al`, and what follows
the last date is the reason (`/ops away @luca 2026-12-24 to 2026-12-26 holiday`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.ids import UserId
from bot.domain.messages import Msg
from bot.domain.people_time import WEEKDAYS, WorkingHours
from bot.parsing.dates import DATE_WORDS, MONTH_WORDS, WEEKDAY_WORDS, parse_when
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first, user_mention

# Italian short day names, as written on shop doors ("lun-ven 9-19").
_SHORT_DAYS = {"lun": 0, "mar": 1, "mer": 2, "gio": 3, "ven": 4, "sab": 5, "dom": 6, "weds": 2, "thur": 3}
DAY_NAMES: dict[str, int] = {**WEEKDAY_WORDS, **_SHORT_DAYS}
_ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
MAX_DATE_WORDS = 4  # "venerdì 24 dicembre 2026"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda word: (-len(word), word)))


_DAY = rf"(?:{_alternation(list(DAY_NAMES))})"
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm))?"
_RANGE_JOIN = r"(?:\s*(?:-|\u2013|\u2014)\s*|\s+(?:to|until|till|alle|a|fino\s+alle)\s+)"
TIME_RANGE = re.compile(rf"(?:^|\s)(?:from\s+|dalle\s+|da\s+)?(?P<a>{_CLOCK}){_RANGE_JOIN}(?P<b>{_CLOCK})(?=\s|$)")
_DAY_RANGE = re.compile(
    rf"^(?:from\s+|dal\s+|da\s+)?(?P<a>{_DAY})(?:\s*(?:-|\u2013|\u2014)\s*|\s+(?:to|through|thru|until|al|a)\s+)(?P<b>{_DAY})$"
)
_DAY_LIST = re.compile(rf"^(?:on\s+|il\s+|di\s+)?(?P<days>{_DAY}(?:(?:\s*,\s*|\s+and\s+|\s+e\s+|\s*&\s*|\s+){_DAY})*)$")
_EVERY_DAY = re.compile(r"^(?:every\s*day|daily|all\s+week|tutti\s+i\s+giorni|ogni\s+giorno|7\s+su\s+7|7/7)$")
_WEEKDAYS_WORDS = re.compile(
    r"^(?:on\s+)?(?:weekdays?|working\s+days?|work\s+days?|business\s+days?|giorn[oi]\s+ferial[ei]|ferial[ei]"
    r"|giorni\s+lavorativi|nei\s+giorni\s+feriali)$"
)
_WEEKEND = re.compile(r"^(?:on\s+)?(?:the\s+)?(?:weekends?|fine\s+settimana|(?:il\s+|nel\s+)?weekend)$")
_CLOCK_PARTS = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>am|pm)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^#?(\d{1,9})$")
_SEPARATORS = {"to", "until", "till", "-", "\u2013", "\u2014", "al", "a", "fino", "through", "thru"}
_COVER = re.compile(
    r"(?:^|\s|,)(?:covered\s+by|cover(?:ing)?|cover\s+is|copre|copertura|sostituit[oa]\s+da|sostitut[oa]|"
    r"sostituisce)\s*:?\s+(?P<who><@[UW][A-Z0-9]+(?:\|[^>]*)?>)",
    re.IGNORECASE,
)
_LEADS = {"from", "dal", "da", "dall'", "on", "il"}


# ---- requests --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowHours:
    user: UserId | None  # None: the person asking


@dataclass(frozen=True, slots=True)
class SetHours:
    user: UserId | None
    hours: WorkingHours


@dataclass(frozen=True, slots=True)
class ShowDefaultHours:
    """`/ops hours default` alone: the workspace's default hours."""


@dataclass(frozen=True, slots=True)
class SetDefaultHours:
    hours: WorkingHours


HoursRequest = ShowHours | SetHours | ShowDefaultHours | SetDefaultHours


@dataclass(frozen=True, slots=True)
class ListAway:
    """`/ops away` alone: the team's upcoming time off."""


@dataclass(frozen=True, slots=True)
class CancelAway:
    id: int


@dataclass(frozen=True, slots=True)
class AddAway:
    user: UserId | None
    first: date
    last: date
    reason: str
    cover: UserId | None = None


AwayRequest = ListAway | CancelAway | AddAway


@dataclass(frozen=True, slots=True)
class ListHolidays:
    """`/ops holiday list`: the upcoming public holidays."""


@dataclass(frozen=True, slots=True)
class AddHoliday:
    day: date
    name: str


@dataclass(frozen=True, slots=True)
class RemoveHoliday:
    day: date


HolidayRequest = ListHolidays | AddHoliday | RemoveHoliday


# ---- working hours ---------------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    folded = re.sub(r"\b(luned|marted|mercoled|gioved|venerd)i'", r"\1ì", folded)
    return " ".join(folded.split()).strip(" .!?;")


def _hours_error(text: str) -> ParseError:
    return ParseError(Msg.of("people.error.hours_unreadable", text=text), example=Msg.of("people.example.hours"))


def clock_time(text: str) -> time | None:
    match = _CLOCK_PARTS.match(text.strip())
    if match is None:
        return None
    hour, minute, meridiem = int(match["h"]), int(match["m"] or 0), match["ap"]
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour == 24 and minute == 0:
        return time(23, 59)  # "until 24" is the end of the day
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def weekdays_of(text: str) -> tuple[int, ...] | None:
    text = text.strip(" ,")
    if not text:
        return WEEKDAYS
    if _EVERY_DAY.match(text):
        return _ALL_DAYS
    if _WEEKDAYS_WORDS.match(text):
        return WEEKDAYS
    if _WEEKEND.match(text):
        return (5, 6)
    span = _DAY_RANGE.match(text)
    if span:
        first, last = DAY_NAMES[span["a"]], DAY_NAMES[span["b"]]
        return tuple(sorted({(first + step) % 7 for step in range((last - first) % 7 + 1)}))
    listed = _DAY_LIST.match(text)
    if listed:
        return tuple(sorted({DAY_NAMES[word] for word in re.findall(_DAY, listed["days"])}))
    return None


def parse_hours(text: str) -> WorkingHours:
    """`10:00-18:00 mon-fri` → WorkingHours; the days may come first and default to Monday to Friday."""
    normalized = normalize(text)
    found = TIME_RANGE.search(normalized)
    if found is None:
        raise _hours_error(text.strip())
    start, end = clock_time(found["a"]), clock_time(found["b"])
    if start is None or end is None:
        raise _hours_error(text.strip())
    days = weekdays_of(normalized[: found.start()] + " " + normalized[found.end() :])
    if days is None:
        raise _hours_error(text.strip())
    if end <= start:
        raise ParseError(
            Msg.of("people.error.hours_order", start=f"{start:%H:%M}", end=f"{end:%H:%M}"),
            example=Msg.of("people.example.hours"),
        )
    return WorkingHours(start, end, days)


def parse_hours_command(text: str) -> HoursRequest:
    first, rest = split_first(text)
    if not first:
        return ShowHours(None)
    if first in {"default", "predefinito", "predefiniti", "standard"}:
        return SetDefaultHours(parse_hours(rest)) if rest else ShowDefaultHours()
    person = user_mention(text.split()[0])
    if person is not None:
        return SetHours(person, parse_hours(rest)) if rest else ShowHours(person)
    return SetHours(None, parse_hours(text))


# ---- dates -----------------------------------------------------------------------------------------------------


def _date_error(text: str, example: str) -> ParseError:
    return ParseError(Msg.of("people.error.date_unreadable", text=text), example=Msg.of(example))


def _dateish(word: str) -> bool:
    normalized = normalize(word).strip(",")
    return (
        any(char.isdigit() for char in normalized)
        or normalized in DATE_WORDS
        or normalized in DAY_NAMES
        or normalized in MONTH_WORDS
    )


def read_day(text: str, *, now: datetime, zone: ZoneInfo, example: str) -> date:
    """One local date: ISO `2026-12-24`, `today`/`oggi`, or anything `parse_when` reads (its time is dropped)."""
    phrase = text.strip()
    normalized = normalize(phrase)
    if _ISO.match(normalized):
        try:
            return date.fromisoformat(normalized)
        except ValueError:
            raise _date_error(phrase, example) from None
    if normalized in {"today", "oggi"}:
        return now.astimezone(zone).date()
    if not phrase or not all(_dateish(word) for word in phrase.split()):
        raise _date_error(phrase, example)
    try:
        when = parse_when(phrase, now=now, zone=zone)
    except ParseError as error:
        raise ParseError(error.message, example=Msg.of(example)) from None
    return when.at.astimezone(zone).date()


def _leading_day(words: list[str], *, now: datetime, zone: ZoneInfo, example: str) -> tuple[date, int] | None:
    """The longest run of words at the start that reads as a date, and how many words it took."""
    for size in range(min(MAX_DATE_WORDS, len(words)), 0, -1):
        try:
            return read_day(" ".join(words[:size]), now=now, zone=zone, example=example), size
        except ParseError:
            continue
    return None


def _is_weekday_phrase(words: list[str]) -> bool:
    return any(normalize(word) in DAY_NAMES for word in words) and not any(
        any(char.isdigit() for char in word) or normalize(word) in MONTH_WORDS for word in words
    )


def parse_range(text: str, *, now: datetime, zone: ZoneInfo, example: str) -> tuple[date, date, str]:
    """`friday to monday [reason]`, `dal 24 dicembre al 26 dicembre ferie`, `2026-12-24 holiday` → (first, last, rest).

    A weekday name as the end of a range is the first such day on or after the start ("friday to monday").
    """
    words = text.split()
    if words and normalize(words[0]) in _LEADS:
        words = words[1:]
    if not words:
        raise _date_error(text.strip(), example)
    for index in range(1, min(MAX_DATE_WORDS, len(words) - 1) + 1):
        separator = normalize(words[index])
        if separator not in _SEPARATORS:
            continue
        try:
            first = read_day(" ".join(words[:index]), now=now, zone=zone, example=example)
        except ParseError:
            continue
        after = index + 1
        if separator == "fino" and after < len(words) and normalize(words[after]) in {"a", "al", "all'"}:
            after += 1
        found = _leading_day(words[after:], now=now, zone=zone, example=example)
        if found is None:
            raise _date_error(" ".join(words[after : after + MAX_DATE_WORDS]), example)
        last, size = found
        if last < first and _is_weekday_phrase(words[after : after + size]):
            last += timedelta(days=((first - last).days + 6) // 7 * 7)
        return first, last, " ".join(words[after + size :])
    found = _leading_day(words, now=now, zone=zone, example=example)
    if found is None:
        raise _date_error(" ".join(words[:MAX_DATE_WORDS]), example)
    day, size = found
    return day, day, " ".join(words[size:])


def parse_away_command(text: str, *, now: datetime, zone: ZoneInfo) -> AwayRequest:
    first, rest = split_first(text)
    if not first or first in {"list", "elenco", "lista"}:
        if rest:
            raise _date_error(rest, "people.example.away")
        return ListAway()
    if first in {"cancel", "annulla", "cancella", "delete", "remove", "rimuovi"}:
        number = _ID.match(rest.strip())
        if number is None:
            raise ParseError(Msg.of("people.error.away_id", text=rest.strip()), example=Msg.of("people.example.cancel"))
        return CancelAway(int(number.group(1)))
    person = user_mention(text.split()[0])
    body = rest if person is not None else text
    if not body.strip():
        raise _date_error("", "people.example.away")
    day_one, day_last, reason = parse_range(body, now=now, zone=zone, example="people.example.away")
    reason, cover = _cover(reason)
    return AddAway(person, day_one, day_last, reason, cover)


def _cover(reason: str) -> tuple[str, UserId | None]:
    """`holiday cover @sam`, `ferie sostituto @sam` → the reason without it, and who covers."""
    found = _COVER.search(reason)
    if found is None:
        return reason, None
    cover = user_mention(found["who"])
    rest = (reason[: found.start()] + " " + reason[found.end() :]).strip(" ,;")
    return " ".join(rest.split()), cover


def parse_holiday_command(text: str, *, now: datetime, zone: ZoneInfo) -> HolidayRequest:
    verb, rest = split_first(text)
    if not verb or verb in {"list", "elenco", "lista"}:
        return ListHolidays()
    if verb in {"add", "aggiungi", "nuovo", "new"}:
        words = rest.split()
        found = _leading_day(words, now=now, zone=zone, example="people.example.holiday")
        if found is None:
            raise _date_error(" ".join(words[:MAX_DATE_WORDS]), "people.example.holiday")
        day, size = found
        return AddHoliday(day, " ".join(words[size:]))
    if verb in {"remove", "rimuovi", "togli", "delete", "elimina", "cancel", "annulla"}:
        return RemoveHoliday(read_day(rest, now=now, zone=zone, example="people.example.holiday"))
    raise ParseError(Msg.of("people.error.holiday_verb", text=verb), example=Msg.of("people.example.holiday"))
