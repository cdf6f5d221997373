"""Drafts and rewrites from a language model, in our script format and checked by our parser.

The model's answer is read back with `mediakit.text.script.parse_text`, the speakers must be the ones asked
for and no [[placeholder]] may be left: a draft that fails is sent back once with the parser's errors, and
refused (`DraftRefused`) if the second one fails too. Nothing here stores anything; the caller records
`Usage` and saves what it wants.
"""

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from mediakit.text.outline import PLACEHOLDER, PLATFORMS, check_brief
from mediakit.text.script import Block, ScriptError, parse_text, spoken_spans
from mediakit.writer.providers import ProviderConfig, Usage, stream_text

MAX_EXAMPLE_CHARS = 1500  # per past script: enough for voice and rhythm, not enough to copy
MAX_EXAMPLES = 3
MAX_NOTES_CHARS = 2000
_FENCE = re.compile(r"^\s*```[\w-]*\s*$")
_STYLE = {
    "shorts": "a vertical short: the hook lands in the first two seconds, short sentences, one idea",
    "tiktok": "a TikTok: a hook in the first two seconds, conversational, fast",
    "reels": "an Instagram Reel: a hook in the first two seconds, visual language, upbeat",
    "youtube": "a long YouTube video: promise what it delivers, then structured sections",
    "podcast": "a podcast segment: natural spoken conversation, say why it matters today",
}
LANGUAGES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "ja": "Japanese",
    "zh": "Chinese",
}


class DraftRefused(Exception):
    """The model's answers could not be read as a script, twice; the message is for the creator."""


@dataclass(frozen=True)
class DraftBrief:
    topic: str
    platform: str
    seconds: int
    tone: str
    speakers: tuple[str, ...]
    language: str
    words_per_minute: int
    brand_notes: str = ""
    examples: tuple[str, ...] = ()  # past scripts of the campaign: its best performers first, then the newest
    best_examples: int = 0  # how many of the first examples are scripts of its best-performing videos

    @classmethod
    def checked(
        cls,
        topic: str,
        *,
        platform: str,
        seconds: int,
        tone: str,
        speakers: list[str],
        language: str,
        words_per_minute: int,
        brand_notes: str = "",
        examples: tuple[str, ...] = (),
        best_examples: int = 0,
    ) -> "DraftBrief":
        """OutlineError (the same questions as the outline writer) when an answer is wrong."""
        topic, tone, names = check_brief(topic, seconds=seconds, speakers=speakers, platform=platform, tone=tone)
        return cls(
            topic,
            platform,
            seconds,
            tone,
            tuple(names),
            language or "en",
            words_per_minute,
            brand_notes.strip()[:MAX_NOTES_CHARS],
            tuple(examples[:MAX_EXAMPLES]),
            min(best_examples, MAX_EXAMPLES),
        )

    @property
    def words(self) -> int:
        return max(round(self.seconds * self.words_per_minute / 60), 5)


@dataclass(frozen=True)
class Draft:
    title: str
    body: str  # our script text format, parsed cleanly
    blocks: list[Block]
    repaired: bool  # the first answer was unreadable and the model wrote it again


def language_name(code: str) -> str:
    return LANGUAGES.get(code.split("-")[0].lower(), code)


def _format_rules(speakers: tuple[str, ...]) -> str:
    names = ", ".join(speakers)
    return (
        "Write only the script, in this plain-text format, nothing before or after it:\n"
        "# A short title\n"
        f"{speakers[0]}: what they say, on one line.\n"
        "[pause 1s]\n"
        f"Every spoken line starts with a speaker's name and a colon. Use only these speakers: {names}. "
        "A line '[pause 1s]' (up to 10 s) may follow a spoken line. No Markdown, no stage directions, no "
        "sound effects, no emoji, no [[placeholders]]: every word is read aloud by a voice."
    )


