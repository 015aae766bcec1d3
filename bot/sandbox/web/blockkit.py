"""Block Kit JSON, as Slack and the bot send it, rendered as safe HTML for the sandbox page.

Pure functions, no I/O. Every piece of text goes through `html.escape`; links keep only http(s), mailto and
slack schemes; interactive elements carry the `data-*` attributes the page's script reads (see the issue 9
contract): `data-action-id`, `data-block-id`, `data-type` and class `bk-interactive`. Anything unknown renders as
a small muted placeholder naming its type, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta

__all__ = ["Directory", "blocks_html", "format_date_token", "mrkdwn_html", "plain_html", "safe_url", "view_html"]

Json = Mapping[str, Any]


@dataclass(frozen=True)
class Directory:
    """Who and what the ids in a message stand for, and whose eyes read it (zone and locale for date tokens)."""

    people: Mapping[str, str]  # user id -> display name
    channels: Mapping[str, str]  # channel id -> name
    usergroups: Mapping[str, str]  # subteam id -> handle
    zone: ZoneInfo  # the viewing person's zone
    locale: str  # e.g. "it-IT"
    now: datetime | None = None  # "now" for Today/Tomorrow/Yesterday and {ago}; None: the real time

    def current(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)

    @property
    def language(self) -> str:
        return self.locale.replace("_", "-").split("-")[0].lower() or "en"


# ---- small HTML helpers ----------------------------------------------------------------------------------------------


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _attrs(pairs: Iterable[tuple[str, object | None]]) -> str:
    """` name="value"` for every pair whose value is not None (True → a bare attribute, False → left out)."""
    out = []
    for name, value in pairs:
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{_attr(value)}"')
    return "".join(out)


_SAFE_SCHEMES = ("http://", "https://", "mailto:", "slack://", "tel:")


def safe_url(url: object) -> str | None:
    """The URL if its scheme is one a page may follow, else None (javascript:, data:, relative paths…)."""
    if not isinstance(url, str):
        return None
    cleaned = url.strip()
    if any(ord(char) < 32 for char in cleaned):
        return None
    return cleaned if cleaned.lower().startswith(_SAFE_SCHEMES) else None


def _link(url: str, label_html: str) -> str:
    return f'<a class="bk-link" href="{_attr(url)}" target="_blank" rel="noopener noreferrer">{label_html}</a>'


def _muted(kind: object) -> str:
    return f'<div class="bk-unknown bk-muted">[{escape(str(kind))}]</div>'


def _text_of(obj: object) -> str:
    """The raw string inside a text object (or a bare string)."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def _mappings(value: object) -> list[Json]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list | tuple) else []


# ---- emoji -----------------------------------------------------------------------------------------------------------

EMOJI: Mapping[str, str] = {
    "+1": "👍",
    "-1": "👎",
    "alarm_clock": "⏰",
    "arrows_counterclockwise": "🔄",
    "ballot_box_with_ballot": "🗳️",
    "ballot_box_with_check": "☑️",
    "bar_chart": "📊",
    "bell": "🔔",
    "bulb": "💡",
    "bust_in_silhouette": "👤",
    "busts_in_silhouette": "👥",
    "calendar": "📆",
    "card_index": "📇",
    "chart_with_upwards_trend": "📈",
    "clap": "👏",
    "clipboard": "📋",
    "clock9": "🕘",
    "date": "📅",
    "door": "🚪",
    "envelope": "✉️",
    "exclamation": "❗",
    "eyes": "👀",
    "face_with_head_bandage": "🤕",
    "fire": "🔥",
    "grey_question": "❔",
    "heart": "❤️",
    "heavy_check_mark": "✔️",
    "heavy_minus_sign": "\u2796",
    "heavy_plus_sign": "\u2795",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "inbox_tray": "📥",
    "incoming_envelope": "📨",
    "information_source": "\u2139\ufe0f",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "lock": "🔒",
    "mag": "🔍",
    "memo": "📝",
    "newspaper": "📰",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "octagonal_sign": "🛑",
    "ok_hand": "👌",
    "outbox_tray": "📤",
    "package": "📦",
    "page_facing_up": "📄",
    "palm_tree": "🌴",
    "paperclip": "📎",
    "pencil2": "✏️",
    "pushpin": "📌",
    "raising_hand": "🙋",
    "red_circle": "🔴",
    "repeat": "🔁",
    "rocket": "🚀",
    "rotating_light": "🚨",
    "slightly_smiling_face": "🙂",
    "smile": "😄",
    "sparkles": "✨",
    "speech_balloon": "💬",
    "spiral_calendar_pad": "🗓️",
    "star": "⭐",
    "sunny": "☀️",
    "tada": "🎉",
    "telephone_receiver": "📞",
    "thermometer": "🌡️",
    "thinking_face": "🤔",
    "thumbsdown": "👎",
    "thumbsup": "👍",
    "ticket": "🎫",
    "warning": "⚠️",
    "wastebasket": "🗑️",
    "wave": "👋",
    "white_check_mark": "✅",
    "x": "❌",
}

