"""Email for customer cases: a clean transport layer the case service calls (no Slack, no database here).

In:  `ImapMailbox` + `poll_once` read a mailbox (polled), or `SmtpIntake` receives forwarded mail on a local SMTP
     port; both turn each email into an `InboundEmail` (`parse_email`) and await one handler, the case service's.
     `case_number_in(subject)` and `thread_keys(email)` tell which case an email belongs to.
Out: `SmtpSender.send(...)` sends a reply written in Slack and returns its Message-ID (kept on the case).

Settings (read by bot/config.py and passed in by bot/app.py; secrets from the environment only):

| variable              | meaning                                                         | default   |
| --------------------- | --------------------------------------------------------------- | --------- |
| OPS_IMAP_HOST         | IMAP server to poll; unset = no mailbox polling                 | (unset)   |
| OPS_IMAP_PORT         | its port                                                        | 993       |
| OPS_IMAP_USER         | login                                                           |           |
| OPS_IMAP_PASSWORD     | password (an app password where the provider has them)          |           |
| OPS_IMAP_FOLDER       | folder to read (ASCII name)                                     | INBOX     |
| OPS_IMAP_SSL          | TLS from the first byte (993); false = plain IMAP (143)         | true      |
| OPS_SMTP_HOST         | relay for replies; unset = replies are kept as notes only       | (unset)   |
| OPS_SMTP_PORT         | its port                                                        | 587       |
| OPS_SMTP_USER         | login; empty = no AUTH (a relay on the same host)               |           |
| OPS_SMTP_PASSWORD     | password                                                        |           |
| OPS_SMTP_FROM         | the From of replies, "Shop <help@shop.example>"; its domain     | (needed)  |
|                       | is the Message-ID's                                             |           |
| OPS_SMTP_STARTTLS     | STARTTLS on the plain connection (587)                          | true      |
| OPS_SMTP_SSL          | proposed: TLS from the first byte instead (465)                 | false     |
| OPS_SMTP_INTAKE_PORT  | port of the built-in SMTP listener; unset = no listener         | (unset)   |
| OPS_SMTP_INTAKE_HOST  | proposed: the interface it binds (keep it loopback or private)  | 127.0.0.1 |
| OPS_SMTP_INTAKE_RCPTS | proposed: comma-separated addresses it accepts; empty = any     |           |

Wiring sketch (bot/app.py):
    sender = SmtpSender(host, port, user, password, from_address, starttls)     # the case service's Mailer
    mailbox = ImapMailbox(host, port, user, password, folder, ssl)
    handled = await poll_once(mailbox, cases_handle, now=clock.now)            # from a scheduler job
    intake = SmtpIntake(cases_handle, host="127.0.0.1", port=2525, recipients=["help@shop.example"])
    await intake.start() ... await intake.stop()
"""

from __future__ import annotations

from bot.mail.imap import ImapMailbox, Mailbox, MailboxError, poll_once
from bot.mail.inbound import (
    MAX_EMAIL_BYTES,
    EmailHandler,
    InboundEmail,
    case_number_in,
    html_to_text,
    normalize_message_id,
    parse_email,
    thread_keys,
    trim_quoted,
)
from bot.mail.outbound import MailSendError, SmtpSender, reply_subject
from bot.mail.smtp_intake import SmtpIntake

__all__ = [
    "MAX_EMAIL_BYTES",
    "EmailHandler",
    "ImapMailbox",
    "InboundEmail",
    "MailSendError",
    "Mailbox",
    "MailboxError",
    "SmtpIntake",
    "SmtpSender",
    "case_number_in",
    "html_to_text",
    "normalize_message_id",
    "parse_email",
    "poll_once",
    "reply_subject",
    "thread_keys",
    "trim_quoted",
]
