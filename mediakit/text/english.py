"""English: the rule table the normaliser reads English with. Its words and cues are data, in en.toml."""

import re
import tomllib
from pathlib import Path

from mediakit.text.numbers import number_words, say_number
from mediakit.text.rules import Context, Language, bare, rule

_DATA = tomllib.loads(Path(__file__).with_name("en.toml").read_text(encoding="utf-8"))

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_MONTHS: list[str] = _DATA["months"]
_MONTH_ABBREVIATIONS = {month[:3]: month for month in _MONTHS} | _DATA["month_abbreviations"]
_MONTH_NAME = "|".join([*_MONTHS, *(rf"{short}\.?" for short in sorted(_MONTH_ABBREVIATIONS, key=len, reverse=True))])
_AND_YEAR = r"(?:,? (?P<year>\d{4}))?"
_YEAR_CUES = {*_DATA["year_cues"], *(month.lower() for month in _MONTHS)}


def _en(number: str, to: str = "cardinal") -> list[str]:
    return say_number(number, "en", to)


def _year(number: int) -> list[str]:
    return number_words(number, "en", "year").split()


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


_CURRENCIES: dict[str, list[str]] = _DATA["currencies"]  # symbol: [unit, units, cent, cents]
_MONEY_SCALE = r"(?:(?P<scale>[KkMmBbTt]|bn|mn)|(?: (?P<word_scale>thousand|million|billion|trillion)))?"
_SCALES: dict[str, str] = _DATA["scales"]


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


_DENOMINATORS = {int(number): words for number, words in _DATA["denominators"].items()}
_MEASURED = set(_DATA["measured"])


def _say_fraction(match: re.Match[str], context: Context) -> list[str] | None:
    numerator, denominator = int(match["numerator"]), int(match["denominator"])
    if not 0 < numerator < denominator <= 16:
        return None  # "24/7", "10/20" are not fractions anyone says as such
    measured = bare(context.following).lower() in _MEASURED | set(_UNITS)
    if denominator not in (2, 3, 4, 8) and not measured:
        return None  # "9/11", "6/7", "5/12" are names and dates; "1/10 of", "3/16 inch" are fractions
    ordinal = _en(str(denominator), "ordinal")[-1]
    one, many = _DENOMINATORS.get(denominator, (ordinal, ordinal + "s"))
    return [*_en(str(numerator)), one if numerator == 1 else many]


_PHONE_CUES = set(_DATA["phone_cues"])


def _say_digits(match: re.Match[str], context: Context) -> list[str] | None:
    digits = re.sub(r"\D", "", match["phone"])
    if len(digits) == 7 and _PHONE_CUES.isdisjoint(context.recent):
        return None  # "125-1500 words" is a range: a bare 555-1234 is a phone number only near "call" and such
    return _digits(digits)  # phone numbers are read digit by digit


_NUMBERED = set(_DATA["numbered"])


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
    scale = _plural(number_words(10 ** (zeros - zeros % 3), "en").split()[-1])
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


_VERSION_CUES = set(_DATA["version_cues"])


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
    return [number_words(int(digit), "en") for digit in number]


def _say_year(match: re.Match[str], context: Context) -> list[str] | None:
    if context.previous not in _YEAR_CUES or not 1100 <= int(match["year"]) <= 2099:
        return None
    return _year(int(match["year"]))


def _say_number(match: re.Match[str], context: Context) -> list[str]:
    number = match["number"].replace(",", "")
    if context.another_way and number.isdigit() and 1100 <= int(number) <= 9999 and int(number) % 1000:
        return _year(int(number))  # the other way people say it: "twelve fifty", "fifteen hundred"
    return _en(match["number"])


_UNITS: dict[str, list[str]] = _DATA["units"]  # written: [singular, plural]
# Written apart from the number only when not a one-letter word: "5 m" may be a typo, "5 s" a list mark.
_SPACED_UNITS = [unit for unit in _UNITS if len(unit) > 1]


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_UNIT = rf"(?P<unit>{_alternation(list(_UNITS))})| (?P<spaced_unit>{_alternation(_SPACED_UNITS)})"


def _say_measure(match: re.Match[str], context: Context) -> list[str]:
    singular, plural = _UNITS[match["unit"] or match["spaced_unit"]]
    number = match["number"]
    return [*_en(number), *(singular if number in {"1", "1.0"} else plural).split()]


_ABBREVIATIONS: dict[str, str] = _DATA["abbreviations"]


def _say_abbreviation(match: re.Match[str], context: Context) -> list[str]:
    return _ABBREVIATIONS[match["abbreviation"]].split()


def _say_street_or_saint(match: re.Match[str], context: Context) -> list[str]:
    following = bare(context.following)
    return ["saint"] if following[:1].isupper() and match["tail"] == "" else ["street"]


def _say_initials(match: re.Match[str], context: Context) -> list[str]:
    return list(match["initials"].replace(".", ""))  # F.B.I. -> F B I


def _say_email(match: re.Match[str], context: Context) -> list[str]:
    return [*_say_address(match["user"]), "at", *_say_address(match["host"])]


_WEB_SUFFIXES = set(_DATA["web_suffixes"])


def _say_url(match: re.Match[str], context: Context) -> list[str] | None:
    host = match["host"]
    if not (match["scheme"] or match["www"]) and host.rsplit(".", 1)[-1].lower() not in _WEB_SUFFIXES:
        return None  # "e.g" and "3.5" look like host names too
    return [*(["W", "W", "W", "dot"] if match["www"] else []), *_say_address(host + (match["path"] or ""))]


_ADDRESS_MARKS: dict[str, str] = _DATA["address_marks"]


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
    symbols=_DATA["symbols"],
    prefixes=_DATA["prefixes"],
    numbers="en",
)
