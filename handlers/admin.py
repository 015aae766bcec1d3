"""`/ops help`, `/ops role`, `/ops config`, `/ops audit`."""

from __future__ import annotations

from bot.domain.capabilities import CAPABILITIES, all_commands, capability_named
from bot.parsing.admin import AssignRole, ChangeConfig, parse_audit, parse_config, parse_help, parse_role
from bot.parsing.tokens import closest
from bot.rendering import blocks as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter


class AdminHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, router: CommandRouter) -> None:
        router.route("help", self.help)
        router.route("roles", self.role)
        router.route("config", self.config)
        router.route("audit", self.audit)

    async def help(self, request: CommandRequest) -> None:
        query = parse_help(request.text)
        capability = capability_named(query.topic) if query.topic else None
        if query.topic and capability is None:
            suggestion = closest(query.topic, [c.id for c in CAPABILITIES] + all_commands())
            await request.answer(render.unknown_help_topic(request.words, query.topic, suggestion))
        elif capability is None or capability.id == "help":
            await request.answer(render.help_overview(request.words))
        else:
            await request.answer(render.help_topic(request.words, capability))

    async def role(self, request: CommandRequest) -> None:
        parsed = parse_role(request.text)
        if isinstance(parsed, AssignRole):
            change = await self._services.roles.assign(request.actor, parsed.user, parsed.role)
            await request.answer(render.role_changed(request.words, change))
        else:
            listing = await self._services.roles.list_roles(request.actor)
            await request.answer(render.role_listing(request.words, listing))

    async def config(self, request: CommandRequest) -> None:
        parsed = parse_config(request.text)
        if isinstance(parsed, ChangeConfig):
            change = await self._services.config.change(request.actor, parsed.setting, parsed.value)
            await request.answer(render.config_changed(request.words, change))
        else:
            settings = await self._services.config.show(request.actor)
            await request.answer(render.config_view(request.words, settings))

    async def audit(self, request: CommandRequest) -> None:
        parsed = parse_audit(request.text)
        entries = await self._services.audit.recent(request.actor, parsed.limit)
        await request.answer(render.audit_list(request.words, request.actor, entries))
