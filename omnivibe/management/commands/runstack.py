"""Start everything OmniVibe needs on one machine: embedded Redis, the web server, a render worker and a
webhook worker.

Ctrl-C (or SIGTERM) stops them all; if any one dies, the others are stopped too.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from omnivibe.embedded_redis import EmbeddedRedis, EmbeddedRedisError


class Command(BaseCommand):
    help = "Run the web server, a render worker, a webhook worker and (unless REDIS_URL is set) an embedded Redis."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host: str, port: int, **options):
        embedded = None
        env = dict(os.environ)
        if "REDIS_URL" not in os.environ:
            embedded = EmbeddedRedis(settings.VAR_DIR / "redis.sock")
            try:
                embedded.start()
            except EmbeddedRedisError as error:
                raise CommandError(str(error)) from None
            env["REDIS_URL"] = embedded.url
            self.stdout.write(f"Embedded Redis on {embedded.url} (pid {embedded.process.pid})")
        children = {
            "web": [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "omnivibe.asgi:application"],
            "worker": [sys.executable, "manage.py", "qcluster"],
            "webhooks": [sys.executable, "manage.py", "qcluster"],  # its own lane: see WEBHOOK_CLUSTER
        }
        child_env = {"webhooks": {"Q_CLUSTER_NAME": settings.WEBHOOK_CLUSTER}}
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in children.items():
                processes[name] = subprocess.Popen(
                    command, env={**env, **child_env.get(name, {})}, cwd=settings.BASE_DIR
                )
            self.stdout.write(self.style.SUCCESS(f"OmniVibe is running on http://{host}:{port}/ (Ctrl-C stops it)"))
            while not stopping:
                exited = [name for name, process in processes.items() if process.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.3)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 15
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if embedded:
                embedded.stop()
            self.stdout.write("Stopped.")
