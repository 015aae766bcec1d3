"""What a customer case is: a question or a complaint, from whoever and however it arrived, with a severity that
sets its response targets, an assignee, and a history of every change, message and email.

Lifecycle: open → in progress → waiting on customer → resolved → closed, and reopen (from resolved or closed
back to in progress). The first response is the first move by staff after it opened (taking it, replying,
resolving); targets are counted from the case's creation.

This module holds the values and the rules; `bot.domain.case_service` is the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.domain.ids import ChannelId, TeamId, UserId

MAX_DESCRIPTION = 3000
MAX_NAME = 120
MAX_CATEGORY = 40
CASE_ID = re.compile(r"^[Cc]-?(\d{1,9})$")


class CaseKind(StrEnum):
    COMPLAINT = "complaint"
    QUESTION = "question"


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # on the customer
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        return self in (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


class Severity(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class ArrivedBy(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    REVIEW = "review"
    SLACK = "slack"


class Offer(StrEnum):
    REFUND = "refund"
    VOUCHER = "voucher"
    APOLOGY = "apology"
    REPLACEMENT = "replacement"
    NOTHING = "nothing"

    @property
    def is_money(self) -> bool:
        return self in (Offer.REFUND, Offer.VOUCHER)


class NoteKind(StrEnum):
    CREATED = "created"
    STATUS = "status"
    NOTE = "note"
    ASSIGNED = "assigned"
    EMAIL_IN = "email_in"
    EMAIL_OUT = "email_out"
    FOLLOW_UP = "follow_up"
    RESOLVED = "resolved"
    FORGOTTEN = "forgotten"


# Defaults: (first response, resolution) by severity. Editable per workspace later; these are the issue's.
TARGETS: dict[Severity, tuple[timedelta, timedelta]] = {
    Severity.HIGH: (timedelta(hours=1), timedelta(hours=24)),
    Severity.NORMAL: (timedelta(hours=4), timedelta(days=3)),
    Severity.LOW: (timedelta(days=1), timedelta(days=7)),
}
# Reminded this long before a target is missed.
WARN_BEFORE = timedelta(minutes=15)
WAITING_NUDGE_AFTER = timedelta(days=3)
WAITING_CLOSE_AFTER = timedelta(days=7)


def case_label(number: int) -> str:
    return f"C-{number}"


def parse_case_id(text: str) -> int | None:
    found = CASE_ID.match(text.strip().lstrip("#"))
    return int(found.group(1)) if found else None


def mask_email(email: str) -> str:
    """`anna@example.com` → `a***@example.com`: enough to recognise, not enough to contact."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    digits = [c for c in phone if c.isdigit()]
    return "***" + "".join(digits[-2:]) if digits else ""


@dataclass(frozen=True, slots=True)
class Customer:
    name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.email)

    def masked(self) -> Customer:
        """What people outside the cases channel (and not managers) see."""
        words = self.name.split()
        name = words[0] + (" \u2026" if len(words) > 1 else "") if words else ""
        return Customer(name, mask_phone(self.phone), mask_email(self.email) if self.email else "")


@dataclass(frozen=True, slots=True)
class CaseDraft:
    team: TeamId
    kind: CaseKind
    description: str
    customer: Customer
    arrived_by: ArrivedBy
    severity: Severity
    category: str
    created_by: UserId
    source_channel: ChannelId | None = None
    source_ts: str | None = None
    email_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    kind: NoteKind
    author: str  # a Slack user id, or "" for the customer or the bot
    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    team: TeamId
    number: int
    kind: CaseKind
    status: CaseStatus
    severity: Severity
    category: str
    arrived_by: ArrivedBy
    customer: Customer
    description: str
    assignee: UserId | None
    created_by: UserId
    created_at: datetime
    respond_by: datetime
    resolve_by: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    waiting_since: datetime | None = None
    resolution_note: str = ""
    offer: Offer | None = None
    offer_amount: Decimal | None = None
    follow_up_at: datetime | None = None
    follow_up_outcome: str = ""
    satisfaction: int | None = None
    source_channel: ChannelId | None = None
    source_ts: str | None = None
    post_channel: ChannelId | None = None
    post_ts: str | None = None
    email_message_id: str | None = None
    forgotten: bool = False
    response_missed_alerted: bool = False
    resolution_missed_alerted: bool = False

    @property
    def label(self) -> str:
        return case_label(self.number)

    def overdue(self, now: datetime) -> bool:
        if not self.status.is_active:
            return False
        return (self.first_response_at is None and now > self.respond_by) or now > self.resolve_by


@dataclass(frozen=True, slots=True)
class CaseRules:
    """A workspace's targets by severity, how long a case waits on the customer before a nudge and before it
    closes itself, and the emoji that turns a message into a case."""

    targets: dict[Severity, tuple[timedelta, timedelta]]
    waiting_nudge: timedelta = WAITING_NUDGE_AFTER
    waiting_close: timedelta = WAITING_CLOSE_AFTER
    reaction: str = "ticket"

    @classmethod
    def defaults(cls) -> CaseRules:
        return cls(dict(TARGETS))

    @classmethod
    def from_minutes(
        cls, minutes: dict[Severity, tuple[int, int]], *, nudge: int, close: int, reaction: str
    ) -> CaseRules:
        targets = {s: (timedelta(minutes=a), timedelta(minutes=b)) for s, (a, b) in minutes.items()}
        return cls(targets, timedelta(minutes=nudge), timedelta(minutes=close), reaction)

    def as_minutes(self) -> dict[Severity, tuple[int, int]]:
        return {s: (int(a.total_seconds() // 60), int(b.total_seconds() // 60)) for s, (a, b) in self.targets.items()}
