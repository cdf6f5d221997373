"""`make serve` (`manage.py runstack --serve`): the production layout on one machine, refused with a clear sentence
when the settings are not production's."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from tests.security.servers import free_port, manage, server_env, status_of, stop, wait_for_200


def test_it_is_refused_with_debug_on(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG is on: `make serve` runs the production settings"):
        call_command("runstack", serve=True)


def test_it_is_refused_without_a_secret_key_saying_how_to_make_one(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = ""
    with pytest.raises(CommandError, match=r"SECRET_KEY is not set.*secrets.token_urlsafe"):
        call_command("runstack", serve=True)


def test_it_is_refused_without_allowed_hosts(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = []
    with pytest.raises(CommandError, match="ALLOWED_HOSTS is not set"):
        call_command("runstack", serve=True)


@pytest.mark.django_db(transaction=True)  # the stack shares the test database
def test_it_runs_granian_with_several_web_processes_the_live_server_and_the_workers_with_json_logs():
    var_dir = Path(f"/tmp/omnivibe-serve-{os.getpid()}")  # short: unix socket paths have a length limit
    var_dir.mkdir(exist_ok=True)
    port, live_port = free_port(), free_port()
    env = {
        **server_env(var_dir, PORT=str(port), LIVE_PORT=str(live_port)),
        **dict(DEBUG="0", SECRET_KEY="s" * 50, ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0"),
    }
    log = var_dir / "serve.log"
    with log.open("w") as output:
        stack = subprocess.Popen(
            manage("runstack", "--serve", "--web-workers", "2"),
            env=env, cwd=django_settings.BASE_DIR, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        wait_for_200(f"http://127.0.0.1:{port}/healthz", stack)  # web, worker heartbeat and Redis all there
        children = psutil.Process(stack.pid).children()
        web = [child for child in children if "omnivibe.wsgi:application" in child.cmdline()]
        live = [child for child in children if "omnivibe.asgi:application" in child.cmdline()]
        workers = [child for child in children if "qcluster" in child.cmdline()]
        assert len(web) == len(live) == 1 and len(workers) == 2  # the render worker and the webhook worker
        assert len(web[0].children()) == 2  # granian's worker processes
        assert str(live_port) in live[0].cmdline()  # the WebSockets, on the port pages are told (WEBSOCKET_URL)
        assert status_of(f"http://127.0.0.1:{live_port}/healthz") == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as page:
            policy = page.headers["Content-Security-Policy"]  # pages may open their sockets there (WEBSOCKET_URL)
        assert f"ws://127.0.0.1:{live_port}" in policy.split("connect-src")[1].split(";")[0]
        for _ in range(6):
            assert status_of(f"http://127.0.0.1:{port}/accounts/login/") == 200
        time.sleep(0.5)
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        requests = [line for line in lines if line.get("message") == "request" and line["path"] == "/accounts/login/"]
        assert len(requests) == 6 and all(len(line["request_id"]) == 32 for line in requests)
        # The workers' container health check (docker-compose.yml) sees this machine's workers beat.
        redis_url = re.search(r"Embedded Redis on (\S+)", log.read_text()).group(1)
        health = subprocess.run(
            manage("workerhealth"), env={**env, "REDIS_URL": redis_url}, cwd=django_settings.BASE_DIR,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert health.returncode == 0 and "2 worker cluster(s) alive" in health.stdout, health.stderr
        stack.send_signal(signal.SIGINT)
        stack.wait(timeout=30)
        assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    except AssertionError:
        print(log.read_text()[-5000:])
        raise
    finally:
        stop(stack)
        subprocess.run(["rm", "-rf", str(var_dir)], check=False)


@pytest.mark.django_db
def test_the_worker_health_check_fails_without_a_worker_on_this_machine():
    with pytest.raises(CommandError, match=r"no worker on .* beat in the last few seconds"):
        call_command("workerhealth")
