"""`/ops role`, `/ops config`, `/ops audit` and `/ops help` text → typed requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from zoneinfo import available_timezones

from bot.domain.ids import ChannelId, UserId
from bot.domain.language import LANGUAGES, Language
from bot.domain.messages import Msg
from bot.domain.roles import Role
from bot.domain.workspace import Setting
from bot.parsing.errors import ParseError
from bot.parsing.tokens import channel_mention, closest, duration, split_first, user_mention, words

ROLE_WORDS: dict[str, Role] = {
    "admin": Role.ADMIN,
    "amministratore": Role.ADMIN,
    "manager": Role.MANAGER,
    "responsabile": Role.MANAGER,
    "staff": Role.STAFF,
    "personale": Role.STAFF,
}
SETTING_WORDS: dict[str, Setting] = {
    **{setting.value: setting for setting in Setting},
    "tz": Setting.TIMEZONE,
    "fuso": Setting.TIMEZONE,
    "lingua": Setting.LANGUAGE,
    "lang": Setting.LANGUAGE,
}
LANGUAGE_WORDS: dict[str, Language] = {
    "en": "en",
    "english": "en",
    "inglese": "en",
    "it": "it",
    "italian": "it",
    "italiano": "it",
}
OFF_WORDS = frozenset({"off", "none", "no", "nessuno"})
MAX_AUDIT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ShowRoles:
    """`/ops role` alone: who holds which role."""


@dataclass(frozen=True, slots=True)
class AssignRole:
    user: UserId
    role: Role


@dataclass(frozen=True, slots=True)
class ShowConfig:
    """`/ops config` alone: the workspace's settings."""


@dataclass(frozen=True, slots=True)
class ChangeConfig:
    setting: Setting
    value: str | ChannelId | timedelta | None


@dataclass(frozen=True, slots=True)
class ShowAudit:
    limit: int


@dataclass(frozen=True, slots=True)
class ShowHelp:
    topic: str | None


def parse_role(text: str) -> ShowRoles | AssignRole:
    parts = words(text)
    if not parts:
        return ShowRoles()
    if len(parts) != 2:
        raise ParseError(Msg.of("role.error.usage"), example=Msg.of("role.example.assign"))
    user = user_mention(parts[0])
    if user is None:
        raise ParseError(Msg.of("role.error.not_a_person", text=parts[0]), example=Msg.of("role.example.assign"))
    role = ROLE_WORDS.get(parts[1].lower())
    if role is None:
        raise ParseError(
            Msg.of("role.error.unknown_role", text=parts[1], roles=", ".join(r.value for r in Role)),
            example=Msg.of("role.example.assign"),
        )
    return AssignRole(user=user, role=role)


@cache
def _zones_by_lowercase() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def parse_config(text: str) -> ShowConfig | ChangeConfig:
    name, value = split_first(text)
    if not name:
        return ShowConfig()
    setting = SETTING_WORDS.get(name)
    if setting is None:
        suggestion = closest(name, list(SETTING_WORDS))
        settings = ", ".join(s.value for s in Setting)
        message = (
            Msg.of("config.error.unknown_setting_with_suggestion", text=name, settings=settings, suggestion=suggestion)
            if suggestion
            else Msg.of("config.error.unknown_setting", text=name, settings=settings)
        )
        raise ParseError(message, example=Msg.of("config.example.timezone"))
    if not value:
        raise ParseError(Msg.of("config.error.missing_value", setting=setting.value), example=_example(setting))
    return ChangeConfig(setting=setting, value=_setting_value(setting, value))


def _example(setting: Setting) -> Msg:
    return Msg.of(
        {
            Setting.TIMEZONE: "config.example.timezone",
            Setting.LANGUAGE: "config.example.language",
            Setting.TASK_ESCALATION: "config.example.escalation",
            Setting.CASE_ESCALATION: "config.example.escalation",
        }.get(setting, "config.example.channel")
    )


def _setting_value(setting: Setting, value: str) -> str | ChannelId | timedelta | None:
    match setting:
        case Setting.TIMEZONE:
            zone = _zones_by_lowercase().get(value.strip().lower())
            if zone is None:
                raise ParseError(Msg.of("config.error.timezone", text=value), example=_example(setting))
            return zone
        case Setting.LANGUAGE:
            language = LANGUAGE_WORDS.get(value.strip().lower())
            if language is None:
                raise ParseError(
                    Msg.of("config.error.language_word", text=value, languages=", ".join(LANGUAGES)),
                    example=_example(setting),
                )
            return language
        case Setting.TASK_ESCALATION | Setting.CASE_ESCALATION:
            delay = duration(value)
            if delay is None:
                raise ParseError(Msg.of("config.error.duration", text=value), example=_example(setting))
            return delay
        case Setting.CASES_CHANNEL | Setting.STOCK_CHANNEL | Setting.DIGEST_CHANNEL:
            if value.strip().lower() in OFF_WORDS:
                return None
            channel = channel_mention(value.strip())
            if channel is None:
                raise ParseError(Msg.of("config.error.channel", text=value), example=_example(setting))
            return channel


def parse_audit(text: str) -> ShowAudit:
    parts = words(text)
    if not parts:
        return ShowAudit(limit=20)
    # isascii: "²".isdigit() is true, and int() refuses it.
    if len(parts) == 1 and parts[0].isascii() and parts[0].isdigit() and 1 <= int(parts[0]) <= MAX_AUDIT_LIMIT:
        return ShowAudit(limit=int(parts[0]))
    raise ParseError(Msg.of("audit.error.usage", text=text, most=MAX_AUDIT_LIMIT), example=Msg.of("audit.example"))


def parse_help(text: str) -> ShowHelp:
    topic, _ = split_first(text)
    return ShowHelp(topic=topic or None)
