"""The weekly staff rota as a PNG table, for uploading to Slack as a file.

Block Kit has no tables, and a week of shifts for a few dozen people reads far better as a picture. The image is
drawn with Pillow alone and only with the font Pillow bundles (`ImageFont.load_default(size=...)`, a subset of
Aileron Regular): the Docker image and CI have no system fonts, and a font path that exists on one machine and not
on another would make the output machine-dependent.

That bundled subset covers printable ASCII and a little punctuation (`…`, `·`, curly quotes) but no accented
letters and no en or em dashes, which Italian rotas need: "Giovedì", shifts written with an en dash. Missing
characters are therefore never handed to FreeType (it would draw its "missing glyph" box); they are composed from
glyphs the font does have: a base letter with the font's spacing accent placed above it, a dash as a stretched
hyphen, otherwise a close ASCII spelling, and "?" only for what has no Latin spelling at all.

The same table always gives the same bytes: nothing random or time-dependent is drawn and Pillow writes no
timestamp chunk into the PNG.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.rendering.image_text import LOCK as _LOCK
from bot.rendering.image_text import MAX_LINE_CHARS as _MAX_LINE_CHARS
from bot.rendering.image_text import Face as _Face
from bot.rendering.image_text import Tile as _Tile
from bot.rendering.image_text import face as _face
from bot.rendering.image_text import line as _line
from bot.rendering.image_text import put as _put

MAX_ROWS = 200
MAX_DAY_COLUMNS = 14
MAX_LINES_PER_CELL = 6  # more would make one row taller than a screen; the last kept line ends with "…"

# Drawn at 1:1. A double-density image would be crisper on high-density screens, but it has four times the pixels
# and PNG encoding (Pillow tries every row filter on every row) dominates: about 0.23 s instead of 0.07 s for a
# week of 40 people.
_MARGIN = 20
_TITLE_SIZE = 20
_BODY_SIZE = 14
_FOOTER_SIZE = 12
_TITLE_GAP = 12
_FOOTER_GAP = 10
_PAD_X = 12
_PAD_Y = 8
_GRID = 1
# Text widths inside a cell: names may be long, a day cell normally holds a shift like "07:00-15:00".
_NAME_WIDTH = (40, 200)
_DAY_WIDTH = (56, 150)
_MIN_TEXT_WIDTH = 480  # a title or footer is never cut shorter than this, even over a narrow table

# FreeType faces are not safe to share between threads and the glyph caches in `image_text` are plain dicts, shared
# with the charts: one picture at a time, under that module's lock.

_RGB = tuple[int, int, int]
_PAPER: _RGB = (255, 255, 255)
_INK: _RGB = (17, 24, 39)
_MUTED: _RGB = (107, 114, 128)
_HEADER_FILL: _RGB = (31, 41, 55)
_HEADER_INK: _RGB = (249, 250, 251)
_HEADER_GRID: _RGB = (75, 85, 99)
_TODAY_HEADER_FILL: _RGB = (37, 99, 235)
_STRIPES: tuple[_RGB, _RGB] = ((255, 255, 255), (243, 244, 246))
_TODAY_STRIPES: tuple[_RGB, _RGB] = ((232, 240, 254), (219, 231, 253))
_GRID_INK: _RGB = (209, 213, 219)


@dataclass(frozen=True, slots=True)
class RotaTable:
    title: str  # e.g. "Rota · 30 Nov to 6 Dec 2026"
    columns: tuple[str, ...]  # header row: the names column's header, then one per day
    rows: tuple[tuple[str, ...], ...]  # a name, then one cell per day; "\n" separates lines, "" is an empty cell
    highlight_column: int | None = None  # index into columns of "today", drawn with a tinted background
    footer: str = ""  # small text under the table, e.g. the time zone note


def render_rota_png(table: RotaTable) -> bytes:
    """The table as an RGB PNG; ValueError for a table too big to be a rota or with ragged rows."""
    _check(table)
    with _LOCK:
        image = _draw(table)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _check(table: RotaTable) -> None:
    if not table.columns:
        raise ValueError("a rota needs at least the names column")
    if len(table.columns) - 1 > MAX_DAY_COLUMNS:
        raise ValueError(f"a rota has at most {MAX_DAY_COLUMNS} day columns, not {len(table.columns) - 1}")
    if len(table.rows) > MAX_ROWS:
        raise ValueError(f"a rota has at most {MAX_ROWS} rows, not {len(table.rows)}")
    for number, row in enumerate(table.rows, start=1):
        if len(row) != len(table.columns):
            raise ValueError(f"row {number} has {len(row)} cells for {len(table.columns)} columns")
    column = table.highlight_column
    if column is not None and not 0 <= column < len(table.columns):
        raise ValueError(f"highlight_column {column} is not a column index (0 to {len(table.columns) - 1})")


# --- Text: the bundled font and the glyphs it lacks live in `bot.rendering.image_text`, shared with charts ---------


def _lines(text: str, size: int, max_width: float, max_lines: int) -> list[_Tile]:
    # NFC first, so a letter typed as base plus combining accent is looked up as the single accented letter.
    raw = [line[:_MAX_LINE_CHARS] for line in unicodedata.normalize("NFC", text).splitlines()] or [""]
    if len(raw) > max_lines:
        raw = [*raw[: max_lines - 1], raw[max_lines - 1].rstrip() + " \u2026"]
    return [_line(size, line, max_width) for line in raw]


# --- Layout -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    lines: list[_Tile]

    @property
    def width(self) -> float:
        return max(line.advance for line in self.lines)


def _draw(table: RotaTable) -> Image.Image:
    title_face, body, footer_face = _face(_TITLE_SIZE), _face(_BODY_SIZE), _face(_FOOTER_SIZE)
    bounds = [_NAME_WIDTH, *([_DAY_WIDTH] * (len(table.columns) - 1))]
    header = [_Cell(_lines(text, _BODY_SIZE, bounds[i][1], MAX_LINES_PER_CELL)) for i, text in enumerate(table.columns)]
    # An empty rota still shows one blank row under the header, so it reads as a table with nobody on it.
    rows = table.rows or (("",) * len(table.columns),)
    cells = [
        [_Cell(_lines(text, _BODY_SIZE, bounds[i][1], MAX_LINES_PER_CELL)) for i, text in enumerate(row)]
        for row in rows
    ]

    # Each width and height includes one grid line, at the column's left or the row's top edge.
    widths = [
        math.ceil(max(low, *(row[i].width for row in [header, *cells]))) + 2 * _PAD_X + _GRID
        for i, (low, _) in enumerate(bounds)
    ]
    heights = [max(len(cell.lines) for cell in row) * body.pitch + 2 * _PAD_Y + _GRID for row in [header, *cells]]
    table_width, table_height = sum(widths) + _GRID, sum(heights) + _GRID

    text_width = max(table_width, _MIN_TEXT_WIDTH)
    title = _lines(" ".join(table.title.splitlines()), _TITLE_SIZE, text_width, 1) if table.title else []
    footer = _lines(table.footer, _FOOTER_SIZE, text_width, 3) if table.footer else []
    content_width = max([table_width, *(math.ceil(line.advance) for line in [*title, *footer])])
    title_height = len(title) * title_face.pitch + (_TITLE_GAP if title else 0)
    footer_height = len(footer) * footer_face.pitch + (_FOOTER_GAP if footer else 0)

    image = Image.new(
        "RGB", (content_width + 2 * _MARGIN, title_height + table_height + footer_height + 2 * _MARGIN), _PAPER
    )
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(title):
        _put(draw, line, _MARGIN, _MARGIN + number * title_face.pitch + _centred(title_face), _INK)

    left, top = _MARGIN, _MARGIN + title_height
    xs = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [top + sum(heights[:i]) for i in range(len(heights) + 1)]
    today = table.highlight_column
    for r, row in enumerate([header, *cells]):
        for c, cell in enumerate(row):
            if r == 0:
                fill, ink = (_TODAY_HEADER_FILL if c == today else _HEADER_FILL), _HEADER_INK
            else:
                fill, ink = (_TODAY_STRIPES if c == today else _STRIPES)[(r - 1) % 2], _INK
            draw.rectangle((xs[c], ys[r], xs[c + 1] - 1, ys[r + 1] - 1), fill=fill)
            # Lines are centred in the row, so a one-line name sits level with a two-line shift beside it.
            y = ys[r] + _GRID + (heights[r] - _GRID - len(cell.lines) * body.pitch) // 2 + _centred(body)
            for line in cell.lines:
                x: float = xs[c] + _GRID + _PAD_X
                if c > 0:  # day cells are centred; names read best flush left
                    x += (widths[c] - _GRID - 2 * _PAD_X - line.advance) / 2
                _put(draw, line, x, y, ink)
                y += body.pitch

    # Grid last, over the fills: light in the body, a shade of the header colour inside the header.
    bottom, right = ys[-1], xs[-1]
    for y in ys[1:]:
        draw.rectangle((left, y, right + _GRID - 1, y + _GRID - 1), fill=_GRID_INK)
    for x in xs:
        draw.rectangle((x, ys[1], x + _GRID - 1, bottom + _GRID - 1), fill=_GRID_INK)
        draw.rectangle((x, top, x + _GRID - 1, ys[1] - 1), fill=_HEADER_GRID)

    y = bottom + _GRID + _FOOTER_GAP
    for line in footer:
        _put(draw, line, _MARGIN, y + _centred(footer_face), _MUTED)
        y += footer_face.pitch
    return image


def _centred(face: _Face) -> int:
    """Offset from the top of a line's pitch to the pen, centring the ascent and descent in it."""
    return (face.pitch - face.ascent - face.descent) // 2
