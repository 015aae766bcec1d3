"""Replies sent by SMTP to a real SMTP sink on loopback, read back with the stdlib parser."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from bot.mail.inbound import case_number_in, parse_email, thread_keys
from bot.mail.outbound import MailSendError, SmtpSender, reply_subject
from tests.mail.conftest import Tls
from tests.mail.servers import SmtpSink, local_smtp_sink, raw_email


def read(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def sender_for(sink: SmtpSink, now: datetime, **options: object) -> SmtpSender:
    return SmtpSender(
        sink.host,
        sink.port,
        "",
        "",
        "Trattoria Da Gino <aiuto@trattoria.example>",
        starttls=False,
        now=lambda: now,
        **options,  # type: ignore[arg-type]
    )


async def test_a_reply_arrives_threaded_with_the_right_headers(smtp_sink: SmtpSink, now: datetime) -> None:
    sender = sender_for(smtp_sink, now)

    message_id = await sender.send(
        to="Nicolò Bianchi <nicolo@example.it>",
        subject="Re: [C-17] Perchè il caffè è freddo?",
        text="Ci scusiamo: la prossima colazione è offerta da noi.\nGino",
        in_reply_to="<orig@example.it>",
        references=("<first@example.it>",),
    )

    (raw,) = smtp_sink.messages
    message = read(raw)
    assert message["From"] == "Trattoria Da Gino <aiuto@trattoria.example>"
    assert message["To"] == "Nicolò Bianchi <nicolo@example.it>"
    assert message["Subject"] == "Re: [C-17] Perchè il caffè è freddo?"
    assert message["Date"].datetime == now
    assert message["Message-ID"] == message_id
    assert message_id.startswith("<")
    assert message_id.endswith("@trattoria.example>")
    assert message["In-Reply-To"] == "<orig@example.it>"
    assert message["References"] == "<first@example.it> <orig@example.it>"
    assert message["Auto-Submitted"] is None  # a person's reply, not an auto-reply
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == "Ci scusiamo: la prossima colazione è offerta da noi.\nGino\n"
    assert raw.isascii()  # headers RFC 2047-encoded, body quoted-printable: any relay takes it
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]


async def test_each_reply_gets_its_own_message_id(smtp_sink: SmtpSink, now: datetime) -> None:
    sender = sender_for(smtp_sink, now)
    ids = {
        await sender.send(to="a@example.it", subject="x", text="y", in_reply_to=None, references=()) for _ in range(3)
    }
    assert len(ids) == 3
    assert all(read(raw)["In-Reply-To"] is None and read(raw)["References"] is None for raw in smtp_sink.messages)


async def test_the_customers_answer_to_a_reply_finds_the_case_again(smtp_sink: SmtpSink, now: datetime) -> None:
    customer = parse_email(raw_email(subject="Pizza was cold", message_id="<c1@example.it>"), now=now)
    our_id = await sender_for(smtp_sink, now).send(
        to=customer.sender_email,
        subject=reply_subject(customer.subject, 17),
        text="Sorry! A voucher is on its way.",
        in_reply_to=customer.message_id,
        references=customer.references,
    )
    ours = read(smtp_sink.messages[0])

    answer = parse_email(
        raw_email(
            subject=f"Re: {ours['Subject']}",
            message_id="<c2@example.it>",
            headers={"In-Reply-To": our_id, "References": f"{ours['References']} {our_id}"},
        ),
        now=now,
    )
    assert case_number_in(answer.subject) == 17
    assert thread_keys(answer) == (our_id, "<c1@example.it>")


async def test_starttls_and_login(tls: Tls, now: datetime) -> None:
    async with local_smtp_sink(tls_context=tls.server, login=("gino", "pw-1")) as sink:
        sender = SmtpSender(
            sink.host, sink.port, "gino", "pw-1", "aiuto@trattoria.example", starttls=True, ssl_context=tls.client
        )
        await sender.send(to="a@example.it", subject="TLS", text="hi", in_reply_to=None, references=())
    assert len(sink.messages) == 1


async def test_tls_from_the_first_byte(tls: Tls, now: datetime) -> None:
    async with local_smtp_sink(tls_context=tls.server, implicit_tls=True, login=("gino", "pw-1")) as sink:
        sender = SmtpSender(
            sink.host,
            sink.port,
            "gino",
            "pw-1",
            "aiuto@trattoria.example",
            starttls=False,
            ssl=True,
            ssl_context=tls.client,
        )
        await sender.send(to="a@example.it", subject="TLS", text="hi", in_reply_to=None, references=())
    assert len(sink.messages) == 1


async def test_a_refused_login_is_a_send_error_without_the_password(tls: Tls) -> None:
    async with local_smtp_sink(tls_context=tls.server, login=("gino", "pw-1")) as sink:
        sender = SmtpSender(
            sink.host, sink.port, "gino", "hunter2", "aiuto@trattoria.example", starttls=True, ssl_context=tls.client
        )
        with pytest.raises(MailSendError, match="login refused") as failure:
            await sender.send(to="a@example.it", subject="x", text="y", in_reply_to=None, references=())
    assert "hunter2" not in str(failure.value)
    assert sink.messages == []


async def test_an_untrusted_relay_certificate_is_a_send_error(tls: Tls) -> None:
    async with local_smtp_sink(tls_context=tls.server) as sink:
        sender = SmtpSender(sink.host, sink.port, "", "", "aiuto@trattoria.example", starttls=True, timeout=2)
        with pytest.raises(MailSendError, match="CERTIFICATE_VERIFY_FAILED"):
            await sender.send(to="a@example.it", subject="x", text="y", in_reply_to=None, references=())
    assert sink.messages == []


async def test_a_relay_that_is_down_is_a_send_error(now: datetime) -> None:
    async with local_smtp_sink() as sink:
        sender = sender_for(sink, now, timeout=2)
    with pytest.raises(MailSendError, match="sending failed"):
        await sender.send(to="a@example.it", subject="x", text="y", in_reply_to=None, references=())


@pytest.mark.parametrize(
    ("to", "subject"),
    [("a@example.it\r\nBcc: all@example.it", "x"), ("a@example.it", "x\r\nBcc: all@example.it"), ("nobody", "x")],
)
def test_header_injection_and_bad_addresses_are_refused(to: str, subject: str, now: datetime) -> None:
    sender = SmtpSender("127.0.0.1", 25, "", "", "aiuto@trattoria.example", starttls=False, now=lambda: now)
    with pytest.raises(ValueError, match=r"line break|not an email address"):
        sender.build(to=to, subject=subject, text="y", in_reply_to=None, references=())


def test_a_from_address_needs_a_domain() -> None:
    with pytest.raises(ValueError, match="domain"):
        SmtpSender("127.0.0.1", 25, "", "", "gino", starttls=False)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Pizza was cold", "Re: [C-17] Pizza was cold"),
        ("Re: Pizza was cold", "Re: [C-17] Pizza was cold"),
        ("R: RE: [C-17] La pizza", "Re: [C-17] La pizza"),
        ("[C-17] Already tagged", "Re: [C-17] Already tagged"),
        ("Re: [C-4] another case's tag", "Re: [C-17] [C-4] another case's tag"),
        ("", "Re: [C-17]"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject, 17) == expected
