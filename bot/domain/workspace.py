"""A workspace's settings, with their defaults and the rules each value must follow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidRequest
from bot.domain.ids import ChannelId, TeamId
from bot.domain.language import LANGUAGES, Language
from bot.domain.messages import Msg

MIN_ESCALATION = timedelta(minutes=5)
MAX_ESCALATION = timedelta(days=7)


class Setting(StrEnum):
    TIMEZONE = "timezone"
    LANGUAGE = "language"
    CASES_CHANNEL = "cases-channel"
    STOCK_CHANNEL = "stock-channel"
    DIGEST_CHANNEL = "digest-channel"
    TASK_ESCALATION = "task-escalation"
    CASE_ESCALATION = "case-escalation"


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    team: TeamId
    timezone: str
    language: Language
    cases_channel: ChannelId | None = None
    stock_channel: ChannelId | None = None
    digest_channel: ChannelId | None = None
    task_escalation: timedelta = timedelta(hours=1)
    case_escalation: timedelta = timedelta(hours=1)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def defaults(cls, team: TeamId, *, timezone: str, language: Language) -> WorkspaceSettings:
        return cls(team=team, timezone=timezone, language=language)

    def value_of(self, setting: Setting) -> str | Language | ChannelId | timedelta | None:
        return {
            Setting.TIMEZONE: self.timezone,
            Setting.LANGUAGE: self.language,
            Setting.CASES_CHANNEL: self.cases_channel,
            Setting.STOCK_CHANNEL: self.stock_channel,
            Setting.DIGEST_CHANNEL: self.digest_channel,
            Setting.TASK_ESCALATION: self.task_escalation,
            Setting.CASE_ESCALATION: self.case_escalation,
        }[setting]

    def with_value(self, setting: Setting, value: str | ChannelId | timedelta | None) -> WorkspaceSettings:
        """A copy with one setting changed; the parser has already turned the text into the right type."""
        match setting:
            case Setting.TASK_ESCALATION | Setting.CASE_ESCALATION:
                if not isinstance(value, timedelta) or not MIN_ESCALATION <= value <= MAX_ESCALATION:
                    raise InvalidRequest(
                        Msg.of("config.error.escalation_range"), example=Msg.of("config.example.escalation")
                    )
                if setting is Setting.TASK_ESCALATION:
                    return replace(self, task_escalation=value)
                return replace(self, case_escalation=value)
            case Setting.TIMEZONE:
                return replace(self, timezone=_text(value))
            case Setting.LANGUAGE:
                language = _text(value)
                if language not in LANGUAGES:
                    raise InvalidRequest(Msg.of("config.error.language"), example=Msg.of("config.example.language"))
                return replace(self, language=language)
            case Setting.CASES_CHANNEL:
                return replace(self, cases_channel=_channel(value))
            case Setting.STOCK_CHANNEL:
                return replace(self, stock_channel=_channel(value))
            case Setting.DIGEST_CHANNEL:
                return replace(self, digest_channel=_channel(value))


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"expected text, got {value!r}")
    return value


def _channel(value: object) -> ChannelId | None:
    """None turns the channel off."""
    return None if value is None else ChannelId(_text(value))
