"""`build_app`: the only place where storage, Slack and the domain are wired together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

import handlers
from bot.case_mail import CaseMail
from bot.case_posts import case_poster
from bot.config import Settings
from bot.couriers import DirectMessageCourier
from bot.couriers_appointments import AppointmentReminderCourier
from bot.couriers_cases import CaseCourier
from bot.couriers_checklists import ChecklistCourier, ChecklistDeadlineCourier
from bot.couriers_digests import DigestCourier
from bot.couriers_meetings import MeetingCourier
from bot.couriers_shifts import ShiftStartCourier
from bot.couriers_stock import StockOrderCourier
from bot.couriers_tasks import TaskDueCourier, TaskOverdueCourier
from bot.digest_posts import DigestPoster
from bot.domain.access import AccessService, WorkspaceDefaults
from bot.domain.answers import AnswerService
from bot.domain.appointment_service import AppointmentService
from bot.domain.auditing import AuditService
from bot.domain.books import BooksService
from bot.domain.case_service import CaseService
from bot.domain.checklisting import ChecklistService
from bot.domain.clock import Clock, SystemClock
from bot.domain.configuration import ConfigService
from bot.domain.digesting import DigestSubscriptions
from bot.domain.digests import DigestService
from bot.domain.documents import DocumentService
from bot.domain.feedback import FeedbackService
from bot.domain.home_tabs import HomeTabs
from bot.domain.ids import TeamId, UserId
from bot.domain.meeting_service import Directory, MeetingService
from bot.domain.people_time import PeopleTimeService
from bot.domain.ports import UnitOfWork
from bot.domain.reminders import Kind
from bot.domain.reminding import ReminderService
from bot.domain.requests import RequestLedgerService
from bot.domain.shifting import ShiftService
from bot.domain.shifts import Shift
from bot.domain.stock import OrderMailer, StockService
from bot.domain.tasking import TaskService
from bot.domain.team import RoleService
from bot.domain.workspaces import ForgetTokens, WorkspaceLifecycle, no_tokens_to_forget
from bot.i18n import translator
from bot.mail.outbound import SmtpSender
from bot.metrics import Metrics, SlackApiErrorCounter
from bot.rendering import appointments as appointment_render
from bot.rendering import meeting_calendar
from bot.rendering import shifts as shift_render
from bot.scheduling import ReminderEngine
from bot.services import Services
from bot.slack.client import build_web_client
from bot.slack.directory import SlackWebDirectory
from bot.slack.installations import InstalledWorkspaces, installation_store, state_store, token_rotator
from bot.slack.oauth import install_flow, store_authorize
from bot.slack.pacing import PER_CHANNEL_INTERVAL, ChannelPacer
from bot.stock_posts import StockAlertPoster, delivery_tasks, order_emails
from storage.db import create_engine, head_revisions, session_factory
from storage.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True, slots=True)
class Bot:
    app: AsyncApp
    services: Services
    engine: AsyncEngine
    client: AsyncWebClient
    schema_revisions: frozenset[str]
    reminders: ReminderEngine
    # Customer emails into cases (the IMAP poller and the SMTP listener call its `handle`).
    case_mail: CaseMail
    # This bot's own Prometheus registry, served at GET /metrics.
    metrics: Metrics
    # OAuth mode: the installed workspaces and their tokens (None with a single SLACK_BOT_TOKEN).
    workspaces: InstalledWorkspaces | None = None

    @property
    def install_flow(self) -> AsyncOAuthFlow | None:
        """OAuth mode's install flow, served at /slack/install and /slack/oauth_redirect."""
        return self.app.oauth_flow

    async def calendar_feed(self, token: str) -> bytes | None:
        """The feed behind a calendar URL, or None for a token nobody holds."""
        meetings = self.services.meetings
        owner = await meetings.feed_owner(token)
        if owner is None:
            return None
        team, user = owner
        profile = await self.services.access.profile(team, user)
        language, _zone = await self.services.access.reader(team, user)
        words = self.services.translator.bind(language)
        found = await meetings.feed_meetings(team, user)
        others = [
            *(
                appointment_render.calendar_event(a, words)
                for a in await self.services.appointments.for_feed(team, user)
            ),
            *(shift_render.calendar_event(words, s) for s in await self.services.shifts.for_feed(team, user)),
        ]
        return meeting_calendar.feed_file(
            f"Ops Assistant \u2014 {profile.name}", found, self.services.clock.now(), others
        )

    async def close(self) -> None:
        """Close the pooled HTTP connections to Slack (the database engine belongs to whoever made it)."""
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()


