"""Block Kit for customer cases: the post in the cases channel with Take it / Reply / Resolve / Escalate, the
notes in its thread, the history and lists, the forms (new case, reply, resolve, follow-up), and the alerts.

Customer contact details appear in full only in the cases channel and to managers; everywhere else the caller
passes `masked=True`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.case_service import CaseView
from bot.domain.cases import ArrivedBy, Case, CaseKind, Customer, Note, NoteKind, Offer, Severity
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import button, clip, context, header, section

TAKE = "case_take"
REPLY = "case_reply"
RESOLVE = "case_resolve"
ESCALATE = "case_escalate"
FOLLOW_UP = "case_follow_up"
NEW_MODAL = "case_new_modal"
REPLY_MODAL = "case_reply_modal"
RESOLVE_MODAL = "case_resolve_modal"
FOLLOW_UP_MODAL = "case_follow_up_modal"
MAX_LISTED = 30
FOLLOW_UP_DAYS = (0, 1, 2, 3, 7, 14)


def when(instant: datetime) -> str:
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} {{time}}|{instant.isoformat()}>"


def customer_text(words: Words, customer: Customer, *, masked: bool) -> str:
    shown = customer.masked() if masked else customer
    parts = [part for part in (shown.name, shown.phone, shown.email) if part]
    return ", ".join(parts) if parts else words("case.no_customer")


def _summary(words: Words, case: Case) -> str:
    return words(
        "case.summary",
        label=case.label,
        kind=words(f"case.kind.{case.kind.value}"),
        severity=words(f"case.severity.{case.severity.value}"),
        status=words(f"case.status.{case.status.value}"),
    )


def _details(words: Words, case: Case, *, masked: bool) -> str:
    lines = [
        words("case.customer", customer=customer_text(words, case.customer, masked=masked)),
        words("case.arrived", how=words(f"case.arrived.{case.arrived_by.value}")),
    ]
    if case.category:
        lines.append(words("case.category", category=case.category))
    lines.append(words("case.assignee", user=f"<@{case.assignee}>") if case.assignee else words("case.unassigned"))
    if case.status.is_active:
        lines.append(words("case.targets", respond=when(case.respond_by), resolve=when(case.resolve_by)))
    if case.resolution_note:
        offer = words(f"case.offer.{case.offer.value}") if case.offer else ""
        amount = f" {case.offer_amount}" if case.offer_amount is not None else ""
        lines.append(words("case.resolution", note=case.resolution_note, offer=offer + amount))
    return "\n".join(lines)


def case_post(words: Words, case: Case, matches: Sequence[tuple[str, str]] = ()) -> Reply:
    """The cases channel's message for a case, updated in place on every change."""
    title = _summary(words, case)
    blocks: list[Block] = [
        header(clip(title, 150)),
        section(clip(case.description, 2900)),
        section(_details(words, case, masked=False)),
    ]
    if matches:
        lines = [f"• *{key}* \u2014 {clip(text, 200)}" for key, text in matches]
        blocks.append(section("*" + words("case.matches") + "*\n" + "\n".join(lines)))
    if case.status.is_active:
        blocks.append(
            ActionsBlock(
                block_id=f"case:{case.number}",
                elements=[
                    button(words, "case.take", TAKE, str(case.number), primary=case.assignee is None),
                    button(words, "case.reply", REPLY, str(case.number)),
                    button(words, "case.resolve", RESOLVE, str(case.number)),
                    button(words, "case.escalate", ESCALATE, str(case.number)),
                ],
            )
        )
    if case.source_channel and case.source_ts:
        blocks.append(context(words("case.from_message", channel=f"<#{case.source_channel}>")))
    return Reply(text=title, blocks=blocks, response_type="in_channel")


def opened(words: Words, case: Case, where: str | None) -> Reply:
    line = (
        words("case.opened", label=case.label, channel=f"<#{where}>")
        if where
        else words("case.opened_no_channel", label=case.label)
    )
    return Reply(text=line, blocks=[section(":ticket: " + line)])


def already(words: Words) -> Reply:
    line = words("case.already")
    return Reply(text=line, blocks=[section(line)])


