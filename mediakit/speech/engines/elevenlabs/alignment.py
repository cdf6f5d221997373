"""ElevenLabs times every character it says; captions want words."""


def words_from_alignment(
    characters: list[str], starts: list[float], ends: list[float]
) -> list[tuple[str, float, float]] | None:
    """Character timings to word timings: a word is a run of non-space characters, from its first
    character's start to its last character's end. Mismatched lists mean no alignment, not a guess."""
    if not len(characters) == len(starts) == len(ends):
        return None
    words: list[tuple[str, float, float]] = []
    current, start, end = "", 0.0, 0.0
    for char, char_start, char_end in zip(characters, starts, ends, strict=True):
        if char.isspace():
            if current:
                words.append((current, start, end))
            current = ""
            continue
        if not current:
            start = char_start
        current += char
        end = max(end, char_end)
    if current:
        words.append((current, start, end))
    return [(word, round(start, 3), round(end, 3)) for word, start, end in words]
