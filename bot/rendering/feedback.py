"""Feedback, suggestions and insights in Slack: the confirmations, the feedback form, the managers' list of
suggestions, the insights message, and the insights chart (a PNG, see `bot/rendering/insights_chart.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.feedback import (
    MAX_FEEDBACK_TEXT,
    MAX_RATING,
    MAX_TAGS,
    Count,
    Feedback,
    Focus,
    FocusKind,
    Insights,
    PeriodKind,
    Source,
    Suggestion,
    Targets,
    Window,
)
from bot.domain.messages import Msg
from bot.i18n import Words
from bot.parsing import feedback as fields
from bot.rendering.blocks import Reply
from bot.rendering.insights_chart import InsightsChart, render_chart_png
from bot.rendering.kit import clip, context, header, section
from bot.rendering.people import day_name
from bot.rendering.time import minutes_text

MAX_LIST_LINES = 8  # per list in the insights message (categories, arrivals)
MAX_QUOTE = 300

_TITLES: Mapping[PeriodKind, str] = {
    PeriodKind.WEEK: "insights.title.week",
    PeriodKind.MONTH: "insights.title.month",
    PeriodKind.LAST_WEEK: "insights.title.last_week",
    PeriodKind.LAST_MONTH: "insights.title.last_month",
}
_SOURCES: Mapping[Source, str] = {
    Source.IN_PERSON: "feedback.source.in_person",
    Source.PHONE: "feedback.source.phone",
    Source.EMAIL: "feedback.source.email",
    Source.REVIEW: "feedback.source.review",
}
# How cases arrive (the cases capability's values); anything else is shown as stored.
_ARRIVALS: Mapping[str, str] = {
    "in_person": "insights.arrived.in_person",
    "phone": "insights.arrived.phone",
    "email": "insights.arrived.email",
    "chat": "insights.arrived.chat",
    "review": "insights.arrived.review",
    "slack": "insights.arrived.slack",
}


def _quote(text: str, limit: int = MAX_QUOTE) -> str:
    """What a person typed, shown back: clipped, and never a channel-wide ping."""
    return clip(text, limit).replace("<!", "&lt;!")


def number(words: Words, value: Decimal) -> str:
    """One decimal, in the reader's way of writing numbers (3.8, 3,8)."""
    return format_decimal(value, format="0.0", locale=words.language)


def _signed(words: Words, value: Decimal) -> str:
    shown = number(words, abs(value))
    return f"+{shown}" if value > 0 else f"\u2212{shown}" if value < 0 else f"\u00b1{shown}"


def trend(words: Words, delta: Decimal) -> str:
    """An arrow and the signed change, e.g. an up arrow and +0.5 (a minus sign, not a hyphen, when it fell)."""
    arrow = "\u2191" if delta > 0 else "\u2193" if delta < 0 else "\u2192"
    return f"{arrow} {_signed(words, delta)}"


def change(delta: int) -> str:
    return f"+{delta}" if delta > 0 else f"\u2212{-delta}" if delta < 0 else "\u00b10"


def stars(rating: int) -> str:
    return "\u2605" * rating + "\u2606" * (MAX_RATING - rating)


def _tags_text(tags: Sequence[str]) -> str:
    return " ".join(f"#{tag}" for tag in tags)


# ---- feedback --------------------------------------------------------------------------------------------------


def feedback_recorded(words: Words, feedback: Feedback) -> Reply:
    parts = [f"{stars(feedback.rating)} {feedback.rating}/{MAX_RATING}"]
    if feedback.text:
        parts.append(f"\u201c{_quote(feedback.text)}\u201d")
    if feedback.tags:
        parts.append(_tags_text(feedback.tags))
    if feedback.source is not None:
        parts.append(f"({words(_SOURCES[feedback.source])})")
    text = words("feedback.recorded", feedback=" ".join(parts))
    return Reply(text, [section(":memo: " + text), context(words("feedback.recorded_note"))])


def feedback_form(words: Words) -> dict[str, Any]:
    ratings = [Option(text=PlainTextObject(text=f"{stars(n)} {n}"), value=str(n)) for n in range(MAX_RATING, 0, -1)]
    sources = [Option(text=PlainTextObject(text=words(_SOURCES[source])), value=source.value) for source in Source]
    view = View(
        type="modal",
        callback_id=fields.MODAL,
        title=PlainTextObject(text=words("feedback.form.title")),
        submit=PlainTextObject(text=words("feedback.form.submit")),
        close=PlainTextObject(text=words("feedback.form.cancel")),
        blocks=[
            InputBlock(
                block_id=fields.RATING_BLOCK,
                label=PlainTextObject(text=words("feedback.form.rating")),
                element=StaticSelectElement(action_id="rating", options=ratings),
            ),
            InputBlock(
                block_id=fields.TEXT_BLOCK,
                label=PlainTextObject(text=words("feedback.form.text")),
                element=PlainTextInputElement(action_id="text", multiline=True, max_length=MAX_FEEDBACK_TEXT),
                optional=True,
            ),
            InputBlock(
                block_id=fields.TAGS_BLOCK,
                label=PlainTextObject(text=words("feedback.form.tags")),
                element=PlainTextInputElement(action_id="tags", max_length=MAX_TAGS * 20),
                hint=PlainTextObject(text=words("feedback.form.tags_hint")),
                optional=True,
            ),
            InputBlock(
                block_id=fields.SOURCE_BLOCK,
                label=PlainTextObject(text=words("feedback.form.source")),
                element=StaticSelectElement(action_id="source", options=sources),
                optional=True,
            ),
        ],
    )
    return view.to_dict()


