"""The HTTP side: Slack's requests at POST /slack/events, and GET /healthz for orchestrators."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.app import Bot
from storage.db import is_ready

EVENTS_PATH = "/slack/events"
BOT_KEY = web.AppKey("bot", Bot)


async def slack_events(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    response = await bot.app.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def healthz(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    if await is_ready(bot.engine, bot.schema_revisions):
        return web.json_response({"status": "ok", "schema": sorted(bot.schema_revisions)})
    return web.json_response({"status": "unavailable"}, status=503)


async def calendar_feed(request: web.Request) -> web.Response:
    """A person's meetings as a subscription feed (`text/calendar`, no METHOD); an unknown token is a 404, so a
    reset token stops working at once."""
    bot = request.app[BOT_KEY]
    token = request.match_info["token"]
    body = await bot.calendar_feed(token)
    if body is None:
        return web.Response(status=404, text="not found")
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


def build_web_app(bot: Bot, *, serve_events: bool) -> web.Application:
    """In Socket Mode Slack's requests arrive over the socket, so only /healthz is served."""
    app = web.Application()
    app[BOT_KEY] = bot
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    if serve_events:
        app.router.add_post(EVENTS_PATH, slack_events)
    return app
