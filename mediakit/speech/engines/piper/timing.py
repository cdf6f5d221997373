"""Piper's word times, from the samples the model spent on each phoneme."""

import unicodedata
from collections.abc import Iterable

from piper import PiperVoice
from piper.const import BOS, EOS
from piper.voice import AudioChunk


def word_timings(
    voice: PiperVoice, text: str, chunks: Iterable[AudioChunk], rate: float
) -> list[tuple[str, float, float]] | None:
    """(word, start, end) for each word of `text`, from the samples Piper spent on each phoneme.

    espeak marks word boundaries with a space phoneme, but says short words as one ("in the", "at a"): runs
    of phonemes are matched to the written words by their phoneme counts, and a run said for several words
    is shared among them. Pauses at punctuation belong to no word. None when the model gave no alignment
    or the words cannot be matched: the pipeline then takes the recogniser's times.
    """
    runs: list[tuple[int, int, int]] = []  # first sample, end sample, phonemes
    clock, start, end, sounds = 0, None, 0, 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        for phoneme in chunk.phoneme_alignments:
            if not _is_boundary(phoneme.phoneme):
                if start is None:
                    start, sounds = clock, 0
                end, sounds = clock + phoneme.num_samples, sounds + 1
            elif start is not None:
                runs.append((start, end, sounds))
                start = None
            clock += phoneme.num_samples
    words = [word for word in text.split() if any(char.isalnum() for char in word)]
    if len(words) == len(runs):
        sizes, counts = [1] * len(words), [1] * len(runs)
    else:
        sizes = [max(1, sum(not _is_boundary(p) for sentence in voice.phonemize(w) for p in sentence)) for w in words]
        counts = _words_per_run(sizes, [run_sounds for _, _, run_sounds in runs])
        if counts is None:
            return None
    timings, taken = [], 0
    for (first, last, _), count in zip(runs, counts, strict=True):
        own = sizes[taken : taken + count]
        clock = first
        for word, size in zip(words[taken : taken + count], own, strict=True):
            step = (last - first) * size / sum(own)
            timings.append((word, float(clock / rate), float((clock + step) / rate)))
            clock += step
        taken += count
    return timings


MAX_WORDS_PER_RUN = 4  # espeak joins a few short words at most ("out of the")


def _words_per_run(sizes: list[int], runs: list[int]) -> list[int] | None:
    """How many consecutive words each run of phonemes says, so that phoneme counts agree best; None if the
    words cannot cover the runs."""
    infinity = float("inf")
    # best[i][j]: the least disagreement with the first i words said by the first j runs
    best = [[infinity] * (len(runs) + 1) for _ in range(len(sizes) + 1)]
    choice = [[0] * (len(runs) + 1) for _ in range(len(sizes) + 1)]
    best[0][0] = 0
    for i in range(1, len(sizes) + 1):
        for j in range(1, min(i, len(runs)) + 1):
            for count in range(1, min(MAX_WORDS_PER_RUN, i) + 1):
                cost = best[i - count][j - 1] + abs(runs[j - 1] - sum(sizes[i - count : i]))
                if cost < best[i][j]:
                    best[i][j], choice[i][j] = cost, count
    if best[len(sizes)][len(runs)] == infinity:
        return None
    counts, i = [], len(sizes)
    for j in range(len(runs), 0, -1):
        counts.append(choice[i][j])
        i -= choice[i][j]
    return counts[::-1]


def _is_boundary(phoneme: str) -> bool:
    return phoneme in (" ", BOS, EOS) or unicodedata.category(phoneme[0])[0] == "P"
