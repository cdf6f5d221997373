"""API benchmark: each web server setup on this machine with production settings, `wrk` against it, figures per
endpoint.

    /work/main/.venv/bin/python bench/api.py [--quick] [--duration 5] [--connections 16] [--workers 2] [--threads 4]
        [--servers granian-wsgi,granian,uvicorn,daphne,daphne-shared]

Starts an embedded Redis and seeds a temporary SQLite database (DEBUG=0, a SECRET_KEY, a workspace on a plan with
the API, API keys and finished jobs with outputs), prints each endpoint's CPU per request in-process (Django's test
client: no server, steadier than the server figures on a busy machine), then for each server in turn starts it, runs
`wrk` (Debian package `wrk`) against each endpoint and prints requests/s, median, p95 and p99 next to
`/bench/baseline`, a bare Django JSON view behind the same middleware and the same server in the same run, and stops
it. The servers: `granian-wsgi` (production HTTP, as `make serve` runs it: granian's WSGI interface, `--workers`
processes of `--threads` threads), `granian` (granian's ASGI interface, what serves the WebSockets), `uvicorn`
(`--workers` processes; skipped when not installed), `daphne` (one process, the development server) and
`daphne-shared` (`--workers` daphne processes accepting on one socket). A last table puts each server's figures
against the first one's. The machine is shared and noisy: compare ratios, not absolute figures. `--quick` measures
2 s per endpoint, to check that it works. Everything it starts is stopped before it exits; loopback only.
"""

import argparse
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"
JOBS_IN_LIST = 20  # one page of the job list
# Requests take turns over this many keys, as many clients would: each key's throttle history then holds what it
# would in production (below THROTTLE_RATE), instead of one key's list of every request of the last minute.
KEYS = 64
THROTTLE_RATE = "1200/min"
START_TIMEOUT = 60.0  # seconds the server may take to answer its first request
WARM_UP_SECONDS = 1.0  # of load on each endpoint before it is measured

# Each request takes the next key; wrk's own summary is printed in JSON, so p95 (which `--latency` does not
# print) and non-2xx answers are read exactly.
WRK_SCRIPT = """
keys = {KEYS}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, {["Authorization"] = "Bearer " .. keys[counter % #keys + 1]})
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests": %d, "seconds": %f, "non2xx": %d, "errors": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


SERVERS = ["granian-wsgi", "granian", "uvicorn", "daphne", "daphne-shared"]


def server_command(server: str, port: int, workers: int, threads: int) -> list[str]:
    app = "omnivibe.asgi:application"
    if server == "daphne":  # our daphne with body limits, one process
        return [sys.executable, "-m", "omnivibe.serve", "-b", HOST, "-p", str(port), app]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port),
                "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    if server == "granian":  # as `make serve`, the Dockerfile and docker-compose.yml run it
        from omnivibe.management.commands.runstack import granian_command

        return granian_command(HOST, port, workers)
    if server == "granian-wsgi":
        from omnivibe.management.commands.runstack import granian_wsgi_command

        return granian_wsgi_command(HOST, port, workers, threads)
    raise SystemExit(f"unknown server {server}")


def start_server(
    server: str, port: int, workers: int, env: dict[str, str], log: Path, threads: int = 4
) -> list[subprocess.Popen]:
    """The server's process(es); `daphne-shared`: `workers` daphne processes on one listening socket."""
    options = {"cwd": REPO, "env": env, "stdout": subprocess.DEVNULL, "stderr": log.open("a")}
    options["start_new_session"] = True  # stopped with everything it starts
    if server != "daphne-shared":
        return [subprocess.Popen(server_command(server, port, workers, threads), **options)]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, port))
    listener.listen(1024)
    command = [sys.executable, "-m", "omnivibe.serve", "--fd", str(listener.fileno()), "omnivibe.asgi:application"]
    try:
        return [subprocess.Popen(command, pass_fds=(listener.fileno(),), **options) for _ in range(workers)]
    finally:
        listener.close()  # the processes hold it


