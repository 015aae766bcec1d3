"""Raw emails → InboundEmail: bodies in every usual shape and charset, quoted history trimmed, case keys found."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.mail.inbound import (
    MAX_EMAIL_BYTES,
    InboundEmail,
    case_number_in,
    html_to_text,
    parse_email,
    thread_keys,
    trim_quoted,
)
from tests.mail.servers import raw_email


def crlf(text: str) -> bytes:
    return text.strip("\n").replace("\n", "\r\n").encode("ascii")


def test_a_plain_email_gives_its_sender_subject_words_and_ids(now: datetime) -> None:
    email = parse_email(
        raw_email(subject="Pizza was cold", headers={"In-Reply-To": "<x1@shop.example>"}),
        now=now,
    )
    assert email == InboundEmail(
        sender_name="Mario Rossi",
        sender_email="mario@example.it",
        subject="Pizza was cold",
        text="Hello,\nmy pizza arrived cold.",
        message_id="<m1@example.it>",
        in_reply_to="<x1@shop.example>",
        references=(),
        received_at=now,
        is_automatic=False,
    )


def test_an_html_only_email_becomes_readable_text(now: datetime) -> None:
    raw = crlf("""
From: Anna <anna@example.com>
Subject: Booking
Message-ID: <h1@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><title>x</title><style>p { color: red }</style></head><body>
<p>Hello&nbsp;there,</p><p>I&#39;d like a table for <b>4</b> &amp; a high chair.<br>Friday at 8?</p>
<ul><li>no nuts</li><li>window seat</li></ul>
<div>Thanks</div><div>Anna</div><script>alert(1)</script>
</body></html>
""")
    email = parse_email(raw, now=now)
    assert email.text == (
        "Hello there,\n\nI'd like a table for 4 & a high chair.\nFriday at 8?\n\n- no nuts\n- window seat\nThanks\nAnna"
    )


def test_plain_text_is_preferred_over_html_in_an_alternative(now: datetime) -> None:
    raw = crlf("""
From: a@example.com
Subject: Both
Message-ID: <alt@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

The plain words
--b1
Content-Type: text/html; charset=utf-8

<p>The <i>HTML</i> words</p>
--b1--
""")
    assert parse_email(raw, now=now).text == "The plain words"


def test_an_empty_plain_part_falls_back_to_the_html(now: datetime) -> None:
    raw = crlf("""
From: a@example.com
Subject: Both
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8


--b1
Content-Type: text/html; charset=utf-8

<p>Only here</p>
--b1--
""")
    assert parse_email(raw, now=now).text == "Only here"


def test_latin1_quoted_printable_and_an_encoded_subject(now: datetime) -> None:
    raw = crlf("""
From: =?iso-8859-1?q?Nicol=F2_Bianchi?= <nicolo@example.it>
Subject: =?iso-8859-1?q?Perch=E8_il_caff=E8_=E8_freddo=3F?=
Message-ID: <qp@example.it>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Buongiorno, il caff=E8 era freddo e la brioche gi=E0 vecchia. Vorrei un rimbor=
so, perch=E9 non =E8 la prima volta.
""")
    email = parse_email(raw, now=now)
    assert email.sender_name == "Nicolò Bianchi"
    assert email.subject == "Perchè il caffè è freddo?"
    assert email.text == (
        "Buongiorno, il caffè era freddo e la brioche già vecchia. Vorrei un rimborso, perché non è la prima volta."
    )


def test_windows_1252_sent_as_latin1_keeps_its_curly_quotes(now: datetime) -> None:
    headers = b"From: a@example.com\r\nSubject: q\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\n"
    raw = headers + b"\x93Ciao\x94 \x96 50\x80\r\n"
    assert parse_email(raw, now=now).text == "\u201cCiao\u201d \u2013 50\u20ac"


def test_base64_utf8(now: datetime) -> None:
    raw = crlf("""
From: a@example.com
Subject: =?utf-8?b?RGlzaCDwn42V?=
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