def draft_prompt(brief: DraftBrief) -> tuple[str, str]:
    """(system, user) messages for a draft."""
    system = (
        "You write scripts for narrated videos. The words are spoken by text-to-speech voices and shown as "
        "captions, so write for the ear: short sentences, numbers a listener can follow.\n"
        + _format_rules(brief.speakers)
    )
    lines = [
        f"Topic: {brief.topic}",
        f"Platform: {PLATFORMS[brief.platform]}, {_STYLE[brief.platform]}.",
        f"Length: about {brief.seconds} seconds spoken, so about {brief.words} words in all.",
        f"Tone: {brief.tone}.",
        f"Language: write every spoken line in {language_name(brief.language)}.",
        f"Speakers: {', '.join(brief.speakers)}"
        + (" (take turns as a conversation)." if len(brief.speakers) > 1 else "."),
    ]
    if brief.brand_notes:
        lines.append(f"Brand voice notes from the creator (follow them):\n{brief.brand_notes}")
    for number, example in enumerate(brief.examples, start=1):
        which = "one of its best-performing videos, " if number <= brief.best_examples else ""
        lines.append(
            f"Past script {number} of this campaign ({which}for voice and style only; do not copy it):\n"
            f"<<<\n{example[:MAX_EXAMPLE_CHARS]}\n>>>"
        )
    return system, "\n".join(lines)


def read_draft(answer: str, brief: DraftBrief) -> Draft:
    """The answer as a script, or ScriptError listing what is wrong with it (the repair prompt quotes them)."""
    lines = [line for line in answer.strip().splitlines() if not _FENCE.match(line)]
    title = brief.topic[:120]
    if lines and lines[0].lstrip().startswith("#"):
        title = lines.pop(0).lstrip("# ").strip()[:120] or title
    body = "\n".join(lines).strip()
    errors: list[tuple[int, str]] = []
    try:
        blocks = parse_text(body)
    except ScriptError as error:
        errors, blocks = list(error.errors), []
    strangers = sorted({block.speaker for block in blocks} - set(brief.speakers))
    if strangers:
        errors.append((0, f"speakers {', '.join(strangers)} are not in the cast ({', '.join(brief.speakers)})"))
    if PLACEHOLDER.search(body):
        errors.append((0, "[[placeholders]] are left: write every word"))
    words = sum(len(block.text.split()) for block in blocks)
    if blocks and not brief.words / 3 <= words <= brief.words * 3:
        errors.append((0, f"the script has {words} words; about {brief.words} were asked for"))
    if errors:
        raise ScriptError(errors)
    return Draft(title=title, body=body, blocks=blocks, repaired=False)


def _repair_prompt(prompt: str, answer: str, error: ScriptError) -> str:
    problems = "\n".join(f"- line {line}: {message}" if line else f"- {message}" for line, message in error.errors)
    return (
        f"{prompt}\n\nYour previous answer could not be used:\n{problems}\n"
        f"Previous answer:\n<<<\n{answer[:8000]}\n>>>\nWrite the whole script again, correctly."
    )


def _ask(
    config: ProviderConfig, system: str, prompt: str, max_tokens: int, usage: Usage, on_text: Callable[[str], None]
) -> str:
    pieces: list[str] = []
    for piece in stream_text(config, system, prompt, max_tokens, usage):
        pieces.append(piece)
        on_text(piece)
    return "".join(pieces)


def write_draft(
    config: ProviderConfig,
    brief: DraftBrief,
    usage: Usage,
    *,
    max_tokens: int = 4000,
    on_text: Callable[[str], None] = lambda piece: None,
    on_retry: Callable[[str], None] = lambda reason: None,
) -> Draft:
    """A checked draft; ProviderError when the model cannot be used, DraftRefused when it wrote nonsense twice.
    `on_text` hears each piece as it is written; `on_retry` hears that what was written is thrown away."""
    system, prompt = draft_prompt(brief)
    answer = _ask(config, system, prompt, max_tokens, usage, on_text)
    try:
        return read_draft(answer, brief)
    except ScriptError as error:
        first = error
    on_retry(f"The draft did not read as a script ({first}); asking {config.label} to write it again.")
    answer = _ask(config, system, _repair_prompt(prompt, answer, first), max_tokens, usage, on_text)
    try:
        draft = read_draft(answer, brief)
    except ScriptError as error:
        raise DraftRefused(
            f"{config.label} wrote something that is not a script we can read, twice ({error}). Nothing was "
            "saved: try again, change the topic, or start from an outline."
        ) from None
    return Draft(title=draft.title, body=draft.body, blocks=draft.blocks, repaired=True)