# A name starts with a letter (so "10:00-15:00" is not an emoji) or is +1/-1.
_EMOJI_RE = re.compile(r":([a-z][a-z0-9_+'-]*|[+-]1):")


def _emoji(escaped: str) -> str:
    """`:name:` → the character for the common ones; others stay as typed."""
    return _EMOJI_RE.sub(lambda found: EMOJI.get(found.group(1), found.group(0)), escaped)


# ---- date tokens -----------------------------------------------------------------------------------------------------

_RELATIVE = {
    "en": ("Yesterday", "Today", "Tomorrow"),
    "it": ("Ieri", "Oggi", "Domani"),
}


def _babel_locale(directory: Directory) -> Locale:
    try:
        return Locale.parse(directory.locale.replace("-", "_"))
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        return Locale.parse("en_US")


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _date_text(day: date, kind: str, directory: Directory, locale: Locale) -> str:
    """Slack's {date}, {date_short}, {date_long} for one day: English in Slack's own style, else the locale's."""
    if directory.language == "en":
        month = format_date(day, "MMMM", locale="en_US")
        if kind == "date_short":
            return f"{format_date(day, 'MMM', locale='en_US')} {day.day}, {day.year}"
        long_day = f"{month} {_ordinal(day.day)}, {day.year}"
        if kind == "date_long":
            return f"{format_date(day, 'EEEE', locale='en_US')}, {long_day}"
        return long_day
    width = {"date_short": "medium", "date_long": "full"}.get(kind, "long")
    return str(format_date(day, width, locale=locale))


def _pretty(day: date, kind: str, directory: Directory, locale: Locale) -> str:
    today = directory.current().astimezone(directory.zone).date()
    offset = (day - today).days
    if -1 <= offset <= 1:
        words = _RELATIVE.get(directory.language, _RELATIVE["en"])
        return words[offset + 1]
    return _date_text(day, kind, directory, locale)


def format_date_token(epoch: int, pattern: str, directory: Directory) -> str:
    """Slack's `<!date^EPOCH^pattern|fallback>` pattern filled in for the reader (plain text, not escaped)."""
    instant = datetime.fromtimestamp(epoch, UTC)
    local = instant.astimezone(directory.zone)
    locale = _babel_locale(directory)

    def token(found: re.Match[str]) -> str:
        name = found.group(1)
        if name == "date_num":
            return local.date().isoformat()
        if name in ("date", "date_short", "date_long"):
            return _date_text(local.date(), name, directory, locale)
        if name in ("date_pretty", "date_short_pretty", "date_long_pretty"):
            return _pretty(local.date(), name.removesuffix("_pretty"), directory, locale)
        if name == "date_slash":
            return local.strftime("%m/%d/%Y") if directory.language == "en" else local.strftime("%d/%m/%Y")
        if name == "day_divider_pretty":
            return _pretty(local.date(), "date_long", directory, locale)
        if name in ("time", "time_secs"):
            width = "short" if name == "time" else "medium"
            return str(format_time(local.time(), width, locale=locale)).replace("\u202f", " ")
        if name == "ago":
            delta = instant - directory.current()
            return str(format_timedelta(delta, add_direction=True, locale=locale))
        return found.group(0)

    return re.sub(r"\{([a-z_]+)\}", token, pattern)


def _date_html(body: str, directory: Directory) -> str:
    """`date^EPOCH^pattern[^link][|fallback]` → the text in the reader's zone (the fallback if it is malformed)."""
    spec, _, fallback = body.partition("|")
    parts = spec.split("^")
    try:
        epoch = int(parts[1])
        pattern = parts[2]
        text = format_date_token(epoch, pattern, directory)
    except (IndexError, ValueError, OverflowError, OSError):
        return f'<span class="bk-date">{escape(_unescape(fallback))}</span>'
    title = datetime.fromtimestamp(epoch, UTC).astimezone(directory.zone).isoformat()
    shown = f'<time class="bk-date" datetime="{_attr(title)}">{escape(text)}</time>'
    link = safe_url(parts[3]) if len(parts) > 3 else None
    return _link(link, shown) if link else shown


# ---- mrkdwn ----------------------------------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Slack's three escapes in message text, undone (the result is escaped again for HTML)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mention(kind: str, ident: str, label: str, directory: Directory) -> str:
    if kind == "@":
        name = directory.people.get(ident) or label or ident
        return f'<span class="bk-mention bk-user" data-user-id="{_attr(ident)}">@{escape(name)}</span>'
    name = directory.channels.get(ident) or label or ident
    return f'<span class="bk-mention bk-channel" data-channel-id="{_attr(ident)}">#{escape(name)}</span>'


def _special(body: str, directory: Directory) -> str:
    """`<!…>`: dates, user groups, @here/@channel/@everyone."""
    if body.startswith("date^"):
        return _date_html(body, directory)
    spec, _, label = body.partition("|")
    if spec.startswith("subteam^"):
        ident = spec.removeprefix("subteam^")
        handle = directory.usergroups.get(ident) or _unescape(label).lstrip("@") or ident
        return f'<span class="bk-mention bk-usergroup" data-usergroup-id="{_attr(ident)}">@{escape(handle)}</span>'
    if spec in ("here", "channel", "everyone"):
        return f'<span class="bk-mention bk-broadcast">@{escape(spec)}</span>'
    return escape(_unescape(label or spec))


