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
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

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
_LEADING = 1.3  # line pitch as a multiple of the font size
# Text widths inside a cell: names may be long, a day cell normally holds a shift like "07:00-15:00".
_NAME_WIDTH = (40, 200)
_DAY_WIDTH = (56, 150)
_MIN_TEXT_WIDTH = 480  # a title or footer is never cut shorter than this, even over a narrow table
_MAX_LINE_CHARS = 300  # longer lines are cut before measuring (and before caching); no cell is that wide anyway

# FreeType faces are not safe to share between threads (free-threaded Python has no GIL to serialise them), and
# the glyph caches below are plain dicts: one rendering at a time.
_LOCK = threading.Lock()

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


# --- Text: the bundled font, and what to draw for the characters it lacks ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Tile:
    """Coverage ("L" mask) of some ink, placed relative to a pen position at the top of the line's ascent."""

    mask: Image.Image
    left: int
    top: int
    advance: float  # how far the pen moves after it


_Unit = str | _Tile  # one character the font has, or a glyph composed for one it lacks

_NOTDEF_PROBE = "\ue000"  # private use: no font maps it, so it shows what a missing glyph looks like
_GRAVE, _ACUTE, _DIAERESIS = "\u0300", "\u0301", "\u0308"
_DASH_WIDTHS = {"\u2012": 0.5, "\u2013": 0.5, "\u2212": 0.5, "\u2014": 1.0, "\u2015": 1.0}  # in ems
# Letters and signs with no decomposition into a base letter, spelled the way people write them in ASCII.
_SPELLINGS = {
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u0131": "i",
    "\u20ac": "EUR",
    "\u00d7": "x",
    "\u2010": "-",
    "\u2011": "-",
    "\u2022": "\u00b7",
    "\u2192": "->",
    "\u2190": "<-",
    "\u201e": "\u201c",
    "\u201a": "\u2018",
    "\u2032": "'",
    "\u2033": '"',
}


class _Face:
    """One size of the bundled font: which characters it can draw, and stand-ins for the rest."""

    def __init__(self, size: int) -> None:
        font = ImageFont.load_default(size=size)
        if not isinstance(font, ImageFont.FreeTypeFont):  # only a Pillow built without FreeType gets here
            raise RuntimeError("the rota image needs Pillow with FreeType support")
        self.font = font
        self.size = size
        self.ascent, self.descent = font.getmetrics()
        self.pitch = round(size * _LEADING)
        self._units: dict[str, tuple[_Unit, ...]] = {}
        self._covered: dict[str, bool] = {}
        self._notdef = self._fingerprint(_NOTDEF_PROBE)
        self.ellipsis = self.units("\u2026")

    def _ink(self, text: str) -> _Tile | None:
        """The text rasterised and cropped to its ink; None when it leaves no ink (a space)."""
        pad = self.size
        advance = self.font.getlength(text)
        canvas = Image.new("L", (math.ceil(advance) + 2 * pad, self.ascent + self.descent + 2 * pad))
        ImageDraw.Draw(canvas).text((pad, pad), text, font=self.font, fill=255)
        box = canvas.getbbox()
        if box is None:
            return None
        return _Tile(canvas.crop(box), box[0] - pad, box[1] - pad, advance)

    def _fingerprint(self, char: str) -> tuple[object, ...]:
        tile = self._ink(char)
        if tile is None:
            return (None, self.font.getlength(char))
        return (tile.left, tile.top, tile.mask.size, tile.mask.tobytes(), tile.advance)

    def covers(self, char: str) -> bool:
        # Pillow has no API for the font's character map, but FreeType draws glyph 0, the "missing" box, for a
        # character the font lacks: a character whose drawing is that box is not in the font.
        covered = self._covered.get(char)
        if covered is None:
            covered = self._covered[char] = self._fingerprint(char) != self._notdef
        return covered

    def units(self, char: str) -> tuple[_Unit, ...]:
        """What to draw for one character: itself if the font has it, else a composed glyph or a spelling."""
        units = self._units.get(char)
        if units is None:
            units = self._units[char] = self._stand_in(char)
        return units

    def _stand_in(self, char: str) -> tuple[_Unit, ...]:
        if self.covers(char):
            return (char,)
        category = unicodedata.category(char)
        if category == "Zs" or char == "\t":  # no-break and thin spaces; Babel puts U+202F inside times
            return (" ",)
        if category in ("Cc", "Cf", "Mn", "Me"):  # invisible: controls, joiners, soft hyphens, stray accents
            return ()
        if char in _DASH_WIDTHS:
            return (self._dash(_DASH_WIDTHS[char]),)
        if char in _SPELLINGS:
            return tuple(unit for part in _SPELLINGS[char] for unit in self.units(part))
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        if marks and self.covers(base):
            for mark in marks:
                accented = self._accented(base, mark)
                if accented is not None:
                    return (accented,)
            return (base,)  # an accent the font cannot imitate: the bare letter still reads right
        compatible = unicodedata.normalize("NFKD", char)  # full-width letters, superscripts, ligatures, fractions
        if compatible != char:
            return tuple(unit for part in compatible for unit in self.units(part))
        return ("?",)  # no Latin spelling (another script, an emoji): the font cannot show it at all

    def _dash(self, ems: float) -> _Tile:
        """An en or em dash: the hyphen's stroke stretched, keeping the hyphen's side bearings and weight."""
        hyphen = self._ink("-")
        assert hyphen is not None  # ASCII, always in the bundled font
        advance = round(ems * self.size)
        bearing = max(hyphen.left, 0)
        width = max(advance - 2 * bearing, 1)
        middle = hyphen.mask.width // 2
        stroke = hyphen.mask.crop((middle, 0, middle + 1, hyphen.mask.height))
        return _Tile(stroke.resize((width, hyphen.mask.height), Image.Resampling.NEAREST), bearing, hyphen.top, advance)

    def _accented(self, base: str, mark: str) -> _Tile | None:
        """The base letter with an accent above it, built from the font's own spacing accents."""
        accent = self._accent(mark)
        letter = self._ink(base)
        if accent is None or letter is None:
            return None
        if base in "ij":  # the accent replaces the dot, as in a real "ì"
            letter = self._without_dot(letter)
        gap = max(1, round(self.size * 0.06))
        left = letter.left + (letter.mask.width - accent.mask.width) // 2
        top = letter.top - gap - accent.mask.height
        box_left, box_top = min(left, letter.left), top
        width = max(left + accent.mask.width, letter.left + letter.mask.width) - box_left
        height = letter.top + letter.mask.height - box_top
        mask = Image.new("L", (width, height))
        mask.paste(letter.mask, (letter.left - box_left, letter.top - box_top))
        mask.paste(accent.mask, (left - box_left, top - box_top))
        return _Tile(mask, box_left, box_top, letter.advance)

    def _accent(self, mark: str) -> _Tile | None:
        if mark == _GRAVE:
            return self._ink("`")
        if mark == _ACUTE:
            return self._ink("\u00b4") if self.covers("\u00b4") else None
        if mark == _DIAERESIS:
            dot = self._ink(".")
            if dot is None:
                return None
            gap = max(1, round(dot.mask.width * 0.8))
            pair = Image.new("L", (2 * dot.mask.width + gap, dot.mask.height))
            pair.paste(dot.mask, (0, 0))
            pair.paste(dot.mask, (dot.mask.width + gap, 0))
            return _Tile(pair, 0, 0, 0.0)
        return None

    @staticmethod
    def _without_dot(letter: _Tile) -> _Tile:
        """The letter with its first band of ink (the dot) cleared, if an empty row separates it from the stem."""
        mask = letter.mask
        rows = [mask.crop((0, y, mask.width, y + 1)).getbbox() is not None for y in range(mask.height)]
        if False not in rows:
            return letter
        stem = rows.index(False)
        while stem < len(rows) and not rows[stem]:
            stem += 1
        return _Tile(mask.crop((0, stem, mask.width, mask.height)), letter.left, letter.top + stem, letter.advance)


