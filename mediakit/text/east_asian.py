"""Korean and Japanese for the normaliser: numbers, dates, clock times, currency and units said in the language.

Japanese is written without spaces and Korean glues numbers to their words ("1,500원입니다"), so these
languages are not read by rules at the start of a token (english.py) but by replacing what their table knows
anywhere inside a token; the rest of the token is said as written. Numbers come from num2words (Sino-Korean,
kanji numerals: the voice reads 三人 with its counter); Korean counters that take native numbers get them
(3개: 세 개). The words are data, in ko.toml and ja.toml.
"""

import functools
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mediakit.text.lexicon import is_phonemes
from mediakit.text.numbers import number_words

# Characters (kana and kanji; Hangul syllables) a voice says in the time of an English word, for estimates
# made in words: Japanese narration runs about 350 characters a minute, Korean about 300 syllables, against
# about 150 English words.
CHARACTERS_PER_WORD = {"ja": 2.3, "ko": 2.0}
_LONGEST_NUMBER = 15  # longer digit runs (ids, phone numbers) are read digit by digit
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Table:
    code: str  # num2words' language
    minus: str
    point: str
    percent: str
    range: str
    date: tuple[str, str, str]  # after the year, the month, the day
    clock: tuple[str, str]  # after the hour, the minutes
    currency_symbols: dict[str, tuple[str, str]]  # symbol -> (unit, minor unit)
    units: dict[str, str]
    spaced: bool  # Korean puts a space between a number and its unit; Japanese does not
    months: dict[int, str]  # months said irregularly (Korean 6월: 유월)
    native_counters: tuple[str, ...] = ()
    native_ones: tuple[str, ...] = ()
    native_tens: tuple[str, ...] = ()
    native_twenty: str = ""
    native_first: str = ""


@functools.cache
def word_equivalents(spoken: str, code: str) -> int:
    """How many English words' time the spoken text of a CJK language takes (spaces and punctuation aside)."""
    return math.ceil(sum(char.isalnum() for char in spoken) / CHARACTERS_PER_WORD[code])


def table(code: str) -> Table:
    data = tomllib.loads(Path(__file__).with_name(f"{code}.toml").read_text(encoding="utf-8"))
    return Table(
        code=code,
        minus=data["minus"],
        point=data["point"],
        percent=data["percent"],
        range=data["range"],
        date=tuple(data["date"]),
        clock=tuple(data["clock"]),
        currency_symbols={symbol: tuple(words) for symbol, words in data["currency_symbols"].items()},
        units=data["units"],
        spaced=code == "ko",
        months={int(month): said for month, said in data.get("months", {}).items()},
        native_counters=tuple(sorted(data.get("native_counters", ()), key=len, reverse=True)),
        native_ones=tuple(data.get("native_ones", ())),
        native_tens=tuple(data.get("native_tens", ())),
        native_twenty=data.get("native_twenty", ""),
        native_first=data.get("native_first", ""),
    )


@functools.cache
def _pattern(code: str) -> re.Pattern[str]:
    rules = table(code)
    units = "|".join(re.escape(unit) for unit in sorted(rules.units, key=len, reverse=True))
    symbols = "".join(re.escape(symbol) for symbol in rules.currency_symbols)
    return re.compile(
        r"(?P<year>\d{4})(?P<dash>[-/.])(?P<month>\d{1,2})(?P=dash)(?P<day>\d{1,2})(?!\d)"
        r"|(?<!\d)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)"
        # The first number of a range (3-5, 3~5): the second is read on its own after the range word.
        rf"|(?<![\dA-Za-z.,])(?P<low>{_NUMBER})\s?[-~\u301c\u2013]\s?(?=\d)"
        rf"|(?P<csign>[-\u2212])?(?P<symbol>[{symbols}])(?P<camount>{_NUMBER})"
        # A unit must not run on into a word: "5m" is metres, "5mg" milligrams, "5more" is not a unit.
        # A sign is one where no number or Latin word comes before it: "-3" and "は-3", not "3-5" or "COVID-19".
        rf"|(?P<sign>(?<![\dA-Za-z.,])[-\u2212])?(?P<amount>{_NUMBER})(?:(?P<percent>%)|\s?(?P<unit>{units})(?![A-Za-z]))?"
    )


