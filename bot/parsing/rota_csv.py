"""A shift rota sent as a CSV file → typed rows, plus one precise complaint for each row that cannot be read.

The file is a table with a header row naming its columns, in English or Italian, in any order and any case:

=========  ====================================================================  ==========
column     names accepted in the header                                          required
=========  ====================================================================  ==========
date       date, data, day, giorno                                               yes
start      start, inizio, from, dalle (also "start time", "ora inizio")          yes ¹
end        end, fine, to, alle (also "end time", "ora fine")                     yes ¹
person     person, persona, name, nome, staff, who, chi, email, user, utente…    yes
role       role, ruolo, position, mansione, reparto                              no
=========  ====================================================================  ==========

¹ Instead of start and end, one column time/orario/hours/shift/turno may hold the range: `7:00-15:00`,
`7-15`, `7am-3pm`, `dalle 7 alle 15`. Start and end columns win when both forms are present.

When two columns name the same thing the better one is used: `date` over `day` (a rota often has a "Day"
column with "Monday" next to the real date), and for the person a Slack id column (`user`) over `email` over
`person`/`staff`/`who` over `name`; an empty cell in the preferred person column falls back to the next one.
A hint in brackets is ignored (`Date (dd/mm/yyyy)`), and so are other columns (notes, hours worked…).

Reading rules:

- Encoding: UTF-8, with or without a BOM (Excel's "CSV UTF-8"); UTF-16 with a BOM (Excel's "Unicode text");
  otherwise Windows-1252, which is what Excel on Windows writes for plain "CSV" and is a superset of the
  printable Latin-1 range, so "è" and "€" survive. Bytes that fit none of these, NUL bytes, and Excel
  workbooks (.xlsx, a zip) are refused as a whole.
- Delimiter: comma, semicolon (Italian Excel) or tab, whichever the header line (outside quotes) has most of.
  Fields follow the usual CSV quoting, so `"Rossi, Maria"` is one cell.
- Dates are ISO (`2026-12-04`) or day first (`04/12/2026`, `4/12/26`, `04.12.2026`, `04-12-2026`): an American
  month-first date is read the European way, or refused when the "month" is over 12.
- Times: `7`, `7:00`, `07:00`, `7.00`, `07:00:00`, `7am`, `3pm`, `15:30`. `24:00` as an end is 23:59. An end at or
  before the start is kept as written: the shift runs past midnight and the caller decides what that means.
- The role is lower-cased with its spaces collapsed; the person is kept as written (trimmed) for the caller
  to resolve (`<@U0MARIA01>`, `U0MARIA01`, `maria@example.com`, `Maria Rossi`, `@maria`).

Line numbers are physical lines of the file (the header is line 1), so they match what a spreadsheet or text
editor shows; blank lines are skipped but counted. A problem with the whole file (size, encoding, header)
raises `ParseError`; a problem with one row becomes a `RotaRowError` and the other rows are still returned.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import Enum

from bot.domain.messages import Msg
from bot.parsing.errors import ParseError

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
MAX_ROLE_LENGTH = 40
MAX_PERSON_LENGTH = 80
MAX_QUOTED = 40  # a cell echoed back in an error message is cut to this many characters
EXAMPLE = "rota.example.csv"


@dataclass(frozen=True, slots=True)
class RotaRow:
    line: int  # physical line number in the file, header is line 1
    person: str  # as written, stripped
    day: date
    start: time
    end: time  # as given; end <= start means the shift runs past midnight
    role: str  # lower-cased, spaces collapsed; "" when the column is missing or empty


@dataclass(frozen=True, slots=True)
class RotaRowError:
    line: int
    message: Msg

    def describe(self) -> Msg:
        """The problem with its line number, ready to show: "Line 4: I couldn't read “31/02/2026” as a date."."""
        return Msg.of("rota.row_error", line=self.line, problem=self.message)


@dataclass(frozen=True, slots=True)
class RotaFile:
    rows: tuple[RotaRow, ...]
    errors: tuple[RotaRowError, ...]


# ---- columns -----------------------------------------------------------------------------------------------------


class Column(Enum):
    DATE = "date"
    START = "start"
    END = "end"
    TIME = "time"
    PERSON = "person"
    ROLE = "role"


# Header names per column, best first: when two columns of a file name the same thing, the better name wins.
_ALIASES: dict[Column, tuple[str, ...]] = {
    Column.DATE: ("date", "data", "shift date", "data turno", "day", "giorno"),
    Column.START: ("start", "inizio", "start time", "ora inizio", "orario inizio", "from", "dalle"),
    Column.END: ("end", "fine", "end time", "ora fine", "orario fine", "to", "alle"),
    Column.TIME: ("time", "orario", "hours", "ore", "shift", "turno"),
    Column.PERSON: (
        "user",
        "utente",
        "slack",
        "email",
        "e-mail",
        "mail",
        "person",
        "persona",
        "staff",
        "employee",
        "dipendente",
        "who",
        "chi",
        "name",
        "nome",
    ),
    Column.ROLE: ("role", "ruolo", "position", "mansione", "reparto"),
}
_RANK: dict[str, tuple[Column, int]] = {
    name: (column, rank) for column, names in _ALIASES.items() for rank, name in enumerate(names)
}
# The order in which missing columns are named, and the words naming them.
_COLUMN_WORDS: dict[Column, str] = {
    Column.DATE: "rota.column.date",
    Column.START: "rota.column.start",
    Column.END: "rota.column.end",
    Column.PERSON: "rota.column.person",
}


_HINT = re.compile(r"[(\[][^)\]]*[)\]]")  # "Date (dd/mm/yyyy)", "Start [hh:mm]"


def _header_name(cell: str) -> str:
    name = _HINT.sub(" ", cell.replace("\ufeff", "")).replace("_", " ").strip().strip(":*").strip()
    return " ".join(name.lower().split())


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which cell of a row holds what; `time` is used only when there are no start and end columns."""

    width: int
    date: int
    person: tuple[int, ...]  # best first; the first non-empty one is the person
    start: int | None
    end: int | None
    time: int | None
    role: int | None

    @property
    def required(self) -> int:
        """How many cells a row needs to reach every required column."""
        used = [self.date, *self.person, self.start, self.end, self.time]
        return max(index for index in used if index is not None) + 1