def _token_html(body: str, directory: Directory) -> str:
    """One `<…>` of Slack's message syntax as HTML."""
    if body.startswith(("@", "#")):
        spec, _, label = body[1:].partition("|")
        return _mention(body[0], spec, _unescape(label), directory)
    if body.startswith("!"):
        return _special(body[1:], directory)
    target, _, label = body.partition("|")
    url = safe_url(_unescape(target))
    if url is None and not label:
        return escape(f"<{_unescape(body)}>", quote=False)  # not a link Slack would make: the text as typed
    words = _unescape(label) if label else _unescape(target).removeprefix("mailto:")
    shown = escape(words, quote=False)
    return _link(url, shown) if url else shown


_TOKEN_RE = re.compile(r"<([^<>\n]*)>")
_HOLE_RE = re.compile("\ue000(\\d+)\ue001")
_CODE_RE = re.compile(r"`([^`\n]+)`")
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "del"),
)


class _Holes:
    """Rendered fragments parked behind private-use placeholders while the surrounding text is formatted."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def park(self, rendered: str) -> str:
        self.parts.append(rendered)
        return f"\ue000{len(self.parts) - 1}\ue001"

    def fill(self, text: str) -> str:
        # Parked fragments can contain other holes (a code span around a mention): fill until none are left.
        for _ in range(4):
            if "\ue000" not in text:
                break
            text = _HOLE_RE.sub(lambda found: self.parts[int(found.group(1))], text)
        return text


def _wrapper(tag: str) -> Callable[[re.Match[str]], str]:
    def wrap(found: re.Match[str]) -> str:
        return f"<{tag}>{found.group(1)}</{tag}>"

    return wrap


def _inline(raw: str, directory: Directory, holes: _Holes) -> str:
    """One stretch of mrkdwn (no code blocks, no quotes) as HTML, with its tokens parked in `holes`."""
    parked = _TOKEN_RE.sub(lambda found: holes.park(_token_html(found.group(1), directory)), raw)
    parked = _CODE_RE.sub(
        lambda found: holes.park(f'<code class="bk-code">{escape(_unescape(found.group(1)))}</code>'), parked
    )
    text = _emoji(escape(_unescape(parked), quote=False))
    for pattern, tag in _STYLES:
        text = pattern.sub(_wrapper(tag), text)
    return text.replace("\n", "<br>")


def _quote_line(line: str) -> str | None:
    for marker in ("&gt; ", "&gt;", "> ", ">"):
        if line.startswith(marker):
            return line[len(marker) :]
    return None


def _paragraphs(raw: str, directory: Directory, holes: _Holes) -> str:
    """Text outside code blocks: runs of `>` lines become quotes, the rest inline mrkdwn."""
    out: list[str] = []
    plain: list[str] = []
    quoted: list[str] = []

    def flush_plain() -> None:
        if plain:
            out.append(_inline("\n".join(plain), directory, holes))
            plain.clear()

    def flush_quote() -> None:
        if quoted:
            out.append(f'<blockquote class="bk-quote">{_inline(chr(10).join(quoted), directory, holes)}</blockquote>')
            quoted.clear()

    for line in raw.split("\n"):
        inner = _quote_line(line)
        if inner is None:
            flush_quote()
            plain.append(line)
        else:
            flush_plain()
            quoted.append(inner)
    flush_plain()
    flush_quote()
    return "".join(out)


def mrkdwn_html(text: str, directory: Directory) -> str:
    """Slack mrkdwn (with its `<…>` tokens and &amp;/&lt;/&gt; escapes) as HTML; everything typed is escaped."""
    holes = _Holes()
    pieces: list[str] = []
    rest = text.replace("\ue000", "").replace("\ue001", "")  # the placeholders' markers never come from outside
    while True:
        start = rest.find("```")
        end = rest.find("```", start + 3) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        before, body, rest = rest[:start], rest[start + 3 : end], rest[end + 3 :]
        if before.strip("\n"):
            pieces.append(_paragraphs(before.strip("\n"), directory, holes))
        code = _TOKEN_RE.sub(lambda found: holes.park(_token_html(found.group(1), directory)), body.strip("\n"))
        pieces.append(f'<pre class="bk-pre">{escape(_unescape(code), quote=False)}</pre>')
        rest = rest.lstrip("\n")
    if rest or not pieces:
        pieces.append(_paragraphs(rest, directory, holes))
    return holes.fill("".join(pieces))


def plain_html(text: str) -> str:
    """A plain_text object's text: escaped, emoji shortcodes shown, newlines kept."""
    return _emoji(escape(text, quote=False)).replace("\n", "<br>")


