"""Documents in Slack and as files: the templates with their New buttons, a template's form, a document's card
(posted, shown, listed, found) with Download Markdown / Download PDF buttons, and the two files.

A built-in template's name and field labels come from the catalogs; a workspace's own template's are as typed.
Dates read the way the reader's language writes them ("Thursday, December 3, 2026", "Giovedì 3 dicembre 2026"),
numbers too ("1,234.50", "1.234,50"). The Markdown file escapes whatever a person typed, so a value never turns into
a heading, a list, a link or emphasis; the PDF is drawn by `bot.rendering.pdf` (fpdf2, Windows-1252 text: Italian
accents and the euro sign as they are).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.documents import (
    Document,
    DocumentListing,
    DocumentSearch,
    FieldKind,
    FieldSpec,
    FieldValue,
    Template,
    TemplateChoice,
    clean_number,
    slug,
)
from bot.domain.messages import Msg
from bot.i18n import Words
from bot.parsing import documents as fields
from bot.rendering.blocks import Reply
from bot.rendering.kit import clip, context, header, section
from bot.rendering.pdf import Block as PdfBlock
from bot.rendering.pdf import Fields, Heading, Paragraph, pdf_document
from bot.rendering.time import slack_date

NEW = "doc_new"
DOWNLOAD_MD = "doc_download_md"
DOWNLOAD_PDF = "doc_download_pdf"
MAX_TITLE = 24  # Slack's limit for a modal's title
MAX_SECTION_FIELD = 2000  # and for one field of a section
MAX_BUTTONS_LISTED = 40
PREVIEW = 80
UTC = ZoneInfo("UTC")


# ---- names -------------------------------------------------------------------------------------------------------


def template_name(words: Words, template: Template) -> str:
    return words(f"doc.template.{template.key}") if template.builtin else template.name


def document_kind(words: Words, document: Document) -> str:
    return words(f"doc.template.{document.template}") if document.builtin else document.template_name


def _label(words: Words, template_key: str, builtin: bool, key: str, label: str) -> str:
    return words(f"doc.field.{template_key}.{key}") if builtin else label


def spec_label(words: Words, template: Template, spec: FieldSpec) -> str:
    return _label(words, template.key, template.builtin, spec.key, spec.label)


def value_label(words: Words, document: Document, value: FieldValue) -> str:
    return _label(words, document.template, document.builtin, value.key, value.label)


def title(words: Words, document: Document) -> str:
    """`Shift handover #7 — evening`."""
    name = f"{document_kind(words, document)} #{document.number}"
    return f"{name} \u2014 {document.summary}" if document.summary else name


def filename(words: Words, document: Document, extension: str) -> str:
    return f"doc-{document.number}-{slug(document_kind(words, document)) or 'document'}.{extension}"


def _type_name(template: Template) -> str:
    """What to type after `/ops doc new`: a built-in template's key, or a workspace template's name."""
    return template.key if template.builtin else (template.name if " " not in template.name else f'"{template.name}"')


# ---- values as text ----------------------------------------------------------------------------------------------


def long_date(words: Words, day: date, *, capital: bool = True) -> str:
    """`Thursday, December 3, 2026`, `Giovedì 3 dicembre 2026`: the first letter capitalised in either language
    (a value on its own), unless it stands inside a sentence (`Scritto da … il lunedì 30 novembre 2026`)."""
    text = format_date(day, format="full", locale=words.language)
    return text[:1].upper() + text[1:] if capital else text


def number_text(words: Words, text: str) -> str:
    value = clean_number(text)
    if value is None:
        return text
    places = max(0, -int(value.as_tuple().exponent)) if isinstance(value.as_tuple().exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=words.language, decimal_quantization=False)


def plain_value(words: Words, value: FieldValue) -> str:
    """A value as a file shows it: dates and numbers in the document's language, a person by name."""
    if value.empty:
        return ""
    match value.kind:
        case FieldKind.DATE:
            return long_date(words, date.fromisoformat(value.value))
        case FieldKind.NUMBER:
            return number_text(words, value.value)
        case FieldKind.PERSON:
            return value.shown or value.value
        case _:
            return value.value


