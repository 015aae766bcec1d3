"""`/ops meeting …` (and `riunione …`) text → typed requests: a meeting to book, or free time to look for.

    /ops meeting <title> <when> [with <invitees>] [for <duration>] [at|in|presso <place>]
        Weekly sync with @maria @luca on 3 December at 10:00 for 45m at Room 2
        Riunione di reparto con @maria domani alle 15 per 30 minuti in Sala 2
        Stand-up every monday 9:00 for 15m with #ops                   (ogni lunedì alle 9)
    /ops meeting find <duration> with <invitees> [this week|next week|tomorrow|on friday]
        (riunione trova 30 minuti con @maria @luca [questa settimana|prossima settimana|domani|venerdì])

The title comes first; the other parts follow it in any order, and words that belong to no part join the title
("Sync with @maria about the budget tomorrow at 10" is "Sync about the budget").

- when (required): whatever the date grammar of `bot.parsing.dates` reads, found anywhere after the title
  ("tomorrow 15:00", "on 3 December at 10:00", "venerdì alle 9", "in 2 hours"), or a recurrence starting with
  "every"/"ogni" (a recurring meeting). One date may be split around other parts ("on friday with @maria at 10").
  The grammar decides what is a time: "at 10:00", "at 9", "in 2 hours" are times, never places.
- invitees: Slack mentions of people `<@U…>`, user groups `<!subteam^S…>` and channels `<#C…>` (everyone in
  it), anywhere; after "with"/"con" also shift roles: "[the] kitchen shift", "[il] turno [di] cucina" → "kitchen",
  "cucina". Several are joined by spaces, commas, "and"/"e".
- duration: "for"/"per"/"di"/"lasting"/"durata" then "45m", "1h30m", "1 hour", "30 minuti", "an hour",
  "half an hour", "mezz'ora", "un'ora e mezza", "1.5 hours"; between `MIN_DURATION` and `MAX_DURATION`. A number
  after "for"/"per" that is not a duration is an error; absent, the caller's default applies (None).
- place: "at"/"in"/"presso" then free text up to the next part: "at Room 2", "in Sala 2", "presso l'ufficio",
  "at https://meet.example/abc", "at Via Roma 1, Milano". Several places are joined with ", ".

`find` reads a duration first, then invitees (at least one), then an optional window of local days: "this week"
(today to Sunday), "next week" (Monday to Sunday), a day ("tomorrow", "on friday", "3/12"); by default from today
to the end of next week.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.ids import ChannelId, UserId
from bot.domain.messages import Msg
from bot.parsing.dates import (
    DATE_WORDS,
    MAX_TAIL_WORDS,
    MONTH_WORDS,
    NUMBER_WORDS,
    WEEKDAY_WORDS,
    Every,
    When,
    split_trailing_when,
)
from bot.parsing.errors import ParseError
from bot.parsing.people import read_day
from bot.parsing.tokens import channel_mention, duration, user_mention

MAX_TITLE = 150
MAX_PLACE = 200
MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)
# "an hour and a half at the office" — the longest duration phrase tried after its lead word.
MAX_DURATION_WORDS = 6

_ADD_EXAMPLE = Msg.of("meeting.example.add")
_FIND_EXAMPLE = Msg.of("meeting.example.find")


@dataclass(frozen=True, slots=True)
class Invitees:
    people: tuple[UserId, ...] = ()
    groups: tuple[str, ...] = ()  # user group ids, "S0KITCHEN"
    channels: tuple[ChannelId, ...] = ()  # everyone in the channel
    roles: tuple[str, ...] = ()  # shift roles, lower case: "kitchen", "cucina"


@dataclass(frozen=True, slots=True)
class MeetingText:
    title: str
    when: When | Every  # the start; Every for a recurring meeting
    duration: timedelta | None  # None: the caller's default
    place: str  # "" when none
    invitees: Invitees


@dataclass(frozen=True, slots=True)
class FindRequest:
    duration: timedelta
    invitees: Invitees
    first_day: date  # the local days to search, inclusive
    last_day: date


# --- words --------------------------------------------------------------------------------------------------------

_WITH_WORDS = frozenset({"with", "w/", "con", "inviting", "invite", "invita"})
_JOINERS = frozenset({"", "and", "e", "ed", "&", "+"})  # "" is a lone comma once punctuation is stripped
_DURATION_LEADS = frozenset({"for", "per", "di", "lasting", "durata"})
_NUMBER_LEADS = frozenset({"for", "per"})  # after these a number must be a duration
_PLACE_LEADS = frozenset({"at", "in", "presso"})
_SHIFT_WORDS = frozenset({"shift", "shifts"})
_TURNO_WORDS = frozenset({"turno", "turni"})
_ITALIAN_ARTICLES = frozenset({"il", "i", "al", "ai", "lo"})
_ITALIAN_OF = frozenset({"di", "del", "della", "dello", "dei", "delle"})
_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "mattina", "pomeriggio", "sera", "notte"})
# After "turno di" these are dates, not roles ("il turno di domani"); parts of the day stay roles ("di notte").
_NOT_ROLES = (DATE_WORDS - _PARTS_OF_DAY - {"giorno"}) | set(NUMBER_WORDS)
_KEYWORDS = _WITH_WORDS | _JOINERS | _DURATION_LEADS | _PLACE_LEADS | _SHIFT_WORDS | _TURNO_WORDS | {"the"}
_ROLE_WORD = re.compile(r"[^\W\d_][\w'-]*")
# Words that make a date phrase definite, so that two pieces of one date can be joined ("on friday" … "at 10");
# "morning" or "next week" alone may as well be part of a title.
_DEFINITE_DAY_WORDS = (
    set(WEEKDAY_WORDS)
    | set(MONTH_WORDS)
    | {"today", "tomorrow", "tonight", "noon", "midday", "midnight", "every", "each", "ogni"}
    | {"oggi", "domani", "dopodomani", "stasera", "stanotte", "stamattina", "mezzogiorno", "mezzanotte"}
)
_PUNCTUATION = ".,;:!?"
_JOINT = " \t\n,;:.!?-\u2013\u2014"  # trimmed from the ends of the title and the place

_MENTION = r"<(?:@[UW][A-Z0-9]{2,}|#[CGD][A-Z0-9]{2,}|!subteam\^[A-Z0-9]{2,})(?:\|[^<>]*)?>"
_TOKEN = re.compile(rf"{_MENTION}|(?:(?!{_MENTION})\S)+")
_WHOLE_MENTION = re.compile(_MENTION)
_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]{2,})(?:\|[^<>]*)?>$")
_LINK = re.compile(r"<((?:https?|mailto):[^|<>\s]+)(?:\|[^<>]*)?>")

_WEEK_WORDS = re.compile(r"^(?:in\s+|during\s+|within\s+|nella\s+|entro\s+)?(?:la\s+)?")
_THIS_WEEK = frozenset({"this week", "questa settimana"})
_NEXT_WEEK = frozenset({"next week", "prossima settimana", "settimana prossima"})

# --- durations ----------------------------------------------------------------------------------------------------

_DURATION_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s+(?:and\s+a\s+half|e\s+mezz[ao])$", " 30m"),
        (r"^(?:a\s+|one\s+)?half\s+(?:an\s+)?hour$|^mezz'\s*ora$|^mezzora$|^mezza\s+ora$", "30m"),
        (r"^(?:a\s+)?quarter\s+(?:of\s+an\s+)?hour$|^un\s+quarto\s+d'\s*ora$", "15m"),
        (r"\s+(?:and|e)\s+(?:a\s+|un\s+)?quarter$|\s+e\s+un\s+quarto$", " 15m"),
        (r"^un'\s*ora\b", "1 ora"),
    )
)
_DECIMAL_HOURS = re.compile(r"^(?P<whole>\d{1,2})[.,](?P<part>\d{1,2})\s*(?:h|hrs?|hours?|or[ae])$")


def _duration_value(phrase: str) -> timedelta | None:
    """One duration phrase, lower case: "45m", "1 hour", "1h 30m", "an hour and a half", "mezz'ora"."""
    text = phrase.replace("\u2019", "'").strip()
    decimal = _DECIMAL_HOURS.match(text)
    if decimal is not None:
        return timedelta(minutes=round(float(f"{decimal['whole']}.{decimal['part']}") * 60))
    for pattern, replacement in _DURATION_REWRITES:
        text = pattern.sub(replacement, text)
    words = [str(NUMBER_WORDS[word]) if word in NUMBER_WORDS else word for word in text.split()]
    return duration(" ".join(word for word in words if word not in {"and", "e", "ed"}))


# --- tokens -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        """Lower case without the punctuation around it; "" for a lone comma."""
        return self.text.lower().replace("\u2019", "'").strip(_PUNCTUATION)

    @property
    def is_mention(self) -> bool:
        return _WHOLE_MENTION.fullmatch(self.text) is not None


def _tokens(text: str) -> list[_Token]:
    return [_Token(match.group(), match.start(), match.end()) for match in _TOKEN.finditer(text)]


@dataclass(frozen=True, slots=True)
class _Fragment:
    """Tokens [start, end) that the date grammar reads on their own."""

    start: int
    end: int
    when: When | Every


@dataclass(slots=True)
class _Invited:
    people: list[UserId]
    groups: list[str]
    channels: list[ChannelId]
    roles: list[str]

    def add(self, kind: str, value: str) -> None:
        if kind == "person":
            self.people.append(UserId(value))
        elif kind == "channel":
            self.channels.append(ChannelId(value))
        elif kind == "group":
            self.groups.append(value)
        else:
            self.roles.append(value)

    def freeze(self) -> Invitees:
        return Invitees(
            people=tuple(dict.fromkeys(self.people)),
            groups=tuple(dict.fromkeys(self.groups)),
            channels=tuple(dict.fromkeys(self.channels)),
            roles=tuple(dict.fromkeys(self.roles)),
        )


# --- invitees -----------------------------------------------------------------------------------------------------


def _role(tokens: list[_Token], index: int) -> tuple[str, int] | None:
    """ "[the] kitchen shift" (up to three words) or "[il] turno [di] cucina" at `index` → (role, end)."""
    count = len(tokens)
    position = index + 1 if index < count and tokens[index].word == "the" else index
    for size in range(1, 4):
        last = position + size
        if last >= count:
            break
        words = [token.word for token in tokens[position:last]]
        if any(
            token.is_mention or not _ROLE_WORD.fullmatch(word) or word in _KEYWORDS
            for token, word in zip(tokens[position:last], words, strict=True)
        ):
            break
        if tokens[last].word in _SHIFT_WORDS:
            return " ".join(words), last + 1
    position = index + 1 if index < count and tokens[index].word in _ITALIAN_ARTICLES else index
    if position >= count or tokens[position].word not in _TURNO_WORDS:
        return None
    position += 1
    if position + 1 < count and tokens[position].word in _ITALIAN_OF:
        position += 1
    if position >= count or tokens[position].is_mention:
        return None
    word = tokens[position].word
    if not _ROLE_WORD.fullmatch(word) or word in _NOT_ROLES or word in _KEYWORDS:
        return None
    return word, position + 1


def _mention(token: _Token) -> tuple[str, str] | None:
    """A person, a user group or a channel → (kind, id)."""
    if not token.is_mention:
        return None
    person, channel, group = user_mention(token.text), channel_mention(token.text), _GROUP.match(token.text)
    if person is not None:
        return "person", person
    if channel is not None:
        return "channel", channel
    return None if group is None else ("group", group.group(1))


def _invitee(tokens: list[_Token], index: int, *, roles: bool) -> tuple[str, str, int] | None:
    """A mention, or (after "with") a shift role, starting at `index` → (kind, value, end)."""
    if index >= len(tokens):
        return None
    mention = _mention(tokens[index])
    if mention is not None:
        return mention[0], mention[1], index + 1
    if not roles:
        return None
    found = _role(tokens, index)
    return None if found is None else ("role", found[0], found[1])


def _mark_invitees(tokens: list[_Token], kinds: list[str | None], invited: _Invited, start: int = 0) -> None:
    """Finds the invitee lists ("with @maria, @luca and the kitchen shift", or mentions alone) from `start`."""
    index = start
    while index < len(tokens):
        led = tokens[index].word in _WITH_WORDS
        first = _invitee(tokens, index + 1 if led else index, roles=led)
        if first is None:
            index += 1
            continue
        found = [first[:2]]
        end = first[2]
        while True:
            after = end
            while after < len(tokens) and tokens[after].word in _JOINERS and not tokens[after].is_mention:
                after += 1
            more = _invitee(tokens, after, roles=True)
            if more is None:
                break
            found.append(more[:2])
            end = more[2]
        for kind, value in found:
            invited.add(kind, value)
        kinds[index:end] = ["with"] * (end - index)
        index = end


# --- the date -----------------------------------------------------------------------------------------------------


def _segments(kinds: list[str | None]) -> list[tuple[int, int]]:
    """The runs [start, end) of tokens not yet given a part."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, kind in enumerate([*kinds, "end"]):
        if kind is None and start is None:
            start = index
        elif kind is not None and start is not None:
            runs.append((start, index))
            start = None
    return runs


