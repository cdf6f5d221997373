"""Narrate: every word right, every word timed.

Blocks are normalised for speech (the written words kept for captions) and split at sentences into units.
Units are synthesised (as many at once as the engine wants), then faster-whisper hears them back in shared
passes; a unit heard wrong (its word error rate over its budget, none for a short unit, or a must-hear word
such as a name or a number missed) is synthesised again with a variation, keeping the best try. Units that
never pass are flagged in the report, not hidden. Word times come from the engine's alignment when it has one,
else from what the recogniser heard, mapped back onto the written words.
"""

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar

import numpy as np
import pyloudnorm

from mediakit.audio import encode_mp3, fade_edges, limit_peaks, resample, write_wav
from mediakit.errors import StageError
from mediakit.pipeline.context import RenderContext
from mediakit.speech.align import HeardWord, align_words
from mediakit.speech.cache import UnitAudio, unit_key
from mediakit.speech.engines import EngineError, get_engine
from mediakit.speech.judge import error_budget, judge
from mediakit.speech.verify import RECOGNISED_LANGUAGES, Hearing, Listener
from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import Normalized, language_code, normalize
from mediakit.text.sentences import split_sentences
from mediakit.threads import pool_in_context

SAMPLE_RATE = 22050
UNIT_MAX_CHARS = 240  # long enough for a natural sentence, short enough to retry cheaply
GAP_BETWEEN_UNITS = 0.12  # seconds between sentences of one block
GAP_BETWEEN_BLOCKS = 0.3  # where the script asks for no pause
EDGE_SILENCE = 0.04  # kept at each end of a unit when trimming the engine's own silence
UNIT_LOUDNESS = -16.0  # LUFS per unit: speakers sound equally loud, and the narration lands at -16
_meter = pyloudnorm.Meter(SAMPLE_RATE)
T = TypeVar("T")


@dataclass
class Unit:
    block: int
    speaker: str
    text: str  # as written
    normalized: Normalized  # with the job's pronunciations
    lexicon: Lexicon  # the job's pronunciations this unit's engine can say
    plain: Normalized | None = None  # the text normalised without them, when they changed it
    key: str = ""
    audio: UnitAudio | None = None
    cached: bool = False
    # every take heard in this render: transcript, score, must-hear words missed and what the retry varied
    takes: list[dict] = field(default_factory=list)


@dataclass
class Take:
    samples: np.ndarray
    normalized: Normalized  # what was said (a retry may normalise differently)
    word_timings: list[HeardWord] | None  # from the engine's own alignment, on the trimmed clip's clock
    variation: dict = field(default_factory=dict)  # what this retry changed, for the report


def run(ctx: RenderContext) -> None:
    units = plan_units(ctx)
    verifying = ctx.verify and language_code(ctx.language) in RECOGNISED_LANGUAGES
    pending = [unit for unit in units if not _load_cached(ctx, unit, verifying)]
    work = Progress(ctx, total=len(units) + len(pending), done=len(units) - len(pending))
    engines = {get_engine(ctx.voices[unit.speaker]["engine"], ctx.engines) for unit in pending}
    speaking = max((engine.concurrency for engine in engines), default=1)
    with pool_in_context(max_workers=speaking) as voices, pool_in_context(max_workers=ctx.workers) as pool:
        try:
            # Rounds: every pending unit is synthesised and heard (in shared passes that start while later
            # units are still being synthesised); only the units heard wrong go round again with a variation,
            # keeping each unit's best take.
            rounds = ctx.max_tries if verifying else 1
            for attempt in range(rounds):
                if not pending:
                    break
                judge = Round(
                    ctx,
                    pending,
                    attempt,
                    verifying,
                    Listener(SAMPLE_RATE, pool, ctx.language),
                    last=attempt == rounds - 1,
                )
                calls = [partial(_synthesize, ctx, unit, attempt) for unit in pending]
                work.run(voices, calls, on_result=judge.take_in, on_wait=judge.settle_heard)
                judge.settle(judge.listener.hearings(ctx.check_cancelled))
                work.advance(len(pending))
                pending = [unit for unit in pending if not _passes(ctx, unit)]
        except BaseException:  # cancelled, out of time, failed: leaving waits only for the work in flight
            for executor in (voices, pool):
                executor.shutdown(wait=False, cancel_futures=True)
            raise
    _join(ctx, units, verifying)