def _mrkdwn(text: str) -> str:
    """What a person typed, safe in Slack's mrkdwn: no mention, link or channel-wide ping of its own."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_value(words: Words, value: FieldValue) -> str:
    if value.empty:
        return "\u2014"
    if value.kind == FieldKind.PERSON:
        return f"<@{value.value}>"
    return _mrkdwn(plain_value(words, value))


def written(words: Words, document: Document, zone: ZoneInfo) -> str:
    """`Written by Maria Rossi on Monday, November 30, 2026 at 09:00` for the files (no Slack date token there)."""
    local = document.created_at.astimezone(zone)
    return words(
        "doc.file.written",
        author=document.author_name or document.author,
        day=long_date(words, local.date(), capital=False),
        time=format_time(local, format="HH:mm", locale=words.language),
    )


# ---- templates ---------------------------------------------------------------------------------------------------


def templates_reply(words: Words, choice: TemplateChoice) -> Reply:
    """Every template with a New button; what to type is shown too (a button needs a fresh click)."""
    heading = words("doc.templates.title")
    blocks: list[Block] = [header(heading)]
    lines: list[str] = []
    for index, template in enumerate(choice.all):
        line = f"*{_mrkdwn(template_name(words, template))}*  `/ops doc new {_mrkdwn(_type_name(template))}`"
        if template.restricted:
            line += "\n_" + words("doc.restricted_note") + "_"
        if not template.builtin:
            line += "\n" + words("doc.templates.own", n=len(template.fields))
        if index < MAX_BUTTONS_LISTED:
            button = ButtonElement(
                text=PlainTextObject(text=words("doc.button.new")), action_id=f"{NEW}_{index}", value=template.key
            )
            blocks.append(section(line, accessory=button))
        else:
            lines.append(line)
    if lines:
        blocks.append(section("\n".join(lines)))
    blocks.append(context(words("doc.templates.hint")))
    return Reply(heading, blocks)


def _element(words: Words, template: Template, spec: FieldSpec) -> Any:
    match spec.kind:
        case FieldKind.LONG:
            return PlainTextInputElement(action_id=fields.FIELD_ACTION, multiline=True, max_length=spec.max_length)
        case FieldKind.DATE:
            return DatePickerElement(action_id=fields.FIELD_ACTION)
        case FieldKind.PERSON:
            return UserSelectElement(action_id=fields.FIELD_ACTION)
        case FieldKind.NUMBER:
            return PlainTextInputElement(
                action_id=fields.FIELD_ACTION,
                max_length=spec.max_length,
                placeholder=PlainTextObject(text=words("doc.form.number_placeholder")),
            )
        case _:
            return PlainTextInputElement(action_id=fields.FIELD_ACTION, max_length=spec.max_length)


def _hint(words: Words, template: Template, spec: FieldSpec) -> PlainTextObject | None:
    if template.builtin:
        return PlainTextObject(text=words(f"doc.hint.{template.key}.{spec.key}"))
    if spec.kind == FieldKind.NUMBER:
        return PlainTextObject(text=words("doc.form.number_hint"))
    return None


def document_form(words: Words, template: Template, channel: str | None) -> dict[str, Any]:
    """One input per field (long text multi-line, a date picker, a people picker), then where to post it."""
    blocks: list[Block] = []
    if template.restricted:
        blocks.append(context(":lock: " + words("doc.restricted_note")))
    for spec in template.fields:
        blocks.append(
            InputBlock(
                block_id=fields.FIELD_BLOCK + spec.key,
                label=PlainTextObject(text=clip(spec_label(words, template, spec), 2000)),
                element=_element(words, template, spec),
                hint=_hint(words, template, spec),
                optional=not spec.required,
            )
        )
    blocks.append(
        InputBlock(
            block_id=fields.POST_BLOCK,
            label=PlainTextObject(text=words("doc.form.post_to")),
            element=ConversationSelectElement(
                action_id=fields.POST_ACTION,
                # An incident report is not offered to the channel by default: it names people and injuries.
                initial_conversation=None if template.restricted else channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
            hint=PlainTextObject(text=words("doc.form.post_to_hint")),
            optional=True,
        )
    )
    view = View(
        type="modal",
        callback_id=fields.MODAL,
        title=PlainTextObject(text=clip(template_name(words, template), MAX_TITLE)),
        submit=PlainTextObject(text=words("doc.form.submit")),
        close=PlainTextObject(text=words("doc.form.cancel")),
        private_metadata=json.dumps({"template": template.key}),
        blocks=blocks,
    )
    return view.to_dict()


def form_errors(words: Words, errors: Mapping[str, Msg]) -> dict[str, Any]:
    return {
        "response_action": "errors",
        "errors": {fields.FIELD_BLOCK + key: words.msg(message) for key, message in errors.items()},
    }


def template_added(words: Words, template: Template) -> Reply:
    text = words("doc.template_added", name=_mrkdwn(template.name), n=len(template.fields))
    kinds = ", ".join(
        f"{_mrkdwn(spec.label)} ({words(f'doc.kind.{spec.kind.value}')}"
        + ("" if spec.required else ", " + words("doc.kind.optional"))
        + ")"
        for spec in template.fields
    )
    how = words("doc.template_added_hint", command=f"/ops doc new {_mrkdwn(_type_name(template))}")
    return Reply(text, [section(":page_facing_up: " + text), context(kinds), context(how)])


def template_removed(words: Words, template: Template) -> Reply:
    text = words("doc.template_removed", name=_mrkdwn(template.name))
    return Reply(text, [section(text)])


# ---- a document in Slack -----------------------------------------------------------------------------------------


def download_buttons(words: Words, document: Document) -> ActionsBlock:
    number = str(document.number)
    return ActionsBlock(
        block_id=f"doc_files_{document.number}",
        elements=[
            ButtonElement(text=PlainTextObject(text=words("doc.button.markdown")), action_id=DOWNLOAD_MD, value=number),
            ButtonElement(text=PlainTextObject(text=words("doc.button.pdf")), action_id=DOWNLOAD_PDF, value=number),
        ],
    )


def document_blocks(words: Words, document: Document) -> list[Block]:
    """The card: its title, who wrote it and when, the short fields side by side, the long ones in full."""
    blocks: list[Block] = [header(title(words, document))]
    by = words("doc.card.written", author=f"<@{document.author}>", when=slack_date(document.created_at, UTC))
    if document.restricted:
        by += "  :lock: " + words("doc.restricted_note")
    blocks.append(context(by))
    short: list[MarkdownTextObject] = []

    def flush() -> None:
        if short:
            blocks.append(SectionBlock(fields=list(short)))
            short.clear()

    for value in document.values:
        text = f"*{_mrkdwn(value_label(words, document, value))}*\n{slack_value(words, value)}"
        if value.kind == FieldKind.LONG:
            flush()
            blocks.append(section(text))
        else:
            if len(short) == 10:
                flush()
            short.append(MarkdownTextObject(text=clip(text, MAX_SECTION_FIELD)))
    flush()
    blocks.append(download_buttons(words, document))
    return blocks


def document_message(words: Words, document: Document) -> Reply:
    return Reply(title(words, document), document_blocks(words, document))


def posted_elsewhere(words: Words, document: Document, channel: str) -> Reply:
    """In the author's DM when the chosen conversation refused the post (the bot is not in it)."""
    note = words("doc.post_failed", channel=f"<#{channel}>")
    reply = document_message(words, document)
    return reply.prefixed(note, section(":warning: " + note))


