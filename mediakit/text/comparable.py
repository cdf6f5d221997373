"""The comparable form of a text: the words a recogniser would write for it, for word error rates and alignment.

Only a real mistake may make a script and a transcript differ, so both are brought to one form: accents,
ligatures and case folded ("Café" = "cafe"), contractions expanded ("it's" = "it is"), numbers said any way
read as their value ("1,200" = "twelve hundred" = "one thousand two hundred" = "1200"), letters said one by
one joined ("A P I" = "API"). Words written together or apart ("sign-ups" / "signups") are matched by the
word error rate, which can join neighbours.
"""

import re
import unicodedata
from decimal import Decimal

from mediakit.text.normalize import Normalized, normalize

Form = tuple[str, int, int]  # a comparable word, with the first and last token of the text it comes from


def comparable_words(text: str, language: str = "en") -> list[str]:
    """Words to compare a script with a transcript: "$5" and "five dollars" both give ["five", "dollars"]."""
    return [word for word, _, _ in comparable_forms(normalize(text, language))]


def fold(text: str) -> str:
    """Lower case without accents, ligatures or typographic marks: "Ça, São ﬁnal" -> "ca, sao final"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    # Kana voicing marks are no accent (か and が are different sounds); Hangul syllables come back whole.
    kept = "".join(char for char in decomposed if not unicodedata.combining(char) or char in _KANA_VOICING)
    return unicodedata.normalize("NFC", kept)


# Letters Unicode does not decompose into a base letter and a mark; quotes and apostrophes as typed.
_UNDECOMPOSED = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
    | {"\u2019": "'", "\u02bc": "'"}
)
_KANA_VOICING = "\u3099\u309a"
_NOT_IN_WORDS = re.compile(r"[^\w']+|_")
_LETTER = re.compile(r"[^\W\d_](?:'s)?")


def comparable_forms(normalized: Normalized) -> list[Form]:
    """(word, first token, last token) for each comparable word of the spoken text, in order.

    Words are folded, without punctuation; "twenty-one" is two words, "it's" is "it is". Letters said one
    by one ("A P I", "P M", "U S") become one word, as a recogniser writes them ("API"), and number words
    one number ("twelve hundred": "1200"), so a word may span tokens.
    """
    forms: list[Form] = []
    letters: list[tuple[str, int]] = []  # the run of single letters being gathered, with their tokens
    for index, token in enumerate(normalized.tokens):
        words = [word.strip("'") for spoken in token.spoken for word in _NOT_IN_WORDS.sub(" ", fold(spoken)).split()]
        # Lone letters in a row of tokens ("P M") join up; a spelled acronym ("A P I") stays on its own.
        if letters and not (len(words) == 1 and letters[-1][1] == index - 1 and _lone_letter(letters)):
            forms.append(_spelled(letters))
            letters = []
        for word in words:
            if _LETTER.fullmatch(word):
                letters.append((word.replace("'", ""), index))
                continue
            if letters:
                forms.append(_spelled(letters))
                letters = []
            if word:
                forms.append((word, index, index))
    if letters:
        forms.append(_spelled(letters))
    return _numbers(_expanded(forms))


def _lone_letter(letters: list[tuple[str, int]]) -> bool:
    """Whether the last letter gathered was its token's only word."""
    return len(letters) == 1 or letters[-2][1] != letters[-1][1]


def _spelled(letters: list[tuple[str, int]]) -> Form:
    return "".join(letter for letter, _ in letters), letters[0][1], letters[-1][1]


# Contractions, said in full: "don't" is "do not", "it's" is "it is" (or "it has" before "been", "got").
_WHOLE = {"won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not", "let's": "let us"}
_ENDINGS = {"n't": "not", "'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would", "'s": "is"}
_NOT_AFTER = {"is", "are", "was", "were", "has", "have", "had", "do", "does", "did", "would", "could", "should"}
_NOT_AFTER |= {"must", "need", "might", "ought"}
# "'s" is "is" only after these (elsewhere it is a possessive: "Maria's").
_IS_AFTER = {"it", "he", "she", "that", "there", "here", "what", "who", "where", "when", "why", "how", "this"}
_PERFECT = {"'s": ("been", "got", "gotten"), "'d": ("been", "better")}  # "it's been": it has; "you'd better"


def _expanded(forms: list[Form]) -> list[Form]:
    expanded: list[Form] = []
    for position, (word, first, last) in enumerate(forms):
        following = forms[position + 1][0] if position + 1 < len(forms) else ""
        expanded.extend((part, first, last) for part in _expand(word, following).split())
    return expanded


