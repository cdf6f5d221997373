"""Word timings for the caption tests: hand-made examples and any valid timings (hypothesis)."""

from hypothesis import strategies as st

from mediakit.captions.cues import CueRules
from mediakit.speech.words import TimedWord


def words_from(text: str, *, speaker: str = "Host", block: int = 0, start: float = 0.0, step: float = 0.3):
    """Evenly timed words for examples: each lasts 0.25 s and the next starts `step` later."""
    return [
        TimedWord(word, start + i * step, start + i * step + 0.25, speaker, block)
        for i, word in enumerate(text.split())
    ]


# Letters plus the characters each format must escape, and sentence/clause punctuation.
word_texts = st.one_of(
    st.text("abcdefghij.,;!?&<>{}\\", min_size=1, max_size=12),
    st.text("xyz", min_size=40, max_size=120),  # longer than any line
).filter(lambda text: text.strip())


@st.composite
def timed_words(draw) -> list[TimedWord]:
    words, clock, block = [], 0.0, 0
    speakers = ["Host", "Guest Star", "Ana & <Bo>"]
    speaker = draw(st.sampled_from(speakers))
    for _ in range(draw(st.integers(0, 60))):
        if draw(st.integers(0, 9)) == 0:  # a new block, maybe a new speaker
            block += 1
            speaker = draw(st.sampled_from(speakers))
        clock += draw(st.one_of(st.just(0.0), st.floats(0, 3)))
        duration = draw(st.one_of(st.just(0.0), st.floats(0, 1.5), st.floats(5, 12)))
        words.append(TimedWord(draw(word_texts), clock, clock + duration, speaker, block))
        clock += duration
    return words


@st.composite
def cue_rules(draw) -> CueRules:
    # Durations in whole ms, as cue times are.
    min_ms = draw(st.integers(0, 2000))
    return CueRules(
        max_chars_per_line=draw(st.integers(5, 50)),
        max_lines=draw(st.integers(1, 3)),
        min_duration=min_ms / 1000,
        max_duration=draw(st.integers(max(min_ms, 500), 8000)) / 1000,
    )
