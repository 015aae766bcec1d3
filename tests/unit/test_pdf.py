"""The shared PDF writer: Italian text comes back out of the file as written, and the output is reproducible."""

from __future__ import annotations

import io

import pypdf

from bot.rendering.pdf import Fields, Heading, Paragraph, Table, pdf_document


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_italian_letters_euro_and_dashes_are_written_as_themselves() -> None:
    data = pdf_document(
        "Consegna turno \u2014 Gioved\u00ec",
        [
            Heading("Note"),
            Paragraph("Il frigo \u00e8 pi\u00f9 freddo.\nCosto 12,50 \u20ac \u201cok\u201d"),
            Fields([("Turno", "Mattina")]),
            Table(["Articolo", "Qt\u00e0"], [["Farina", "25 kg"]], frozenset({1})),
        ],
        subtitle="Ristorante Da Maria",
        footer="Ops Assistant",
    )

    text = _text(data)
    for expected in (
        "Consegna turno \u2014 Gioved\u00ec",
        "Ristorante Da Maria",
        "Il frigo \u00e8 pi\u00f9 freddo.",
        "Costo 12,50 \u20ac \u201cok\u201d",
        "Turno",
        "Mattina",
        "Qt\u00e0",
        "Farina 25 kg",
    ):
        assert expected in text
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title == "Consegna turno \u2014 Gioved\u00ec"


def test_characters_outside_the_font_get_a_spelling_not_an_error() -> None:
    # A ligature and a decomposed accent have Latin spellings; another script has none and shows as "?".
    text = _text(pdf_document("Memo", [Paragraph("\ufb01ne, cafe\u0301, \u03a9, \u2212 5")]))

    assert "fine, caf\u00e9, ?, - 5" in text


def test_the_same_document_gives_the_same_bytes() -> None:
    def build() -> bytes:
        return pdf_document("Ordine", [Table(["A", "B"], [["1", "2"]] * 30)], footer="p")

    first = build()
    assert first == build()
    assert first.startswith(b"%PDF-")


def test_a_long_table_runs_onto_more_pages_with_every_row() -> None:
    rows = [[f"Articolo {number}", str(number)] for number in range(120)]
    data = pdf_document("Inventario", [Table(["Articolo", "Quantit\u00e0"], rows, frozenset({1}))])

    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = _text(data)
    assert all(f"Articolo {number} {number}" in text for number in range(120))