class Round:
    """One round of takes: each take is heard (unless nothing needs hearing) and judged as soon as it can be.

    A unit whose take is final (it passed, or this was its last try) goes to the speech cache at once, so a
    render stopped later in the stage (a worker killed, a cancel) leaves it for the next attempt to reuse.
    """

    def __init__(
        self, ctx: RenderContext, units: list[Unit], attempt: int, verifying: bool, listener: Listener, last: bool
    ):
        self.ctx, self.units, self.attempt, self.verifying, self.last = ctx, units, attempt, verifying, last
        self.listener = listener
        self.takes: dict[int, Take] = {}

    def take_in(self, index: int, take: Take) -> None:
        self.takes[index] = take
        if self.verifying or not take.word_timings:  # the recogniser's word times stand in for a missing alignment
            self.listener.add(index, take.samples)
        else:
            self._judge(index, Hearing("", []))

    def settle_heard(self) -> None:
        self.settle(self.listener.heard_so_far())

    def settle(self, hearings: dict[int, Hearing]) -> None:
        for index, hearing in hearings.items():
            self._judge(index, hearing)

    def _judge(self, index: int, hearing: Hearing) -> None:
        unit = self.units[index]
        _keep_best(self.ctx, unit, self.takes[index], hearing, self.attempt, self.verifying)
        assert unit.audio is not None
        if self.ctx.speech_cache is not None and (self.last or _passes(self.ctx, unit)):
            self.ctx.speech_cache.save(unit.key, unit.audio)


class Progress:
    """Counts finished pieces of work (a synthesis, a unit heard) for the stage's progress."""

    def __init__(self, ctx: RenderContext, total: int, done: int):
        self.ctx, self.total, self.done = ctx, max(total, 1), done
        ctx.progress(done / self.total)

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self.ctx.progress(self.done / self.total)

    def run(
        self,
        pool: ThreadPoolExecutor,
        calls: list[Callable[[], T]],
        on_result: Callable[[int, T], None],
        on_wait: Callable[[], None] = lambda: None,
    ) -> None:
        """Run calls on the pool, handing each result to `on_result` (with its index) as soon as it is ready,
        and calling `on_wait` between waits (for other work that finishes meanwhile).

        Cancelling (or the worker's time running out) stops waiting; `run` drops what has not started.
        """
        futures = [pool.submit(call) for call in calls]
        positions = {future: index for index, future in enumerate(futures)}
        waiting = set(futures)
        while waiting:
            finished, waiting = wait(waiting, timeout=0.5, return_when=FIRST_COMPLETED)
            self.ctx.check_cancelled()
            for future in sorted(finished, key=positions.__getitem__):
                on_result(positions[future], future.result())
            on_wait()
            self.done += len(finished) / 2  # synthesis is about half of a unit's work
            self.ctx.progress(min(self.done, self.total) / self.total)


def plan_units(ctx: RenderContext) -> list[Unit]:
    units = []
    for index, block in enumerate(ctx.blocks):
        voice = ctx.voices[block.speaker]
        engine = get_engine(voice["engine"], ctx.engines)
        lexicon = ctx.lexicon if engine.inline_phonemes else ctx.lexicon.respellings()
        dictionaries = ctx.dictionaries.get(voice["engine"], ())
        for text in split_sentences(block.text, UNIT_MAX_CHARS):
            unit = Unit(index, block.speaker, text, normalize(text, ctx.language, lexicon=lexicon), lexicon)
            plain = normalize(text, ctx.language) if ctx.lexicon else unit.normalized
            if plain.spoken_text != unit.normalized.spoken_text:
                unit.plain = plain
            respelled = unit.normalized.spoken_text if unit.plain else ""
            if dictionaries and normalize(text, ctx.language, lexicon=ctx.lexicon) != plain:
                # Said through the vendor's dictionary: a new version of it must not reuse the old audio.
                respelled = " ".join([respelled, *(f"{found}@{version}" for found, version in dictionaries)])
            unit.key = unit_key(voice["engine"], voice["voice_id"], voice["settings"], ctx.language, text, respelled)
            units.append(unit)
    return units


