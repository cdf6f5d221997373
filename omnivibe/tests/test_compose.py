"""docker-compose.yml: valid for Docker Compose (where Docker is installed), every long-running service health-checked,
and the same processes as `make serve` (runstack --serve)."""

import os
import shutil
import socket
import subprocess

import pytest
import yaml
from django.conf import settings

from omnivibe.management.commands.runstack import granian_command, granian_wsgi_command, processes

COMPOSE = settings.BASE_DIR / "docker-compose.yml"
ONE_SHOT = {"migrate", "s3-bucket"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_docker_compose_accepts_it():
    if shutil.which("docker") is None:
        pytest.skip("Docker is not installed here: `docker compose config` not run")
    version = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if version.returncode != 0:
        pytest.skip(
            "Docker Compose (the `docker compose` plugin) is not installed here: `docker compose config` not run"
        )
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        env={"PATH": os.environ["PATH"], "SECRET_KEY": "x" * 50}, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_every_long_running_service_has_a_health_check(compose):
    services = compose["services"]
    assert {"web", "live", "worker", "fast", "postgres", "redis", "s3"} <= set(services)
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no" and service["healthcheck"] == {"disable": True}
        else:
            assert service["healthcheck"]["test"], name


def test_it_runs_the_processes_make_serve_runs(compose):
    with socket.socket() as listener:
        ours = processes(listener, web_workers=1)
    services = compose["services"]
    assert services["worker"]["command"] == ["python", *ours["worker"][1:]]
    assert services["fast"]["command"] == ["python", *ours["fast"][1:]]
    assert services["fast"]["environment"]["Q_CLUSTER_NAME"] == settings.FAST_CLUSTER
    assert "Q_CLUSTER_NAME" not in services["worker"]["environment"]
    # HTTP: granian's WSGI with WEB_WORKERS processes of WEB_THREADS threads, as `make serve` runs it (and the
    # Dockerfile); WebSockets: granian's ASGI on a port of its own, which the pages are told.
    web = services["web"]["command"]
    expected = ["python", *granian_wsgi_command("0.0.0.0", 8000, 2, 4)[1:]]
    expected[expected.index("--workers") + 1] = "${WEB_WORKERS:-2}"
    expected[expected.index("--blocking-threads") + 1] = "${WEB_THREADS:-4}"
    assert web == expected
    live = ["python", *granian_command("0.0.0.0", 8001, 2)[1:]]
    live[live.index("--workers") + 1] = "${LIVE_WORKERS:-2}"
    assert services["live"]["command"] == live
    assert services["web"]["environment"]["WEBSOCKET_URL"] == "${WEBSOCKET_URL-:${LIVE_PORT:-8001}}"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        served = processes(listener, web_workers=3, serve=True, web_threads=5, live_port=port + 7, live_workers=2)
        assert served["web"] == granian_wsgi_command("127.0.0.1", port, 3, 5)
        assert served["live"] == granian_command("127.0.0.1", port + 7, 2)
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    command = " ".join(web[1:]).replace("${WEB_WORKERS:-2}", '\\"$WEB_WORKERS\\"')
    assert command.replace("${WEB_THREADS:-4}", '\\"$WEB_THREADS\\"') in dockerfile


def test_the_apps_use_the_services_not_embedded_ones(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://s3:9000" and environment["AWS_STORAGE_BUCKET_NAME"]
    assert environment["DEBUG"] == "0" and environment["LOG_FORMAT"] == "json"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # refused, with a message, when not set
