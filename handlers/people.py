"""Who works when: `/ops hours`, `/ops away`, `/ops holiday` (and `orari`, `assenza`, `festivo`).

The shifts capability as a whole is not built yet, so these words are routed by name rather than through it.
"""

from __future__ import annotations

from bot.parsing import people as parse
from bot.rendering import people as render
from bot.services import Services
from handlers.commands import CommandRequest, CommandRouter

HOURS = ("hours", "orari")
AWAY = ("away", "assenza", "ferie")
HOLIDAY = ("holiday", "holidays", "festivo")


class PeopleHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    def register(self, commands: CommandRouter) -> None:
        commands.route_words(HOURS, self.hours)
        commands.route_words(AWAY, self.away)
        commands.route_words(HOLIDAY, self.holiday)

    async def hours(self, request: CommandRequest) -> None:
        people, actor, words = self._services.people, request.actor, request.words
        now = self._services.clock.now()
        match parse.parse_hours_command(request.text):
            case parse.ShowHours(user=user):
                shown = await people.hours_of(actor, user or actor.user)
                await request.answer(render.person_hours(words, actor, shown, now))
            case parse.SetHours(user=user, hours=hours):
                person = await people.set_hours(actor, user or actor.user, hours)
                await request.answer(render.hours_set(words, actor, person, now))
            case parse.ShowDefaultHours():
                await request.answer(render.default_hours(words, await people.default_hours(actor), changed=False))
            case parse.SetDefaultHours(hours=hours):
                changed = await people.set_default_hours(actor, hours)
                await request.answer(render.default_hours(words, changed, changed=True))

    async def away(self, request: CommandRequest) -> None:
        people, actor, words = self._services.people, request.actor, request.words
        parsed = parse.parse_away_command(request.text, now=self._services.clock.now(), zone=actor.timezone)
        match parsed:
            case parse.ListAway():
                await request.answer(render.away_list(words, actor, await people.upcoming_time_off(actor)))
            case parse.CancelAway(id=number):
                await request.answer(render.away_cancelled(words, actor, await people.cancel_time_off(actor, number)))
            case parse.AddAway(user=user, first=first, last=last, reason=reason, cover=cover):
                added = await people.add_time_off(actor, user or actor.user, first, last, reason, cover)
                await request.answer(render.away_added(words, actor, added))

    async def holiday(self, request: CommandRequest) -> None:
        people, actor, words = self._services.people, request.actor, request.words
        parsed = parse.parse_holiday_command(request.text, now=self._services.clock.now(), zone=actor.timezone)
        match parsed:
            case parse.ListHolidays():
                await request.answer(render.holiday_list(words, await people.holidays(actor)))
            case parse.AddHoliday(day=day, name=name):
                await request.answer(render.holiday_added(words, await people.add_holiday(actor, day, name)))
            case parse.RemoveHoliday(day=day):
                await request.answer(render.holiday_removed(words, await people.remove_holiday(actor, day)))
