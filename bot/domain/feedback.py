"""Feedback, the anonymous suggestion box, and insights: what customers think and what to improve.

- Feedback is the customer's: a rating from 1 to 5, what they said, tags, and where it came from. It is recorded
  by a member of staff, whose name is kept with it (who heard it, not who said it).
- A suggestion is a member of staff's, and anonymous: no author is stored anywhere, not even in the audit log
  (an audit entry carries an actor and an exact time, and a time can be matched against who was on shift). It
  keeps only the day it was made, in the shop's calendar, for the same reason. Managers read the open ones and
  close them when dealt with.
- Insights are for managers: over this week or month so far (or the last complete one), the average rating and
  its trend, the customer cases opened by category and by how they arrived, the median times to a first
  response and to resolution, targets missed, recurring tags and words, and open suggestions, each against the
  period before. Periods are days on the shop's clock (the workspace zone). A period "to date" is compared with
  the same stretch of the period before (1-15 November with 1-15 October, Monday-Wednesday with last
  Monday-Wednesday), so counts compare like with like.

Cases are only read here, never changed: the customer-cases capability owns them. A case counts in the period it
was opened; whether it missed a target is judged as things stand when the insights are asked for.

The computation (`windows`, `compute_insights`, `recurring_words`, `median`) is pure; `FeedbackService` reads the
store and calls it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.messages import Msg
from bot.domain.roles import Actor, Role
from bot.domain.workspace import WorkspaceSettings

if TYPE_CHECKING:  # ports imports this module's values; the service only needs the unit of work's types
    from bot.domain.ports import UnitOfWork, UnitOfWorkFactory

MIN_RATING = 1
MAX_RATING = 5
MAX_FEEDBACK_TEXT = 1000
MAX_SUGGESTION_TEXT = 1000
MAX_TAGS = 10
MAX_TAG = 40
# How many of the newest open suggestions insights show, and how many `/ops suggest list` lists.
NEWEST_SUGGESTIONS = 3
MAX_SUGGESTIONS_LISTED = 30
# Tags and words are "recurring" when they come back in at least this many feedbacks or cases.
MIN_RECURRING = 2
TOP_TAGS = 5
TOP_WORDS = 8
MIN_WORD = 3
MAX_FOCUS = 3
_TENTH = Decimal("0.1")


class Source(StrEnum):
    """Where a customer's feedback came from."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    REVIEW = "review"  # a review site


class SuggestionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class PeriodKind(StrEnum):
    WEEK = "week"  # this week so far, Monday first
    MONTH = "month"  # this month so far
    LAST_WEEK = "last_week"
    LAST_MONTH = "last_month"

    @property
    def is_monthly(self) -> bool:
        return self in (PeriodKind.MONTH, PeriodKind.LAST_MONTH)

    @property
    def is_complete(self) -> bool:
        return self in (PeriodKind.LAST_WEEK, PeriodKind.LAST_MONTH)