def _layout(header: Sequence[str]) -> _Layout:
    found: dict[Column, list[tuple[int, int]]] = {}
    for index, cell in enumerate(header):
        known = _RANK.get(_header_name(cell))
        if known is not None:
            column, rank = known
            found.setdefault(column, []).append((rank, index))
    best = {column: [index for _, index in sorted(places)] for column, places in found.items()}
    has_range = Column.START in best and Column.END in best
    missing = [column for column in (Column.DATE, Column.PERSON) if column not in best]
    if not has_range and Column.TIME not in best:
        missing += [column for column in (Column.START, Column.END) if column not in best]
    if missing:
        missing.sort(key=list(_COLUMN_WORDS).index)
        if not best and header and _read_date(header[0]) is not None:
            raise ParseError(Msg.of("rota.error.no_header"), example=Msg.of(EXAMPLE))
        raise ParseError(
            Msg.of(
                "rota.error.missing_columns",
                missing=_listing([Msg.of(_COLUMN_WORDS[column]) for column in missing]),
                found=_quoted(", ".join(cell.strip() for cell in header if cell.strip()), limit=120),
            ),
            example=Msg.of(EXAMPLE),
        )
    return _Layout(
        width=len(header),
        date=best[Column.DATE][0],
        person=tuple(best[Column.PERSON]),
        start=best[Column.START][0] if has_range else None,
        end=best[Column.END][0] if has_range else None,
        time=None if has_range else best[Column.TIME][0],
        role=best[Column.ROLE][0] if Column.ROLE in best else None,
    )


def _listing(items: Sequence[Msg]) -> Msg:
    """`date`, `date and person`, `date, start and person`, in the reader's language."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return Msg.of("rota.list.two", first=items[0], second=items[1])
    return Msg.of("rota.list.more", first=items[0], rest=_listing(items[1:]))


def _quoted(text: str, *, limit: int = MAX_QUOTED) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- dates and times ---------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$")
_DAY_FIRST = re.compile(r"^(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})$")
_CLOCK = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?::(?P<s>00))?)?\s*(?:(?P<ap>[ap])\.?\s*m\.?)?$", re.IGNORECASE
)
_RANGE = re.compile(
    r"^(?:from\s+|dalle\s+|da\s+)?(?P<a>[^\s\u2013\u2014-].*?)"
    r"(?:\s*[-\u2013\u2014]\s*|\s+(?:to|until|till|alle|a)\s+)(?P<b>.+)$",
    re.IGNORECASE,
)


def _read_date(text: str) -> date | None:
    text = text.strip()
    match = _ISO_DATE.match(text) or _DAY_FIRST.match(text)
    if match is None:
        return None
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += 2000
    try:
        return date(year, int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def _read_time(text: str, *, is_end: bool) -> time | None:
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    hour, minute, meridiem = int(match["h"]), int(match["m"] or 0), (match["ap"] or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    if is_end and hour == 24 and minute == 0:
        return time(23, 59)  # "until 24:00" is the end of the day
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


# ---- the file ----------------------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    """The text of the file; see the module docstring for the encodings accepted and why."""
    if content.startswith(b"PK\x03\x04"):
        raise ParseError(Msg.of("rota.error.spreadsheet"), example=Msg.of(EXAMPLE))
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError(Msg.of("rota.error.encoding"), example=Msg.of(EXAMPLE)) from None
    if b"\x00" in content:
        raise ParseError(Msg.of("rota.error.encoding"), example=Msg.of(EXAMPLE))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if content.startswith(codecs.BOM_UTF8):  # it says it is UTF-8, so another reading would be a guess
            raise ParseError(Msg.of("rota.error.encoding"), example=Msg.of(EXAMPLE)) from None
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise ParseError(Msg.of("rota.error.encoding"), example=Msg.of(EXAMPLE)) from None


def _delimiter(header_line: str) -> str:
    """The delimiter the header line uses most outside quotes; a comma when it has none."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    if best == 0:
        return ","
    return next(char for char in ("\t", ";", ",") if counts[char] == best)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for each record, blank lines included as empty lists."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error:
        raise ParseError(Msg.of("rota.error.malformed", line=line), example=Msg.of(EXAMPLE)) from None


