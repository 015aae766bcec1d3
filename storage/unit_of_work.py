"""One transaction per service call, with every repository sharing its session."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.answers import SqlAnswerRepository
from storage.repositories.appointments import SqlAppointmentRepository
from storage.repositories.audit import SqlAuditRepository
from storage.repositories.books import SqlBooksRepository
from storage.repositories.cases import SqlCaseRepository
from storage.repositories.checklists import SqlChecklistRepository
from storage.repositories.digest_subscriptions import SqlDigestSubscriptionRepository
from storage.repositories.digests import SqlDigestRepository
from storage.repositories.documents import SqlDocumentRepository
from storage.repositories.feedback import SqlFeedbackRepository
from storage.repositories.meetings import SqlMeetingRepository
from storage.repositories.people import SqlPeopleRepository
from storage.repositories.profiles import SqlProfileRepository
from storage.repositories.requests import SqlRequestLedger
from storage.repositories.roles import SqlRoleRepository
from storage.repositories.schedules import SqlDeliveryRepository, SqlScheduleRepository
from storage.repositories.shifts import SqlShiftRepository
from storage.repositories.stock import SqlStockRepository
from storage.repositories.tasks import SqlTaskRepository
from storage.repositories.workspaces import SqlInstallationRepository, SqlWorkspaceRepository


class SqlUnitOfWork:
    workspaces: SqlWorkspaceRepository
    installations: SqlInstallationRepository
    roles: SqlRoleRepository
    profiles: SqlProfileRepository
    audit: SqlAuditRepository
    requests: SqlRequestLedger
    schedules: SqlScheduleRepository
    deliveries: SqlDeliveryRepository
    tasks: SqlTaskRepository
    checklists: SqlChecklistRepository
    people: SqlPeopleRepository
    cases: SqlCaseRepository
    digest_subscriptions: SqlDigestSubscriptionRepository
    meetings: SqlMeetingRepository
    shifts: SqlShiftRepository
    appointments: SqlAppointmentRepository
    feedback: SqlFeedbackRepository
    answers: SqlAnswerRepository
    digests: SqlDigestRepository
    books: SqlBooksRepository
    documents: SqlDocumentRepository
    stock: SqlStockRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        session = self._sessions()
        self._session = session
        self.workspaces = SqlWorkspaceRepository(session)
        self.installations = SqlInstallationRepository(session)
        self.roles = SqlRoleRepository(session)
        self.profiles = SqlProfileRepository(session)
        self.audit = SqlAuditRepository(session)
        self.requests = SqlRequestLedger(session)
        self.schedules = SqlScheduleRepository(session)
        self.deliveries = SqlDeliveryRepository(session)
        self.tasks = SqlTaskRepository(session)
        self.checklists = SqlChecklistRepository(session)
        self.people = SqlPeopleRepository(session)
        self.cases = SqlCaseRepository(session)
        self.digest_subscriptions = SqlDigestSubscriptionRepository(session)
        self.meetings = SqlMeetingRepository(session)
        self.shifts = SqlShiftRepository(session)
        self.appointments = SqlAppointmentRepository(session)
        self.feedback = SqlFeedbackRepository(session)
        self.answers = SqlAnswerRepository(session)
        self.digests = SqlDigestRepository(session)
        self.books = SqlBooksRepository(session)
        self.documents = SqlDocumentRepository(session)
        self.stock = SqlStockRepository(session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self._session
        assert session is not None, "unit of work used outside `async with`"
        try:
            if exc_type is None:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
            self._session = None