# ---- values ----------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(text.split())


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Lower case, without `#`, each once, in the order given."""
    return tuple(dict.fromkeys(tag for tag in (raw.strip().lstrip("#").lower() for raw in tags) if tag))


@dataclass(frozen=True, slots=True)
class FeedbackDraft:
    rating: int
    text: str = ""
    tags: tuple[str, ...] = ()
    source: Source | None = None  # not said


@dataclass(frozen=True, slots=True)
class NewFeedback:
    team: TeamId
    draft: FeedbackDraft
    recorded_by: UserId
    at: datetime


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    team: TeamId
    rating: int
    text: str
    tags: tuple[str, ...]
    source: Source | None
    recorded_by: UserId  # the member of staff who heard it; the feedback itself is the customer's
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An anonymous suggestion from staff: deliberately no author, and only the day it was made."""

    id: int
    team: TeamId
    number: int
    text: str
    created_on: date
    status: SuggestionStatus
    closed_by: UserId | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What insights read of a customer case (the cases capability owns the case itself)."""

    category: str
    arrived_by: str
    created_at: datetime
    respond_by: datetime
    resolve_by: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None  # resolved, or closed without being marked resolved
    active: bool  # still open, in progress or waiting on the customer
    description: str  # "" once the customer's data has been forgotten
    satisfaction: int | None = None  # the customer's 1-5 answer to the question emailed on resolving

    def responded_at(self) -> datetime | None:
        # Resolving or closing a case answers it too, even when no earlier first response was recorded.
        return self.first_response_at or self.resolved_at

    def missed_response(self, now: datetime) -> bool:
        answered = self.responded_at()
        if answered is not None:
            return answered > self.respond_by
        return self.active and now > self.respond_by

    def missed_resolution(self, now: datetime) -> bool:
        if self.resolved_at is not None:
            return self.resolved_at > self.resolve_by
        return self.active and now > self.resolve_by

    def open_past_target(self, now: datetime) -> bool:
        return self.active and (now > self.resolve_by or (self.first_response_at is None and now > self.respond_by))


# ---- periods ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of days on the shop's clock: [starts, ends) in UTC, from local day `first` to `last`."""

    first: date
    last: date
    starts: datetime
    ends: datetime
    to_date: bool  # a period so far (or the same stretch of the one before), not a whole one

    def holds(self, instant: datetime) -> bool:
        return self.starts <= instant < self.ends

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _period_start(day: date, monthly: bool) -> date:
    return day.replace(day=1) if monthly else day - timedelta(days=day.weekday())


def _period_before(first: date, monthly: bool) -> date:
    return (first - timedelta(days=1)).replace(day=1) if monthly else first - timedelta(days=7)


def _period_after(first: date, monthly: bool) -> date:
    if not monthly:
        return first + timedelta(days=7)
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def _whole(first: date, monthly: bool, zone: ZoneInfo) -> Window:
    following = _period_after(first, monthly)
    return Window(first, following - timedelta(days=1), _midnight(first, zone), _midnight(following, zone), False)


def windows(kind: PeriodKind, now: datetime, zone: ZoneInfo) -> tuple[Window, Window]:
    """The period asked for and the one it is compared with.

    A complete period (last week, last month) is compared with the whole period before it. A period to date is
    compared with the same stretch of the one before: as many days in and the same time of day, and never past
    that period's end (the 31st compares with the whole of a 30-day month).
    """
    monthly = kind.is_monthly
    local = now.astimezone(zone)
    today = local.date()
    first = _period_start(today, monthly)
    if kind.is_complete:
        last_first = _period_before(first, monthly)
        return _whole(last_first, monthly, zone), _whole(_period_before(last_first, monthly), monthly, zone)
    # Up to the end of today: everything recorded so far, including what was recorded this very moment.
    current = Window(first, today, _midnight(first, zone), _midnight(today + timedelta(days=1), zone), True)
    before_first = _period_before(first, monthly)
    same_day = before_first + (today - first)
    if same_day >= first:  # the period before is shorter: all of it
        previous = Window(before_first, first - timedelta(days=1), _midnight(before_first, zone), current.starts, True)
    else:
        same_point = datetime.combine(same_day, local.time().replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
        previous = Window(before_first, same_day, _midnight(before_first, zone), same_point, True)
    return current, previous


# ---- the computation -------------------------------------------------------------------------------------------


def average(ratings: Sequence[int]) -> Decimal | None:
    """To one decimal, halves up; None for no ratings."""
    if not ratings:
        return None
    return (Decimal(sum(ratings)) / Decimal(len(ratings))).quantize(_TENTH, rounding=ROUND_HALF_UP)


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count), to the minute; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return timedelta(minutes=round(value.total_seconds() / 60))


