"""A series upload read into rows: CSV (a spreadsheet's export) or JSON, both hostile until checked.

The upload as a whole is refused (`UploadRefused`, nothing created) when it cannot be read at all: too big, not
UTF-8, not CSV or JSON, an unknown column, too many rows. Otherwise each row is checked on its own: a bad one is
reported by its number (a CSV's spreadsheet row, the header being row 1; a JSON item from 1) and the good ones
go on.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mediakit.text.outline import unfilled_parts
from mediakit.text.script import ScriptError, parse_text, speakers_in_order

COLUMNS = ("topic", "script", "title", "description", "tags", "language", "voices", "publish_at", "ai_disclosure")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# A spreadsheet formula exported as its text (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`): never what a video
# should be called; the creator exports values instead. A plain "- tip" or "+1 idea" is text and passes.
FORMULA = re.compile(r"^\s*(=|[@+\-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(|!])")
MAX_TOPIC, MAX_TITLE, MAX_DESCRIPTION = 200, 200, 5000  # YouTube takes 5000 characters of description
MAX_TAGS, MAX_TAG = 30, 100
MAX_SPEAKERS = 20
TRUE, FALSE = {"1", "true", "yes", "y", "on"}, {"0", "false", "no", "n", "off"}


class UploadRefused(ValueError):
    """The upload cannot be read as rows at all; the message is for the creator."""


@dataclass
class RowInput:
    """One row, checked: `error` empty when it can go on."""

    number: int
    topic: str = ""
    script: str = ""
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    language: str = ""
    voices: dict[str, str] = field(default_factory=dict)
    publish_at: datetime | None = None
    ai_disclosure: bool = True
    error: str = ""


def read_csv(data: bytes, *, max_rows: int, max_script_chars: int) -> list[RowInput]:
    """Rows of a CSV upload (UTF-8, with or without a byte-order mark; comma, semicolon or tab separated)."""
    text = _decode(data)
    # The header names hold no separator, so its line tells which one the export used (Sniffer guesses from
    # the cells and is fooled by commas inside them).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda sign: (first_line.count(sign), sign == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise UploadRefused("The file is empty: put a header row (topic, title, …) and one row per video.")
        names = _columns(header)
        records = []
        for number, cells in enumerate(reader, start=2):  # the header is the spreadsheet's row 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(records) == max_rows:
                raise UploadRefused(f"The file has more than {max_rows} rows; split it into several series.")
            records.append((number, cells))
    except csv.Error as error:
        raise UploadRefused(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    if not records:
        raise UploadRefused("The file has a header but no rows: one row per video.")
    rows = []
    for number, cells in records:
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            rows.append(RowInput(number, error=f"it has {len(cells)} cells and the header {len(names)} columns"))
            continue
        rows.append(check_row(number, dict(zip(names, cells, strict=False)), max_script_chars=max_script_chars))
    return rows


def read_json_rows(items: Any, *, max_rows: int, max_script_chars: int) -> list[RowInput]:
    """Rows of a JSON upload: a list of objects with the CSV's columns (tags a list, voices an object)."""
    if not isinstance(items, list) or not items:
        raise UploadRefused("rows must be a non-empty list of objects, one per video.")
    if len(items) > max_rows:
        raise UploadRefused(f"There are more than {max_rows} rows; split them into several series.")
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(RowInput(number, error="a row must be an object with topic or script, title, …"))
        elif unknown := sorted(str(name)[:40] for name in item if name not in COLUMNS):
            rows.append(RowInput(number, error=f"unknown field {unknown[0]!r}; use {', '.join(COLUMNS)}"))
        else:
            rows.append(check_row(number, item, max_script_chars=max_script_chars))
    return rows


def read_json(data: bytes, *, max_rows: int, max_script_chars: int) -> list[RowInput]:
    """A JSON file: a list of rows, or an object with `rows`."""
    try:
        items = json.loads(_decode(data))
    except (json.JSONDecodeError, RecursionError) as error:
        raise UploadRefused(f"The file is not valid JSON: {error}.") from None
    if isinstance(items, dict):
        items = items.get("rows")
    return read_json_rows(items, max_rows=max_rows, max_script_chars=max_script_chars)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused(
            f"The file is not UTF-8 text (byte {error.start + 1}); export it from your spreadsheet as CSV UTF-8."
        ) from None
    if "\x00" in text:  # a binary file, or UTF-16; PostgreSQL refuses NUL in text anyway
        raise UploadRefused("The file contains NUL characters: it is not a CSV or JSON text file (UTF-16?).")
    return text


