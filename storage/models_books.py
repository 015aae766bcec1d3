"""Tables of the books: entries (append-only: rows are inserted, never updated or deleted), receipts pointing at
entries, petty cash counts, each workspace's currency and its entry counter.

Amounts are whole minor units of their currency (cents for EUR, yen for JPY) in a BIGINT, so the database adds
them up exactly on SQLite too (a SQLite NUMERIC is a float).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class BookEntryRow(Base):
    __tablename__ = "book_entries"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_book_entries_team_number"),
        # A reversal is made once: of two corrections of the same entry at once, one is stored.
        UniqueConstraint("team_id", "reverses", name="uq_book_entries_team_reverses"),
        # The monthly summary reads only this index (a covering index: no table lookups).
        Index("ix_book_entries_team_month", "team_id", "occurred_on", "currency", "kind", "category", "amount_minor"),
        Index("ix_book_entries_team_recorder", "team_id", "recorded_by", "number"),
        Index("ix_book_entries_team_cash", "team_id", "currency", "cash", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)  # per workspace, as people name entries (#17)
    kind: Mapped[str] = mapped_column(String(8))  # income | expense
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # negative for a reversal
    currency: Mapped[str] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    cash: Mapped[bool] = mapped_column(Boolean, default=False)  # paid or taken in petty cash
    occurred_on: Mapped[date] = mapped_column(Date())  # the day it belongs to, on the shop's calendar
    case_number: Mapped[int | None] = mapped_column(Integer)  # a refund or voucher offered on customer case C-n
    reverses: Mapped[int | None] = mapped_column(Integer)  # the number of the entry this one reverses
    recorded_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookReceiptRow(Base):
    """A receipt for an entry: the Slack file shared with the bot (its bytes stay in Slack)."""

    __tablename__ = "book_receipts"
    __table_args__ = (Index("ix_book_receipts_team_entry", "team_id", "entry_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    entry_number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)  # the file's permalink
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    added_by: Mapped[str] = mapped_column(String(USER_ID))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookCashCountRow(Base):
    __tablename__ = "book_cash_counts"
    __table_args__ = (Index("ix_book_cash_counts_team_currency", "team_id", "currency", "counted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    currency: Mapped[str] = mapped_column(String(3))
    counted_minor: Mapped[int] = mapped_column(BigInteger)
    expected_minor: Mapped[int] = mapped_column(BigInteger)  # the difference is counted - expected
    counted_by: Mapped[str] = mapped_column(String(USER_ID))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookSettingsRow(Base):
    """The workspace's currency for the books (EUR when there is no row)."""

    __tablename__ = "book_settings"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    updated_by: Mapped[str] = mapped_column(String(USER_ID))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BookCounterRow(Base):
    __tablename__ = "book_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
