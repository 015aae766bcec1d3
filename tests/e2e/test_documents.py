"""Documents as people use them: a template's form from `/ops doc new handover` (and `/ops documento nuovo consegna
turno`), errors shown on the fields, the document stored with its number and posted where asked (or to the DM, also
when the bot is not in the chosen channel), its Markdown and PDF files (the PDF opened with pypdf, Italian accents
and the euro sign included), `/ops doc list`, `show`, `pdf`, `md`, full-text `search`, incident reports that only
their author and managers read, and a workspace's own templates (managers only)."""

from __future__ import annotations

import io
import json
from typing import Any

from pypdf import PdfReader
from sqlalchemy import Row, select

from bot.runtime import finish_background_work
from bot.sandbox.records import Ephemeral, FileRecord, Message
from bot.sandbox.server import SlackDouble
from storage.models import AuditLogRow
from storage.models_documents import DocumentRow, DocumentTemplateRow
from tests.e2e.conftest import ALEX, GIULIA, LUCA, MARIA, SAM, TEAM, RunningBot
from tests.e2e.talk import bot_dms
from tests.stored import stored_rows

OPS = "C0OPS0001"  # Giulia, Maria, Luca and the bot
SUPPLY = "C0SUPPLY1"  # Maria and Luca, not the bot


