"""The domain's `SlackDirectory` over users.info and users.list."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.clock import Clock
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.people import DirectoryEntry, Profile

USERS_PAGE = 200


class SlackWebDirectory:
    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self._client = client
        self._clock = clock

    async def fetch_profile(self, team: TeamId, user: UserId) -> Profile:
        # include_locale: a person's language comes from their Slack locale.
        response = await self._client.users_info(user=user, include_locale=True)
        return self._profile(team, response["user"])

    async def fetch_admins(self, team: TeamId) -> list[Profile]:
        admins: list[Profile] = []
        cursor: str | None = None
        while True:
            response = await self._client.users_list(limit=USERS_PAGE, cursor=cursor, include_locale=True)
            members: list[dict[str, Any]] = response.get("members") or []
            for member in members:
                if member.get("deleted") or not (member.get("is_admin") or member.get("is_owner")):
                    continue
                admins.append(self._profile(team, member))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return admins

    async def fetch_members(self, team: TeamId) -> list[DirectoryEntry]:
        """Every active person (no bots), with the names a rota file may call them by."""
        entries: list[DirectoryEntry] = []
        cursor: str | None = None
        while True:
            response = await self._client.users_list(limit=USERS_PAGE, cursor=cursor)
            for member in response.get("members") or []:
                if member.get("deleted") or member.get("is_bot") or member.get("id") == "USLACKBOT":
                    continue
                profile = member.get("profile") or {}
                entries.append(
                    DirectoryEntry(
                        user=UserId(member["id"]),
                        handle=str(member.get("name") or ""),
                        display_name=str(profile.get("display_name") or ""),
                        real_name=str(profile.get("real_name") or member.get("real_name") or ""),
                        email=profile.get("email"),
                    )
                )
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return entries

    async def fetch_channel_members(self, team: TeamId, channel: ChannelId) -> list[UserId]:
        members: list[UserId] = []
        cursor: str | None = None
        while True:
            response = await self._client.conversations_members(channel=channel, limit=USERS_PAGE, cursor=cursor)
            members += [UserId(user) for user in response.get("members") or []]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return members

    async def fetch_group_members(self, team: TeamId, group: str) -> list[UserId]:
        response = await self._client.usergroups_users_list(usergroup=group)
        return [UserId(user) for user in response.get("users") or []]

    def _profile(self, team: TeamId, user: dict[str, Any]) -> Profile:
        profile = user.get("profile") or {}
        return Profile(
            team=team,
            user=UserId(user["id"]),
            name=str(profile.get("display_name") or profile.get("real_name") or user.get("name") or user["id"]),
            timezone=user.get("tz"),
            locale=user.get("locale"),
            is_admin=bool(user.get("is_admin")),
            is_owner=bool(user.get("is_owner")),
            is_bot=bool(user.get("is_bot")),
            fetched_at=self._clock.now(),
        )
