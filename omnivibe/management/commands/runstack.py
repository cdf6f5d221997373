"""Start everything OmniVibe needs on one machine: embedded Redis, the web server, a render worker and a
fast-lane worker (previews, webhooks and other short work).

`make run` runs it with DEBUG: daphne (`omnivibe.serve`), one process per `--web-workers` on one listening socket
this command opens. `make serve` runs it with `--serve`: the production layout, the processes docker-compose.yml
runs as services: production settings (refused without SECRET_KEY and ALLOWED_HOSTS, or with DEBUG), HTTP on granian's
WSGI interface with `--web-workers` processes of `--web-threads` threads (the fastest setup bench/api.py measured;
README, "Benchmarks"), WebSockets on granian's ASGI interface on `--live-port` (PORT + 1; pages are told through
WEBSOCKET_URL, omnivibe/websockets.py), the render worker (WORKER_PROCESSES workers) and the webhook worker.
Ctrl-C (or SIGTERM) stops them all within a few seconds; if any one dies, the others are stopped too.
"""

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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


def granian_command(host: str, port: int, workers: int) -> list[str]:
    """The WebSocket server (and the development-like ASGI server): granian, `workers` processes on one port.
    Request bodies stream to the application, whose BodyLimitMiddleware refuses one over its limit while it arrives;
    requests are logged by the application (omnivibe/request_log.py), so granian's own access log stays off."""
    return [sys.executable, "-m", "granian", "--interface", "asgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning",
            "omnivibe.asgi:application"]  # fmt: skip


def granian_wsgi_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The production HTTP server: granian's WSGI interface, `workers` processes of `threads` threads each. Each
    request runs on one of the threads from start to end (under ASGI every sync view hopped to the one thread
    Django keeps per process); WSGIBodyLimit (omnivibe/wsgi.py) applies the body limits."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-access-log",
            "--log-level", "warning", "omnivibe.wsgi:application"]  # fmt: skip


def processes(
    listener: socket.socket,
    web_workers: int,
    *,
    serve: bool = False,
    web_threads: int = 4,
    live_port: int | None = None,
    live_workers: int = 2,
) -> dict[str, list[str]]:
    """The command of each process: the web server(s), the render worker, the fast-lane worker. Production
    (`serve`): granian's WSGI with its workers on the listener's address (it opens its own socket) and granian's ASGI
    for the WebSockets on `live_port`; otherwise daphne processes on the shared socket, serving both."""
    if serve:
        host, port = listener.getsockname()[:2]
        web_servers = {
            "web": granian_wsgi_command(host, port, web_workers, web_threads),
            "live": granian_command(host, live_port or port + 1, live_workers),
        }
    else:
        web = [sys.executable, "-m", "omnivibe.serve", "--fd", str(listener.fileno()), "omnivibe.asgi:application"]
        web_servers = {f"web-{n}" if web_workers > 1 else "web": web for n in range(1, web_workers + 1)}
    return {
        **web_servers,
        "worker": [sys.executable, "manage.py", "qcluster"],
        "fast": [sys.executable, "manage.py", "qcluster"],  # the fast lane (lanes.FAST): short work only
    }


def production_refusal() -> str | None:
    """Why the production layout cannot start with these settings, in a sentence; None when it can."""
    if settings.DEBUG:
        return "DEBUG is on: `make serve` runs the production settings. Unset DEBUG (or use `make run`)."
    try:
        secret = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty one
        secret = ""
    if not secret:
        return (
            "SECRET_KEY is not set: `make serve` runs the production settings, which need a long random secret. "
            "Set SECRET_KEY (or SECRET_KEY_FILE), e.g. "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "and keep it: changing it signs everyone out."
        )
    if not settings.ALLOWED_HOSTS:
        return "ALLOWED_HOSTS is not set: name the hosts the site is reached by, e.g. ALLOWED_HOSTS=video.example.com."
    return None


