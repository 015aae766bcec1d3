"""Fixtures for the unit tests: where the shared Slack reference data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCHEMA_NAME = "manifest.schema.1.0.0.json"


def find_shared_slack_dir() -> Path | None:
    """`/work/shared/slack` next to the repository, or under `$OPS_SHARED_DIR` when the layout differs."""
    candidates = [Path(__file__).resolve().parents[3] / "shared" / "slack"]
    configured = os.environ.get("OPS_SHARED_DIR")
    if configured:
        root = Path(configured)
        candidates += [root / "slack", root]
    for candidate in candidates:
        if (candidate / SCHEMA_NAME).is_file() and (candidate / "payloads").is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def shared_slack_dir() -> Path:
    found = find_shared_slack_dir()
    if found is None:
        pytest.fail(
            "Slack reference data not found: expected shared/slack/ next to the repository "
            f"({Path(__file__).resolve().parents[3] / 'shared' / 'slack'}) or OPS_SHARED_DIR pointing at it",
            pytrace=False,
        )
    return found
