from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.ids import TeamId, UserId
from bot.domain.people import Profile
from storage.models import HomeTabRow, UserProfileRow


def _profile(row: UserProfileRow) -> Profile:
    return Profile(
        team=TeamId(row.team_id),
        user=UserId(row.user_id),
        name=row.name,
        timezone=row.timezone,
        locale=row.locale,
        is_admin=row.is_admin,
        is_owner=row.is_owner,
        is_bot=row.is_bot,
        fetched_at=row.fetched_at,
    )


class SqlProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, team: TeamId, user: UserId) -> Profile | None:
        row = await self._session.get(UserProfileRow, (team, user))
        return _profile(row) if row is not None else None

    async def get_many(self, team: TeamId, users: list[UserId]) -> list[Profile]:
        rows = await self._session.scalars(
            select(UserProfileRow).where(UserProfileRow.team_id == team, UserProfileRow.user_id.in_(users))
        )
        return [_profile(row) for row in rows]

    async def put(self, profile: Profile) -> None:
        """Insert or refresh, in one statement: two requests from one person at once (a command while their
        invitation is being written) both fetch the profile, and both must be able to store it."""
        values = {
            "team_id": profile.team,
            "user_id": profile.user,
            "name": profile.name,
            "timezone": profile.timezone,
            "locale": profile.locale,
            "is_admin": profile.is_admin,
            "is_owner": profile.is_owner,
            "is_bot": profile.is_bot,
            "fetched_at": profile.fetched_at,
        }
        changed = {key: value for key, value in values.items() if key not in ("team_id", "user_id")}
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(
                pg_insert(UserProfileRow)
                .values(values)
                .on_conflict_do_update(index_elements=["team_id", "user_id"], set_=changed)
            )
        else:
            await self._session.execute(
                sqlite_insert(UserProfileRow)
                .values(values)
                .on_conflict_do_update(index_elements=["team_id", "user_id"], set_=changed)
            )
        # Objects already loaded in this session would otherwise keep the old values.
        self._session.expire_all()

    async def home_opened(self, team: TeamId, user: UserId, at: datetime) -> None:
        """Remembered once; opening it again changes nothing (one statement, safe from two replicas at once)."""
        values = {"team_id": team, "user_id": user, "first_opened_at": at}
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await self._session.execute(
            insert(HomeTabRow).values(values).on_conflict_do_nothing(index_elements=["team_id", "user_id"])
        )

    async def with_home(self, team: TeamId, users: list[UserId]) -> set[UserId]:
        """Those of `users` who have opened the Home tab."""
        if not users:
            return set()
        rows = await self._session.scalars(
            select(HomeTabRow.user_id).where(HomeTabRow.team_id == team, HomeTabRow.user_id.in_(users))
        )
        return {UserId(user) for user in rows}