@cache
def _face(size: int) -> _Face:
    return _Face(size)


def _advance(face: _Face, units: Sequence[_Unit]) -> float:
    # The bundled font has no legacy kerning table, so a run's length is the sum of its characters' advances.
    return sum(face.font.getlength(unit) if isinstance(unit, str) else unit.advance for unit in units)


@lru_cache(maxsize=1024)  # a rota repeats the same few shifts and roles in every row
def _line(size: int, text: str, max_width: float) -> _Tile:
    """One line of text as a mask, cut to fit max_width with a trailing "…"."""
    face = _face(size)
    units = [unit for char in text for unit in face.units(char)]
    if _advance(face, units) > max_width:
        room = max_width - _advance(face, face.ellipsis)
        pen, keep = 0.0, 0
        for unit in units:
            pen += _advance(face, (unit,))
            if pen > room:
                break
            keep += 1
        while keep and units[keep - 1] == " ":
            keep -= 1
        units = [*units[:keep], *face.ellipsis]
    # Room around the pen for ink outside the advance box: negative side bearings, accents above capitals.
    pad = face.size // 2
    width = _advance(face, units)
    mask = Image.new("L", (math.ceil(width) + 2 * pad, face.ascent + face.descent + 2 * pad))
    draw = ImageDraw.Draw(mask)
    pen, run = 0.0, ""
    for item in [*units, None]:  # None flushes the last run
        if isinstance(item, str):
            run += item
            continue
        if run:
            draw.text((pad + pen, pad), run, font=face.font, fill=255)
            pen += face.font.getlength(run)
            run = ""
        if item is not None:
            draw.bitmap((pad + round(pen) + item.left, pad + item.top), item.mask, fill=255)
            pen += item.advance
    return _Tile(mask, -pad, -pad, width)


def _lines(text: str, size: int, max_width: float, max_lines: int) -> list[_Tile]:
    # NFC first, so a letter typed as base plus combining accent is looked up as the single accented letter.
    raw = [line[:_MAX_LINE_CHARS] for line in unicodedata.normalize("NFC", text).splitlines()] or [""]
    if len(raw) > max_lines:
        raw = [*raw[: max_lines - 1], raw[max_lines - 1].rstrip() + " \u2026"]
    return [_line(size, line, max_width) for line in raw]


def _put(draw: ImageDraw.ImageDraw, tile: _Tile, x: float, y: int, fill: _RGB) -> None:
    draw.bitmap((round(x) + tile.left, y + tile.top), tile.mask, fill=fill)


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
