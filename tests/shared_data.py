"""Where Slack's reference data (`shared/slack/`: the manifest schema, captured payloads) lives.

It sits next to the repository (as on the developers' machines and in CI) or under `$OPS_SHARED_DIR`. CI must
have it, so there a missing copy fails; on a machine with only the repository the tests that need it skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SCHEMA_NAME = "manifest.schema.1.0.0.json"
REPO = Path(__file__).resolve().parents[1]


def find_shared_slack_dir() -> Path | None:
    candidates = [REPO.parent / "shared" / "slack"]
    configured = os.environ.get("OPS_SHARED_DIR")
    if configured:
        candidates += [Path(configured) / "slack", Path(configured)]
    for candidate in candidates:
        if (candidate / SCHEMA_NAME).is_file() and (candidate / "payloads").is_dir():
            return candidate
    return None


def require_shared_slack_dir() -> Path:
    found = find_shared_slack_dir()
    if found is not None:
        return found
    message = f"Slack reference data not found at {REPO.parent / 'shared' / 'slack'} (or $OPS_SHARED_DIR)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def captured_payload_files(pattern: str = "*.json") -> list[Path]:
    found = find_shared_slack_dir()
    return sorted((found / "payloads").glob(pattern)) if found else []