# --- Rewrites of a block, or of words selected in one ---------------------------------------------------

TOOLS = {
    "shorten": "Shorten to N seconds",
    "punchier": "Make it punchier",
    "speakers": "Split into speakers",
    "translate": "Translate to the script's language",
}
CONTEXT_WORDS = 12  # of the block on each side of a selection, shown beside its diff


class SelectionError(ValueError):
    """A selection that cannot be rewritten: empty, outside the script, or not within one speaker's words."""


@dataclass(frozen=True)
class Rewrite:
    before: str  # what is replaced: the block's lines, or the selected words
    after: str  # what replaces them, parsed cleanly
    script: str  # the whole script with them replaced
    diff: list[tuple[str, str]]  # ("same" | "del" | "ins", words)
    block: int  # 1-based
    start: int  # where `before` is in the script as given (characters, end excluded): the editor splices there
    end: int
    context: tuple[str, str] = ("", "")  # the block's words just before and after a selection


def block_lines(script: str, number: int) -> tuple[int, int, list[Block]]:
    """(first line index, end line index) of block `number` (1-based) in `script`, its continuation lines
    included and the pauses or comments after it left out; ScriptError when the script or number is bad."""
    blocks = parse_text(script)
    if not 1 <= number <= len(blocks):
        raise ScriptError([(0, f"there is no block {number}; the script has {len(blocks)}")])
    lines = script.splitlines()
    start = blocks[number - 1].line - 1
    end = blocks[number].line - 1 if number < len(blocks) else len(lines)
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip()[:1] in "#["):
        end -= 1
    return start, end, blocks


def selection_in(script: str, start: int, end: int) -> tuple[int, int, int]:
    """(block number, start, end) of a selection of `script` (character offsets, end excluded) with the spaces at
    its edges left out; SelectionError unless it is words of one block, without a speaker's tag, a pause or a
    comment (the script's format stays as it is around the rewritten words). The script must parse."""
    if not 0 <= start < end <= len(script):
        raise SelectionError(
            f"The selection ({start} to {end}) is not within the script's {len(script)} characters: select some words."
        )
    text = script[start:end]
    start += len(text) - len(text.lstrip())
    end -= len(text) - len(text.rstrip())
    if start >= end:
        raise SelectionError("The selection has no words: select the words to rewrite.")
    spans = spoken_spans(script)
    first = next((span for span in spans if span.start <= start < span.end), None)
    last = next((span for span in spans if span.start < end <= span.end), None)
    if first is None or last is None:
        raise SelectionError(
            "The selection starts or ends on a speaker's name, a pause or a comment: select spoken words only."
        )
    if first.block != last.block:
        raise SelectionError(
            f"The selection runs over blocks {first.block} to {last.block}: select words of one speaker's block, "
            "or rewrite whole blocks."
        )
    inside = [span for span in spans if span.block == first.block and start < span.end and span.start < end]
    gaps = [script[a.end : b.start] for a, b in itertools.pairwise(inside)]
    if any(gap.strip() for gap in gaps):
        raise SelectionError("The selection takes in a pause or a comment: select spoken words only.")
    return first.block, start, end


def rewrite_prompt(
    tool: str,
    block: Block,
    *,
    seconds: int,
    speakers: tuple[str, ...],
    language: str,
    words_per_minute: int,
    part: str = "",
) -> tuple[str, str, tuple[str, ...]]:
    """(system, user, speakers allowed in the answer) for one tool, on the block or on `part` of it."""
    cast = speakers if tool == "speakers" else (block.speaker,)
    task = {
        "shorten": f"Shorten it to about {max(round(seconds * words_per_minute / 60), 3)} words "
        f"({seconds} seconds spoken), keeping its meaning and the speaker's voice.",
        "punchier": "Make it punchier: shorter sentences, stronger verbs, a sharper first line; same meaning, "
        "about the same length.",
        "speakers": f"Split it into a conversation between {', '.join(speakers)}, keeping every idea.",
        "translate": f"Translate it into {language_name(language)}, naturally, as a native speaker would say it.",
    }[tool]
    system = "You edit one passage of a script for a narrated video.\n" + _format_rules(cast).replace(
        "# A short title\n", ""
    )
    passage = f"<<<\n{block.speaker}: {block.text}\n>>>"
    if not part:
        return system, f"{task}\n\nThe passage:\n{passage}", cast
    fit = (
        "Answer with the conversation's lines only."
        if tool == "speakers"
        else f"Answer with the new words for that part only, on one line starting with '{block.speaker}: ', so "
        "that they fit where the part was."
    )
    return (
        system,
        f"{task}\n\nThe passage, for context:\n{passage}\nDo it to this part of it only:\n<<<\n{part}\n>>>\n{fit}",
        cast,
    )