TGEgcGl6emEgw6ggYXJyaXZhdGEgZnJlZGRhIPCfjZUgKDIwIOKCrCk=
""")
    email = parse_email(raw, now=now)
    assert email.subject == "Dish 🍕"
    assert email.text == "La pizza è arrivata fredda 🍕 (20 €)"


def test_a_wrong_or_unknown_charset_degrades_instead_of_failing(now: datetime) -> None:
    unknown = b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=klingon\r\n\r\ncaff\xc3\xa8\r\n"
    assert parse_email(unknown, now=now).text == "caffè"
    lying = b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaff\xe8\r\n"
    assert parse_email(lying, now=now).text == "caffè"


GMAIL_REPLY_EN = """Yes, Friday works.

On Mon, Nov 30, 2026 at 8:00 AM Shop Help <help@shop.example>
wrote:

> Would Friday suit you?
>
> Shop
"""

GMAIL_REPLY_IT = """Va benissimo, grazie!

Il giorno lun 30 nov 2026 alle ore 08:00 Shop Help <help@shop.example> ha scritto:

> Le va bene venerdì?
"""

THUNDERBIRD_REPLY_IT = """Confermo.

Il 30/11/2026 08:00, Shop Help ha scritto:
> Conferma?
"""

OUTLOOK_REPLY = """Thanks, received.

-----Original Message-----
From: Shop Help <help@shop.example>
Sent: Monday, November 30, 2026 8:00 AM
Subject: [C-4] Your refund

Your refund is on its way.
"""

OUTLOOK_REPLY_IT = """Ricevuto.

________________________________
Da: Shop Help <help@shop.example>
Inviato: lunedì 30 novembre 2026 08:00
Oggetto: [C-4] Rimborso
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (GMAIL_REPLY_EN, "Yes, Friday works."),
        (GMAIL_REPLY_IT, "Va benissimo, grazie!"),
        (THUNDERBIRD_REPLY_IT, "Confermo."),
        (OUTLOOK_REPLY, "Thanks, received."),
        (OUTLOOK_REPLY_IT, "Ricevuto."),
        ("> earlier\n> more\n\nMy answer below the quote\n", "My answer below the quote"),
        ("On Friday I ordered a cake.\nIt never came.\n", "On Friday I ordered a cake.\nIt never came."),
        ("Il pacco è arrivato rotto.\nCosa faccio?\n", "Il pacco è arrivato rotto.\nCosa faccio?"),
        ("> all of it is a quote\n> really\n", "> all of it is a quote\n> really"),
    ],
    ids=["gmail-en", "gmail-it", "thunderbird-it", "outlook-en", "outlook-it", "bottom", "on-text", "il-text", "all"],
)
def test_quoted_history_is_trimmed(body: str, expected: str) -> None:
    assert trim_quoted(body) == expected


def test_a_reply_written_below_the_quote_keeps_the_words_after_it() -> None:
    body = "On Mon, Mario wrote:\n> question?\n\nMy answer.\n"
    assert trim_quoted(body) == "My answer."


def test_an_html_reply_with_a_gmail_quote_is_trimmed(now: datetime) -> None:
    raw = crlf("""
From: Anna <anna@example.com>
Subject: Re: [C-12] Booking
Content-Type: text/html; charset=utf-8

<div dir="ltr">Friday is fine.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Nov 30,
 2026 at 8:00 AM Shop &lt;help@shop.example&gt; wrote:<br></div><blockquote class="gmail_quote">Would Friday
 suit you?<br>Shop</blockquote></div>
""")
    assert parse_email(raw, now=now).text == "Friday is fine."


def test_html_blockquotes_become_quoted_lines() -> None:
    assert html_to_text("<p>Mine</p><blockquote>theirs<br>more</blockquote>") == "Mine\n\n> theirs\n> more"


def test_a_forwarded_email_keeps_the_forwarded_message(now: datetime) -> None:
    body = (
        "See below, from a customer.\n\n---------- Forwarded message ---------\nFrom: Luca <luca@example.it>\n"
        "Subject: Reso\n\n> The shoes are too small.\n"
    )
    email = parse_email(raw_email(subject="Fwd: Reso", body=body), now=now)
    assert "The shoes are too small." in email.text


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[C-17] Pizza was cold", 17),
        ("Re: [C-17] Pizza was cold", 17),
        ("R: [C-17] La pizza era fredda", 17),
        ("RE: R: Fwd: [c-017] x", 17),
        ("Fwd: C-17 follow-up", 17),
        ("I: Re: case C-9", 9),
        ("About C-5 and [C-6]", 6),
        ("Order ABC-17", None),
        ("C-3PO is here", None),
        ("lower c-17 bare", None),
        ("[C-0] nothing", None),
        ("Hello", None),
        ("", None),
    ],
)
def test_case_number_in_subject(subject: str, number: int | None) -> None:
    assert case_number_in(subject) == number