def form_errors(words: Words, errors: Mapping[str, Msg]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": {block: words.msg(msg) for block, msg in errors.items()}}


# ---- suggestions -----------------------------------------------------------------------------------------------


def suggestion_recorded(words: Words, suggestion: Suggestion) -> Reply:
    text = words("feedback.suggestion_recorded")
    return Reply(
        text,
        [section(":ballot_box_with_ballot: " + text), context(f"\u201c{_quote(suggestion.text)}\u201d")],
    )


def _suggestion_line(suggestion: Suggestion) -> str:
    return f"`#{suggestion.number}` {_quote(suggestion.text, 400)} _({suggestion.created_on.isoformat()})_"


def suggestion_list(words: Words, suggestions: Sequence[Suggestion], total: int) -> Reply:
    if not suggestions:
        text = words("feedback.suggestions_none")
        return Reply(text, [section(text)])
    title = words("feedback.suggestions_title", n=total)
    blocks: list[Block] = [header(title)]
    chunk: list[str] = []
    for line in map(_suggestion_line, suggestions):
        if chunk and sum(len(item) + 1 for item in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    note = words("feedback.suggestions_close_hint")
    if total > len(suggestions):
        note = words("feedback.suggestions_more", n=total - len(suggestions)) + " " + note
    blocks.append(context(note))
    return Reply(title, blocks)


def suggestion_closed(words: Words, suggestion: Suggestion) -> Reply:
    text = words("feedback.suggestion_closed", n=suggestion.number, text=_quote(suggestion.text, 200))
    return Reply(text, [section(":white_check_mark: " + text)])


# ---- insights --------------------------------------------------------------------------------------------------


def _window(window: Window) -> str:
    return f"{window.first.isoformat()}\u2013{window.last.isoformat()}"


def _median(words: Words, value: timedelta | None) -> str:
    return minutes_text(value) if value is not None else words("insights.no_value")


def _arrival(words: Words, value: str) -> str:
    key = _ARRIVALS.get(value)
    return words(key) if key is not None else value


def _count_lines(words: Words, title: str, counts: Sequence[Count], name: Callable[[str], str]) -> str:
    lines = [f"*{title}*"]
    for count in counts[:MAX_LIST_LINES]:
        lines.append(f"\u2022 {_quote(name(count.name), 60)}: {count.now} ({change(count.delta)})")
    if len(counts) > MAX_LIST_LINES:
        lines.append(words("insights.more", n=len(counts) - MAX_LIST_LINES))
    return "\n".join(lines)


def _rating_text(words: Words, insights: Insights) -> str:
    rating = insights.rating
    lines = [f"*{words('insights.rating_title')}*"]
    if rating.average is None:
        lines.append(words("insights.rating_none"))
    else:
        lines.append(words("insights.rating", average=number(words, rating.average), count=rating.count))
    if rating.previous_average is None:
        lines.append(words("insights.rating_none_before"))
    elif rating.delta is not None:
        lines.append(
            words(
                "insights.rating_trend",
                trend=trend(words, rating.delta),
                average=number(words, rating.previous_average),
                count=rating.previous_count,
            )
        )
    else:
        lines.append(
            words(
                "insights.rating_before",
                average=number(words, rating.previous_average),
                count=rating.previous_count,
            )
        )
    return "\n".join(lines)


def _targets_text(words: Words, missed: Targets, before: Targets) -> str:
    title = f"*{words('insights.targets_title')}*"
    if not missed.cases:
        return title + "\n" + words("insights.targets_none", before=before.cases)
    return (
        title
        + "\n"
        + words(
            "insights.targets",
            cases=missed.cases,
            change=change(missed.cases - before.cases),
            response=missed.response,
            resolution=missed.resolution,
            open=missed.still_open,
        )
    )


def _recurring_text(words: Words, insights: Insights) -> str:
    lines = [f"*{words('insights.recurring_title')}*"]
    if insights.top_tags:
        tags = " \u00b7 ".join(f"#{tag} \u00d7{count}" for tag, count in insights.top_tags)
        lines.append(words("insights.recurring_tags", tags=tags))
    if insights.top_words:
        found = " \u00b7 ".join(f"{word} \u00d7{count}" for word, count in insights.top_words)
        lines.append(words("insights.recurring_words", words=found))
    if len(lines) == 1:
        lines.append(words("insights.recurring_none"))
    return "\n".join(lines)


def _focus_line(words: Words, focus: Focus) -> str:
    match focus.kind:
        case FocusKind.RATING_DOWN:
            return words("insights.focus.rating_down")
        case FocusKind.CATEGORY_UP:
            return words("insights.focus.category_up", category=_quote(focus.subject, 60), n=focus.amount)
        case FocusKind.TARGETS_MISSED:
            return words("insights.focus.targets_missed", n=focus.amount)
        case FocusKind.TAG:
            return words("insights.focus.tag", tag=focus.subject, n=focus.amount)
        case FocusKind.WORD:
            return words("insights.focus.word", word=focus.subject, n=focus.amount)


def _suggestions_text(words: Words, insights: Insights) -> str:
    lines = [f"*{words('insights.suggestions_title', n=insights.open_suggestions)}*"]
    if not insights.newest_suggestions:
        lines.append(words("insights.suggestions_none"))
    lines += [_suggestion_line(suggestion) for suggestion in insights.newest_suggestions]
    return "\n".join(lines)


def insights_message(words: Words, insights: Insights) -> Reply:
    period_key = "insights.period_to_date" if insights.current.to_date else "insights.period_whole"
    title = words(_TITLES[insights.kind])
    blocks: list[Block] = [
        header(title),
        context(
            words(
                period_key, current=_window(insights.current), previous=_window(insights.previous), zone=insights.zone
            )
        ),
    ]
    if insights.focus:
        focus = "\n".join(f"\u2022 {_focus_line(words, item)}" for item in insights.focus)
        blocks.append(section(f"*{words('insights.focus_title')}*\n{focus}"))
    blocks.append(section(_rating_text(words, insights)))

    cases = insights.cases
    opened = words("insights.cases", n=cases.opened.now, change=change(cases.opened.delta), before=cases.opened.before)
    case_fields = []
    if cases.categories:
        case_fields.append(_count_lines(words, words("insights.by_category"), cases.categories, lambda name: name))
    if cases.arrivals:
        case_fields.append(
            _count_lines(words, words("insights.by_arrival"), cases.arrivals, lambda name: _arrival(words, name))
        )
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text=f"*{words('insights.cases_title')}*\n{opened}"),
            fields=[MarkdownTextObject(text=clip(field, 2000)) for field in case_fields] or None,
        )
    )
    blocks.append(
        section(
            f"*{words('insights.times_title')}*\n"
            + words(
                "insights.times",
                response=_median(words, cases.first_response),
                response_before=_median(words, cases.previous_first_response),
                resolution=_median(words, cases.resolution),
                resolution_before=_median(words, cases.previous_resolution),
            )
        )
    )
    blocks.append(section(_targets_text(words, cases.missed, cases.previous_missed)))
    if cases.satisfaction is not None:
        happy = cases.satisfaction
        blocks.append(
            section(
                words(
                    "insights.satisfaction",
                    average=number(words, happy.average) if happy.average is not None else "\u2013",
                    n=happy.count,
                    before=number(words, happy.previous_average) if happy.previous_average is not None else "\u2013",
                )
            )
        )
    blocks.append(section(_recurring_text(words, insights)))
    blocks.append(section(_suggestions_text(words, insights)))
    blocks.append(context(words("insights.chart_note")))
    average = number(words, insights.rating.average) if insights.rating.average is not None else "\u2013"
    fallback = words("insights.fallback", title=title, average=average, cases=cases.opened.now)
    return Reply(fallback, blocks)


def chart_title(words: Words, insights: Insights) -> str:
    return words("insights.chart_title", period=_window(insights.current))


def insights_chart(words: Words, insights: Insights) -> bytes:
    days = insights.days
    monthly = len(days) > 7
    labels = tuple(
        (str(point.day.day) if point.day.day == 1 or point.day.day % 5 == 0 else "")
        if monthly
        else f"{day_name(words, point.day.weekday())} {point.day.day}"
        for point in days
    )
    chart = InsightsChart(
        title=chart_title(words, insights),
        labels=labels,
        ratings=tuple(float(point.average) if point.average is not None else None for point in days),
        cases=tuple(point.cases for point in days),
        rating_legend=words("insights.chart_rating"),
        cases_legend=words("insights.chart_cases"),
        footer=words("insights.chart_footer", zone=insights.zone),
    )
    return render_chart_png(chart)