def read_rewrite(answer: str, cast: tuple[str, ...]) -> list[Block]:
    lines = [line for line in answer.strip().splitlines() if not _FENCE.match(line) and not line.startswith("#")]
    blocks = parse_text("\n".join(lines))
    strangers = sorted({block.speaker for block in blocks} - set(cast))
    if strangers or PLACEHOLDER.search(answer):
        raise ScriptError([(0, f"speakers {', '.join(strangers)} are not in the cast" if strangers else "[[…]] left")])
    return blocks


def _split_cast(tool: str, speakers: tuple[str, ...], blocks: list[Block]) -> tuple[str, ...]:
    if tool not in TOOLS:
        raise ScriptError([(0, f"choose a tool: {', '.join(TOOLS)}")])
    if tool == "speakers" and len(speakers) < 2:
        speakers = tuple(dict.fromkeys(b.speaker for b in blocks))
        if len(speakers) < 2:
            raise ScriptError([(0, "name at least two speakers to split the block between")])
    return speakers


def _rewritten(
    config: ProviderConfig, system: str, prompt: str, cast: tuple[str, ...], usage: Usage, max_tokens: int
) -> list[Block]:
    """The model's passage, read back; sent back once with what was wrong, DraftRefused the second time."""
    answer = "".join(stream_text(config, system, prompt, max_tokens, usage))
    try:
        return read_rewrite(answer, cast)
    except ScriptError as error:
        answer = "".join(stream_text(config, system, _repair_prompt(prompt, answer, error), max_tokens, usage))
        try:
            return read_rewrite(answer, cast)
        except ScriptError as again:
            raise DraftRefused(
                f"{config.label} did not give back a passage we can read, twice ({again}); the script is unchanged."
            ) from None


def _lines_of(blocks: list[Block]) -> str:
    return "\n".join(
        f"{b.speaker}: {b.text}" + (f"\n[pause {b.pause_after:g}s]" if b.pause_after else "") for b in blocks
    )


def rewrite_block(
    config: ProviderConfig,
    script: str,
    number: int,
    tool: str,
    usage: Usage,
    *,
    seconds: int = 10,
    speakers: tuple[str, ...] = (),
    language: str = "en",
    words_per_minute: int = 150,
    max_tokens: int = 2000,
) -> Rewrite:
    """Block `number` rewritten by `tool`; ScriptError for a bad script or block, DraftRefused for nonsense."""
    start, end, blocks = block_lines(script, number)
    speakers = _split_cast(tool, speakers, blocks)
    system, prompt, cast = rewrite_prompt(
        tool, blocks[number - 1], seconds=seconds, speakers=speakers, language=language,
        words_per_minute=words_per_minute,
    )  # fmt: skip
    after = _lines_of(_rewritten(config, system, prompt, cast, usage, max_tokens))
    offsets = [0]
    for raw in script.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(raw))
    first, last = offsets[start], offsets[end - 1] + len(script.splitlines()[end - 1])
    before = script[first:last]
    return Rewrite(before, after, script[:first] + after + script[last:], word_diff(before, after), number, first, last)


