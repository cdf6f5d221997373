"""WebSocket benchmark: many browsers watching live job progress, through the production web server.

    /work/main/.venv/bin/python bench/watchers.py [--quick] [--watchers 500] [--jobs 1] [--rounds 5] [--workers 2]
        [--senders 4]

Starts an embedded Redis, seeds a temporary SQLite database (production settings, as bench/api.py) with a signed-in
user and `--jobs` running render jobs, and starts the WebSocket server as `make serve` runs it (granian's ASGI,
`--workers` processes, as LIVE_WORKERS). Then opens `--watchers` WebSocket connections to the Studio's job
progress socket (/ws/jobs/<id>/, with the user's session cookie, as a job page does), spread over the jobs, and in
each round reports progress on every job through `renders.actions.report_progress` (the database write and the
channel layer's group send, through Redis, as a render worker does) from `--senders` processes at once, each with
its share of the jobs, as that many render workers would (one process sending 500 events one after another
measured mostly itself). Each watcher's latency is from just before the senders are told until its socket
receives the pushed status fragment with the new percent; p50, p95 and max are printed per round and over all
rounds, with the senders' own timing under each round (when the last one started, how long each took to send its
share, when the last one finished): sending against delivery. The issue's target: p95 within 1 s for 500 watchers
of one job each (`--jobs 500`). `--quick`: 100 watchers, 2 rounds. Everything it starts is stopped before it exits;
loopback only.
"""

import argparse
import asyncio
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.api import HOST, free_port, prepare_environment, start_server, stop, wait_until_serving  # noqa: E402

CONNECT_AT_ONCE = 50  # connections opened concurrently (each costs the server a query and a rendered fragment)
ROUND_TIMEOUT = 30.0  # seconds a round may take before the watchers still waiting are counted as missing
STAGES = ("narrate", "captions")  # alternated: a stage change is never throttled by report_progress


