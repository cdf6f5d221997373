"""The script formats, parsed to blocks: the text creators type (README.md, "Script format") and the API's JSON.

Text format (what a creator types)::

    Host: Welcome back to the show.
    Guest: Thanks for having me.
    [pause 1.5s]

A line without a `Speaker:` prefix continues the previous block. Errors name the line.
"""

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from mediakit.text.normalize import has_speech

MAX_PAUSE_SECONDS = 10.0
MAX_SPEAKER_LENGTH = 80
MAX_BLOCKS = 500

_SPEAKER_LINE = re.compile(r"^(?P<speaker>[^:\[\]]{1,80}?)\s*:\s*(?P<text>.*)$")
_PAUSE_LINE = re.compile(r"^\[\s*pause\b(?P<arg>[^\]]*)\]$", re.IGNORECASE)
_PAUSE_ARG = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|sec|secs|seconds?)?\s*$", re.I)
_WRITABLE_SPEAKER = re.compile(r"[^:\[\]#\s][^:\[\]]{0,79}")  # what _SPEAKER_LINE reads back as the same name
DEFAULT_PAUSE = 0.5
_NOTHING_TO_READ = "has no words or numbers to say (emoji and punctuation alone are not read)"


@dataclass(frozen=True)
class Block:
    """One speaker saying one passage, with an optional pause after it."""

    speaker: str
    text: str
    pause_after: float = 0.0
    line: int = 0  # where it starts in the source text (0 for JSON input)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Block":
        return cls(
            speaker=data["speaker"],
            text=data["text"],
            pause_after=float(data.get("pause_after", 0.0)),
            line=int(data.get("line", 0)),
        )


class ScriptError(ValueError):
    """A script that cannot be rendered; `errors` lists (line, message), line 0 meaning 'the script'."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(_describe(line, message) for line, message in errors))


def _describe(line: int, message: str) -> str:
    return f"line {line}: {message}" if line else message


def parse_text(source: str, max_chars: int = 20000) -> list[Block]:
    if len(source) > max_chars:
        raise ScriptError([(0, f"the script is {len(source)} characters long; the limit is {max_chars}")])
    errors: list[tuple[int, str]] = []
    blocks: list[dict[str, Any]] = []
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pause = _PAUSE_LINE.match(line)
        if pause:
            seconds = _parse_pause(pause.group("arg"), number, errors)
            if seconds is None:
                continue
            if not blocks:
                errors.append((number, "a pause must come after a spoken line"))
                continue
            blocks[-1]["pause_after"] = round(blocks[-1]["pause_after"] + seconds, 3)
            continue
        if line.startswith("["):
            errors.append((number, f"unknown directive {line!r}; did you mean [pause 1s]?"))
            continue
        spoken = _SPEAKER_LINE.match(line)
        if spoken:
            speaker, text = spoken.group("speaker").strip(), spoken.group("text").strip()
            if not text:
                errors.append((number, f"{speaker} has nothing to say"))
                continue
            blocks.append({"speaker": speaker, "text": text, "pause_after": 0.0, "line": number})
        elif blocks:
            blocks[-1]["text"] += " " + line
        else:
            errors.append((number, "start the script with a speaker, like 'Host: Hello there.'"))
    for block in blocks:
        if not has_speech(block["text"]):
            errors.append((block["line"], f"{block['speaker']} {_NOTHING_TO_READ}"))
    errors.sort(key=lambda error: error[0] or math.inf)  # by line; errors about the whole script last
    if not blocks and not errors:
        errors.append((0, "the script is empty; write lines like 'Host: Hello there.'"))
    if len(blocks) > MAX_BLOCKS:
        errors.append((0, f"the script has {len(blocks)} blocks; the limit is {MAX_BLOCKS}"))
    if errors:
        raise ScriptError(errors)
    return [Block(**block) for block in blocks]


def _parse_pause(arg: str, number: int, errors: list[tuple[int, str]]) -> float | None:
    if not arg.strip():
        return DEFAULT_PAUSE
    match = _PAUSE_ARG.match(arg)
    if not match:
        errors.append((number, f"cannot read the pause length {arg.strip()!r}; write it like [pause 1.5s]"))
        return None
    seconds = float(match.group("value"))
    if (match.group("unit") or "s").lower() == "ms":
        seconds /= 1000
    if seconds > MAX_PAUSE_SECONDS:
        errors.append((number, f"a pause can last at most {MAX_PAUSE_SECONDS:g} s"))
        return None
    return seconds


def parse_json(data: Any, max_chars: int = 20000) -> list[Block]:
    """The API's JSON format: {"blocks": [{"speaker", "text", "pause_after"}]}; errors name the block."""
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        raise ScriptError([(0, "expected an object with a list of blocks")])
    errors: list[tuple[int, str]] = []
    blocks: list[Block] = []
    total = 0
    for index, item in enumerate(data["blocks"], start=1):
        where = f"block {index}"
        if not isinstance(item, dict):
            errors.append((0, f"{where}: expected an object"))
            continue
        speaker, text, pause = item.get("speaker"), item.get("text"), item.get("pause_after", 0)
        if not isinstance(speaker, str) or not speaker.strip():
            errors.append((0, f"{where}: speaker is required"))
        elif len(speaker) > MAX_SPEAKER_LENGTH:
            errors.append((0, f"{where}: speaker is longer than {MAX_SPEAKER_LENGTH} characters"))
        if not isinstance(text, str) or not text.strip():
            errors.append((0, f"{where}: text is required"))
        elif not has_speech(text):
            errors.append((0, f"{where}: the text {_NOTHING_TO_READ}"))
        if isinstance(pause, bool) or not isinstance(pause, int | float) or not 0 <= pause <= MAX_PAUSE_SECONDS:
            errors.append((0, f"{where}: pause_after must be a number of seconds from 0 to {MAX_PAUSE_SECONDS:g}"))
        if isinstance(text, str):
            total += len(text)
        if not errors:
            blocks.append(Block(speaker=speaker.strip(), text=text.strip(), pause_after=float(pause)))
    if not data["blocks"]:
        errors.append((0, "the script has no blocks"))
    if total > max_chars:
        errors.append((0, f"the script is {total} characters long; the limit is {max_chars}"))
    if len(data["blocks"]) > MAX_BLOCKS:
        errors.append((0, f"the script has {len(data['blocks'])} blocks; the limit is {MAX_BLOCKS}"))
    if errors:
        raise ScriptError(errors)
    return blocks