# Function words and the most general verbs, which say nothing about what to improve.
_ENGLISH_STOP_WORDS = """
    a about above after again against all also am an and any are aren as asked at be because been before being below
    between both but by can cannot could couldn did didn do does doesn doing don down during each even ever every
    few for from further get got had hadn has hasn have haven having he her here hers herself him himself his how
    however i if in into is isn it its itself just let ll me more most much must mustn my myself no nor not now of
    off on once one only or other ought our ours ourselves out over own re really said same say says she should
    shouldn since so some still such than that the their theirs them themselves then there these they this those
    though through to told too under until up upon us ve very via was wasn we were weren what when where which while
    who whom why will with won would wouldn yet you your yours yourself yourselves
"""
# Italian, with the stems an apostrophe leaves (dell'acqua → dell, acqua).
_ITALIAN_STOP_WORDS = """
    a abbiamo ad agli ai al all alla alle allo anche ancora anzi avere avete aveva avevano avevo c che chi ci cio
    ciò col coll come con contro cosa cui d da dagli dai dal dall dalla dalle dallo degli dei del dell della delle
    dello dentro detto di dice dopo dove dunque durante e ed era erano eravamo essere fa fare fatto gli ha hai hanno
    ho il in io l la le lei li lo loro lui ma mi mia mie miei mio molta molte molti molto ne negli nei nel nell
    nella nelle nello noi non nostra nostre nostri nostro o ogni oppure per perche perché però piu più po poi quale
    quali quando quanto quasi quell quella quelle quelli quello quest questa queste questi questo qui se sei senza
    si sia siamo siete solo sono sta stata state stati stato stesso su sua sue sugli sui sul sull sulla sulle sullo
    suo suoi tra tu tua tue tuo tuoi tutta tutte tutti tutto un una uno vi voi è
"""
STOP_WORDS: frozenset[str] = frozenset(_ENGLISH_STOP_WORDS.split()) | frozenset(_ITALIAN_STOP_WORDS.split())
_MARKUP = re.compile(r"<[^>]*>|:[a-z0-9_+-]+:|https?://\S+|\S+@\S+")
_WORD = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> set[str]:
    """The words of one text worth counting: lower case, no stop words, numbers, links, mentions or emoji."""
    found = _WORD.findall(_MARKUP.sub(" ", text.lower()))
    return {word for word in found if len(word) >= MIN_WORD and word not in STOP_WORDS}