def _text_html(obj: object, directory: Directory) -> str:
    """A text object (plain_text or mrkdwn) as HTML."""
    if isinstance(obj, Mapping) and obj.get("type") == "mrkdwn":
        return mrkdwn_html(_text_of(obj), directory)
    return plain_html(_text_of(obj))


def _plain(obj: object) -> str:
    """A text object's words for an attribute or an <option> (no markup)."""
    return _text_of(obj)


# ---- state: what is currently chosen ---------------------------------------------------------------------------------


def _state_values(state: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not state:
        return {}
    values = state.get("values")
    return values if isinstance(values, Mapping) else state


@dataclass(frozen=True)
class _Ctx:
    directory: Directory
    values: Mapping[str, Any]
    errors: Mapping[str, str]

    def entry(self, block_id: str, element: Json) -> Mapping[str, Any] | None:
        block = self.values.get(block_id)
        if not isinstance(block, Mapping):
            return None
        found = block.get(str(element.get("action_id", "")))
        return found if isinstance(found, Mapping) else None


def _option_value(option: object) -> str | None:
    if isinstance(option, Mapping):
        value = option.get("value")
        return str(value) if value is not None else None
    return None


def _chosen(element: Json, entry: Mapping[str, Any] | None, state_key: str, initial_key: str) -> list[str]:
    """The values chosen now: from the view's state when it says so, else the element's initial_*."""
    if entry is not None and state_key in entry and entry[state_key] is not None:
        found: object = entry[state_key]
    else:
        found = element.get(initial_key)
    if isinstance(found, Mapping):
        value = _option_value(found)
        return [value] if value is not None else []
    if isinstance(found, list | tuple):
        return [v for v in (_option_value(item) if isinstance(item, Mapping) else item for item in found) if v]
    return [str(found)] if found not in (None, "") else []


# ---- elements --------------------------------------------------------------------------------------------------------


def _common(element: Json, block_id: str, css: str) -> list[tuple[str, object | None]]:
    return [
        ("class", f"{css} bk-interactive"),
        ("data-type", element.get("type", "")),
        ("data-action-id", element.get("action_id", "")),
        ("data-block-id", block_id),
    ]


def _confirm_attrs(element: Json) -> list[tuple[str, object | None]]:
    confirm = element.get("confirm")
    if not isinstance(confirm, Mapping):
        return []
    return [
        ("data-confirm", _plain(confirm.get("text"))),
        ("data-confirm-title", _plain(confirm.get("title")) or None),
        ("data-confirm-yes", _plain(confirm.get("confirm")) or None),
        ("data-confirm-no", _plain(confirm.get("deny")) or None),
    ]


def _button(element: Json, block_id: str, ctx: _Ctx) -> str:
    style = element.get("style")
    css = "bk-button" + (f" bk-{style}" if style in ("primary", "danger") else "")
    url = safe_url(element.get("url"))
    attrs = [
        ("type", "button"),
        *_common(element, block_id, css),
        ("data-value", element.get("value", "")),
        ("data-url", url),
        *_confirm_attrs(element),
        ("title", _plain(element.get("accessibility_label")) or None),
    ]
    return f"<button{_attrs(attrs)}>{plain_html(_text_of(element.get('text')))}</button>"


def _option_html(option: Json, chosen: Sequence[str]) -> str:
    value = _option_value(option) or ""
    attrs = [
        ("value", value),
        ("selected", value in chosen),
        ("title", _plain(option.get("description")) or None),
        ("data-url", safe_url(option.get("url"))),
    ]
    return f"<option{_attrs(attrs)}>{escape(_plain(option.get('text')))}</option>"


def _placeholder_option(element: Json, chosen: Sequence[str], multiple: bool) -> str:
    if multiple:
        return ""
    words = _plain(element.get("placeholder")) or "—"
    return f'<option value=""{" selected" if not chosen else ""}>{escape(words)}</option>'


def _select_html(element: Json, block_id: str, css: str, options_html: str, chosen: Sequence[str]) -> str:
    multiple = str(element.get("type", "")).startswith("multi_")
    attrs = [
        *_common(element, block_id, css),
        ("multiple", multiple),
        ("data-placeholder", _plain(element.get("placeholder")) or None),
        ("data-max-selected", element.get("max_selected_items")),
        *_confirm_attrs(element),
    ]
    return f"<select{_attrs(attrs)}>{_placeholder_option(element, chosen, multiple)}{options_html}</select>"


def _static_select(element: Json, block_id: str, ctx: _Ctx) -> str:
    multiple = str(element.get("type", "")).startswith("multi_")
    chosen = _chosen(
        element,
        ctx.entry(block_id, element),
        "selected_options" if multiple else "selected_option",
        "initial_options" if multiple else "initial_option",
    )
    parts: list[str] = []
    seen: set[str] = set()
    for option in _mappings(element.get("options")):
        parts.append(_option_html(option, chosen))
        seen.add(_option_value(option) or "")
    for group in _mappings(element.get("option_groups")):
        inner = []
        for option in _mappings(group.get("options")):
            inner.append(_option_html(option, chosen))
            seen.add(_option_value(option) or "")
        parts.append(f'<optgroup label="{_attr(_plain(group.get("label")))}">{"".join(inner)}</optgroup>')
    # external_select has no options of its own: show the initial ones so the choice is visible.
    initial = element.get("initial_options") if multiple else [element.get("initial_option")]
    for option in _mappings(initial):
        if (_option_value(option) or "") not in seen:
            parts.append(_option_html(option, chosen))
    return _select_html(element, block_id, "bk-select", "".join(parts), chosen)


def _named_options(names: Mapping[str, str], chosen: Sequence[str], prefix: str) -> str:
    ordered = sorted(names.items(), key=lambda item: (item[1].lower(), item[0]))
    known = {ident for ident, _ in ordered}
    extra = [(ident, ident) for ident in chosen if ident not in known]
    return "".join(
        f"<option{_attrs([('value', ident), ('selected', ident in chosen)])}>{escape(prefix + name)}</option>"
        for ident, name in [*ordered, *extra]
    )


def _users_select(element: Json, block_id: str, ctx: _Ctx) -> str:
    multiple = str(element.get("type", "")).startswith("multi_")
    chosen = _chosen(
        element,
        ctx.entry(block_id, element),
        "selected_users" if multiple else "selected_user",
        "initial_users" if multiple else "initial_user",
    )
    options = _named_options(ctx.directory.people, chosen, "")
    return _select_html(element, block_id, "bk-users-select", options, chosen)


def _conversations_select(element: Json, block_id: str, ctx: _Ctx) -> str:
    kind = str(element.get("type", ""))
    multiple = kind.startswith("multi_")
    noun = "channel" if "channels" in kind else "conversation"
    chosen = _chosen(
        element,
        ctx.entry(block_id, element),
        f"selected_{noun}s" if multiple else f"selected_{noun}",
        f"initial_{noun}s" if multiple else f"initial_{noun}",
    )
    options = _named_options(ctx.directory.channels, chosen, "#")
    return _select_html(element, block_id, "bk-conversations-select", options, chosen)


def _overflow(element: Json, block_id: str, ctx: _Ctx) -> str:
    options = "".join(_option_html(option, []) for option in _mappings(element.get("options")))
    attrs = [*_common(element, block_id, "bk-overflow"), *_confirm_attrs(element)]
    return f'<select{_attrs(attrs)}><option value="" selected>⋯</option>{options}</select>'


def _first(values: Sequence[str]) -> str | None:
    return values[0] if values else None


def _datepicker(element: Json, block_id: str, ctx: _Ctx) -> str:
    value = _first(_chosen(element, ctx.entry(block_id, element), "selected_date", "initial_date"))
    attrs = [
        ("type", "date"),
        *_common(element, block_id, "bk-datepicker"),
        ("value", value),
        ("placeholder", _plain(element.get("placeholder")) or None),
        *_confirm_attrs(element),
    ]
    return f"<input{_attrs(attrs)}>"


def _timepicker(element: Json, block_id: str, ctx: _Ctx) -> str:
    value = _first(_chosen(element, ctx.entry(block_id, element), "selected_time", "initial_time"))
    attrs = [
        ("type", "time"),
        *_common(element, block_id, "bk-timepicker"),
        ("value", value),
        ("placeholder", _plain(element.get("placeholder")) or None),
        ("data-timezone", element.get("timezone")),
        *_confirm_attrs(element),
    ]
    return f"<input{_attrs(attrs)}>"


def _datetimepicker(element: Json, block_id: str, ctx: _Ctx) -> str:
    epoch = _first(_chosen(element, ctx.entry(block_id, element), "selected_date_time", "initial_date_time"))
    value = None
    if epoch is not None and epoch.lstrip("-").isdigit():
        local = datetime.fromtimestamp(int(epoch), UTC).astimezone(ctx.directory.zone)
        value = local.strftime("%Y-%m-%dT%H:%M")
    attrs = [("type", "datetime-local"), *_common(element, block_id, "bk-datetimepicker"), ("value", value)]
    return f"<input{_attrs(attrs)}>"


def _choices(element: Json, block_id: str, ctx: _Ctx, *, radio: bool) -> str:
    kind = "radio" if radio else "checkbox"
    chosen = _chosen(
        element,
        ctx.entry(block_id, element),
        "selected_option" if radio else "selected_options",
        "initial_option" if radio else "initial_options",
    )
    name = f"{block_id}/{element.get('action_id', '')}"
    items = []
    for option in _mappings(element.get("options")):
        value = _option_value(option) or ""
        attrs = [
            ("type", kind),
            ("class", f"bk-{kind}"),
            ("name", name),
            ("value", value),
            ("checked", value in chosen),
        ]
        description = option.get("description")
        described = (
            f'<span class="bk-description">{_text_html(description, ctx.directory)}</span>' if description else ""
        )
        items.append(
            f'<label class="bk-choice"><input{_attrs(attrs)}>'
            f'<span class="bk-choice-text">{_text_html(option.get("text"), ctx.directory)}</span>{described}</label>'
        )
    css = "bk-radios" if radio else "bk-checkboxes"
    return f"<div{_attrs([*_common(element, block_id, css), *_confirm_attrs(element)])}>{''.join(items)}</div>"


def _checkboxes(element: Json, block_id: str, ctx: _Ctx) -> str:
    return _choices(element, block_id, ctx, radio=False)


def _radio_buttons(element: Json, block_id: str, ctx: _Ctx) -> str:
    return _choices(element, block_id, ctx, radio=True)


def _rich_text_plain(value: object) -> str:
    """A rich_text value's words, for a text box's initial content."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if value.get("type") == "text":
            return _text_of(value)
        return "".join(_rich_text_plain(item) for item in value.get("elements", []) or [])
    return ""


def _text_input(element: Json, block_id: str, ctx: _Ctx) -> str:
    kind = str(element.get("type", ""))
    entry = ctx.entry(block_id, element)
    if entry is not None and entry.get("value") is not None:
        value: str | None = str(entry.get("value"))
    elif kind == "rich_text_input":
        value = _rich_text_plain(element.get("initial_value")) or None
    else:
        initial = element.get("initial_value")
        value = str(initial) if initial is not None else None
    attrs: list[tuple[str, object | None]] = [
        *_common(element, block_id, "bk-text-input"),
        ("placeholder", _plain(element.get("placeholder")) or None),
        ("minlength", element.get("min_length")),
        ("maxlength", element.get("max_length")),
    ]
    if element.get("multiline") or kind == "rich_text_input":
        return f'<textarea rows="4"{_attrs(attrs)}>{escape(value or "", quote=False)}</textarea>'
    if kind == "number_input":
        decimal = bool(element.get("is_decimal_allowed"))
        attrs = [
            ("type", "number"),
            *attrs,
            ("step", "any" if decimal else "1"),
            ("min", element.get("min_value")),
            ("max", element.get("max_value")),
            ("data-decimal", "true" if decimal else "false"),
        ]
    else:
        attrs = [("type", {"email_text_input": "email", "url_text_input": "url"}.get(kind, "text")), *attrs]
    return f"<input{_attrs([*attrs, ('value', value)])}>"


def _image_element(element: Json, block_id: str, ctx: _Ctx) -> str:
    return _img(element, "bk-image bk-image-element")


def _img(obj: Json, css: str) -> str:
    url = safe_url(obj.get("image_url"))
    slack_file = obj.get("slack_file")
    if url is None and isinstance(slack_file, Mapping):
        url = safe_url(slack_file.get("url"))
        ident = slack_file.get("id")
        if url is None and isinstance(ident, str) and ident.isalnum():
            url = f"/files/{ident}"  # a file uploaded to the double: the page serves it
    alt = str(obj.get("alt_text", ""))
    if url is None:
        return f'<span class="{_attr(css)} bk-muted">[{escape(alt or "image")}]</span>'
    return f"<img{_attrs([('class', css), ('src', url), ('alt', alt), ('loading', 'lazy')])}>"


def _file_input(element: Json, block_id: str, ctx: _Ctx) -> str:
    return f"<input{_attrs([('type', 'file'), *_common(element, block_id, 'bk-file-input'), ('disabled', True)])}>"


_ELEMENTS: Mapping[str, Callable[[Json, str, _Ctx], str]] = {
    "button": _button,
    "workflow_button": _button,
    "static_select": _static_select,
    "external_select": _static_select,
    "multi_static_select": _static_select,
    "multi_external_select": _static_select,
    "users_select": _users_select,
    "multi_users_select": _users_select,
    "conversations_select": _conversations_select,
    "multi_conversations_select": _conversations_select,
    "channels_select": _conversations_select,
    "multi_channels_select": _conversations_select,
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "datetimepicker": _datetimepicker,
    "checkboxes": _checkboxes,
    "radio_buttons": _radio_buttons,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _text_input,
    "rich_text_input": _text_input,
    "image": _image_element,
    "file_input": _file_input,
}


def _element(element: object, block_id: str, ctx: _Ctx) -> str:
    if not isinstance(element, Mapping):
        return _muted("element")
    render = _ELEMENTS.get(str(element.get("type")))
    if render is None:
        return _muted(element.get("type", "element"))
    try:
        return render(element, block_id, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, LookupError):
        return _muted(element.get("type", "element"))


# ---- rich text -------------------------------------------------------------------------------------------------------


def _styled(inner: str, style: object) -> str:
    if not isinstance(style, Mapping):
        return inner
    for key, tag in (("code", "code"), ("strike", "del"), ("italic", "em"), ("bold", "strong")):
        if style.get(key):
            inner = f'<{tag} class="bk-code">{inner}</{tag}>' if tag == "code" else f"<{tag}>{inner}</{tag}>"
    return inner


def _rich_inline(item: Json, directory: Directory) -> str:
    kind = item.get("type")
    style = item.get("style")
    if kind == "text":
        return _styled(_emoji(escape(_text_of(item), quote=False)).replace("\n", "<br>"), style)
    if kind == "link":
        url = safe_url(item.get("url"))
        label = escape(str(item.get("text") or item.get("url") or ""), quote=False)
        return _styled(_link(url, label) if url else label, style)
    if kind == "user":
        return _styled(_mention("@", str(item.get("user_id", "")), "", directory), style)
    if kind == "channel":
        return _styled(_mention("#", str(item.get("channel_id", "")), "", directory), style)
    if kind == "usergroup":
        return _styled(_special(f"subteam^{item.get('usergroup_id', '')}", directory), style)
    if kind == "broadcast":
        return f'<span class="bk-mention bk-broadcast">@{escape(str(item.get("range", "here")))}</span>'
    if kind == "emoji":
        name = str(item.get("name", ""))
        code = item.get("unicode")
        if isinstance(code, str) and code:
            try:
                return "".join(chr(int(part, 16)) for part in code.split("-"))
            except ValueError:
                pass
        return escape(EMOJI.get(name, f":{name}:"), quote=False)
    if kind == "date":
        body = f"date^{item.get('timestamp', '')}^{item.get('format', '{date_num}')}"
        if item.get("url"):
            body += f"^{item.get('url')}"
        return _styled(_date_html(f"{body}|{item.get('fallback', '')}", directory), style)
    if kind == "color":
        return f'<span class="bk-color">{escape(str(item.get("value", "")), quote=False)}</span>'
    return f'<span class="bk-muted">[{escape(str(kind))}]</span>'


def _rich_elements(items: object, directory: Directory) -> str:
    return "".join(_rich_inline(item, directory) for item in _mappings(items))


def _rich_part(part: Json, directory: Directory) -> str:
    kind = part.get("type")
    if kind == "rich_text_section":
        return f'<div class="bk-rich-section">{_rich_elements(part.get("elements"), directory)}</div>'
    if kind == "rich_text_preformatted":
        return f'<pre class="bk-pre">{_rich_elements(part.get("elements"), directory)}</pre>'
    if kind == "rich_text_quote":
        return f'<blockquote class="bk-quote">{_rich_elements(part.get("elements"), directory)}</blockquote>'
    if kind == "rich_text_list":
        tag = "ol" if part.get("style") == "ordered" else "ul"
        indent = part.get("indent", 0)
        items = "".join(
            f"<li>{_rich_elements(item.get('elements'), directory)}</li>" for item in _mappings(part.get("elements"))
        )
        return f'<{tag} class="bk-rich-list" data-indent="{_attr(indent)}">{items}</{tag}>'
    return _muted(kind)


# ---- blocks ----------------------------------------------------------------------------------------------------------


def _open(block: Json, css: str) -> str:
    return f"<div{_attrs([('class', f'bk-block {css}'), ('data-block-id', block.get('block_id', ''))])}>"


def _header(block: Json, ctx: _Ctx) -> str:
    return f"{_open(block, 'bk-header')}{plain_html(_text_of(block.get('text')))}</div>"


def _accessory(block: Json, ctx: _Ctx) -> str:
    accessory = block.get("accessory")
    if not isinstance(accessory, Mapping):
        return ""
    if accessory.get("type") == "image":
        inner = _img(accessory, "bk-image bk-accessory-image")
    else:
        inner = _element(accessory, str(block.get("block_id", "")), ctx)
    return f'<div class="bk-accessory">{inner}</div>'


def _section(block: Json, ctx: _Ctx) -> str:
    text = block.get("text")
    main = f'<div class="bk-text">{_text_html(text, ctx.directory)}</div>' if text else ""
    fields = _mappings(block.get("fields"))
    if fields:
        cells = "".join(f'<div class="bk-field">{_text_html(field, ctx.directory)}</div>' for field in fields)
        main += f'<div class="bk-fields">{cells}</div>'
    return f'{_open(block, "bk-section")}<div class="bk-section-main">{main}</div>{_accessory(block, ctx)}</div>'


def _context(block: Json, ctx: _Ctx) -> str:
    parts = []
    for element in _mappings(block.get("elements")):
        if element.get("type") == "image":
            parts.append(_img(element, "bk-image bk-context-image"))
        else:
            parts.append(f'<span class="bk-context-text">{_text_html(element, ctx.directory)}</span>')
    return f"{_open(block, 'bk-context')}{''.join(parts)}</div>"


def _divider(block: Json, ctx: _Ctx) -> str:
    return f"{_open(block, 'bk-divider')}<hr></div>"


def _actions(block: Json, ctx: _Ctx) -> str:
    block_id = str(block.get("block_id", ""))
    elements = "".join(_element(element, block_id, ctx) for element in _mappings(block.get("elements")))
    return f"{_open(block, 'bk-actions')}{elements}</div>"


def _image_block(block: Json, ctx: _Ctx) -> str:
    title = block.get("title")
    caption = f'<div class="bk-image-title">{plain_html(_text_of(title))}</div>' if title else ""
    return f"{_open(block, 'bk-image-block')}{caption}{_img(block, 'bk-image')}</div>"


def _rich_text(block: Json, ctx: _Ctx) -> str:
    parts = "".join(_rich_part(part, ctx.directory) for part in _mappings(block.get("elements")))
    return f"{_open(block, 'bk-rich-text')}{parts}</div>"


def _optional_word(directory: Directory) -> str:
    return "(facoltativo)" if directory.language == "it" else "(optional)"


def _input(block: Json, ctx: _Ctx) -> str:
    block_id = str(block.get("block_id", ""))
    element = block.get("element")
    optional = bool(block.get("optional"))
    marker = f' <span class="bk-optional">{escape(_optional_word(ctx.directory))}</span>' if optional else ""
    label = f'<label class="bk-label">{plain_html(_text_of(block.get("label")))}{marker}</label>'
    hint = block.get("hint")
    hint_html = f'<div class="bk-hint">{plain_html(_text_of(hint))}</div>' if hint else ""
    error = ctx.errors.get(block_id)
    error_html = f'<div class="bk-error"{"" if error else " hidden"}>{escape(error or "", quote=False)}</div>'
    attrs = [
        ("class", "bk-block bk-input" + (" bk-has-error" if error else "")),
        ("data-block-id", block_id),
        ("data-optional", "true" if optional else "false"),
        ("data-dispatch-action", "true" if block.get("dispatch_action") else None),
    ]
    body = f'<div class="bk-input-element">{_element(element, block_id, ctx)}</div>'
    return f"<div{_attrs(attrs)}>{label}{body}{hint_html}{error_html}</div>"


def _markdown(block: Json, ctx: _Ctx) -> str:
    return f"{_open(block, 'bk-markdown')}{mrkdwn_html(str(block.get('text', '')), ctx.directory)}</div>"


def _file_block(block: Json, ctx: _Ctx) -> str:
    return f"{_open(block, 'bk-file bk-muted')}[file {escape(str(block.get('external_id', '')))}]</div>"


def _video(block: Json, ctx: _Ctx) -> str:
    url = safe_url(block.get("title_url")) or safe_url(block.get("video_url"))
    title = plain_html(_text_of(block.get("title"))) or "video"
    return f"{_open(block, 'bk-video')}{_link(url, title) if url else title}</div>"


_BLOCKS: Mapping[str, Callable[[Json, _Ctx], str]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "actions": _actions,
    "input": _input,
    "image": _image_block,
    "rich_text": _rich_text,
    "markdown": _markdown,
    "file": _file_block,
    "video": _video,
}


def _block(block: object, ctx: _Ctx) -> str:
    if not isinstance(block, Mapping):
        return _muted("block")
    render = _BLOCKS.get(str(block.get("type")))
    if render is None:
        return f'<div class="bk-block bk-unknown bk-muted">[{escape(str(block.get("type", "block")))}]</div>'
    try:
        return render(block, ctx)
    except (AttributeError, KeyError, TypeError, ValueError, LookupError):
        return f'<div class="bk-block bk-unknown bk-muted">[{escape(str(block.get("type", "block")))}]</div>'


def _render(blocks: object, ctx: _Ctx) -> str:
    items = blocks if isinstance(blocks, list | tuple) else []
    return f'<div class="bk-blocks">{"".join(_block(block, ctx) for block in items)}</div>'


def blocks_html(
    blocks: Sequence[Mapping[str, Any]], directory: Directory, *, state: Mapping[str, Any] | None = None
) -> str:
    """A message's (or a view's) blocks as HTML; `state` (a view's `state`, or its `values`) shows what is chosen."""
    return _render(blocks, _Ctx(directory, _state_values(state), {}))


def view_html(view: Mapping[str, Any], directory: Directory, *, errors: Mapping[str, str] | None = None) -> str:
    """A modal (title, blocks, submit/close labels) or a Home tab (blocks only); `errors[block_id]` fills that
    input's `.bk-error`."""
    kind = str(view.get("type", "modal"))
    state = view.get("state")
    ctx = _Ctx(directory, _state_values(state if isinstance(state, Mapping) else None), errors or {})
    attrs = [
        ("class", f"bk-view bk-view-{kind}"),
        ("data-view-id", view.get("id")),
        ("data-callback-id", view.get("callback_id")),
        ("data-view-type", kind),
    ]
    body = _render(view.get("blocks"), ctx)
    if kind != "modal":
        return f"<div{_attrs(attrs)}>{body}</div>"
    title = f'<div class="bk-view-title">{plain_html(_text_of(view.get("title")))}</div>'
    close_words = _text_of(view.get("close")) or ("Annulla" if directory.language == "it" else "Cancel")
    buttons = [f'<button type="button" class="bk-view-close" data-role="close">{plain_html(close_words)}</button>']
    submit = view.get("submit")
    if isinstance(submit, Mapping):
        words = plain_html(_text_of(submit))
        buttons.append(f'<button type="button" class="bk-view-submit" data-role="submit">{words}</button>')
    footer = f'<div class="bk-view-footer">{"".join(buttons)}</div>'
    return f"<div{_attrs(attrs)}>{title}{body}{footer}</div>"
