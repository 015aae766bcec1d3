"""The Home dashboard as rendered: what goes in which section, the week's edge, the caps, and Slack's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.appointments import Appointment, AppointmentStatus
from bot.domain.cases import ArrivedBy, Case, CaseKind, CaseStatus, Customer, Severity
from bot.domain.ids import TeamId, UserId
from bot.domain.language import LANGUAGES, Language
from bot.domain.meetings import Attendee, Meeting, MeetingStatus, Rsvp
from bot.domain.reminding import PlainReminder
from bot.domain.roles import Actor, Role
from bot.domain.shifting import Today
from bot.domain.tasks import Priority, Task, TaskStatus
from bot.i18n import translator
from bot.rendering.home import MAX_ITEMS, Dashboard, home_view

TEAM = TeamId("T0TEAM")
ME = UserId("U0ME")
BOSS = UserId("U0BOSS")
ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Rome
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000


def actor(role: Role = Role.STAFF, language: Language = "en") -> Actor:
    return Actor(team=TEAM, user=ME, role=role, language=language, timezone=ROME)


def meeting(number: int, starts: datetime, *, organizer: UserId = BOSS, rsvp: Rsvp = Rsvp.NEEDS_ACTION) -> Meeting:
    return Meeting(
        id=number,
        team=TEAM,
        title=f"Meeting {number} " + "x" * 120,
        organizer=organizer,
        starts=starts,
        ends=starts + timedelta(minutes=30),
        zone="Europe/Rome",
        place="Room 2",
        room_id=None,
        room_name=None,
        agenda=(),
        channel=None,
        lead=timedelta(minutes=15),
        rrule=None,
        local_start=None,
        sequence=0,
        status=MeetingStatus.SCHEDULED,
        attendees=(Attendee(ME, rsvp),) if organizer != ME else (Attendee(BOSS),),
    )


def task(number: int, *, assignee: UserId = ME, due: datetime | None = None) -> Task:
    return Task(
        id=number,
        team=TEAM,
        number=number,
        title=f"Task {number} " + "y" * 190,
        assignee=assignee,
        created_by=BOSS,
        status=TaskStatus.OPEN,
        priority=Priority.HIGH if number % 2 else Priority.NORMAL,
        tags=(),
        notes="",
        due=due,
        rrule=None,
        zone="Europe/Rome",
        local_start=None,
        source_link=None,
        created_at=NOW - timedelta(days=1),
    )


def case(number: int, *, assignee: UserId | None = ME, first_response: bool = True, late: bool = False) -> Case:
    created = NOW - timedelta(days=5 if late else 0, hours=1)
    return Case(
        id=number,
        team=TEAM,
        number=number,
        kind=CaseKind.COMPLAINT,
        status=CaseStatus.IN_PROGRESS if first_response else CaseStatus.OPEN,
        severity=Severity.NORMAL,
        category="",
        arrived_by=ArrivedBy.IN_PERSON,
        customer=Customer("Anna Neri", "+39 333 1234567", "anna@example.com"),
        description="z" * 2000,
        assignee=assignee,
        created_by=BOSS,
        created_at=created,
        respond_by=created + timedelta(hours=4),
        resolve_by=created + timedelta(days=3),
        first_response_at=created + timedelta(minutes=5) if first_response else None,
    )


def reminder(number: int) -> PlainReminder:
    return PlainReminder(number, ME, ME, "r" * 500, NOW + timedelta(hours=number), None)


def appointment(number: int, starts: datetime, status: AppointmentStatus) -> Appointment:
    return Appointment(
        id=number,
        team=TEAM,
        manager=BOSS,
        booker=ME,
        created_by=ME,
        starts=starts,
        ends=starts + timedelta(minutes=30),
        zone="Europe/Rome",
        status=status,
        topic="supplier contract",
        visitor_name="",
        visitor_phone="",
    )


def texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = (
            [node["text"]] if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str) else []
        )
        return own + [text for child in node.values() for text in texts(child)]
    if isinstance(node, list):
        return [text for child in node for text in texts(child)]
    return []


def occurrence(found: Meeting) -> tuple[Meeting, datetime, datetime]:
    return found, found.starts, found.ends


def full_board() -> Dashboard:
    many = 40
    return Dashboard(
        now=NOW,
        today=Today(None, (), ()),
        meetings=[occurrence(meeting(n, NOW + timedelta(hours=n))) for n in range(1, many)],
        appointments=[
            appointment(n, NOW + timedelta(hours=n, minutes=5), AppointmentStatus.PENDING) for n in range(1, many)
        ],
        tasks=[task(n, due=NOW + timedelta(hours=n)) for n in range(1, many)],
        reminders=[reminder(n) for n in range(1, many)],
        cases=[case(n) for n in range(1, many)],
        team_overdue=[task(n, assignee=BOSS, due=NOW - timedelta(hours=n)) for n in range(1, many)],
        team_breached=[case(n, assignee=None, late=True) for n in range(1, many)],
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_home_stays_inside_slacks_limits(language: Language) -> None:
    view = home_view(translator().bind(language), actor(Role.MANAGER, language), full_board())
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert all(0 < len(text) <= MAX_TEXT for text in texts(view["blocks"]))
    shown = "\n".join(texts(view["blocks"]))
    more = translator().text(language, "home.more", n=39 - MAX_ITEMS)
    assert shown.count(more) >= 5  # tasks, reminders, cases, the team's tasks and cases
    done = [b for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "home_task_done"]
    assert [b["accessory"]["value"] for b in done] == [str(n) for n in range(1, MAX_ITEMS + 1)]


def test_meetings_today_and_later_this_week_not_next_week() -> None:
    rome_evening = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # Wednesday 23:30 in Rome: still today
    sunday = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # Sunday 21:00 in Rome: this week
    monday = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # Monday 00:30 in Rome: next week
    board = Dashboard(
        now=NOW,
        meetings=[
            occurrence(meeting(1, rome_evening, rsvp=Rsvp.GOING)),
            occurrence(meeting(2, sunday, organizer=ME)),
            occurrence(meeting(3, monday, rsvp=Rsvp.MAYBE)),
        ],
        appointments=[appointment(4, NOW + timedelta(hours=5), AppointmentStatus.CONFIRMED)],
    )
    shown = texts(home_view(translator().bind("en"), actor(), board)["blocks"])
    section = next(text for text in shown if text.startswith("*Meetings and appointments*"))
    today, week = section.split("_Later this week_")
    assert "Meeting 1" in today
    assert ":white_check_mark: Going" in today
    assert f"Appointment with <@{BOSS}> · supplier contract" in today
    assert "waiting for an answer" not in today  # confirmed: no status shown
    assert "Meeting 2" in week
    assert "You organise it" in week
    assert "Meeting 3" not in "\n".join(shown)


def test_staff_see_no_team_sections_and_an_empty_home_says_so() -> None:
    view = home_view(translator().bind("it"), actor(), Dashboard(now=NOW))
    shown = "\n".join(texts(view["blocks"]))
    assert translator().text("it", "home.nothing") in shown
    assert "Squadra" not in shown


def test_cases_show_their_next_target_or_that_it_was_missed() -> None:
    board = Dashboard(
        now=NOW,
        cases=[case(1, first_response=False), case(2)],
        team_breached=[case(3, assignee=None, late=True)],
    )
    shown = "\n".join(texts(home_view(translator().bind("en"), actor(Role.MANAGER), board)["blocks"]))
    lines = {line.split("`")[1]: line for line in shown.splitlines() if line.startswith("• `C-")}
    assert "first reply by <!date^" in lines["C-1"]
    assert "resolve by <!date^" in lines["C-2"]
    assert "🚨 target missed" in lines["C-3"]
    assert "nobody yet" in lines["C-3"]
    assert "Anna" not in shown  # no customer details on the Home