def seed(env: dict[str, str], jobs: int) -> tuple[str, str, list]:
    """The schema, a user with a workspace and running jobs; returns the session cookie's name and value, and
    the jobs."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.services import ensure_personal_workspace
    from renders.models import RenderJob

    call_command("migrate", run_syncdb=True, verbosity=0)
    user = get_user_model().objects.create_user("watch@example.com", "watch@example.com", "bench-password-long")
    workspace = ensure_personal_workspace(user)
    running = [
        RenderJob.objects.create(
            workspace=workspace,
            created_by=user,
            title=f"Watched job {number}",
            kind=RenderJob.Kind.VIDEO,
            blocks=[{"speaker": "Host", "text": "Hello there.", "pause_after": 0.0}],
            status=RenderJob.Status.RUNNING,
            stage=STAGES[-1],
            percent=0,
            attempts=1,
            started_at=timezone.now(),
        )
        for number in range(jobs)
    ]
    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, running


def sender(env: dict[str, str], job_ids: list[int], commands, done) -> None:
    """A render worker's share of the jobs, in a process of its own: reports each round's progress on them."""
    os.environ.update(env)
    import django

    django.setup()
    from renders.actions import report_progress
    from renders.models import RenderJob

    jobs = list(RenderJob.objects.filter(pk__in=job_ids))
    done.put("ready")
    while (command := commands.get()) is not None:
        started = time.perf_counter()
        for job in jobs:
            report_progress(job, *command)
        done.put((started, time.perf_counter()))  # perf_counter is the system's monotonic clock: comparable


class Senders:
    """`count` sender processes (spawned: a clean Django each), the jobs dealt out among them."""

    def __init__(self, env: dict[str, str], jobs: list, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.done = context.Queue()
        self.queues, self.processes = [], []
        for number in range(min(count, len(jobs))):
            commands = context.Queue()
            share = [job.pk for job in jobs[number::count]]
            self.processes.append(context.Process(target=sender, args=(env, share, commands, self.done), daemon=True))
            self.queues.append(commands)
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.done.get(timeout=120)  # each has set Django up and read its jobs

    def send(self, stage: str, percent: int) -> None:
        for commands in self.queues:
            commands.put((stage, percent))

    def wait(self) -> list[tuple[float, float]]:
        """Each sender's (started, finished) on perf_counter's clock, once all have sent the round."""
        return [self.done.get(timeout=ROUND_TIMEOUT) for _ in self.processes]

    def stop(self) -> None:
        for commands in self.queues:
            commands.put(None)
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.kill()


class Watcher:
    def __init__(self, job) -> None:
        self.job = job
        self.socket = None
        self.latencies: list[float] = []

    async def open(self, base: str, cookie: str) -> None:
        from websockets.asyncio.client import connect

        self.socket = await connect(
            f"{base}/ws/jobs/{self.job.public_id}/",
            origin=f"http://{HOST}:{base.rsplit(':', 1)[1]}",
            additional_headers={"Cookie": cookie},
            open_timeout=60,
            ping_interval=None,  # nothing else runs on these connections for the bench's few seconds
            max_queue=None,
        )
        await self.socket.recv()  # the status on connecting

    async def wait_for(self, percent: int, clock: dict[str, float]) -> None:
        marker = f'data-percent="{percent}"'
        while True:
            message = await self.socket.recv()
            if marker in message:
                self.latencies.append(time.perf_counter() - clock["sent"])
                return


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(latencies: list[float]) -> str:
    return (
        f"p50 {statistics.median(latencies) * 1000:7.1f} ms  p95 {percentile(latencies, 0.95) * 1000:7.1f} ms  "
        f"max {max(latencies) * 1000:7.1f} ms"
    )


async def run(base: str, cookie: str, jobs: list, watchers: int, rounds: int, senders: Senders) -> None:
    crowd = [Watcher(jobs[number % len(jobs)]) for number in range(watchers)]
    started = time.perf_counter()
    for first in range(0, len(crowd), CONNECT_AT_ONCE):
        await asyncio.gather(*(watcher.open(base, cookie) for watcher in crowd[first : first + CONNECT_AT_ONCE]))
    print(f"{watchers} watchers of {len(jobs)} job(s) connected in {time.perf_counter() - started:.1f} s", flush=True)
    everything: list[float] = []
    try:
        for number in range(1, rounds + 1):
            percent, stage = number * 10, STAGES[number % len(STAGES)]
            for watcher in crowd:
                watcher.latencies.clear()
            clock: dict[str, float] = {}
            waiting = [asyncio.create_task(watcher.wait_for(percent, clock)) for watcher in crowd]
            clock["sent"] = time.perf_counter()  # the tasks first run at the next await, after this
            senders.send(stage, percent)
            _, missing = await asyncio.wait(waiting, timeout=ROUND_TIMEOUT)
            spans = await asyncio.to_thread(senders.wait)
            for task in missing:
                task.cancel()
            latencies = [late for watcher in crowd for late in watcher.latencies]
            everything += latencies
            note = f", {len(missing)} never received it" if missing else ""
            print(f"round {number}: {len(latencies)} received  {summary(latencies)}{note}", flush=True)
            # Where the time goes: the senders' own work (database write + group send per job) against delivery.
            sending = [finished - started for started, finished in spans]
            print(
                f"         senders started after {max(started for started, _ in spans) - clock['sent']:.2f} s, "
                f"sent for {min(sending):.2f}-{max(sending):.2f} s "
                f"({max(sending) / max(1, len(jobs) // len(spans)) * 1000:.1f} ms an event), "
                f"all done after {max(finished for _, finished in spans) - clock['sent']:.2f} s",
                flush=True,
            )
            await asyncio.sleep(0.5)
    finally:
        await asyncio.gather(*(watcher.socket.close() for watcher in crowd if watcher.socket), return_exceptions=True)
    verdict = "met" if percentile(everything, 0.95) <= 1.0 else "NOT met"
    print(f"all rounds: {len(everything)} deliveries  {summary(everything)}  (target p95 <= 1 s: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1, help="jobs watched (the watchers are spread over them)")
    parser.add_argument("--rounds", type=int, default=5, help="progress updates sent to every job")
    parser.add_argument("--workers", type=int, default=2, help="WebSocket server processes (LIVE_WORKERS)")
    parser.add_argument("--senders", type=int, default=4, help="processes reporting progress, as render workers")
    parser.add_argument("--quick", action="store_true", help="100 watchers, 2 rounds: checks that it works")
    args = parser.parse_args()
    if args.quick:
        args.watchers, args.rounds = min(args.watchers, 100), 2

    from omnivibe.embedded_redis import EmbeddedRedis

    work = Path(tempfile.mkdtemp(prefix="omnivibe-bench-watchers-"))
    redis = EmbeddedRedis.for_run(work)
    log = work / "server.log"
    processes, senders = [], None
    try:
        redis.start()
        env = prepare_environment(work, redis.url)
        cookie_name, session, jobs = seed(env, args.jobs)
        senders = Senders(env, jobs, args.senders)
        port = free_port()
        base = f"http://{HOST}:{port}"
        processes = start_server("granian", port, args.workers, env, log)
        wait_until_serving(f"{base}/bench/baseline", processes[0])
        print(
            f"granian ASGI ({args.workers} process(es)), {len(senders.processes)} sender process(es), "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        asyncio.run(run(f"ws://{HOST}:{port}", f"{cookie_name}={session}", jobs, args.watchers, args.rounds, senders))
    except BaseException:
        if log.exists():
            print(log.read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        if senders:
            senders.stop()
        for process in processes:
            stop(process)
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
