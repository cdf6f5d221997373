import pytest

from mediakit.text.script import Block, ScriptError, parse_json, parse_text, speakers_in_order, to_text


def test_it_parses_speakers_pauses_and_continuation_lines():
    blocks = parse_text(
        "Host: Welcome back to the show.\n"
        "Guest: Thanks for having me.\n"
        "It is great to be here.\n"
        "[pause 1.5s]\n"
        "\n"
        "# a comment\n"
        "Host: Let's start.\n"
    )
    assert blocks == [
        Block("Host", "Welcome back to the show.", 0.0, line=1),
        Block("Guest", "Thanks for having me. It is great to be here.", 1.5, line=2),
        Block("Host", "Let's start.", 0.0, line=7),
    ]


@pytest.mark.parametrize(
    ("directive", "seconds"),
    [
        ("[pause]", 0.5),
        ("[pause 2s]", 2.0),
        ("[Pause 250ms]", 0.25),
        ("[pause 1.5 seconds]", 1.5),
        ("[pause 3]", 3.0),
    ],
)
def test_it_reads_pause_lengths(directive, seconds):
    assert parse_text(f"Host: Hi.\n{directive}")[0].pause_after == seconds


def test_consecutive_pauses_add_up():
    assert parse_text("Host: Hi.\n[pause 1s]\n[pause 0.5s]")[0].pause_after == 1.5


def test_a_speaker_may_have_spaces_and_colons_later_in_the_text():
    (block,) = parse_text("Dr Jane Smith: The ratio is 3:1, as planned.")
    assert (block.speaker, block.text) == ("Dr Jane Smith", "The ratio is 3:1, as planned.")


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("Hello there.", 1, "start the script with a speaker"),
        ("Host: Hi.\n[pause forever]", 2, "cannot read the pause length"),
        ("Host: Hi.\n\n[pause 99s]", 3, "at most 10 s"),
        ("[pause 1s]\nHost: Hi.", 1, "must come after a spoken line"),
        ("Host: Hi.\nGuest:", 2, "Guest has nothing to say"),
        ("Host: Hi.\n[music on]", 2, "unknown directive"),
        ("Host: Hi.\nGuest: 🎉🎉 !!", 2, "Guest has no words or numbers to say"),
        ("Host: 🚀\n\u2026 \U0001f44d", 1, "Host has no words or numbers to say"),  # continued, still nothing
    ],
)
def test_errors_name_the_line(source, line, fragment):
    with pytest.raises(ScriptError) as caught:
        parse_text(source)
    assert any(number == line and fragment in message for number, message in caught.value.errors), caught.value.errors
    assert f"line {line}" in str(caught.value)


def test_it_reports_every_bad_line_at_once():
    with pytest.raises(ScriptError) as caught:
        parse_text("oops\nHost: Hi.\n[pause x]\nGuest:")
    assert [line for line, _ in caught.value.errors] == [1, 3, 4]


@pytest.mark.parametrize("source", ["", "   \n\n", "# only a comment"])
def test_an_empty_script_is_refused(source):
    with pytest.raises(ScriptError, match="empty"):
        parse_text(source)


def test_an_overlong_script_is_refused():
    with pytest.raises(ScriptError, match="limit is 100"):
        parse_text("Host: " + "word " * 50, max_chars=100)


def test_json_and_text_formats_give_the_same_blocks():
    from_json = parse_json(
        {
            "title": "t",
            "blocks": [
                {"speaker": "Host", "text": "Hi.", "pause_after": 1},
                {"speaker": "Guest", "text": "Yo."},
            ],
        }
    )
    from_text = parse_text("Host: Hi.\n[pause 1s]\nGuest: Yo.")
    assert [(b.speaker, b.text, b.pause_after) for b in from_json] == [
        (b.speaker, b.text, b.pause_after) for b in from_text
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "expected an object"),
        ({"blocks": []}, "no blocks"),
        ({"blocks": ["hi"]}, "block 1: expected an object"),
        ({"blocks": [{"text": "Hi."}]}, "block 1: speaker is required"),
        ({"blocks": [{"speaker": "Host", "text": ""}]}, "block 1: text is required"),
        (
            {"blocks": [{"speaker": "Host", "text": "Hi."}, {"speaker": "G", "text": "🎉"}]},
            "block 2: the text has no words",
        ),
        ({"blocks": [{"speaker": "Host", "text": "Hi.", "pause_after": "long"}]}, "block 1: pause_after"),
        ({"blocks": [{"speaker": "Host", "text": "Hi.", "pause_after": 60}]}, "block 1: pause_after"),
    ],
)
def test_json_errors_name_the_block(data, fragment):
    with pytest.raises(ScriptError, match=fragment):
        parse_json(data)


def test_speakers_come_in_order_of_first_appearance():
    blocks = parse_text("B: one\nA: two\nB: three")
    assert speakers_in_order(blocks) == ["B", "A"]


def test_json_blocks_written_as_text_read_back_the_same():
    blocks = parse_json(
        {
            "blocks": [
                {"speaker": "Host", "text": "Hi there,\n  friends.", "pause_after": 1.25},
                {"speaker": "Dr Who", "text": "Time: 5pm."},
            ]
        }
    )
    text = to_text(blocks)
    assert text == "Host: Hi there, friends.\n[pause 1.25s]\nDr Who: Time: 5pm."
    assert [(b.speaker, b.text, b.pause_after) for b in parse_text(text)] == [
        ("Host", "Hi there, friends.", 1.25),
        ("Dr Who", "Time: 5pm.", 0.0),
    ]


@pytest.mark.parametrize("speaker", ["Ho:st", "[Host]", "#host"])
def test_a_speaker_the_text_format_cannot_hold_is_an_error_naming_the_block(speaker):
    blocks = [Block(speaker="Host", text="Hi."), Block(speaker=speaker, text="Hello.")]
    with pytest.raises(ScriptError, match="block 2: the speaker"):
        to_text(blocks)
