"""Drafts and rewrites from a language model, in our script format and checked by our parser.

The model's answer is read back with `mediakit.text.script.parse_text`, the speakers must be the ones asked
for and no [[placeholder]] may be left: a draft that fails is sent back once with the parser's errors, and
refused (`DraftRefused`) if the second one fails too. Nothing here stores anything; the caller records
`Usage` and saves what it wants.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from mediakit.text.outline import PLACEHOLDER, PLATFORMS, check_brief
from mediakit.text.script import Block, ScriptError, parse_text
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


# --- Rewrites of one block ------------------------------------------------------------------------------

TOOLS = {
    "shorten": "Shorten to N seconds",
    "punchier": "Make it punchier",
    "speakers": "Split into speakers",
    "translate": "Translate to the script's language",
}


@dataclass(frozen=True)
class Rewrite:
    before: str  # the block's lines in the script
    after: str  # what replaces them, parsed cleanly
    script: str  # the whole script with the block replaced
    diff: list[tuple[str, str]]  # ("same" | "del" | "ins", words)


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


def rewrite_prompt(
    tool: str, block: Block, *, seconds: int, speakers: tuple[str, ...], language: str, words_per_minute: int
) -> tuple[str, str, tuple[str, ...]]:
    """(system, user, speakers allowed in the answer) for one tool."""
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
    return system, f"{task}\n\nThe passage:\n<<<\n{block.speaker}: {block.text}\n>>>", cast


def read_rewrite(answer: str, cast: tuple[str, ...]) -> list[Block]:
    lines = [line for line in answer.strip().splitlines() if not _FENCE.match(line) and not line.startswith("#")]
    blocks = parse_text("\n".join(lines))
    strangers = sorted({block.speaker for block in blocks} - set(cast))
    if strangers or PLACEHOLDER.search(answer):
        raise ScriptError([(0, f"speakers {', '.join(strangers)} are not in the cast" if strangers else "[[…]] left")])
    return blocks


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
    if tool not in TOOLS:
        raise ScriptError([(0, f"choose a tool: {', '.join(TOOLS)}")])
    start, end, blocks = block_lines(script, number)
    block = blocks[number - 1]
    if tool == "speakers" and len(speakers) < 2:
        speakers = tuple(dict.fromkeys(b.speaker for b in blocks))
        if len(speakers) < 2:
            raise ScriptError([(0, "name at least two speakers to split the block between")])
    system, prompt, cast = rewrite_prompt(
        tool, block, seconds=seconds, speakers=speakers, language=language, words_per_minute=words_per_minute
    )
    answer = "".join(stream_text(config, system, prompt, max_tokens, usage))
    try:
        new_blocks = read_rewrite(answer, cast)
    except ScriptError as error:
        answer = "".join(stream_text(config, system, _repair_prompt(prompt, answer, error), max_tokens, usage))
        try:
            new_blocks = read_rewrite(answer, cast)
        except ScriptError as again:
            raise DraftRefused(
                f"{config.label} did not give back a passage we can read, twice ({again}); the script is unchanged."
            ) from None
    after = "\n".join(
        f"{b.speaker}: {b.text}" + (f"\n[pause {b.pause_after:g}s]" if b.pause_after else "") for b in new_blocks
    )
    lines = script.splitlines()
    before = "\n".join(lines[start:end])
    return Rewrite(before, after, "\n".join([*lines[:start], after, *lines[end:]]), word_diff(before, after))


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