def parse_rota_csv(content: bytes) -> RotaFile:
    """Every shift of a rota file, and a reason for each row that could not be read.

    Raises `ParseError` (with the `rota.example.csv` example) when the file as a whole cannot be used.
    """
    if len(content) > MAX_BYTES:
        raise ParseError(Msg.of("rota.error.too_big", most=MAX_BYTES // 1000), example=Msg.of(EXAMPLE))
    text = _decode(content)
    if not text.strip():
        raise ParseError(Msg.of("rota.error.empty"), example=Msg.of(EXAMPLE))
    first_line = next(line for line in io.StringIO(text, newline="") if line.strip())
    records = _records(text, _delimiter(first_line))
    layout: _Layout | None = None
    rows: list[RotaRow] = []
    errors: list[RotaRowError] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if layout is None:
            layout = _layout(cells)
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ParseError(Msg.of("rota.error.too_many_rows", most=MAX_ROWS), example=Msg.of(EXAMPLE))
        read = _row(line, cells, layout)
        if isinstance(read, RotaRow):
            rows.append(read)
        else:
            errors.append(RotaRowError(line, read))
    if not rows and not errors:
        raise ParseError(Msg.of("rota.error.no_rows"), example=Msg.of(EXAMPLE))
    return RotaFile(tuple(rows), tuple(errors))


def _row(line: int, cells: list[str], layout: _Layout) -> RotaRow | Msg:
    """One data row, or what is wrong with it (the first problem found, reading left to right in the rules)."""
    extra = [cell for cell in cells[layout.width :] if cell.strip()]
    if extra:
        return Msg.of("rota.error.too_many_columns", found=layout.width + len(extra), expected=layout.width)
    if len(cells) < layout.required:
        return Msg.of("rota.error.too_few_columns", found=len(cells), expected=layout.width)

    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    date_text = cell(layout.date)
    if not date_text:
        return Msg.of("rota.error.missing_date")
    day = _read_date(date_text)
    if day is None:
        return Msg.of("rota.error.bad_date", text=_quoted(date_text))

    if layout.time is not None:
        span = cell(layout.time)
        if not span:
            return Msg.of("rota.error.missing_time")
        match = _RANGE.match(span)
        if match is None:
            return Msg.of("rota.error.bad_range", text=_quoted(span))
        start_text, end_text = match["a"].strip(), match["b"].strip()
    else:
        start_text, end_text = cell(layout.start), cell(layout.end)
        if not start_text or not end_text:
            return Msg.of("rota.error.missing_time")
    start = _read_time(start_text, is_end=False)
    if start is None:
        return Msg.of("rota.error.bad_time", text=_quoted(start_text))
    end = _read_time(end_text, is_end=True)
    if end is None:
        return Msg.of("rota.error.bad_time", text=_quoted(end_text))
    if start == end:
        return Msg.of("rota.error.same_times", time=start.strftime("%H:%M"))

    person = next((value for value in (cell(index) for index in layout.person) if value), "")
    if not person:
        return Msg.of("rota.error.missing_person")
    if len(person) > MAX_PERSON_LENGTH or "\n" in person or "\r" in person:
        return Msg.of("rota.error.bad_person", text=_quoted(person), most=MAX_PERSON_LENGTH)

    role = " ".join(cell(layout.role).lower().split())
    if len(role) > MAX_ROLE_LENGTH:
        return Msg.of("rota.error.role_too_long", most=MAX_ROLE_LENGTH)
    return RotaRow(line=line, person=person, day=day, start=start, end=end, role=role)
