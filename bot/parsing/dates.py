"""Plain-language dates and recurrences in English and Italian → aware UTC instants and RRULEs.

A small deterministic grammar reads the phrases people actually type ("tomorrow at 9", "venerdì alle 18",
"in 2 hours", "every weekday at 18:00"); dateparser, with the languages pinned, is only a guarded fallback
for the rest, because on its own it misreads common phrases ("Friday at 9" → September).

Every phrase is read on the speaker's wall clock (`zone`) relative to the injected aware `now`. The rules:

- A date without a time means `DEFAULT_TIME` (09:00); "morning"/"mattina" 09:00, "afternoon"/"pomeriggio"
  15:00, "evening"/"sera"/"tonight"/"stasera" 20:00, "night"/"notte" 22:00. Hours are 24-hour ("at 5" is 05:00)
  unless am/pm or an afternoon/evening word says otherwise ("tonight at 9", "alle 9 di sera" → 21:00).
- A bare time that has already passed today means tomorrow; "today"/"oggi" (and any explicit date) that has
  passed is refused as past, never moved.
- A weekday name means the next such day; on that weekday it means today only when a time is given that is
  still to come ("friday 17:00" on a Friday morning), otherwise a week later.
- English "next friday" is the Friday of next calendar week (weeks start on Monday): said on Monday 30 November
  it is 11 December, said on Saturday 5 December it is also 11 December. Italian "venerdì prossimo" /
  "prossimo venerdì" is the first Friday after today (4 December from Monday 30 November), as Italians use it.
- "midnight"/"mezzanotte" is the end of the named day: "friday at midnight" is 00:00 on Saturday.
- `D/M` is European day/month: "3/12" is 3 December. A day and month without a year is the next such date.
- "in N days|weeks" / "tra N giorni|settimane" is that day at the default time; minutes and hours are exact.
- Recurrences repeat at most daily: "every hour" / "ogni ora" is refused (`dates.error.too_often`), because a
  Slack reminder every hour is noise and hourly wall-clock rules skip or double an hour at DST changes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser
from dateparser.search import search_dates

from bot.domain.messages import Msg
from bot.domain.recurrence import Recurrence
from bot.parsing.errors import ParseError

DEFAULT_TIME = time(9, 0)
PART_TIMES: Mapping[str, time] = MappingProxyType(
    {"morning": time(9, 0), "afternoon": time(15, 0), "evening": time(20, 0), "night": time(22, 0)}
)
# dateparser is slow on long garbage and its misreadings grow with the length of the text.
MAX_FALLBACK_LENGTH = 60
# A date phrase at the end of a sentence is short; longer tails are not tried.
MAX_TAIL_WORDS = 10
# dateparser results further ahead than this are treated as misreadings (it reads "mercoledì 2 dicembre" as 2110).
MAX_FALLBACK_YEARS = 5
DATEPARSER_LANGUAGES = ("en", "it")


@dataclass(frozen=True, slots=True)
class When:
    at: datetime  # aware, UTC
    phrase: str  # the text that was understood, as typed


@dataclass(frozen=True, slots=True)
class Every:
    recurrence: Recurrence
    phrase: str
    first: datetime  # aware UTC: the first occurrence strictly after now


# --- vocabulary -----------------------------------------------------------------------------------------------

WEEKDAY_WORDS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("monday", "mon", "lunedì", "lunedi"), 0),
        **dict.fromkeys(("tuesday", "tue", "tues", "martedì", "martedi"), 1),
        **dict.fromkeys(("wednesday", "wed", "mercoledì", "mercoledi"), 2),
        **dict.fromkeys(("thursday", "thu", "thur", "thurs", "giovedì", "giovedi"), 3),
        **dict.fromkeys(("friday", "fri", "venerdì", "venerdi"), 4),
        **dict.fromkeys(("saturday", "sat", "sabato"), 5),
        **dict.fromkeys(("sunday", "sun", "domenica"), 6),
    }
)
MONTH_WORDS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("january", "jan", "gennaio", "gen"), 1),
        **dict.fromkeys(("february", "feb", "febbraio"), 2),
        **dict.fromkeys(("march", "mar", "marzo"), 3),
        **dict.fromkeys(("april", "apr", "aprile"), 4),
        **dict.fromkeys(("may", "maggio", "mag"), 5),
        **dict.fromkeys(("june", "jun", "giugno", "giu"), 6),
        **dict.fromkeys(("july", "jul", "luglio", "lug"), 7),
        **dict.fromkeys(("august", "aug", "agosto", "ago"), 8),
        **dict.fromkeys(("september", "sep", "sept", "settembre", "set", "sett"), 9),
        **dict.fromkeys(("october", "oct", "ottobre", "ott"), 10),
        **dict.fromkeys(("november", "nov", "novembre"), 11),
        **dict.fromkeys(("december", "dec", "dicembre", "dic"), 12),
    }
)
NUMBER_WORDS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("a", "an", "one", "un", "uno", "una"), 1),
        **dict.fromkeys(("two", "due"), 2),
        **dict.fromkeys(("three", "tre"), 3),
        **dict.fromkeys(("four", "quattro"), 4),
        **dict.fromkeys(("five", "cinque"), 5),
        **dict.fromkeys(("six", "sei"), 6),
        **dict.fromkeys(("seven", "sette"), 7),
        **dict.fromkeys(("eight", "otto"), 8),
        **dict.fromkeys(("nine", "nove"), 9),
        **dict.fromkeys(("ten", "dieci"), 10),
        **dict.fromkeys(("eleven", "undici"), 11),
        **dict.fromkeys(("twelve", "dodici"), 12),
        **dict.fromkeys(("fifteen", "quindici"), 15),
        **dict.fromkeys(("twenty", "venti"), 20),
        **dict.fromkeys(("thirty", "trenta"), 30),
        **dict.fromkeys(("forty-five", "quarantacinque"), 45),
    }
)
_UNIT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("minutes", "minute", "mins", "min", "m", "minuti", "minuto"), "minutes"),
        **dict.fromkeys(("hours", "hour", "hrs", "hr", "h", "ore", "ora"), "hours"),
        **dict.fromkeys(("days", "day", "d", "giorni", "giorno", "g"), "days"),
        **dict.fromkeys(("weeks", "week", "w", "settimane", "settimana"), "weeks"),
    }
)
# Words that can begin or make up a date phrase; used to decide whether text is worth a dateparser call and
# whether an Italian "due" ("two") is really the English keyword.
DATE_WORDS = frozenset(
    set(WEEKDAY_WORDS)
    | set(MONTH_WORDS)
    | {"today", "tonight", "tomorrow", "noon", "midday", "midnight", "next", "this", "in", "on", "at", "the"}
    | {"morning", "afternoon", "evening", "night", "week", "month", "year", "day", "days", "weeks", "hour", "hours"}
    | {"minute", "minutes", "now", "end", "by", "before", "until", "coming", "from", "after"}
    | {"oggi", "stasera", "stanotte", "domani", "dopodomani", "mezzogiorno", "mezzanotte", "prossimo", "prossima"}
    | {"alle", "ore", "tra", "fra", "il", "mattina", "pomeriggio", "sera", "notte", "settimana", "mese", "anno"}
    | {"giorno", "giorni", "fine", "entro", "stamattina", "questo", "questa", "ogni", "every", "weekday", "weekend"}
)


def _alternation(words: Iterator[str] | list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda word: (-len(word), word)))


_WD = f"(?:{_alternation(list(WEEKDAY_WORDS))})"
_MONTH = f"(?:{_alternation(list(MONTH_WORDS))})"
_NUMBER = f"(?:\\d{{1,4}}|{_alternation(list(NUMBER_WORDS))})"
_UNIT = f"(?:{_alternation(list(_UNIT_WORDS))})"
_END = r"(?=\s|$)"
_ORDINAL = r"(?:st|nd|rd|th|°|º)?"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


# --- normalisation --------------------------------------------------------------------------------------------

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("[\u2019\u2018`\u00b4]", "'"),
        (r"\ba\.m\.?(?=\s|$)", "am"),
        (r"\bp\.m\.?(?=\s|$)", "pm"),
        (r"(?<=\S),(?=\s|$)", " "),
        (r"\beveryday\b", "every day"),
        (r"\b(?:a|one)\s+half\s+hours?\b|\bhalf\s+an?\s+hours?\b|\bhalf\s+hour\b", "30 minutes"),
        (r"\b(?:a\s+)?quarter\s+of\s+an\s+hour\b|\ba\s+quarter\s+hour\b", "15 minutes"),
        (r"\bun\s+quarto\s+d'\s*ora\b", "15 minuti"),
        (r"\bmezz'\s*ora\b|\bmezzora\b|\bmezza\s+ora\b", "30 minuti"),
        (r"\bun'\s*ora\b", "1 ora"),
        (r"\ball'\s*una\b", "alle 1"),
        (r"\bl'\s*(?=\d)", "il "),
        (r"\b(luned|marted|mercoled|gioved|venerd)i'", r"\1ì"),
    )
)


def _normalize(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).lower()
    for pattern, replacement in _REWRITES:
        folded = pattern.sub(replacement, folded)
    return " ".join(folded.split()).strip(" .!?;:,")


# --- the grammar ----------------------------------------------------------------------------------------------
# A phrase is a sequence of components in any order, each filling one or more slots at most once:
#   day (a relative day, a date, a day of the month, next week), weekday, time, part (of the day), offset.

Slots = dict[str, Any]
_Handler = Callable[[re.Match[str]], Slots | None]


def _time_slots(hour: int, minute: int, meridiem: str | None) -> Slots | None:
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return {"time": (hour, minute, meridiem is not None)}


def _prefixed_time(match: re.Match[str]) -> Slots | None:
    minute = int(match["m"]) if match["m"] else 0
    if match["half"]:
        if match["m"]:
            return None
        minute = {"mezza": 30, "mezzo": 30, "un quarto": 15, "tre quarti": 45}[" ".join(match["half"].split())]
    return _time_slots(int(match["h"]), minute, match["ap"])


def _bare_time(match: re.Match[str]) -> Slots | None:
    return _time_slots(int(match["h"]), int(match["m"] or 0), match["ap"])


def _date_slots(year: int | None, month: int, day: int) -> Slots | None:
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29 February is checked against the real year later
    except ValueError:
        return None
    return {"day": ("date", year, month, day)}


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + (2000 if len(text) == 2 else 0)


def _weekday(match: re.Match[str]) -> Slots | None:
    before, after = match["pre"] or "", match["post"] or ""
    if "next" in (before, after):
        mode = "next_week"
    elif "prossim" in before or "prossim" in after:
        mode = "after_today"
    else:
        mode = "plain"
    return {"weekday": (WEEKDAY_WORDS[match["wd"]], mode)}


def _offset(match: re.Match[str]) -> Slots | None:
    total = timedelta()
    exact = False
    for number, unit in ((match["n1"], match["u1"]), (match["n2"], match["u2"])):
        if number is None:
            continue
        kind = _UNIT_WORDS[unit]
        exact = exact or kind in {"minutes", "hours"}
        total += timedelta(**{kind: _number(number)})
    if total <= timedelta():
        return None
    if exact:
        return {"offset": total}
    if total % timedelta(days=1):
        return None
    return {"day": ("rel", total.days)}


_LEAD = r"(?:by|before|until|for|entro|per|prima\s+del|prima\s+di)\s+"
_TIME_PREFIX = r"(?:at\s+around\s+|at\s+about\s+|at\s+|@\s*|alle\s+ore\s+|alle\s+|ore\s+|verso\s+le\s+|le\s+)"
_Table = tuple[tuple[re.Pattern[str], _Handler], ...]


def _table(*rows: tuple[str, _Handler]) -> _Table:
    return tuple((re.compile(pattern + _END), handler) for pattern, handler in rows)


_TIME_COMPONENTS = _table(
    (
        rf"{_TIME_PREFIX}(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?(?:\s*(?P<ap>am|pm))?(?:\s+o'clock)?"
        r"(?:\s+e\s+(?P<half>mezza|mezzo|un\s+quarto|tre\s+quarti))?",
        _prefixed_time,
    ),
    (r"(?P<h>\d{1,2}):(?P<m>\d{2})(?:\s*(?P<ap>am|pm))?", _bare_time),
    (r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>am|pm)", _bare_time),
    (r"(?:at\s+|a\s+|alle\s+)?(?:noon|midday|mezzogiorno|mezzodì)", lambda m: {"time": (12, 0, True)}),
    (r"(?:at\s+|a\s+|alle\s+)?(?:midnight|mezzanotte)", lambda m: {"time": "midnight"}),
)
_PART_COMPONENTS = _table(
    (r"(?:in\s+the\s+)?morning|(?:di\s+|la\s+|in\s+)?mattin[ao]", lambda m: {"part": "morning"}),
    (r"(?:in\s+the\s+)?afternoon|(?:del\s+|di\s+|nel\s+|il\s+)?pomeriggio", lambda m: {"part": "afternoon"}),
    (r"(?:in\s+the\s+)?evening|(?:di\s+|la\s+|in\s+)?sera(?:ta)?", lambda m: {"part": "evening"}),
    (r"(?:at\s+)?night|(?:di\s+|la\s+|nella\s+)?notte", lambda m: {"part": "night"}),
)
_DAY_COMPONENTS: _Table = _table(
    (r"(?:the\s+)?day\s+after\s+tomorrow|dopodomani", lambda m: {"day": ("rel", 2)}),
    (r"tomorrow|domani", lambda m: {"day": ("rel", 1)}),
    (r"today|oggi", lambda m: {"day": ("rel", 0)}),
    (r"tonight|stasera|this\s+evening|questa\s+sera", lambda m: {"day": ("rel", 0), "part": "evening"}),
    (r"stanotte", lambda m: {"day": ("rel", 0), "part": "night"}),
    (r"this\s+morning|stamattina|stamani|stamane", lambda m: {"day": ("rel", 0), "part": "morning"}),
    (r"this\s+afternoon", lambda m: {"day": ("rel", 0), "part": "afternoon"}),
    (
        r"next\s+week|(?:la\s+)?settimana\s+prossima|(?:la\s+)?prossima\s+settimana",
        lambda m: {"day": ("next_week",)},
    ),
    (
        rf"(?:(?P<pre>on|this|next|questo|(?:il\s+|la\s+)?prossim[oa]|il|di)\s+)?(?P<wd>{_WD})"
        r"(?:\s+(?P<post>prossim[oa]|next))?",
        _weekday,
    ),
    (
        rf"(?:(?:on\s+the|on|the|il)\s+)?(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+(?P<mon>{_MONTH})"
        r"(?:\s+(?P<y>\d{4}))?",
        lambda m: _date_slots(_year(m["y"]), MONTH_WORDS[m["mon"]], int(m["d"])),
    ),
    (
        rf"(?:on\s+)?(?P<mon>{_MONTH})\s+(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+(?P<y>\d{{4}}))?",
        lambda m: _date_slots(_year(m["y"]), MONTH_WORDS[m["mon"]], int(m["d"])),
    ),
    (
        r"(?:(?:on|il|the)\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?",
        lambda m: _date_slots(_year(m["y"]), int(m["m"]), int(m["d"])),
    ),
    (
        r"(?:(?:on|il)\s+)?(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:t(?P<hh>\d{1,2}):(?P<mm>\d{2}))?",
        lambda m: _iso(m),
    ),
    (
        r"(?:on\s+the\s+|the\s+)(?P<d>\d{1,2})(?:st|nd|rd|th)|il\s+(?P<d2>\d{1,2})°?",
        lambda m: _day_of_month(int(m["d"] or m["d2"])),
    ),
)
_COMPONENTS: _Table = (
    *_DAY_COMPONENTS,
    *_TIME_COMPONENTS,
    *_PART_COMPONENTS,
    *_table(
        (
            rf"(?:in|tra|fra)\s+(?P<n1>{_NUMBER})\s*(?P<u1>{_UNIT})"
            rf"(?:\s+(?:and\s+|e\s+)?(?P<n2>{_NUMBER})\s*(?P<u2>{_UNIT}))?",
            _offset,
        ),
    ),
)
_LEAD_PATTERN = re.compile(_LEAD)


def _day_of_month(day: int) -> Slots | None:
    return {"day": ("dom", day)} if 1 <= day <= 31 else None


def _iso(match: re.Match[str]) -> Slots | None:
    slots = _date_slots(int(match["y"]), int(match["m"]), int(match["d"]))
    if slots is None or match["hh"] is None:
        return slots
    clock = _time_slots(int(match["hh"]), int(match["mm"]), None)
    return None if clock is None else slots | clock


def _read(table: _Table, text: str, position: int, slots: Slots, budget: list[int]) -> Iterator[Slots]:
    """Every way to read text[position:] as components of `table` (backtracking, each slot filled once).

    `budget` caps the number of steps, so no arrangement of words can make the search slow."""
    if position >= len(text):
        yield slots
        return
    budget[0] -= 1
    if budget[0] < 0:
        return
    for pattern, handler in table:
        match = pattern.match(text, position)
        if match is None:
            continue
        found = handler(match)
        if found is None or found.keys() & slots.keys():
            continue
        after = match.end()
        if after < len(text):
            after += 1  # the single space _normalize leaves between words
        yield from _read(table, text, after, slots | found, budget)


def _slots(normalized: str) -> Slots | None:
    if not normalized:
        return None
    position = 0
    lead = _LEAD_PATTERN.match(normalized)
    if lead is not None:
        position = lead.end()
    for slots in _read(_COMPONENTS, normalized, position, {}, [200]):
        if slots:
            return slots
    return None


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: a spring-gap time moves forward by the gap, a repeated autumn time is its first instance.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _with_part(hour: int, fixed: bool, part: str | None) -> int | None:
    """A 24-hour hour, moved to the afternoon by "tonight at 9" or "alle 3 del pomeriggio"; None if contradictory."""
    if fixed or part is None:
        return hour
    if part in {"afternoon", "evening"}:
        return hour + 12 if 1 <= hour <= 11 else hour
    if part == "night":
        return hour + 12 if 6 <= hour <= 11 else hour
    return None if hour >= 13 else hour  # morning


def _resolve(slots: Slots, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The aware UTC instant the slots describe, or None when they contradict each other."""
    if "offset" in slots:
        if slots.keys() != {"offset"}:
            return None
        offset: timedelta = slots["offset"]
        return (now + offset).astimezone(UTC).replace(microsecond=0)
    today = _local(now, zone)
    part: str | None = slots.get("part")
    clock = slots.get("time")
    midnight = clock == "midnight"
    if clock is None or midnight:
        wall = time(0, 0) if midnight else PART_TIMES.get(part or "", DEFAULT_TIME)
    else:
        hour, minute, fixed = clock
        hour = _with_part(hour, fixed, part)
        if hour is None:
            return None
        wall = time(hour, minute)
    shift = timedelta(days=1) if midnight else timedelta()

    def at(day: date) -> datetime:
        return datetime.combine(day, wall) + shift

    day_slot: tuple[Any, ...] | None = slots.get("day")
    weekday: tuple[int, str] | None = slots.get("weekday")
    chosen: date
    if day_slot is not None:
        found = _day(day_slot, today, at)
        if found is None:
            return None
        chosen = found
        if weekday is not None and (weekday[1] != "plain" or chosen.weekday() != weekday[0]):
            return None
    elif weekday is not None:
        target, mode = weekday
        ahead = (target - today.weekday()) % 7
        if mode == "next_week":
            ahead = 7 - today.weekday() + target
        elif mode == "after_today":
            ahead = ahead or 7
        elif ahead == 0 and (clock is None or at(today.date()) <= today):
            ahead = 7
        chosen = today.date() + timedelta(days=ahead)
    else:
        chosen = today.date()
        if at(chosen) <= today:
            chosen += timedelta(days=1)
    return _instant(at(chosen), zone)