def _error_length(error: ParseError) -> int:
    return len(str(error.message.params.get("text", "")))


def _read_fragments(
    text: str, tokens: list[_Token], kinds: list[str | None], now: datetime, zone: ZoneInfo
) -> tuple[list[_Fragment], ParseError | None]:
    """For every token, the longest date phrase ending there (within one run of free tokens); and the longest
    phrase that read as a date but failed (in the past, too often), to report when nothing better is found."""
    fragments: list[_Fragment] = []
    failed: ParseError | None = None
    for first, stop in _segments(kinds):
        for last in range(first, stop):
            window_start = tokens[max(first, last - MAX_TAIL_WORDS)].start
            window = text[window_start : tokens[last].end]
            try:
                _, found = split_trailing_when(window, now=now, zone=zone)
            except ParseError as error:
                if failed is None or _error_length(error) >= _error_length(failed):
                    failed = error
                continue
            if found is None:
                continue
            begins = window_start + len(window) - len(found.phrase)
            start = next((index for index in range(first, last + 1) if tokens[index].start == begins), None)
            if start is not None:
                fragments.append(_Fragment(start, last + 1, found))
    widest = [
        fragment
        for fragment in fragments
        if not any(
            other is not fragment and other.start <= fragment.start and fragment.end <= other.end for other in fragments
        )
    ]
    return widest, failed