def rewrite_selection(
    config: ProviderConfig,
    script: str,
    start: int,
    end: int,
    tool: str,
    usage: Usage,
    *,
    seconds: int = 10,
    speakers: tuple[str, ...] = (),
    language: str = "en",
    words_per_minute: int = 150,
    max_tokens: int = 2000,
) -> Rewrite:
    """The words `script[start:end]`, within one block, rewritten by `tool`; only they change, except that a
    split into speakers puts the conversation on lines of its own between the block's words before and after
    the selection. ScriptError for a bad script, SelectionError for a bad selection, DraftRefused for nonsense."""
    blocks = parse_text(script)
    number, start, end = selection_in(script, start, end)
    speakers = _split_cast(tool, speakers, blocks)
    block = blocks[number - 1]
    system, prompt, cast = rewrite_prompt(
        tool, block, seconds=seconds, speakers=speakers, language=language, words_per_minute=words_per_minute,
        part=" ".join(script[start:end].split()),
    )  # fmt: skip
    new_blocks = _rewritten(config, system, prompt, cast, usage, max_tokens)
    spans = [span for span in spoken_spans(script) if span.block == number]
    lead = script[spans[0].start : start].split()
    trail = script[end : spans[-1].end].split()
    if tool == "speakers":
        # A conversation takes lines of its own; the block's speaker keeps the words around it.
        first = len(script[:start].rstrip()) if lead else spans[0].head
        last = len(script) - len(script[end:].lstrip()) if trail else end
        after = ("\n" if lead else "") + _lines_of(new_blocks) + (f"\n{block.speaker}: " if trail else "")
        middle = [block.speaker] * bool(lead) + [b.speaker for b in new_blocks] + [block.speaker] * bool(trail)
    else:
        first, last = start, end
        after = " ".join(b.text for b in new_blocks)  # inside a block's words: no pause fits there
        middle = [block.speaker]
    changed = script[:first] + after + script[last:]
    expected = [b.speaker for b in blocks[: number - 1]] + middle + [b.speaker for b in blocks[number:]]
    try:
        fits = [b.speaker for b in parse_text(changed, max_chars=len(changed))] == expected
    except ScriptError:
        fits = False
    if not fits:  # e.g. new words that read as a speaker's tag at the start of a line
        raise DraftRefused(
            f"{config.label}'s words would change the script's lines around the selection; the script is unchanged."
        )
    context = (
        ("… " if len(lead) > CONTEXT_WORDS else "") + " ".join(lead[-CONTEXT_WORDS:]),
        " ".join(trail[:CONTEXT_WORDS]) + (" …" if len(trail) > CONTEXT_WORDS else ""),
    )
    before = script[first:last]
    return Rewrite(before, after, changed, word_diff(before, after), number, first, last, context)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word by word: runs of ("same" | "del" | "ins", text), for a creator to judge a change."""
    old, new = before.split(), after.split()
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("ins", " ".join(new[j1:j2])))
    return runs


# --- Topic ideas like a campaign's best videos ------------------------------------------------------------

MAX_TOPIC_CHARS = 200  # what a draft's topic may hold
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def topics_prompt(best: list[tuple[str, int]], count: int) -> tuple[str, str]:
    """(system, user) messages asking for `count` topics like these videos ((title, views), best first)."""
    system = (
        "You suggest topics for short narrated videos. Answer with the topics only, one per line, each a few "
        "words to a short sentence, no numbering, no commentary."
    )
    videos = "\n".join(f"- {title[:MAX_TOPIC_CHARS]} ({views} views)" for title, views in best)
    return system, (
        f"These videos of a channel did best:\n{videos}\n"
        f"Suggest {count} new topics likely to do as well with the same audience: close to what worked, not "
        "copies of it."
    )


def read_topics(answer: str, count: int, taken: set[str]) -> list[str]:
    """The answer's lines as topics: list marks and quotes dropped, repeats and the titles in `taken` left out."""
    seen = {title.casefold() for title in taken}
    topics = []
    for line in answer.splitlines():
        topic = _LIST_MARK.sub("", line).strip().strip("\"'“”").strip()
        if topic and not _FENCE.match(line) and len(topic) <= MAX_TOPIC_CHARS and topic.casefold() not in seen:
            seen.add(topic.casefold())
            topics.append(topic)
    return topics[:count]


def suggest_topics(
    config: ProviderConfig, best: list[tuple[str, int]], usage: Usage, *, count: int = 5, max_tokens: int = 400
) -> list[str]:
    """Topic ideas from the model; ProviderError when it cannot be used, DraftRefused when it gave none."""
    system, prompt = topics_prompt(best, count)
    topics = read_topics(_ask(config, system, prompt, max_tokens, usage, lambda piece: None), count,
                         {title for title, _ in best})  # fmt: skip
    if not topics:
        raise DraftRefused(f"{config.label} suggested no topic we could use; try again.")
    return topics
