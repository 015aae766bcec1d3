"""A small round-robin HTTP reverse proxy for loopback: the test's and the benchmark's stand-in for nginx.

    python -m tests.replicas.balancer --listen 127.0.0.1:3000 --backend http://127.0.0.1:3001 --backend …

Production runs nginx (deploy/nginx.conf, used by docker-compose.yml); this one exists so a test can start
two bot processes behind a balancer without installing one, and can take a backend out of rotation (drain).

What it does with a request: forwards method, path, query, headers (the Slack signature headers included) and
body unchanged to the next backend in turn that is healthy and not drained, and hands back the answer as it
came (with `X-Ops-Backend: <index>` added). Backends are health-checked on `/healthz`.

When a backend fails, the request is tried on the next one **only when it was never delivered**: the TCP
connection was refused or could not be opened. Connections to backends are not kept alive, so "could not
connect" is unambiguous: no byte of the request reached that process. A request whose connection broke after
it was sent (the process died while handling it) is answered 502 and not sent elsewhere, because the first
process may already have acted on it (created the task) and a second delivery could double the effect. Slack
answers a failed delivery as it always does: events are redelivered with `X-Slack-Retry-Num` (the bot drops a
redelivery it has already handled), a failed command or button shows the person an error to try again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


@dataclass
class Backend:
    url: str
    healthy: bool = True  # optimistic until the first check: a refused connection is retried elsewhere anyway
    drained: bool = False
    in_flight: int = 0


@dataclass
class Stats:
    forwarded: Counter[int] = field(default_factory=Counter)  # requests answered, per backend index
    failovers: int = 0  # connections refused, the request then sent to the next backend
    broken: int = 0  # sent, then the backend went away: answered 502, not retried
    unavailable: int = 0  # no backend could take it: 503


class Balancer:
    def __init__(
        self,
        backends: list[str],
        *,
        health_path: str = "/healthz",
        health_interval: float = 0.5,
        timeout: float = 30.0,
    ) -> None:
        if not backends:
            raise ValueError("a balancer needs at least one backend")
        self.backends = [Backend(url.rstrip("/")) for url in backends]
        self.stats = Stats()
        self._health_path = health_path
        self._health_interval = health_interval
        self._timeout = timeout
        self._turn = itertools.count()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._health_task: asyncio.Task[None] | None = None
        self._url: str | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # force_close: a new connection per request, so a refused connection always means "never delivered".
        connector = aiohttp.TCPConnector(force_close=True, limit=0)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self._timeout), auto_decompress=False
        )
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._url = f"http://{bound_host}:{bound_port}"
        self._health_task = asyncio.create_task(self._check_health())

    async def stop(self) -> None:
        if self._health_task is not None:
            self._health_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health_task
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> Balancer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the balancer is not started")
        return self._url

    # ---- rotation ----------------------------------------------------------------------------------------------

    def drain(self, index: int) -> None:
        """No new requests for this backend (a rolling restart's first step); requests in progress finish."""
        self.backends[index].drained = True

    def undrain(self, index: int) -> None:
        self.backends[index].drained = False

    async def wait_idle(self, index: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the backend has no request in progress through this balancer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.backends[index].in_flight:
            if loop.time() > deadline:
                raise TimeoutError(f"backend {index} still has {self.backends[index].in_flight} requests")
            await asyncio.sleep(0.01)

    async def wait_healthy(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until every backend has passed a health check (a backend still marked down goes last in the turn)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all(backend.healthy for backend in self.backends):
            if loop.time() > deadline:
                down = [index for index, backend in enumerate(self.backends) if not backend.healthy]
                raise TimeoutError(f"backends {down} still fail their health check")
            await asyncio.sleep(0.01)

    def _candidates(self) -> list[int]:
        """Backends to try for one request, in order: healthy ones from this request's turn on, then the rest."""
        count = len(self.backends)
        start = next(self._turn) % count
        order = [(start + n) % count for n in range(count)]
        live = [i for i in order if not self.backends[i].drained]
        return [i for i in live if self.backends[i].healthy] + [i for i in live if not self.backends[i].healthy]

    # ---- forwarding --------------------------------------------------------------------------------------------

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if request.remote:
            headers["X-Forwarded-For"] = request.remote
        for index in self._candidates():
            backend = self.backends[index]
            backend.in_flight += 1
            try:
                async with self._session.request(
                    request.method, backend.url + request.path_qs, headers=headers, data=body, allow_redirects=False
                ) as answer:
                    content = await answer.read()
                    status = answer.status
                    answer_headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            except aiohttp.ClientConnectorError:
                # Never connected, so never delivered: safe to give it to the next backend.
                backend.healthy = False
                self.stats.failovers += 1
                continue
            except (aiohttp.ClientError, TimeoutError):
                # Delivered, then the backend went away or stalled: it may have acted on it, so no second try.
                self.stats.broken += 1
                return web.Response(status=502, text="the backend failed while handling the request")
            finally:
                backend.in_flight -= 1
            self.stats.forwarded[index] += 1
            answer_headers["X-Ops-Backend"] = str(index)
            return web.Response(status=status, body=content, headers=answer_headers)
        self.stats.unavailable += 1
        return web.Response(status=503, text="no backend is available")

    async def _check_health(self) -> None:
        assert self._session is not None
        while True:
            for backend in self.backends:
                try:
                    async with self._session.get(
                        backend.url + self._health_path, timeout=aiohttp.ClientTimeout(total=2)
                    ) as response:
                        backend.healthy = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    backend.healthy = False
            await asyncio.sleep(self._health_interval)


async def _serve(host: str, port: int, backends: list[str]) -> None:
    balancer = Balancer(backends)
    await balancer.start(host, port)
    try:
        print(f"Balancing {balancer.url} over {', '.join(backends)}", flush=True)
        await asyncio.Event().wait()
    finally:
        await balancer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="127.0.0.1:3000", help="host:port (loopback by default)")
    parser.add_argument("--backend", action="append", required=True, help="a backend's base URL; repeat it")
    args = parser.parse_args()
    host, _, port = str(args.listen).rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host or "127.0.0.1", int(port), list(args.backend)))


if __name__ == "__main__":
    main()
