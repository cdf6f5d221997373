"""Render a script file in this process, the same pipeline the workers run, with a progress bar."""

import json
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from mediakit.errors import StageError
from mediakit.pipeline import RenderContext, run_pipeline
from mediakit.pipeline.context import ASPECTS
from mediakit.speech.cache import SpeechCache
from mediakit.text.script import ScriptError, parse_json, parse_text, speakers_in_order
from renders.services import narration_settings
from voices.services import voice_specs_for


class Command(BaseCommand):
    help = "Render SCRIPT_FILE (text format, or .json) into DIR: narration, captions, report, and video."

    def add_arguments(self, parser):
        parser.add_argument("script_file", type=Path)
        parser.add_argument("--out", type=Path, required=True, help="directory for the outputs")
        parser.add_argument("--video", action="store_true", help="also render video.mp4")
        parser.add_argument("--aspect", choices=list(ASPECTS), default="9:16")
        parser.add_argument(
            "--height",
            type=int,
            default=settings.RENDER_VIDEO_HEIGHT,
            help="1080 for 1080p (the default), 720 for a fast preview",
        )
        parser.add_argument(
            "--constant-frame-rate",
            action="store_true",
            help="store every frame at 30 fps (bigger file; for editors and platforms that ask for CFR)",
        )
        parser.add_argument("--no-verify", action="store_true", help="skip hearing the narration back")
        parser.add_argument("--no-cache", action="store_true", help="synthesise every unit afresh")

    def handle(self, *args, script_file: Path, out: Path, video: bool, aspect: str, height: int, **options):
        cache_storage = FileSystemStorage(location=settings.VAR_DIR / "speech-cache")
        blocks = self._read_blocks(script_file)
        if not 144 <= height <= 2160:
            raise CommandError("--height must be from 144 to 2160")
        out = out.resolve()  # ffmpeg runs in work folders of its own: a relative path would point elsewhere
        out.mkdir(parents=True, exist_ok=True)
        with tqdm(total=100, unit="%", disable=options["verbosity"] == 0, bar_format="{l_bar}{bar}| {n}%") as bar:

            def show(stage: str, percent: int) -> None:
                bar.set_description(stage.ljust(8))
                bar.update(max(0, percent - bar.n))

            ctx = RenderContext(
                blocks=blocks,
                voices=voice_specs_for(None, speakers_in_order(blocks)),
                workdir=out,
                video=video,
                aspect=aspect,
                video_height=height,
                constant_frame_rate=options["constant_frame_rate"],
                look_cache=settings.RENDER_LOOK_CACHE,
                on_progress=show,
                **{**narration_settings(), "verify": settings.RENDER_VERIFY and not options["no_verify"]},
                speech_cache=None if options["no_cache"] else SpeechCache(cache_storage, "cli"),
            )
            try:
                run_pipeline(ctx)
            except StageError as error:
                raise CommandError(f"{ctx.stage} failed: {error}") from None
        (out / "captions.ass").unlink(missing_ok=True)
        (out / "report.json").write_text(json.dumps(ctx.report, indent=2))
        written = ", ".join(sorted(path.name for path in ctx.outputs.values())) + ", report.json"
        self.stdout.write(self.style.SUCCESS(f"{ctx.duration:.1f} s of narration; wrote {written} to {out}"))

    def _read_blocks(self, script_file: Path):
        try:
            source = script_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {script_file}: {error}") from None
        try:
            if script_file.suffix.lower() == ".json":
                return parse_json(json.loads(source), max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
            return parse_text(source, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except json.JSONDecodeError as error:
            raise CommandError(f"{script_file} is not valid JSON: {error}") from None
        except ScriptError as error:
            raise CommandError(f"{script_file}: {error}") from None
