"""Documents without Slack: `/ops doc …` and the template spec parsed (English and Italian, any text a request or a
`ParseError`), a form's values checked field by field, template names in both languages, numbers as people write
them, the Markdown file escaping whatever was typed, and every built-in template's words in both catalogs."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.documents import (
    BUILTIN_TEMPLATES,
    Document,
    FieldDraft,
    FieldErrors,
    FieldKind,
    FieldValue,
    builtin_named,
    clean_number,
    custom_template,
    summary_of,
    validate,
)
from bot.domain.errors import InvalidRequest
from bot.domain.ids import TeamId, UserId
from bot.domain.language import LANGUAGES
from bot.i18n import read_catalog, translator
from bot.parsing import documents as parse
from bot.parsing.errors import ParseError
from bot.rendering import documents as render

BY = UserId("U0GIULIA1")


# ---- commands --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", parse.ShowTemplates()),
        ("templates", parse.ShowTemplates()),
        ("modelli", parse.ShowTemplates()),
        ("new", parse.ShowTemplates()),
        ("new handover", parse.NewDocument("handover")),
        ("nuovo consegna turno", parse.NewDocument("consegna turno")),
        ('new "Delivery check"', parse.NewDocument("Delivery check")),
        ("list", parse.ListDocuments()),
        ("elenco verbale", parse.ListDocuments("verbale")),
        ("show 7", parse.ShowDocument(7)),
        ("mostra #7", parse.ShowDocument(7)),
        ("7", parse.ShowDocument(7)),
        ("pdf 7", parse.DownloadDocument(7, "pdf")),
        ("md 12", parse.DownloadDocument(12, "md")),
        ("markdown #3", parse.DownloadDocument(3, "md")),
        ("search walk-in fridge", parse.SearchDocuments("walk-in fridge")),
        ("cerca frigo", parse.SearchDocuments("frigo")),
        ('template remove "Delivery check"', parse.RemoveTemplate("Delivery check")),
        ("modello rimuovi Controllo consegna", parse.RemoveTemplate("Controllo consegna")),
    ],
)
def test_commands(text: str, expected: parse.DocCommand) -> None:
    assert parse.parse_doc_command(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("show seven", "doc.error.number_needed"),
        ("show 0", "doc.error.number_needed"),
        ("pdf", "doc.error.number_needed"),
        ("search", "doc.error.no_words"),
        ("frobnicate", "doc.error.unknown"),
        ("template explode x", "doc.error.template_verb"),
        ("template remove", "doc.error.template_name_needed"),
    ],
)
def test_commands_refused_with_a_reason(text: str, key: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse.parse_doc_command(text)
    assert raised.value.message.key == key


@pytest.mark.parametrize(
    ("text", "name", "fields"),
    [
        (
            '"Delivery check" fields: supplier, items (long), checked by (person), notes (long, optional)',
            "Delivery check",
            (
                FieldDraft("supplier"),
                FieldDraft("items", FieldKind.LONG),
                FieldDraft("checked by", FieldKind.PERSON),
                FieldDraft("notes", FieldKind.LONG, required=False),
            ),
        ),
        # Slack curls the quotes; Italian words; the name before a colon without quotes.
        (
            "\u201cControllo consegna\u201d campi: fornitore, data (data), importo (numero facoltativo)",
            "Controllo consegna",
            (
                FieldDraft("fornitore"),
                FieldDraft("data", FieldKind.DATE),
                FieldDraft("importo", FieldKind.NUMBER, required=False),
            ),
        ),
        (
            "Chef's list: dish; allergens (long)",
            "Chef's list",
            (FieldDraft("dish"), FieldDraft("allergens", FieldKind.LONG)),
        ),
        ("'Chef's list' fields: dish", "Chef", None),
    ],
)
def test_template_specs(text: str, name: str, fields: tuple[FieldDraft, ...] | None) -> None:
    if fields is None:  # a single-quoted name ends at the first apostrophe: the rest is read as fields
        assert parse.parse_template_add(text).name == name
        return
    assert parse.parse_template_add(text) == parse.AddTemplate(name, fields)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('"Delivery check"', "doc.error.no_fields"),
        ("Delivery check", "doc.error.template_spec"),
        ('"X" fields: a (huge)', "doc.error.field_kind"),
        ('"X" fields: (long)', "doc.error.field_without_label"),
    ],
)
def test_template_specs_refused(text: str, key: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse.parse_template_add(text)
    assert raised.value.message.key == key


@given(st.text(max_size=200))
def test_any_command_text_is_a_request_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse.parse_doc_command(text)


@given(st.text(max_size=200))
def test_any_template_spec_is_a_request_or_a_parse_error(text: str) -> None:
    try:
        added = parse.parse_template_add(text)
    except ParseError:
        return
    with contextlib.suppress(InvalidRequest):
        custom_template(added.name, added.fields, BY)


# ---- templates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("handover", "handover"),
        ("Consegna turno", "handover"),
        ("consegne", "handover"),
        ("verbale", "minutes"),
        ("promemoria", "memo"),
        ("Rapporto incidente", "incident"),
        ("ordine fornitore", "order"),
        ("lettera cliente", "letter"),
        ("letter to customer", "letter"),
    ],
)
def test_builtin_templates_have_english_and_italian_names(typed: str, key: str) -> None:
    found = builtin_named(typed)
    assert found is not None
    assert found.key == key


def test_every_builtin_template_has_its_words_in_both_languages() -> None:
    for language in LANGUAGES:
        catalog = read_catalog(language)
        for template in BUILTIN_TEMPLATES:
            assert f"doc.template.{template.key}" in catalog
            for spec in template.fields:
                assert f"doc.field.{template.key}.{spec.key}" in catalog, (language, template.key, spec.key)
                assert f"doc.hint.{template.key}.{spec.key}" in catalog, (language, template.key, spec.key)


def test_a_workspace_template_cannot_take_a_builtin_name_or_repeat_a_field() -> None:
    with pytest.raises(InvalidRequest) as builtin:
        custom_template("Verbale", [FieldDraft("a")], BY)
    assert builtin.value.message.key == "doc.error.template_builtin"
    with pytest.raises(InvalidRequest) as twice:
        custom_template("Check", [FieldDraft("Items"), FieldDraft("items!")], BY)
    assert twice.value.message.key == "doc.error.field_twice"
    with pytest.raises(InvalidRequest):
        custom_template("12", [FieldDraft("a")], BY)
    template = custom_template(
        "  Delivery   check ", [FieldDraft("checked by", FieldKind.PERSON), FieldDraft("supplier")], BY
    )
    assert (template.key, template.name, template.title_field) == ("delivery-check", "Delivery check", "supplier")
    assert [spec.key for spec in template.fields] == ["checked-by", "supplier"]


# ---- values ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("12,50", Decimal("12.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("€ 184,50", Decimal("184.50")),
        ("-3", Decimal("-3")),
        ("twelve", None),
        ("NaN", None),
        ("Infinity", None),
        ("", None),
    ],
)
def test_numbers_as_people_write_them(typed: str, expected: Decimal | None) -> None:
    assert clean_number(typed) == expected


def test_a_form_is_checked_field_by_field() -> None:
    order = builtin_named("order")
    assert order is not None
    with pytest.raises(FieldErrors) as raised:
        validate(order, {"supplier": "  ", "delivery": "2026-02-30", "items": "x" * 3001, "total": "lots"}, {})
    assert {key: msg.key for key, msg in raised.value.errors.items()} == {
        "supplier": "doc.error.required",
        "delivery": "doc.error.date",
        "items": "doc.error.too_long",
        "total": "doc.error.number",
    }
    values = validate(
        order,
        {"supplier": " Caseificio   Rossi ", "items": "\n12 x mozzarella\r\n4 x ricotta\n", "total": "1.234,5"},
        {},
    )
    assert [(value.key, value.value) for value in values] == [
        ("supplier", "Caseificio Rossi"),
        ("delivery", ""),
        ("items", "12 x mozzarella\n4 x ricotta"),
        ("total", "1234.5"),
        ("notes", ""),
    ]
    assert summary_of(order, values) == "Caseificio Rossi"


def test_a_person_is_kept_with_their_name() -> None:
    handover = builtin_named("handover")
    assert handover is not None
    entries = {"date": "2026-12-03", "shift": "sera", "open": "ghiaccio", "handed_to": "U0MARIA01"}
    values = validate(handover, entries, {"U0MARIA01": "Maria Rossi"})
    person = next(value for value in values if value.key == "handed_to")
    assert person == FieldValue("handed_to", FieldKind.PERSON, "U0MARIA01", "", "Maria Rossi")
    with pytest.raises(FieldErrors):
        validate(handover, {**entries, "handed_to": "<script>"}, {})


# ---- files -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        ("*not bold* _nor this_", "\\*not bold\\* \\_nor this\\_"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("a | b `c` <b>", "a \\| b \\`c\\` \\<b\\>"),
        ("R&D", "R&amp;D"),
        ("più caffè, € 3", "più caffè, € 3"),
        ("a\n  - b", "a\n  \\- b"),
    ],
)
def test_markdown_escapes_what_was_typed(typed: str, escaped: str) -> None:
    assert render.escape_markdown(typed) == escaped


def test_markdown_and_pdf_of_a_letter() -> None:
    letter = builtin_named("lettera")
    assert letter is not None
    values = validate(
        letter,
        {"customer": "Anna *Neri*", "subject": "Il suo ordine", "body": "Gentile signora,\n# grazie!\nCordiali saluti"},
        {},
    )
    document = Document(
        1,
        TeamId("T1"),
        4,
        "letter",
        "",
        True,
        False,
        summary_of(letter, values),
        values,
        "it",
        BY,
        "giulia",
        datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
    )
    words = translator().bind("it")
    markdown = render.document_markdown(words, document, ZoneInfo("Europe/Rome"))
    assert markdown.splitlines()[:3] == [
        "# Lettera al cliente #4 \u2014 Il suo ordine",
        "",
        "_Scritto da giulia il lunedì 30 novembre 2026 alle 09:00_",
    ]
    assert "- **Cliente:** Anna \\*Neri\\*" in markdown
    assert "## Lettera\n\nGentile signora,  \n\\# grazie!  \nCordiali saluti\n" in markdown
    pdf = render.document_pdf(words, document, ZoneInfo("Europe/Rome"))
    assert pdf.startswith(b"%PDF")
    assert render.filename(words, document, "pdf") == "doc-4-lettera-al-cliente.pdf"


def test_the_most_templates_a_workspace_can_have_fit_in_one_message() -> None:
    from bot.domain.documents import BUILTIN_TEMPLATES, MAX_CUSTOM_TEMPLATES, TemplateChoice

    own = tuple(
        custom_template(f"Template number {n} with a long name", [FieldDraft("a")], BY)
        for n in range(MAX_CUSTOM_TEMPLATES)
    )
    reply = render.templates_reply(translator().bind("en"), TemplateChoice(BUILTIN_TEMPLATES, own))
    assert len(reply.blocks) <= 50
    buttons = [block["accessory"]["action_id"] for block in reply.blocks if block.get("accessory")]
    assert len(buttons) == len(set(buttons)) == len(BUILTIN_TEMPLATES) + MAX_CUSTOM_TEMPLATES
