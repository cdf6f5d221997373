"""Cues written out: SRT, WebVTT (with speaker voice tags) and word-level JSON."""

import datetime
import itertools
from collections.abc import Sequence

import srt
import webvtt

from mediakit.captions.cues import Cue, build_cues, joined, to_ms
from mediakit.speech.words import TimedWord


def to_srt(cues: Sequence[Cue]) -> str:
    """SRT with "Speaker: " before a cue's first line whenever the speaker changes (and on the first cue)."""
    subtitles = []
    previous_speaker = None
    for index, cue in enumerate(cues, start=1):
        lines = list(cue.lines)
        if cue.speaker and cue.speaker != previous_speaker:
            lines[0] = f"{cue.speaker}: {lines[0]}"
        previous_speaker = cue.speaker
        subtitles.append(
            srt.Subtitle(
                index,
                datetime.timedelta(milliseconds=to_ms(cue.start)),
                datetime.timedelta(milliseconds=to_ms(cue.end)),
                "\n".join(lines),
            )
        )
    return srt.compose(subtitles)


def to_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT with each cue in a `<v Speaker>` voice span."""
    captions = [
        webvtt.Caption(
            _vtt_timestamp(cue.start),
            _vtt_timestamp(cue.end),
            f"<v {_vtt_escape(cue.speaker)}>{_vtt_escape(cue.text)}</v>" if cue.speaker else _vtt_escape(cue.text),
        )
        for cue in cues
    ]
    return webvtt.WebVTT(captions=captions).content


def _vtt_timestamp(seconds: float) -> str:
    hours, rest = divmod(to_ms(seconds), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_json(words: Sequence[TimedWord], cues: Sequence[Cue] | None = None) -> dict:
    """Word-level captions for players and integrators: blocks with their words, and the cues."""
    if cues is None:
        cues = build_cues(words)
    blocks = []
    for (block, speaker), group in itertools.groupby(words, key=lambda w: (w.block, w.speaker)):
        block_words = list(group)
        blocks.append(
            {
                "index": block,
                "speaker": speaker,
                "text": joined(block_words),
                "start": _round(block_words[0].start),
                "end": _round(block_words[-1].end),
                "words": [{"text": w.text, "start": _round(w.start), "end": _round(w.end)} for w in block_words],
            }
        )
    return {
        "blocks": blocks,
        "cues": [{"start": _round(c.start), "end": _round(c.end), "text": c.text, "speaker": c.speaker} for c in cues],
    }


def _round(seconds: float) -> float:
    return round(seconds, 3)
