"""Tables of customer cases: the case (a question or a complaint), its notes (every change, message and email,
in order), and each workspace's case counter for the short ids people say (C-17)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_cases_team_number"),
        # One case per Slack message it was made from (a second :ticket: makes no second case).
        UniqueConstraint("team_id", "source_channel", "source_ts", name="uq_cases_team_source"),
        Index("ix_cases_team_status", "team_id", "status"),
        Index("ix_cases_team_created", "team_id", "created_at"),
        Index("ix_cases_team_email", "team_id", "customer_email"),
        # The weekly digest counts cases resolved, or closed without being resolved, per day.
        Index("ix_cases_team_resolved", "team_id", "resolved_at"),
        Index("ix_cases_team_closed", "team_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # complaint | question
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(40))
    arrived_by: Mapped[str] = mapped_column(String(16))  # in_person | phone | email | chat | review | slack
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_phone: Mapped[str] = mapped_column(String(40))
    customer_email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(USER_ID))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The targets as they were set when the case opened (by its severity then).
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime())
    resolve_by: Mapped[datetime] = mapped_column(UTCDateTime())
    response_missed_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_missed_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    offer: Mapped[str] = mapped_column(String(16), default="")  # refund | voucher | apology | replacement | nothing
    offer_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_outcome: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    # The Slack message the case was made from (shortcut or reaction), and its post in the cases channel.
    source_channel: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    post_channel: Mapped[str | None] = mapped_column(String(32))
    post_ts: Mapped[str | None] = mapped_column(String(32))
    # The Message-ID of the email that opened it: replies thread on it.
    email_message_id: Mapped[str | None] = mapped_column(String(255))
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseNoteRow(Base):
    """One line of a case's history: a status change, a note, an email in or out, a reply."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_team_case", "team_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    case_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(USER_ID))  # a Slack user, or "" for the customer or the bot
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    email_message_id: Mapped[str | None] = mapped_column(String(255))


class CaseCounterRow(Base):
    __tablename__ = "case_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class CaseSettingsRow(Base):
    """A workspace's case rules; without a row the defaults of `bot.domain.cases` apply."""

    __tablename__ = "case_settings"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    # Minutes to first response and to resolution, by severity.
    high_respond: Mapped[int] = mapped_column(Integer)
    high_resolve: Mapped[int] = mapped_column(Integer)
    normal_respond: Mapped[int] = mapped_column(Integer)
    normal_resolve: Mapped[int] = mapped_column(Integer)
    low_respond: Mapped[int] = mapped_column(Integer)
    low_resolve: Mapped[int] = mapped_column(Integer)
    waiting_nudge_minutes: Mapped[int] = mapped_column(Integer)
    waiting_close_minutes: Mapped[int] = mapped_column(Integer)
    reaction: Mapped[str] = mapped_column(String(64))
