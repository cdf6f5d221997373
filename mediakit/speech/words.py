"""Word timings: the shared currency of the narration, captions and compose stages."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TimedWord:
    """One word of the script as written (punctuation attached), placed on the narration's clock."""

    text: str
    start: float  # seconds from the start of the whole narration
    end: float
    speaker: str
    block: int  # index of the block in the script
    # A piece of a word written without spaces (captions/east_asian.py): joined to the word before without one.
    glued: bool = False
