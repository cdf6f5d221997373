"""The normalise stage: what the voice says for what the creator wrote. No Django needed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediakit.text.normalize import Token, language_code, normalize

SPOKEN = [
    # Cardinals, signs and decimals
    ("I have 3 cats.", "I have three cats."),
    ("1,234 people", "one thousand two hundred and thirty-four people"),
    ("It was -5 outside", "It was minus five outside"),
    ("+1 for that", "plus one for that"),
    ("pi is 3.14", "pi is three point one four"),
    ("Version 3.5 is out", "Version three point five is out"),
    ("0.05", "zero point zero five"),
    (
        "12345678901234567",
        "one two three four five six seven eight nine zero one two three four five six seven",
    ),
    # Ordinals
    ("He was 1st, she was 22nd", "He was first, she was twenty-second"),
    ("the 3rd time", "the third time"),
    ("the 101st floor", "the one hundred and first floor"),
    # Years and decades
    ("Born in 1999.", "Born in nineteen ninety-nine."),
    ("since 2024", "since twenty twenty-four"),
    ("by 2005,", "by two thousand and five,"),
    ("2024 people came", "two thousand and twenty-four people came"),
    ("The 1990s", "The nineteen nineties"),
    ("the '90s", "the nineties"),
    ("in the 2000s", "in the two thousands"),
    ("from 1990-1995", "from nineteen ninety to nineteen ninety-five"),
    # Percentages
    ("We grew 12.5% in Q3", "We grew twelve point five percent in Q three"),
    ("50% off", "fifty percent off"),
    ("up 12.5 % today", "up twelve point five percent today"),
    ("(50%)", "fifty percent"),
    # Currency
    ("It costs $5.50.", "It costs five dollars and fifty cents."),
    ("$1 only", "one dollar only"),
    ("$0.99", "ninety-nine cents"),
    ("$5 million", "five million dollars"),
    ("$1.2B in sales", "one point two billion dollars in sales"),
    ("€20", "twenty euros"),
    ("£3.01", "three pounds and one penny"),
    ("10€ each", "ten euros each"),
    ("$1,250.00", "one thousand two hundred and fifty dollars"),
    # Dates
    ("On 2024-03-15 we ship", "On March fifteenth twenty twenty-four we ship"),
    ("March 3rd, 2024 was fun", "March third twenty twenty-four was fun"),
    ("3/15/2024", "March fifteenth twenty twenty-four"),
    ("15/3/2024", "March fifteenth twenty twenty-four"),
    ("3 March 2024", "the third of March twenty twenty-four"),
    ("Jan. 5", "January fifth"),
    ("in March 2024", "in March twenty twenty-four"),
    # Times
    ("At 3:30 p.m. on 2024-03-15", "At three thirty P M on March fifteenth twenty twenty-four"),
    ("Meet at 3:30 pm", "Meet at three thirty P M"),
    ("Wake at 10am.", "Wake at ten A M."),
    ("at 14:05", "at fourteen oh five"),
    ("at 9:00", "at nine o'clock"),
    ("leaves at 330pm", "leaves at three thirty P M"),
    # Abbreviations
    ("Dr. Smith lives on Elm St.", "doctor Smith lives on Elm street."),
    ("Open Mon. to Fri., 9 a.m. to 5 p.m.", "Open Monday to Friday, nine A M to five P M."),
    ("We meet Tues. and Thurs.", "We meet Tuesday and Thursday."),
    ("The Sun. was bright", "The Sun. was bright"),
    ("Doors open at 9.30 am", "Doors open at nine thirty A M"),
    ("It rose 9.30 percent", "It rose nine point three zero percent"),
    ("St. Louis is big", "saint Louis is big"),
    ("Mr. and Mrs. Jones", "mister and missus Jones"),
    ("Ms. Lee", "miz Lee"),
    ("Acme Inc. and Foo Ltd. and Bar Co.", "Acme incorporated and Foo limited and Bar company."),
    ("cats vs. dogs", "cats versus dogs"),
    ("apples, pears, etc.", "apples, pears, et cetera."),
    ("fruit, e.g. apples", "fruit, for example apples"),
    ("one, i.e. the first", "one, that is the first"),
    ("the U.S. and the U.K.", "the U S and the U K."),
    # Units
    ("100 km/h", "one hundred kilometers per hour"),
    ("5km run", "five kilometers run"),
    ("1 km", "one kilometer"),
    ("it weighs 2 kg", "it weighs two kilograms"),
    ("60 mph", "sixty miles per hour"),
    ("20°C today", "twenty degrees Celsius today"),
    ("98.6 °F", "ninety-eight point six degrees Fahrenheit"),
    ("16GB of RAM", "sixteen gigabytes of RAM"),
    ("a 500 MB file", "a five hundred megabytes file"),
    ("in 250ms", "in two hundred and fifty milliseconds"),
    # Symbols
    ("R&D", "R and D"),
    ("Tom & Jerry", "Tom and Jerry"),
    ("#1 hit", "number one hit"),
    ("#omnivibe rocks", "hashtag omnivibe rocks"),
    ("2+2=4", "two plus two equals four"),
    ("~5 minutes", "about five minutes"),
    ("@home", "at home"),
    # URLs and e-mail
    (
        "Email jane.doe@example.com or visit https://omnivibe.io/docs",
        "Email jane dot doe at example dot com or visit omnivibe dot io slash docs",
    ),
    ("See example.com.", "See example dot com."),
    ("www.example.org", "W W W dot example dot org"),
    # Emoji are never read
    ("I ❤️ this 🎉", "I this"),
    ("Great job 👍🏽!", "Great job!"),
    ("🚀", ""),
    # Parentheses and quotes
    ('He said "hello" (twice)', "He said hello twice"),
    ("“Curly” quotes", "Curly quotes"),
    # Ranges
    ("5-10 minutes", "five to ten minutes"),
    ("pages 5\u201310", "pages five to ten"),  # en dash
    ("5-10%", "five to ten percent"),
    ("$5-$10", "five to ten dollars"),
    ("$5.50-$10", "five dollars and fifty cents to ten dollars"),
    ("5-10°C", "five to ten degrees Celsius"),
    ("5-10 km", "five to ten kilometers"),
    ("100-1000 words", "one hundred to one thousand words"),
    ("9am-5pm", "nine A M to five P M"),
    ("open 9-5pm", "open nine to five P M"),
    ("10:00-11:30", "ten o'clock to eleven thirty"),
    ("2020-21", "twenty twenty to twenty-one"),
    ("1999-00", "nineteen ninety-nine to two thousand"),
    ("Python 3.12 is out", "Python three point twelve is out"),
    ("update to v2.10.", "update to version two point ten."),
    ("Node 20.11.1", "Node twenty point eleven point one"),
    ("pi is 3.14159", "pi is three point one four one five nine"),
    ("ping 192.168.1.1", "ping one nine two dot one six eight dot one dot one"),
    ("Python 3.10-3.12", "Python three point one zero to three point one two"),
    ("2.50-3.00 kg", "two point five zero to three point zero zero kilograms"),
    ("the 1980-90s", "the nineteen eighties to nineties"),
    ("the 1980-1990s", "the nineteen eighties to nineteen nineties"),
    ("the 1990-00s", "the nineteen nineties to two thousands"),
    ("5-10s", "five to ten seconds"),
    ("$5-10 million", "five to ten million dollars"),
    ("$1.5-2B", "one point five to two billion dollars"),
    ("125-1500 words", "one hundred and twenty-five to one thousand five hundred words"),
    ("199-1299", "one hundred and ninety-nine to one thousand two hundred and ninety-nine"),
    # Approximations, fractions, plurals of numbers, eras
    ("~$5", "about five dollars"),
    (".5%", "point five percent"),
    ("$.99", "ninety-nine cents"),
    ("1/2", "one half"),
    ("3/4 cup", "three quarters cup"),
    ("2/3 of", "two thirds of"),
    ("24/7", "twenty-four seven"),
    ("5/8 inch", "five eighths inch"),
    ("after 9/11", "after nine eleven"),
    ("1/10 of a second", "one tenth of a second"),
    ("3/16 inch", "three sixteenths inch"),
    ("6/7 votes", "six seven votes"),
    ("due 5/12", "due five twelve"),
    ("1,000s of fans", "thousands of fans"),
    ("10,000s", "tens of thousands"),
    ("mid-1990s", "mid nineteen nineties"),
    ("pre-2020", "pre twenty twenty"),
    ("3rd-party", "third-party"),
    ("No. 1", "number one"),
    ("No.1 hit", "number one hit"),
    ("She said no. 3 days later", "She said no. three days later"),
    ("the No. 1-ranked team", "the number one ranked team"),
    ("Room no. 1234", "Room number one thousand two hundred and thirty-four"),
    ("No. 2024 was hard", "No. two thousand and twenty-four was hard"),
    # Phone numbers are read digit by digit
    ("call 555-1234", "call five five five one two three four"),
    ("Phone: 555-1234", "Phone: five five five one two three four"),
    ("Call us at 555-1234.", "Call us at five five five one two three four."),
    ("call 555-1234 or 555-5678", "call five five five one two three four or five five five five six seven eight"),
    ("(555) 123-4567", "five five five one two three four five six seven"),
    ("1-800-555-1234", "one eight zero zero five five five one two three four"),
    # Words are left alone
    ("It's twenty-one, isn't it?", "It's twenty-one, isn't it?"),
    ("Wait - what?", "Wait what?"),
    ("COVID-19 spread", "COVID nineteen spread"),
    ("NASA uses GPUs", "NASA uses GPUs"),
]


@pytest.mark.parametrize(("text", "spoken"), SPOKEN)
def test_it_says_what_is_written(text: str, spoken: str) -> None:
    assert normalize(text).spoken_text == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("NASA uses an API", "N A S A uses an A P I"),
        ("GPUs are fast", "G P U's are fast"),
        ("I am OK", "I am O K"),
        ("Tell GIANTS", "Tell GIANTS"),  # six letters: a shouted word, not an acronym
        ("Nasa", "Nasa"),
    ],
)
def test_it_spells_acronyms_when_asked(text: str, spoken: str) -> None:
    assert normalize(text, another_way=True).spoken_text == spoken


@pytest.mark.parametrize(
    ("text", "first", "again"),
    [
        ("We sold 1,250 units", "one thousand two hundred and fifty", "twelve fifty"),
        ("It costs 1500 credits", "one thousand five hundred", "fifteen hundred"),
        ("Only 3000 left", "three thousand", "three thousand"),  # whole thousands have one reading
        ("Just 250 left", "two hundred and fifty", "two hundred and fifty"),
        ("Pay $1,250 now", "one thousand two hundred and fifty dollars", "one thousand two hundred and fifty dollars"),
    ],
)
def test_a_retry_reads_four_digit_numbers_in_pairs(text: str, first: str, again: str) -> None:
    assert first in normalize(text).spoken_text
    assert again in normalize(text, another_way=True).spoken_text


def test_the_table_is_big_enough() -> None:
    assert len(SPOKEN) >= 60


def test_each_original_token_keeps_its_own_spoken_words() -> None:
    normalized = normalize("It costs $5 million 🎉.")
    assert normalized.tokens == (
        Token("It", ("It",)),
        Token("costs", ("costs",)),
        Token("$5", ("five", "million", "dollars")),
        Token("million", ()),
        Token("🎉.", (), "."),
    )
    assert normalized.spoken_text == "It costs five million dollars."
    assert normalized.original_text == "It costs $5 million 🎉."


def test_it_keeps_whitespace_tokens_one_to_one() -> None:
    text = "  March 3rd,\n2024   at 3:30\tpm  "
    normalized = normalize(text)
    assert [token.original for token in normalized.tokens] == text.split()
    assert normalized.tokens[0].spoken == ("March", "third", "twenty", "twenty-four")
    assert all(token.spoken == () for token in normalized.tokens[1:3])


def test_an_unknown_language_gets_only_light_cleanup() -> None:
    assert normalize("Hé 🎉 (ça) R&D!", "xx").spoken_text == "Hé ça R D!"
    assert normalize("Kosten: 5 Euro", "de").spoken_text == "Kosten: fünf Euro"
    assert normalize("5 ans", "fr-FR").spoken_text == "cinq ans"


@pytest.mark.parametrize(("tag", "code"), [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("de-DE", "de")])
def test_a_language_tag_gives_its_language(tag: str, code: str) -> None:
    assert language_code(tag) == code


def test_empty_text_has_no_tokens() -> None:
    assert normalize("   ").tokens == ()
    assert normalize("").spoken_text == ""


@given(st.text())
def test_any_text_round_trips_its_originals(text: str) -> None:
    for language in ("en", "de", "xx"):
        normalized = normalize(text, language, another_way=True)
        assert normalized.original_text == " ".join(text.split())
        assert all(word and not word.isspace() for token in normalized.tokens for word in token.spoken)


@given(st.from_regex(r"[$€~#]?[\d.,/:%-]{1,14}(s|%|km|am| million)?", fullmatch=True))
def test_any_numberish_token_is_read_without_error(text: str) -> None:
    # "3.10-3.12", "9/11", "1980-90s": every mix of digits and signs a script may hold must be speakable.
    assert normalize(f"in {text} words").original_text == f"in {text} words"


def test_a_superscript_digit_is_no_number_to_read() -> None:
    assert normalize("5²@a.io").spoken_text.endswith(" at a dot io")  # "²" is a digit that int() cannot read


_SCRIPTISH = st.lists(
    st.sampled_from(
        ["$5", "million", "3:30", "pm", "March", "3rd,", "2024", "in", "1999.", "Dr.", "St.", "5-10", "12.5",
         "%", "🎉", "(hi)", "U.S.", "e.g.", "km/h", "100", "R&D", "#1", "a.m.", "jo@x.io", "-", "NASA", "~$5",
         "$5-$10", "No.", "1", "1/2", "555-1234", "3.10-3.12", "9/11", "1980-90s", "9am-5pm", "9-5", "mid-1990s",
         "1,000s", "3rd-party", ".5%"]
    )
    | st.text(max_size=6),
    max_size=12,
).map(" ".join)  # fmt: skip


@given(_SCRIPTISH)
def test_scripts_round_trip_their_originals(text: str) -> None:
    normalized = normalize(text)
    assert [token.original for token in normalized.tokens] == text.split()
