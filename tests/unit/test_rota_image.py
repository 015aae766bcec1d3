"""The rota PNG: a real image whose size, colours and text follow the table, the same bytes every time, and bounded."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageChops

from bot.rendering.rota_image import MAX_DAY_COLUMNS, MAX_LINES_PER_CELL, MAX_ROWS, RotaTable, render_rota_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAYS = ("", "Mon 30", "Tue 1", "Wed 2", "Thu 3", "Fri 4", "Sat 5", "Sun 6")
RGB = tuple[int, int, int]


def week(*rows: tuple[str, ...], highlight: int | None = None, title: str = "Rota", footer: str = "") -> RotaTable:
    return RotaTable(title=title, columns=DAYS, rows=rows, highlight_column=highlight, footer=footer)


def person(name: str, cell: str = "07:00\u201315:00") -> tuple[str, ...]:
    return (name, *([cell] * (len(DAYS) - 1)))


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def pixel(image: Image.Image, x: int, y: int) -> RGB:
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return (value[0], value[1], value[2])


def vertical_runs(image: Image.Image, x: int) -> list[RGB]:
    """The colours met going down the column of pixels at x, each run of equal pixels once."""
    runs: list[RGB] = []
    for y in range(image.height):
        colour = pixel(image, x, y)
        if not runs or runs[-1] != colour:
            runs.append(colour)
    return runs


def png_chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], len(PNG_SIGNATURE)
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        types.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def test_the_output_is_an_rgb_png() -> None:
    png = render_rota_png(week(person("Anna"), person("Luca")))

    assert png.startswith(PNG_SIGNATURE)
    image = decode(png)
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.width > 400
    assert image.height > 100


def test_more_rows_make_a_taller_image_of_the_same_width() -> None:
    sizes = [decode(render_rota_png(week(*(person(f"P{i}") for i in range(n))))).size for n in (1, 2, 10)]

    assert sizes[0][0] == sizes[1][0] == sizes[2][0]
    assert sizes[0][1] < sizes[1][1] < sizes[2][1]
    # Every single-line row has the same height.
    assert sizes[2][1] - sizes[1][1] == 8 * (sizes[1][1] - sizes[0][1])


def test_a_multi_line_cell_makes_its_row_taller() -> None:
    one_line = decode(render_rota_png(week(person("Anna"), person("Luca"))))
    two_lines = decode(render_rota_png(week(person("Anna"), person("Luca", "07:00\u201315:00\nkitchen"))))
    three_lines = decode(render_rota_png(week(person("Anna"), person("Luca", "07:00\u201315:00\nkitchen\nclose"))))

    assert one_line.height < two_lines.height < three_lines.height
    assert three_lines.height - two_lines.height == two_lines.height - one_line.height  # one line pitch each


def test_a_cell_has_at_most_a_fixed_number_of_lines() -> None:
    capped = "\n".join(f"line {i}" for i in range(MAX_LINES_PER_CELL))
    excess = "\n".join(f"line {i}" for i in range(MAX_LINES_PER_CELL * 10))

    at_cap = decode(render_rota_png(week(person("Anna", capped))))
    over_cap = decode(render_rota_png(week(person("Anna", excess))))

    assert over_cap.size == at_cap.size


def test_long_text_is_cut_to_a_maximum_column_width() -> None:
    short = decode(render_rota_png(week(person("Anna"))))
    long = decode(render_rota_png(week(person("Anna Maria " * 30))))
    longer = decode(render_rota_png(week(person("Anna Maria " * 60))))

    assert short.width < long.width
    assert long.width == longer.width
    assert long.width < short.width + 400


def test_the_header_is_dark_and_body_rows_alternate_stripes() -> None:
    # One column only, so a line down the middle of the image crosses no vertical grid line and no text.
    table = RotaTable(title="", columns=("",), rows=(("",), ("",), ("",)))
    image = decode(render_rota_png(table))

    paper, header, *body, end = vertical_runs(image, image.width // 2)

    assert paper == end == (255, 255, 255)
    assert sum(header) < 200  # dark
    # Grid line, row, grid line, row, ...: the rows alternate two light colours.
    rows = body[1::2]
    assert len(rows) == 3
    assert rows[0] == rows[2] != rows[1]
    assert all(sum(colour) > 600 for colour in rows)
    assert body[0::2] == [body[0]] * 4  # the same thin grid colour between all of them


def test_the_header_text_is_light_on_the_dark_header() -> None:
    blank = decode(render_rota_png(RotaTable(title="", columns=("",), rows=(("",),))))
    named = decode(render_rota_png(RotaTable(title="", columns=("NAMES",), rows=(("",),))))

    box = ImageChops.difference(blank, named).getbbox()
    assert box is not None
    text = named.crop(box)
    brightest = max(sum(pixel(text, x, y)) for x in range(text.width) for y in range(text.height))
    background = sum(pixel(blank, box[0], box[1]))
    assert background < 200
    assert brightest > 600


def test_the_highlighted_column_has_a_tinted_background() -> None:
    rows = (("",) * len(DAYS), ("",) * len(DAYS))
    plain = decode(render_rota_png(week(*rows)))
    today = decode(render_rota_png(week(*rows, highlight=4)))
    assert plain.size == today.size

    box = ImageChops.difference(plain, today).getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert right - left < plain.width / 4  # one column, header to last row
    assert bottom - top > plain.height / 3

    inside, outside = (left + right) // 2, left - 4  # outside: the neighbouring column, same row
    for y in (top + 3, (top + bottom) // 2, bottom - 3):  # the header, a middle row, the last row
        assert pixel(plain, inside, y) == pixel(plain, outside, y)
        assert pixel(today, inside, y) != pixel(today, outside, y)
        assert pixel(today, outside, y) == pixel(plain, outside, y)


def test_italian_accents_are_drawn_as_small_marks_over_the_letters() -> None:
    accented = decode(render_rota_png(week(person("Niccol\u00f2", "Gioved\u00ec \u00e0 \u00e8 \u00e9 \u00f9"))))
    bare = decode(render_rota_png(week(person("Niccolo", "Giovedi a e e u"))))
    assert accented.size == bare.size  # each accented letter is exactly as wide as its letter: none was dropped

    marks = ImageChops.difference(bare, accented)
    box = marks.getbbox()
    assert box is not None
    differing_rows = [y for y in range(marks.height) if marks.crop((0, y, marks.width, y + 1)).getbbox()]
    # Only a thin band differs, the accents: a letter replaced by a missing-glyph box or a "?" would differ over
    # its whole height.
    assert 0 < len(differing_rows) <= 6
    assert differing_rows[-1] - differing_rows[0] == len(differing_rows) - 1
    # ...in the name column and in every day column.
    assert box[2] - box[0] > accented.width * 0.7


def test_en_and_em_dashes_are_drawn_wider_than_a_hyphen() -> None:
    def ink_width(cell: str) -> int:
        blank = decode(render_rota_png(week(person("", ""))))
        drawn = decode(render_rota_png(week(person("", cell))))
        box = ImageChops.difference(blank, drawn.crop((0, 0, blank.width, blank.height))).getbbox()
        assert box is not None
        return box[2] - box[0]

    hyphen, en, em = (ink_width(dash) for dash in ("-", "\u2013", "\u2014"))
    assert hyphen < en < em


def test_characters_the_font_lacks_fall_back_without_failing() -> None:
    odd = "Z\u00f6e \u00df \u0153 \u20ac5 \u00a0\u202f \u4e2d\u6587 \U0001f600 \ufb01 \u00bd e\u0301 \u200b\x07"
    image = decode(render_rota_png(week(person(odd, odd), title=odd, footer=odd)))

    assert image.mode == "RGB"
    assert image.height > decode(render_rota_png(week(person("Zoe")))).height  # the footer was drawn


def test_the_same_table_gives_the_same_bytes() -> None:
    def table() -> RotaTable:
        return week(
            person("Niccol\u00f2", "07:00\u201315:00\nkitchen"),
            person("Anna", ""),
            highlight=2,
            title="Rota \u00b7 30 Nov \u2013 6 Dec 2026",
            footer="Times in Europe/Rome",
        )

    first, second = render_rota_png(table()), render_rota_png(table())

    assert first == second
    assert png_chunk_types(first) == [b"IHDR", *([b"IDAT"] * (len(png_chunk_types(first)) - 2)), b"IEND"]


def test_an_empty_rota_renders_the_header_over_one_blank_row() -> None:
    empty = render_rota_png(week())
    one_blank_row = render_rota_png(week(("",) * len(DAYS)))

    assert empty == one_blank_row
    assert decode(empty).height > 60


def test_a_rota_with_only_the_names_column_renders() -> None:
    image = decode(render_rota_png(RotaTable(title="Rota", columns=("Name",), rows=(("Anna",),))))

    assert image.width > 50


def test_the_bounds_are_inclusive() -> None:
    many_rows = RotaTable(title="", columns=("",), rows=tuple((f"P{i}",) for i in range(MAX_ROWS)))
    many_days = RotaTable(title="", columns=("", *(f"D{i}" for i in range(MAX_DAY_COLUMNS))), rows=())

    assert render_rota_png(many_rows).startswith(PNG_SIGNATURE)
    assert render_rota_png(many_days).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (RotaTable(title="", columns=("",), rows=tuple((f"P{i}",) for i in range(MAX_ROWS + 1))), "rows"),
        (RotaTable(title="", columns=("", *(f"D{i}" for i in range(MAX_DAY_COLUMNS + 1))), rows=()), "day columns"),
        (RotaTable(title="", columns=DAYS, rows=(("Anna", "x"),)), "row 1 has 2 cells"),
        (RotaTable(title="", columns=DAYS, rows=(person("Anna"), (*person("Luca"), "extra"))), "row 2 has 9 cells"),
        (RotaTable(title="", columns=DAYS, rows=(), highlight_column=len(DAYS)), "highlight_column"),
        (RotaTable(title="", columns=DAYS, rows=(), highlight_column=-1), "highlight_column"),
        (RotaTable(title="", columns=(), rows=()), "names column"),
    ],
)
def test_tables_out_of_bounds_are_refused(table: RotaTable, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_rota_png(table)