def _load_cached(ctx: RenderContext, unit: Unit, verifying: bool) -> bool:
    if ctx.speech_cache is None or unit.block in ctx.regenerate_blocks:
        return False
    audio = ctx.speech_cache.load(unit.key)
    # A unit cached by a job that did not verify has a score it never earned: a verifying job hears it anew.
    if audio is None or (verifying and not audio.verified):
        return False
    unit.audio, unit.cached = audio, True
    return True


def _variation(ctx: RenderContext, voice: dict, attempt: int) -> tuple[dict, bool]:
    """Retry N: another take with the engine's variation (Piper: calmer, then slower; ElevenLabs: another
    draw with the same settings), then read another way too (acronyms spelled out, numbers in pairs)."""
    if attempt == 0:
        return voice["settings"], False
    engine = get_engine(voice["engine"], ctx.engines)
    return engine.retry_settings(voice["voice_id"], voice["settings"], attempt), attempt >= 2


def _synthesize(ctx: RenderContext, unit: Unit, attempt: int) -> Take:
    voice = ctx.voices[unit.speaker]
    try:
        settings, spell = _variation(ctx, voice, attempt)
        normalized = (
            normalize(unit.text, ctx.language, another_way=True, lexicon=unit.lexicon) if spell else unit.normalized
        )
        speech = get_engine(voice["engine"], ctx.engines).synthesize(
            normalized.spoken_text,
            voice["voice_id"],
            settings,
            language=ctx.language,
            dictionaries=ctx.dictionaries.get(voice["engine"], ()),
        )
    except EngineError as error:
        raise StageError(f"block {unit.block + 1} ({unit.speaker}): {error}") from error
    samples, shift = _tidy(resample(speech.samples, speech.sample_rate, SAMPLE_RATE))
    # Spaced as a recogniser writes its words, so the words read apart when joined into a transcript.
    timings = speech.word_timings and [
        HeardWord(f" {word}", start - shift, end - shift) for word, start, end in speech.word_timings
    ]
    read_another_way = normalized.spoken_text != unit.normalized.spoken_text
    return Take(samples, normalized, timings or None, _varied(ctx, voice, settings, read_another_way))


def _varied(ctx: RenderContext, voice: dict, tried: dict, read_another_way: bool) -> dict:
    """What a take changed from the voice's own settings ({name: [before, after]}) and normalisation."""
    engine = get_engine(voice["engine"], ctx.engines)
    before = engine.effective_settings(voice["voice_id"], voice["settings"])
    after = engine.effective_settings(voice["voice_id"], tried)
    changed = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    return ({"settings": changed} if changed else {}) | ({"read_another_way": True} if read_another_way else {})


def _keep_best(ctx: RenderContext, unit: Unit, take: Take, hearing: Hearing, attempt: int, verifying: bool) -> None:
    wer, missed = 0.0, ()
    if verifying:
        # A respelled word heard as its written form ("Ack-mee" written "Acme" by the recogniser) is right.
        meant = [take.normalized, unit.normalized] + ([unit.plain] if unit.plain else [])
        verdict = judge(
            meant,
            hearing.transcript,
            language=ctx.language,
            max_error_rate=ctx.max_error_rate,
            short_unit_words=ctx.short_unit_words,
            lexicon=unit.lexicon,
            strict_words=ctx.must_hear,
        )
        wer, missed = verdict.score, verdict.missed
    heard = take.word_timings or hearing.words  # the engine's own alignment beats the recogniser's
    candidate = UnitAudio(
        take.samples,
        heard,
        hearing.transcript,
        round(wer, 4),
        attempt + 1,
        take.normalized.spoken_text,
        verified=verifying,
        missed=[list(pair) for pair in missed],
    )
    unit.takes.append(
        {"transcript": candidate.transcript, "score": candidate.score, "missed": candidate.missed}
        | ({"varied": take.variation} if take.variation else {})
    )
    # A take that misses a must-hear word is worse than one that hears them all; a tie keeps the earlier take.
    if unit.audio is None or (len(candidate.missed), candidate.score) < (len(unit.audio.missed), unit.audio.score):
        unit.audio = candidate
    unit.audio.tries = attempt + 1


def _passes(ctx: RenderContext, unit: Unit) -> bool:
    assert unit.audio is not None
    budget = error_budget(unit.normalized, ctx.max_error_rate, ctx.short_unit_words, ctx.language)
    return unit.audio.score <= budget and not unit.audio.missed