def _day(day_slot: tuple[Any, ...], today: datetime, at: Callable[[date], datetime]) -> date | None:
    kind = day_slot[0]
    if kind == "rel":
        return today.date() + timedelta(days=day_slot[1])
    if kind == "next_week":
        return today.date() + timedelta(days=7 - today.weekday())
    if kind == "date":
        _, year, month, day = day_slot
        years = [year] if year is not None else [today.year, today.year + 1, today.year + 4]
        for candidate in years:
            try:
                chosen = date(candidate, month, day)
            except ValueError:
                continue
            if year is not None or at(chosen) > today:
                return chosen
        return None
    # "dom": the next month that has that day of the month
    for step in range(13):
        month_index = today.month - 1 + step
        try:
            chosen = date(today.year + month_index // 12, month_index % 12 + 1, day_slot[1])
        except ValueError:
            continue
        if at(chosen) > today:
            return chosen
    return None


def _grammar_when(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    slots = _slots(_normalize(text))
    return None if slots is None else _resolve(slots, now, zone)


# --- the dateparser fallback -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")


def _worth_a_fallback(normalized: str) -> bool:
    if not normalized or len(normalized) > MAX_FALLBACK_LENGTH:
        return False
    return any(char.isdigit() for char in normalized) or any(word in DATE_WORDS for word in _WORD.findall(normalized))


def _letters_and_digits(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def _fallback(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    normalized = _normalize(text)
    if not _worth_a_fallback(normalized):
        return None
    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": _local(now, zone),
    }
    try:
        parser = DateDataParser(
            languages=list(DATEPARSER_LANGUAGES), settings=settings | {"RETURN_TIME_AS_PERIOD": True}
        )
        data = parser.get_date_data(normalized)
        found: Any = data.date_obj
        if not isinstance(found, datetime) or data.period not in {"time", "day", "week"}:
            return None  # "december" alone, or the "friday at 9" → September misreading (period "month")
        # dateparser reads the longest date it can find; refuse when that is only part of what was written.
        hits = search_dates(normalized, languages=list(DATEPARSER_LANGUAGES), settings=settings)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError):
        return None
    if not hits or len(hits) != 1 or _letters_and_digits(str(hits[0][0])) != _letters_and_digits(normalized):
        return None
    if found.tzinfo is None:
        return None
    local = found.astimezone(zone).replace(tzinfo=None)
    if data.period != "time":
        local = datetime.combine(local.date(), DEFAULT_TIME)
    if not now.astimezone(zone).year <= local.year <= now.astimezone(zone).year + MAX_FALLBACK_YEARS:
        return None
    named = {WEEKDAY_WORDS[word] for word in _WORD.findall(normalized) if word in WEEKDAY_WORDS}
    if named and named != {local.weekday()}:
        return None
    return _instant(local, zone)


# --- public: one instant ----------------------------------------------------------------------------------------


def _unreadable(text: str) -> ParseError:
    return ParseError(Msg.of("dates.error.unreadable", text=text), example=Msg.of("dates.example.when"))


def _past(text: str) -> ParseError:
    return ParseError(Msg.of("dates.error.past", text=text), example=Msg.of("dates.example.when"))


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")


def parse_when(text: str, *, now: datetime, zone: ZoneInfo) -> When:
    """The whole of `text` as one future instant, read on the speaker's clock."""
    _check_now(now)
    phrase = text.strip()
    found = _grammar_when(phrase, now, zone) or _fallback(phrase, now, zone)
    if found is None:
        raise _unreadable(phrase)
    if found <= now:
        raise _past(phrase)
    return When(found, phrase)


# --- recurrences --------------------------------------------------------------------------------------------------

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EVERY_WORD = re.compile(r"(?:every|each|ogni)\s+")
_WD_LIST = rf"(?P<days>{_WD}(?:(?:\s*,\s*|\s+|\s+and\s+|\s+e\s+|\s*&\s*){_WD})*)"
_SUB_DAILY = re.compile(
    rf"(?:(?:{_NUMBER})\s+)?(?:hours?|hrs?|or[ae]|minutes?|mins?|minut[oi]|seconds?|second[oi]){_END}"
)


def _days_of(listed: str) -> tuple[int, ...]:
    return tuple(sorted({WEEKDAY_WORDS[word] for word in re.findall(_WD, listed)}))


_EVERY_COMPONENTS: _Table = (
    *_table(
        (
            r"(?:(?P<other>other)\s+|(?P<n>\d{1,3}|" + _alternation(list(NUMBER_WORDS)) + r")\s+)?(?:days?|giorn[oi])",
            lambda m: {"freq": ("DAILY", _interval(m), ())},
        ),
        (
            r"(?:weekdays?|working\s+days?|work\s+days?|business\s+days?|giorn[oi]\s+feriali|giorno\s+feriale"
            r"|feriale|giorn[oi]\s+lavorativ[oi])",
            lambda m: {"freq": ("WEEKLY", 1, (0, 1, 2, 3, 4))},
        ),
        (r"(?:weekends?|fine\s+settimana|weekend\s+days?)", lambda m: {"freq": ("WEEKLY", 1, (5, 6))}),
        (rf"(?:on\s+)?{_WD_LIST}", lambda m: {"freq": ("WEEKLY", 1, _days_of(m["days"]))}),
        (
            r"(?:(?P<other>other)\s+|(?P<n>\d{1,3}|" + _alternation(list(NUMBER_WORDS)) + r")\s+)?"
            rf"(?:weeks?|settiman[ae])(?:\s+(?:on|il|la|di|of)\s+{_WD_LIST})?",
            lambda m: {"freq": ("WEEKLY", _interval(m), _days_of(m["days"]) if m["days"] else ())},
        ),
        (
            r"(?:(?P<other>other)\s+|(?P<n>\d{1,3}|" + _alternation(list(NUMBER_WORDS)) + r")\s+)?(?:months?|mes[ei])"
            r"(?:\s+(?:on\s+the\s+|on\s+day\s+|on\s+|the\s+|il\s+|il\s+giorno\s+)(?P<d>\d{1,2})(?:st|nd|rd|th|°)?)?",
            lambda m: _monthly(m["d"], _interval(m)),
        ),
        (
            r"(?:the\s+)?(?P<d>\d{1,2}|first|primo)(?:st|nd|rd|th|°)?\s+"
            r"(?:of\s+the\s+month|of\s+each\s+month|of\s+every\s+month|day\s+of\s+the\s+month|del\s+mese"
            r"|di\s+ogni\s+mese|giorno\s+del\s+mese)",
            lambda m: _monthly("1" if m["d"] in {"first", "primo"} else m["d"], 1),
        ),
        (
            r"(?:the\s+)?last\s+day\s+of\s+the\s+month|ultimo\s+giorno\s+del\s+mese|fine\s+mese",
            lambda m: {"freq": ("MONTHLY", 1, -1)},
        ),
        (r"(?:(?P<n>\d{1,3})\s+)?(?:years?|ann[oi])", lambda m: {"freq": ("YEARLY", _interval(m), ())}),
    ),
    *_TIME_COMPONENTS,
    *_PART_COMPONENTS,
)


def _interval(match: re.Match[str]) -> int:
    groups = match.groupdict()
    if groups.get("other"):
        return 2
    return _number(groups["n"]) if groups.get("n") else 1


def _monthly(day: str | None, interval: int) -> Slots | None:
    if day is not None and not 1 <= int(day) <= 31:
        return None
    return {"freq": ("MONTHLY", interval, int(day) if day else None)}


def _unreadable_every(text: str) -> ParseError:
    return ParseError(Msg.of("dates.error.unreadable_every", text=text), example=Msg.of("dates.example.every"))


def _grammar_every(text: str, now: datetime, zone: ZoneInfo) -> Every | None:
    """None when `text` is not a recurrence this grammar reads; ParseError for one that repeats too often."""
    normalized = _normalize(text)
    lead = _EVERY_WORD.match(normalized)
    if lead is None:
        return None
    body = normalized[lead.end() :]
    if _SUB_DAILY.match(body):
        raise ParseError(Msg.of("dates.error.too_often", text=text.strip()), example=Msg.of("dates.example.every"))
    slots = next((found for found in _read(_EVERY_COMPONENTS, body, 0, {}, [200]) if "freq" in found), None)
    if slots is None:
        return None
    today = _local(now, zone)
    clock = slots.get("time")
    part: str | None = slots.get("part")
    if clock == "midnight":
        wall = time(0, 0)
    elif clock is None:
        wall = PART_TIMES.get(part or "", DEFAULT_TIME)
    else:
        hour, minute, fixed = clock
        hour = _with_part(hour, fixed, part)
        if hour is None:
            return None
        wall = time(hour, minute)
    freq, interval, detail = slots["freq"]
    parts = [f"FREQ={freq}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if freq == "WEEKLY":
        days = detail or (today.weekday(),)
        parts.append("BYDAY=" + ",".join(_WEEKDAY_CODES[day] for day in days))
    elif freq == "MONTHLY":
        parts.append(f"BYMONTHDAY={detail if detail is not None else today.day}")
    rule = ";".join(parts)
    try:
        draft = Recurrence(rule, zone.key, datetime.combine(today.date(), wall))
        start = draft.next_local_after(now)
        if start is None:
            return None
        recurrence = Recurrence(rule, zone.key, start)
    except ValueError:
        return None
    first = recurrence.next_after(now)
    if first is None:
        return None
    return Every(recurrence, text.strip(), first)


def parse_every(text: str, *, now: datetime, zone: ZoneInfo) -> Every:
    """A recurrence phrase starting with "every"/"ogni", its first occurrence strictly after `now`."""
    _check_now(now)
    found = _grammar_every(text, now, zone)
    if found is None:
        raise _unreadable_every(text.strip())
    return found


# --- phrases inside sentences --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")
_JOINT = " \t\n,;:-\u2013\u2014"  # what may separate a title from its date phrase ("Call Anna, tomorrow")


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _is_lone_capitalised_weekday(tail: str) -> bool:
    """ "Call Monday" keeps Monday in the title: a single capitalised weekday is too often a name."""
    words = tail.split()
    if len(words) != 1:
        return False
    word = words[0].strip(".,;:!?")
    return word[:1].isupper() and _normalize(word) in WEEKDAY_WORDS


def _read_tail(tail: str, now: datetime, zone: ZoneInfo) -> When | Every | None:
    """The grammar's reading of a whole tail, or None; a readable tail in the past is an error."""
    normalized = _normalize(tail)
    if _EVERY_WORD.match(normalized):
        return _grammar_every(tail, now, zone)
    found = _grammar_when(tail, now, zone)
    if found is None:
        return None
    if found <= now:
        raise _past(tail.strip())
    return When(found, tail.strip())


def split_trailing_when(text: str, *, now: datetime, zone: ZoneInfo) -> tuple[str, When | Every | None]:
    """The longest date or recurrence phrase at the end of `text`, and the text before it.

    Only the deterministic grammar is used here: the title is free text and dateparser would happily take
    its words for a date. A single capitalised weekday alone at the end ("Call Monday") is left in the title;
    with a time or a preposition ("Call Monday at 10", "Call on Monday") or in lower case it is a date.
    """
    _check_now(now)
    tokens = _tokens(text)
    for index in range(max(0, len(tokens) - MAX_TAIL_WORDS), len(tokens)):
        tail = text[tokens[index].start() :]
        if index > 0 and _is_lone_capitalised_weekday(tail):
            continue
        found = _read_tail(tail, now, zone)
        if found is not None:
            return text[: tokens[index].start()].rstrip(_JOINT), found
    return text, None


# --- due dates inside task commands ----------------------------------------------------------------------------------

DUE_WORDS = frozenset({"due", "entro", "scadenza"})
EVERY_WORDS = frozenset({"every", "each", "ogni"})
# Where a due phrase stops: the next option of a task command.
OPTION_WORDS = frozenset(
    {"priority", "priorità", "priorita", "prio", "tag", "tags", "assign", "assegna", "owner", "note", "nota"}
    | DUE_WORDS
    | EVERY_WORDS
)
_RECURRING_WORDS = frozenset(
    set(WEEKDAY_WORDS)
    | {"day", "days", "week", "weeks", "month", "months", "year", "weekday", "weekdays", "weekend", "other"}
    | {"giorno", "giorni", "settimana", "settimane", "mese", "mesi", "anno", "feriale", "hour", "ora", "ore"}
    | {"first", "primo", "last", "ultimo", "the", "working", "business", "fine"}
)


def _is_option(word: str) -> bool:
    return word[:1] in {"#", "@", "<"} or word.lower() in OPTION_WORDS


def _looks_like_a_date(word: str) -> bool:
    """A digit, a date word, or a near miss of one ("tomorow"): worth an error rather than a silent title."""
    normalized = _normalize(word)
    if any(char.isdigit() for char in normalized) or normalized in DATE_WORDS or normalized in NUMBER_WORDS:
        return True
    return len(normalized) >= 5 and bool(difflib.get_close_matches(normalized, DATE_WORDS, n=1, cutoff=0.8))


def _join(*pieces: str) -> str:
    return " ".join(piece.strip() for piece in pieces if piece.strip())


def find_due(text: str, *, now: datetime, zone: ZoneInfo) -> tuple[str, When | Every | None]:
    """The due phrase of a task command and the rest of the text, options such as `priority high` untouched.

    The phrase follows `due`/`entro`/`scadenza`, or is a recurrence starting with `every`/`ogni`, and runs up to
    the next option (`priority`, `#tag`, a mention…); its longest readable beginning is taken. The rightmost
    keyword wins. "due" followed by an ordinary word ("Comprare due casse") is the Italian number two, not the
    keyword; a keyword followed by something date-like that cannot be read is an error quoting it.
    """
    _check_now(now)
    tokens = _tokens(text)
    for index in range(len(tokens) - 1, -1, -1):
        keyword = tokens[index].group().lower()
        if keyword not in DUE_WORDS and keyword not in EVERY_WORDS:
            continue
        recurring = keyword in EVERY_WORDS
        end = index + 1
        while end < len(tokens) and not _is_option(tokens[end].group()):
            end += 1
        first_word = tokens[index + 1].group() if index + 1 < len(tokens) else ""
        if recurring:
            phrase_tokens = tokens[index:end]
        else:
            phrase_tokens = tokens[index + 1 : end]
            if keyword == "due" and not _looks_like_a_date(first_word):
                continue  # Italian "due" (two)
        found = _longest_prefix(text, phrase_tokens, recurring, now, zone)
        # What follows a readable beginning stays in the title, unless it looks like more of the date
        # ("due friday at 25:00" must not become "friday" plus a title ending in "at 25:00").
        if found is not None and (
            found[1] == len(phrase_tokens) or not _looks_like_a_date(phrase_tokens[found[1]].group())
        ):
            reading, stop = found
            before = text[: tokens[index].start()]
            after = text[phrase_tokens[stop - 1].end() :]
            return _join(before, after), reading
        span = text[phrase_tokens[0].start() : phrase_tokens[-1].end()] if phrase_tokens else ""
        if recurring:
            if found is not None or _normalize(first_word) in _RECURRING_WORDS or _looks_like_a_date(first_word):
                raise _unreadable_every(span)
            continue
        raise _unreadable(span or keyword)
    return text, None


def _longest_prefix(
    text: str, phrase_tokens: list[re.Match[str]], recurring: bool, now: datetime, zone: ZoneInfo
) -> tuple[When | Every, int] | None:
    if not phrase_tokens:
        return None
    start = phrase_tokens[0].start()
    for stop in range(min(len(phrase_tokens), MAX_TAIL_WORDS + 1), 0, -1):
        phrase = text[start : phrase_tokens[stop - 1].end()]
        if recurring:
            every = _grammar_every(phrase, now, zone)
            if every is not None:
                return every, stop
            continue
        found = _grammar_when(phrase, now, zone)
        if found is not None:
            if found <= now:
                raise _past(phrase)
            return When(found, phrase), stop
    if recurring:
        return None
    whole = text[start : phrase_tokens[-1].end()]
    found = _fallback(whole, now, zone)
    if found is None:
        return None
    if found <= now:
        raise _past(whole)
    return When(found, whole), len(phrase_tokens)
