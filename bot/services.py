"""The domain services a running bot offers its handlers; built once in `bot.app.build_app`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.access import AccessService
from bot.domain.answers import AnswerService
from bot.domain.appointment_service import AppointmentService
from bot.domain.auditing import AuditService
from bot.domain.books import BooksService
from bot.domain.case_service import CaseService
from bot.domain.checklisting import ChecklistService
from bot.domain.clock import Clock
from bot.domain.configuration import ConfigService
from bot.domain.digesting import DigestSubscriptions
from bot.domain.digests import DigestService
from bot.domain.documents import DocumentService
from bot.domain.feedback import FeedbackService
from bot.domain.home_tabs import HomeTabs
from bot.domain.meeting_service import MeetingService
from bot.domain.people_time import PeopleTimeService
from bot.domain.reminding import ReminderService
from bot.domain.requests import RequestLedgerService
from bot.domain.shifting import ShiftService
from bot.domain.stock import StockService
from bot.domain.tasking import TaskService
from bot.domain.team import RoleService
from bot.domain.workspaces import WorkspaceLifecycle
from bot.i18n import Translator


@dataclass(frozen=True, slots=True)
class Services:
    clock: Clock
    translator: Translator
    access: AccessService
    roles: RoleService
    config: ConfigService
    audit: AuditService
    books: BooksService
    ledger: RequestLedgerService
    reminders: ReminderService
    tasks: TaskService
    checklists: ChecklistService
    people: PeopleTimeService
    shifts: ShiftService
    meetings: MeetingService
    cases: CaseService
    digest_subscriptions: DigestSubscriptions
    digests: DigestService
    appointments: AppointmentService
    feedback: FeedbackService
    answers: AnswerService
    stock: StockService
    documents: DocumentService
    # Install, uninstall (Slack's events), reinstall, purge.
    workspaces: WorkspaceLifecycle
    home_tabs: HomeTabs
