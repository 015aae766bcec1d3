"""Slack-facing handlers. Each capability exposes `register`; `register_all` is called from `bot.app` only."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.admin import AdminHandlers
from handlers.checklists import ChecklistHandlers
from handlers.commands import CommandRouter
from handlers.errors import ErrorHandler
from handlers.home import HomeHandlers
from handlers.messages import MessageRouter
from handlers.middleware import RequestMiddleware
from handlers.reactions import ReactionRouter
from handlers.reminders import ReminderHandlers
from handlers.shortcuts import ShortcutHandlers
from handlers.tasks import TaskHandlers


def register_all(app: AsyncApp, services: Services) -> None:
    app.middleware(RequestMiddleware(services).admit)
    app.error(ErrorHandler(services).handle)

    commands = CommandRouter(services)
    AdminHandlers(services).register(commands)
    TaskHandlers(services).register(app, commands)
    ChecklistHandlers(services).register(app, commands)
    commands.register(app)

    messages = MessageRouter(services)
    ReminderHandlers(services).register(app, commands, messages)
    messages.register(app)
    HomeHandlers(services).register(app)
    ReactionRouter().register(app)
    ShortcutHandlers(services).register(app, handled={"create_task"})
