"""Couriers for tasks: the due-time DM to the assignee, and the overdue report to the creator or the managers."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.couriers import AwayCheck, DirectMessageCourier
from bot.domain.access import AccessService
from bot.domain.reminders import Delivery
from bot.domain.tasking import TaskService, task_id_of
from bot.domain.tasks import Task
from bot.i18n import Translator, Words
from bot.rendering import tasks as render
from bot.rendering.blocks import Reply
from bot.scheduling import Outcome, Sent, Skipped

log = logging.getLogger("ops.couriers.tasks")


class TaskDueCourier(DirectMessageCourier):
    """A task's due time: a DM to its assignee with Done / Snooze 1 h / Tomorrow 9:00; several at once in one."""

    def __init__(
        self,
        client: AsyncWebClient,
        access: AccessService,
        translator: Translator,
        tasks: TaskService,
        away_until: AwayCheck | None = None,
    ):
        super().__init__(client, access, translator, away_until)
        self._tasks = tasks

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        routed = await self.route(deliveries)
        if isinstance(routed, dict):
            return routed
        deliveries, covering = routed
        first = deliveries[0]
        outcomes: dict[int, Outcome] = {}
        interrupted = {d.occurrence_key for d in deliveries if d.interrupted}
        if interrupted:
            # A previous attempt may have posted before its process died: look before posting again.
            found = await self._already_posted(first.recipient, interrupted)
            for delivery in deliveries:
                if delivery.occurrence_key in found:
                    outcomes[delivery.id] = found[delivery.occurrence_key]
        items: list[tuple[Delivery, Task]] = []
        for delivery in deliveries:
            if delivery.id in outcomes:
                continue
            task_id = task_id_of(delivery.target)
            task = await self._tasks.due_reached(delivery.team, task_id) if task_id is not None else None
            if task is None:
                outcomes[delivery.id] = Skipped("task closed or gone")
                continue
            items.append((delivery, task))
        if not items:
            return outcomes
        actor = await self._recipient(first)
        words = self._translator.bind(actor.language)
        if len(items) == 1:
            delivery, task = items[0]
            reply = render.due_message(words, actor, delivery, task, now)
            outcomes |= await self._post(first.recipient, [delivery], self.covered(words, actor, reply, covering))
            return outcomes
        for start in range(0, len(items), render.MAX_GROUPED):
            chunk = items[start : start + render.MAX_GROUPED]
            reply = self.covered(words, actor, render.grouped_due(words, actor, chunk, now), covering)
            outcomes |= await self._post(first.recipient, [delivery for delivery, _ in chunk], reply)
        return outcomes

    def failure_reply(self, words: Words, delivery: Delivery, error: str) -> Reply:
        """Whoever created the task hears that its reminder could not reach the assignee."""
        return render.failure_report(words, delivery.recipient, delivery.payload.get("title", ""), error)


class TaskOverdueCourier(DirectMessageCourier):
    """A task still open a while after its due time: reported once, to its creator or to the managers."""

    def __init__(self, client: AsyncWebClient, access: AccessService, translator: Translator, tasks: TaskService):
        super().__init__(client, access, translator)
        self._tasks = tasks

    async def send(self, deliveries: Sequence[Delivery], *, now: datetime) -> Mapping[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        for delivery in deliveries:
            task_id = task_id_of(delivery.target)
            escalation = await self._tasks.escalation(delivery.team, task_id) if task_id is not None else None
            if escalation is None or not escalation.recipients:
                outcomes[delivery.id] = Skipped("task closed, gone, or nobody to tell")
                continue
            if delivery.interrupted:
                found = await self._already_posted(escalation.recipients[0], {delivery.occurrence_key})
                if delivery.occurrence_key in found:
                    outcomes[delivery.id] = found[delivery.occurrence_key]
                    continue
            first: Outcome | None = None
            for recipient in escalation.recipients:
                actor = await self._recipient(replace(delivery, recipient=recipient))
                words = self._translator.bind(actor.language)
                reply = render.escalation_message(words, actor, escalation.task, now)
                outcome = (await self._post(recipient, [delivery], reply))[delivery.id]
                if first is None or (not isinstance(first, Sent) and isinstance(outcome, Sent)):
                    first = outcome
            assert first is not None
            outcomes[delivery.id] = first
        return outcomes

    async def report_failure(self, delivery: Delivery, error: str) -> None:
        log.error("overdue report %s could not be delivered: %s", delivery.occurrence_key, error)
