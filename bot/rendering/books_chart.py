"""The books chart as a PNG: for each currency, income and each expense category as pairs of horizontal bars, this
month and the month before.

Drawn with Pillow's bundled font through `bot/rendering/image_text.py` (holding its `LOCK`), like the insights
chart; the same data always gives the same bytes. Bar lengths are worked out from the `Decimal` amounts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from PIL import Image, ImageDraw

from bot.rendering import image_text as text
from bot.rendering.image_text import RGB

MAX_SECTIONS = 4
MAX_ROWS = 9  # per currency: income and up to eight expense categories

_MARGIN = 20
_TITLE_SIZE = 18
_HEADING_SIZE = 14
_LABEL_SIZE = 12
_LABEL_WIDTH = 170
_BAR_WIDTH = 360
_VALUE_WIDTH = 130
_BAR = 12
_ROW_GAP = 10
_GAP = 10

_PAPER: RGB = (255, 255, 255)
_INK: RGB = (17, 24, 39)
_MUTED: RGB = (107, 114, 128)
_AXIS: RGB = (156, 163, 175)
_NOW_INCOME: RGB = (22, 163, 74)
_NOW_EXPENSE: RGB = (220, 38, 38)
_BEFORE: RGB = (209, 213, 219)


@dataclass(frozen=True, slots=True)
class ChartRow:
    label: str
    now: Decimal
    before: Decimal
    now_text: str
    before_text: str
    income: bool = False


@dataclass(frozen=True, slots=True)
class ChartSection:
    heading: str
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True, slots=True)
class BooksChart:
    title: str
    now_legend: str
    before_legend: str
    sections: tuple[ChartSection, ...]
    empty: str = ""  # shown when there are no sections


def render_books_png(chart: BooksChart) -> bytes:
    if len(chart.sections) > MAX_SECTIONS or any(len(s.rows) > MAX_ROWS for s in chart.sections):
        raise ValueError(f"at most {MAX_SECTIONS} currencies of {MAX_ROWS} rows each")
    with text.LOCK:
        image = _draw(chart)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _length(value: Decimal, scale: Decimal) -> int:
    if value <= 0 or scale <= 0:
        return 0
    return max(1, int(value / scale * _BAR_WIDTH))


def _draw(chart: BooksChart) -> Image.Image:
    title_face, heading_face, label_face = text.face(_TITLE_SIZE), text.face(_HEADING_SIZE), text.face(_LABEL_SIZE)
    width = 2 * _MARGIN + _LABEL_WIDTH + _BAR_WIDTH + _VALUE_WIDTH
    row_height = 2 * _BAR + _ROW_GAP
    height = _MARGIN + title_face.pitch + _GAP + label_face.pitch + _GAP
    for section in chart.sections:
        height += heading_face.pitch + _GAP + len(section.rows) * row_height + _GAP
    if not chart.sections:
        height += label_face.pitch + _GAP
    height += _MARGIN

    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    y = float(_MARGIN)
    text.put(draw, text.line(_TITLE_SIZE, chart.title, width - 2 * _MARGIN), _MARGIN, y, _INK)
    y += title_face.pitch + _GAP

    # The legend: this month in colour, the month before in grey.
    x = float(_MARGIN)
    swatch = label_face.ascent
    for colour, legend in ((_NOW_EXPENSE, chart.now_legend), (_BEFORE, chart.before_legend)):
        draw.rectangle((x, y + 2, x + swatch, y + 2 + swatch), fill=colour)
        tile = text.line(_LABEL_SIZE, legend, width / 3)
        text.put(draw, tile, x + swatch + 6, y, _INK)
        x += swatch + 6 + tile.advance + 24
    y += label_face.pitch + _GAP

    if not chart.sections:
        text.put(draw, text.line(_LABEL_SIZE, chart.empty, width - 2 * _MARGIN), _MARGIN, y, _MUTED)
    left = _MARGIN + _LABEL_WIDTH
    for section in chart.sections:
        text.put(draw, text.line(_HEADING_SIZE, section.heading, width - 2 * _MARGIN), _MARGIN, y, _INK)
        y += heading_face.pitch + _GAP
        scale = max([Decimal(1)] + [max(row.now, row.before) for row in section.rows])
        for row in section.rows:
            label = text.line(_LABEL_SIZE, row.label, _LABEL_WIDTH - 10)
            text.put(draw, label, _MARGIN, y + _BAR - label_face.ascent / 2, _INK)
            for offset, value, value_text, colour in (
                (0, row.now, row.now_text, _NOW_INCOME if row.income else _NOW_EXPENSE),
                (_BAR, row.before, row.before_text, _BEFORE),
            ):
                top = y + offset
                length = _length(value, scale)
                if length:
                    draw.rectangle((left, top, left + length, top + _BAR - 2), fill=colour)
                amount = text.line(_LABEL_SIZE, value_text, _VALUE_WIDTH - 6)
                text.put(draw, amount, left + length + 6, top + (_BAR - label_face.ascent) / 2 - 1, _MUTED)
            y += row_height
        draw.line((left, y - row_height * len(section.rows) - 2, left, y - _ROW_GAP), fill=_AXIS, width=1)
        y += _GAP
    return image
