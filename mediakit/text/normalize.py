"""Normalise stage: script text made speakable, with the original kept for captions. Pure Python: no Django.

`normalize` keeps one `Token` per whitespace-separated token of the script, so captions can always show
what the creator wrote while the voice says `spoken_text` ("$5.50" -> "five dollars and fifty cents").

Each language is a `Language`: an ordered rule table tried at the start of every token, plus the symbols
said inside words and the prefixes said before the rest of a token ("~$5": about five dollars). A rule may
read ahead ("$5 million", "3:30 pm", "March 3rd, 2024"): the first token then carries all the spoken words
and the tokens it swallowed say nothing. A token no rule claims is read piece by piece (words, numbers,
known symbols; anything else, such as emoji, is dropped). An unknown language gets only that light cleanup.
"""

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from num2words import CONVERTER_CLASSES, num2words

_OPENERS = "([{\"'\u201c\u2018«¿¡"
_CLOSERS = ".,;:!?…)]}\"'\u201d\u2019»"
_SENTENCE_MARKS = ".,;:!?"
# What may follow a rule's match inside the same token; the boundary keeps rules from ending mid-word.
_TAIL = "(?P<tail>[" + re.escape(_CLOSERS) + "]*)(?= |$)"
_RECENT = 4  # tokens a rule may look back on
_LONGEST_NUMBER = 15  # longer digit runs (ids, phone numbers) are read digit by digit


@dataclass(frozen=True)
class Token:
    original: str  # one whitespace-separated token of the source text, as written (punctuation attached)
    spoken: tuple[str, ...]  # the words the voice says for it; empty for an emoji or a swallowed token
    punctuation: str = ""  # sentence punctuation after the spoken words, kept so the voice phrases sentences


@dataclass(frozen=True)
class Normalized:
    tokens: tuple[Token, ...]

    @property
    def spoken_text(self) -> str:
        words: list[str] = []
        for token in self.tokens:
            words.extend(token.spoken)
            if token.punctuation and words:
                # A silent token (an emoji before a full stop) still ends the sentence of the word before.
                words[-1] = words[-1].rstrip(_SENTENCE_MARKS) + token.punctuation
        return " ".join(words)

    @property
    def original_text(self) -> str:
        return " ".join(token.original for token in self.tokens)


@dataclass(frozen=True)
class Context:
    """What a rule may need beyond its own match."""

    previous: str  # the previous token, lower-cased, without punctuation ("in" before "1999")
    recent: tuple[str, ...]  # the few tokens before, like `previous` ("call", "us", "at" before "555-1234")
    following: str  # the next token as written ("Louis" after "St.")
    spell_acronyms: bool


Say = Callable[[re.Match[str], Context], list[str] | None]  # None: the rule does not apply here after all


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    say: Say


def rule(pattern: str, say: Say, flags: int = 0) -> Rule:
    return Rule(re.compile(f"(?:{pattern}){_TAIL}", flags), say)


@dataclass(frozen=True)
class Language:
    rules: tuple[Rule, ...] = ()
    symbols: Mapping[str, str] = field(default_factory=dict)  # said when met inside a word: "&" -> "and"
    # Said before the rest of a token, which the rules then read: "~$5" -> "about" + "five dollars".
    prefixes: Mapping[str, str] = field(default_factory=dict)
    numbers: str | None = None  # num2words language for digits left to the light cleanup


def normalize(text: str, language: str = "en", *, spell_acronyms: bool = False) -> Normalized:
    rules = language_rules(language)
    joined = " ".join(text.split())
    originals = joined.split(" ") if joined else []
    starts = [0]
    for original in originals[:-1]:
        starts.append(starts[-1] + len(original) + 1)
    tokens: list[Token] = []
    index = 0
    while index < len(originals):
        original = originals[index]
        context = Context(
            previous=_bare(originals[index - 1]).lower() if index else "",
            recent=tuple(_bare(token).lower() for token in originals[max(0, index - _RECENT) : index]),
            following=originals[index + 1] if index + 1 < len(originals) else "",
            spell_acronyms=spell_acronyms,
        )
        begin = starts[index] + len(original) - len(original.lstrip(_OPENERS))
        prefix = rules.prefixes.get(joined[begin : begin + 1], "")
        begin += bool(prefix)
        in_token = begin < starts[index] + len(original)  # a lone quote or bracket has nothing for the rules
        claimed = _apply_rules(rules, joined, begin, context) if in_token else None
        if claimed is None:
            tokens.append(_read_pieces(original, rules, spell_acronyms))
            index += 1
            continue
        words, end, tail = claimed
        words = [*prefix.split(), *words]
        last = bisect_right(starts, end - 1) - 1
        punctuation = "".join(mark for mark in tail if mark in _SENTENCE_MARKS)
        if end == len(joined) and not punctuation and joined[end - len(tail) - 1] == ".":
            punctuation = "."  # "... on Elm St." ends the text: the abbreviation's dot ends the sentence too
        tokens.append(Token(original, tuple(words), punctuation))
        tokens.extend(Token(swallowed, ()) for swallowed in originals[index + 1 : last + 1])
        index = last + 1
    return Normalized(tuple(tokens))


