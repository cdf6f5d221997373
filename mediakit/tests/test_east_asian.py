"""Korean and Japanese normalisation: numbers, dates, currency and units said in the language."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediakit.text.lexicon import Lexicon
from mediakit.text.normalize import normalize

# Numerals as num2words writes them, to read a spoken number back: digits, the units within a group of four,
# and the groups' own units.
DIGITS = {"ja": "零一二三四五六七八九", "ko": "영일이삼사오육칠팔구"}
SMALL = {"ja": {"十": 10, "百": 100, "千": 1000}, "ko": {"십": 10, "백": 100, "천": 1000}}
LARGE = {"ja": {"万": 10**4, "億": 10**8, "兆": 10**12}, "ko": {"만": 10**4, "억": 10**8, "조": 10**12}}


def value_of(spoken: str, language: str) -> int:
    """The number a Sino-Korean or kanji numeral says (the reverse of what the normaliser writes)."""
    total = group = digit = 0
    for char in spoken.replace(" ", ""):
        if char in DIGITS[language]:
            digit = DIGITS[language].index(char)
        elif char in SMALL[language]:
            group, digit = group + (digit or 1) * SMALL[language][char], 0
        else:
            total, group, digit = total + ((group + digit) or 1) * LARGE[language][char], 0, 0
    return total + group + digit


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15 - 1), st.sampled_from(["ko", "ja"]), st.booleans())
def test_every_number_is_said_as_itself(number, language, grouped):
    written = f"{number:,}" if grouped else str(number)
    assert value_of(normalize(written, language).spoken_text, language) == number


WORDS = st.sampled_from(["今日は", "価格", "です", "。", "、", "가격은", "입니다", "주세요", " ", "😀"])
NUMBERS = st.one_of(
    st.integers(0, 10**9).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n:,}"),
    st.floats(0, 1000, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)).map(
        lambda d: f"{d[0]}-{d[1]:02}-{d[2]:02}"
    ),
    st.builds(lambda hour, minute: f"{hour}:{minute:02}", st.integers(0, 23), st.integers(0, 59)),
    st.builds(lambda symbol, n: f"{symbol}{n:,}", st.sampled_from("$€£¥₩"), st.integers(0, 10**6)),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(0, 1000), st.sampled_from(["%", "km", "kg", "℃", "개", "명"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, NUMBERS), min_size=1, max_size=12), st.sampled_from(["ko", "ja"]))
def test_no_digit_or_symbol_is_left_to_the_voice_and_captions_keep_the_text(pieces, language):
    text = "".join(pieces)
    normalized = normalize(text, language)
    assert not re.search(r"[0-9$€£¥₩%😀]", normalized.spoken_text), (text, normalized.spoken_text)
    assert normalized.original_text == " ".join(text.split())


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2024-03-05に", "二千二十四年三月五日に"),
        ("2024年3月5日", "二千二十四年三月五日"),
        ("価格は¥1,500です。", "価格は千五百円です。"),
        ("1,500円", "千五百円"),
        ("$5.50", "五ドル五十セント"),
        ("割引は25%", "割引は二十五パーセント"),
        ("気温は-3.5℃", "気温はマイナス三点五度"),
        ("12kmと3kg", "十二キロメートルと三キログラム"),
        ("9:30に3人", "九時三十分に三人"),
        ("3-5日", "三から五日"),
        ("\uff11\uff12\uff13", "百二十三"),  # full-width digits,
    ],
)
def test_japanese(written, said):
    assert normalize(written, "ja").spoken_text == said


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("가격은 1,500원입니다.", "가격은 천오백원입니다."),
        ("2024년 6월 3일", "이천이십사년 유월 삼일"),
        ("10월", "시월"),
        ("2024-10-09", "이천이십사년 시월 구일"),
        ("사과 3개", "사과 세 개"),
        ("20살 친구 2명", "스무 살 친구 두 명"),
        ("1번째", "첫 번째"),
        ("10시 30분", "열 시 삼십분"),
        ("3:05에", "세 시 오 분에"),
        ("$5.50", "오 달러 오십 센트"),
        ("₩10,000", "만 원"),
        ("50%", "오십 퍼센트"),
        ("5km", "오 킬로미터"),
        ("-5도", "마이너스 오도"),
        ("3~5일", "삼에서 오일"),
        ("100개", "백 개"),
    ],
)
def test_korean(written, said):
    assert normalize(written, "ko").spoken_text == said


def test_the_pronunciation_dictionary_is_said_wherever_its_words_are_written():
    lexicon = Lexicon.of([("Acme", "アクミー"), ("OmniVibe", "옴니바이브"), ("ph", "[[ fi ]]")])
    japanese = normalize("Acmeは3人、Acmesは別。ACMEです", "ja", lexicon=lexicon)
    assert japanese.spoken_text == "アクミーは三人、Acmesは別。アクミーです"  # not inside another Latin word
    assert japanese.original_text == "Acmeは3人、Acmesは別。ACMEです"  # captions show what was written
    assert normalize("OmniVibe는 3개 phone", "ko", lexicon=lexicon).spoken_text == "옴니바이브는 세 개 phone"