async def command(double: SlackDouble, user: str, text: str, *, channel: str = OPS) -> Ephemeral:
    before = len(double.ephemerals(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.ephemerals(user)[-1] if len(double.ephemerals(user)) > before else None)


async def next_dm(double: SlackDouble, user: str, after: int) -> Message:
    return await double.wait_for(lambda: bot_dms(double, user)[after] if len(bot_dms(double, user)) > after else None)


async def open_form(double: SlackDouble, user: str, text: str, *, channel: str = OPS) -> dict[str, Any]:
    before = len(double.open_views(user))
    await double.send_command(user, text, channel_id=channel)
    return await double.wait_for(lambda: double.open_views(user)[-1] if len(double.open_views(user)) > before else None)


async def next_file(double: SlackDouble, after: int) -> FileRecord:
    return await double.wait_for(lambda: double.files[after] if len(double.files) > after else None)


async def documents(running: RunningBot) -> list[Row[Any]]:
    """The stored documents once the listeners have finished (where a document was posted is stored after the
    post, after the form was acknowledged)."""
    await finish_background_work()
    return await stored_rows(running.bot.engine, select(DocumentRow).order_by(DocumentRow.number))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


HANDOVER = {
    "doc_field_date": {"value": "2026-12-03"},
    "doc_field_shift": {"value": "evening"},
    "doc_field_handed_to": {"value": MARIA},
    "doc_field_done": {"value": "Giovedì: cleaned the fridge, restocked the bar.\n# not a heading"},
    "doc_field_open": {"value": "Ice machine leaks; più ghiaccio needed.\nTill short by € 12,50"},
}


async def write_handover(double: SlackDouble, user: str = LUCA, **extra: dict[str, Any]) -> None:
    await open_form(double, user, "doc new handover")
    reply = await double.send_view_submission(user, values={**HANDOVER, **extra})
    assert reply.status == 200
    assert reply.body.strip() == ""


# ---- the form, the post, the files -----------------------------------------------------------------------------


async def test_a_handover_from_its_form_is_stored_posted_and_downloadable(
    running: RunningBot, double: SlackDouble
) -> None:
    view = await open_form(double, LUCA, "doc new handover")
    assert view["title"]["text"] == "Shift handover"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert labels == ["Date", "Shift", "Handed over to", "Done", "Still open", "Notes", "Post to"]
    elements = {block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"}
    assert elements["doc_field_date"]["type"] == "datepicker"
    assert elements["doc_field_handed_to"]["type"] == "users_select"
    assert elements["doc_field_open"]["multiline"] is True
    assert elements["doc_post"]["type"] == "conversations_select"
    assert elements["doc_post"]["initial_conversation"] == OPS  # where the command was typed
    optional = {block["block_id"] for block in view["blocks"] if block.get("optional")}
    assert optional == {"doc_field_handed_to", "doc_field_done", "doc_field_notes", "doc_post"}

    # Required fields left empty, and one too long: told on the fields, nothing stored, the form stays open.
    refused = await double.send_view_submission(
        LUCA, values={"doc_field_date": {"value": "2026-12-03"}, "doc_field_notes": {"value": "x" * 3001}}
    )
    assert refused.json() == {
        "response_action": "errors",
        "errors": {
            "doc_field_shift": "Fill this in.",
            "doc_field_open": "Fill this in.",
            "doc_field_notes": "This is 3001 characters long; 3000 at most.",
        },
    }
    assert double.open_views(LUCA)
    assert await documents(running) == []

    ok = await double.send_view_submission(LUCA, values={**HANDOVER, "doc_field_notes": {"value": ""}})
    assert ok.status == 200
    assert double.open_views(LUCA) == []
    post = await double.wait_for(lambda: double.messages(OPS)[-1] if double.messages(OPS) else None)
    text = post.all_text()
    assert "Shift handover #1 \u2014 evening" in text
    assert "*Handed over to*\n<@U0MARIA01>" in text
    assert "Thursday, December 3, 2026" in text
    assert "Ice machine leaks; più ghiaccio needed." in text
    buttons = [e["text"]["text"] for b in post.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Download Markdown", "Download PDF"]

    (row,) = await documents(running)
    assert (row.team_id, row.number, row.template_key, row.summary, row.author, row.author_name) == (
        TEAM,
        1,
        "handover",
        "evening",
        LUCA,
        "luca",  # the name Slack shows (the display name), as it was when the document was written
    )
    assert (row.channel_id, row.message_ts, row.language, row.restricted) == (OPS, post.ts, "en", False)
    stored = {entry["key"]: entry for entry in json.loads(row.fields)}
    assert stored["handed_to"] == {
        "key": "handed_to",
        "kind": "person",
        "value": MARIA,
        "label": "",
        "shown": "maria",
    }
    assert stored["date"]["value"] == "2026-12-03"
    audit = await stored_rows(running.bot.engine, select(AuditLogRow).where(AuditLogRow.action == "document.add"))
    assert [(entry.actor, entry.target) for entry in audit] == [(LUCA, "document #1")]

    # Anyone who can see the post downloads its files: they come to their own DM.
    await double.send_block_action(GIULIA, "doc_download_pdf", message=post)
    pdf = await next_file(double, 0)
    assert pdf.filename == "doc-1-shift-handover.pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (await next_dm(double, GIULIA, 0)).files[0].id == pdf.id
    content = pdf_text(pdf.content)
    for expected in (
        "Shift handover #1",
        "evening",
        "Thursday, December 3, 2026",
        "Handed over to",
        "maria",
        "Giovedì: cleaned the fridge",
        "più ghiaccio",
        "€ 12,50",
        "Written by luca on Monday, November 30, 2026",
    ):
        assert expected in content, expected
    told = await double.wait_for(lambda: double.ephemerals(GIULIA)[-1] if double.ephemerals(GIULIA) else None)
    assert "Documento n. 1 in PDF: inviato nei tuoi messaggi diretti." in told.all_text()

    await double.send_block_action(GIULIA, "doc_download_md", message=post)
    markdown = (await next_file(double, 1)).content.decode()
    assert markdown.startswith("# Shift handover #1 \u2014 evening\n")
    assert "- **Handed over to:** maria" in markdown
    assert "## Done\n\nGiovedì: cleaned the fridge, restocked the bar.  \n\\# not a heading" in markdown
    assert "Till short by € 12,50" in markdown


async def test_italian_commands_names_and_files(running: RunningBot, double: SlackDouble) -> None:
    view = await open_form(double, MARIA, "documento nuovo consegna turno")
    assert view["title"]["text"] == "Consegna turno"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert labels == ["Data", "Turno", "Consegnato a", "Fatto", "Da fare", "Note", "Pubblica in"]
    values = {**HANDOVER, "doc_field_shift": {"value": "sera"}, "doc_post": {"channel": ""}}
    assert (await double.send_view_submission(MARIA, values=values)).status == 200
    # No conversation chosen: the document comes to the author's DM.
    card = await next_dm(double, MARIA, 0)
    assert "Consegna turno #1 \u2014 sera" in card.all_text()
    assert "Giovedì 3 dicembre 2026" in card.all_text()

    sent = await command(double, MARIA, "documento pdf 1")
    assert "Documento n. 1 in PDF: inviato nei tuoi messaggi diretti." in sent.all_text()
    pdf = await next_file(double, 0)
    content = pdf_text(pdf.content)
    for expected in ("Consegna turno #1", "Turno", "Consegnato a", "Giovedì 3 dicembre 2026", "più", "€ 12,50"):
        assert expected in content, expected
    assert pdf.filename == "doc-1-consegna-turno.pdf"

    # Luca reads English, but the document's files keep the language it was written in.
    await command(double, LUCA, "doc md 1")
    markdown = (await next_file(double, 1)).content.decode()
    assert markdown.startswith("# Consegna turno #1 \u2014 sera\n")
    assert "- **Data:** Giovedì 3 dicembre 2026" in markdown


async def test_a_channel_the_bot_is_not_in_gets_the_document_in_the_dm_instead(
    running: RunningBot, double: SlackDouble
) -> None:
    await write_handover(double, LUCA, doc_post={"channel": SUPPLY})
    card = await next_dm(double, LUCA, 0)
    assert "I could not post this in <#C0SUPPLY1>" in card.all_text()
    assert "Shift handover #1" in card.all_text()
    (row,) = await documents(running)
    assert row.channel_id != SUPPLY


# ---- list, show, search ----------------------------------------------------------------------------------------


async def test_list_show_and_search(running: RunningBot, double: SlackDouble) -> None:
    await write_handover(double, LUCA)
    await open_form(double, SAM, "doc new memo")
    memo = {
        "doc_field_to": {"value": "Kitchen"},
        "doc_field_subject": {"value": "New fridge rules"},
        "doc_field_body": {"value": "Label everything in the walk-in fridge with the date. *Thanks*"},
    }
    assert (await double.send_view_submission(SAM, values=memo)).status == 200
    await open_form(double, GIULIA, "doc new order")
    order = {
        "doc_field_supplier": {"value": "Caseificio Rossi"},
        "doc_field_items": {"value": "12 x mozzarella\n4 x ricotta"},
        "doc_field_total": {"value": "1.234,50"},
    }
    assert (await double.send_view_submission(GIULIA, values=order)).status == 200
    await double.wait_for(lambda: len(double.messages(OPS)) >= 3 or None)

    listed = await command(double, SAM, "doc list")
    text = listed.all_text()
    assert "Documents (3)" in text
    assert text.index("`#3` *Supplier order* \u2014 Caseificio Rossi") < text.index("`#2` *Memo* \u2014 New fridge")
    assert "`#1` *Shift handover* \u2014 evening" in text
    assert (
        "Templates: Meeting minutes, Memo, Shift handover, Incident report, Supplier order, Letter to a customer"
        in (text)
    )
    only = await command(double, SAM, "doc list memo")
    assert "Memo (1)" in only.all_text()
    assert "#1" not in only.all_text()

    shown = await command(double, SAM, "doc show 3")
    assert "Supplier order #3 \u2014 Caseificio Rossi" in shown.all_text()
    assert "*Expected total (€)*\n1,234.50" in shown.all_text()
    assert [e["action_id"] for b in shown.blocks if b["type"] == "actions" for e in b["elements"]] == [
        "doc_download_md",
        "doc_download_pdf",
    ]
    await double.send_block_action(SAM, "doc_download_pdf", message=shown)
    pdf = pdf_text((await next_file(double, 0)).content)
    # Giulia wrote it in Italian: its file keeps her language, whoever downloads it.
    assert "Ordine al fornitore #3 — Caseificio Rossi" in pdf
    assert "Scritto da giulia il lunedì 30 novembre 2026" in pdf
    assert "Totale previsto (€)\n1.234,50" in pdf
    assert "12 x mozzarella" in pdf
    same = await command(double, SAM, "doc 3")
    assert "Supplier order #3" in same.all_text()

    found = await command(double, SAM, "doc search fridge")
    assert "Documents with “fridge” (2):" in found.all_text()
    hits = found.all_text()
    assert hits.index("`#2` *Memo*") < hits.index("`#1` *Shift handover*")  # the memo says it twice
    by_person = await command(double, SAM, "doc search maria")  # a person by name
    assert "`#1`" in by_person.all_text()
    accent = await command(double, MARIA, "documento cerca giovedi")  # folded: "Giovedì"
    assert "`#1`" in accent.all_text()
    closest = await command(double, SAM, "doc search fridge unicorn")
    assert "No document has every word of “fridge unicorn”; the closest (2):" in closest.all_text()
    none = await command(double, SAM, "doc search unicorn")
    assert "No document has “unicorn”." in none.all_text()

    missing = await command(double, SAM, "doc show 99")
    assert "There is no document #99." in missing.all_text()
    unknown = await command(double, SAM, "doc new invoice")
    assert "There is no template called “invoice”." in unknown.all_text()
    assert "Example: `/ops doc templates`" in unknown.all_text()
    wrong = await command(double, SAM, "doc show seven")
    assert "“seven” is not a document number." in wrong.all_text()


async def test_templates_with_new_buttons(running: RunningBot, double: SlackDouble) -> None:
    shown = await command(double, SAM, "doc")
    assert "Document templates" in shown.all_text()
    assert "`/ops doc new handover`" in shown.all_text()
    new_buttons = [b["accessory"] for b in shown.blocks if b.get("accessory")]
    assert [button["value"] for button in new_buttons] == ["minutes", "memo", "handover", "incident", "order", "letter"]
    await double.send_block_action(SAM, new_buttons[5]["action_id"], message=shown)
    (view,) = await double.wait_for(lambda: double.open_views(SAM) or None)
    assert view["title"]["text"] == "Letter to a customer"


# ---- who reads what --------------------------------------------------------------------------------------------


async def test_an_incident_report_is_read_only_by_its_author_and_managers(
    running: RunningBot, double: SlackDouble
) -> None:
    view = await open_form(double, SAM, "doc new incident")
    assert "Only its author and managers read it." in json.dumps(view)
    incident = {
        "doc_field_date": {"value": "2026-11-29"},
        "doc_field_place": {"value": "kitchen"},
        "doc_field_what": {"value": "Burn from the fryer"},
        "doc_field_actions": {"value": "First aid, fryer checked"},
    }
    assert (await double.send_view_submission(SAM, values=incident)).status == 200
    card = await next_dm(double, SAM, 0)
    assert "Incident report #1 \u2014 kitchen" in card.all_text()
    (row,) = await documents(running)
    assert row.restricted is True

    refused = await command(double, LUCA, "doc show 1")
    assert "Document #1 is an incident report: only its author and managers read it." in refused.all_text()
    assert "No documents yet." in (await command(double, LUCA, "doc list")).all_text()
    assert "No document has “fryer”." in (await command(double, LUCA, "doc search fryer")).all_text()
    await command(double, LUCA, "doc pdf 1")
    assert double.files == []

    assert "`#1`" in (await command(double, SAM, "doc search fryer")).all_text()
    assert "Incident report #1" in (await command(double, ALEX, "doc show 1")).all_text()
    assert "`#1`" in (await command(double, ALEX, "doc list")).all_text()


# ---- a workspace's own templates -------------------------------------------------------------------------------


async def test_managers_add_templates_that_everyone_writes_from(running: RunningBot, double: SlackDouble) -> None:
    spec = (
        "doc template add “Delivery check” fields: supplier, items (long), checked by (person), notes (long, optional)"
    )
    refused = await command(double, LUCA, spec)
    assert "manager" in refused.all_text()
    assert await stored_rows(running.bot.engine, select(DocumentTemplateRow)) == []

    added = await command(double, ALEX, spec)
    assert "Template “Delivery check” added, with 4 fields." in added.all_text()
    assert '`/ops doc new "Delivery check"`' in added.all_text()
    (template,) = await stored_rows(running.bot.engine, select(DocumentTemplateRow))
    assert (template.team_id, template.key, template.name) == (TEAM, "delivery-check", "Delivery check")
    assert [(f["key"], f["kind"], f["required"]) for f in json.loads(template.fields)] == [
        ("supplier", "short", True),
        ("items", "long", True),
        ("checked-by", "person", True),
        ("notes", "long", False),
    ]
    assert "Questo workspace ha già un modello chiamato “delivery CHECK”." in (
        (await command(double, GIULIA, 'documento modello aggiungi "delivery CHECK" campi: a')).all_text()
    )
    builtin = await command(double, ALEX, 'doc template add "Consegna" fields: a')
    assert "“Consegna” is already the name of a built-in template" in builtin.all_text()

    templates = await command(double, LUCA, "doc templates")
    assert "*Delivery check*" in templates.all_text()
    assert "Templates: Meeting minutes" in (await command(double, LUCA, "doc list")).all_text()
    assert "Delivery check" in (await command(double, LUCA, "doc list")).all_text()

    view = await open_form(double, LUCA, "doc new delivery check")
    assert view["title"]["text"] == "Delivery check"
    labels = [block["label"]["text"] for block in view["blocks"] if block["type"] == "input"]
    assert labels == ["supplier", "items", "checked by", "notes", "Post to"]
    values = {
        "doc_field_supplier": {"value": "Fresh Fish Ltd"},
        "doc_field_items": {"value": "5 kg salmon\n2 kg prawns"},
        "doc_field_checked-by": {"value": SAM},
    }
    assert (await double.send_view_submission(LUCA, values=values)).status == 200
    post = await double.wait_for(lambda: double.messages(OPS)[-1] if double.messages(OPS) else None)
    assert "Delivery check #1 \u2014 Fresh Fish Ltd" in post.all_text()
    assert "*checked by*\n<@U0SAM0001>" in post.all_text()
    assert "Delivery check (1)" in (await command(double, LUCA, "doc list delivery check")).all_text()

    # Removing the template leaves the document as it was written.
    removed = await command(double, ALEX, 'doc template remove "Delivery check"')
    assert "Template “Delivery check” removed." in removed.all_text()
    assert "Delivery check #1" in (await command(double, LUCA, "doc show 1")).all_text()
    gone = await command(double, LUCA, "doc new delivery check")
    assert "There is no template called “delivery check”." in gone.all_text()
