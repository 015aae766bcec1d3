"""Customer cases, their notes, numbers and rules. Every query is filtered by team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.cases import (
    ArrivedBy,
    Case,
    CaseDraft,
    CaseKind,
    CaseRules,
    CaseStatus,
    Customer,
    Note,
    NoteKind,
    Offer,
    Severity,
)
from bot.domain.ids import ChannelId, TeamId, UserId
from storage.models_cases import CaseCounterRow, CaseNoteRow, CaseRow, CaseSettingsRow

ERASED = "(erased)"


def _case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        team=TeamId(row.team_id),
        number=row.number,
        kind=CaseKind(row.kind),
        status=CaseStatus(row.status),
        severity=Severity(row.severity),
        category=row.category,
        arrived_by=ArrivedBy(row.arrived_by),
        customer=Customer(row.customer_name, row.customer_phone, row.customer_email),
        description=row.description,
        assignee=UserId(row.assignee) if row.assignee else None,
        created_by=UserId(row.created_by),
        created_at=row.created_at,
        respond_by=row.respond_by,
        resolve_by=row.resolve_by,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        waiting_since=row.waiting_since,
        resolution_note=row.resolution_note,
        offer=Offer(row.offer) if row.offer else None,
        offer_amount=row.offer_amount,
        follow_up_at=row.follow_up_at,
        follow_up_outcome=row.follow_up_outcome,
        satisfaction=row.satisfaction,
        source_channel=ChannelId(row.source_channel) if row.source_channel else None,
        source_ts=row.source_ts,
        post_channel=ChannelId(row.post_channel) if row.post_channel else None,
        post_ts=row.post_ts,
        email_message_id=row.email_message_id,
        forgotten=row.forgotten,
        response_missed_alerted=row.response_missed_alerted,
        resolution_missed_alerted=row.resolution_missed_alerted,
    )


def _note(row: CaseNoteRow) -> Note:
    return Note(row.id, NoteKind(row.kind), row.author, row.body, row.at)


class SqlCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    async def next_number(self, team: TeamId) -> int:
        """One atomic upsert: two cases opened at once in one workspace never share a number."""
        insert = pg_insert if self._postgres() else sqlite_insert
        statement = (
            insert(CaseCounterRow)
            .values(team_id=team, last=1)
            .on_conflict_do_update(index_elements=[CaseCounterRow.team_id], set_={"last": CaseCounterRow.last + 1})
            .returning(CaseCounterRow.last)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def add(
        self, draft: CaseDraft, *, number: int, respond_by: datetime, resolve_by: datetime, at: datetime
    ) -> Case | None:
        """The new case, or None when that Slack message already has one (a second reaction)."""
        row = CaseRow(
            team_id=draft.team,
            number=number,
            kind=draft.kind.value,
            status=CaseStatus.OPEN.value,
            severity=draft.severity.value,
            category=draft.category,
            arrived_by=draft.arrived_by.value,
            customer_name=draft.customer.name,
            customer_phone=draft.customer.phone,
            customer_email=draft.customer.email,
            description=draft.description,
            created_by=draft.created_by,
            created_at=at,
            updated_at=at,
            respond_by=respond_by,
            resolve_by=resolve_by,
            response_missed_alerted=False,
            resolution_missed_alerted=False,
            resolution_note="",
            offer="",
            follow_up_outcome="",
            source_channel=draft.source_channel,
            source_ts=draft.source_ts,
            email_message_id=draft.email_message_id,
            forgotten=False,
        )
        try:
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError:
            return None
        return _case(row)

    async def _row(self, team: TeamId, number: int) -> CaseRow | None:
        return await self._session.scalar(select(CaseRow).where(CaseRow.team_id == team, CaseRow.number == number))

    async def get(self, team: TeamId, number: int) -> Case | None:
        row = await self._row(team, number)
        return _case(row) if row is not None else None

    async def by_source(self, team: TeamId, channel: str, ts: str) -> Case | None:
        row = await self._session.scalar(
            select(CaseRow).where(CaseRow.team_id == team, CaseRow.source_channel == channel, CaseRow.source_ts == ts)
        )
        return _case(row) if row is not None else None

    async def by_email_thread(self, team: TeamId, message_ids: Sequence[str]) -> Case | None:
        """The case an email replies to: one whose opening email, or any email on it, is in its thread."""
        if not message_ids:
            return None
        row = await self._session.scalar(
            select(CaseRow)
            .where(
                CaseRow.team_id == team,
                or_(
                    CaseRow.email_message_id.in_(message_ids),
                    CaseRow.id.in_(
                        select(CaseNoteRow.case_id).where(
                            CaseNoteRow.team_id == team, CaseNoteRow.email_message_id.in_(message_ids)
                        )
                    ),
                ),
            )
            .order_by(CaseRow.id.desc())
            .limit(1)
        )
        return _case(row) if row is not None else None

    async def email_seen(self, team: TeamId, message_id: str) -> bool:
        """Whether this email was already taken in (a mailbox re-read after a crash)."""
        found = await self._session.scalar(
            select(CaseNoteRow.id).where(CaseNoteRow.team_id == team, CaseNoteRow.email_message_id == message_id)
        )
        if found is not None:
            return True
        opened = await self._session.scalar(
            select(CaseRow.id).where(CaseRow.team_id == team, CaseRow.email_message_id == message_id)
        )
        return opened is not None

    async def update(self, team: TeamId, number: int, *, at: datetime, **values: object) -> None:
        await self._session.execute(
            update(CaseRow).where(CaseRow.team_id == team, CaseRow.number == number).values(updated_at=at, **values)
        )

    async def transition(
        self, team: TeamId, number: int, *, from_statuses: Sequence[CaseStatus], at: datetime, **values: object
    ) -> bool:
        """Change a case only if it is still in one of `from_statuses` (two clicks at once: one wins)."""
        result = await self._session.execute(
            update(CaseRow)
            .where(
                CaseRow.team_id == team,
                CaseRow.number == number,
                CaseRow.status.in_([status.value for status in from_statuses]),
            )
            .values(updated_at=at, **values)
        )
        return bool(getattr(result, "rowcount", 0))

    async def flag_alert(self, team: TeamId, number: int, column: str) -> bool:
        """Set a target's "managers alerted" flag; True only for the one call that set it."""
        target = getattr(CaseRow, column)
        result = await self._session.execute(
            update(CaseRow)
            .where(CaseRow.team_id == team, CaseRow.number == number, target.is_(False))
            .values({column: True})
        )
        return bool(getattr(result, "rowcount", 0))

    async def add_note(
        self,
        team: TeamId,
        case_id: int,
        kind: NoteKind,
        *,
        author: str,
        body: str,
        at: datetime,
        email_message_id: str | None = None,
    ) -> Note:
        row = CaseNoteRow(
            team_id=team,
            case_id=case_id,
            kind=kind.value,
            author=author,
            body=body,
            at=at,
            email_message_id=email_message_id,
        )
        self._session.add(row)
        await self._session.flush()
        return _note(row)

    async def notes(self, team: TeamId, case_id: int) -> list[Note]:
        rows = await self._session.scalars(
            select(CaseNoteRow)
            .where(CaseNoteRow.team_id == team, CaseNoteRow.case_id == case_id)
            .order_by(CaseNoteRow.at, CaseNoteRow.id)
        )
        return [_note(row) for row in rows]

    async def listed(
        self,
        team: TeamId,
        *,
        statuses: Sequence[CaseStatus],
        assignee: UserId | None = None,
        category: str | None = None,
        overdue_at: datetime | None = None,
        limit: int = 50,
    ) -> list[Case]:
        query = select(CaseRow).where(
            CaseRow.team_id == team, CaseRow.status.in_([status.value for status in statuses])
        )
        if assignee is not None:
            query = query.where(CaseRow.assignee == assignee)
        if category is not None:
            query = query.where(CaseRow.category == category)
        if overdue_at is not None:
            query = query.where(
                or_(
                    CaseRow.resolve_by < overdue_at,
                    (CaseRow.first_response_at.is_(None)) & (CaseRow.respond_by < overdue_at),
                )
            )
        rows = await self._session.scalars(query.order_by(CaseRow.created_at.desc(), CaseRow.id.desc()).limit(limit))
        return [_case(row) for row in rows]

    async def forget(self, team: TeamId, email: str, *, at: datetime) -> list[Case]:
        """Erase a customer's contact details and their emails' text from every case; the cases stay, with their
        category, times and outcome, so the statistics do not change."""
        rows = list(
            await self._session.scalars(
                select(CaseRow).where(CaseRow.team_id == team, CaseRow.customer_email.ilike(email))
            )
        )
        for row in rows:
            row.customer_name = ""
            row.customer_phone = ""
            row.customer_email = ""
            row.description = ERASED
            row.forgotten = True
            row.updated_at = at
        if rows:
            ids = [row.id for row in rows]
            await self._session.execute(
                update(CaseNoteRow)
                .where(
                    CaseNoteRow.team_id == team,
                    CaseNoteRow.case_id.in_(ids),
                    CaseNoteRow.kind.in_([NoteKind.EMAIL_IN.value, NoteKind.EMAIL_OUT.value, NoteKind.CREATED.value]),
                )
                .values(body=ERASED)
            )
        await self._session.flush()
        if rows and not self._postgres():
            # The search index keeps deleted words in its segments until they are merged: merge now, so an
            # erased customer cannot be found by the words they wrote.
            await self._session.execute(text("INSERT INTO cases_fts(cases_fts) VALUES('optimize')"))
        return [_case(row) for row in rows]

    # ---- rules -----------------------------------------------------------------------------------------------

    async def rules(self, team: TeamId) -> CaseRules | None:
        row = await self._session.get(CaseSettingsRow, team)
        if row is None:
            return None
        return CaseRules.from_minutes(
            {
                Severity.HIGH: (row.high_respond, row.high_resolve),
                Severity.NORMAL: (row.normal_respond, row.normal_resolve),
                Severity.LOW: (row.low_respond, row.low_resolve),
            },
            nudge=row.waiting_nudge_minutes,
            close=row.waiting_close_minutes,
            reaction=row.reaction,
        )

    async def put_rules(self, team: TeamId, rules: CaseRules) -> None:
        minutes = rules.as_minutes()
        values = {
            "high_respond": minutes[Severity.HIGH][0],
            "high_resolve": minutes[Severity.HIGH][1],
            "normal_respond": minutes[Severity.NORMAL][0],
            "normal_resolve": minutes[Severity.NORMAL][1],
            "low_respond": minutes[Severity.LOW][0],
            "low_resolve": minutes[Severity.LOW][1],
            "waiting_nudge_minutes": int(rules.waiting_nudge.total_seconds() // 60),
            "waiting_close_minutes": int(rules.waiting_close.total_seconds() // 60),
            "reaction": rules.reaction,
        }
        insert = pg_insert if self._postgres() else sqlite_insert
        await self._session.execute(
            insert(CaseSettingsRow)
            .values(team_id=team, **values)
            .on_conflict_do_update(index_elements=[CaseSettingsRow.team_id], set_=values)
        )


def money(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.01")) if value is not None else None
