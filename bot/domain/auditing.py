"""Reading the audit log (managers and admins); writing happens inside each service's unit of work."""

from __future__ import annotations

from bot.domain.audit import AuditEntry
from bot.domain.messages import Msg
from bot.domain.ports import UnitOfWorkFactory
from bot.domain.roles import Actor, Role

MAX_AUDIT_ROWS = 50


class AuditService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def recent(self, actor: Actor, limit: int = 20) -> list[AuditEntry]:
        actor.require(Role.MANAGER, action=Msg.of("action.read_audit"))
        async with self._uow() as uow:
            return await uow.audit.recent(actor.team, min(max(limit, 1), MAX_AUDIT_ROWS))
