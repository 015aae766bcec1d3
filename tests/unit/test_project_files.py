"""The README's two commands are the ones CI and Docker actually use."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    return [block.strip() for block in blocks]


def test_ci_runs_the_readme_test_command_word_for_word() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (ci_command,) = re.findall(r'^TEST_COMMAND="(.*)"$', ci, re.MULTILINE)
    assert ci_command in readme_commands()
    assert "pytest" in ci_command


def test_the_readme_run_command_installs_and_runs_the_bot() -> None:
    assert "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/ops-assistant run" in readme_commands()


def test_ci_runs_every_static_check() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for check in ("ruff check", "ruff format --check", "mypy --strict bot handlers storage", "lint-imports"):
        assert check in ci
    assert "OPS_TEST_DATABASE_URL" in ci


def test_the_image_installs_the_package_and_runs_as_a_user_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN pip install ." in dockerfile
    assert re.search(r"^USER ops$", dockerfile, re.MULTILINE)
    assert "/healthz" in dockerfile
    assert 'ENTRYPOINT ["ops-assistant"]' in dockerfile
