"""Meetings in Slack: `/ops meeting …` (`riunione`), `/ops room …` (`sala`), `/ops calendar`, the answer
buttons, Send anyway / Find another time, the proposals' Schedule buttons, and the invitations with their .ics."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import DomainError
from bot.domain.ids import UserId
from bot.domain.meeting_service import default_duration
from bot.domain.meetings import Meeting, MeetingDraft
from bot.home_refresh import HomeRefresher
from bot.i18n import Words
from bot.parsing import meeting_commands as manage
from bot.parsing import meetings as parse
from bot.parsing import tasks as tasks_parse
from bot.parsing.dates import Every, parse_when
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first
from bot.rendering import meeting_calendar as ics
from bot.rendering import meetings as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_for, words_of, workspace_words
from handlers.listeners import Listeners

log = logging.getLogger("ops.handlers.meetings")

MEETING = ("meeting", "meetings", "riunione", "riunioni")
AGENDA = ("agenda", "odg")
MINUTES = ("minutes", "verbale", "verbali")
ROOM = ("room", "rooms", "sala", "sale")
CALENDAR = ("calendar", "calendario")
SUGGEST_MODAL = "meeting_suggest_modal"


class MeetingHandlers:
    def __init__(self, services: Services, public_url: str) -> None:
        self._services = services
        self._public_url = public_url.rstrip("/")

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route_words(MEETING, self.meeting)
        commands.route_words(ROOM, self.room)
        commands.route_words(CALENDAR, self.calendar)
        commands.route_words(AGENDA, self.agenda)
        commands.route_words(MINUTES, self.minutes)
        app.view(render.MEETING_MODAL)(self.on_form)
        app.action(render.VOTE)(self.on_vote)
        app.action(render.CONFIRM)(self.on_confirm)
        app.action(render.WRITE_MINUTES)(self.on_write_minutes)
        app.view(render.MINUTES_MODAL)(self.on_minutes)
        for action_id in render.ANSWERS:
            app.action(action_id)(self.on_answer)
        app.action(render.SUGGEST)(self.on_suggest)
        app.view(SUGGEST_MODAL)(self.on_suggestion)
        app.action(render.SEND_ANYWAY)(self.on_send_anyway)
        app.action(render.FIND_OTHER)(self.on_find_other)
        app.action(render.PICK)(self.on_pick)

    # ---- commands --------------------------------------------------------------------------------------------

    async def meeting(self, request: CommandRequest) -> None:
        actor, words = request.actor, request.words
        now = self._services.clock.now()
        verb, rest = split_first(request.text)
        if not verb:
            today = now.astimezone(actor.timezone).date().isoformat()
            await request.ack()
            await request.client.views_open(
                trigger_id=str(request.body["trigger_id"]), view=render.meeting_modal(words, today)
            )
            return
        if verb in manage.POLL:
            await self._poll(request, rest)
            return
        if verb in manage.FIND:
            await self._find(request, rest)
            return
        if verb in manage.LIST | manage.CANCEL | manage.MOVE:
            await self._manage(request, manage.parse_manage(verb, rest, now=now, zone=actor.timezone))
            return
        text = parse.parse_meeting(request.text, now=now, zone=actor.timezone)
        meetings = self._services.meetings
        starts = text.when.first if isinstance(text.when, Every) else text.when.at
        duration = default_duration(text.duration)
        invitees = text.invitees
        attendees = await meetings.resolve(
            actor, invitees.people, invitees.groups, invitees.channels, invitees.roles, starts
        )
        draft = MeetingDraft(
            team=actor.team,
            title=text.title,
            organizer=actor.user,
            starts=starts,
            ends=starts + duration,
            zone=actor.timezone.key,
            place=text.place,
            room_id=None,
            attendees=tuple(attendees),
            channel=None,
            recurrence=text.when.recurrence if isinstance(text.when, Every) else None,
        )
        plan = await meetings.plan(actor, draft)
        await request.answer(render.planned(words, plan))
        if plan.sent:
            await self._send(request.client, plan.meeting)

    async def _poll(self, request: CommandRequest, rest: str) -> None:
        """The meeting part is read as a meeting at its first option; the other options are times."""
        actor, words, meetings = request.actor, request.words, self._services.meetings
        now = self._services.clock.now()
        split = manage.split_poll(rest)
        text = parse.parse_meeting(f"{split.meeting} {split.options[0]}", now=now, zone=actor.timezone)
        first = text.when.first if isinstance(text.when, Every) else text.when.at
        options = [first] + [parse_when(option, now=now, zone=actor.timezone).at for option in split.options[1:]]
        invitees = text.invitees
        attendees = await meetings.resolve(
            actor, invitees.people, invitees.groups, invitees.channels, invitees.roles, first
        )
        poll = await meetings.create_poll(
            actor, text.title, attendees, options, default_duration(text.duration), text.place
        )
        await request.answer(render.poll_sent(words, poll))
        for user in attendees:
            their_words = await words_for(self._services, actor.team, user)
            await request.client.chat_postMessage(
                channel=user, **render.poll_ballot(their_words, poll, user).as_message()
            )
        posted = await request.client.chat_postMessage(
            channel=actor.user, **render.poll_tally(words, poll).as_message()
        )
        await meetings.record_organizer_message(
            actor.team, poll.meeting.id, channel=str(posted["channel"]), ts=str(posted["ts"])
        )

    async def agenda(self, request: CommandRequest) -> None:
        wanted = manage.parse_agenda(request.text)
        meeting = await self._services.meetings.add_agenda(request.actor, wanted.id, wanted.item)
        await request.answer(render.agenda_added(request.words, meeting))
        await self._refresh_tally(request.client, meeting)

    async def minutes(self, request: CommandRequest) -> None:
        meeting_id = manage.parse_minutes(request.text)
        found = await self._services.meetings.minutes(request.actor, meeting_id)
        await request.answer(render.minutes_list(request.words, found))

    async def _manage(
        self, request: CommandRequest, parsed: manage.ListMeetings | manage.CancelMeeting | manage.MoveMeeting
    ) -> None:
        actor, words, meetings = request.actor, request.words, self._services.meetings
        match parsed:
            case manage.ListMeetings():
                await request.answer(render.upcoming(words, await meetings.upcoming(actor)))
            case manage.CancelMeeting(id=number, day=None):
                cancelled = await meetings.cancel(actor, number)
                await request.answer(render.changed_for_organizer(words, cancelled, "meeting.cancelled_confirm"))
                await self._tell_cancelled(request.client, cancelled)
            case manage.CancelMeeting(id=number, day=day) if day is not None:
                changed = await meetings.move_occurrence(actor, number, day, None)
                await request.answer(render.changed_for_organizer(words, changed, "meeting.occurrence_changed"))
                await self._resend(request.client, changed, notice="meeting.occurrence_cancelled_dm")
            case manage.MoveMeeting(id=number, starts=starts, day=None):
                moved = await meetings.reschedule(actor, number, starts)
                await request.answer(render.changed_for_organizer(words, moved, "meeting.moved_confirm"))
                await self._resend(request.client, moved, notice=None)
            case manage.MoveMeeting(id=number, starts=starts, day=day) if day is not None:
                changed = await meetings.move_occurrence(actor, number, day, starts)
                await request.answer(render.changed_for_organizer(words, changed, "meeting.occurrence_changed"))
                await self._resend(request.client, changed, notice="meeting.occurrence_moved_dm")

    async def _find(self, request: CommandRequest, rest: str) -> None:
        actor, words, meetings = request.actor, request.words, self._services.meetings
        wanted = parse.parse_find(rest, now=self._services.clock.now(), zone=actor.timezone)
        invitees = wanted.invitees
        now = self._services.clock.now()
        attendees = await meetings.resolve(
            actor, invitees.people, invitees.groups, invitees.channels, invitees.roles, now
        )
        found = await meetings.find(actor, attendees, wanted.duration, wanted.first_day, wanted.last_day)
        title = words("meeting.default_title")
        await request.answer(render.proposals(words, title, wanted.duration, found, attendees, None))

    async def room(self, request: CommandRequest) -> None:
        meetings, actor, words = self._services.meetings, request.actor, request.words
        match manage.parse_room(request.text):
            case manage.ListRooms():
                await request.answer(render.rooms(words, await meetings.rooms(actor)))
            case manage.AddRoom(name=name, capacity=capacity):
                await request.answer(render.room_added(words, await meetings.add_room(actor, name, capacity)))

    async def calendar(self, request: CommandRequest) -> None:
        reset = manage.parse_calendar(request.text)
        token = await self._services.meetings.feed_url_token(request.actor, reset=reset)
        await request.answer(render.feed(request.words, f"{self._public_url}/calendar/{token}.ics", reset=reset))

    # ---- buttons ---------------------------------------------------------------------------------------------

    async def on_answer(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        answered = await self._services.meetings.answer(
            actor, int(action["value"]), render.ANSWERS[action["action_id"]]
        )
        await respond(replace_original=True, **render.invitation(words, answered.meeting, actor.user).as_message())
        await self._refresh_tally(client, answered.meeting)
        await HomeRefresher(self._services).refresh(client, actor.team, [actor.user])

    async def on_suggest(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        words = words_of(context, self._services)
        meeting = await self._services.meetings.get(actor_of(context), int(action["value"]))
        await client.views_open(
            trigger_id=str(body["trigger_id"]), view=render.suggest_modal(words, meeting, SUGGEST_MODAL)
        )

    async def on_suggestion(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        text = str(
            ((view.get("state") or {}).get("values") or {}).get("suggestion", {}).get("text", {}).get("value") or ""
        )
        words = words_of(context, self._services)
        if not text.strip():
            await ack(response_action="errors", errors={"suggestion": words("meeting.suggest_empty")})
            return
        await ack()
        actor = actor_of(context)
        meeting_id = int(str(view.get("private_metadata") or "0"))
        suggested = await self._services.meetings.suggest(actor, meeting_id, text.strip())
        organizer_words = await words_for(self._services, actor.team, suggested.organizer)
        await client.chat_postMessage(
            channel=suggested.organizer,
            **render.suggestion_to_organizer(organizer_words, suggested, actor.user, text.strip()).as_message(),
        )
        await self._refresh_tally(client, suggested)

    async def on_send_anyway(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        meeting = await self._services.meetings.send_anyway(actor, int(action["value"]))
        await respond(
            replace_original=True, **render.changed_for_organizer(words, meeting, "meeting.sent_anyway").as_response()
        )
        await self._send(client, meeting)

    async def on_find_other(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await ack()
        actor, words, meetings = actor_of(context), words_of(context, self._services), self._services.meetings
        meeting = await meetings.get(actor, int(action["value"]))
        attendees = [a.user for a in meeting.attendees]
        today = self._services.clock.now().astimezone(actor.timezone).date()
        found = await meetings.find(actor, attendees, meeting.duration, today, today + timedelta(days=13))
        reply = render.proposals(words, meeting.title, meeting.duration, found, attendees, meeting.id)
        await respond(replace_original=True, **reply.as_response())

    async def on_pick(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """A proposal chosen: the draft it came from moves there and goes out, or a new meeting is made."""
        await ack()
        actor, words, meetings = actor_of(context), words_of(context, self._services), self._services.meetings
        picked = json.loads(str(action["value"]))
        starts = datetime.fromtimestamp(int(picked["s"]), UTC)
        if picked.get("d"):
            meeting = await meetings.reschedule(actor, int(picked["d"]), starts)
            await respond(
                replace_original=True, **render.changed_for_organizer(words, meeting, "meeting.sent_at").as_response()
            )
            await self._send(client, meeting)
            return
        draft = MeetingDraft(
            team=actor.team,
            title=str(picked["t"]),
            organizer=actor.user,
            starts=starts,
            ends=starts + timedelta(minutes=int(picked["m"])),
            zone=actor.timezone.key,
            place="",
            room_id=None,
            attendees=tuple(UserId(user) for user in picked["u"]),
        )
        plan = await meetings.plan(actor, draft)
        await respond(replace_original=True, **render.planned(words, plan).as_response())
        if plan.sent:
            await self._send(client, plan.meeting)

    async def on_form(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """The meeting form: errors go back onto its fields; otherwise the same as a typed meeting."""
        actor, words, meetings = actor_of(context), words_of(context, self._services), self._services.meetings
        values = (view.get("state") or {}).get("values") or {}
        try:
            form = manage.read_form(values, now=self._services.clock.now(), zone=actor.timezone)
        except manage.FormErrors as errors:
            await ack(response_action="errors", errors={block: words.msg(msg) for block, msg in errors.errors.items()})
            return
        attendees = [user for user in form.attendees if user != actor.user]
        if not attendees:
            await ack(response_action="errors", errors={"attendees": words("meeting.error.nobody")})
            return
        draft = MeetingDraft(
            team=actor.team,
            title=form.title,
            organizer=actor.user,
            starts=form.starts,
            ends=form.starts + form.duration,
            zone=actor.timezone.key,
            place=form.place,
            room_id=None,
            attendees=tuple(attendees),
            agenda=form.agenda,
            channel=form.channel,
            lead=form.lead,
        )
        try:
            plan = await meetings.plan(actor, draft)
        except DomainError as error:
            await ack(response_action="errors", errors={"date": words.msg(error.message)})
            return
        await ack()
        await client.chat_postMessage(channel=actor.user, **render.planned(words, plan).as_message())
        if plan.sent:
            await self._send(client, plan.meeting)

    async def on_vote(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        meeting_id, position = (int(part) for part in str(action["value"]).split(":"))
        poll = await self._services.meetings.vote(actor, meeting_id, position)
        await respond(replace_original=True, **render.poll_ballot(words, poll, actor.user).as_message())
        meeting = poll.meeting
        fresh = await self._services.meetings.meeting(meeting.team, meeting.id)
        if fresh is not None and fresh.organizer_channel and fresh.organizer_ts:
            organizer_words = await words_for(self._services, meeting.team, meeting.organizer)
            await client.chat_update(
                channel=fresh.organizer_channel,
                ts=fresh.organizer_ts,
                **render.poll_tally(organizer_words, poll).as_message(),
            )

    async def on_confirm(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """The organizer picks the winning time: the poll closes and the invitation goes out."""
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        meeting_id, position = (int(part) for part in str(action["value"]).split(":"))
        meeting = await self._services.meetings.confirm_poll(actor, meeting_id, position)
        await respond(replace_original=True, **render.poll_closed(words, meeting).as_message())
        await self._send(client, meeting)

    async def on_write_minutes(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        words = words_of(context, self._services)
        meeting_id, stamp = (int(part) for part in str(action["value"]).split(":"))
        meeting = await self._services.meetings.get(actor_of(context), meeting_id)
        view = render.minutes_modal(words, meeting, datetime.fromtimestamp(stamp, UTC))
        await client.views_open(trigger_id=str(body["trigger_id"]), view=view)

    async def on_minutes(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """The minutes: each action item line is read as a task (`Call the supplier @luca due friday`)."""
        actor, words = actor_of(context), words_of(context, self._services)
        values = (view.get("state") or {}).get("values") or {}
        text = str(((values.get("minutes") or {}).get("value") or {}).get("value") or "")
        lines = [
            line.strip(" -•*\t")
            for line in str(((values.get("actions") or {}).get("value") or {}).get("value") or "").splitlines()
        ]
        drafts = []
        now = self._services.clock.now()
        for number, line in enumerate((line for line in lines if line), start=1):
            try:
                drafts.append(tasks_parse.parse_add(line, now=now, zone=actor.timezone).draft)
            except ParseError as error:
                problem = words("meeting.minutes_bad_action", n=number, why=words.msg(error.message))
                await ack(response_action="errors", errors={"actions": problem})
                return
        if not text.strip():
            await ack(response_action="errors", errors={"minutes": words("meeting.error.minutes_empty")})
            return
        await ack()
        meeting_id, stamp = (int(part) for part in str(view.get("private_metadata") or "0:0").split(":"))
        meeting, minutes, tasks = await self._services.meetings.save_minutes(
            actor, meeting_id, datetime.fromtimestamp(stamp, UTC), text, drafts
        )
        if meeting.channel is not None:
            channel_words = await workspace_words(self._services, meeting.team)
            await client.chat_postMessage(
                channel=meeting.channel, **render.minutes_message(channel_words, minutes, tasks).as_message()
            )
        else:
            for user in [meeting.organizer, *(a.user for a in meeting.attendees)]:
                their_words = await words_for(self._services, meeting.team, user)
                await client.chat_postMessage(
                    channel=user, **render.minutes_message(their_words, minutes, tasks).as_message()
                )

    # ---- sending ---------------------------------------------------------------------------------------------

    async def _send(self, client: AsyncWebClient, meeting: Meeting) -> None:
        """Each attendee's invitation DM with its .ics, then the organizer's tally (with the .ics too)."""
        people = await ics.people_of(self._services.access, meeting)
        stamp = self._services.clock.now()
        invite = ics.invitation_file(meeting, people, stamp)
        for attendee in meeting.attendees:
            words = await words_for(self._services, meeting.team, attendee.user)
            try:
                posted = await client.chat_postMessage(
                    channel=attendee.user, **render.invitation(words, meeting, attendee.user).as_message()
                )
                channel, ts = str(posted["channel"]), str(posted["ts"])
                await self._services.meetings.record_invitation(
                    meeting.team, meeting.id, attendee.user, channel=channel, ts=ts
                )
                await self._upload(client, channel, meeting, invite, words)
            except SlackApiError as exc:
                log.warning(
                    "could not invite %s to meeting %s: %s", attendee.user, meeting.id, exc.response.get("error")
                )
        organizer_words = await words_for(self._services, meeting.team, meeting.organizer)
        posted = await client.chat_postMessage(
            channel=meeting.organizer, **render.tally(organizer_words, meeting).as_message()
        )
        await self._services.meetings.record_organizer_message(
            meeting.team, meeting.id, channel=str(posted["channel"]), ts=str(posted["ts"])
        )
        await self._upload(client, str(posted["channel"]), meeting, invite, organizer_words)
        await HomeRefresher(self._services).refresh(
            client, meeting.team, [meeting.organizer, *(attendee.user for attendee in meeting.attendees)]
        )

    async def _upload(
        self, client: AsyncWebClient, channel: str, meeting: Meeting, content: bytes, words: Words
    ) -> None:
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"meeting-{meeting.id}.ics",
            title=words("meeting.ics_title", title=meeting.title),
        )

    async def _resend(self, client: AsyncWebClient, meeting: Meeting, *, notice: str | None) -> None:
        """After a change: every invitation updated in place, a new .ics (SEQUENCE up) for everyone."""
        people = await ics.people_of(self._services.access, meeting)
        invite = ics.invitation_file(meeting, people, self._services.clock.now())
        invitations = await self._services.meetings.invitations(meeting.team, meeting.id)
        for attendee in meeting.attendees:
            words = await words_for(self._services, meeting.team, attendee.user)
            found = invitations.get(attendee.user)
            try:
                if found is None:
                    continue
                channel, ts = found
                await client.chat_update(
                    channel=channel,
                    ts=ts,
                    **render.invitation(words, meeting, attendee.user, changed=True).as_message(),
                )
                if notice is not None:
                    await client.chat_postMessage(
                        channel=channel, **render.changed_for_organizer(words, meeting, notice).as_message()
                    )
                await self._upload(client, channel, meeting, invite, words)
            except SlackApiError as exc:
                log.warning(
                    "could not update %s about meeting %s: %s", attendee.user, meeting.id, exc.response.get("error")
                )
        await self._refresh_tally(client, meeting)

    async def _tell_cancelled(self, client: AsyncWebClient, meeting: Meeting) -> None:
        people = await ics.people_of(self._services.access, meeting)
        cancel = ics.cancellation_file(meeting, people, self._services.clock.now())
        invitations = await self._services.meetings.invitations(meeting.team, meeting.id)
        for attendee in meeting.attendees:
            found = invitations.get(attendee.user)
            if found is None:
                continue
            words = await words_for(self._services, meeting.team, attendee.user)
            channel, ts = found
            try:
                await client.chat_update(
                    channel=channel, ts=ts, **render.cancelled_invitation(words, meeting).as_message()
                )
                await self._upload(client, channel, meeting, cancel, words)
            except SlackApiError as exc:
                log.warning(
                    "could not tell %s meeting %s is off: %s", attendee.user, meeting.id, exc.response.get("error")
                )
        await self._refresh_tally(client, meeting)

    async def _refresh_tally(self, client: AsyncWebClient, meeting: Meeting) -> None:
        if meeting.organizer_channel is None or meeting.organizer_ts is None:
            fresh = await self._services.meetings.meeting(meeting.team, meeting.id)
            if fresh is None or fresh.organizer_channel is None or fresh.organizer_ts is None:
                return
            meeting = fresh if not meeting.is_cancelled else meeting
            channel, ts = fresh.organizer_channel, fresh.organizer_ts
        else:
            channel, ts = meeting.organizer_channel, meeting.organizer_ts
        words = await words_for(self._services, meeting.team, meeting.organizer)
        try:
            await client.chat_update(channel=channel, ts=ts, **render.tally(words, meeting).as_message())
        except SlackApiError as exc:
            log.warning("could not update the tally of meeting %s: %s", meeting.id, exc.response.get("error"))
