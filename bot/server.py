"""The HTTP side: Slack's requests at POST /slack/events; for orchestrators and operators, GET /healthz
(liveness), GET /readyz (readiness) and GET /metrics (Prometheus)."""

from __future__ import annotations

import hmac
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.app import Bot
from bot.domain.reminders import DeliveryBacklog
from bot.metrics import CONTENT_TYPE_LATEST, request_kind
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from handlers.context import DUPLICATE
from storage.db import is_ready

EVENTS_PATH = "/slack/events"
BOT_KEY = web.AppKey("bot", Bot)
METRICS_TOKEN_KEY = web.AppKey("metrics_token", str)

log = logging.getLogger("ops.server")


async def slack_events(request: web.Request) -> web.Response:
    started = time.perf_counter()
    bot = request.app[BOT_KEY]
    bolt_request = await to_bolt_request(request)
    bolt_response = await bot.app.async_dispatch(bolt_request)
    response = await to_aiohttp_response(bolt_response)
    if bolt_request.context.get(DUPLICATE):
        outcome = "duplicate"
    elif bolt_response.status == 401:  # bolt's answer to a missing, stale or wrong signature
        outcome = "unauthorized"
    elif bolt_response.status < 400:
        outcome = "ok"
    else:
        outcome = "error"
    kind = request_kind(bolt_request.body)
    seconds = time.perf_counter() - started
    bot.metrics.request(kind, outcome, seconds)
    # One line a request; in JSON it carries the team, user and request id the middleware set (none when the
    # request never got past the signature check).
    log.info("slack %s %s %d in %.1f ms", kind, outcome, bolt_response.status, seconds * 1000)
    return response


async def install(request: web.Request) -> web.Response:
    """OAuth mode: the "Add to Slack" page, with a fresh state kept in the database and in a cookie."""
    flow = request.app[BOT_KEY].install_flow
    assert flow is not None  # the route exists only in OAuth mode
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    """OAuth mode: Slack sends the installer back here; the code becomes a bot token for their workspace."""
    flow = request.app[BOT_KEY].install_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process serves HTTP. No database call, so a database outage does not get it restarted."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers `SELECT 1` and its schema is at the revision this code was written for."""
    bot = request.app[BOT_KEY]
    if await is_ready(bot.engine, bot.schema_revisions):
        return web.json_response({"status": "ok", "schema": sorted(bot.schema_revisions)})
    return web.json_response({"status": "unavailable"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format. With OPS_METRICS_TOKEN set, only `Authorization: Bearer <token>` may read it."""
    token = request.app.get(METRICS_TOKEN_KEY)
    if token is not None:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
    bot = request.app[BOT_KEY]
    try:
        backlog: DeliveryBacklog | None = await bot.reminders.backlog()
    except Exception:  # the database is away: the counters are still worth serving; /readyz says what is wrong
        log.warning("could not read the delivery queue for /metrics", exc_info=True)
        backlog = None
    body = bot.metrics.render(backlog)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


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


def build_web_app(bot: Bot, *, serve_events: bool, metrics_token: str | None = None) -> web.Application:
    """In Socket Mode Slack's requests arrive over the socket, so POST /slack/events is not served."""
    app = web.Application()
    app[BOT_KEY] = bot
    if metrics_token:
        app[METRICS_TOKEN_KEY] = metrics_token
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    if serve_events:
        app.router.add_post(EVENTS_PATH, slack_events)
    if bot.install_flow is not None:
        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, oauth_redirect)
    return app