def build_services(
    engine: AsyncEngine,
    client: AsyncWebClient,
    clock: Clock,
    defaults: WorkspaceDefaults,
    mailer: OrderMailer | None = None,  # SMTP: case replies, and supplier orders with their files
    forget_tokens: ForgetTokens = no_tokens_to_forget,  # OAuth mode: delete a workspace's tokens from the store
    retention_days: int = 30,  # settings.ops_retention_days: an uninstalled workspace's data is kept this long
) -> tuple[Services, ReminderEngine]:
    sessions = session_factory(engine)

    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    words = translator()
    access = AccessService(unit_of_work, SlackWebDirectory(client, clock), clock, defaults)
    reminder_engine = ReminderEngine(unit_of_work, clock)
    tasks = TaskService(unit_of_work, clock, reminder_engine.poke, access)
    roles = RoleService(unit_of_work, access, clock)
    people = PeopleTimeService(unit_of_work, clock, access)

    async def shifts_between(team: TeamId, since: datetime, until: datetime) -> list[Shift]:
        async with unit_of_work() as uow:
            return await uow.shifts.shifts_between(team, since, until)

    # An out-of-range checklist reading opens a task through the Tasks service.
    checklists = ChecklistService(unit_of_work, clock, reminder_engine.poke, access, tasks, access.refresh_admins)
    # Stock: alerts to the stock channel, orders by email (the cases' SMTP setup), delivery tasks through the Tasks
    # service, and stock-takes as checklists whose numbers come back as counts.
    stock = StockService(
        lambda: SqlUnitOfWork(sessions),
        clock,
        access.settings,
        access.forget_settings,
        alerts=StockAlertPoster(client, words),
        mailer=mailer,
        order_email=order_emails(words),
        tasks=delivery_tasks(tasks, words),
        checklists=checklists,
        poke=reminder_engine.poke,
    )
    checklists.on_number(stock.counted)
    # The books also record money offered on resolved cases, inside the case service's unit of work.
    books = BooksService(lambda: SqlUnitOfWork(sessions), clock, access.settings)
    services = Services(
        clock=clock,
        translator=words,
        access=access,
        roles=roles,
        config=ConfigService(unit_of_work, access, clock),
        audit=AuditService(unit_of_work),
        ledger=RequestLedgerService(unit_of_work, clock),
        reminders=ReminderService(unit_of_work, clock, reminder_engine.poke, access.group_members),
        tasks=tasks,
        checklists=checklists,
        people=people,
        # A shift's duties become tasks and checklist runs through those services.
        shifts=ShiftService(
            unit_of_work,
            clock,
            reminder_engine.poke,
            access.settings,
            tasks,
            checklists.start_run,
            access.actor,
            roles.managers,
        ),
        meetings=MeetingService(
            unit_of_work,
            clock,
            reminder_engine.poke,
            Directory(access.group_members, access.channel_members, access.is_person),
            people.hours_of,
            shifts_between,
            tasks,
        ),
        # Replies to customers go out by email when an SMTP server is set.
        cases=CaseService(unit_of_work, clock, reminder_engine.poke, roles.managers, mailer, offers=books),
        books=books,
        digest_subscriptions=DigestSubscriptions(unit_of_work, clock, reminder_engine.poke),
        digests=DigestService(unit_of_work, clock, stock.low_for_digest),
        appointments=AppointmentService(unit_of_work, clock, reminder_engine.poke, access.actor),
        feedback=FeedbackService(unit_of_work, clock, access.settings),
        answers=AnswerService(unit_of_work, clock),
        stock=stock,
        # Its own narrow unit-of-work protocol (bot.domain.documents), which the storage unit of work meets.
        documents=DocumentService(lambda: SqlUnitOfWork(sessions), clock, access.profile),
        home_tabs=HomeTabs(unit_of_work, clock),
        workspaces=WorkspaceLifecycle(
            lambda: SqlUnitOfWork(sessions),
            clock,
            forget_tokens=forget_tokens,
            poke=reminder_engine.poke,
            retention=timedelta(days=retention_days),
        ),
    )
    # How each kind of scheduled delivery reaches Slack.
    # Reminders and task reminders for someone on time off go to their cover, or wait until they are back.
    away_until = services.people.away
    reminder_engine.register(Kind.REMINDER, DirectMessageCourier(client, access, words, away_until))
    reminder_engine.register(Kind.TASK_DUE, TaskDueCourier(client, access, words, services.tasks, away_until))
    reminder_engine.register(Kind.TASK_OVERDUE, TaskOverdueCourier(client, access, words, services.tasks))
    reminder_engine.register(Kind.CHECKLIST, ChecklistCourier(client, services.checklists, access, words))
    reminder_engine.register(
        Kind.CHECKLIST_DEADLINE, ChecklistDeadlineCourier(client, services.checklists, access, words)
    )
    reminder_engine.register(
        Kind.DIGEST, DigestCourier(client, services.digest_subscriptions, DigestPoster(client, services))
    )
    case_courier = CaseCourier(client, services.cases, access, words, case_poster(services, client))
    for kind in (Kind.CASE_TARGET, Kind.CASE_WAITING, Kind.CASE_FOLLOW_UP):
        reminder_engine.register(kind, case_courier)
    meeting_courier = MeetingCourier(client, services.meetings, access, words)
    reminder_engine.register(Kind.MEETING_REMINDER, meeting_courier)
    reminder_engine.register(Kind.MEETING_NUDGE, meeting_courier)
    reminder_engine.register(Kind.MEETING_MINUTES, meeting_courier)
    reminder_engine.register(Kind.SHIFT_START, ShiftStartCourier(client, services.shifts, services.checklists, words))
    reminder_engine.register(
        Kind.APPOINTMENT_REMINDER, AppointmentReminderCourier(client, services.appointments, access, words)
    )
    reminder_engine.register(Kind.STOCK_ORDER, StockOrderCourier(client, services.stock, access, words))
    return services, reminder_engine


