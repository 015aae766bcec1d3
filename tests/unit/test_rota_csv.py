"""Rota CSV files as Excel, LibreOffice and people write them: delimiters, languages, encodings, and bad rows."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.language import LANGUAGES, Language
from bot.domain.messages import Msg
from bot.i18n import read_catalog, translator
from bot.parsing.errors import ParseError
from bot.parsing.rota_csv import (
    MAX_BYTES,
    MAX_ROLE_LENGTH,
    MAX_ROWS,
    RotaFile,
    RotaRow,
    RotaRowError,
    parse_rota_csv,
)

DEC_4 = date(2026, 12, 4)
DEC_5 = date(2026, 12, 5)
GOOD = [
    ["date", "start", "end", "person", "role"],
    ["2026-12-04", "7:00", "15:00", "<@U0MARIA01>", "Kitchen"],
    ["2026-12-04", "15:00", "23:00", "luca@example.com", "bar"],
    ["2026-12-05", "9:30", "13:00", "Sam Taylor", ""],
]
GOOD_ROWS = (
    RotaRow(2, "<@U0MARIA01>", DEC_4, time(7), time(15), "kitchen"),
    RotaRow(3, "luca@example.com", DEC_4, time(15), time(23), "bar"),
    RotaRow(4, "Sam Taylor", DEC_5, time(9, 30), time(13), ""),
)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def one_row(header: str, row: str) -> RotaFile:
    return parse_rota_csv(f"{header}\n{row}\n".encode())


def only_row(header: str, row: str) -> RotaRow:
    parsed = one_row(header, row)
    assert parsed.errors == ()
    [found] = parsed.rows
    return found


def only_error(header: str, row: str) -> Msg:
    parsed = one_row(header, row)
    assert parsed.rows == ()
    [error] = parsed.errors
    return error.message


def whole_file_error(content: bytes) -> Msg:
    with pytest.raises(ParseError) as raised:
        parse_rota_csv(content)
    assert raised.value.example == Msg.of("rota.example.csv")
    return raised.value.message


# ---- good files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_good_file_with_each_delimiter(delimiter: str, newline: str) -> None:
    text = newline.join(delimiter.join(cells) for cells in GOOD) + newline
    assert parse_rota_csv(text.encode()) == RotaFile(GOOD_ROWS, ())


def test_italian_headers_semicolons_and_day_first_dates() -> None:
    text = (
        "Data;Inizio;Fine;Nome;Ruolo\n"
        "04/12/2026;7:00;15:00;Maria Rossi;Cucina\n"
        "4/12/2026;15.00;23.00;@luca;Sala  Principale\n"
        "05.12.2026;7;13;U0SAM0001;\n"
    )
    assert parse_rota_csv(text.encode()).rows == (
        RotaRow(2, "Maria Rossi", DEC_4, time(7), time(15), "cucina"),
        RotaRow(3, "@luca", DEC_4, time(15), time(23), "sala principale"),
        RotaRow(4, "U0SAM0001", DEC_5, time(7), time(13), ""),
    )


@pytest.mark.parametrize(
    "header",
    [
        "date,start,end,person",
        "DATE,START,END,PERSON",
        "Giorno,Dalle,Alle,Chi",
        "day,from,to,staff",
        "data,inizio,fine,utente",
        "Date,Start time,End time,Email",
        "person,end,start,date",  # any order
        '"date","start","end","who"',
    ],
)
def test_header_names_in_english_or_italian_any_case_any_order(header: str) -> None:
    values = {"date": "2026-12-04", "start": "7:00", "end": "15:00"}
    columns = ["date", "start", "end", "person"]
    if header.startswith("person"):
        columns = ["person", "end", "start", "date"]
    row = ",".join(values.get(column, "Maria") for column in columns)
    assert only_row(header, row) == RotaRow(2, "Maria", DEC_4, time(7), time(15), "")


def test_quoted_fields_keep_their_commas_and_quotes() -> None:
    text = (
        "date,start,end,person,role\n"
        '2026-12-04,7:00,15:00,"Rossi, Maria","Kitchen, pastry"\n'
        '2026-12-04,15:00,23:00,"Luca ""the boss"" Verdi",bar\n'
    )
    assert [(row.person, row.role) for row in parse_rota_csv(text.encode()).rows] == [
        ("Rossi, Maria", "kitchen, pastry"),
        ('Luca "the boss" Verdi', "bar"),
    ]


def test_a_multi_line_cell_in_another_column_keeps_line_numbers_physical() -> None:
    text = (
        "date,start,end,person,notes\n"
        '2026-12-04,7:00,15:00,Maria,"bring keys\nand the float"\n'
        "2026-12-04,15:00,15:00,Luca,\n"
    )
    parsed = parse_rota_csv(text.encode())
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.errors == (RotaRowError(4, Msg.of("rota.error.same_times", time="15:00")),)


def test_blank_lines_are_skipped_but_counted_and_trailing_empty_cells_are_fine() -> None:
    text = "\n\ndate,start,end,person\n\n2026-12-04,7:00,15:00,Maria,,  ,\n   \n,,,\n2026-12-05,8,12,Luca\n\n"
    parsed = parse_rota_csv(text.encode())
    assert parsed.errors == ()
    assert [(row.line, row.person) for row in parsed.rows] == [(5, "Maria"), (8, "Luca")]


def test_unknown_columns_are_ignored() -> None:
    row = only_row("Notes,Date,Start,End,Person,Hours worked", "late one,2026-12-04,7,15,Maria,8")
    assert (row.person, row.start, row.end) == ("Maria", time(7), time(15))


def test_date_wins_over_a_day_of_the_week_column() -> None:
    assert only_row("Day,Date,Start,End,Name", "Friday,04/12/2026,7,15,Maria").day == DEC_4


def test_person_prefers_the_slack_id_then_falls_back_to_another_person_column() -> None:
    header = "date,start,end,name,email,user"
    assert only_row(header, "2026-12-04,7,15,Maria Rossi,maria@example.com,U0MARIA01").person == "U0MARIA01"
    assert only_row(header, "2026-12-04,7,15,Maria Rossi,maria@example.com,").person == "maria@example.com"
    assert only_row(header, "2026-12-04,7,15,Maria Rossi,,").person == "Maria Rossi"
    assert only_error(header, "2026-12-04,7,15,,,") == Msg.of("rota.error.missing_person")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04", DEC_4),
        ("2026/12/04", DEC_4),
        ("04/12/2026", DEC_4),
        ("4/12/2026", DEC_4),
        ("04.12.2026", DEC_4),
        ("04-12-2026", DEC_4),
        ("4/12/26", DEC_4),
        (" 04/12/2026 ", DEC_4),
        ("29/02/2028", date(2028, 2, 29)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert only_row("date,start,end,person", f"{text},7,15,Maria").day == expected


@pytest.mark.parametrize("text", ["31/02/2026", "12/13/2026", "2026-13-01", "04/12", "Friday", "04/12-2026", "45291"])
def test_unreadable_dates(text: str) -> None:
    assert only_error("date,start,end,person", f"{text},7,15,Maria") == Msg.of("rota.error.bad_date", text=text)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("7:00", "15:00", (time(7), time(15))),
        ("07:00", "15:30", (time(7), time(15, 30))),
        ("7.00", "15.30", (time(7), time(15, 30))),
        ("7", "15", (time(7), time(15))),
        ("7am", "3pm", (time(7), time(15))),
        ("7 AM", "3 P.M.", (time(7), time(15))),
        ("12am", "12pm", (time(0), time(12))),
        ("07:00:00", "15:00:00", (time(7), time(15))),
        ("16:00", "24:00", (time(16), time(23, 59))),
    ],
)
def test_times(start: str, end: str, expected: tuple[time, time]) -> None:
    row = only_row("date,start,end,person", f"2026-12-04,{start},{end},Maria")
    assert (row.start, row.end) == expected


@pytest.mark.parametrize(
    ("start", "end", "bad"),
    [("7:60", "15", "7:60"), ("25", "3", "25"), ("13pm", "15", "13pm"), ("24:00", "8", "24:00"), ("7", "noon", "noon")],
)
def test_unreadable_times(start: str, end: str, bad: str) -> None:
    message = only_error("date,start,end,person", f"2026-12-04,{start},{end},Maria")
    assert message == Msg.of("rota.error.bad_time", text=bad)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("7:00-15:00", (time(7), time(15))),
        ("7-15", (time(7), time(15))),
        ("7:00 - 15:30", (time(7), time(15, 30))),
        ("7:00\u201315:00", (time(7), time(15))),
        ("7am-3pm", (time(7), time(15))),
        ("dalle 7 alle 15", (time(7), time(15))),
        ("from 9 to 17", (time(9), time(17))),
        ("22:00-6:00", (time(22), time(6))),
    ],
)
def test_time_range_column(span: str, expected: tuple[time, time]) -> None:
    for header in ("date,time,person", "data,orario,persona", "day,shift,name", "giorno,turno,nome", "date,hours,who"):
        row = only_row(header, f"2026-12-04,{span},Maria")
        assert (row.start, row.end) == expected


def test_time_range_errors() -> None:
    assert only_error("date,shift,person", "2026-12-04,morning,Maria") == Msg.of("rota.error.bad_range", text="morning")
    assert only_error("date,shift,person", "2026-12-04,7-late,Maria") == Msg.of("rota.error.bad_time", text="late")
    assert only_error("date,shift,person", "2026-12-04,,Maria") == Msg.of("rota.error.missing_time")


def test_start_and_end_columns_win_over_a_time_column() -> None:
    row = only_row("date,start,end,shift,person", "2026-12-04,7,15,morning,Maria")
    assert (row.start, row.end) == (time(7), time(15))


def test_overnight_shift_is_kept_as_given() -> None:
    row = only_row("date,start,end,person", "2026-12-04,22:00,06:00,Maria")
    assert (row.day, row.start, row.end) == (DEC_4, time(22), time(6))
    midnight = only_row("date,start,end,person", "2026-12-04,18:00,0:00,Maria")
    assert midnight.end == time(0)


def test_role_is_lower_cased_collapsed_and_limited() -> None:
    assert only_row("date,start,end,person,role", "2026-12-04,7,15,Maria,  Front   OF House ").role == "front of house"
    assert only_row("date,start,end,person", "2026-12-04,7,15,Maria").role == ""
    long_role = "x" * (MAX_ROLE_LENGTH + 1)
    assert only_error("date,start,end,person,role", f"2026-12-04,7,15,Maria,{long_role}") == Msg.of(
        "rota.error.role_too_long", most=MAX_ROLE_LENGTH
    )
    assert only_row("date,start,end,person,role", f"2026-12-04,7,15,Maria,{'x' * MAX_ROLE_LENGTH}").role


# ---- bad rows among good ones ------------------------------------------------------------------------------------


def test_one_bad_row_among_good_rows() -> None:
    text = (
        "date,start,end,person,role\n"
        "2026-12-04,7:00,15:00,Maria,kitchen\n"
        "31/02/2026,7:00,15:00,Luca,bar\n"
        "2026-12-05,9:00,13:00,Sam,\n"
    )
    parsed = parse_rota_csv(text.encode())
    assert [(row.line, row.person) for row in parsed.rows] == [(2, "Maria"), (4, "Sam")]
    assert parsed.errors == (RotaRowError(3, Msg.of("rota.error.bad_date", text="31/02/2026")),)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2026-12-04,7,15,Rossi,Maria,kitchen", Msg.of("rota.error.too_many_columns", found=6, expected=5)),
        ("2026-12-04,7,15", Msg.of("rota.error.too_few_columns", found=3, expected=5)),
        (",7,15,Maria,", Msg.of("rota.error.missing_date")),
        ("2026-12-04,,15,Maria,", Msg.of("rota.error.missing_time")),
        ("2026-12-04,7,,Maria,", Msg.of("rota.error.missing_time")),
        ("2026-12-04,7,15,  ,bar", Msg.of("rota.error.missing_person")),
        ("2026-12-04,7:00,7,Maria,", Msg.of("rota.error.same_times", time="07:00")),
        ("2026-12-04,7,15," + "M" * 81 + ",", Msg.of("rota.error.bad_person", text="M" * 39 + "…", most=80)),
    ],
)
def test_each_row_problem_has_its_own_reason(row: str, expected: Msg) -> None:
    parsed = one_row("date,start,end,person,role", row)
    assert parsed.errors == (RotaRowError(2, expected),)


def test_a_file_of_only_bad_rows_is_returned_not_raised() -> None:
    parsed = parse_rota_csv(b"date,start,end,person\nsoon,7,15,Maria\n2026-12-04,7,15,\n")
    assert parsed.rows == ()
    assert [error.line for error in parsed.errors] == [2, 3]


def test_row_error_describes_itself_with_its_line() -> None:
    error = RotaRowError(7, Msg.of("rota.error.missing_date"))
    assert translator().msg("en", error.describe()) == "Line 7: The date is missing."
    assert translator().msg("it", error.describe()) == "Riga 7: Manca la data."


# ---- encodings ---------------------------------------------------------------------------------------------------

ACCENTED = "data;inizio;fine;persona;ruolo\n04/12/2026;7;15;Niccolò Ferré;pâtisserie €\n"


def test_utf8_bom_is_accepted() -> None:
    [row] = parse_rota_csv(codecs.BOM_UTF8 + ACCENTED.encode()).rows
    assert (row.person, row.role) == ("Niccolò Ferré", "pâtisserie €")


def test_windows_1252_is_the_fallback_for_excel_on_windows() -> None:
    [row] = parse_rota_csv(ACCENTED.encode("cp1252")).rows
    assert (row.person, row.role) == ("Niccolò Ferré", "pâtisserie €")


def test_utf16_with_bom_from_excel_unicode_text() -> None:
    [row] = parse_rota_csv(ACCENTED.replace(";", "\t").encode("utf-16")).rows
    assert row.person == "Niccolò Ferré"


@pytest.mark.parametrize(
    "content",
    [
        b"date,start,end,person\n2026-12-04,7,15,Mar\x81a\n",  # undefined in Windows-1252 and not UTF-8
        codecs.BOM_UTF8 + b"date,start,end,person\n2026-12-04,7,15,Mar\xe8a\n",  # says UTF-8, is not
        b"date,start,end,person\x00\n",
    ],
)
def test_bytes_that_are_not_text_are_refused(content: bytes) -> None:
    assert whole_file_error(content) == Msg.of("rota.error.encoding")


def test_an_excel_workbook_is_refused_with_a_hint() -> None:
    assert whole_file_error(b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml") == Msg.of("rota.error.spreadsheet")


# ---- whole-file problems -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\r\n"])
def test_empty_file(content: bytes) -> None:
    assert whole_file_error(content) == Msg.of("rota.error.empty")


def test_header_without_rows() -> None:
    assert whole_file_error(b"date,start,end,person\n\n,,,\n") == Msg.of("rota.error.no_rows")


def test_too_big() -> None:
    content = b"date,start,end,person\n" + b"2026-12-04,7,15,Maria\n" * (MAX_BYTES // 20)
    assert len(content) > MAX_BYTES
    assert whole_file_error(content) == Msg.of("rota.error.too_big", most=MAX_BYTES // 1000)


def test_at_most_max_rows() -> None:
    header = b"date,start,end,person\n"
    assert len(parse_rota_csv(header + b"2026-12-04,7,15,Maria\n" * MAX_ROWS).rows) == MAX_ROWS
    bad_rows = b"soon,7,15,Maria\n" * (MAX_ROWS + 1)  # bad rows count too
    assert whole_file_error(header + bad_rows) == Msg.of("rota.error.too_many_rows", most=MAX_ROWS)


def _missing(*names: str) -> Msg:
    words = [Msg.of(f"rota.column.{name}") for name in names]
    if len(words) == 1:
        return words[0]
    listed = Msg.of("rota.list.two", first=words[-2], second=words[-1])
    for word in reversed(words[:-2]):
        listed = Msg.of("rota.list.more", first=word, rest=listed)
    return listed


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("start,end,person", ("date",)),
        ("date,start,end,role", ("person",)),
        ("date,start,person", ("end",)),
        ("date,person", ("start", "end")),
        ("notes,role", ("date", "start", "end", "person")),
        ("date,start,end,person", ()),
    ],
)
def test_header_missing_a_required_column_says_which(header: str, missing: tuple[str, ...]) -> None:
    content = f"{header}\n2026-12-04,7,15,Maria\n".encode()
    if not missing:
        assert parse_rota_csv(content).rows
        return
    found = ", ".join(header.split(","))
    assert whole_file_error(content) == Msg.of("rota.error.missing_columns", missing=_missing(*missing), found=found)


def test_missing_columns_in_the_readers_language() -> None:
    message = whole_file_error(b"notes,role\nx,y\n")
    assert "date, start, end and person" in translator().msg("en", message)
    assert "data, inizio, fine e persona" in translator().msg("it", message)


def test_a_file_without_a_header_row_is_told_so() -> None:
    assert whole_file_error(b"2026-12-04,7,15,Maria\n2026-12-05,7,15,Luca\n") == Msg.of("rota.error.no_header")


def test_delimiter_is_sniffed_outside_quotes_and_header_hints_are_ignored() -> None:
    # Commas inside a quoted header cell do not outvote the semicolons.
    parsed = parse_rota_csv(b'"Date (dd/mm/yyyy, day first)";Start [hh:mm];End;Person\n04/12/2026;7,00;15;Maria\n')
    assert parsed.errors == (RotaRowError(2, Msg.of("rota.error.bad_time", text="7,00")),)
    parsed = parse_rota_csv(b'date;start;end;"Person (name, or email)"\n04/12/2026;7;15;Maria\n')
    assert parsed.errors == ()


def test_a_quote_left_open_to_the_end_of_a_huge_file_is_a_whole_file_error() -> None:
    content = b'date,start,end,person\n2026-12-04,7,15,"Maria\n' + b"2026-12-05,7,15,Luca\n" * 8000
    assert whole_file_error(content) == Msg.of("rota.error.malformed", line=2)


def test_the_example_parses() -> None:
    for language in LANGUAGES:
        example = translator().text(language, "rota.example.csv")
        assert example.startswith("```\n")
        assert example.endswith("\n```")
        parsed = parse_rota_csv(example.strip("`\n").encode())
        assert parsed.errors == ()
        assert len(parsed.rows) == 3
        assert parsed.rows[2].end < parsed.rows[2].start  # the example shows an overnight shift


# ---- every message renders in both languages ---------------------------------------------------------------------

ROW_CASES = [
    ("date,start,end,person,role", "2026-12-04,7,15,Rossi,Maria,kitchen"),
    ("date,start,end,person,role", "2026-12-04,7"),
    ("date,start,end,person,role", ",7,15,Maria,"),
    ("date,start,end,person,role", "31/02/2026,7,15,Maria,"),
    ("date,start,end,person,role", "2026-12-04,,15,Maria,"),
    ("date,start,end,person,role", "2026-12-04,7:61,15,Maria,"),
    ("date,shift,person,role", "2026-12-04,morning,Maria,"),
    ("date,start,end,person,role", "2026-12-04,7,7,Maria,"),
    ("date,start,end,person,role", "2026-12-04,7,15,,"),
    ("date,start,end,person,role", "2026-12-04,7,15," + "M" * 90 + ","),
    ("date,start,end,person,role", "2026-12-04,7,15,Maria," + "r" * 41),
]
FILE_CASES = [
    b"",
    b"\x81",
    b"PK\x03\x04",
    b"date,start,end,person\n",
    b"2026-12-04,7,15,Maria\n",
    b"notes,role\nx,y\n",
    b"date,person\nx,y\n",
    b"date,start,end,person\n" + b"x,7,15,M\n" * (MAX_ROWS + 1),
    b"x" * (MAX_BYTES + 1),
    b'date,start,end,person\n2026-12-04,7,15,"' + b"x" * 200_000,
]


def _produced_messages() -> Iterator[Msg]:
    for header, row in ROW_CASES:
        for error in one_row(header, row).errors:
            yield error.message
            yield error.describe()
    for content in FILE_CASES:
        with pytest.raises(ParseError) as raised:
            parse_rota_csv(content)
        yield raised.value.message
        assert raised.value.example is not None
        yield raised.value.example


def _keys(message: Msg) -> Iterator[str]:
    yield message.key
    for value in message.params.values():
        if isinstance(value, Msg):
            yield from _keys(value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_rota_message_renders_without_a_missing_placeholder(language: Language) -> None:
    produced = list(_produced_messages())
    for message in produced:
        text = translator().msg(language, message)
        assert "{" not in text, (message.key, text)
        assert "rota." not in text, (message.key, text)
    # Every rota entry of the catalog is one the parser can produce, so this test covers them all.
    used = {key for message in produced for key in _keys(message)}
    assert {key for key in read_catalog(language) if key.startswith("rota.")} == used


def test_italian_messages_are_not_english() -> None:
    for message in _produced_messages():
        if message.key.startswith("rota.error."):
            assert translator().msg("it", message) != translator().msg("en", message), message.key


# ---- never a crash -----------------------------------------------------------------------------------------------


def _parsed_or_refused(content: bytes) -> RotaFile | None:
    refusal: ParseError | None = None
    try:
        return parse_rota_csv(content)
    except ParseError as error:
        refusal = error
    assert refusal.message.key.startswith("rota.error.")
    assert refusal.example == Msg.of("rota.example.csv")
    return None


_CELLS = st.sampled_from(["2026-12-04", "04/12/2026", "7", "7:00", "3pm", "24:00", "Maria", "", " ", '"', "a,b", "x"])


@settings(max_examples=200, deadline=None)
@given(
    header=st.lists(st.sampled_from(["date", "data", "start", "end", "time", "person", "role", "x", ""]), max_size=6),
    rows=st.lists(st.lists(_CELLS | st.text(max_size=8), max_size=7), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_any_table_gives_rows_errors_or_a_parse_error(header: list[str], rows: list[list[str]], delimiter: str) -> None:
    text = "\n".join(delimiter.join(cells) for cells in [header, *rows])
    parsed = _parsed_or_refused(text.encode())
    if parsed is not None:
        assert all(row.line >= 2 for row in parsed.rows)
        assert all(error.message.key.startswith("rota.error.") for error in parsed.errors)


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_parse_error(content: bytes) -> None:
    _parsed_or_refused(content)