def _line(words: Words, document: Document) -> str:
    kind = _mrkdwn(document_kind(words, document))
    summary = f" \u2014 {_mrkdwn(clip(document.summary, PREVIEW))}" if document.summary else ""
    lock = " :lock:" if document.restricted else ""
    when = slack_date(document.created_at, UTC)
    return f"`#{document.number}` *{kind}*{summary}{lock} \u00b7 <@{document.author}> \u00b7 {when}"


def _packed(lines: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(item) + 1 for item in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def _templates_line(words: Words, templates: Sequence[Template]) -> str:
    names = ", ".join(_mrkdwn(template_name(words, template)) for template in templates)
    return words("doc.list.templates", names=clip(names, 2500))


def listing(words: Words, found: DocumentListing) -> Reply:
    name = template_name(words, found.template) if found.template is not None else None
    if not found.documents:
        text = words("doc.list.none_of", name=_mrkdwn(name)) if name else words("doc.list.none")
        return Reply(
            text,
            [section(text), context(_templates_line(words, found.templates)), context(words("doc.list.how_to_start"))],
        )
    text = (
        words("doc.list.title_of", name=_mrkdwn(name), n=found.total)
        if name
        else words("doc.list.title", n=found.total)
    )
    blocks: list[Block] = [header(text), *_packed([_line(words, document) for document in found.documents])]
    note = words("doc.list.hint")
    if found.total > len(found.documents):
        note = words("doc.list.more", n=found.total - len(found.documents)) + " " + note
    blocks.append(context(note))
    blocks.append(context(_templates_line(words, found.templates)))
    return Reply(text, blocks)


def search_results(words: Words, search: DocumentSearch) -> Reply:
    quoted = _mrkdwn(clip(" ".join(search.text.split()), 200))
    if not search.documents:
        text = words("doc.search.none", text=quoted)
        return Reply(text, [section(text)])
    key = "doc.search.found" if search.every_word else "doc.search.closest"
    text = words(key, text=quoted, n=len(search.documents))
    blocks: list[Block] = [section(f"*{text}*"), *_packed([_line(words, document) for document in search.documents])]
    blocks.append(context(words("doc.list.hint")))
    return Reply(text, blocks)


def file_sent(words: Words, document: Document, kind: str) -> Reply:
    text = words("doc.file_sent", n=document.number, format=kind)
    return Reply(text, [section(":inbox_tray: " + text)])


def file_failed(words: Words) -> Reply:
    text = words("doc.file_failed")
    return Reply(text, [section(text)])


# ---- files -------------------------------------------------------------------------------------------------------

_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """Text shown as typed in a Markdown file: inline markers escaped everywhere, and what would start a heading, a
    quote, a list or a rule at the start of a line; `&` so an entity stays text."""
    lines = []
    for line in text.replace("&", "&amp;").split("\n"):
        escaped = _MARKDOWN_INLINE.sub(r"\\\1", line)
        escaped = _MARKDOWN_LINE_START.sub(lambda found: found.group(1) + _escape_marker(found.group(2)), escaped)
        lines.append(escaped)
    return "\n".join(lines)


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1] if marker[-1] in ".)" else "\\" + marker