def _expand(word: str, following: str) -> str:
    if word in _WHOLE:
        return _WHOLE[word]
    for ending, said in _ENDINGS.items():
        stem = word.removesuffix(ending)
        if stem == word or not stem:
            continue
        if ending == "n't" and stem not in _NOT_AFTER:
            return word
        if ending == "'s" and stem not in _IS_AFTER:
            return word
        if following in _PERFECT.get(ending, ()):
            said = "has" if ending == "'s" else "had"
        return f"{stem} {said}"
    return word


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen"]
_TEENS.append("nineteen")
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SMALL = {word: value for value, word in enumerate(_UNITS)} | {word: 10 + value for value, word in enumerate(_TEENS)}
_SMALL |= {word: 20 + 10 * value for value, word in enumerate(_TENS)}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _numbers(forms: list[Form]) -> list[Form]:
    """Runs of number words (and numbers in digits) as one word each, their value in digits."""
    read: list[Form] = []
    position = 0
    while position < len(forms):
        end = _number_run_end(forms, position)
        if end == position:
            read.append(forms[position])
            position += 1
            continue
        read.extend(_values(_tens_joined(forms[position:end])))
        position = end
    return read


def _is_number_word(forms: list[Form], position: int) -> bool:
    word = forms[position][0] if position < len(forms) else ""
    following = forms[position + 1][0] if position + 1 < len(forms) else ""
    return (
        word in _SMALL
        or word in _SCALES
        or word == "hundred"
        or word.replace(".", "", 1).isdecimal()
        or (word == "a" and following in {"hundred", *_SCALES})  # "a hundred"
    )


def _number_run_end(forms: list[Form], start: int) -> int:
    """Where the run of number words from `start` ends."""
    position = start
    while _is_number_word(forms, position) or (
        start < position < len(forms)  # "one hundred and one", "nineteen oh five", "three point one four"
        and _joins_number(forms[position][0], forms[position - 1][0])
        and _is_number_word(forms, position + 1)
    ):
        position += 1
    return position


def _joins_number(word: str, previous: str) -> bool:
    """Whether a word inside a run of number words belongs to the number ("a hundred and one")."""
    if word == "and":
        return previous == "hundred" or previous in _SCALES
    return word in {"oh", "point"} and previous not in {"and", "oh", "point"}


def _tens_joined(forms: list[Form]) -> list[Form]:
    """ "twenty four" as "24", so that "twenty twenty four" reads as a year, not as 2020 and 4."""
    joined: list[Form] = []
    for word, first, last in forms:
        if joined and joined[-1][0] in _TENS and 0 < _SMALL.get(word, 0) < 10:
            joined[-1] = (str(_SMALL[joined[-1][0]] + _SMALL[word]), joined[-1][1], last)
        else:
            joined.append((word, first, last))
    return joined


class _Number:
    """A number being read word by word: the thousands done, the hundreds below them, the last part < 100."""

    def __init__(self, first: int):
        self.first, self.last = first, first
        self.total, self.group, self.chunk = Decimal(0), Decimal(0), None
        self.scale = 10**15  # the last scale word: a number's scales only go down

    def form(self) -> Form:
        value = self.total + self.group + (self.chunk or 0)
        return f"{value.normalize():f}", self.first, self.last


def _values(forms: list[Form]) -> list[Form]:
    """The numbers said by a run of number words, in digits: "twelve hundred and five" -> "1205"."""
    values: list[Form] = []
    number: _Number | None = None
    position = 0
    while position < len(forms):
        word, first, last = forms[position]
        if number is None:
            number = _Number(first)
        if word == "point" and position + 1 < len(forms):
            digits = ""
            while position + 1 < len(forms) and forms[position + 1][0] in _UNITS:
                position += 1
                digits += str(_UNITS.index(forms[position][0]))
                last = forms[position][2]
            number.chunk = (number.chunk or 0) + Decimal(f"0.{digits or 0}")
        elif word == "hundred":
            if number.group % 1000 >= 100 or (number.chunk or 0) >= 100:  # a second "hundred": another number
                values.append(number.form())
                number = _Number(first)
            number.group += (number.chunk if number.chunk is not None else 1) * 100
            number.chunk = None
        elif word in _SCALES:
            if _SCALES[word] >= number.scale:
                values.append(number.form())
                number = _Number(first)
            number.total += (number.group + (number.chunk or 0) or 1) * _SCALES[word]
            number.group, number.chunk, number.scale = Decimal(0), None, _SCALES[word]
        elif word not in {"and", "a"}:  # "one hundred and one", "a hundred" say nothing more
            oh = word == "oh"  # "nineteen oh five": the run only takes "oh" before a number word
            if oh:
                position += 1
                word, _, last = forms[position]
            value = Decimal(word) if word[0].isdigit() else Decimal(_SMALL[word])
            chunk = number.chunk
            if chunk is None:
                number.chunk = value
            elif number.group == number.total == 0 and 10 <= chunk < 100 and chunk % 1 == 0 and (value >= 10 or oh):
                number.chunk = chunk * 100 + value  # a year said in pairs: "nineteen ninety", "twenty twenty"
            else:
                values.append(number.form())
                number = _Number(first)
                number.chunk = value
        number.last = last
        position += 1
    if number is not None:
        values.append(number.form())
    return values


def _digits(value: Decimal) -> str:
    return f"{value.normalize():f}"
