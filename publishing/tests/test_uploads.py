"""Reading a series upload: every bad row named by its number, the upload refused only when it cannot be read."""

import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publishing.uploads import UploadRefused, read_csv, read_file, read_json

LIMITS = {"max_rows": 50, "max_script_chars": 2000}


def csv_rows(text: str, **limits):
    return read_csv(text.encode(), **{**LIMITS, **limits})


def errors(rows) -> dict[int, str]:
    return {row.number: row.error for row in rows if row.error}


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_blank_lines_are_skipped():
    rows = csv_rows("topic,title\nTea,Why tea\n\nCoffee,\n")
    assert [(row.number, row.topic, row.title) for row in rows] == [(2, "Tea", "Why tea"), (4, "Coffee", "")]


def test_a_script_cell_over_several_lines_keeps_the_next_rows_number():
    rows = csv_rows('title,script\nOne,"Host: Hello.\nGuest: Hi."\nTwo,Host: Bye.\n')
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].script == "Host: Hello.\nGuest: Hi."


def test_a_spreadsheets_export_with_a_byte_order_mark_and_semicolons_is_read():
    rows = read_csv('\ufefftopic;tags;voices\nTea;tea, history;"Host=Ana; Guest=Ben"\n'.encode(), **LIMITS)
    assert rows[0].topic == "Tea"
    assert rows[0].tags == ["tea", "history"]


def test_voices_and_tags_and_flags_are_typed():
    rows = csv_rows('topic,tags,voices,ai_disclosure\nTea,"#tea; history ,tea","Host=Ana; Guest = Ben",no\n')
    assert rows[0].tags == ["tea", "history"]
    assert rows[0].voices == {"Host": "Ana", "Guest": "Ben"}
    assert rows[0].ai_disclosure is False


def test_publish_times_keep_their_offset_and_a_time_without_one_is_utc():
    rows = csv_rows("topic,publish_at\nA,2026-12-24T17:00:00+01:00\nB,2026-12-24 17:00\n")
    assert rows[0].publish_at == datetime(2026, 12, 24, 17, tzinfo=timezone(timedelta(hours=1)))
    assert rows[1].publish_at == datetime(2026, 12, 24, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",Only a title", "give a topic or a script"),
        ('"=HYPERLINK(""http://evil.example"",""x"")",T', "topic: looks like a spreadsheet formula"),
        ("Tea,@SUM(A1:A2)", "title: looks like a spreadsheet formula"),
        ("Tea,+cmd|' /C calc'!A0", "title: looks like a spreadsheet formula"),
        ("Tea,T,,,,nope", "publish_at: use a date and time"),
        ("Tea,T,,,,0001-01-01T00:00:00+01:00", "publish_at: a date between the years 1 and 9999"),
        ("Tea,T,,,xx_123", "language: use a language tag"),
        ("Tea,T,Host Ana", "voices: write speaker=voice pairs"),
        ("Tea,T,,Just words without a speaker", "script: line 1"),
        ("Tea,T,,Host: [[Hook]]", "script: write the [[…]] part(s) first"),
        ("Tea,T,,,,,maybe", "ai_disclosure: yes or no"),
        ("x" * 201 + ",T", "topic: at most 200 characters"),
        ("Tea,T,,,,,,extra", "it has 8 cells and the header 7 columns"),
    ],
)
def test_a_bad_row_is_reported_by_number_and_the_good_ones_go_on(row, message):
    header = "topic,title,voices,script,language,publish_at,ai_disclosure"
    rows = csv_rows(f"{header}\nGood,Fine\n{row}\nAlso good,Fine\n")
    assert [row.number for row in rows if not row.error] == [2, 4]
    assert errors(rows)[3].startswith(message), errors(rows)[3]


def test_plain_text_that_starts_with_a_dash_or_plus_is_not_a_formula():
    rows = csv_rows("topic,title\n- five tips,+1 idea\n")
    assert not rows[0].error and rows[0].title == "+1 idea"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("topic\n".encode("utf-16"), "The file is not UTF-8 text"),
        (b"topic,title\nCaf\xe9,x\n", "The file is not UTF-8 text (byte 16)"),
        (b"topic\x00,title\n", "The file contains NUL characters"),
        (b"topc,title\nTea,x\n", "Unknown column 'topc'"),
        (b"topic,topic\nTea,x\n", "The column 'topic' appears twice"),
        (b"title,description\nT,D\n", "The header needs a topic or a script column"),
        (b"topic\n" + b"Tea\n" * 51, "The file has more than 50 rows"),
        (b"topic,title\n\n", "The file has a header but no rows"),
    ],
)
def test_an_upload_that_cannot_be_read_is_refused_as_a_whole(data, message):
    with pytest.raises(UploadRefused) as refused:
        read_csv(data, **LIMITS)
    assert str(refused.value).startswith(message), str(refused.value)


def test_a_field_larger_than_the_csv_modules_limit_is_refused_naming_the_line():
    with pytest.raises(UploadRefused, match="Line 2 cannot be read as CSV"):
        csv_rows('topic\n"' + "x" * 200_000 + '"\n')


def test_json_rows_name_unknown_fields_and_wrong_types_per_row():
    items = [{"topic": "Tea"}, {"topic": "Tea", "colour": "red"}, ["topic"], {"topic": 5}, {"topic": "A\x00"}]
    rows = read_json(json.dumps({"rows": items}).encode(), **LIMITS)
    assert errors(rows) == {
        2: "unknown field 'colour'; use topic, script, title, description, tags, language, voices, publish_at, "
        "ai_disclosure",
        3: "a row must be an object with topic or script, title, …",
        4: "topic: must be text",
        5: "topic: contains a NUL character",
    }


def test_files_are_told_apart_by_content_not_name_and_size_is_capped():
    as_json = SimpleUploadedFile("rows.csv", b' [{"topic": "Tea"}]')
    assert read_file(as_json, max_bytes=100, **LIMITS)[0].topic == "Tea"
    with pytest.raises(UploadRefused, match="larger than 100 bytes, the limit"):
        read_file(SimpleUploadedFile("rows.csv", b"topic\n" + b"x" * 200), max_bytes=100, **LIMITS)
    with pytest.raises(UploadRefused, match="The file is empty"):
        read_file(SimpleUploadedFile("rows.csv", b" \n"), max_bytes=100, **LIMITS)
    unsized = io.BytesIO(b"topic\n" + b"x" * 200)
    unsized.size = None
    with pytest.raises(UploadRefused, match="larger than 100 bytes"):
        read_file(unsized, max_bytes=100, **LIMITS)