def installed(server: str) -> bool:
    return server.startswith("daphne") or importlib.util.find_spec(server.split("-")[0]) is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def prepare_environment(var_dir: Path, redis_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "OMNIVIBE_VAR_DIR": str(var_dir),
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",  # production terminates TLS in front; wrk speaks plain HTTP on loopback
        "API_THROTTLE_RATE": THROTTLE_RATE,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }
    env.pop("DATABASE_URL", None)
    return env


def seed(env: dict[str, str]) -> dict[str, str]:
    """Creates the schema and the data in this process; returns the keys and a job id."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from accounts.services import ensure_personal_workspace
    from api.keys import create_key
    from billing.models import Plan, WorkspacePlan
    from renders.models import RenderJob, RenderOutput

    call_command("migrate", run_syncdb=True, verbosity=0)
    seed_plans = __import__("billing.migrations.0003_seed_plans", fromlist=["seed_plans"]).seed_plans
    from django.apps import apps
    from django.contrib.auth import get_user_model

    seed_plans(apps, None)
    user = get_user_model().objects.create_user("bench@example.com", "bench@example.com", "bench-password-long")
    workspace = ensure_personal_workspace(user)
    WorkspacePlan.objects.update_or_create(workspace=workspace, defaults={"plan": Plan.objects.get(slug="pro")})
    raw_keys = [create_key(workspace, name=f"bench {number}", user=user)[1] for number in range(KEYS)]
    voices = {"Host": {"engine": "piper", "voice_id": "joe", "settings": {}}}
    now = timezone.now()
    jobs = []
    for number in range(JOBS_IN_LIST):
        job = RenderJob.objects.create(
            workspace=workspace,
            created_by=user,
            title=f"Bench job {number}",
            kind=RenderJob.Kind.VIDEO,
            blocks=[{"speaker": "Host", "text": "Hello there.", "pause_after": 0.0}],
            options={"voices": voices},
            status=RenderJob.Status.SUCCEEDED,
            stage="done",
            percent=100,
            report={"duration": 1.5, "blocks": [{"index": 0, "speaker": "Host", "start": 0.0, "duration": 1.5}]},
            started_at=now,
            finished_at=now,
        )
        for kind, content in (("mp4", b"\0" * 64), ("wav", b"\0" * 64), ("srt", b"1\n"), ("vtt", b"WEBVTT\n")):
            output = RenderOutput(job=job, kind=kind, size=len(content))
            output.file.save(f"{kind}.{kind}", ContentFile(content), save=True)
        jobs.append(job)
    connections.close_all()
    return {"keys": raw_keys, "job": str(jobs[-1].public_id)}


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}; see its log above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {START_TIMEOUT:.0f} s")


def check_answers(url: str, key: str) -> None:
    """Each endpoint must answer 200 before it is measured: a fast 401 or 429 would be a false figure."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")


def run_wrk(url: str, duration: float, connections: int, script: Path) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=True)
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the server and the workers it started
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def measure(server: str, env: dict, seeded: dict, script: Path, args, log: Path) -> dict[str, dict]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    processes = start_server(server, port, args.workers, env, log, args.threads)
    try:
        for process in processes:
            wait_until_serving(f"{base}/bench/baseline", process)
        print(f"\n{server} ({1 if server == 'daphne' else args.workers} process(es))", flush=True)
        print(f"{'endpoint':28} {'req/s':>8} {'x base':>7} {'median':>9} {'p95':>9} {'p99':>9} {'non-2xx':>8}")
        results: dict[str, dict] = {}
        for name, path in endpoints(seeded).items():
            check_answers(base + path, seeded["keys"][0])
            # Not measured: every worker process's first requests of an endpoint load what it needs (a cold
            # process answered in a second, which was most of a short run's p95).
            run_wrk(base + path, WARM_UP_SECONDS, args.connections, script)
            figures = run_wrk(base + path, args.duration, args.connections, script)
            results[name] = figures
            baseline_rps = next(iter(results.values()))["rps"]
            print(
                f"{name:28} {figures['rps']:8.1f} {figures['rps'] / baseline_rps:7.2f} {figures['p50']:6.1f} ms "
                f"{figures['p95']:6.1f} ms {figures['p99']:6.1f} ms {figures['non2xx'] + figures['errors']:8d}",
                flush=True,
            )
        return results
    finally:
        for process in processes:
            stop(process)


