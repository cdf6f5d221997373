# ruff: noqa: RUF001, RUF002  (full-width punctuation is what this module is about)
"""Captions for text written without spaces (Japanese, Chinese): where a line may break, and how wide it is.

Such a word (a whole Japanese sentence is one whitespace token) is cut into pieces a line may break between:
one character each, a run of Latin letters or digits kept whole, closing punctuation and small kana kept on
the character before (a line never starts with 。or ）: kinsoku), opening punctuation on the one after (a line
never ends with 「). The word's time is shared among its pieces by their characters. Korean is written with
spaces between words and keeps them; its syllables count wide like every CJK character.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from mediakit.speech.words import TimedWord

# Never at the start of a line: closing punctuation, iteration marks, the long-vowel mark and small kana.
CLOSING = (
    "、。，．・：；？！‼⁇⁈⁉ー～）」』】〉》〕］｝〙〗〟’”ゝゞ々ヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    ",.!?:;)]}%"
)
# Never at the end of a line.
OPENING = "（「『【〈《〔［｛〘〖〝‘“([{"
_UNSPACED_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA")
_RUN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+|.", re.S)  # a Latin word or number, else one character


def is_unspaced(char: str) -> bool:
    """A character of a script written without spaces between words (kanji, kana) or its punctuation."""
    if "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef":  # CJK punctuation, full-width forms
        return True
    return unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS)


def text_width(text: str) -> int:
    """Width in half-width cells: CJK characters (and Hangul) take two, like two Latin letters."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pieces(text: str) -> list[str]:
    """The text cut where a line may break: after every unspaced character, never before a closing mark
    nor after an opening one."""
    result: list[str] = []
    opening = ""
    for run in _RUN.findall(text):
        if run in OPENING:
            opening += run
        elif result and not opening and run in CLOSING:
            result[-1] += run
        elif result and not opening and not is_unspaced(run[0]) and not is_unspaced(result[-1][-1]):
            result[-1] += run  # Latin next to Latin (or a symbol): never broken apart
        else:
            result.append(opening + run)
            opening = ""
    if opening and result:  # an opening mark that ends the text stays with what it follows
        result[-1] += opening
    elif opening:
        result.append(opening)
    return result


def split_unspaced(words: Iterable[TimedWord]) -> list[TimedWord]:
    """Each word holding unspaced characters cut into its pieces (glued to the piece before), the word's
    time shared among them by their characters; other words as they are. A word that starts with an unspaced
    character right after one that ends with one is glued to it too: the narration cuts Japanese text into
    sentences (text/sentences.py), which the captions join again without a space."""
    result: list[TimedWord] = []
    for word in words:
        parts = pieces(word.text) if any(is_unspaced(char) for char in word.text) else [word.text]
        follows = bool(result) and is_unspaced(result[-1].text[-1]) and is_unspaced(word.text[0])
        total, done = sum(len(part) for part in parts), 0
        for index, part in enumerate(parts):
            start = word.start + (word.end - word.start) * done / total if done else word.start
            done += len(part)
            end = word.start + (word.end - word.start) * done / total if done < total else word.end
            if index == 0 and follows and (part[0] in CLOSING or result[-1].text[-1] in OPENING):
                result[-1] = replace(result[-1], text=result[-1].text + part, end=end)  # kinsoku across words
                continue
            glued = word.glued or (follows if index == 0 else True)
            result.append(replace(word, text=part, start=start, end=end, glued=glued))
    return result