def _is_lone_name(tokens: list[_Token], start: int, end: int) -> bool:
    """ "Monday" capitalised and alone may be a name ("the Monday Club"), as in `split_trailing_when`."""
    return end - start == 1 and tokens[start].text[:1].isupper() and tokens[start].word in WEEKDAY_WORDS


def _is_definite(tokens: list[_Token], fragment: _Fragment) -> bool:
    return not _is_lone_name(tokens, fragment.start, fragment.end) and any(
        any(char.isdigit() for char in token.word) or token.word in _DEFINITE_DAY_WORDS
        for token in tokens[fragment.start : fragment.end]
    )


def _span(text: str, tokens: list[_Token], start: int, end: int) -> str:
    return text[tokens[start].start : tokens[end - 1].end]


def _joined(
    text: str, tokens: list[_Token], fragments: list[_Fragment], now: datetime, zone: ZoneInfo
) -> tuple[When | Every, list[_Fragment]] | None:
    """Two definite pieces of one date split by other parts ("on friday with @maria at 10") read together."""
    definite = [fragment for fragment in fragments if _is_definite(tokens, fragment)]
    pairs = [(one, two) for one in definite for two in definite if one.end <= two.start]
    pairs.sort(key=lambda pair: (pair[0].end - pair[0].start + pair[1].end - pair[1].start, pair[1].end), reverse=True)
    for one, two in pairs:
        phrase = f"{_span(text, tokens, one.start, one.end)} {_span(text, tokens, two.start, two.end)}"
        try:
            before, found = split_trailing_when(phrase, now=now, zone=zone)
        except ParseError:
            continue
        if found is not None and not before:
            return found, [one, two]
    return None


