"""Fixtures for the unit tests: where the shared Slack reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_data import require_shared_slack_dir


@pytest.fixture(scope="session")
def shared_slack_dir() -> Path:
    return require_shared_slack_dir()
