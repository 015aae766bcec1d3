"""The sandbox as a person starts it (`python -m bot sandbox`), and headless Chromium from Debian's packages.

Selenium is given the paths of Debian's `chromium` and `chromedriver`, so Selenium Manager never looks for or
downloads a browser (and `SE_OFFLINE` forbids it to). Without those two programs the browser tests are skipped:
`.ci/run` installs them (`apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if path is None]
SKIP_REASON = (
    f"{' and '.join(MISSING)} not on PATH: the browser tests need Debian's packages "
    "(apt-get install chromium chromium-driver; .ci/run installs them)"
)

REPO = Path(__file__).resolve().parents[2]
ANNOUNCED = re.compile(r"^Sandbox: (http://127\.0\.0\.1:\d+/)$")
START_TIMEOUT = 30.0
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


@dataclass(frozen=True)
class Sandbox:
    url: str
    process: subprocess.Popen[str]
    log: Path


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sandbox]:
    """`python -m bot sandbox --port 0` on a fresh SQLite file, started in an empty directory (no `.env`) with
    no Slack variables in its environment; stopped with SIGTERM afterwards. Parametrize it indirectly with more
    arguments (`["--seed", "demo"]`)."""
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    log = tmp_path / "sandbox.log"
    command = [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--database-url", f"sqlite:///{tmp_path}/s.db"]
    command += list(getattr(request, "param", []))
    with log.open("w") as stderr:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        url = _announced_url(lines, log)
        yield Sandbox(url=url, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        process.stdout.close()


def _announced_url(lines: queue.Queue[str | None], log: Path) -> str:
    seen: list[str] = []
    try:
        while True:
            line = lines.get(timeout=START_TIMEOUT)
            if line is None:
                break
            seen.append(line)
            found = ANNOUNCED.match(line)
            if found:
                return found.group(1)
    except queue.Empty:
        pass
    pytest.fail(
        f"the sandbox did not announce its page in {START_TIMEOUT:.0f} s; stdout {seen!r}; log:\n{log.read_text()}"
    )


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    """Headless Chromium driven by Debian's chromedriver."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager: never download anything
    options = webdriver.ChromeOptions()
    assert CHROMIUM is not None
    assert CHROMEDRIVER is not None
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