def document_markdown(words: Words, document: Document, zone: ZoneInfo) -> str:
    """The document as Markdown: the title, who wrote it and when, the short fields as a list, each long one under
    its own heading. Long text keeps its line breaks (two trailing spaces)."""
    out = [
        f"# {escape_markdown(title(words, document))}",
        "",
        f"_{escape_markdown(written(words, document, zone))}_",
        "",
    ]
    short = [value for value in document.values if value.kind != FieldKind.LONG]
    for value in short:
        shown = escape_markdown(plain_value(words, value)) or "\u2014"
        out.append(f"- **{escape_markdown(value_label(words, document, value))}:** {shown}")
    if short:
        out.append("")
    for value in document.values:
        if value.kind != FieldKind.LONG:
            continue
        out.append(f"## {escape_markdown(value_label(words, document, value))}")
        out.append("")
        body = escape_markdown(plain_value(words, value)) or "\u2014"
        out.append("  \n".join(body.split("\n")))
        out.append("")
    out.append("---")
    out.append(escape_markdown(words("doc.file.footer", n=document.number)))
    return "\n".join(out) + "\n"


def document_pdf(words: Words, document: Document, zone: ZoneInfo) -> bytes:
    blocks: list[PdfBlock] = []
    short = [
        (value_label(words, document, value), plain_value(words, value))
        for value in document.values
        if value.kind != FieldKind.LONG
    ]
    if short:
        blocks.append(Fields(short))
    for value in document.values:
        if value.kind == FieldKind.LONG:
            blocks.append(Heading(value_label(words, document, value)))
            blocks.append(Paragraph(plain_value(words, value) or "\u2014"))
    return pdf_document(
        title(words, document),
        blocks,
        subtitle=written(words, document, zone),
        footer=words("doc.file.footer", n=document.number),
    )
