"""An email as raw bytes → an `InboundEmail` the case service can use: who wrote, what they wrote (without the
quoted history), and the keys that tie it to a case (the `[C-17]` in the subject, the Message-IDs it replies to).

Pure: no I/O, no clock of its own ("now" is passed in), the stdlib `email` package with `policy.default`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

__all__ = [
    "MAX_EMAIL_BYTES",
    "EmailHandler",
    "InboundEmail",
    "case_number_in",
    "html_to_text",
    "normalize_message_id",
    "parse_email",
    "thread_keys",
    "trim_quoted",
]

MAX_EMAIL_BYTES = 5 * 1024 * 1024
"""Raw emails above this are refused: a customer case needs words, not a 40 MB scan."""


@dataclass(frozen=True, slots=True)
class InboundEmail:
    sender_name: str
    sender_email: str
    """The address to answer: the Reply-To when there is one (contact forms send From: noreply@…), else the From."""
    subject: str
    text: str
    """The new words only: quoted history trimmed; HTML-only emails converted to text."""
    message_id: str
    """With its angle brackets, e.g. "<abc@example.com>"; a stable one derived from the bytes when missing."""
    in_reply_to: str | None
    references: tuple[str, ...]
    received_at: datetime
    is_automatic: bool = False
    """An auto-reply, a bounce or bulk mail: not something a person wrote to the business."""


EmailHandler = Callable[[InboundEmail], Awaitable[None]]
"""What the IMAP poller and the SMTP listener call for each email (the case service's entry point)."""


def parse_email(raw: bytes, *, now: datetime) -> InboundEmail:
    """Parse one raw RFC 5322 email. Raises ValueError when it is too big or cannot be read as an email."""
    if now.tzinfo is None:
        raise ValueError("parse_email needs a timezone-aware 'now'")
    if len(raw) > MAX_EMAIL_BYTES:
        raise ValueError(
            f"email refused: {len(raw) / 1024 / 1024:.1f} MB is over the {MAX_EMAIL_BYTES // 1024 // 1024} MB limit"
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        sender_name, sender_address = _sender(message)
        subject = _unfold(_header(message, "Subject"))
        body = _body_text(message)
        message_id = normalize_message_id(_header(message, "Message-ID")) or _derived_message_id(raw)
        in_reply_to = _message_ids(_header(message, "In-Reply-To"))
        references = tuple(_message_ids(_header(message, "References")))
        automatic = _is_automatic(message, sender_address)
    except ValueError:
        raise
    except Exception as exc:  # the email package raises a zoo of errors on malformed input
        raise ValueError(f"email could not be read: {type(exc).__name__}: {exc}") from exc
    if not sender_address:
        raise ValueError("email has no sender address (no From or Reply-To header)")
    return InboundEmail(
        sender_name=sender_name,
        sender_email=sender_address,
        subject=subject,
        text=body if _is_forward(subject) else trim_quoted(body),
        message_id=message_id,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        received_at=now,
        is_automatic=automatic,
    )


# ---------------------------------------------------------------------------------------------- case keys


_BRACKETED_CASE = re.compile(r"\[\s*C-0*([1-9]\d{0,8})\s*\]", re.IGNORECASE)
_BARE_CASE = re.compile(r"(?<![\w-])C-0*([1-9]\d{0,8})(?![\w-])")


def case_number_in(subject: str) -> int | None:
    """The case number in a subject: "[C-17] …", "Re: [C-17] …", "R: Fwd: C-17 …" → 17; else None.

    The bracketed form wins and may be in either case; a bare "C-17" must be upper case and a word of its own,
    so "ABC-17", "C-3PO" and "c-17" are not case numbers."""
    found = _BRACKETED_CASE.search(subject) or _BARE_CASE.search(subject)
    return int(found.group(1)) if found else None


def thread_keys(email: InboundEmail) -> tuple[str, ...]:
    """The Message-IDs this email replies to (In-Reply-To first, then References newest first), without repeats:
    match them against the Message-IDs a case sent or received."""
    keys = [email.in_reply_to] if email.in_reply_to else []
    keys.extend(reversed(email.references))
    return tuple(dict.fromkeys(keys))


_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def normalize_message_id(value: str) -> str | None:
    """ "<abc@x>" (with the brackets, which is how Message-IDs are compared and stored), or None when empty."""
    found = _MESSAGE_ID.search(value)
    if found:
        return f"<{found.group(1)}>"
    bare = value.strip()
    return f"<{bare}>" if bare and not any(c.isspace() for c in bare) else None


def _message_ids(value: str) -> list[str]:
    found = [f"<{m}>" for m in _MESSAGE_ID.findall(value)]
    if found:
        return list(dict.fromkeys(found))
    single = normalize_message_id(value)
    return [single] if single else []


def _derived_message_id(raw: bytes) -> str:
    # Stable, so a message re-read after a crash gets the same id and the case side can de-duplicate it.
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@generated.ops-assistant.invalid>"


# ---------------------------------------------------------------------------------------------- headers


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return "" if value is None else str(value)


def _unfold(value: str) -> str:
    return " ".join(value.split())


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address): the Reply-To's address when present, the From's name as a fallback for it."""
    from_name, from_address = _first_address(_header(message, "From"))
    reply_name, reply_address = _first_address(_header(message, "Reply-To"))
    if reply_address:
        return reply_name or from_name, reply_address
    return from_name, from_address


def _first_address(value: str) -> tuple[str, str]:
    if not value:
        return "", ""
    for name, address in getaddresses([value]):
        if "@" in address:
            return _unfold(name), address.strip()
    name, address = parseaddr(value)
    return _unfold(name), address.strip() if "@" in address else ""


_AUTOMATIC_SENDERS = ("mailer-daemon@", "mailer_daemon@")


def _is_automatic(message: Message, sender_address: str) -> bool:
    """RFC 3834 Auto-Submitted (anything but "no"), Precedence bulk/junk/list, the usual vacation-responder
    headers, a bounce (MAILER-DAEMON, an empty Return-Path, a delivery-status report)."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if _header(message, "Precedence").strip().lower() in {"bulk", "junk", "list"}:
        return True
    if _header(message, "X-Autoreply").strip().lower() in {"yes", "true"} or message.get("X-Autorespond"):
        return True
    froms = (_header(message, "From").lower(), sender_address.lower())
    if any(marker in value for value in froms for marker in _AUTOMATIC_SENDERS):
        return True
    if _header(message, "Return-Path").strip() == "<>":
        return True
    return message.get_content_type() == "multipart/report"


# ---------------------------------------------------------------------------------------------- body


def _body_text(message: EmailMessage) -> str:
    """The text/plain body when it has words, else the text/html body as text, else ""."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        content = _decode_part(part)
        text = html_to_text(content) if kind == "html" else _normalize_lines(content)
        if text.strip():
            return text
    return ""


_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8"}
"""What senders declare vs what they send: "latin-1" mail is Windows-1252 in practice (HTML5 decodes it so)."""


def _decode_part(part: Message) -> str:
    """The part's text, its Content-Transfer-Encoding (base64, quoted-printable) and charset undone; a wrong or
    unknown charset degrades to UTF-8, then Windows-1252, never to an exception."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    declared = (part.get_content_charset() or "").lower()
    charsets = [_CHARSET_ALIASES.get(declared, declared)] if declared else []
    charsets += ["utf-8", "cp1252"]
    for charset in dict.fromkeys(charsets):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")  # every byte is a latin-1 character: the last resort cannot fail


def _normalize_lines(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _squeeze_blank_lines(lines)


def _squeeze_blank_lines(lines: Iterable[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip("\n")


# ---------------------------------------------------------------------------------------------- HTML → text


_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "div",
        "dl",
        "dt",
        "dd",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template"})
_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Tags stripped, entities decoded, block elements and <br> as line breaks (paragraphs as blank lines),
    <blockquote> as "> " lines (so the quoted-history trimming treats an HTML quote like a plain-text one), list
    items as "- ", the contents of <script>, <style> and <head> dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._depths: list[int] = [0]
        self._parts: list[list[str]] = [[]]
        self._quote_depth = 0
        self._skip_depth = 0
        self._pre_depth = 0

    def _newline(self) -> None:
        self._depths.append(self._quote_depth)
        self._parts.append([])

    def _break(self) -> None:
        """Be at the start of a line: a new one unless the current one is still empty."""
        if "".join(self._parts[-1]).strip():
            self._newline()
        else:
            self._depths[-1] = self._quote_depth

    def _block(self, tag: str) -> None:
        self._break()
        if tag == "p":
            self._newline()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            self._newline()
        elif tag in _BLOCK_TAGS:
            if tag == "blockquote":
                self._quote_depth += 1
            elif tag == "pre":
                self._pre_depth += 1
            self._block(tag)
            if tag == "li":
                self._parts[-1].append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._newline()
        elif tag in _BLOCK_TAGS:
            self._block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            elif tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            self._block(tag)
        elif tag in {"td", "th"}:
            self._parts[-1].append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            first, *rest = data.split("\n")
            self._parts[-1].append(first)
            for line in rest:
                self._newline()
                self._parts[-1].append(line)
            return
        self._parts[-1].append(_WHITESPACE.sub(" ", data))

    def text(self) -> str:
        rendered: list[str] = []
        for depth, parts in zip(self._depths, self._parts, strict=True):
            line = " ".join("".join(parts).replace("\xa0", " ").split())
            rendered.append(("> " * depth + line).rstrip())
        return _squeeze_blank_lines(rendered)


def html_to_text(html: str) -> str:
    """A readable plain-text version of an HTML email body (simple on purpose: no layout, just words and lines)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


# ---------------------------------------------------------------------------------------------- quoted history


_FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|r|aw|sv)\s*:\s*)*(?:fwd?|fw|i|inoltro|inoltra|tr|wg)\s*:", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^(?:on\s|il\s)", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:\bwrote|\bha\s+scritto|\bhanno\s+scritto)\s*:\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:original\s+message|messaggio\s+originale)\s*-{2,}\s*$|^\s*_{20,}\s*$", re.IGNORECASE
)
_ATTRIBUTION_MAX_LINES = 3
"""Gmail wraps a long "On Mon, … Mario Rossi <mario@…> wrote:" over two or three lines."""


def _is_forward(subject: str) -> bool:
    # A forwarded email's "quoted" part is the customer's own message: keep it whole.
    return bool(_FORWARD_SUBJECT.match(subject))


def trim_quoted(text: str) -> str:
    """The reply without the history below it: cut at the first "On … wrote:" / "Il giorno … ha scritto:" /
    "Il … ha scritto:" attribution or Outlook's "-----Original Message-----" (or its line of underscores), and drop
    every line starting with ">". A reply written below the quote (nothing above the attribution) keeps what follows
    it; when trimming would leave nothing (an email that is all quote), the text is kept as it was."""
    lines = text.split("\n")
    kept = lines
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _ORIGINAL_MESSAGE.match(stripped):
            kept = lines[:index]
            break
        span = _attribution_span(lines, index) if _ATTRIBUTION_START.match(stripped) else 0
        if span:
            above = lines[:index]
            has_words_above = any(x.strip() and not x.lstrip().startswith(">") for x in above)
            kept = above if has_words_above else lines[index + span :]
            break
    trimmed = _squeeze_blank_lines(x.rstrip() for x in kept if not x.lstrip().startswith(">")).strip()
    return trimmed or text.strip()


def _attribution_span(lines: list[str], start: int) -> int:
    """How many lines (1 to 3) from `start` make an attribution ending in "wrote:" / "ha scritto:", or 0."""
    joined = ""
    for offset, line in enumerate(lines[start : start + _ATTRIBUTION_MAX_LINES]):
        joined = f"{joined} {line.strip()}".strip()
        if _ATTRIBUTION_END.search(joined):
            return offset + 1
    return 0
