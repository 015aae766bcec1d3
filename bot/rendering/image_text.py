"""Text for images drawn with Pillow's bundled font only, accented letters included.

Shared by the rota image and the charts. The font Pillow bundles (`ImageFont.load_default(size=...)`) is the only
font, because the Docker image and CI have no system fonts. It lacks accented letters and en or em dashes, which
Italian needs ("Giovedì", "più"); a missing character is never handed to FreeType (it would draw its "missing
glyph" box) but composed from glyphs the font has: the base letter with the font's spacing accent above it, a dash
as a stretched hyphen, otherwise a close ASCII spelling, and "?" only for what has no Latin spelling at all.

Charts and other pictures use `line` to get one line of text as a mask and `put` to draw it. Drawing is not
thread safe (FreeType faces and the caches here): hold `LOCK` around a whole picture.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

LOCK = threading.Lock()
LEADING = 1.3  # line pitch as a multiple of the font size
MAX_LINE_CHARS = 300

RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Tile:
    """Coverage ("L" mask) of some ink, placed relative to a pen position at the top of the line's ascent."""

    mask: Image.Image
    left: int
    top: int
    advance: float  # how far the pen moves after it


_Unit = str | Tile  # one character the font has, or a glyph composed for one it lacks

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
    "\u2191": "^",
    "\u2193": "v",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2605": "*",
    "\u2032": "'",
    "\u2033": '"',
    "\u201e": "\u201c",
    "\u201a": "\u2018",
}


class Face:
    """One size of the bundled font: which characters it can draw, and stand-ins for the rest."""

    def __init__(self, size: int) -> None:
        font = ImageFont.load_default(size=size)
        if not isinstance(font, ImageFont.FreeTypeFont):  # only a Pillow built without FreeType gets here
            raise RuntimeError("drawing text needs Pillow with FreeType support")
        self.font = font
        self.size = size
        self.ascent, self.descent = font.getmetrics()
        self.pitch = round(size * LEADING)
        self._units: dict[str, tuple[_Unit, ...]] = {}
        self._covered: dict[str, bool] = {}
        self._notdef = self._fingerprint(_NOTDEF_PROBE)
        self.ellipsis = self.units("\u2026")

    def _ink(self, text: str) -> Tile | None:
        """The text rasterised and cropped to its ink; None when it leaves no ink (a space)."""
        pad = self.size
        advance = self.font.getlength(text)
        canvas = Image.new("L", (math.ceil(advance) + 2 * pad, self.ascent + self.descent + 2 * pad))
        ImageDraw.Draw(canvas).text((pad, pad), text, font=self.font, fill=255)
        box = canvas.getbbox()
        if box is None:
            return None
        return Tile(canvas.crop(box), box[0] - pad, box[1] - pad, advance)

    def _fingerprint(self, char: str) -> tuple[object, ...]:
        tile = self._ink(char)
        if tile is None:
            return (None, self.font.getlength(char))
        return (tile.left, tile.top, tile.mask.size, tile.mask.tobytes(), tile.advance)

    def covers(self, char: str) -> bool:
        # FreeType draws glyph 0, the "missing" box, for a character the font lacks.
        covered = self._covered.get(char)
        if covered is None:
            covered = self._covered[char] = self._fingerprint(char) != self._notdef
        return covered

    def units(self, char: str) -> tuple[_Unit, ...]:
        units = self._units.get(char)
        if units is None:
            units = self._units[char] = self._stand_in(char)
        return units

    def _stand_in(self, char: str) -> tuple[_Unit, ...]:
        if self.covers(char):
            return (char,)
        category = unicodedata.category(char)
        if category == "Zs" or char == "\t":
            return (" ",)
        if category in ("Cc", "Cf", "Mn", "Me"):
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
            return (base,)
        compatible = unicodedata.normalize("NFKD", char)
        if compatible != char:
            return tuple(unit for part in compatible for unit in self.units(part))
        return ("?",)

    def _dash(self, ems: float) -> Tile:
        hyphen = self._ink("-")
        assert hyphen is not None  # ASCII, always in the bundled font
        advance = round(ems * self.size)
        bearing = max(hyphen.left, 0)
        width = max(advance - 2 * bearing, 1)
        middle = hyphen.mask.width // 2
        stroke = hyphen.mask.crop((middle, 0, middle + 1, hyphen.mask.height))
        return Tile(stroke.resize((width, hyphen.mask.height), Image.Resampling.NEAREST), bearing, hyphen.top, advance)

    def _accented(self, base: str, mark: str) -> Tile | None:
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
        return Tile(mask, box_left, box_top, letter.advance)

    def _accent(self, mark: str) -> Tile | None:
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
            return Tile(pair, 0, 0, 0.0)
        return None

    @staticmethod
    def _without_dot(letter: Tile) -> Tile:
        mask = letter.mask
        rows = [mask.crop((0, y, mask.width, y + 1)).getbbox() is not None for y in range(mask.height)]
        if False not in rows:
            return letter
        stem = rows.index(False)
        while stem < len(rows) and not rows[stem]:
            stem += 1
        return Tile(mask.crop((0, stem, mask.width, mask.height)), letter.left, letter.top + stem, letter.advance)


@cache
def face(size: int) -> Face:
    return Face(size)


def _advance(font_face: Face, units: Sequence[_Unit]) -> float:
    return sum(font_face.font.getlength(unit) if isinstance(unit, str) else unit.advance for unit in units)


@lru_cache(maxsize=512)
def line(size: int, text: str, max_width: float = 10_000.0) -> Tile:
    """One line of text as a mask, cut to fit `max_width` with a trailing "…"."""
    font_face = face(size)
    text = unicodedata.normalize("NFC", " ".join(text.splitlines()))[:MAX_LINE_CHARS]
    units = [unit for char in text for unit in font_face.units(char)]
    if _advance(font_face, units) > max_width:
        room = max_width - _advance(font_face, font_face.ellipsis)
        pen, keep = 0.0, 0
        for unit in units:
            pen += _advance(font_face, (unit,))
            if pen > room:
                break
            keep += 1
        while keep and units[keep - 1] == " ":
            keep -= 1
        units = [*units[:keep], *font_face.ellipsis]
    pad = font_face.size // 2
    width = _advance(font_face, units)
    mask = Image.new("L", (math.ceil(width) + 2 * pad, font_face.ascent + font_face.descent + 2 * pad))
    draw = ImageDraw.Draw(mask)
    pen, run = 0.0, ""
    for item in [*units, None]:  # None flushes the last run
        if isinstance(item, str):
            run += item
            continue
        if run:
            draw.text((pad + pen, pad), run, font=font_face.font, fill=255)
            pen += font_face.font.getlength(run)
            run = ""
        if item is not None:
            draw.bitmap((pad + round(pen) + item.left, pad + item.top), item.mask, fill=255)
            pen += item.advance
    return Tile(mask, -pad, -pad, width)


def put(draw: ImageDraw.ImageDraw, tile: Tile, x: float, y: float, fill: RGB) -> None:
    """Draw a line with its pen at (x, y): y is the top of the line's ascent."""
    draw.bitmap((round(x) + tile.left, round(y) + tile.top), tile.mask, fill=fill)