def _columns(header: list[str]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    if unknown := [name for name in names if name and name not in COLUMNS]:
        raise UploadRefused(f"Unknown column {unknown[0][:40]!r}. Columns: {', '.join(COLUMNS)}.")
    seen = set()
    for name in names:
        if name and name in seen:
            raise UploadRefused(f"The column {name!r} appears twice.")
        seen.add(name)
    if not {"topic", "script"} & seen:
        raise UploadRefused("The header needs a topic or a script column (or both).")
    return names


def check_row(number: int, values: dict[str, Any], *, max_script_chars: int) -> RowInput:
    """One row's values checked and typed; a refusal is the row's `error`, naming the column."""
    row = RowInput(number)
    try:
        text = {name: _text(name, values.get(name)) for name in COLUMNS if name not in ("tags", "voices")}
        row.topic, row.script = " ".join(text["topic"].split()), text["script"].strip()
        row.title, row.description = " ".join(text["title"].split()), text["description"].strip()
        row.language = text["language"].strip()
        if not row.topic and not row.script:
            raise _Bad("give a topic or a script")
        _limit("topic", row.topic, MAX_TOPIC)
        _limit("title", row.title, MAX_TITLE)
        _limit("description", row.description, MAX_DESCRIPTION)
        if row.language and not LANGUAGE_TAG.match(row.language):
            raise _Bad("language: use a language tag like 'en' or 'de-DE'")
        row.tags = _tags(values.get("tags"))
        row.voices = _voices(values.get("voices"))
        row.publish_at = _publish_at(text["publish_at"])
        row.ai_disclosure = _flag(text["ai_disclosure"])
        if row.script:
            _check_script(row.script, max_script_chars)
    except _Bad as bad:
        # Keep what identifies the row for the report, cut to the columns' sizes.
        return RowInput(number, topic=_plain(values.get("topic"), MAX_TOPIC), title=_plain(values.get("title"), 200),
                        error=str(bad))  # fmt: skip
    return row


class _Bad(ValueError):
    pass


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) and name == "ai_disclosure":
        return "true" if value else "false"
    if not isinstance(value, str):
        raise _Bad(f"{name}: must be text")
    if "\x00" in value:
        raise _Bad(f"{name}: contains a NUL character")
    if FORMULA.match(value):
        raise _Bad(f"{name}: looks like a spreadsheet formula ({value[:20]!r}…); export the values, not formulas")
    return value


def _limit(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise _Bad(f"{name}: at most {limit} characters (this one has {len(value)})")


def _plain(value: Any, limit: int) -> str:
    return " ".join(value.replace("\x00", "").split())[:limit] if isinstance(value, str) else ""


def _tags(value: Any) -> list[str]:
    """A list (JSON) or one cell of tags separated by commas or semicolons (CSV)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = re.split(r"[,;]", _text("tags", value))
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = [_text("tags", item) for item in value]
    else:
        raise _Bad("tags: a list of words, or one cell separated by commas")
    tags = [" ".join(tag.split()).lstrip("#") for tag in items]
    tags = list(dict.fromkeys(tag for tag in tags if tag))
    if len(tags) > MAX_TAGS:
        raise _Bad(f"tags: at most {MAX_TAGS} (this row has {len(tags)})")
    if long := next((tag for tag in tags if len(tag) > MAX_TAG), None):
        raise _Bad(f"tags: each at most {MAX_TAG} characters ({long[:20]!r}… is longer)")
    return tags


def _voices(value: Any) -> dict[str, str]:
    """Speaker -> voice name: an object (JSON) or one cell `Host=Ana; Guest=Ben` (CSV)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        pairs = []
        for part in _text("voices", value).split(";"):
            if not part.strip():
                continue
            speaker, sign, voice = part.partition("=")
            if not sign:
                raise _Bad("voices: write speaker=voice pairs separated by semicolons (Host=Ana; Guest=Ben)")
            pairs.append((speaker, voice))
    elif isinstance(value, dict) and all(isinstance(item, str) for pair in value.items() for item in pair):
        pairs = [(_text("voices", speaker), _text("voices", voice)) for speaker, voice in value.items()]
    else:
        raise _Bad("voices: an object of speaker to voice name")
    voices = {" ".join(speaker.split()): " ".join(voice.split()) for speaker, voice in pairs}
    if any(not speaker or not voice or len(speaker) > 100 or len(voice) > 100 for speaker, voice in voices.items()):
        raise _Bad("voices: each speaker and voice name is 1 to 100 characters")
    if len(voices) > MAX_SPEAKERS:
        raise _Bad(f"voices: at most {MAX_SPEAKERS} speakers")
    return voices


def _publish_at(value: str) -> datetime | None:
    """ISO 8601 with a time zone offset (2026-12-24T17:00:00+01:00); one without an offset is UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    if when is None:
        raise _Bad("publish_at: use a date and time like 2026-12-24T17:00:00+01:00")
    try:  # in UTC, as stored: 0001-01-01T00:00+01:00 would fall out of the calendar
        return (when if timezone.is_aware(when) else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        raise _Bad("publish_at: a date between the years 1 and 9999") from None


def _flag(value: str) -> bool:
    value = value.strip().lower()
    if not value:
        return True
    if value not in TRUE | FALSE:
        raise _Bad("ai_disclosure: yes or no")
    return value in TRUE


def _check_script(body: str, max_chars: int) -> None:
    try:
        blocks = parse_text(body, max_chars=max_chars)
    except ScriptError as error:
        line, message = error.errors[0]
        raise _Bad(f"script: line {line}: {message}" if line else f"script: {message}") from None
    if unfilled := unfilled_parts(body):
        raise _Bad(f"script: write the [[…]] part(s) first, starting with “{unfilled[0]}”")
    if len(speakers_in_order(blocks)) > MAX_SPEAKERS:
        raise _Bad(f"script: at most {MAX_SPEAKERS} speakers")


def read_file(upload: Any, *, max_bytes: int, max_rows: int, max_script_chars: int) -> list[RowInput]:
    """Rows of an uploaded file, CSV or JSON told apart by its content (never by the client's file name)."""
    too_big = UploadRefused(f"The file is larger than {_size(max_bytes)}, the limit; split it into several series.")
    if upload.size is not None and upload.size > max_bytes:
        raise too_big
    data = upload.read(max_bytes + 1)  # the size a client claims is not trusted either
    if len(data) > max_bytes:
        raise too_big
    if not data.strip():
        raise UploadRefused("The file is empty: put a header row (topic, title, …) and one row per video.")
    reader = read_json if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{") else read_csv
    return reader(data, max_rows=max_rows, max_script_chars=max_script_chars)


def _size(count: int) -> str:
    return f"{count // 1024} KB" if count >= 1024 else f"{count} bytes"
