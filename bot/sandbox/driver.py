"""The double acting as Slack toward the app: signed commands, events and interactions over real HTTP.

Every request carries what Slack would issue with it (a fresh trigger_id, a response_url pointing back at the
double), and what the person did is recorded as they would see it (their DM message, the modal closing…).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.sandbox import limits, payloads, signing
from bot.sandbox.records import AppReply, Ephemeral, FileRecord, Message
from bot.sandbox.response_url import deliver
from bot.sandbox.state import MessageRef, SandboxState
from bot.sandbox.workspace import FakeUser, Workspace


@dataclass(frozen=True, slots=True)
class AppUrls:
    commands: str
    interactivity: str
    events: str


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a clicked element lives: a channel message, an ephemeral, or a view."""

    block_id: str
    element: dict[str, Any]
    message: Message | Ephemeral | None = None
    view: dict[str, Any] | None = None


class SlackToApp:
    """Mixed into `SlackDouble`; it provides the state, the secrets and change notification."""

    workspace: Workspace
    signing_secret: str
    verification_token: str
    _state: SandboxState
    _app_urls: AppUrls | None
    _session: aiohttp.ClientSession | None
    _app_timeout: float

    async def _notify(self) -> None:
        raise NotImplementedError

    def connect_app(
        self,
        request_url: str,
        *,
        commands_url: str | None = None,
        interactivity_url: str | None = None,
        events_url: str | None = None,
    ) -> None:
        """Where the app listens; one Request URL for everything (as Bolt uses) unless told otherwise."""
        self._app_urls = AppUrls(
            commands=commands_url or request_url,
            interactivity=interactivity_url or request_url,
            events=events_url or request_url,
        )

    # ---- plumbing ----------------------------------------------------------------------------------------------

    def _urls(self) -> AppUrls:
        if self._app_urls is None:
            raise RuntimeError("call connect_app(request_url) before sending requests to the app")
        return self._app_urls

    def _person(self, user_id: str) -> FakeUser:
        user = self.workspace.user(user_id)
        if user is None:
            raise LookupError(f"{user_id} is not a user of the double's workspace")
        return user

    async def _post(self, url: str, request: signing.SignedRequest) -> AppReply:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=self._app_timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)
        started = time.perf_counter()
        async with self._session.post(url, data=request.body, headers=request.headers) as response:
            body = await response.text()
            reply = AppReply(response.status, body, dict(response.headers), time.perf_counter() - started)
        await self._notify()
        return reply

    async def send_raw(self, body: bytes, headers: dict[str, str], *, url: str | None = None) -> AppReply:
        """Any bytes and headers, for forged, unsigned or malformed requests; to the events URL by default."""
        return await self._post(url or self._urls().events, signing.SignedRequest(body, headers))

    # ---- slash commands ----------------------------------------------------------------------------------------

    async def send_command(
        self,
        user_id: str,
        text: str,
        *,
        channel_id: str = "C0OPS0001",
        command: str = "/ops",
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> AppReply:
        user = self._person(user_id)
        hook = self._state.issue_response_url(user.id, channel_id, None)
        request = signing.slash_command(
            secret or self.signing_secret,
            token=self.verification_token,
            team_id=self.workspace.team_id,
            team_domain=self.workspace.team_domain,
            channel_id=channel_id,
            channel_name=payloads.channel_name(self.workspace, channel_id),
            user_id=user.id,
            user_name=user.name,
            command=command,
            text=text,
            api_app_id=self.workspace.app_id,
            response_url=hook.url,
            trigger_id=self._state.issue_trigger(user.id),
            timestamp=timestamp,
            retry_num=retry_num,
        )
        reply = await self._post(self._urls().commands, request)
        self._show_command_reply(command, reply, hook.token)
        await self._notify()
        return reply

    def _show_command_reply(self, command: str, reply: AppReply, token: str) -> None:
        """Slack shows a command's HTTP answer to the person: a JSON message, plain text, or an error line."""
        hook = self._state.response_urls[token]
        if reply.status != 200:
            text = f'{command} failed with the error "dispatch_failed"'
            self._state.add_ephemeral(hook.channel_id, hook.user_id, text, source="slack")
            return
        if not reply.body.strip():
            return
        try:
            answer = reply.json()
        except json.JSONDecodeError:
            answer = {"text": reply.body}
        if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
            deliver(self._state, hook, answer, source="command_reply")

    # ---- events ------------------------------------------------------------------------------------------------

    async def send_event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> AppReply:
        """An Events API delivery; pass the same `event_id` with `retry_num` to replay it as Slack's retry."""
        request = signing.event_callback(
            secret or self.signing_secret,
            token=self.verification_token,
            team_id=self.workspace.team_id,
            api_app_id=self.workspace.app_id,
            bot_user_id=self.workspace.bot_user_id,
            event=event,
            event_id=event_id or self._state.next_id("Ev"),
            event_time=int(self._state.clock()),
            event_context="4-" + secrets.token_urlsafe(48),
            timestamp=timestamp,
            retry_num=retry_num,
            retry_reason=retry_reason,
        )
        return await self._post(self._urls().events, request)

    async def send_message_im(
        self, user_id: str, text: str, *, thread_ts: str | None = None, event_id: str | None = None
    ) -> AppReply:
        """The person writes to the bot in their DM: the message appears there and a `message.im` event goes out."""
        user = self._person(user_id)
        channel_id = self.workspace.dm_channel_id(user.id)
        message = self._state.add_message(channel_id, user, text, thread_ts=thread_ts)
        event = payloads.user_message_event(
            self.workspace,
            kind="message",
            user=user,
            text=text,
            channel_id=channel_id,
            ts=message.ts,
            thread_ts=thread_ts,
            channel_type="im",
        )
        return await self.send_event(event, event_id=event_id)

    async def send_file_share_im(
        self,
        user_id: str,
        filename: str,
        content: bytes,
        *,
        text: str = "",
        mimetype: str = "text/csv",
        event_id: str | None = None,
    ) -> AppReply:
        """The person drops a file into their DM with the bot (with an optional message), as Slack delivers it.

        The file is stored as theirs and shared in that DM: the bot can read it with `files.info` and download
        `url_private` / `url_private_download` with its token. The message with the file appears in the DM and
        a `message` event with subtype `file_share` goes out.
        """
        user = self._person(user_id)
        channel_id = self.workspace.dm_channel_id(user.id)
        file_id = self._state.next_id("F")
        record = FileRecord(
            id=file_id,
            filename=filename,
            title=filename,
            content=content,
            user=user.id,
            team=self.workspace.team_id,
            created=int(self._state.clock()),
            url_private=f"{self._state.base_url()}files-pri/{self.workspace.team_id}-{file_id}/{quote(filename)}",
            channels=(channel_id,),
            mimetype=mimetype,
        )
        self._state.files[record.id] = record
        message = self._state.add_message(channel_id, user, text, files=(record,))
        event = payloads.file_share_event(
            self.workspace,
            user=user,
            text=text,
            channel_id=channel_id,
            ts=message.ts,
            files=[record.to_slack()],
            channel_type="im",
        )
        return await self.send_event(event, event_id=event_id)

    async def send_app_mention(
        self,
        user_id: str,
        text: str,
        channel_id: str = "C0OPS0001",
        *,
        thread_ts: str | None = None,
        event_id: str | None = None,
    ) -> AppReply:
        """The person @-mentions the bot in a channel; the mention is prepended unless the text has it."""
        user = self._person(user_id)
        mention = f"<@{self.workspace.bot_user_id}>"
        if mention not in text:
            text = f"{mention} {text}"
        message = self._state.add_message(channel_id, user, text, thread_ts=thread_ts)
        event = payloads.user_message_event(
            self.workspace,
            kind="app_mention",
            user=user,
            text=text,
            channel_id=channel_id,
            ts=message.ts,
            thread_ts=thread_ts,
        )
        return await self.send_event(event, event_id=event_id)

    async def send_app_home_opened(self, user_id: str) -> AppReply:
        user = self._person(user_id)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user.id,
            "channel": self.workspace.dm_channel_id(user.id),
            "tab": "home",
            "event_ts": self._state.next_ts(),
        }
        home = self._state.home_views.get(user.id)
        if home is not None:
            event["view"] = home
        return await self.send_event(event)

    async def send_url_verification(
        self, challenge: str, *, timestamp: int | None = None, secret: str | None = None
    ) -> AppReply:
        request = signing.url_verification(
            secret or self.signing_secret, token=self.verification_token, challenge=challenge, timestamp=timestamp
        )
        return await self._post(self._urls().events, request)

    # ---- interactivity -----------------------------------------------------------------------------------------

    async def _send_interaction(
        self, payload: dict[str, Any], *, retry_num: int | None, timestamp: int | None, secret: str | None
    ) -> AppReply:
        request = signing.interaction(secret or self.signing_secret, payload, timestamp=timestamp, retry_num=retry_num)
        return await self._post(self._urls().interactivity, request)

    def _locate(
        self,
        user: FakeUser,
        action_id: str,
        block_id: str | None,
        message: Message | Ephemeral | None,
        view: dict[str, Any] | None,
        channel_id: str | None,
    ) -> _Target:
        """The element to click: in the given message or view, else the newest one the person can see."""
        candidates: list[Message | Ephemeral | dict[str, Any]]
        if message is not None:
            candidates = [message]
        elif view is not None:
            candidates = [view]
        else:
            state = self._state
            candidates = [e for e in reversed(state.ephemeral_messages) if e.user == user.id]
            visible: list[Message] = [
                m
                for cid, messages in state.channel_messages.items()
                if cid == self.workspace.dm_channel_id(user.id) or user.id in self._channel_members(cid)
                for m in messages
            ]
            visible.sort(key=lambda m: m.ts, reverse=True)
            candidates += visible
            if channel_id is not None:
                candidates = [c for c in candidates if not isinstance(c, dict) and c.channel == channel_id]
            candidates += list(reversed(state.modal_stacks.get(user.id, [])))[:1]
            if user.id in state.home_views:
                candidates.append(state.home_views[user.id])
        for candidate in candidates:
            blocks = candidate["blocks"] if isinstance(candidate, dict) else candidate.blocks
            found = payloads.find_element(blocks, action_id, block_id)
            if found is None:
                continue
            if isinstance(candidate, dict):
                return _Target(found[0], found[1], view=candidate)
            return _Target(found[0], found[1], message=candidate)
        raise LookupError(f"no element with action_id {action_id!r} in anything {user.id} can see")

    def _channel_members(self, channel_id: str) -> tuple[str, ...]:
        channel = self.workspace.channel(channel_id)
        return channel.members if channel else ()

    async def send_block_action(
        self,
        user_id: str,
        action_id: str,
        value: Any = None,
        *,
        message: Message | Ephemeral | None = None,
        view: dict[str, Any] | None = None,
        channel_id: str | None = None,
        block_id: str | None = None,
        state_values: dict[str, dict[str, Any]] | None = None,
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> AppReply:
        """The person uses a button, select, picker… identified by `action_id` (and `block_id` if ambiguous).

        Without `message` or `view`, the newest element with that action_id the person can see is used.
        `value` is what they chose: a button's value (default: the button's own), an option value, a date…
        """
        user = self._person(user_id)
        target = self._locate(user, action_id, block_id, message, view, channel_id)
        action = payloads.action(target.element, target.block_id, value, self._state.next_ts())
        entered = payloads.selected_state(target.element, value)
        trigger_id = self._state.issue_trigger(user.id)
        if target.view is not None:
            live = target.view
            values = {**live["state"]["values"], **payloads.expand_values(live["blocks"], state_values or {})}
            if entered:  # Slack keeps what the person entered in the view's state
                values.setdefault(target.block_id, {})[str(action_id)] = entered
            live["state"] = {"values": values}
            payload = payloads.block_actions(
                self.workspace,
                user=user,
                token=self.verification_token,
                trigger_id=trigger_id,
                actions=[action],
                container={"type": "view", "view_id": live["id"]},
                state_values=values,
                view=live,
            )
        else:
            assert target.message is not None
            source = target.message
            is_ephemeral = isinstance(source, Ephemeral)
            values = payloads.expand_values(source.blocks, state_values or {})
            if entered:
                values.setdefault(target.block_id, {})[str(action_id)] = entered
            ref = MessageRef("ephemeral" if is_ephemeral else "message", source.channel, source.ts, user.id)
            hook = self._state.issue_response_url(user.id, source.channel, ref)
            payload = payloads.block_actions(
                self.workspace,
                user=user,
                token=self.verification_token,
                trigger_id=trigger_id,
                actions=[action],
                container={
                    "type": "message",
                    "message_ts": source.ts,
                    "channel_id": source.channel,
                    "is_ephemeral": is_ephemeral,
                },
                state_values=values,
                channel_id=source.channel,
                message=None if isinstance(source, Ephemeral) else source.to_slack(),
                response_url=hook.url,
            )
        return await self._send_interaction(payload, retry_num=retry_num, timestamp=timestamp, secret=secret)

    async def send_message_shortcut(
        self,
        user_id: str,
        callback_id: str,
        message: Message,
        *,
        trigger_id: str | None = None,
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> AppReply:
        """The person picks a message shortcut on `message`; pass `trigger_id` to replay the same delivery."""
        user = self._person(user_id)
        ref = MessageRef("message", message.channel, message.ts, user.id)
        hook = self._state.issue_response_url(user.id, message.channel, ref)
        payload = payloads.message_action(
            self.workspace,
            user=user,
            token=self.verification_token,
            trigger_id=trigger_id or self._state.issue_trigger(user.id),
            callback_id=callback_id,
            channel_id=message.channel,
            message=message.to_slack(),
            response_url=hook.url,
            action_ts=self._state.next_ts(),
        )
        return await self._send_interaction(payload, retry_num=retry_num, timestamp=timestamp, secret=secret)

    def _top_view(self, user_id: str, view: dict[str, Any] | None) -> dict[str, Any]:
        stack = self._state.modal_stacks.get(user_id, [])
        wanted = view["id"] if view is not None else (stack[-1]["id"] if stack else None)
        live = next((v for v in stack if v["id"] == wanted), None)
        if live is None:
            raise LookupError(f"{user_id} has no open modal" + (f" with id {wanted}" if wanted else ""))
        return live

    async def send_view_submission(
        self,
        user_id: str,
        view: dict[str, Any] | None = None,
        values: dict[str, dict[str, Any]] | None = None,
        *,
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> AppReply:
        """The person presses Submit on an open modal (the top one by default).

        `values` is `{block_id: {action_id: value}}`; a value is a full state entry or a shorthand (a string,
        a list for multi-selects) expanded to the element's shape. The app's answer is applied as Slack would:
        empty closes the view, `response_action` update/push/clear/errors change the stack.
        """
        user = self._person(user_id)
        live = self._top_view(user.id, view)
        entered = payloads.expand_values(live["blocks"], values or {})
        # Slack reports every input: what was typed, else what the app put there (initial_*), else empty.
        state = payloads.merge_state(payloads.initial_values(live["blocks"]), live["state"]["values"], entered)
        live["state"] = {"values": state}
        payload = payloads.view_submission(
            self.workspace,
            user=user,
            token=self.verification_token,
            trigger_id=self._state.issue_trigger(user.id),
            view=live,
        )
        reply = await self._send_interaction(payload, retry_num=retry_num, timestamp=timestamp, secret=secret)
        self._apply_submission_reply(user.id, live, reply)
        await self._notify()
        return reply

    def _apply_submission_reply(self, user_id: str, live: dict[str, Any], reply: AppReply) -> None:
        if reply.status != 200:
            return  # Slack shows an error in the modal and keeps it open
        stack = self._state.modal_stacks.get(user_id, [])
        if live not in stack:
            return
        answer: Any = {}
        if reply.body.strip():
            try:
                answer = reply.json()
            except json.JSONDecodeError:
                answer = {}
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "errors":
            return
        if action == "clear":
            stack.clear()
        elif action in ("update", "push"):
            if limits.view_errors(answer.get("view")):
                return  # Slack refuses the new view and leaves the submitted one open
            if action == "update":
                stack[stack.index(live)] = self._state.build_view(answer["view"], keep=live)
            else:
                stack.append(self._state.build_view(answer["view"], previous=live, root=stack[0]))
        else:
            stack.remove(live)  # an empty ack closes the submitted view, back to the one below it

    async def send_view_closed(self, user_id: str, view: dict[str, Any] | None = None) -> AppReply | None:
        """The person closes a modal; the app hears of it only if the view asked with `notify_on_close`."""
        user = self._person(user_id)
        live = self._top_view(user.id, view)
        stack = self._state.modal_stacks[user.id]
        if live.get("clear_on_close"):
            stack.clear()
        else:
            stack.remove(live)
        await self._notify()
        if not live.get("notify_on_close"):
            return None
        payload = payloads.view_closed(self.workspace, user=user, token=self.verification_token, view=live)
        return await self._send_interaction(payload, retry_num=None, timestamp=None, secret=None)

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            await asyncio.sleep(0)  # let aiohttp finish closing its connector before the loop moves on
