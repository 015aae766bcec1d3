"""Customer emails into cases: each email opens a case, or joins the case it answers ([C-17] in the subject, or
the thread of an email on that case), and the case's post and thread follow. The mail layer (`bot.mail`) reads
and parses; this decides and tells Slack."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.case_posts import CasePoster
from bot.domain.case_service import CaseService, InboundMessage
from bot.domain.ids import TeamId, UserId
from bot.mail.inbound import InboundEmail, case_number_in, thread_keys
from bot.slack.workspace import for_workspace

log = logging.getLogger("ops.cases.mail")

# Which workspace (and which bot user, the author of an email case) the mailbox belongs to.
Owner = Callable[[], Awaitable[tuple[TeamId, UserId]]]


class CaseMail:
    def __init__(self, cases: CaseService, poster: CasePoster, owner: Owner) -> None:
        self._cases = cases
        self._poster = poster
        self._owner = owner

    async def handle(self, email: InboundEmail) -> None:
        if email.is_automatic:
            return
        team, bot_user = await self._owner()
        message = InboundMessage(
            sender_name=email.sender_name,
            sender_email=email.sender_email.lower(),
            subject=email.subject,
            text=email.text,
            message_id=email.message_id,
            thread=thread_keys(email),
            case_number=case_number_in(email.subject),
        )
        result = await self._cases.from_email(team, message, bot_user=bot_user)
        if result is None:
            log.info("email %s was taken in already", email.message_id)
            return
        case, created = result
        with for_workspace(team):  # the case's post goes out with the mailbox workspace's token
            if created:
                await self._poster.post(case)
            else:
                await self._poster.after(case)
