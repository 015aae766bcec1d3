"""Reading and changing a workspace's settings; every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.access import AccessService
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWorkFactory
from bot.domain.roles import Actor, Role
from bot.domain.workspace import Setting, WorkspaceSettings


@dataclass(frozen=True, slots=True)
class SettingChange:
    setting: Setting
    before: WorkspaceSettings
    after: WorkspaceSettings


def describe(value: object) -> str:
    """A stable text form of a setting's value for the audit log."""
    if value is None:
        return "-"
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds() // 60)}m"
    return str(value)


class ConfigService:
    def __init__(self, uow: UnitOfWorkFactory, access: AccessService, clock: Clock) -> None:
        self._uow = uow
        self._access = access
        self._clock = clock

    async def show(self, actor: Actor) -> WorkspaceSettings:
        async with self._uow() as uow:
            return await self._access.settings(uow, actor.team)

    async def change(self, actor: Actor, setting: Setting, value: str | ChannelId | timedelta | None) -> SettingChange:
        actor.require(Role.ADMIN, action=Msg.of("action.change_settings"))
        now = self._clock.now()
        async with self._uow() as uow:
            before = await self._access.settings(uow, actor.team)
            after = before.with_value(setting, value)
            await uow.workspaces.save(after, at=now)
            await uow.audit.add(
                AuditEntry(
                    team=actor.team,
                    actor=actor.user,
                    action="config.change",
                    target=setting.value,
                    at=now,
                    details={"before": describe(before.value_of(setting)), "after": describe(after.value_of(setting))},
                )
            )
        self._access.forget_settings(actor.team)
        return SettingChange(setting=setting, before=before, after=after)