def test_thread_keys_are_in_reply_to_then_references_newest_first(now: datetime) -> None:
    raw = raw_email(
        headers={
            "In-Reply-To": "<c@shop.example>",
            "References": "<a@example.it>\r\n <b@shop.example> <c@shop.example>",
        }
    )
    email = parse_email(raw, now=now)
    assert email.references == ("<a@example.it>", "<b@shop.example>", "<c@shop.example>")
    assert thread_keys(email) == ("<c@shop.example>", "<b@shop.example>", "<a@example.it>")


def test_a_missing_message_id_is_generated_the_same_every_time(now: datetime) -> None:
    raw = raw_email(message_id=None)
    first, again = parse_email(raw, now=now), parse_email(raw, now=now)
    assert first.message_id.startswith("<")
    assert first.message_id.endswith(".invalid>")
    assert first.message_id == again.message_id
    assert parse_email(raw_email(message_id=None, body="other"), now=now).message_id != first.message_id


def test_a_message_id_without_brackets_is_normalised(now: datetime) -> None:
    assert parse_email(raw_email(message_id="abc@example.it"), now=now).message_id == "<abc@example.it>"


def test_reply_to_is_the_address_to_answer(now: datetime) -> None:
    raw = raw_email(sender="Website <noreply@shop.example>", headers={"Reply-To": "Giulia <giulia@example.it>"})
    email = parse_email(raw, now=now)
    assert (email.sender_name, email.sender_email) == ("Giulia", "giulia@example.it")


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("Mario <mario@example.it>", {"Auto-Submitted": "auto-replied"}),
        ("Mario <mario@example.it>", {"Auto-Submitted": "auto-generated"}),
        ("News <news@example.it>", {"Precedence": "bulk"}),
        ("List <list@example.it>", {"Precedence": "list"}),
        ("Junk <j@example.it>", {"Precedence": "junk"}),
        ("Mario <mario@example.it>", {"X-Autoreply": "yes"}),
        ("Mail Delivery Subsystem <MAILER-DAEMON@mx.example.it>", {}),
        ("Mario <mario@example.it>", {"Return-Path": "<>"}),
    ],
)
def test_auto_replies_and_bounces_are_flagged(sender: str, headers: dict[str, str], now: datetime) -> None:
    assert parse_email(raw_email(sender=sender, headers=headers), now=now).is_automatic


def test_auto_submitted_no_is_a_person(now: datetime) -> None:
    assert not parse_email(raw_email(headers={"Auto-Submitted": "no"}), now=now).is_automatic


def test_a_delivery_report_is_a_bounce(now: datetime) -> None:
    raw = crlf("""
From: postmaster@mx.example.it
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

Your message could not be delivered.
--r--
""")
    assert parse_email(raw, now=now).is_automatic


def test_an_email_over_5_mb_is_refused_with_a_clear_message(now: datetime) -> None:
    raw = raw_email(body="x" * (MAX_EMAIL_BYTES + 1))
    with pytest.raises(ValueError, match=r"over the 5 MB limit"):
        parse_email(raw, now=now)


def test_an_email_without_a_sender_is_refused(now: datetime) -> None:
    with pytest.raises(ValueError, match="no sender"):
        parse_email(b"Subject: who?\r\n\r\nbody\r\n", now=now)


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_email(raw_email(), now=datetime(2026, 1, 1))  # noqa: DTZ001 (the point of the test)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_an_email_or_a_value_error(raw: bytes) -> None:
    now = datetime.fromisoformat("2026-11-30T08:00:00+00:00")
    try:
        email = parse_email(b"From: a@example.com\r\n" + raw, now=now)
    except ValueError:
        return
    assert email.message_id.startswith("<")
    assert isinstance(email.text, str)