def thread_note(words: Words, case: Case, note: Note) -> Reply:
    """One line in the case's thread: who did what."""
    who = f"<@{note.author}>" if note.author else words("case.customer_or_bot")
    if note.kind is NoteKind.STATUS:
        if note.body == "auto_closed":
            text = words("case.note.auto_closed", label=case.label)
        elif note.body == "escalated":
            text = words("case.note.escalated", who=who)
        else:
            text = words("case.note.status", who=who, status=words(f"case.status.{note.body}"))
    elif note.kind is NoteKind.RESOLVED:
        text = words("case.note.resolved", who=who, note=clip(note.body, 2500))
    elif note.kind is NoteKind.FORGOTTEN:
        text = words("case.note.forgotten", who=who)
    elif note.kind is NoteKind.ASSIGNED:
        text = words("case.note.taken", who=who)
    elif note.kind is NoteKind.EMAIL_IN:
        text = words("case.note.email_in", text=clip(note.body, 2500))
    elif note.kind is NoteKind.EMAIL_OUT:
        text = words("case.note.email_out", who=who, text=clip(note.body, 2500))
    elif note.kind is NoteKind.FOLLOW_UP:
        text = words("case.note.follow_up", who=who, text=note.body)
    else:
        text = words("case.note.note", who=who, text=clip(note.body, 2500))
    return Reply(text=text, blocks=[section(text)], response_type="in_channel")


def history(words: Words, view: CaseView, *, masked: bool) -> Reply:
    case = view.case
    title = _summary(words, case)
    blocks: list[Block] = [
        section(f"*{title}*"),
        section(clip(case.description, 2000)),
        section(_details(words, case, masked=masked)),
    ]
    lines = [f"{when(note.at)} \u2014 {thread_note(words, case, note).text}" for note in view.notes[-MAX_LISTED:]]
    if lines:
        blocks.append(section(clip("\n".join(lines), 2900)))
    return Reply(text=title, blocks=blocks)


def listing(words: Words, scope: str, cases: Sequence[Case], *, masked: bool) -> Reply:
    if not cases:
        line = words("case.list_empty", scope=scope)
        return Reply(text=line, blocks=[section(line), context(words("case.example.list"))])
    title = words("case.list_title", n=len(cases), scope=scope)
    lines = [
        f"`{c.label}` {words(f'case.kind.{c.kind.value}')} \u00b7 {words(f'case.status.{c.status.value}')} \u00b7 "
        f"{clip(c.description, 80)} \u2014 {customer_text(words, c.customer, masked=masked)}"
        for c in cases[:MAX_LISTED]
    ]
    return Reply(text=title, blocks=[section(f"*{title}*"), section(clip("\n".join(lines), 2900))])


def changed(words: Words, case: Case, key: str) -> Reply:
    line = words(key, label=case.label, status=words(f"case.status.{case.status.value}"))
    return Reply(text=line, blocks=[section(line)])


def forgotten(words: Words, count: int) -> Reply:
    line = words("case.forgotten", n=count)
    return Reply(text=line, blocks=[section(":wastebasket: " + line)])


def rules(words: Words, key: str) -> Reply:
    line = words(key)
    return Reply(text=line, blocks=[section(":white_check_mark: " + line)])


# ---- alerts ----------------------------------------------------------------------------------------------------


def target_alert(words: Words, case: Case, target: str, missed: bool, *, masked: bool) -> Reply:
    key = f"case.alert.{target}_{'missed' if missed else 'soon'}"
    deadline = case.respond_by if target == "response" else case.resolve_by
    line = words(key, label=case.label, when=when(deadline), description=clip(case.description, 150))
    return Reply(
        text=line,
        blocks=[section((":rotating_light: " if missed else ":hourglass_flowing_sand: ") + line)],
        response_type="in_channel",
    )


def escalated(words: Words, case: Case) -> Reply:
    line = words("case.escalated_dm", label=case.label, description=clip(case.description, 150))
    return Reply(text=line, blocks=[section(":rotating_light: " + line)])


def waiting_nudge(words: Words, case: Case) -> Reply:
    line = words("case.waiting_nudge", label=case.label, since=when(case.waiting_since or case.created_at))
    return Reply(text=line, blocks=[section(":hourglass: " + line)])


def follow_up_prompt(words: Words, case: Case) -> Reply:
    line = words("case.follow_up_prompt", label=case.label, description=clip(case.description, 150))
    return Reply(
        text=line,
        blocks=[
            section(
                ":telephone_receiver: " + line, accessory=button(words, "case.follow_up", FOLLOW_UP, str(case.number))
            )
        ],
    )


# ---- forms -----------------------------------------------------------------------------------------------------


def _options(words: Words, prefix: str, values: Sequence[str]) -> list[Option]:
    return [Option(text=PlainTextObject(text=words(f"{prefix}.{value}")), value=value) for value in values]


