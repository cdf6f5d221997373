"""Real server processes for the attack tests: they share the test database, never the checkout's var/.

Helpers, not fixtures: the shared fixtures are in tests/fixtures.py."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_database_url() -> str:
    """The test database, as a DATABASE_URL a child process can open.

    pytest-django creates it only when a collected test is marked `django_db`: mark the tests that start servers
    `django_db(transaction=True)` (no transaction held open, so the server can write while the test runs).
    """
    db = connection.settings_dict  # once the test database exists, NAME is its name
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="omnivibe.settings",
        DEBUG="1",
        OMNIVIBE_VAR_DIR=str(var_dir),
        DATABASE_URL=child_database_url(),
        **extra,
    )
    return env


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for_200(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}) before {url} answered")
        try:
            if status_of(url) == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered 200")


def stop(process: subprocess.Popen, signum: int = signal.SIGINT, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process started with start_new_session=True and every process of its group (a qcluster's
    sentinel and workers too: killing only the parent would leave them running after the test)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextmanager
def running(command: list[str], env: dict[str, str], port: int, log: Path, health: str = "/healthz") -> Iterator[str]:
    """Start a server process, wait until `health` answers 200, and always stop it."""
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=output, stderr=output)
        try:
            try:
                wait_for_200(f"http://127.0.0.1:{port}{health}", process)
            except AssertionError as error:
                raise AssertionError(f"{error}; the server's log ends:\n{log.read_text()[-3000:]}") from None
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def start_qcluster(log: Path, redis_url: str, cluster: str | None = None, **env: str) -> subprocess.Popen:
    """A real `manage.py qcluster` (the render lane, or `cluster`'s) on the test's database, media and work
    directory, unverified renders, in its own process group: stop it with `kill_group`, like a machine that died.
    Mark the test `django_db(transaction=True)` and set `Conf.SYNC` off in the test's process to queue for it."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings",  # a real queue, not the tests' synchronous one
        "SECRET_KEY": settings.SECRET_KEY,  # tasks are signed with it
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": redis_url,
        "OMNIVIBE_VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "RENDER_WORK_DIR": str(settings.RENDER_WORK_DIR),
        "RENDER_VERIFY": "0",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    environment.pop("Q_SYNC", None)
    environment.pop("Q_CLUSTER_NAME", None)
    if cluster:
        environment["Q_CLUSTER_NAME"] = cluster
    with log.open("wb") as output:
        return subprocess.Popen(
            manage("qcluster"), env=environment, cwd=settings.BASE_DIR, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def production_settings(*names: str, **env: str) -> list[str]:
    """Settings as production (DEBUG off) computes them from these environment variables, one line each."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings",
        "SECRET_KEY": "x" * 50,
        "OMNIVIBE_VAR_DIR": "/tmp/omnivibe-settings-probe",
        **env,
    }
    code = "from django.conf import settings; " + "; ".join(f"print(settings.{name})" for name in names)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()
