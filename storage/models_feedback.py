"""Tables of feedback and the suggestion box: customers' feedback recorded by staff, staff's anonymous
suggestions, and each workspace's suggestion counter for the numbers managers use (`/ops suggest done 3`).

A suggestion row has no author column on purpose, and only the local day it was made, not the time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class FeedbackRow(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    # ",service,food,": each tag between commas, as tasks keep theirs.
    tags: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="")  # in_person | phone | email | review | "" not said
    # The member of staff who recorded it; the feedback is the customer's.
    recorded_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SuggestionRow(Base):
    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_suggestions_team_number"),
        Index("ix_suggestions_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # The workspace's local day only: an exact time could be matched against who was on shift.
    created_on: Mapped[date] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(8))  # open | done
    closed_by: Mapped[str | None] = mapped_column(String(USER_ID))  # the manager who closed it
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SuggestionCounterRow(Base):
    __tablename__ = "suggestion_counters"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