def new_case_modal(words: Words, kind: CaseKind, description: str = "", source: str = "") -> dict[str, object]:
    """The new-case form; `source` (channel:ts) links it to the Slack message it came from."""
    arrivals = _options(words, "case.arrived", [a.value for a in ArrivedBy])
    severities = _options(words, "case.severity", [s.value for s in Severity])
    kinds = _options(words, "case.kind", [k.value for k in CaseKind])
    blocks: list[Block] = [
        InputBlock(
            block_id="kind",
            label=PlainTextObject(text=words("case.form.kind")),
            element=StaticSelectElement(
                action_id="value", options=kinds, initial_option=kinds[list(CaseKind).index(kind)]
            ),
        ),
        InputBlock(
            block_id="description",
            label=PlainTextObject(text=words("case.form.description")),
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=3000, initial_value=description or None
            ),
        ),
        InputBlock(
            block_id="name",
            optional=True,
            label=PlainTextObject(text=words("case.form.name")),
            element=PlainTextInputElement(action_id="value", max_length=120),
        ),
        InputBlock(
            block_id="phone",
            optional=True,
            label=PlainTextObject(text=words("case.form.phone")),
            element=PlainTextInputElement(action_id="value", max_length=40),
        ),
        InputBlock(
            block_id="email",
            optional=True,
            label=PlainTextObject(text=words("case.form.email")),
            element=PlainTextInputElement(action_id="value", max_length=254),
        ),
        InputBlock(
            block_id="arrived",
            label=PlainTextObject(text=words("case.form.arrived")),
            element=StaticSelectElement(
                action_id="value",
                options=arrivals,
                initial_option=arrivals[list(ArrivedBy).index(ArrivedBy.SLACK if source else ArrivedBy.IN_PERSON)],
            ),
        ),
        InputBlock(
            block_id="category",
            optional=True,
            label=PlainTextObject(text=words("case.form.category")),
            element=PlainTextInputElement(action_id="value", max_length=40),
        ),
        InputBlock(
            block_id="severity",
            label=PlainTextObject(text=words("case.form.severity")),
            element=StaticSelectElement(action_id="value", options=severities, initial_option=severities[1]),
        ),
    ]
    return View(
        type="modal",
        callback_id=NEW_MODAL,
        private_metadata=source,
        title=PlainTextObject(text=clip(words("case.form.heading"), 24)),
        submit=PlainTextObject(text=words("case.form.submit")),
        close=PlainTextObject(text=words("case.form.close")),
        blocks=blocks,
    ).to_dict()


def reply_modal(words: Words, case: Case, emails: bool, start: str = "") -> dict[str, object]:
    intro = "case.reply_intro_email" if emails and case.customer.email else "case.reply_intro_note"
    return View(
        type="modal",
        callback_id=REPLY_MODAL,
        private_metadata=str(case.number),
        title=PlainTextObject(text=clip(words("case.reply_heading", label=case.label), 24)),
        submit=PlainTextObject(text=words("case.form.send")),
        close=PlainTextObject(text=words("case.form.close")),
        blocks=[
            section(words(intro, label=case.label)),
            InputBlock(
                block_id="reply",
                label=PlainTextObject(text=words("case.form.reply")),
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=3000, initial_value=start or None
                ),
            ),
        ],
    ).to_dict()


def resolve_modal(words: Words, case: Case) -> dict[str, object]:
    offers = _options(words, "case.offer", [o.value for o in Offer])
    days = [
        Option(
            text=PlainTextObject(text=words("case.form.no_follow_up") if d == 0 else words("case.form.days", n=d)),
            value=str(d),
        )
        for d in FOLLOW_UP_DAYS
    ]
    return View(
        type="modal",
        callback_id=RESOLVE_MODAL,
        private_metadata=str(case.number),
        title=PlainTextObject(text=clip(words("case.resolve_heading", label=case.label), 24)),
        submit=PlainTextObject(text=words("case.resolve")),
        close=PlainTextObject(text=words("case.form.close")),
        blocks=[
            InputBlock(
                block_id="note",
                label=PlainTextObject(text=words("case.form.resolution")),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=2000),
            ),
            InputBlock(
                block_id="offer",
                label=PlainTextObject(text=words("case.form.offer")),
                element=StaticSelectElement(action_id="value", options=offers, initial_option=offers[-1]),
            ),
            InputBlock(
                block_id="amount",
                optional=True,
                label=PlainTextObject(text=words("case.form.amount")),
                element=NumberInputElement(action_id="value", is_decimal_allowed=True),
            ),
            InputBlock(
                block_id="follow_up",
                label=PlainTextObject(text=words("case.form.follow_up")),
                element=StaticSelectElement(action_id="value", options=days, initial_option=days[0]),
            ),
        ],
    ).to_dict()


def follow_up_modal(words: Words, case: Case) -> dict[str, object]:
    return View(
        type="modal",
        callback_id=FOLLOW_UP_MODAL,
        private_metadata=str(case.number),
        title=PlainTextObject(text=clip(words("case.follow_up"), 24)),
        submit=PlainTextObject(text=words("case.form.save")),
        close=PlainTextObject(text=words("case.form.close")),
        blocks=[
            section(words("case.follow_up_intro", label=case.label)),
            InputBlock(
                block_id="outcome",
                label=PlainTextObject(text=words("case.form.outcome")),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=1000),
            ),
        ],
    ).to_dict()
