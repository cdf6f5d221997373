"""Attacks on the run command's own Redis: restart races, Ctrl-C that never ends, processes left behind.

The stacks here are real `manage.py runstack` processes (daphne, qcluster, redis-server) on the test database.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from omnivibe.embedded_redis import EmbeddedRedis
from tests.security.servers import free_port, manage, server_env, status_of, stop, wait_for_200


def processes_marked(marker: str) -> list[int]:
    """Pids of every live process (children and grandchildren included) started with OMNIVIBE_RUN=marker."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"OMNIVIBE_RUN={marker}".encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # exited meanwhile, or not ours
            continue
    return found


def start_stack(var_dir: Path, marker: str, port: int) -> subprocess.Popen:
    env = server_env(var_dir, PORT=str(port), OMNIVIBE_RUN=marker)
    log = (var_dir / f"{marker}.log").open("w")
    return subprocess.Popen(manage("runstack"), env=env, cwd=settings.BASE_DIR, stdout=log, stderr=log)


def test_two_runs_on_one_var_dir_never_share_a_socket(tmp_path):
    first, second = EmbeddedRedis.for_run(tmp_path).start(), EmbeddedRedis.for_run(tmp_path).start()
    try:
        assert first.socket_path != second.socket_path
        first.stop()
        assert second._answers()  # the first run's cleanup left the second one's socket alone
    finally:
        first.stop()
        second.stop()
    assert list((tmp_path / "run").iterdir()) == []


def test_a_killed_runs_leftovers_are_tidied_but_a_live_runs_are_not(tmp_path):
    live = EmbeddedRedis.for_run(tmp_path).start()
    dead_run = tmp_path / "run" / "999999-killed"
    dead_run.mkdir()
    (dead_run / "owner.pid").write_text("999999999")  # no such process
    try:
        EmbeddedRedis.for_run(tmp_path).stop()
        assert not dead_run.exists()
        assert live._answers()
    finally:
        live.stop()


@pytest.mark.django_db(transaction=True)  # the stacks share the test database
def test_a_restart_while_the_old_run_stops_keeps_the_new_redis_and_ctrl_c_stops_everything_fast():
    """The reported race: stop `make run`, start it again at once; the old run's exit deleted the new socket."""
    var_dir = Path(f"/tmp/omnivibe-sec-{os.getpid()}")  # short: unix socket paths have a length limit
    var_dir.mkdir(exist_ok=True)
    old_port, new_port = free_port(), free_port()
    old = start_stack(var_dir, "old", old_port)
    new = None
    try:
        wait_for_200(f"http://127.0.0.1:{old_port}/healthz", old)
        old_pids = processes_marked("old")
        assert len(old_pids) >= 4, old_pids  # runstack, daphne, qcluster (and its workers), redis-server

        old.send_signal(signal.SIGTERM)
        new = start_stack(var_dir, "new", new_port)  # while the old one is stopping
        stopping_since = time.monotonic()
        old.wait(timeout=30)
        assert time.monotonic() - stopping_since < 5, "SIGTERM took too long to stop the stack"
        assert processes_marked("old") == []  # web, worker, worker's children and Redis all gone

        wait_for_200(f"http://127.0.0.1:{new_port}/healthz", new)
        time.sleep(1)  # anything the old run's exit could still break has had its chance
        assert status_of(f"http://127.0.0.1:{new_port}/healthz") == 200  # its check round-trips through Redis
        assert status_of(f"http://127.0.0.1:{new_port}/accounts/login/") == 200

        new.send_signal(signal.SIGINT)  # Ctrl-C
        interrupted_at = time.monotonic()
        new.wait(timeout=30)
        assert time.monotonic() - interrupted_at < 5, "Ctrl-C took too long to stop the stack"
        assert processes_marked("new") == []
        assert list((var_dir / "run").iterdir()) == []  # each run removed its own socket directory
    finally:
        for process in (old, new):
            if process:
                stop(process)
        for pid in processes_marked("old") + processes_marked("new"):
            os.kill(pid, signal.SIGKILL)
        subprocess.run(["rm", "-rf", str(var_dir)], check=False)
