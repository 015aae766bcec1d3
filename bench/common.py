"""What the database benchmarks share: a scratch database to run in, the timing loops and the summary lines.

The benchmarks are run as `python bench/<name>.py`; each puts the repository root on `sys.path` (for `bot` and
`storage`) and then imports this module as `from bench.common import …` (`bench` a namespace package there).
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, migrate

Input = TypeVar("Input")


# ---- the database -----------------------------------------------------------------------------------------------


@asynccontextmanager
async def scratch_engine(database_url: str | None) -> AsyncIterator[AsyncEngine]:
    """A migrated database of the run's own, disposed of and cleaned up at the end.

    Without a URL, a SQLite file in a temporary folder (removed with the folder). With a SQLite URL, that file. With
    a PostgreSQL URL, a uniquely named schema in that database, the engine's search path, dropped at the end.
    """
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/bench.db"
        schema = None if url.startswith("sqlite") else f"bench_{uuid.uuid4().hex[:12]}"
        if schema is None:
            engine = create_engine(url)
        else:
            await _execute(url, f'CREATE SCHEMA "{schema}"')
            engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
        try:
            await migrate(engine)
            yield engine
        finally:
            await engine.dispose()
            if schema is not None:
                await _execute(url, f'DROP SCHEMA "{schema}" CASCADE')


async def _execute(url: str, statement: str) -> None:
    """One statement in a transaction of its own, on an engine of its own (for creating and dropping schemas)."""
    admin = create_engine(url)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


# ---- timing -----------------------------------------------------------------------------------------------------


async def timed(repeat: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    """The seconds each of `repeat` calls took, one after the other."""
    samples: list[float] = []
    for _ in range(repeat):
        began = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - began)
    return samples


async def timed_each(
    inputs: Iterable[Input],
    call: Callable[[Input], Awaitable[object]],
    after: Callable[[Input], Awaitable[object]] | None = None,
) -> list[float]:
    """The seconds `call` took for each input in turn; `after` (untimed) runs after each call, to undo what it did."""
    samples: list[float] = []
    for value in inputs:
        began = time.perf_counter()
        await call(value)
        samples.append(time.perf_counter() - began)
        if after is not None:
            await after(value)
    return samples


# ---- the numbers ------------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], share: float) -> float:
    """The sample (in seconds) at `share` of the way up the sorted samples (0.5: p50, 0.99: p99), in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def p99(samples: Sequence[float]) -> float:
    """The 99th percentile of the samples (in seconds), in milliseconds."""
    return percentile(samples, 0.99)


def summary(name: str, samples: Sequence[float], *, name_width: int = 46, number_width: int = 8) -> str:
    """One line: the name padded to `name_width`, then p50, p99 and mean in milliseconds, each `number_width` wide."""
    ordered = sorted(samples)
    return (
        f"{name:<{name_width}} p50 {percentile(ordered, 0.5):{number_width}.2f} ms   "
        f"p99 {p99(ordered):{number_width}.2f} ms   mean {statistics.fmean(ordered) * 1000:{number_width}.2f} ms"
    )