def _choose_when(
    text: str, tokens: list[_Token], kinds: list[str | None], now: datetime, zone: ZoneInfo
) -> When | Every:
    """The meeting's start: the longest date phrase, or two pieces of one; its tokens are marked "when"."""
    fragments, failed = _read_fragments(text, tokens, kinds, now, zone)
    if not fragments:
        fragments = _lone_weekdays(tokens, kinds, now, zone)
    chosen = _joined(text, tokens, fragments, now, zone)
    if chosen is None and fragments:
        best = max(
            fragments,
            key=lambda fragment: (
                fragment.end - fragment.start,
                not _is_lone_name(tokens, fragment.start, fragment.end),
                fragment.end,
            ),
        )
        chosen = best.when, [best]
    if failed is not None and (chosen is None or _error_length(failed) > len(chosen[0].phrase)):
        raise ParseError(failed.message, example=_ADD_EXAMPLE)
    if chosen is None:
        raise ParseError(Msg.of("meeting.parse.no_time", text=text.strip()), example=_ADD_EXAMPLE)
    when, used = chosen
    for fragment in used:
        kinds[fragment.start : fragment.end] = ["when"] * (fragment.end - fragment.start)
    return replace(when, phrase=when.phrase.strip(_JOINT))


def _lone_weekdays(tokens: list[_Token], kinds: list[str | None], now: datetime, zone: ZoneInfo) -> list[_Fragment]:
    """With no other date, "Sync Monday" is on Monday: a meeting needs a time more than a title needs a name."""
    found: list[_Fragment] = []
    for index, token in enumerate(tokens):
        if kinds[index] is None and index > 0 and _is_lone_name(tokens, index, index + 1):
            try:
                _, when = split_trailing_when(token.text, now=now, zone=zone)
            except ParseError:
                continue
            if when is not None:
                found.append(_Fragment(index, index + 1, when))
    return found


