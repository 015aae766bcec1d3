"""Simple business documents as PDF: a title, headings, paragraphs, label/value fields and tables.

Drawn with fpdf2 and its built-in Helvetica, encoded as Windows-1252: every letter Italian, English and the other
Western European languages use (à è é ì ò ù, ç, ß, €, curly quotes, dashes) is in that encoding, so the PDF needs
no font file, which the Docker image and CI do not have. A character outside it is written as its closest Latin
spelling (an accent dropped, a ligature spelled out) and "?" only when it has none (another script, an emoji):
such text belongs to names and notes, never to the layout.

The same blocks always give the same bytes: the creation date is fixed, so a stored document can be regenerated
and compared.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

_ENCODING = "windows-1252"
_FONT = "helvetica"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # a fixed creation date: identical input, identical file
_MARGIN = 18  # mm
_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_RULE = (206, 212, 218)
_HEADER_FILL = (233, 236, 239)
_MAX_CHARS = 20_000  # per block; anything longer is cut with "…" (a document is typed by a person)
# Signs Windows-1252 lacks that have an everyday spelling.
_SPELLINGS = {"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2192": "->", "\u2190": "<-", "\u2032": "'", "\u2033": '"'}


@dataclass(frozen=True, slots=True)
class Heading:
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Plain text; line breaks are kept."""

    text: str


@dataclass(frozen=True, slots=True)
class Fields:
    """Label and value pairs, one per line, the label in bold."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric_columns: frozenset[int] = field(default_factory=frozenset)  # right-aligned


Block = Heading | Paragraph | Fields | Table


def pdf_document(title: str, blocks: Sequence[Block], *, subtitle: str = "", footer: str = "") -> bytes:
    """An A4 PDF of the blocks, in order, under the title; the footer (and page numbers) at the foot of each page."""
    pdf = _Document(_printable(footer))
    pdf.set_title(_printable(title))
    pdf.set_creation_date(_EPOCH)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_page()
    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, "B", 18)
    pdf.multi_cell(0, 9, _printable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if subtitle:
        pdf.set_font(_FONT, "", 10)
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(0, 5, _printable(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_INK)
    pdf.ln(4)
    for block in blocks:
        match block:
            case Heading(text=text):
                pdf.ln(2)
                pdf.set_font(_FONT, "B", 13)
                pdf.multi_cell(0, 7, _printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(1)
            case Paragraph(text=text):
                pdf.set_font(_FONT, "", 11)
                pdf.multi_cell(0, 5.5, _printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(2)
            case Fields(rows=rows):
                _fields(pdf, rows)
            case Table():
                _table(pdf, block)
    return bytes(pdf.output())


class _Document(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = _ENCODING
        self._footer_text = footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 8)
        self.set_text_color(*_MUTED)
        if self._footer_text:
            self.cell(0, 5, self._footer_text, align=Align.L)
            self.set_x(self.l_margin)
        self.cell(0, 5, str(self.page_no()), align=Align.R)


def _fields(pdf: FPDF, rows: Sequence[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font(_FONT, "B", 11)
        pdf.multi_cell(0, 5.5, _printable(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(_FONT, "", 11)
        pdf.multi_cell(0, 5.5, _printable(value) or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(_FONT, "", 10)
    pdf.set_draw_color(*_RULE)
    alignments = tuple(Align.R if index in table.numeric_columns else Align.L for index in range(len(table.header)))
    with pdf.table(
        text_align=alignments,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEADER_FILL),
        line_height=6,
        padding=1.5,
        first_row_as_headings=True,
    ) as grid:
        for cells in [table.header, *table.rows]:
            row = grid.row()
            for text in cells:
                row.cell(_printable(text))
    pdf.ln(3)


def _printable(text: str) -> str:
    """The text in Windows-1252: NFC first (a letter typed as base plus accent becomes one), then a stand-in for
    each character the encoding lacks."""
    text = unicodedata.normalize("NFC", text)
    if len(text) > _MAX_CHARS:
        text = text[: _MAX_CHARS - 1] + "\u2026"
    try:
        text.encode(_ENCODING)
    except UnicodeEncodeError:
        return "".join(_stand_in(char) for char in text)
    return text


def _stand_in(char: str) -> str:
    try:
        char.encode(_ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return char
    if char in _SPELLINGS:
        return _SPELLINGS[char]
    category = unicodedata.category(char)
    if category.startswith("Z"):
        return " "
    if category in ("Cc", "Cf", "Mn", "Me"):
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        return "".join(_stand_in(part) for part in decomposed)
    return "?"
