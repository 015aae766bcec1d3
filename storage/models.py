"""The tables. Every row carries Slack's `team_id`, and every query filters by it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import TEAM_ID, USER_ID, Base
from storage.types import UTCDateTime


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    cases_channel: Mapped[str | None] = mapped_column(String(32))
    stock_channel: Mapped[str | None] = mapped_column(String(32))
    digest_channel: Mapped[str | None] = mapped_column(String(32))
    task_escalation_minutes: Mapped[int] = mapped_column(Integer)
    case_escalation_minutes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkspaceInstallRow(Base):
    """A workspace's life with the app. No row means installed (single-token mode, or before this was kept).

    The reminder engine reads `uninstalled_at` on every sweep (NOT EXISTS on the primary key of a tiny table).
    """

    __tablename__ = "workspace_installs"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its data is deleted unless it is reinstalled first (set on uninstall: + OPS_RETENTION_DAYS).
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoleGrantRow(Base):
    __tablename__ = "role_grants"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[str] = mapped_column(String(USER_ID))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserProfileRow(Base):
    """A cached copy of users.info, refreshed when older than the domain's PROFILE_TTL."""

    __tablename__ = "user_profiles"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    is_owner: Mapped[bool] = mapped_column(Boolean)
    is_bot: Mapped[bool] = mapped_column(Boolean)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HomeTabRow(Base):
    """Someone who has opened the bot's Home tab: only their Home is republished after a change (for anyone
    else there is no Home to bring up to date, and the first opening builds it fresh)."""

    __tablename__ = "home_tabs"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID), primary_key=True)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditLogRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    actor: Mapped[str] = mapped_column(String(USER_ID))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedRequest(Base):
    """Keys of events and interactions already handled, so a Slack retry has no second effect."""

    __tablename__ = "processed_requests"
    __table_args__ = (Index("ix_processed_requests_received_at", "received_at"),)

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    request_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScheduleRow(Base):
    """Something that fires at a time or on a recurrence: the reminder engine's source of truth."""

    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_due", "next_fire_utc"),
        Index("ix_schedules_team_recipient", "team_id", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(USER_ID))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    rrule: Mapped[str | None] = mapped_column(Text)
    zone: Mapped[str] = mapped_column(String(64))
    # The wall-clock start of a recurrence in `zone` ("2026-12-01T08:00"): naive on purpose, it is local time.
    local_start: Mapped[str | None] = mapped_column(String(32))
    next_fire_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryRow(Base):
    """One occurrence of a schedule to be posted; claimed with a lease so it is sent exactly once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_ready", "status", "next_attempt_utc"),
        Index("ix_deliveries_team_recipient", "team_id", "recipient", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    schedule_id: Mapped[int] = mapped_column(Integer, ForeignKey("schedules.id", ondelete="CASCADE"))
    occurrence_key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(USER_ID))
    due_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a claim found the previous attempt's lease expired: it may have posted before dying, so the
    # dispatcher looks for the occurrence key in Slack before posting again.
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
