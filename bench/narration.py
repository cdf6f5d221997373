"""Narration benchmark: our full narration stage against raw Piper on the same scripts, in the same run.

    .venv/bin/python bench/narration.py [--scripts bench/scripts] [--no-verify]

For every script in bench/scripts/: raw Piper (each block's text as written, no normalisation, no checks)
and the full stage (normalise, split, synthesise and verify in parallel, retry, join, loudness). Both are
scored the same way: faster-whisper hears each block of the final audio and its word error rate is taken
against the normalised script. Models are loaded before timing; the speech cache is off.
"""

import argparse
import os
import re
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnivibe.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OMNIVIBE_VAR_DIR", tempfile.mkdtemp(prefix="omnivibe-bench-"))

import django  # noqa: E402

django.setup()

from mediakit.pipeline import RenderContext  # noqa: E402
from mediakit.pipeline.stages import narrate  # noqa: E402
from mediakit.speech.align import word_error_rate  # noqa: E402
from mediakit.speech.engines import EngineContext, get_engine  # noqa: E402
from mediakit.speech.engines.piper.engine import load_voice  # noqa: E402
from mediakit.speech.verify import hear, load_recogniser  # noqa: E402
from mediakit.text.comparable import comparable_words, fold  # noqa: E402
from mediakit.text.normalize import normalize  # noqa: E402
from mediakit.text.script import Block, parse_text, speakers_in_order  # noqa: E402
from voices.services import default_voice_spec  # noqa: E402


@dataclass
class Run:
    wall: float
    audio: float
    errors: float  # word errors, summed over blocks
    words: int
    retried_blocks: int = 0
    false_flags: int = 0  # units flagged although what was heard is the text once accents and case are folded

    @property
    def rtf(self) -> float:
        return self.wall / self.audio

    @property
    def wer(self) -> float:
        return self.errors / self.words


def round_trip_errors(block: Block, samples: np.ndarray, rate: int) -> tuple[float, int]:
    meant = normalize(block.text).spoken_text
    words = len(comparable_words(meant))
    return word_error_rate(meant, hear(samples, rate).transcript) * words, words


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
    units = [unit for block in report["blocks"] for unit in block["units"]]
    return sum(1 for unit in units if not unit["passed"] and _folded(unit["text"]) == _folded(unit["transcript"]))


def _folded(text: str) -> list[str]:
    return re.findall(r"\w+(?:'\w+)*", fold(text))


def score_raw(run: Run, blocks: list[Block], clips: list[tuple[np.ndarray, int]]) -> None:
    for block, (samples, rate) in zip(blocks, clips, strict=True):
        errors, words = round_trip_errors(block, samples, rate)
        run.errors, run.words = run.errors + errors, run.words + words


def score_full(run: Run, ctx: RenderContext, samples: np.ndarray) -> None:
    rate = narrate.SAMPLE_RATE
    for block, report in zip(ctx.blocks, ctx.report["blocks"], strict=True):
        part = samples[int(report["start"] * rate) : int((report["start"] + report["duration"]) * rate)]
        errors, words = round_trip_errors(block, part, rate)
        run.errors, run.words = run.errors + errors, run.words + words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=ROOT / "bench" / "scripts")
    parser.add_argument("--no-verify", action="store_true", help="measure the stage without hearing it back")
    parser.add_argument("--max-error-rate", type=float, default=0.1, help="word error rate a unit may have")
    args = parser.parse_args()
    load_voice(), load_recogniser()  # loading is once per worker process: not part of either figure
    get_engine("piper", EngineContext()).synthesize("Warm up.", "joe", {})

    print(f"{'script':<16}{'audio s':>8}{'raw s':>8}{'full s':>8}{'raw RTF':>9}{'full RTF':>9}"
          f"{'full/raw':>9}{'raw WER':>9}{'full WER':>9}{'retried':>9}{'false flags':>12}")  # fmt: skip
    totals = {"raw": Run(0, 0, 0, 0), "full": Run(0, 0, 0, 0)}
    for path in sorted(args.scripts.glob("*.txt")):
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
        row(path.stem, raw, full)
    row("ALL", totals["raw"], totals["full"])
    full, raw = totals["full"], totals["raw"]
    verified = " and verified" if not args.no_verify else ""
    print(f"\n30 s of speech narrated{verified}: {30 * full.rtf:.1f} s wall (target 5 s)")
    print(f"full/raw time: {full.wall / raw.wall:.2f} (target 1.3)")
    print(f"round-trip WER: {100 * full.wer:.1f} % (target 2 %; raw Piper on the same text: {100 * raw.wer:.1f} %)")
    print(f"false flags (flagged, yet heard as written once folded): {full.false_flags} (target 0)")


def row(name: str, raw: Run, full: Run) -> None:
    times = f"{full.audio:>8.1f}{raw.wall:>8.2f}{full.wall:>8.2f}{raw.rtf:>9.3f}{full.rtf:>9.3f}"
    quality = f"{full.wall / raw.wall:>9.2f}{100 * raw.wer:>8.1f}%{100 * full.wer:>8.1f}%{full.retried_blocks:>9}"
    quality += f"{full.false_flags:>12}"
    print(f"{name:<16}{times}{quality}")


if __name__ == "__main__":
    main()
