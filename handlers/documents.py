"""Documents in Slack: `/ops doc …` (`docs`, `documento`), the template form, the posted card and its Download
Markdown / Download PDF buttons (the files go to the DM of whoever asks, so a channel is not filled with files)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.documents import Document, FieldErrors
from bot.domain.errors import DomainError
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.parsing import documents as parse
from bot.rendering import documents as render
from bot.rendering.blocks import Reply
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import actor_of, words_of
from handlers.listeners import Listeners

log = logging.getLogger("ops.handlers.documents")

_NEW_BUTTON = re.compile(rf"^{render.NEW}_[0-9]+$")
_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _channel(value: object) -> str | None:
    """Where the form's "Post to" starts: the conversation the command was typed in, unless it is a DM."""
    return str(value) if isinstance(value, str) and _CHANNEL.match(value) else None


class DocumentHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, app: Listeners, commands: CommandRouter) -> None:
        commands.route("documents", self.command)
        app.view(parse.MODAL)(self.on_form)
        app.action(_NEW_BUTTON)(self.on_new)
        app.action(render.DOWNLOAD_MD)(self.on_download_markdown)
        app.action(render.DOWNLOAD_PDF)(self.on_download_pdf)

    def _document_words(self, document: Document) -> Words:
        """A document's own language: its posts and files keep the labels it was written with."""
        return self._services.translator.bind(document.language)

    # ---- /ops doc --------------------------------------------------------------------------------------------

    async def command(self, request: CommandRequest) -> None:
        documents, actor, words = self._services.documents, request.actor, request.words
        match parse.parse_doc_command(request.text):
            case parse.ShowTemplates():
                await request.answer(render.templates_reply(words, await documents.templates(actor)))
            case parse.NewDocument(template=name):
                template = await documents.template(actor, name)
                await request.ack()
                view = render.document_form(words, template, _channel(request.body.get("channel_id")))
                await request.client.views_open(trigger_id=request.body["trigger_id"], view=view)
            case parse.ListDocuments(template=name):
                await request.answer(render.listing(words, await documents.listed(actor, name)))
            case parse.ShowDocument(number=number):
                document = await documents.show(actor, number)
                await request.answer(render.document_message(words, document))
            case parse.DownloadDocument(number=number, format=kind):
                document = await documents.show(actor, number)
                await request.answer(render.file_sent(words, document, kind.upper()))
                if not await self._upload(request.client, actor, document, kind):
                    await request.respond(**render.file_failed(words).as_response())
            case parse.SearchDocuments(text=text):
                await request.answer(render.search_results(words, await documents.search(actor, text)))
            case parse.AddTemplate(name=name, fields=drafts):
                await request.answer(render.template_added(words, await documents.add_template(actor, name, drafts)))
            case parse.RemoveTemplate(name=name):
                await request.answer(render.template_removed(words, await documents.remove_template(actor, name)))

    # ---- the form --------------------------------------------------------------------------------------------

    async def on_new(
        self, ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        template = await self._services.documents.template(actor, str(action.get("value") or ""))
        channel = _channel((body.get("channel") or {}).get("id"))
        await context.client.views_open(
            trigger_id=str(body["trigger_id"]), view=render.document_form(words, template, channel)
        )

    async def on_form(
        self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        actor, words = actor_of(context), words_of(context, self._services)
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            metadata = {}
        key = str(metadata.get("template") or "") if isinstance(metadata, dict) else ""
        entries, channel = parse.form_entries((view.get("state") or {}).get("values") or {})
        try:
            document = await self._services.documents.create(actor, key, entries)
        except FieldErrors as errors:
            await ack(**render.form_errors(words, errors.errors))
            return
        except DomainError as error:
            first = next(iter(entries), "")
            await ack(**render.form_errors(words, {first: error.message}))
            return
        await ack()
        await self._post(client, actor, words, document, channel)

    async def _post(
        self, client: AsyncWebClient, actor: Actor, words: Words, document: Document, channel: str | None
    ) -> None:
        """To the chosen conversation, else the author's DM; to the DM with a note when the conversation refuses."""
        reply = render.document_message(self._document_words(document), document)
        try:
            posted = await client.chat_postMessage(channel=channel or actor.user, **reply.as_message())
        except SlackApiError as exc:
            if channel is None:
                raise
            log.info("could not post document #%s to %s: %s", document.number, channel, exc.response.get("error"))
            fallback = render.posted_elsewhere(self._document_words(document), document, channel)
            posted = await client.chat_postMessage(channel=actor.user, **fallback.as_message())
        await self._services.documents.posted(actor, document, str(posted["channel"]), str(posted["ts"]))

    # ---- files -----------------------------------------------------------------------------------------------

    async def on_download_markdown(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await self._download(ack, action, context, respond, "md")

    async def on_download_pdf(
        self, ack: AsyncAck, action: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        await self._download(ack, action, context, respond, "pdf")

    async def _download(
        self,
        ack: AsyncAck,
        action: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        kind: Literal["pdf", "md"],
    ) -> None:
        await ack()
        actor, words = actor_of(context), words_of(context, self._services)
        document = await self._services.documents.show(actor, parse.document_number(str(action.get("value") or "")))
        sent = await self._upload(context.client, actor, document, kind)
        reply: Reply = render.file_sent(words, document, kind.upper()) if sent else render.file_failed(words)
        await respond(replace_original=False, **reply.as_response())

    async def _upload(self, client: AsyncWebClient, actor: Actor, document: Document, kind: str) -> bool:
        words = self._document_words(document)
        zone: ZoneInfo = actor.timezone
        if kind == "pdf":
            content: bytes | str = render.document_pdf(words, document, zone)
        else:
            content = render.document_markdown(words, document, zone)
        try:
            await client.files_upload_v2(
                channel=actor.user,
                content=content,
                filename=render.filename(words, document, kind),
                title=render.title(words, document),
            )
        except SlackApiError as exc:
            log.warning("could not upload document #%s: %s", document.number, exc.response.get("error"))
            return False
        return True