def comparable_words(text: str, language: str = "en") -> list[str]:
    """Words to compare a script with a transcript: "$5" and "five dollars" both give ["five", "dollars"]."""
    return [word for word, _, _ in comparable_forms(normalize(text, language))]


_NOT_IN_WORDS = re.compile(r"[^\w'\u0300-\u036f]+|_")
_LETTER = re.compile(r"[^\W\d_](?:'s)?")


def comparable_forms(normalized: Normalized) -> list[tuple[str, int, int]]:
    """(word, first token, last token) for each comparable word of the spoken text, in order.

    Words are lower-cased without punctuation; "twenty-one" is two words, "it's" one. Letters said one by
    one ("A P I", "P M", "U S") become one word, as a recogniser writes them ("API"), so a word may span
    tokens.
    """
    forms: list[tuple[str, int, int]] = []
    letters: list[tuple[str, int]] = []  # the run of single letters being gathered, with their tokens
    for index, token in enumerate(normalized.tokens):
        words = [
            word.strip("'")
            for spoken in token.spoken
            for word in _NOT_IN_WORDS.sub(" ", spoken.lower().replace("\u2019", "'")).split()
        ]
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
    return [*forms, _spelled(letters)] if letters else forms


def _lone_letter(letters: list[tuple[str, int]]) -> bool:
    """Whether the last letter gathered was its token's only word."""
    return len(letters) == 1 or letters[-2][1] != letters[-1][1]


