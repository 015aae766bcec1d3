"""Fixtures: a started Slack double on a controllable clock, a slack_sdk client aimed at it, and a tiny "bot"."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.server import SlackDouble

START = 1_700_000_000.0


class FakeClock:
    """The double's clock: trigger ids, response URLs and message ts read it; tests move it."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    content_type: str
    data: dict[str, Any]


Responder = Callable[[Received], Awaitable[web.StreamResponse]]


@dataclass
class FakeBot:
    """An app that checks Slack's signature with slack_sdk's verifier, records requests and answers."""

    signing_secret: str
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    respond: Responder | None = None
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not SignatureVerifier(self.signing_secret).is_valid_request(body, dict(request.headers)):
            self.rejected += 1
            return web.Response(status=401, text="invalid signature")
        data: dict[str, Any]
        if request.content_type == "application/json":
            data = json.loads(body)
        else:
            data = dict(parse_qsl(body.decode(), keep_blank_values=True))
            if "payload" in data:
                data = json.loads(data["payload"])
        received = Received(dict(request.headers), body, request.content_type, data)
        self.received.append(received)
        if data.get("type") == "url_verification":
            return web.json_response({"challenge": data["challenge"]})
        if self.respond is not None:
            return await self.respond(received)
        return web.Response(status=200)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def double(clock: FakeClock) -> AsyncIterator[SlackDouble]:
    async with SlackDouble(clock=clock) as started:
        yield started


@pytest.fixture
def client(double: SlackDouble) -> AsyncWebClient:
    return AsyncWebClient(token=double.bot_token, base_url=double.api_url)


@pytest.fixture
async def bot(double: SlackDouble) -> AsyncIterator[FakeBot]:
    fake = FakeBot(double.signing_secret)
    app = web.Application()
    app.router.add_post("/slack/events", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.url = f"http://{host}:{port}/slack/events"
    double.connect_app(fake.url)
    yield fake
    await runner.cleanup()
