"""The `omnivibe` command. Configuration: OMNIVIBE_URL and OMNIVIBE_API_KEY (or --url/--api-key).

Exit codes: 0 ok, 1 API error, 2 usage error, 3 cannot connect, 4 bad or missing key, 5 quota exceeded (402),
6 not found, 7 the job ended failed or cancelled, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from omnivibe_client.client import ApiError, AuthError, Client, ConnectionFailed, Job, NotFound, QuotaExceeded

EXIT_API, EXIT_USAGE, EXIT_CONNECTION, EXIT_AUTH, EXIT_QUOTA, EXIT_NOT_FOUND, EXIT_JOB_FAILED = 1, 2, 3, 4, 5, 6, 7
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """An argument or input file the CLI cannot use; the message says which and why."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url, key = args.url or os.environ.get("OMNIVIBE_URL"), args.api_key or os.environ.get("OMNIVIBE_API_KEY")
    if not url or not key:
        print("Set OMNIVIBE_URL and OMNIVIBE_API_KEY (or pass --url and --api-key).", file=sys.stderr)
        return EXIT_USAGE
    try:
        with Client(url, key) as client:
            return args.run(client, args) or 0
    except ConnectionFailed as error:
        print(f"Cannot connect to OmniVibe at {url}: {error}", file=sys.stderr)
        return EXIT_CONNECTION
    except AuthError as error:
        print(f"The API key was refused: {error.message} Create a new key in the Studio.", file=sys.stderr)
        return EXIT_AUTH
    except QuotaExceeded as error:
        print(f"Quota exceeded: {error.message} Upgrade your plan or wait for the next period.", file=sys.stderr)
        return EXIT_QUOTA
    except NotFound as error:
        print(f"Not found: {error.message}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except ApiError as error:
        details = f"\n{json.dumps(error.details, indent=2)}" if error.details else ""
        print(f"Error ({error.status} {error.code}): {error.message}{details}", file=sys.stderr)
        return EXIT_API
    except (UsageError, OSError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nInterrupted; a job already queued goes on (see `omnivibe jobs list`).", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omnivibe", description="OmniVibe: narrated, captioned videos from scripts.")
    parser.add_argument("--url", help="server URL (default: $OMNIVIBE_URL)")
    parser.add_argument("--api-key", help="API key (default: $OMNIVIBE_API_KEY)")
    commands = parser.add_subparsers(dest="command", required=True)

    speakers = commands.add_parser("speakers", help="list, register, show or delete speakers")
    speaker_commands = speakers.add_subparsers(dest="action", required=True)
    speaker_commands.add_parser("list").set_defaults(run=_speakers_list)
    register = speaker_commands.add_parser("register")
    register.add_argument("name")
    register.add_argument("--engine", default="piper")
    register.add_argument("--voice-id", default="")
    register.add_argument("--settings", default="{}", help="engine settings as JSON, e.g. '{\"speed\": 1.1}'")
    register.add_argument("--language", default="en")
    register.add_argument("--sample", type=Path, help="a 30 s to 5 min recording (for cloning)")
    register.set_defaults(run=_speakers_register)
    for action, run in (("show", _speakers_show), ("delete", _speakers_delete)):
        command = speaker_commands.add_parser(action)
        command.add_argument("id", type=int)
        command.set_defaults(run=run)

    for name, run, help_text in (
        ("synthesize", _synthesize, "narration + captions"),
        ("render", _render, "narration + captions + video"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("script", type=Path, help="a script file: text format, or JSON with blocks")
        command.add_argument("--title")
        command.add_argument("--callback-url")
        command.add_argument("--wait", action="store_true", help="wait for the job, showing progress")
        if name == "render":
            command.add_argument("--aspect", choices=["9:16", "16:9", "1:1"], default="9:16")
            command.add_argument("--height", type=int)
        command.set_defaults(run=run)

    jobs = commands.add_parser("jobs", help="list, show, cancel or wait for jobs")
    job_commands = jobs.add_subparsers(dest="action", required=True)
    listing = job_commands.add_parser("list")
    listing.add_argument("--status")
    listing.add_argument("--kind", choices=["audio", "video"])
    listing.add_argument("-q", "--query", help="words in the title")
    listing.add_argument("--campaign", type=int)
    listing.set_defaults(run=_jobs_list)
    for action, run in (("show", _jobs_show), ("cancel", _jobs_cancel), ("wait", _jobs_wait)):
        command = job_commands.add_parser(action)
        command.add_argument("id")
        command.set_defaults(run=run)

    scripts = commands.add_parser(
        "scripts", help="list, show, save, duplicate or delete saved scripts; find similar ones"
    )
    script_commands = scripts.add_subparsers(dest="action", required=True)
    listing = script_commands.add_parser("list")
    listing.add_argument("-q", "--query", help="words in the title or the body")
    listing.add_argument("--campaign", type=int)
    listing.set_defaults(run=_scripts_list)
    create = script_commands.add_parser("create")
    create.add_argument("script", type=Path, help="a script file: text format, or JSON with blocks")
    create.add_argument("--title")
    create.add_argument("--language")
    create.add_argument("--campaign", type=int)
    create.set_defaults(run=_scripts_create)
    for action, run in (("show", _scripts_show), ("delete", _scripts_delete), ("duplicate", _scripts_duplicate)):
        command = script_commands.add_parser(action)
        command.add_argument("id", type=int)
        command.set_defaults(run=run)
    similar = script_commands.add_parser("similar", help="the scripts nearest in meaning to this one")
    similar.add_argument("id", type=int)
    similar.add_argument("--limit", type=int, default=5)
    similar.add_argument("--best-first", action="store_true", help="those whose videos did best first")
    similar.set_defaults(run=_scripts_similar)

    download = commands.add_parser("download", help="download a job's outputs")
    download.add_argument("job")
    download.add_argument("--to", type=Path, default=Path("."))
    download.set_defaults(run=_download)
    return parser


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2))


def _speakers_list(client: Client, args: argparse.Namespace) -> None:
    for speaker in client.list_speakers():
        print(f"{speaker['id']:>6}  {speaker['name']:<24} {speaker['engine']:<11} {speaker['voice_id']}")


def _speakers_register(client: Client, args: argparse.Namespace) -> None:
    settings = _json(args.settings, "--settings")
    _print(
        client.register_speaker(
            args.name,
            engine=args.engine,
            voice_id=args.voice_id,
            settings=settings,
            language=args.language,
            sample=args.sample,
        )
    )


def _speakers_show(client: Client, args: argparse.Namespace) -> None:
    _print(client.get_speaker(args.id))


def _speakers_delete(client: Client, args: argparse.Namespace) -> None:
    client.delete_speaker(args.id)
    print(f"Deleted speaker {args.id}.")


def _scripts_list(client: Client, args: argparse.Namespace) -> None:
    for script in client.list_scripts(query=args.query, campaign=args.campaign):
        print(f"{script['id']:>6}  {script['title'][:40]:<40} {script['language']:<6} {script['updated_at']}")


def _scripts_create(client: Client, args: argparse.Namespace) -> None:
    body = _script(args.script, args.title)
    title = body.pop("title")
    fields = {name: getattr(args, name) for name in ("language", "campaign") if getattr(args, name) is not None}
    _print(client.create_script(title, body.get("script", body), **fields))


def _scripts_show(client: Client, args: argparse.Namespace) -> None:
    _print(client.get_script(args.id))


def _scripts_delete(client: Client, args: argparse.Namespace) -> None:
    client.delete_script(args.id)
    print(f"Deleted script {args.id}.")


def _scripts_duplicate(client: Client, args: argparse.Namespace) -> None:
    _print(client.duplicate_script(args.id))


def _scripts_similar(client: Client, args: argparse.Namespace) -> None:
    rank = "performance" if args.best_first else "similarity"
    for script in client.similar_scripts(args.id, limit=args.limit, rank=rank):
        views = f"  {script['performance']['views']} views" if script.get("performance") else ""
        print(f"{script['id']:>6}  {script['title'][:40]:<40} {script['similarity']:.2f}{views}")


def _json(text: str, source: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise UsageError(f"{source} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{source} must be a JSON object")
    return value


def _script(path: Path, title: str | None) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file") from None
    body = _json(text, str(path)) if path.suffix == ".json" else {"script": text}
    return {**body, "title": title or body.get("title") or path.stem}


def _submit(client: Client, args: argparse.Namespace, job: Job) -> int:
    print(f"Queued job {job['id']}.", file=sys.stderr)
    if not args.wait:
        print(job["id"])
        return 0
    return _finish(client.wait(job, on_progress=_progress_bar))


def _synthesize(client: Client, args: argparse.Namespace) -> int:
    return _submit(client, args, client.synthesize(_script(args.script, args.title), callback_url=args.callback_url))


def _render(client: Client, args: argparse.Namespace) -> int:
    body = _script(args.script, args.title)
    job = client.render(body, aspect=args.aspect, height=args.height, callback_url=args.callback_url)
    return _submit(client, args, job)


def _progress_bar(job: Job) -> None:
    width = 30
    done = round(width * job.get("percent", 0) / 100)
    stage = job.get("stage") or job["status"]
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {job.get('percent', 0):>3}% {stage:<10}")
    if job["status"] in ("succeeded", "failed", "cancelled"):
        sys.stderr.write("\n")
    sys.stderr.flush()


def _finish(job: Job) -> int:
    if job["status"] != "succeeded":
        print(f"Job {job['id']} {job['status']}: {job.get('error') or 'no outputs'}", file=sys.stderr)
        return EXIT_JOB_FAILED
    print(job["id"])
    return 0


def _jobs_list(client: Client, args: argparse.Namespace) -> None:
    for job in client.list_jobs(status=args.status, kind=args.kind, query=args.query, campaign=args.campaign):
        print(f"{job['id']}  {job['status']:<10} {job['kind']:<6} {job['percent']:>3}%  {job['title']}")


def _jobs_show(client: Client, args: argparse.Namespace) -> None:
    _print(client.get_job(args.id))


def _jobs_cancel(client: Client, args: argparse.Namespace) -> None:
    job = client.cancel_job(args.id)
    print(f"Job {job['id']} is {job['status']}; its outputs are deleted.")


def _jobs_wait(client: Client, args: argparse.Namespace) -> int:
    return _finish(client.wait(args.id, on_progress=_progress_bar))


def _download(client: Client, args: argparse.Namespace) -> None:
    for path in client.download(args.job, args.to):
        print(path)


if __name__ == "__main__":
    sys.exit(main())