# --- duration and place -------------------------------------------------------------------------------------------


def _read_duration(tokens: list[_Token], index: int, stop: int) -> tuple[timedelta, int] | None:
    """The longest duration phrase at tokens[index:stop] → (value, end)."""
    for end in range(min(stop, index + MAX_DURATION_WORDS), index, -1):
        words = [token.word for token in tokens[index:end]]
        if any(token.is_mention for token in tokens[index:end]) or not all(words):
            continue
        value = _duration_value(" ".join(words))
        if value is not None:
            return value, end
    return None


def _free_end(kinds: list[str | None], index: int) -> int:
    end = index
    while end < len(kinds) and kinds[end] is None:
        end += 1
    return end


def _duration_clause(
    text: str, tokens: list[_Token], kinds: list[str | None], index: int, example: Msg
) -> tuple[timedelta, int] | None:
    """ "for 45m" at `index` → (value, end); a number after "for"/"per" that is no duration is an error."""
    lead = tokens[index].word
    if lead not in _DURATION_LEADS or index + 1 >= len(tokens) or kinds[index + 1] is not None:
        return None
    stop = _free_end(kinds, index + 1)
    found = _read_duration(tokens, index + 1, stop)
    if found is not None:
        return found
    if lead in _NUMBER_LEADS and tokens[index + 1].text[:1].isdigit():
        quoted = _span(text, tokens, index, min(stop, index + 3))
        raise ParseError(Msg.of("meeting.parse.bad_duration", text=quoted), example=example)
    return None


