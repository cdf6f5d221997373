"""Start everything OmniVibe needs on one machine: embedded Redis, the web server, a render worker and a
fast-lane worker (previews, webhooks and other short work).

Ctrl-C (or SIGTERM) stops them all within a few seconds; if any one dies, the others are stopped too.
"""

import contextlib
import gc
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from omnivibe.embedded_redis import EmbeddedRedis, EmbeddedRedisError

# How long web and worker may take to stop cleanly before they are killed. A render in progress is not
# waited for: the broker hands its task out again. Redis then gets its own (short) grace.
STOP_GRACE_SECONDS = 3.0


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the child and everything it started (daphne's and qcluster's own children)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)  # each child leads its own process group (start_new_session)


def stop_children(processes: list[subprocess.Popen], grace: float) -> None:
    for process in processes:
        process.terminate()  # the leader stops its own children in order (qcluster its workers)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        _signal_group(process, signal.SIGKILL)  # also any grandchild its leader left behind
        process.wait()


class Command(BaseCommand):
    help = "Run the web server, a render worker, a fast-lane worker and (unless REDIS_URL is set) an embedded Redis."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host: str, port: int, **options):
        embedded = None
        env = dict(os.environ)
        if "REDIS_URL" not in os.environ:
            # A socket no other run uses: an older run still stopping cannot delete it.
            embedded = EmbeddedRedis.for_run(settings.VAR_DIR)
            try:
                embedded.start()
            except EmbeddedRedisError as error:
                embedded.stop()
                raise CommandError(str(error)) from None
            env["REDIS_URL"] = embedded.url
            self.stdout.write(f"Embedded Redis on {embedded.url} (pid {embedded.process.pid})")
        children = {
            "web": [sys.executable, "-m", "omnivibe.serve", "-b", host, "-p", str(port), "omnivibe.asgi:application"],
            "worker": [sys.executable, "manage.py", "qcluster"],
            "fast": [sys.executable, "manage.py", "qcluster"],  # the fast lane (lanes.FAST): short work only
        }
        child_env = {"fast": {"Q_CLUSTER_NAME": settings.FAST_CLUSTER}}
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in children.items():
                # Their own session: a terminal's Ctrl-C reaches only us, and we stop them in order.
                processes[name] = subprocess.Popen(
                    command, env={**env, **child_env.get(name, {})}, cwd=settings.BASE_DIR, start_new_session=True
                )
            self.stdout.write(self.style.SUCCESS(f"OmniVibe is running on http://{host}:{port}/ (Ctrl-C stops it)"))
            while not stopping:
                exited = [name for name, process in processes.items() if process.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.2)
        finally:
            stop_children(list(processes.values()), STOP_GRACE_SECONDS)
            if embedded:
                embedded.stop(timeout=1.0)
            self.stdout.write("Stopped.")
            # Collecting every object of the loaded apps at interpreter exit took ~2 s on a busy machine;
            # nothing needs finalising now, so let the exit skip them.
            gc.freeze()
