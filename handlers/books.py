"""The books in Slack: `/ops expense …` (`spesa`), `/ops income …` (`entrata`), `/ops books …` (`conti`),
`/ops cash …` (`cassa`), and receipts (an image or a PDF) shared with the bot in a DM. Managers only.

The summary is answered at once and its chart follows as a PNG in the manager's DM; an export uploads the CSV and
the .xlsx to the same DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain.books import EntryKind, ReceiptFile
from bot.domain.roles import Role
from bot.parsing import books as parse
from bot.rendering import books as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.messages import MessageRouter, PlainRequest

log = logging.getLogger("ops.handlers.books")

_RECEIPT_TYPES = frozenset({"application/pdf"})
_RECEIPT_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".heif")


def is_receipt_file(file: dict[str, Any]) -> bool:
    """Images and PDFs; CSV files are the rota import's."""
    mimetype = str(file.get("mimetype") or "").lower()
    name = str(file.get("name") or "").lower()
    return mimetype.startswith("image/") or mimetype in _RECEIPT_TYPES or name.endswith(_RECEIPT_EXTENSIONS)


class BookHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, commands: CommandRouter, messages: MessageRouter) -> None:
        commands.route_words(parse.EXPENSE_WORDS, self.expense)
        commands.route_words(parse.INCOME_WORDS, self.income)
        commands.route_words(parse.BOOKS_WORDS, self.books)
        commands.route_words(parse.CASH_WORDS, self.cash)
        messages.add_file_handler(self.on_file_shared)

    # ---- entries -------------------------------------------------------------------------------------------------

    async def expense(self, request: CommandRequest) -> None:
        await self._record(request, EntryKind.EXPENSE)

    async def income(self, request: CommandRequest) -> None:
        await self._record(request, EntryKind.INCOME)

    async def _record(self, request: CommandRequest, kind: EntryKind) -> None:
        draft = parse.parse_entry_command(kind, request.text)
        entry = await self._services.books.record(request.actor, draft)
        await request.answer(render.entry_recorded(request.words, entry))

    # ---- /ops books ----------------------------------------------------------------------------------------------

    async def books(self, request: CommandRequest) -> None:
        books, actor, words = self._services.books, request.actor, request.words
        match parse.parse_books_command(request.text):
            case parse.ShowSummary(month=month):
                summary = await books.summary(actor, month)
                await request.answer(render.summary_message(words, summary))
                await self._upload(
                    request,
                    render.summary_chart(words, summary),
                    f"books-{summary.month.strftime('%Y-%m')}.png",
                    render.chart_title(words, summary),
                )
            case parse.ExportMonth(month=month):
                export = await books.export(actor, month)
                await request.answer(render.export_reply(words, export))
                await self._upload(
                    request, render.export_csv(words, export), render.export_name(export.summary, "csv"), None
                )
                await self._upload(
                    request, render.export_xlsx(words, export), render.export_name(export.summary, "xlsx"), None
                )
            case parse.ListEntries(month=month):
                await request.answer(render.entry_list(words, await books.entry_list(actor, month)))
            case parse.CorrectEntry(number=number, reason=reason):
                original, reversal = await books.correct(actor, number, reason)
                await request.answer(render.correction_made(words, original, reversal))
            case parse.ShowCurrency():
                await request.answer(render.currency_shown(words, await books.currency(actor)))
            case parse.SetCurrency(code=code):
                before, after = await books.set_currency(actor, code)
                await request.answer(render.currency_changed(words, before, after))

    async def _upload(self, request: CommandRequest, content: bytes, filename: str, title: str | None) -> None:
        try:
            await request.client.files_upload_v2(
                channel=request.actor.user, content=content, filename=filename, title=title or filename
            )
        except SlackApiError as exc:
            log.warning("could not upload %s: %s", filename, exc.response.get("error"))
            await request.respond(**Reply(request.words("books.upload_failed", name=filename)).as_response())

    # ---- petty cash ----------------------------------------------------------------------------------------------

    async def cash(self, request: CommandRequest) -> None:
        books, actor, words = self._services.books, request.actor, request.words
        match parse.parse_cash_command(request.text):
            case parse.ShowCash(currency=currency):
                await request.answer(render.cash_position(words, await books.cash_position(actor, currency)))
            case parse.CountCash(amount=amount, currency=currency):
                await request.answer(render.cash_counted(words, await books.count_cash(actor, amount, currency)))

    # ---- receipts ------------------------------------------------------------------------------------------------

    async def on_file_shared(self, request: PlainRequest) -> Reply | None:
        """An image or a PDF is a receipt when its words speak of one (`receipt for 17`, `#17`), or when it comes
        with no words from a manager who recorded an entry in the last day; anything else is left to others."""
        files = [file for file in request.event.get("files") or [] if isinstance(file, dict)]
        receipts = [file for file in files if is_receipt_file(file)]
        if not receipts:
            return None
        said = parse.receipt_words(request.text)
        actor, words = request.actor, request.words
        if not said.about_receipt and (request.text or not await self._services.books.has_recent_entry(actor)):
            return None
        if not actor.role.includes(Role.MANAGER):
            return render.receipt_refused(words)
        attached = None
        for file in receipts:
            attached = await self._services.books.attach(actor, said.number, _receipt_file(file))
        assert attached is not None
        return render.receipt_attached(words, attached, _names(receipts))


def _receipt_file(file: dict[str, Any]) -> ReceiptFile:
    name = str(file.get("name") or file.get("title") or "receipt")
    url = str(file.get("permalink") or file.get("url_private") or "")
    return ReceiptFile(file_id=str(file.get("id") or ""), name=name, url=url, mimetype=str(file.get("mimetype") or ""))


def _names(files: list[dict[str, Any]]) -> str:
    return ", ".join(str(file.get("name") or file.get("title") or "receipt") for file in files)
