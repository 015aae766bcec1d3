"""The low-stock alert in the stock channel, posted from wherever a quantity changes (a command, a stock-take
reading), in the workspace's language: everyone in the channel reads it. Also the parts of an order's approval
that need words: the email to the supplier and the "receive delivery" task."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.language import Language
from bot.domain.roles import Actor
from bot.domain.stock import LowAlert, Order, OrderEmail, OrderMail, TaskMaker
from bot.domain.tasking import TaskService
from bot.domain.tasks import TaskDraft
from bot.i18n import Translator
from bot.rendering import stock as render


class StockAlertPoster:
    def __init__(self, client: AsyncWebClient, translator: Translator) -> None:
        self._client = client
        self._translator = translator

    async def __call__(self, alert: LowAlert) -> None:
        words = self._translator.bind(alert.language)
        await self._client.chat_postMessage(channel=alert.channel, **render.low_alert(words, alert).as_message())


def order_emails(translator: Translator) -> OrderEmail:
    """The order as the supplier reads it, in the workspace's language."""

    def compose(order: Order, language: Language, zone: ZoneInfo) -> OrderMail:
        return render.order_email(translator.bind(language), order, zone)

    return compose


def delivery_tasks(tasks: TaskService, translator: Translator) -> TaskMaker:
    """The "receive delivery" task, opened through the Tasks capability for whoever approved the order."""

    async def open_task(actor: Actor, order: Order, due: datetime) -> int:
        title = render.delivery_task_title(translator.bind(actor.language), order)
        return (await tasks.create(actor, TaskDraft(title=title, due=due, tags=("stock",)))).number

    return open_task
