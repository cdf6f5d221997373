"""Punctuation the text, caption and storyboard code agree on: where sentences and clauses end, what opens
and closes around a word."""

# Japanese and Chinese full stops, marks and commas (full-width) too.
SENTENCE_END = (".", "!", "?", "…", "\u3002", "\uff01", "\uff1f")
CLAUSE_END = (",", ";", ":", "\u2014", "\u2013", "\u3001", "\uff0c")  # em and en dashes too
# Closing quotes and brackets after punctuation ("said.", 「…。」) still end the sentence.
CLOSERS = "\"')]}\u00bb\u201d\u2019\u300d\u300f\uff09"
OPENERS = "([{\"'\u201c\u2018«¿¡"


def ends_with(text: str, marks: tuple[str, ...]) -> bool:
    """Whether the text ends with one of the marks, closing quotes and brackets after it aside."""
    return text.rstrip(CLOSERS).endswith(marks)


def break_rank(text: str) -> int:
    """How well a break after this word reads: 0 after a sentence, 1 after a clause, 2 anywhere else."""
    return 0 if ends_with(text, SENTENCE_END) else 1 if ends_with(text, CLAUSE_END) else 2
