from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.audit import AuditEntry
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.people import Profile
from bot.domain.ports import RoleGrant
from bot.domain.roles import Role
from bot.domain.workspace import WorkspaceSettings
from storage.db import session_factory
from storage.unit_of_work import SqlUnitOfWork

T1, T2 = TeamId("T1"), TeamId("T2")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine))


async def test_a_request_key_is_claimed_once_per_workspace(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        assert await work.requests.claim(T1, "event:Ev1", at=NOW)
    async with uow(engine) as work:
        assert not await work.requests.claim(T1, "event:Ev1", at=NOW)
        assert await work.requests.claim(T2, "event:Ev1", at=NOW)
    async with uow(engine) as work:
        assert await work.requests.forget_before(NOW + timedelta(seconds=1)) == 2
    async with uow(engine) as work:
        assert await work.requests.claim(T1, "event:Ev1", at=NOW)


async def test_roles_are_kept_per_workspace(engine: AsyncEngine) -> None:
    maria = UserId("U0MARIA01")
    async with uow(engine) as work:
        await work.roles.put(RoleGrant(T1, maria, Role.MANAGER, granted_by=UserId("U0GIULIA1"), granted_at=NOW))
    async with uow(engine) as work:
        assert await work.roles.get(T1, maria) is Role.MANAGER
        assert await work.roles.get(T2, maria) is None
        assert [grant.user for grant in await work.roles.all(T1)] == [maria]
        assert await work.roles.all(T2) == []
        await work.roles.put(RoleGrant(T1, maria, Role.ADMIN, granted_by=UserId("U0GIULIA1"), granted_at=NOW))
    async with uow(engine) as work:
        assert await work.roles.get(T1, maria) is Role.ADMIN
        await work.roles.remove(T1, maria)
    async with uow(engine) as work:
        assert await work.roles.get(T1, maria) is None


async def test_a_failed_unit_of_work_writes_nothing(engine: AsyncEngine) -> None:
    class Boom(Exception):
        pass

    try:
        async with uow(engine) as work:
            await work.roles.put(RoleGrant(T1, UserId("U1"), Role.MANAGER, granted_by=UserId("U2"), granted_at=NOW))
            raise Boom
    except Boom:
        pass
    async with uow(engine) as work:
        assert await work.roles.get(T1, UserId("U1")) is None


async def test_workspace_settings_round_trip(engine: AsyncEngine) -> None:
    settings = WorkspaceSettings(
        team=T1,
        timezone="Europe/Rome",
        language="it",
        cases_channel=ChannelId("C0CASES01"),
        task_escalation=timedelta(minutes=90),
    )
    async with uow(engine) as work:
        assert await work.workspaces.get(T1) is None
        await work.workspaces.save(settings, at=NOW)
    async with uow(engine) as work:
        assert await work.workspaces.get(T1) == settings
        assert await work.workspaces.get(T2) is None


async def test_profiles_round_trip(engine: AsyncEngine) -> None:
    profile = Profile(T1, UserId("U1"), "Maria", "Europe/Rome", "it-IT", False, False, False, fetched_at=NOW)
    async with uow(engine) as work:
        await work.profiles.put(profile)
    async with uow(engine) as work:
        assert await work.profiles.get(T1, UserId("U1")) == profile
        assert await work.profiles.get(T2, UserId("U1")) is None


async def test_audit_is_newest_first_and_scoped(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        for minute in range(3):
            await work.audit.add(
                AuditEntry(
                    T1,
                    UserId("U1"),
                    "config.change",
                    f"n{minute}",
                    at=NOW + timedelta(minutes=minute),
                    details={"before": "a", "after": "b"},
                )
            )
        await work.audit.add(AuditEntry(T2, UserId("U9"), "role.change", "other", at=NOW))
    async with uow(engine) as work:
        entries = await work.audit.recent(T1, 2)
    assert [entry.target for entry in entries] == ["n2", "n1"]
    assert entries[0].details == {"before": "a", "after": "b"}