def read(text: str, entries: tuple[tuple[str, str], ...] = (), *, code: str) -> str:
    """The text as the voice should hear it: the pronunciation dictionary's respellings (`entries`, longest
    first) wherever their words are written, then everything the table knows said in words, the rest as
    written (emoji and other pictographs dropped)."""
    rules = table(code)
    text = _respelled(text, tuple(entry for entry in entries if not is_phonemes(entry[1])))
    text = unicodedata.normalize("NFKC", text)  # full-width digits and signs read as ASCII ones; "℃" as "°C"
    # A "%" no number claimed ("$5%") is still a percent.
    said = _pattern(code).sub(lambda match: _say(match, rules), text).replace("%", rules.percent)
    return "".join(char for char in said if unicodedata.category(char) not in ("So", "Cn", "Co"))


def _respelled(text: str, entries: tuple[tuple[str, str], ...]) -> str:
    """Entries found anywhere, case-insensitively ("Acmeは": "アクミーは"), but never inside a Latin word; no
    voice of these languages reads phoneme entries, so those are said as written."""
    if not entries:
        return text
    choices = "|".join(f"(?P<e{index}>{re.escape(written)})" for index, (written, _) in enumerate(entries))
    pattern = re.compile(rf"(?<![A-Za-z])(?:{choices})(?![A-Za-z])", re.IGNORECASE)
    return pattern.sub(lambda match: entries[int(str(match.lastgroup)[1:])][1], text)


def _say(match: re.Match[str], rules: Table) -> str:
    if match["year"]:
        year, month, day = (int(match[name]) for name in ("year", "month", "day"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return _join(rules, [_number(match["year"], rules), _number(match["month"], rules)])
        return _join(
            rules,
            [
                _number(str(year), rules) + rules.date[0],
                _month(month, rules) + rules.date[1],
                _number(str(day), rules) + rules.date[2],
            ],
        )
    if match["hour"]:
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour > 23 or minute > 59:
            return match[0]
        said = [_counted(hour, rules.clock[0], rules), rules.clock[0]]
        return _join(rules, said + ([_number(str(minute), rules), rules.clock[1]] if minute else []))
    if match["low"]:
        return _number(match["low"], rules) + rules.range + _spacer(rules)  # a particle: 삼에서 오일
    if match["symbol"]:
        unit, minor = rules.currency_symbols[match["symbol"]]
        whole, _, cents = match["camount"].replace(",", "").partition(".")
        said = [_signed(match["csign"], rules) + _number(whole, rules) + _spacer(rules) + unit]
        if cents.strip("0"):
            said.append(_number(cents[:2].ljust(2, "0"), rules) + _spacer(rules) + minor)
        return _join(rules, said)
    said = _signed(match["sign"], rules) + _amount(match, rules)
    if match["percent"]:
        return said + _spacer(rules) + rules.percent
    if match["unit"]:
        return said + _spacer(rules) + rules.units[match["unit"]]
    return said


def _amount(match: re.Match[str], rules: Table) -> str:
    """A number, or one before a Korean counter that takes a native number ("3개": "세 "), or a month."""
    digits = match["amount"]
    after = match.string[match.end() :]
    if digits.isdigit() and after.startswith(rules.date[1]) and int(digits) in rules.months:
        return rules.months[int(digits)]
    counter = next((counter for counter in rules.native_counters if after.startswith(counter)), None)
    if counter and digits.isdigit():
        return _counted(int(digits), counter, rules) + " "
    return _number(digits, rules)


def _counted(number: int, counter: str, rules: Table) -> str:
    """A number before `counter`: native Korean (1-99) where the counter takes it, else Sino-Korean/kanji."""
    if counter not in rules.native_counters or not 1 <= number <= 99:
        return _number(str(number), rules)
    if number == 1 and counter == "번째":
        return rules.native_first
    if number == 20:
        return rules.native_twenty
    tens, ones = divmod(number, 10)
    return (rules.native_tens[tens - 1] if tens else "") + (rules.native_ones[ones - 1] if ones else "")


def _month(month: int, rules: Table) -> str:
    return rules.months.get(month) or _number(str(month), rules)


def _number(digits: str, rules: Table) -> str:
    """'1,234.5' in words: the whole part as a number, the fraction digit by digit."""
    whole, _, fraction = digits.replace(",", "").partition(".")
    long = len(whole) > _LONGEST_NUMBER
    said = _digit_by_digit(whole, rules) if long else number_words(int(whole), rules.code)
    if fraction:
        said += _spacer(rules) + rules.point + _spacer(rules) + _digit_by_digit(fraction, rules)
    return said


def _digit_by_digit(digits: str, rules: Table) -> str:
    return _spacer(rules).join(number_words(int(digit), rules.code) for digit in digits)


def _signed(sign: str | None, rules: Table) -> str:
    return rules.minus + _spacer(rules) if sign else ""


def _spacer(rules: Table) -> str:
    return " " if rules.spaced else ""


def _join(rules: Table, parts: list[str]) -> str:
    return _spacer(rules).join(parts)
