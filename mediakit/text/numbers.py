"""Numbers in words, shared by the rules of every language that num2words speaks."""

from num2words import num2words

_LONGEST_NUMBER = 15  # longer digit runs (ids, phone numbers) are read digit by digit
_SIGNS = {"en": {"-": "minus", "\u2212": "minus", "+": "plus"}}
_POINT = {"en": "point"}


def say_number(digits: str, language: str = "en", to: str = "cardinal") -> list[str]:
    """'-1,234.50' -> minus one thousand two hundred and thirty-four point five zero (digit by digit)."""
    digits = digits.replace(",", "")
    sign: list[str] = []
    if digits[:1] in "+-\u2212":
        sign = [_SIGNS.get(language, {}).get(digits[0], digits[0])]
        digits = digits[1:]
    whole, _, fraction = digits.partition(".")
    if len(whole) > _LONGEST_NUMBER:
        return sign + [number_words(int(digit), language) for digit in whole]
    words = sign + (number_words(int(whole), language, to).split() if whole else [])  # ".5" is "point five"
    if fraction:
        words += [_POINT.get(language, "point")] + [number_words(int(digit), language) for digit in fraction]
    return words


def number_words(number: int, language: str, to: str = "cardinal") -> str:
    try:
        spoken = num2words(number, lang=language, to=to)
    except NotImplementedError:  # a converter that lacks ordinals or years still has cardinals
        spoken = num2words(number, lang=language)
    except OverflowError:  # some languages stop below a quadrillion
        spoken = " ".join(num2words(int(digit), lang=language) for digit in str(number))
    return spoken.replace(",", "")