def _tidy(samples: np.ndarray) -> tuple[np.ndarray, float]:
    """Trim the engine's leading/trailing silence (returns the seconds cut at the start), match loudness,
    limit peaks."""
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    if len(loud) == 0:
        return samples, 0.0
    keep = int(EDGE_SILENCE * SAMPLE_RATE)
    start, end = max(0, loud[0] - keep), min(len(samples), loud[-1] + keep)
    trimmed = limit_peaks(samples[start:end], SAMPLE_RATE)
    # Speech brought to -16 LUFS can peak over full scale: a limiter keeps those peaks whole where clipping
    # would not, and lowers loudness a little, so the level is matched again (three rounds come within about 0.3 LU).
    for _ in range(3 if len(trimmed) > 0.5 * SAMPLE_RATE else 0):  # the meter needs at least one 400 ms block
        loudness = _meter.integrated_loudness(trimmed.astype(np.float64))
        if not np.isfinite(loudness):
            break
        trimmed = limit_peaks(trimmed * np.float32(10 ** ((UNIT_LOUDNESS - loudness) / 20)), SAMPLE_RATE)
    return fade_edges(trimmed, SAMPLE_RATE), start / SAMPLE_RATE


def _join(ctx: RenderContext, units: list[Unit], verifying: bool) -> None:
    pieces: list[np.ndarray] = []
    clock = 0  # in samples: seconds summed as floats drift from where the pieces really are
    blocks_report: list[dict] = []

    def silence(seconds: float) -> None:
        nonlocal clock
        pieces.append(np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32))
        clock += len(pieces[-1])

    for index, block in enumerate(ctx.blocks):
        block_units = [unit for unit in units if unit.block == index]
        start = clock
        for position, unit in enumerate(block_units):
            audio = unit.audio
            assert audio is not None
            ctx.words.extend(
                align_words(
                    unit.normalized,
                    audio.heard,
                    duration=len(audio.samples) / SAMPLE_RATE,
                    offset=clock / SAMPLE_RATE,
                    speaker=block.speaker,
                    block=index,
                )
            )
            pieces.append(audio.samples)
            clock += len(audio.samples)
            if position < len(block_units) - 1:
                silence(GAP_BETWEEN_UNITS)
        blocks_report.append(
            _block_report(ctx, index, block_units, start / SAMPLE_RATE, (clock - start) / SAMPLE_RATE, verifying)
        )
        last = index == len(ctx.blocks) - 1
        silence(block.pause_after or (0.0 if last else GAP_BETWEEN_BLOCKS))
    narration = np.concatenate(pieces)
    ctx.duration = len(narration) / SAMPLE_RATE
    # offset + duration can pass the total by a rounding error in the last bit: the clock ends with the audio.
    ctx.words = [replace(word, end=min(word.end, ctx.duration)) for word in ctx.words]
    ctx.outputs["wav"] = ctx.workdir / "narration.wav"
    write_wav(ctx.outputs["wav"], narration, SAMPLE_RATE)
    ctx.outputs["mp3"] = encode_mp3(ctx.outputs["wav"], ctx.workdir / "narration.mp3")
    ctx.report["blocks"] = blocks_report
    ctx.report["verified"] = verifying
    ctx.report["flagged_blocks"] = [block["index"] for block in blocks_report if not block["passed"]]


def _block_report(ctx: RenderContext, index: int, units: list[Unit], start: float, duration: float, verified: bool):
    unit_reports = [
        {
            "text": unit.text,
            "score": unit.audio.score,
            "tries": unit.audio.tries,
            "transcript": unit.audio.transcript,
            "passed": _passes(ctx, unit),
            "missed": unit.audio.missed,
            "cached": unit.cached,
            "takes": unit.takes,
        }
        for unit in units
        if unit.audio is not None
    ]
    return {
        "index": index,
        "speaker": ctx.blocks[index].speaker,
        "start": round(start, 3),
        "duration": round(duration, 3),
        "score": max(report["score"] for report in unit_reports),
        "tries": max(report["tries"] for report in unit_reports),
        "passed": all(report["passed"] for report in unit_reports),
        "verified": verified,
        "units": unit_reports,
    }