def _spelled(letters: list[tuple[str, int]]) -> tuple[str, int, int]:
    return "".join(letter for letter, _ in letters), letters[0][1], letters[-1][1]


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Chunks of whole sentences up to max_chars; an over-long sentence breaks at commas, then at spaces.

    `" ".join(chunks)` gives back the text with its whitespace normalised. A single word longer than
    max_chars stays whole.
    """
    pieces: list[str] = []
    sentence: list[str] = []
    for word in text.split():
        sentence.append(word)
        if _ends_sentence(word):
            pieces.extend(_break_long_sentence(sentence, max_chars))
            sentence = []
    if sentence:
        pieces.extend(_break_long_sentence(sentence, max_chars))
    return _pack(pieces, max_chars)


# A full stop after these is not the end of a sentence.
_NO_SENTENCE_END = {"st.", "no.", "fig.", "vol.", "vs."} | {
    written.lower() for written in ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "Jr.", "Sr.", "Mt.", "Inc.", "Ltd.",
                                    "Co.", "Corp.", "etc.", "approx.", "dept.")
}  # fmt: skip
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # U.S., e.g., a.m., the J. of J. R. R. Tolkien


def _ends_sentence(word: str) -> bool:
    bare = word.rstrip(")]}\"'\u201d\u2019»").lstrip(_OPENERS)
    if not bare.endswith((".", "!", "?", "…")):
        return False
    return not bare.endswith(".") or not (bare.lower() in _NO_SENTENCE_END or _INITIALS.fullmatch(bare))


def _break_long_sentence(words: list[str], max_chars: int) -> list[str]:
    sentence = " ".join(words)
    if len(sentence) <= max_chars:
        return [sentence]
    clauses: list[list[str]] = [[]]
    for word in words:
        clauses[-1].append(word)
        if word.rstrip(")]}\"'\u201d\u2019»").endswith((",", ";", ":")):
            clauses.append([])
    pieces: list[str] = []
    for clause in filter(None, clauses):
        pieces.extend(_pack(clause, max_chars))  # a clause that is still too long breaks at spaces
    return _pack(pieces, max_chars)


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks


def language_code(language: str) -> str:
    """The language of a tag, lower-cased: "en-US" and "en_GB" are "en"."""
    return language.lower().replace("_", "-").split("-")[0]


def language_rules(language: str) -> Language:
    """The rule table for a language code ("en", "en-US"); unknown languages get the light cleanup."""
    code = language_code(language)
    if code in LANGUAGES:
        return LANGUAGES[code]
    return Language(numbers=code if code in CONVERTER_CLASSES else None)


def _apply_rules(rules: Language, joined: str, begin: int, context: Context) -> tuple[list[str], int, str] | None:
    for candidate in rules.rules:
        match = candidate.pattern.match(joined, begin)
        if match and match.end() > begin:
            words = candidate.say(match, context)
            if words is not None:
                return words, match.end(), match.group("tail")
    return None


_PIECE = re.compile(
    r"(?P<word>[^\W\d_](?:[^\W\d_]|[\u0300-\u036f]|['\u2019-](?=[^\W\d_]))*)"  # it's, twenty-one, café
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<other>.)",
    re.S,
)


def has_speech(text: str) -> bool:
    """Whether a voice would say anything for the text in any language: a word or a number. Emoji and
    punctuation alone are never read."""
    return any(piece.group("word") or piece.group("number") for piece in _PIECE.finditer(text))


def _read_pieces(original: str, rules: Language, spell_acronyms: bool) -> Token:
    words: list[str] = []
    for piece in _PIECE.finditer(original):
        if piece.group("word"):
            words.extend(_say_word(piece.group("word"), spell_acronyms))
        elif piece.group("number"):
            words.extend(say_number(piece.group("number"), rules.numbers) if rules.numbers else [piece[0]])
        elif piece[0] in rules.symbols:
            words.extend(rules.symbols[piece[0]].split())
        # Anything else (emoji, quotes, brackets, stray marks) is not said.
    trailing = original[len(original.rstrip(_CLOSERS)) :]
    return Token(original, tuple(words), "".join(mark for mark in trailing if mark in _SENTENCE_MARKS))


_ACRONYM = re.compile(r"(?P<letters>[A-Z]{2,5})(?P<plural>s?)")


def _say_word(word: str, spell_acronyms: bool) -> list[str]:
    acronym = _ACRONYM.fullmatch(word) if spell_acronyms else None
    if not acronym:
        return [word]
    letters = list(acronym.group("letters"))
    if acronym.group("plural"):
        letters[-1] += "'s"  # "GPUs" -> "G P U's"
    return letters


def _bare(token: str) -> str:
    return token.strip(_OPENERS + _CLOSERS)


# ---------------------------------------------------------------------------------------------------------
# Numbers, shared by the rules of every language that num2words speaks.


def say_number(digits: str, language: str = "en", to: str = "cardinal") -> list[str]:
    """'-1,234.50' -> minus one thousand two hundred and thirty-four point five zero (digit by digit)."""
    digits = digits.replace(",", "")
    sign: list[str] = []
    if digits[:1] in "+-\u2212":
        sign = [_SIGNS.get(language, {}).get(digits[0], digits[0])]
        digits = digits[1:]
    whole, _, fraction = digits.partition(".")
    if len(whole) > _LONGEST_NUMBER:
        return sign + [_words(int(digit), language) for digit in whole]
    words = sign + (_words(int(whole), language, to).split() if whole else [])  # ".5" is "point five"
    if fraction:
        words += [_POINT.get(language, "point")] + [_words(int(digit), language) for digit in fraction]
    return words


def _words(number: int, language: str, to: str = "cardinal") -> str:
    try:
        spoken = num2words(number, lang=language, to=to)
    except NotImplementedError:  # a converter that lacks ordinals or years still has cardinals
        spoken = num2words(number, lang=language)
    except OverflowError:  # some languages stop below a quadrillion
        spoken = " ".join(num2words(int(digit), lang=language) for digit in str(number))
    return spoken.replace(",", "")


_SIGNS = {"en": {"-": "minus", "\u2212": "minus", "+": "plus"}}
_POINT = {"en": "point"}


# ---------------------------------------------------------------------------------------------------------
# English.

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_MONTH_ABBREVIATIONS = {month[:3]: month for month in _MONTHS} | {"Sept": "September"}
_MONTH_NAME = "|".join([*_MONTHS, *(rf"{short}\.?" for short in sorted(_MONTH_ABBREVIATIONS, key=len, reverse=True))])
_AND_YEAR = r"(?:,? (?P<year>\d{4}))?"
_YEAR_CUES = {
    "in", "since", "from", "by", "until", "till", "of", "year", "during", "around", "circa", "before",
    "after", "early", "late", "mid", "spring", "summer", "autumn", "fall", "winter",
} | {month.lower() for month in _MONTHS}  # fmt: skip


def _en(number: str, to: str = "cardinal") -> list[str]:
    return say_number(number, "en", to)


def _year(number: int) -> list[str]:
    return _words(number, "en", "year").split()


def _month(name: str) -> str:
    name = name.rstrip(".")
    return _MONTH_ABBREVIATIONS.get(name, name)


def _date(month: int, day: int, year: str | None) -> list[str] | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    words = [_MONTHS[month - 1], *_en(str(day), "ordinal")]
    if year:
        words += _year(int(year) + (2000 if len(year) == 2 else 0))
    return words


def _say_iso_date(match: re.Match[str], context: Context) -> list[str] | None:
    return _date(int(match["month"]), int(match["day"]), match["year"])


def _say_slash_date(match: re.Match[str], context: Context) -> list[str] | None:
    first, second = int(match["first"]), int(match["second"])
    if first > 12 >= second:  # 15/3/2024 is day first
        first, second = second, first
    return _date(first, second, match["year"])


def _say_month_date(match: re.Match[str], context: Context) -> list[str] | None:
    month = _MONTHS.index(_month(match["month"])) + 1
    return _date(month, int(match["day"]), match["year"])


def _say_day_month(match: re.Match[str], context: Context) -> list[str] | None:
    words = _say_month_date(match, context)
    if words is None:
        return None
    month, day, *year = words
    return ["the", day, "of", month, *year]  # "3 March 2024": the third of March


def _say_month_year(match: re.Match[str], context: Context) -> list[str]:
    return [_month(match["month"]), *_year(int(match["year"]))]


def _say_clock(hours: int, minutes: int, meridiem: str | None) -> list[str] | None:
    if hours > 23 or minutes > 59 or (meridiem and not 1 <= hours <= 12):
        return None
    words = _en(str(hours))
    if minutes == 0:
        words += [] if meridiem else ["o'clock"]
    elif minutes < 10:
        words += ["oh", *_en(str(minutes))]
    else:
        words += _en(str(minutes))
    return words + ([meridiem.upper(), "M"] if meridiem else [])


def _say_time(match: re.Match[str], context: Context) -> list[str] | None:
    return _say_clock(int(match["hours"]), int(match["minutes"] or 0), match["meridiem"])


def _say_time_range(match: re.Match[str], context: Context) -> list[str] | None:
    if not (match["meridiem"] or match["end_meridiem"] or (match["minutes"] and match["end_minutes"])):
        return None  # "9-5" is a range of numbers, not of times
    # "9-5pm": the start shares the end's a.m. or p.m. and says it once, "nine to five P M".
    start = _say_clock(int(match["hours"]), int(match["minutes"] or 0), match["meridiem"] or match["end_meridiem"])
    end = _say_clock(int(match["end_hours"]), int(match["end_minutes"] or 0), match["end_meridiem"])
    if start is None or end is None:
        return None
    return [*(start if match["meridiem"] or not match["end_meridiem"] else start[:-2]), "to", *end]


def _say_run_together_time(match: re.Match[str], context: Context) -> list[str] | None:
    digits = match["digits"]  # a recogniser writes "three thirty pm" as "330 pm"
    return _say_clock(int(digits[:-2]), int(digits[-2:]), match["meridiem"])


_CURRENCIES = {  # symbol: (unit, units, cent, cents)
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "sen", "sen"),
}
_MONEY_SCALE = r"(?:(?P<scale>[KkMmBbTt]|bn|mn)|(?: (?P<word_scale>thousand|million|billion|trillion)))?"
_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "t": "trillion"}


def _say_money(match: re.Match[str], context: Context) -> list[str]:
    sign = ["minus"] if match["sign"] else []
    scale = match["scale"] or match.groupdict().get("word_scale")  # "12€" has no word scale
    if scale:  # "$1.2B": one point two billion dollars
        units = _CURRENCIES[match["symbol"]][1]
        return [*sign, *_en(match["amount"]), _SCALES.get(scale.lower(), scale.lower()), units]
    return [*sign, *_amount(match["symbol"], match["amount"])]


def _amount(symbol: str, amount: str) -> list[str]:
    """An amount in words: 5.50 dollars is five dollars and fifty cents."""
    unit, units, cent, cents = _CURRENCIES[symbol]
    whole, _, fraction = amount.replace(",", "").partition(".")
    whole = whole or "0"
    if len(fraction) > 2:
        return [*_en(amount), units]
    words = []
    if int(whole) or not int(fraction or "0"):
        words = [*_en(whole), unit if int(whole) == 1 else units]
    if fraction and int(fraction):
        count = int(fraction.ljust(2, "0"))
        words = [*words, *(["and"] if int(whole) else []), *_en(str(count)), cent if count == 1 else cents]
    return words


def _say_money_range(match: re.Match[str], context: Context) -> list[str]:
    symbol, low, high = match["symbol"], match["low"], match["high"]
    scale = match["scale"] or match["word_scale"]
    if scale:  # "$5-10 million": five to ten million dollars
        return [*_en(low), "to", *_en(high), _SCALES.get(scale.lower(), scale.lower()), _CURRENCIES[symbol][1]]
    if "." in low + high:  # "$5.50-$10": each amount in full
        return [*_amount(symbol, low), "to", *_amount(symbol, high)]
    return [*_en(low), "to", *_amount(symbol, high)]  # "$5-$10": five to ten dollars


def _say_percent(match: re.Match[str], context: Context) -> list[str]:
    return [*_en(match["number"]), "percent"]


def _say_ordinal(match: re.Match[str], context: Context) -> list[str]:
    words = _en(match["number"], "ordinal")
    return [*words[:-1], words[-1] + (match["joined"] or "")]  # "3rd-party": third-party


_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}  # the others are ordinals: a third
_MEASURED = {"of", "inch", "inches", "cup", "cups", "teaspoon", "teaspoons", "tablespoon", "tablespoons", "mile",
             "miles", "second", "seconds", "ounce", "ounces", "pound", "pounds", "lb", "oz", "in"}  # fmt: skip


def _say_fraction(match: re.Match[str], context: Context) -> list[str] | None:
    numerator, denominator = int(match["numerator"]), int(match["denominator"])
    if not 0 < numerator < denominator <= 16:
        return None  # "24/7", "10/20" are not fractions anyone says as such
    measured = _bare(context.following).lower() in _MEASURED | set(_UNITS)
    if denominator not in (2, 3, 4, 8) and not measured:
        return None  # "9/11", "6/7", "5/12" are names and dates; "1/10 of", "3/16 inch" are fractions
    ordinal = _en(str(denominator), "ordinal")[-1]
    one, many = _DENOMINATORS.get(denominator, (ordinal, ordinal + "s"))
    return [*_en(str(numerator)), one if numerator == 1 else many]


_PHONE_CUES = {
    "call", "phone", "tel", "telephone", "fax", "dial", "text", "sms", "mobile", "cell", "hotline", "number",
    "ext", "extension", "contact", "reach", "whatsapp",
}  # fmt: skip


def _say_digits(match: re.Match[str], context: Context) -> list[str] | None:
    digits = re.sub(r"\D", "", match["phone"])
    if len(digits) == 7 and _PHONE_CUES.isdisjoint(context.recent):
        return None  # "125-1500 words" is a range: a bare 555-1234 is a phone number only near "call" and such
    return _digits(digits)  # phone numbers are read digit by digit


_NUMBERED = {"room", "issue", "item", "patent", "case", "order", "invoice", "ticket", "policy", "account", "flight",
             "house", "serial", "model", "part", "page", "chapter", "episode", "track", "volume"}  # fmt: skip


def _say_number_sign(match: re.Match[str], context: Context) -> list[str] | None:
    if match["number"]:
        return ["number", *_en(match["number"])]  # "No.1"
    if match["tail"] or not context.following[:1].isdigit():
        return None
    # "No. 1", "No. 1-ranked" are numbers, "she said no. 3 days later" and "No. 2024 was..." keep their "no",
    # unless a noun before says what is numbered: "Room no. 1234".
    numbered = context.previous in _NUMBERED
    short = re.match(r"\d{1,3}(?!\d|[,.]\d)", context.following)
    return ["number"] if numbered or (match[0][0] == "N" and short) else None


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def _say_decade(match: re.Match[str], context: Context) -> list[str] | None:
    number = int(match["number"])
    if number % 10:
        return None  # "15s" is fifteen seconds, not a decade
    return _decade(number)


def _decade(number: int) -> list[str]:
    words = _year(number) if number >= 100 else _en(str(number))
    return [*words[:-1], _plural(words[-1])]  # 1990s: nineteen nineties


def _say_era(match: re.Match[str], context: Context) -> list[str] | None:
    if match["decade"]:  # "mid-1990s": mid nineteen nineties
        words = _say_decade(match, context)
        return None if words is None else [match["when"], *words]
    return [match["when"], *_year(int(match["number"]))]  # "pre-2020": pre twenty twenty


def _say_many(match: re.Match[str], context: Context) -> list[str]:
    """ "1,000s": thousands; "10,000s": tens of thousands; "5,000s": five thousands."""
    digits = match["number"].replace(",", "")
    if digits.strip("0") != "1":
        words = _en(digits)
        return [*words[:-1], _plural(words[-1])]
    zeros = len(digits) - 1
    scale = _plural(_words(10 ** (zeros - zeros % 3), "en").split()[-1])
    return [*{0: [], 1: ["tens", "of"], 2: ["hundreds", "of"]}[zeros % 3], scale]


def _say_range(match: re.Match[str], context: Context) -> list[str]:
    low, high = match["low"], match["high"]
    unit = match["unit"] or match["spaced_unit"]
    if unit == "s" and _is_year(low) and low.endswith("0") and high.isdecimal() and high.endswith("0"):
        end = int(high)
        if len(high) == 2:  # 1980-90s: nineteen eighties to nineties; 1990-00s: to two thousands
            end += int(low) // 100 * 100 + (100 if int(low) % 100 >= end else 0)
            if end // 100 == int(low) // 100:
                return [*_decade(int(low)), "to", _plural(_en(high)[-1])]
        return [*_decade(int(low)), "to", *_decade(end)]
    if _is_year(low) and not unit and not match["percent"]:
        if _is_year(high):
            return [*_year(int(low)), "to", *_year(int(high))]  # 1990-1995
        if len(high) == 2:  # 2020-21: twenty twenty to twenty-one; 1999-00: to two thousand
            end = int(low) // 100 * 100 + int(high)
            end += 100 if end <= int(low) else 0
            return [*_year(int(low)), "to", *(_en(high) if end // 100 == int(low) // 100 else _year(end))]
    said = [*_en(low), "to", *_en(high)]
    if match["percent"]:
        return [*said, "percent"]
    return [*said, *_UNITS[unit][1].split()] if unit else said  # "5-10°C": five to ten degrees Celsius


def _is_year(number: str) -> bool:
    return len(number) == 4 and number.isdecimal() and 1100 <= int(number) <= 2099


_VERSION_CUES = {
    "version", "ver", "release", "update", "build", "python", "ios", "ipados", "android", "macos", "node",
    "java", "php", "django", "chrome", "firefox", "ubuntu", "debian", "kernel", "firmware", "gpt",
}  # fmt: skip


def _say_dotted(match: re.Match[str], context: Context) -> list[str] | None:
    """ "1.2.3", "v2.10", "Python 3.12": versions, each part a whole number; "192.168.1.1": an address, read
    digit by digit. A plain "3.14" is left to the decimal rule: three point one four."""
    parts = match["dotted"].split(".")
    if len(parts) == 4 and not match["v"] and all(int(part) <= 255 for part in parts):
        return [word for index, part in enumerate(parts) for word in [*(["dot"] if index else []), *_digits(part)]]
    if len(parts) == 2 and not match["v"] and context.previous not in _VERSION_CUES:
        return None
    said = [word for index, part in enumerate(parts) for word in [*(["point"] if index else []), *_en(part)]]
    return ["version", *said] if match["v"] else said


def _digits(number: str) -> list[str]:
    return [_words(int(digit), "en") for digit in number]


def _say_year(match: re.Match[str], context: Context) -> list[str] | None:
    if context.previous not in _YEAR_CUES or not 1100 <= int(match["year"]) <= 2099:
        return None
    return _year(int(match["year"]))


def _say_number(match: re.Match[str], context: Context) -> list[str]:
    return _en(match["number"])


_UNITS = {  # written: (singular, plural)
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "ml": ("milliliter", "milliliters"),
    "l": ("liter", "liters"),
    "L": ("liter", "liters"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "TB": ("terabyte", "terabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "sec": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
    "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "Hz": ("hertz", "hertz"),
}
# Written apart from the number only when not a one-letter word: "5 m" may be a typo, "5 s" a list mark.
_SPACED_UNITS = [unit for unit in _UNITS if len(unit) > 1]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_UNIT = rf"(?P<unit>{_alternation(list(_UNITS))})| (?P<spaced_unit>{_alternation(_SPACED_UNITS)})"


def _say_measure(match: re.Match[str], context: Context) -> list[str]:
    singular, plural = _UNITS[match["unit"] or match["spaced_unit"]]
    number = match["number"]
    return [*_en(number), *(singular if number in {"1", "1.0"} else plural).split()]


_ABBREVIATIONS = {
    "Dr.": "doctor", "Dr": "doctor", "Mr.": "mister", "Mr": "mister", "Mrs.": "missus", "Mrs": "missus",
    "Ms.": "miz", "Ms": "miz", "Prof.": "professor", "Jr.": "junior", "Sr.": "senior", "Mt.": "mount",
    "Inc.": "incorporated", "Ltd.": "limited", "Co.": "company", "Corp.": "corporation",
    "vs.": "versus", "vs": "versus", "etc.": "et cetera", "e.g.": "for example", "E.g.": "for example",
    "i.e.": "that is", "I.e.": "that is", "a.m.": "A M", "p.m.": "P M", "A.M.": "A M", "P.M.": "P M",
    "approx.": "approximately", "dept.": "department",
    # Weekdays, dot required; "Sat." and "Sun." are left alone: too often the plain words.
    "Mon.": "Monday", "Tue.": "Tuesday", "Tues.": "Tuesday", "Wed.": "Wednesday", "Thu.": "Thursday",
    "Thurs.": "Thursday", "Fri.": "Friday",
}  # fmt: skip


def _say_abbreviation(match: re.Match[str], context: Context) -> list[str]:
    return _ABBREVIATIONS[match["abbreviation"]].split()


def _say_street_or_saint(match: re.Match[str], context: Context) -> list[str]:
    following = _bare(context.following)
    return ["saint"] if following[:1].isupper() and match["tail"] == "" else ["street"]


def _say_initials(match: re.Match[str], context: Context) -> list[str]:
    return list(match["initials"].replace(".", ""))  # F.B.I. -> F B I


def _say_email(match: re.Match[str], context: Context) -> list[str]:
    return [*_say_address(match["user"]), "at", *_say_address(match["host"])]


_WEB_SUFFIXES = {"com", "org", "net", "edu", "gov", "io", "ai", "dev", "app", "co", "uk", "us", "eu", "de",
                 "fr", "me", "tv", "info", "biz"}  # fmt: skip


def _say_url(match: re.Match[str], context: Context) -> list[str] | None:
    host = match["host"]
    if not (match["scheme"] or match["www"]) and host.rsplit(".", 1)[-1].lower() not in _WEB_SUFFIXES:
        return None  # "e.g" and "3.5" look like host names too
    return [*(["W", "W", "W", "dot"] if match["www"] else []), *_say_address(host + (match["path"] or ""))]


_ADDRESS_MARKS = {".": "dot", "/": "slash", "-": "dash", "_": "underscore", "+": "plus"}


def _say_address(address: str) -> list[str]:
    words: list[str] = []
    for part in re.findall(r"[^\W_]+|.", address.rstrip("/")):
        if part.isdecimal():  # not isdigit: "²" is a digit int() cannot read
            words.extend(_en(part))
        elif part.isalnum():
            words.append(part)
        elif part in _ADDRESS_MARKS:
            words.append(_ADDRESS_MARKS[part])
    return words


def _say_hashtag(match: re.Match[str], context: Context) -> list[str]:
    return ["number", *_en(match["number"])] if match["number"] else ["hashtag", match["tag"]]


_SYMBOLS = {"&": "and", "%": "percent", "@": "at", "#": "number", "+": "plus", "=": "equals", "~": "about",
            "\u00d7": "times", "°": "degrees", "€": "euros", "$": "dollars", "£": "pounds"}  # fmt: skip

ENGLISH = Language(
    rules=(
        rule(r"(?P<user>[\w.+-]+)@(?P<host>[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})", _say_email),
        rule(
            r"(?P<scheme>https?://)?(?P<www>www\.)?(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
            r"(?P<path>/[^\s]*?)?",
            _say_url,
        ),
        rule(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})", _say_iso_date),
        rule(r"(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4}|\d{2})", _say_slash_date),
        rule(rf"(?P<month>{_MONTH_NAME}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_AND_YEAR}", _say_month_date),
        rule(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?P<month>{_MONTH_NAME}){_AND_YEAR}", _say_day_month),
        rule(rf"(?P<month>{_MONTH_NAME}),? (?P<year>\d{{4}})", _say_month_year),
        rule(
            r"(?P<hours>\d{1,2})(?::(?P<minutes>[0-5]\d))?(?:(?P<meridiem>[AaPp])\.?[Mm]\b\.?)?[-\u2013]"
            r"(?P<end_hours>\d{1,2})(?::(?P<end_minutes>[0-5]\d))?(?: ?(?P<end_meridiem>[AaPp])\.?[Mm]\b\.?)?",
            _say_time_range,
        ),
        rule(
            r"(?P<hours>\d{1,2}):(?P<minutes>[0-5]\d)(?: ?(?P<meridiem>[AaPp])\.?[Mm]\b\.?)?",
            _say_time,
        ),
        # "9.30 am" is a time too (recognisers and British writing use the dot), but only with am/pm.
        rule(r"(?P<hours>\d{1,2})\.(?P<minutes>[0-5]\d) ?(?P<meridiem>[AaPp])\.?[Mm]\b\.?", _say_time),
        rule(r"(?P<hours>\d{1,2})(?P<minutes>) ?(?P<meridiem>[AaPp])\.?[Mm]\b\.?", _say_time),
        rule(r"(?P<digits>\d{3,4}) ?(?P<meridiem>[AaPp])\.?[Mm]\b\.?", _say_run_together_time),
        rule(
            rf"(?P<symbol>[$€£¥])(?P<low>{_NUMBER})[-\u2013](?P=symbol)?(?P<high>{_NUMBER}){_MONEY_SCALE}",
            _say_money_range,
        ),
        rule(rf"(?P<sign>-)?(?P<symbol>[$€£¥])(?P<amount>{_NUMBER}){_MONEY_SCALE}", _say_money),
        rule(rf"(?P<sign>)(?P<amount>{_NUMBER}) ?(?P<symbol>[€£])(?P<scale>)", _say_money),
        rule(rf"(?P<number>[-+\u2212]?(?:{_NUMBER})) ?%", _say_percent),
        rule(r"(?P<phone>(?:1-)?(?:\d{3}\) |\d{3}-)?\d{3}-\d{4})", _say_digits),
        rule(
            r"(?P<low>\d+(?:\.\d+)?)[-\u2013](?P<high>\d+(?:\.\d+)?)"
            rf"(?:(?P<percent>%)|{_UNIT})?",
            _say_range,
        ),
        rule(r"(?P<v>[vV])?(?P<dotted>\d+(?:\.\d+){1,3})", _say_dotted),
        rule(r"(?P<number>\d+)(?:st|nd|rd|th)(?P<joined>-[^\W\d_]+)?", _say_ordinal, re.I),
        rule(r"(?P<numerator>\d{1,2})/(?P<denominator>\d{1,2})", _say_fraction),
        rule(r"(?P<number>\d{1,3}(?:,\d{3})+)s", _say_many),
        rule(r"'?(?P<number>\d{4}|\d{2})'?s", _say_decade),
        rule(r"(?P<when>[Mm]id|[Ee]arly|[Ll]ate|[Pp]re|[Pp]ost)-'?(?P<number>\d{4}|\d{2})(?P<decade>'?s)?", _say_era),
        rule(rf"(?P<number>[-+\u2212]?(?:{_NUMBER}))(?:{_UNIT})", _say_measure),
        rule(r"(?P<year>\d{4})", _say_year),
        rule(rf"(?P<number>[-+\u2212]?(?:{_NUMBER}))", _say_number),
        rule(r"#(?:(?P<number>\d+)|(?P<tag>[^\W\d_]\w*))", _say_hashtag),
        rule(r"St\.?", _say_street_or_saint),
        rule(r"[Nn]o\.(?P<number>\d+)?", _say_number_sign),
        rule(rf"(?P<abbreviation>{_alternation(list(_ABBREVIATIONS))})", _say_abbreviation),
        rule(r"(?P<initials>(?:[A-Za-z]\.){2,})", _say_initials),
        rule(r"[-\u2013\u2014]+", lambda match, context: []),  # a dash between words is a pause, not a word
    ),
    symbols=_SYMBOLS,
    prefixes={"~": "about", "\u2248": "about"},
    numbers="en",
)

LANGUAGES: dict[str, Language] = {"en": ENGLISH}