def listening_socket(host: str, port: int) -> socket.socket:
    """Opened here, before any web process starts, and inherited by each of them (daphne's --fd).

    IPv4 only: Twisted adopts an inherited socket as IPv4 unless told otherwise, which daphne's --fd cannot say.
    """
    if ":" in host:
        raise CommandError(f"--host {host}: the web processes share an IPv4 socket; give an IPv4 address.")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise CommandError(
            f"Cannot listen on {host}:{port}: {error.strerror}. Is another server running there?"
        ) from None
    listener.listen(1024)
    listener.set_inheritable(True)
    return listener


class Command(BaseCommand):
    help = "Run the web server, a render worker, a fast-lane worker and (unless REDIS_URL is set) an embedded Redis."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--serve", action="store_true", help="the production layout: see the module's docstring")
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")), help="web server processes"
        )
        parser.add_argument(
            "--web-threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")), help="--serve: per process"
        )
        parser.add_argument(
            "--live-port", type=int, default=int(os.environ.get("LIVE_PORT", "0")) or None,
            help="--serve: the WebSocket server's port (default: --port + 1)",
        )  # fmt: skip
        parser.add_argument(
            "--live-workers", type=int, default=int(os.environ.get("LIVE_WORKERS", "2")),
            help="--serve: WebSocket server processes",
        )  # fmt: skip

    def handle(self, *args, host: str, port: int, serve: bool, web_workers: int, live_port: int | None, **options):
        if serve and (refusal := production_refusal()):
            raise CommandError(refusal)
        for name, count in [("web-workers", web_workers), ("web-threads", options["web_threads"]),
                            ("live-workers", options["live_workers"])]:  # fmt: skip
            if count < 1:
                raise CommandError(f"--{name} ({name.upper().replace('-', '_')}) must be 1 or more, not {count}.")
        if serve and settings.SECURE_SSL_REDIRECT and not settings.TRUSTED_PROXY_COUNT:
            self.stderr.write(
                "Note: plain HTTP requests are redirected to https:// (SECURE_SSL_REDIRECT). Behind a TLS proxy set "
                "TRUSTED_PROXY_COUNT=1; to try it over plain HTTP, SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0."
            )
        listener = listening_socket(host, port)
        env = dict(os.environ)
        if serve:
            live_port = live_port or port + 1
            listening_socket(host, live_port).close()  # granian opens its own sockets: this says the port is free
            env.setdefault("WEBSOCKET_URL", f":{live_port}")  # pages open their sockets there
        children = processes(
            listener, web_workers, serve=serve, web_threads=options["web_threads"], live_port=live_port,
            live_workers=options["live_workers"],
        )  # fmt: skip
        if serve:
            listener.close()
        embedded = None
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
        child_env = {"fast": {"Q_CLUSTER_NAME": settings.FAST_CLUSTER}}
        running: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in children.items():
                # Their own session: a terminal's Ctrl-C reaches only us, and we stop them in order.
                running[name] = subprocess.Popen(
                    command,
                    env={**env, **child_env.get(name, {})},
                    cwd=settings.BASE_DIR,
                    start_new_session=True,
                    pass_fds=(listener.fileno(),) if name.startswith("web") and not serve else (),
                )
            listener.close()  # the web processes hold it now
            live = f", WebSockets on port {live_port}" if serve else ""
            self.stdout.write(
                self.style.SUCCESS(f"OmniVibe is running on http://{host}:{port}/{live} (Ctrl-C stops it)")
            )
            while not stopping:
                exited = [name for name, process in running.items() if process.poll() is not None]
                if exited:
                    self.stderr.write(f"{', '.join(exited)} stopped; stopping the rest.")
                    break
                time.sleep(0.2)
        finally:
            listener.close()
            stop_children(list(running.values()), STOP_GRACE_SECONDS)
            if embedded:
                embedded.stop(timeout=1.0)
            self.stdout.write("Stopped.")
            # Collecting every object of the loaded apps at interpreter exit took ~2 s on a busy machine;
            # nothing needs finalising now, so let the exit skip them.
            gc.freeze()
