"""Who is asking: turns a Slack team and user into an `Actor` with role, language and time zone.

Runs on every request, so it is built to be cheap: profiles are cached in memory and in the store and only
fetched from Slack when missing or older than `PROFILE_TTL`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.domain.cache import TtlCache
from bot.domain.clock import Clock
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import Language, language_of_locale, pick_language
from bot.domain.people import PROFILE_TTL, DirectoryEntry, Profile
from bot.domain.ports import SlackDirectory, UnitOfWork, UnitOfWorkFactory
from bot.domain.roles import Actor, Role
from bot.domain.workspace import WorkspaceSettings

# How stale another process's change to a role or a setting may look here (this process sees its own at once).
ACCESS_CACHE_TTL = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class WorkspaceDefaults:
    """What a workspace that has never been configured uses (from OPS_DEFAULT_TIMEZONE and OPS_LANGUAGE)."""

    timezone: str
    language: Language

    def settings_for(self, team: TeamId) -> WorkspaceSettings:
        return WorkspaceSettings.defaults(team, timezone=self.timezone, language=self.language)


class AccessService:
    def __init__(
        self, uow: UnitOfWorkFactory, directory: SlackDirectory, clock: Clock, defaults: WorkspaceDefaults
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock
        self._defaults = defaults
        self._profiles: TtlCache[tuple[TeamId, UserId], Profile] = TtlCache(clock, PROFILE_TTL)
        self._settings: TtlCache[TeamId, WorkspaceSettings] = TtlCache(clock, ACCESS_CACHE_TTL)
        self._roles: TtlCache[tuple[TeamId, UserId], Role] = TtlCache(clock, ACCESS_CACHE_TTL)

    async def actor(self, team: TeamId, user: UserId) -> Actor:
        """Runs on every request: served from memory when warm, otherwise one read transaction."""
        profile = await self.profile(team, user)
        settings = self._settings.get(team)
        granted = self._roles.get((team, user))
        if settings is None or granted is None:
            async with self._uow() as uow:
                settings = await self.settings(uow, team)
                granted = await uow.roles.get(team, user) or Role.STAFF
            self._settings.put(team, settings)
            self._roles.put((team, user), granted)
        role = Role.ADMIN if profile.is_workspace_admin else granted
        return Actor(
            team=team,
            user=user,
            role=role,
            language=pick_language(language_of_locale(profile.locale), default=settings.language),
            timezone=profile.zone(fallback=settings.zone),
            is_slack_admin=profile.is_workspace_admin,
        )

    async def reader(self, team: TeamId, user: UserId) -> tuple[Language, ZoneInfo]:
        """Language and zone for writing *to* someone (a reminder, a report): no role needed."""
        profile = await self.profile(team, user)
        settings = self._settings.get(team)
        if settings is None:
            async with self._uow() as uow:
                settings = await self.settings(uow, team)
            self._settings.put(team, settings)
        return (
            pick_language(language_of_locale(profile.locale), default=settings.language),
            profile.zone(fallback=settings.zone),
        )

    async def warm(self, team: TeamId, users: list[UserId]) -> None:
        """Load many people's cached profiles in one query, before writing to each of them."""
        now = self._clock.now()
        missing = [user for user in dict.fromkeys(users) if self._profiles.get((team, user)) is None]
        if not missing:
            return
        async with self._uow() as uow:
            stored = await uow.profiles.get_many(team, missing)
        for profile in stored:
            if profile.is_fresh(now):
                self._profiles.put((team, profile.user), profile)

    async def anonymous(self, team: TeamId) -> tuple[Language, ZoneInfo]:
        """Language and zone for a message with no known person behind it (workspace settings)."""
        async with self._uow() as uow:
            settings = await self.settings(uow, team)
        return settings.language, settings.zone

    async def settings(self, uow: UnitOfWork, team: TeamId) -> WorkspaceSettings:
        """Always from the store: for services about to change settings inside `uow`."""
        return await uow.workspaces.get(team) or self._defaults.settings_for(team)

    def forget_role(self, team: TeamId, user: UserId) -> None:
        self._roles.forget((team, user))

    def forget_settings(self, team: TeamId) -> None:
        self._settings.forget(team)

    async def profile(self, team: TeamId, user: UserId) -> Profile:
        now = self._clock.now()
        key = (team, user)
        cached = self._profiles.get(key)
        if cached is not None:
            return cached
        async with self._uow() as uow:
            stored = await uow.profiles.get(team, user)
        if stored is None or not stored.is_fresh(now):
            stored = await self._directory.fetch_profile(team, user)
            async with self._uow() as uow:
                await uow.profiles.put(stored)
        self._profiles.put(key, stored)
        return stored

    async def members(self, team: TeamId) -> list[DirectoryEntry]:
        """The workspace's people as Slack lists them now (for matching names in an imported rota)."""
        return await self._directory.fetch_members(team)

    async def channel_members(self, team: TeamId, channel: ChannelId) -> list[UserId]:
        return await self._directory.fetch_channel_members(team, channel)

    async def is_person(self, team: TeamId, user: UserId) -> bool:
        """A human member (bots and Slackbot are in channels too)."""
        return user != "USLACKBOT" and not (await self.profile(team, user)).is_bot

    async def group_members(self, team: TeamId, group: str) -> list[UserId]:
        return await self._directory.fetch_group_members(team, group)

    async def refresh_admins(self, team: TeamId) -> list[Profile]:
        """Slack's current admins and owners, refreshed into the profile cache."""
        admins = await self._directory.fetch_admins(team)
        async with self._uow() as uow:
            for profile in admins:
                await uow.profiles.put(profile)
        for profile in admins:
            self._profiles.put((team, profile.user), profile)
        return admins