def _check_duration(value: timedelta, example: Msg) -> timedelta:
    if value > MAX_DURATION:
        raise ParseError(Msg.of("meeting.parse.too_long", most=MAX_DURATION // timedelta(hours=1)), example=example)
    if value < MIN_DURATION:
        raise ParseError(Msg.of("meeting.parse.too_short", least=MIN_DURATION // timedelta(minutes=1)), example=example)
    return value


def _reads_as_time(phrase: str, now: datetime, zone: ZoneInfo) -> bool:
    """ "at 9", "in 2 hours": a second time where a place was expected, never a place."""
    try:
        before, found = split_trailing_when(phrase, now=now, zone=zone)
    except ParseError as error:
        return str(error.message.params.get("text", "")) == phrase.strip()  # the whole of it, in the past
    return found is not None and not before


def _clean(piece: str) -> str:
    return " ".join(_LINK.sub(r"\1", piece).split()).strip(_JOINT)


def _runs(indexes: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


# --- public -------------------------------------------------------------------------------------------------------


def parse_meeting(text: str, *, now: datetime, zone: ZoneInfo) -> MeetingText:
    """`Weekly sync with @maria on 3 December at 10:00 for 45m at Room 2` → a meeting to book (see the module)."""
    tokens = _tokens(text)
    if not tokens:
        raise ParseError(Msg.of("meeting.parse.no_title"), example=_ADD_EXAMPLE)
    kinds: list[str | None] = [None] * len(tokens)
    invited = _Invited([], [], [], [])
    _mark_invitees(tokens, kinds, invited)
    when = _choose_when(text, tokens, kinds, now, zone)

    length: timedelta | None = None
    places: list[str] = []
    index = 0
    while index < len(tokens):
        if kinds[index] is not None:
            index += 1
            continue
        found = _duration_clause(text, tokens, kinds, index, _ADD_EXAMPLE)
        if found is not None:
            value, end = found
            if length is not None:
                raise ParseError(
                    Msg.of("meeting.parse.duration_twice", text=_span(text, tokens, index, end)), example=_ADD_EXAMPLE
                )
            length = _check_duration(value, _ADD_EXAMPLE)
            kinds[index:end] = ["duration"] * (end - index)
            index = end
            continue
        if index > 0 and tokens[index].word in _PLACE_LEADS:
            end = index + 1
            while (
                end < len(tokens)
                and kinds[end] is None
                and _duration_clause(text, tokens, kinds, end, _ADD_EXAMPLE) is None
            ):
                end += 1
            if end > index + 1:
                if _reads_as_time(_span(text, tokens, index, end), now, zone):
                    raise ParseError(
                        Msg.of("meeting.parse.two_times", first=_span(text, tokens, index, end), second=when.phrase),
                        example=_ADD_EXAMPLE,
                    )
                places.append(_clean(_span(text, tokens, index + 1, end)))
                kinds[index:end] = ["place"] * (end - index)
                index = end
                continue
        kinds[index] = "title"
        index += 1

    pieces = [
        _clean(_span(text, tokens, start, end))
        for start, end in _runs(index for index, kind in enumerate(kinds) if kind == "title")
        if not all(token.word in _JOINERS for token in tokens[start:end])
    ]
    title = " ".join(piece for piece in pieces if piece)
    if not title:
        raise ParseError(Msg.of("meeting.parse.no_title"), example=_ADD_EXAMPLE)
    if len(title) > MAX_TITLE:
        raise ParseError(Msg.of("meeting.parse.title_too_long", most=MAX_TITLE), example=_ADD_EXAMPLE)
    place = ", ".join(piece for piece in places if piece)
    if len(place) > MAX_PLACE:
        raise ParseError(Msg.of("meeting.parse.place_too_long", most=MAX_PLACE), example=_ADD_EXAMPLE)
    return MeetingText(title=title, when=when, duration=length, place=place, invitees=invited.freeze())


def parse_find(text: str, *, now: datetime, zone: ZoneInfo) -> FindRequest:
    """`30m with @maria @luca [this week|next week|tomorrow|on friday]` → free time to look for (see the module)."""
    tokens = _tokens(text)
    kinds: list[str | None] = [None] * len(tokens)
    start = 1 if tokens and tokens[0].word in _DURATION_LEADS else 0
    found = _read_duration(tokens, start, len(tokens))
    if found is None:
        if start < len(tokens) and tokens[start].text[:1].isdigit():
            raise ParseError(Msg.of("meeting.parse.bad_duration", text=tokens[start].text), example=_FIND_EXAMPLE)
        raise ParseError(Msg.of("meeting.parse.find_no_duration"), example=_FIND_EXAMPLE)
    value, end = found
    length = _check_duration(value, _FIND_EXAMPLE)
    kinds[:end] = ["duration"] * end
    invited = _Invited([], [], [], [])
    _mark_invitees(tokens, kinds, invited)
    invitees = invited.freeze()
    if not (invitees.people or invitees.groups or invitees.channels or invitees.roles):
        raise ParseError(Msg.of("meeting.parse.find_no_invitees"), example=_FIND_EXAMPLE)
    window = " ".join(
        token.text for token, kind in zip(tokens, kinds, strict=True) if kind is None and token.word not in _JOINERS
    )
    first_day, last_day = _window(window, now=now, zone=zone)
    return FindRequest(duration=length, invitees=invitees, first_day=first_day, last_day=last_day)


def _window(text: str, *, now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    today = now.astimezone(zone).date()
    sunday = today + timedelta(days=6 - today.weekday())
    phrase = _WEEK_WORDS.sub("", " ".join(text.lower().split()).strip(_PUNCTUATION), count=1)
    if not text.strip():
        return today, sunday + timedelta(days=7)
    if phrase in _THIS_WEEK:
        return today, sunday
    if phrase in _NEXT_WEEK:
        return sunday + timedelta(days=1), sunday + timedelta(days=7)
    unreadable = ParseError(Msg.of("meeting.parse.find_window", text=text.strip()), example=_FIND_EXAMPLE)
    if phrase.split()[:1] and phrase.split()[0] in {"every", "each", "ogni"}:
        raise unreadable
    try:
        day = read_day(text, now=now, zone=zone, example="meeting.example.find")
    except ParseError as error:
        if error.message.key == "dates.error.past":
            raise ParseError(error.message, example=_FIND_EXAMPLE) from None
        raise unreadable from None
    return day, day
