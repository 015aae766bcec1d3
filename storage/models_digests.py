"""Digest subscriptions: a channel's daily or weekly digest, or a person's morning DM, each with its own
schedule in the reminder engine (so it posts exactly once per period, late if the bot was down)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class DigestSubscriptionRow(Base):
    __tablename__ = "digest_subscriptions"
    __table_args__ = (UniqueConstraint("team_id", "target", "kind", name="uq_digest_subscriptions_target_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    # A channel for daily and weekly digests, a user for the personal one.
    target: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # daily | weekly | personal
    local_time: Mapped[str] = mapped_column(String(5))  # "08:00" on the wall clock of `zone`
    weekday: Mapped[int | None] = mapped_column(Integer)  # weekly: 0 = Monday
    zone: Mapped[str] = mapped_column(String(64))
    sections: Mapped[str] = mapped_column(String(200))  # comma-separated; "" = all
    skip_quiet: Mapped[bool] = mapped_column(Boolean)
    schedule_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