def endpoints(seeded: dict) -> dict[str, str]:
    return {
        "baseline (bare JSON view)": "/bench/baseline",
        "GET /api/v1/jobs/{id}": f"/api/v1/jobs/{seeded['job']}",
        "GET /api/v1/jobs": "/api/v1/jobs",
        "GET /api/v1/usage": "/api/v1/usage",
    }


def cpu_per_request(seeded: dict, requests: int) -> None:
    """CPU milliseconds per request in this process (Django's test client, no server, no network): what each
    endpoint costs whatever the load on the machine; the server figures above it add the server and the wait."""
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    print(f"\nin-process CPU per request (Django test client, {requests} requests; Redis round trips not included)")
    for name, path in endpoints(seeded).items():
        headers = [{"HTTP_AUTHORIZATION": f"Bearer {key}"} for key in seeded["keys"]]
        for number in range(len(headers)):  # every key into the cache
            client.get(path, **headers[number])
        started = time.process_time()
        for number in range(requests):
            client.get(path, **headers[number % len(headers)])
        cpu = (time.process_time() - started) / requests * 1000
        print(f"{name:28} {cpu:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per endpoint")
    parser.add_argument("--quick", action="store_true", help="2 s per endpoint: checks that it works")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--servers", default=",".join(SERVERS), help=f"comma-separated, of {', '.join(SERVERS)}")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (but plain daphne)")
    parser.add_argument("--threads", type=int, default=4, help="threads per granian-wsgi process")
    parser.add_argument("--cpu-requests", type=int, default=300, help="in-process requests per endpoint")
    args = parser.parse_args()
    if args.quick:
        args.duration = 2.0
    servers = [server.strip() for server in args.servers.split(",") if server.strip()]
    if unknown := [server for server in servers if server not in SERVERS]:
        raise SystemExit(f"unknown server(s): {', '.join(unknown)}; choose from {', '.join(SERVERS)}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    from omnivibe.embedded_redis import EmbeddedRedis

    work = Path(tempfile.mkdtemp(prefix="omnivibe-bench-api-"))
    redis = EmbeddedRedis.for_run(work)
    log = work / "server.log"
    try:
        redis.start()
        env = prepare_environment(work, redis.url)
        seeded = seed(env)
        script = work / "requests.lua"
        script.write_text(WRK_SCRIPT.replace("{KEYS}", "{" + ", ".join(f'"{key}"' for key in seeded["keys"]) + "}"))
        cpu_per_request(seeded, args.cpu_requests)
        print(
            f"\nwrk 2 threads x {args.connections} connections, {args.duration:g} s per endpoint, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}"
        )
        results = {}
        for server in servers:
            if not installed(server):
                print(f"\n{server}: not installed, skipped")
                continue
            results[server] = measure(server, env, seeded, script, args, log)
        if len(results) > 1:
            first = next(iter(results))
            print(f"\nrequests/s against {first} (same endpoint), and p95")
            print(f"{'endpoint':28} " + " ".join(f"{server:>22}" for server in results))
            for name in endpoints(seeded):
                cells = [
                    f"{figures[name]['rps'] / results[first][name]['rps']:5.2f}x {figures[name]['p95']:7.1f} ms p95"
                    for figures in results.values()
                ]
                print(f"{name:28} " + " ".join(f"{cell:>22}" for cell in cells))
    except BaseException:
        if log.exists():
            print(log.read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