def to_text(blocks: list[Block]) -> str:
    """Blocks (from the JSON format) in the text format, one line each. A block the text format cannot hold
    (a speaker with ':' or '[', say) is an error naming it, never a silently different script."""
    errors = [
        (0, f"block {index}: the speaker {block.speaker!r} cannot be written as 'Speaker: text' (no ':', '[', ']')")
        for index, block in enumerate(blocks, start=1)
        if not _WRITABLE_SPEAKER.fullmatch(block.speaker) or len(block.speaker.splitlines()) != 1
    ]
    if errors:
        raise ScriptError(errors)
    lines: list[str] = []
    for block in blocks:
        lines.append(f"{block.speaker}: {' '.join(block.text.split())}")
        if block.pause_after > 0:
            lines.append(f"[pause {round(block.pause_after, 3):g}s]")
    text = "\n".join(lines)
    reread = parse_text(text, max_chars=len(text))
    if [(block.speaker, block.text) for block in reread] != [(b.speaker, " ".join(b.text.split())) for b in blocks]:
        raise ScriptError([(0, "the blocks cannot be written in the text format")])
    return text


def speakers_in_order(blocks: list[Block]) -> list[str]:
    """Each speaker once, in order of first appearance."""
    return list(dict.fromkeys(block.speaker for block in blocks))


@dataclass(frozen=True)
class Span:
    """Where some of block `block`'s spoken words are in a script's text (character offsets, end excluded)."""

    block: int  # 1-based, as the rewrite tools count blocks
    start: int
    end: int
    head: int  # where the line's writing starts: the speaker's tag on a block's first line


def spoken_spans(source: str) -> list[Span]:
    """Each line's spoken words in `source`, read as parse_text reads them: the speaker's tag, pauses, comments and
    blank lines are left out. For a script parse_text accepts (tools that edit part of a block)."""
    spans: list[Span] = []
    offset, block = 0, 0
    for raw, content in zip(source.splitlines(keepends=True), source.splitlines(), strict=True):
        line = content.strip()
        first = offset + len(content) - len(content.lstrip())
        offset += len(raw)
        if not line or line.startswith("#") or _PAUSE_LINE.match(line) or line.startswith("["):
            continue
        spoken = _SPEAKER_LINE.match(line)
        if spoken:
            block += 1
            spans.append(Span(block, first + spoken.start("text"), first + len(line), first))
        elif block:
            spans.append(Span(block, first, first + len(line), first))
    return spans
