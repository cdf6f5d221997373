"""Narrate: each block synthesised with its speaker's voice, joined with its pauses into one WAV."""

import numpy as np

from renders.pipeline.context import RenderContext, StageError
from renders.pipeline.media import fade_edges, resample, write_wav
from renders.pipeline.words import TimedWord
from voices.engines import EngineError, get_engine

SAMPLE_RATE = 22050
GAP_BETWEEN_BLOCKS = 0.25  # seconds of silence where the script asks for no pause


def run(ctx: RenderContext) -> None:
    pieces: list[np.ndarray] = []
    clock = 0.0
    blocks_report = []
    for index, block in enumerate(ctx.blocks):
        ctx.check_cancelled()
        voice = ctx.voices[block.speaker]
        try:
            speech = get_engine(voice["engine"]).synthesize(block.text, voice["voice_id"], voice["settings"])
        except EngineError as error:
            raise StageError(f"block {index + 1} ({block.speaker}): {error}") from error
        samples = fade_edges(resample(speech.samples, speech.sample_rate, SAMPLE_RATE), SAMPLE_RATE)
        duration = len(samples) / SAMPLE_RATE
        ctx.words.extend(_spread_words(block.text, clock, duration, block.speaker, index))
        blocks_report.append(
            {
                "index": index,
                "speaker": block.speaker,
                "start": round(clock, 3),
                "duration": round(duration, 3),
            }
        )
        gap = block.pause_after or (GAP_BETWEEN_BLOCKS if index < len(ctx.blocks) - 1 else 0.0)
        pieces += [samples, np.zeros(round(gap * SAMPLE_RATE), dtype=np.float32)]
        clock += duration + gap
        ctx.progress((index + 1) / len(ctx.blocks))
    narration = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    ctx.duration = len(narration) / SAMPLE_RATE
    path = ctx.workdir / "narration.wav"
    write_wav(path, narration, SAMPLE_RATE)
    ctx.outputs["wav"] = path
    ctx.report["blocks"] = blocks_report


def _spread_words(text: str, start: float, duration: float, speaker: str, block: int) -> list[TimedWord]:
    """Word times estimated from character length inside the block's exact span."""
    written = text.split()
    weights = [len(word) + 1 for word in written]
    total = sum(weights)
    words, clock = [], start
    for word, weight in zip(written, weights, strict=True):
        length = duration * weight / total
        words.append(TimedWord(word, round(clock, 3), round(min(clock + length, start + duration), 3), speaker, block))
        clock += length
    return words
