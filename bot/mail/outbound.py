"""Mail out by SMTP: replies to customers (what a person wrote with the Reply button, threaded under the customer's
email) and orders to suppliers (with the order's PDF and CSV attached).

The stdlib `smtplib` runs in a worker thread (`asyncio.to_thread`): replies are sent one at a time at human pace,
so a connection per message is fine; it is typed, well known and needs no dependency (aiosmtplib would add one
for no gain here). The body is UTF-8 in quoted-printable, so it passes any relay, with or without 8BITMIME.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from ssl import SSLContext, create_default_context

from bot.mail.inbound import case_number_in, normalize_message_id

__all__ = ["Attachment", "MailSendError", "SmtpSender", "reply_subject"]

# A file sent with a message: (file name, MIME type such as "application/pdf", content).
Attachment = tuple[str, str, bytes]


class MailSendError(Exception):
    """The relay refused the message or could not be reached; the message never holds the password."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SmtpSender:
    """Sends as `from_address` ("Shop <help@shop.example>" or "help@shop.example") through one relay.

    `starttls` upgrades a plain connection (port 587); `ssl=True` is TLS from the first byte (port 465). Login only
    when `user` is set (a relay on the same host often needs none)."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        from_address: str,
        starttls: bool = True,
        *,
        ssl: bool = False,
        ssl_context: SSLContext | None = None,
        timeout: float = 30.0,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        name, address = parseaddr(from_address)
        if "@" not in address:
            raise ValueError(f"the from address needs a domain: {from_address!r}")
        if ssl and starttls:
            raise ValueError("choose STARTTLS (port 587) or TLS from the start (port 465), not both")
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self.from_address = from_address
        try:
            self._from = Address(display_name=name, addr_spec=address)
        except Exception as exc:  # HeaderParseError is not a ValueError
            raise ValueError(f"not a usable from address: {from_address!r}") from exc
        self.starttls = starttls
        self.ssl = ssl
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._now = now

    def __repr__(self) -> str:  # no password in logs
        return f"SmtpSender({self.user or '-'}@{self.host}:{self.port}, starttls={self.starttls}, ssl={self.ssl})"

    @property
    def domain(self) -> str:
        return self._from.domain

    async def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        in_reply_to: str | None,
        references: tuple[str, ...],
        attachments: Sequence[Attachment] = (),
    ) -> str:
        """Send one message; returns the Message-ID it set ("<…@domain-of-from>"), to be kept on the case so the
        customer's answer to it finds the case again. Raises MailSendError when the relay refuses or is down."""
        message = self.build(
            to=to, subject=subject, text=text, in_reply_to=in_reply_to, references=references, attachments=attachments
        )
        await asyncio.to_thread(self._deliver, message)
        return str(message["Message-ID"])

    def build(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        in_reply_to: str | None,
        references: tuple[str, ...],
        attachments: Sequence[Attachment] = (),
    ) -> EmailMessage:
        """The message `send` sends (no I/O)."""
        for name, value in (("to", to), ("subject", subject)):
            if "\r" in value or "\n" in value:
                raise ValueError(f"a line break in the {name} header is not allowed")
        to_name, to_address = parseaddr(to)
        if "@" not in to_address:
            raise ValueError(f"not an email address: {to!r}")
        try:
            recipient = Address(display_name=to_name, addr_spec=to_address)
        except Exception as exc:  # HeaderParseError is not a ValueError
            raise ValueError(f"not an email address: {to!r}") from exc
        parent = normalize_message_id(in_reply_to) if in_reply_to else None
        # RFC 5322 §3.6.4: the parent's References followed by the parent's Message-ID.
        thread = [key for key in (normalize_message_id(r) for r in references) if key]
        if parent:
            thread.append(parent)
        message = EmailMessage()
        message["From"] = self._from
        message["To"] = recipient
        message["Subject"] = subject
        message["Date"] = format_datetime(self._now().astimezone(UTC))
        message["Message-ID"] = make_msgid(domain=self.domain)
        if parent:
            message["In-Reply-To"] = parent
        if thread:
            message["References"] = " ".join(dict.fromkeys(thread))
        message.set_content(text, charset="utf-8", cte="quoted-printable")
        for filename, mime_type, content in attachments:
            maintype, _, subtype = mime_type.partition("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
        return message

    def _deliver(self, message: EmailMessage) -> None:
        context = self._ssl_context or create_default_context()
        try:
            client = (
                smtplib.SMTP_SSL(self.host, self.port, timeout=self._timeout, context=context)
                if self.ssl
                else smtplib.SMTP(self.host, self.port, timeout=self._timeout)
            )
            with client:
                if self.starttls:
                    client.starttls(context=context)
                if self.user:
                    client.login(self.user, self._password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailSendError(f"{self!r}: the relay refused the recipient {message['To']}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailSendError(f"{self!r}: login refused ({exc.smtp_code})") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailSendError(f"{self!r}: sending failed: {exc}") from exc


_REPLY_PREFIXES = re.compile(r"^(?:\s*(?:re|r|aw|sv)\s*(?:\[\d+\])?\s*:)+\s*", re.IGNORECASE)


def reply_subject(subject: str, case_number: int) -> str:
    """The subject of a reply that finds its case again: "Re: [C-17] <the customer's subject>", without piling up
    "Re: R: Re:" or adding a second case tag."""
    text = _REPLY_PREFIXES.sub("", " ".join(subject.split()))
    if case_number_in(text) != case_number:
        text = f"[C-{case_number}] {text}".strip()
    return f"Re: {text}"
