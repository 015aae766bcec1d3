"""The README's two commands are the ones CI and Docker actually use."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

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


def compose_services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def nginx_upstream_servers() -> list[str]:
    """The `server host:port` lines of deploy/nginx.conf's upstream block."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    (upstream,) = re.findall(r"^\s*upstream\s+\w+\s*\{(.*?)\}", conf, re.DOTALL | re.MULTILINE)
    return re.findall(r"^\s*server\s+(\S+?)[\s;]", upstream, re.MULTILINE)


def test_compose_runs_postgresql_two_bot_replicas_on_it_and_a_balancer_in_front() -> None:
    services = compose_services()
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"]
    replicas = {name: service for name, service in services.items() if service.get("command") == ["run"]}
    assert len(replicas) >= 2
    urls = {service["environment"]["DATABASE_URL"] for service in replicas.values()}
    assert len(urls) == 1
    assert urls.pop().startswith("postgresql://")
    for service in replicas.values():
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"

    balancer = services["balancer"]
    assert balancer["image"].startswith("nginx")
    assert any(volume.startswith("./deploy/nginx.conf:") for volume in balancer["volumes"])
    assert {name: dep["condition"] for name, dep in balancer["depends_on"].items()} == dict.fromkeys(
        replicas, "service_healthy"
    )
    assert sorted(nginx_upstream_servers()) == sorted(f"{name}:3000" for name in replicas)


def test_the_balancer_never_resends_a_request_and_keeps_metrics_per_replica() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    directives = [line.split("#")[0].strip() for line in conf.splitlines()]
    (retry,) = [line for line in directives if line.startswith("proxy_next_upstream ")]
    assert "non_idempotent" not in retry
    assert set(retry.rstrip(";").split()[1:]) <= {"error", "timeout"}
    for path in ("/slack/events", "/slack/install", "/slack/oauth_redirect", "/calendar/", "/healthz"):
        assert re.search(rf"location (= )?{re.escape(path)} \{{\s*proxy_pass http://ops_bot;", conf)
    assert "/metrics" not in "\n".join(line for line in directives if line.startswith("location"))


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_balancers_configuration(tmp_path: Path) -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # The replicas' names resolve only on the compose network; here they are loopback addresses (`-t` binds no port).
    local = re.sub(r"server bot-\d+:3000", "server 127.0.0.1:3000", conf)
    local = local.replace("listen 80;", "listen 127.0.0.1:8080;")
    (tmp_path / "nginx.conf").write_text(local, encoding="utf-8")
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", f"pid {tmp_path}/nginx.pid;"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
