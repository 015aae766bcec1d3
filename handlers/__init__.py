"""Slack-facing handlers. Each capability exposes `register`; `register_all` is called from `bot.app` only."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from handlers.admin import AdminHandlers
from handlers.answers import AnswerHandlers
from handlers.appointments import AppointmentHandlers
from handlers.books import BookHandlers
from handlers.cases import CaseHandlers
from handlers.checklists import ChecklistHandlers
from handlers.commands import CommandRouter
from handlers.digests import DigestHandlers
from handlers.documents import DocumentHandlers
from handlers.errors import ErrorHandler
from handlers.feedback import FeedbackHandlers
from handlers.home import HomeHandlers
from handlers.listeners import Listeners
from handlers.meetings import MeetingHandlers
from handlers.messages import MessageRouter
from handlers.middleware import RequestMiddleware
from handlers.people import PeopleHandlers
from handlers.reactions import ReactionRouter
from handlers.reminders import ReminderHandlers
from handlers.shifts import ShiftHandlers
from handlers.shortcuts import ShortcutHandlers
from handlers.stock import StockHandlers
from handlers.tasks import TaskHandlers
from handlers.workspace import WorkspaceHandlers


def register_all(app: AsyncApp, services: Services, *, public_url: str = "http://localhost:3000") -> None:
    errors = ErrorHandler(services)
    app.middleware(RequestMiddleware(services).admit)
    app.error(errors.handle)
    listeners = Listeners(app, errors.recover)

    # Bolt tries listeners in the order they were registered, running every matcher until one fits: the busiest
    # one, /ops, goes first (capabilities add their subcommands to the router afterwards).
    commands = CommandRouter(services)
    commands.register(listeners)
    AdminHandlers(services).register(commands)
    TaskHandlers(services).register(listeners, commands)
    ChecklistHandlers(services).register(listeners, commands)
    PeopleHandlers(services).register(commands)
    MeetingHandlers(services, public_url).register(listeners, commands)
    AppointmentHandlers(services).register(listeners, commands)
    FeedbackHandlers(services).register(listeners, commands)
    reactions = ReactionRouter()
    CaseHandlers(services).register(listeners, commands, reactions)
    DigestHandlers(services).register(commands)
    StockHandlers(services).register(listeners, commands)
    DocumentHandlers(services).register(listeners, commands)

    messages = MessageRouter(services)
    ReminderHandlers(services).register(listeners, commands, messages)
    ShiftHandlers(services).register(listeners, commands, messages)
    # After the rota's CSV import: receipts are images and PDFs only.
    BookHandlers(services).register(commands, messages)
    # Last among the commands: `answer` is also a word of the cases capability, and saved answers own it.
    AnswerHandlers(services).register(commands)
    messages.register(listeners)
    HomeHandlers(services).register(listeners)
    reactions.register(listeners)
    ShortcutHandlers(services).register(listeners, handled={"create_task", "log_case"})
    # Slack's app_uninstalled and tokens_revoked: the workspace stops at once and is purged after the retention.
    WorkspaceHandlers(services).register(listeners)