def recurring_words(texts: Iterable[str], *, top: int = TOP_WORDS) -> tuple[tuple[str, int], ...]:
    """Words found in at least `MIN_RECURRING` of the texts (each text counts a word once), most frequent first."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words_of(text))
    return _top(counts, top)


def recurring_tags(tag_lists: Iterable[Sequence[str]], *, top: int = TOP_TAGS) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for tags in tag_lists:
        counts.update(set(tags))
    return _top(counts, top)


def _top(counts: Counter[str], top: int) -> tuple[tuple[str, int], ...]:
    ranked = sorted((item for item in counts.items() if item[1] >= MIN_RECURRING), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:top])


@dataclass(frozen=True, slots=True)
class Count:
    """How many of something in the period, and in the period before."""

    name: str
    now: int
    before: int

    @property
    def delta(self) -> int:
        return self.now - self.before


def compare(now: Iterable[str], before: Iterable[str]) -> tuple[Count, ...]:
    """Counts by name in both periods, the most frequent now first (then the most frequent before)."""
    current, previous = Counter(now), Counter(before)
    names = set(current) | set(previous)
    counts = [Count(name, current[name], previous[name]) for name in names]
    return tuple(sorted(counts, key=lambda count: (-count.now, -count.before, count.name)))


@dataclass(frozen=True, slots=True)
class RatingSummary:
    average: Decimal | None
    count: int
    previous_average: Decimal | None
    previous_count: int

    @property
    def delta(self) -> Decimal | None:
        """The change between the two averages as shown (both to one decimal)."""
        if self.average is None or self.previous_average is None:
            return None
        return self.average - self.previous_average


@dataclass(frozen=True, slots=True)
class Targets:
    response: int  # answered after the first-response target, or not yet and past it
    resolution: int  # resolved after the resolution target, or not yet and past it
    cases: int  # cases with either
    still_open: int  # of the period's cases, those open now and past a target

    @classmethod
    def of(cls, cases: Sequence[CaseFacts], now: datetime) -> Targets:
        response = [case.missed_response(now) for case in cases]
        resolution = [case.missed_resolution(now) for case in cases]
        return cls(
            response=sum(response),
            resolution=sum(resolution),
            cases=sum(a or b for a, b in zip(response, resolution, strict=True)),
            still_open=sum(case.open_past_target(now) for case in cases),
        )


@dataclass(frozen=True, slots=True)
class CaseStats:
    opened: Count
    categories: tuple[Count, ...]
    arrivals: tuple[Count, ...]
    first_response: timedelta | None
    previous_first_response: timedelta | None
    resolution: timedelta | None
    previous_resolution: timedelta | None
    missed: Targets
    previous_missed: Targets
    # The customers' own 1-5 answers, by email, on the cases of each period.
    satisfaction: RatingSummary | None = None


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: date
    average: Decimal | None
    ratings: int
    cases: int


class FocusKind(StrEnum):
    RATING_DOWN = "rating_down"
    CATEGORY_UP = "category_up"
    TARGETS_MISSED = "targets_missed"
    TAG = "tag"
    WORD = "word"


@dataclass(frozen=True, slots=True)
class Focus:
    """One thing to look at first, most telling first."""

    kind: FocusKind
    subject: str = ""
    amount: int = 0


@dataclass(frozen=True, slots=True)
class Insights:
    kind: PeriodKind
    zone: str
    current: Window
    previous: Window
    rating: RatingSummary
    cases: CaseStats
    top_tags: tuple[tuple[str, int], ...]
    top_words: tuple[tuple[str, int], ...]
    open_suggestions: int
    newest_suggestions: tuple[Suggestion, ...]
    days: tuple[DayPoint, ...]
    focus: tuple[Focus, ...]


def _case_stats(current: Sequence[CaseFacts], previous: Sequence[CaseFacts], now: datetime) -> CaseStats:
    def response_times(cases: Sequence[CaseFacts]) -> timedelta | None:
        return median([answered - case.created_at for case in cases if (answered := case.responded_at()) is not None])

    def resolution_times(cases: Sequence[CaseFacts]) -> timedelta | None:
        return median([case.resolved_at - case.created_at for case in cases if case.resolved_at is not None])

    return CaseStats(
        opened=Count("", len(current), len(previous)),
        categories=compare((case.category or "-" for case in current), (case.category or "-" for case in previous)),
        arrivals=compare((case.arrived_by for case in current), (case.arrived_by for case in previous)),
        first_response=response_times(current),
        previous_first_response=response_times(previous),
        resolution=resolution_times(current),
        previous_resolution=resolution_times(previous),
        missed=Targets.of(current, now),
        previous_missed=Targets.of(previous, now),
        satisfaction=_satisfaction(current, previous),
    )


def _satisfaction(current: Sequence[CaseFacts], previous: Sequence[CaseFacts]) -> RatingSummary | None:
    now = [case.satisfaction for case in current if case.satisfaction is not None]
    before = [case.satisfaction for case in previous if case.satisfaction is not None]
    if not now and not before:
        return None
    return RatingSummary(average(now), len(now), average(before), len(before))


def _days(window: Window, feedback: Sequence[Feedback], cases: Sequence[CaseFacts], zone: ZoneInfo) -> list[DayPoint]:
    ratings: dict[date, list[int]] = {}
    opened: Counter[date] = Counter()
    for item in feedback:
        ratings.setdefault(item.created_at.astimezone(zone).date(), []).append(item.rating)
    for case in cases:
        opened[case.created_at.astimezone(zone).date()] += 1
    return [
        DayPoint(day, average(ratings.get(day, [])), len(ratings.get(day, [])), opened[day]) for day in window.days()
    ]


def _focus(
    rating: RatingSummary, cases: CaseStats, tags: Sequence[tuple[str, int]], words: Sequence[tuple[str, int]]
) -> tuple[Focus, ...]:
    found: list[Focus] = []
    if rating.delta is not None and rating.delta < 0:
        found.append(Focus(FocusKind.RATING_DOWN))
    rising = [count for count in cases.categories if count.delta > 0]
    if rising:
        top = max(rising, key=lambda count: (count.delta, count.now))
        found.append(Focus(FocusKind.CATEGORY_UP, top.name, top.delta))
    if cases.missed.cases:
        found.append(Focus(FocusKind.TARGETS_MISSED, amount=cases.missed.cases))
    if tags:
        found.append(Focus(FocusKind.TAG, tags[0][0], tags[0][1]))
    if words:
        found.append(Focus(FocusKind.WORD, words[0][0], words[0][1]))
    return tuple(found[:MAX_FOCUS])


def compute_insights(
    kind: PeriodKind,
    zone: ZoneInfo,
    current: Window,
    previous: Window,
    feedback: Sequence[Feedback],
    cases: Sequence[CaseFacts],
    suggestions: Sequence[Suggestion],
    open_suggestions: int,
    now: datetime,
) -> Insights:
    """Everything `/ops insights` shows, from the rows of both periods (rows outside them are ignored)."""
    feedback_now = [item for item in feedback if current.holds(item.created_at)]
    feedback_before = [item for item in feedback if previous.holds(item.created_at)]
    cases_now = [case for case in cases if current.holds(case.created_at)]
    cases_before = [case for case in cases if previous.holds(case.created_at)]
    rating = RatingSummary(
        average=average([item.rating for item in feedback_now]),
        count=len(feedback_now),
        previous_average=average([item.rating for item in feedback_before]),
        previous_count=len(feedback_before),
    )
    stats = _case_stats(cases_now, cases_before, now)
    tags = recurring_tags(item.tags for item in feedback_now)
    words = recurring_words([item.text for item in feedback_now] + [case.description for case in cases_now])
    return Insights(
        kind=kind,
        zone=zone.key,
        current=current,
        previous=previous,
        rating=rating,
        cases=stats,
        top_tags=tags,
        top_words=words,
        open_suggestions=open_suggestions,
        newest_suggestions=tuple(suggestions[:NEWEST_SUGGESTIONS]),
        days=tuple(_days(current, feedback_now, cases_now, zone)),
        focus=_focus(rating, stats, tags, words),
    )


# ---- the service -----------------------------------------------------------------------------------------------

Settings = Callable[["UnitOfWork", TeamId], Awaitable[WorkspaceSettings]]


def _example(key: str) -> Msg:
    return Msg.of(f"feedback.example.{key}")


class FeedbackService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, settings: Settings) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings

    # ---- feedback ------------------------------------------------------------------------------------------------

    @staticmethod
    def check(draft: FeedbackDraft, example: Msg) -> FeedbackDraft:
        if not MIN_RATING <= draft.rating <= MAX_RATING:
            raise InvalidRequest(
                Msg.of("feedback.error.rating", typed=str(draft.rating), low=MIN_RATING, high=MAX_RATING),
                example=example,
            )
        text = clean(draft.text)
        if len(text) > MAX_FEEDBACK_TEXT:
            raise InvalidRequest(Msg.of("feedback.error.too_long", most=MAX_FEEDBACK_TEXT), example=example)
        tags = clean_tags(draft.tags)
        if len(tags) > MAX_TAGS:
            raise InvalidRequest(Msg.of("feedback.error.too_many_tags", most=MAX_TAGS), example=example)
        if any(len(tag) > MAX_TAG for tag in tags):
            raise InvalidRequest(Msg.of("feedback.error.tag_too_long", most=MAX_TAG), example=example)
        return FeedbackDraft(draft.rating, text, tags, draft.source)

    async def record(self, actor: Actor, draft: FeedbackDraft) -> Feedback:
        """A customer's feedback, heard by `actor` (any member of staff)."""
        draft = self.check(draft, _example("record"))
        now = self._clock.now()
        async with self._uow() as uow:
            feedback = await uow.feedback.add(NewFeedback(actor.team, draft, actor.user, now))
            await uow.audit.add(
                AuditEntry(
                    actor.team,
                    actor.user,
                    "feedback.add",
                    f"feedback #{feedback.id}",
                    now,
                    {"rating": str(draft.rating), "source": draft.source.value if draft.source else ""},
                )
            )
        return feedback

    # ---- the suggestion box --------------------------------------------------------------------------------------

    async def suggest(self, actor: Actor, text: str) -> Suggestion:
        """Stored without its author: only the workspace is taken from `actor`. Deliberately not audited (see the
        module's docstring): the suggestion row itself is the only trace, and it names nobody."""
        text = clean(text)
        if not text:
            raise InvalidRequest(Msg.of("feedback.error.no_suggestion"), example=_example("suggest"))
        if len(text) > MAX_SUGGESTION_TEXT:
            raise InvalidRequest(
                Msg.of("feedback.error.too_long", most=MAX_SUGGESTION_TEXT), example=_example("suggest")
            )
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            number = await uow.feedback.next_suggestion_number(actor.team)
            return await uow.feedback.add_suggestion(
                actor.team, number, text, created_on=self._clock.now().astimezone(zone).date()
            )

    async def open_suggestions(self, actor: Actor) -> tuple[list[Suggestion], int]:
        """The newest open suggestions (at most `MAX_SUGGESTIONS_LISTED`) and how many are open in all."""
        actor.require(Role.MANAGER, action=Msg.of("action.read_suggestions"))
        async with self._uow() as uow:
            listed = await uow.feedback.open_suggestions(actor.team, MAX_SUGGESTIONS_LISTED)
            return listed, await uow.feedback.count_open_suggestions(actor.team)

    async def close_suggestion(self, actor: Actor, number: int) -> Suggestion:
        actor.require(Role.MANAGER, action=Msg.of("action.close_suggestions"))
        now = self._clock.now()
        async with self._uow() as uow:
            found = await uow.feedback.suggestion(actor.team, number)
            if found is None:
                raise NotFound(Msg.of("feedback.error.no_such_suggestion", n=number), example=_example("suggest_list"))
            if not await uow.feedback.close_suggestion(actor.team, number, by=actor.user, at=now):
                raise InvalidRequest(Msg.of("feedback.error.already_done", n=number), example=_example("suggest_list"))
            await uow.audit.add(AuditEntry(actor.team, actor.user, "suggestion.done", f"suggestion #{number}", now))
        return replace(found, status=SuggestionStatus.DONE, closed_by=actor.user, closed_at=now)

    # ---- insights ------------------------------------------------------------------------------------------------

    async def insights(self, actor: Actor, kind: PeriodKind) -> Insights:
        actor.require(Role.MANAGER, action=Msg.of("action.read_insights"))
        now = self._clock.now()
        async with self._uow() as uow:
            zone = (await self._settings(uow, actor.team)).zone
            current, previous = windows(kind, now, zone)
            feedback = await uow.feedback.between(actor.team, previous.starts, current.ends)
            cases = await uow.feedback.case_facts(actor.team, previous.starts, current.ends)
            newest = await uow.feedback.open_suggestions(actor.team, NEWEST_SUGGESTIONS)
            open_count = await uow.feedback.count_open_suggestions(actor.team)
        return compute_insights(kind, zone, current, previous, feedback, cases, newest, open_count, now)
