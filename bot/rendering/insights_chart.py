"""The insights chart as a PNG: cases opened each day as bars, and the day's average rating as dots joined by a line.

Drawn with Pillow and its bundled font only (see `bot/rendering/image_text.py`); the same data always gives the
same bytes (nothing random or time-dependent is drawn, and Pillow writes no timestamp into the PNG).
Two scales share the plot: ratings 0-5 on the left, case counts on the right.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.rendering import image_text as text
from bot.rendering.image_text import RGB

MAX_DAYS = 62

_MARGIN = 20
_TITLE_SIZE = 18
_LABEL_SIZE = 12
_AXIS_GAP = 40  # room for the axis numbers on each side
_PLOT_HEIGHT = 240
_MIN_PLOT_WIDTH = 480
_SLOT = 22  # width per day in a long period
_GAP = 10

_PAPER: RGB = (255, 255, 255)
_INK: RGB = (17, 24, 39)
_MUTED: RGB = (107, 114, 128)
_GRID: RGB = (229, 231, 235)
_AXIS: RGB = (156, 163, 175)
_BARS: RGB = (147, 197, 253)
_RATING: RGB = (234, 88, 12)


@dataclass(frozen=True, slots=True)
class InsightsChart:
    title: str
    labels: tuple[str, ...]  # under each day; "" leaves a day unlabelled
    ratings: tuple[float | None, ...]  # the day's average rating, None without feedback
    cases: tuple[int, ...]  # cases opened that day
    rating_legend: str
    cases_legend: str
    footer: str = ""


def render_chart_png(chart: InsightsChart) -> bytes:
    """The chart as an RGB PNG; ValueError for ragged or oversized data."""
    days = len(chart.labels)
    if not 0 < days <= MAX_DAYS or len(chart.ratings) != days or len(chart.cases) != days:
        raise ValueError(f"a chart needs 1 to {MAX_DAYS} days with a label, a rating and a count each")
    with text.LOCK:
        image = _draw(chart)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _case_scale(cases: Sequence[int]) -> int:
    """The top of the cases axis: at least 2, and even so its middle tick is a whole number."""
    top = max([2, *cases])
    return top + top % 2


def _draw(chart: InsightsChart) -> Image.Image:
    days = len(chart.labels)
    title_face, label_face = text.face(_TITLE_SIZE), text.face(_LABEL_SIZE)
    plot_width = max(_MIN_PLOT_WIDTH, days * _SLOT)
    width = plot_width + 2 * (_MARGIN + _AXIS_GAP)
    title = text.line(_TITLE_SIZE, chart.title, width - 2 * _MARGIN)
    legend_top = _MARGIN + title_face.pitch + _GAP
    plot_top = legend_top + label_face.pitch + 2 * _GAP
    plot_bottom = plot_top + _PLOT_HEIGHT
    footer = text.line(_LABEL_SIZE, chart.footer, width - 2 * _MARGIN) if chart.footer else None
    height = plot_bottom + label_face.pitch + _GAP + (label_face.pitch + _GAP if footer else 0) + _MARGIN

    image = Image.new("RGB", (width, height), _PAPER)
    draw = ImageDraw.Draw(image)
    text.put(draw, title, _MARGIN, _MARGIN, _INK)

    # The legend: a bar swatch and a dot, each with its words.
    x = float(_MARGIN + _AXIS_GAP)
    swatch = label_face.ascent
    draw.rectangle((x, legend_top + 2, x + swatch, legend_top + 2 + swatch), fill=_BARS)
    cases_legend = text.line(_LABEL_SIZE, chart.cases_legend, plot_width / 2)
    text.put(draw, cases_legend, x + swatch + 6, legend_top, _INK)
    x += swatch + 6 + cases_legend.advance + 24
    middle = legend_top + 2 + swatch / 2
    draw.line((x, middle, x + 2 * swatch, middle), fill=_RATING, width=2)
    draw.ellipse((x + swatch - 4, middle - 4, x + swatch + 4, middle + 4), fill=_RATING)
    text.put(draw, text.line(_LABEL_SIZE, chart.rating_legend, plot_width / 2), x + 2 * swatch + 6, legend_top, _INK)

    left = _MARGIN + _AXIS_GAP
    right = left + plot_width
    scale = _case_scale(chart.cases)

    def rating_y(value: float) -> float:
        return plot_bottom - value / 5 * _PLOT_HEIGHT

    # Grid lines at every rating, numbered on the left; the cases scale on the right.
    for rating in range(6):
        y = rating_y(rating)
        draw.line((left, y, right, y), fill=_GRID if rating else _AXIS, width=1)
        number = text.line(_LABEL_SIZE, str(rating))
        text.put(draw, number, left - 8 - number.advance, y - label_face.ascent / 2 - 1, _MUTED)
    for count in (0, scale // 2, scale):
        y = plot_bottom - count / scale * _PLOT_HEIGHT
        text.put(draw, text.line(_LABEL_SIZE, str(count)), right + 8, y - label_face.ascent / 2 - 1, _MUTED)

    slot = plot_width / days
    bar = max(2.0, slot * 0.6)
    points: list[tuple[float, float] | None] = []
    for index, (label, rating_value, cases) in enumerate(zip(chart.labels, chart.ratings, chart.cases, strict=True)):
        centre = left + slot * (index + 0.5)
        if cases:
            top = plot_bottom - cases / scale * _PLOT_HEIGHT
            draw.rectangle((centre - bar / 2, top, centre + bar / 2, plot_bottom - 1), fill=_BARS)
        if label:
            tile = text.line(_LABEL_SIZE, label, max(slot * 3, 40))
            text.put(draw, tile, centre - tile.advance / 2, plot_bottom + 6, _MUTED)
        points.append((centre, rating_y(rating_value)) if rating_value is not None else None)

    # The rating line joins neighbouring days that both have feedback; every day with feedback gets its dot.
    for before, after in itertools.pairwise(points):
        if before is not None and after is not None:
            draw.line((*before, *after), fill=_RATING, width=2)
    radius = 3.5 if slot < 30 else 4.5
    for point in points:
        if point is not None:
            cx, cy = point
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=_RATING)

    if footer is not None:
        text.put(draw, footer, _MARGIN, plot_bottom + label_face.pitch + _GAP + 4, _MUTED)
    return image
