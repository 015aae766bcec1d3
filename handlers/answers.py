"""Saved answers in Slack: `/ops answer …` (`answers`, `risposta`, `risposte`): add, edit, remove, list, search."""

from __future__ import annotations

from bot.parsing import answers as parse
from bot.rendering import answers as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter

ANSWER = ("answer", "answers", "risposta", "risposte")


class AnswerHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, commands: CommandRouter) -> None:
        commands.route_words(ANSWER, self.answer)

    async def answer(self, request: CommandRequest) -> None:
        answers, actor, words = self._services.answers, request.actor, request.words
        match parse.parse_answer_command(request.text):
            case parse.ListAnswers():
                await request.answer(render.listing(words, await answers.listed(actor)))
            case parse.SearchAnswers(text=text):
                await request.answer(render.found(words, await answers.search(actor, text)))
            case parse.AddAnswer(key=key, text=text):
                await request.answer(render.added(words, await answers.add(actor, key, text)))
            case parse.EditAnswer(key=key, text=text):
                await request.answer(render.edited(words, await answers.edit(actor, key, text)))
            case parse.RemoveAnswer(key=key):
                await request.answer(render.removed(words, await answers.remove(actor, key)))