def _connection_pool() -> aiohttp.ClientSession | None:
    """One pooled session for every Web API call (a new connection per call costs ~2 ms on loopback, more to
    Slack). aiohttp sessions belong to an event loop, so one is made only when a loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    return aiohttp.ClientSession()


def build_app(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock | None = None,
    post_interval: float = PER_CHANNEL_INTERVAL,
) -> Bot:
    """`post_interval`: the spacing of scheduled posts to one channel (tests that move time set it to 0).

    One workspace with SLACK_BOT_TOKEN; in OAuth mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) any number, each
    installed at /slack/install, with its bot token kept in the database.
    """
    engine = engine or create_engine(settings.database_url)
    metrics = Metrics()
    session = _connection_pool()
    pacer = ChannelPacer(post_interval)
    observer = SlackApiErrorCounter(metrics)
    workspaces: InstalledWorkspaces | None = None
    if settings.oauth_mode():
        client_id, client_secret = str(settings.slack_client_id), settings.secret("slack_client_secret") or ""
        installations = installation_store(client_id, engine)
        # Rotation and oauth.v2.access sign in with the app's id and secret, so their client has no token.
        unsigned = build_web_client(None, settings.slack_api_url, session, observer=observer)
        workspaces = InstalledWorkspaces(installations, token_rotator(client_id, client_secret, unsigned))
        client = build_web_client(workspaces, settings.slack_api_url, session, pacer, observer)
    else:
        token = settings.secret("slack_bot_token")
        if token is None:
            raise ValueError(
                "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is required to build the app"
            )
        client = build_web_client(token, settings.slack_api_url, session, pacer, observer)
    services, reminder_engine = build_services(
        engine,
        client,
        clock or SystemClock(),
        WorkspaceDefaults(timezone=settings.ops_default_timezone, language=settings.ops_language),
        _mailer(settings),
        forget_tokens=workspaces.forget if workspaces is not None else no_tokens_to_forget,
        retention_days=settings.ops_retention_days,
    )
    bolt_logger = logging.getLogger("ops.bolt")
    if workspaces is not None:
        flow = install_flow(
            client=unsigned,
            client_id=client_id,
            client_secret=client_secret,
            authorize_url=settings.slack_authorize_url,
            public_url=settings.public_url(),
            installations=installations,
            states=state_store(engine),
            words=services.translator,
            default_language=settings.ops_language,
            on_installed=_installed(services),
        )
        app = AsyncApp(
            client=client,
            signing_secret=settings.secret("slack_signing_secret") or "",
            logger=bolt_logger,
            oauth_flow=flow,
            # bolt takes an AsyncAuthorize instance here too (it checks isinstance); its annotation says callable.
            authorize=store_authorize(flow, installations, unsigned),  # type: ignore[arg-type]
            # A request from a workspace with no install (never, or removed): who asked is not known yet, so the
            # answer is in the bot's default language.
            user_facing_authorize_error_message=services.translator.text(
                settings.ops_language, "install.not_installed"
            ),
            ignoring_self_events_enabled=True,
        )
        owner = _installed_owner(workspaces, settings.ops_mail_team)
    else:
        app = AsyncApp(
            client=client,
            signing_secret=settings.secret("slack_signing_secret") or "",
            logger=bolt_logger,
            # Events for the bot's own posts would otherwise come back to it.
            ignoring_self_events_enabled=True,
        )
        owner = _owner(client)
    handlers.register_all(app, services, public_url=settings.public_url())
    return Bot(
        app=app,
        services=services,
        engine=engine,
        client=client,
        schema_revisions=head_revisions(),
        reminders=reminder_engine,
        case_mail=CaseMail(services.cases, case_poster(services, client), owner),
        metrics=metrics,
        workspaces=workspaces,
    )


def _installed(services: Services) -> Callable[[TeamId, UserId], Awaitable[None]]:
    async def installed(team: TeamId, by: UserId) -> None:
        # A first install, or a reinstall inside the retention period that finds the workspace's data back.
        await services.workspaces.installed(team, by=by)

    return installed


def _installed_owner(
    workspaces: InstalledWorkspaces, team: str | None
) -> Callable[[], Awaitable[tuple[TeamId, UserId]]]:
    """In OAuth mode the mailbox belongs to the workspace OPS_MAIL_TEAM names."""

    async def owner() -> tuple[TeamId, UserId]:
        if team is None:
            raise RuntimeError("OPS_MAIL_TEAM must name the workspace the mailbox belongs to in OAuth mode")
        return TeamId(team), await workspaces.bot_user(TeamId(team))

    return owner


def _mailer(settings: Settings) -> SmtpSender | None:
    if not settings.ops_smtp_host or not settings.ops_smtp_from:
        return None
    password = settings.ops_smtp_password.get_secret_value() if settings.ops_smtp_password else ""
    return SmtpSender(
        settings.ops_smtp_host,
        settings.ops_smtp_port,
        settings.ops_smtp_user or "",
        password,
        settings.ops_smtp_from,
        starttls=settings.ops_smtp_starttls,
    )


def _owner(client: AsyncWebClient) -> Callable[[], Awaitable[tuple[TeamId, UserId]]]:
    """The workspace (and bot user) the mailbox serves: asked of Slack once, then remembered."""
    known: list[tuple[TeamId, UserId]] = []

    async def owner() -> tuple[TeamId, UserId]:
        if not known:
            me = await client.auth_test()
            known.append((TeamId(str(me["team_id"])), UserId(str(me["user_id"]))))
        return known[0]

    return owner
