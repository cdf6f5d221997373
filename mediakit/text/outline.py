"""The writer without a language model: a structured outline for the creator to fill in, never AI writing.

From a topic and a target length it lays out a hook, three points and a call to action, each with the number
of words that fits its share of the time, spoken by the script's speakers in turn. What the creator still has
to write stands in [[double brackets]]; a script with any left is refused for rendering (`check_filled`).
"""

import re
from dataclasses import dataclass

from mediakit.text.script import Block, ScriptError, parse_text

PLACEHOLDER = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
PLATFORMS = {
    "shorts": "YouTube Shorts",
    "tiktok": "TikTok",
    "reels": "Instagram Reels",
    "youtube": "YouTube (long)",
    "podcast": "Podcast",
}
# Share of the time per part, and what the creator should put there.
_PARTS = [
    (0.15, "Hook", "the most surprising or useful thing about {topic}, in one sentence"),
    (0.233, "Point 1", "the first thing a viewer should know about {topic}"),
    (0.233, "Point 2", "an example, a number or a story that shows it"),
    (0.234, "Point 3", "what to do with it, or the mistake to avoid"),
    (0.15, "Call to action", "what the viewer should do next: follow, comment, visit, try it"),
]
_OPENINGS = {
    "shorts": "land it in the first two seconds",
    "tiktok": "land it in the first two seconds",
    "reels": "land it in the first two seconds",
    "youtube": "promise what the video delivers",
    "podcast": "say why this episode matters today",
}


class OutlineError(ValueError):
    """A bad request for an outline; the message is for the person who asked."""


@dataclass(frozen=True)
class Outline:
    title: str
    body: str  # our script text format, with [[placeholders]]
    words: int  # words to write in all, for the target length


def check_brief(
    topic: str, *, seconds: int, speakers: list[str], platform: str, tone: str
) -> tuple[str, str, list[str]]:
    """The answers every writer asks for, checked and tidied: (topic, tone, speaker names). OutlineError says
    what is wrong. The language-model writer (mediakit.writer) asks the same questions."""
    topic, tone = " ".join(topic.split()), " ".join(tone.split()) or "friendly"
    if not topic:
        raise OutlineError("Give a topic: what the video is about.")
    if len(topic) > 200:
        raise OutlineError("Keep the topic under 200 characters: the details go into the script.")
    if not 5 <= seconds <= 1800:
        raise OutlineError("Choose a length between 5 seconds and 30 minutes.")
    if platform not in PLATFORMS:
        raise OutlineError(f"Choose a platform: {', '.join(PLATFORMS)}.")
    names = list(dict.fromkeys(" ".join(name.split()) for name in speakers if name.strip())) or ["Host"]
    if len(names) > 4:
        raise OutlineError("An outline has at most four speakers.")
    # Read back as a render would: a name the format cannot carry (a colon, brackets) comes back different.
    try:
        read_back = [block.speaker for block in parse_text("\n".join(f"{name}: x" for name in names))]
    except ValueError:
        read_back = []
    if read_back != names:
        raise OutlineError("Speaker names cannot contain a colon or square brackets, or start with #.")
    return topic, tone, names


def draft_outline(
    topic: str, *, seconds: int, speakers: list[str], platform: str, tone: str, words_per_minute: int
) -> Outline:
    topic, tone, names = check_brief(topic, seconds=seconds, speakers=speakers, platform=platform, tone=tone)
    total = max(round(seconds * words_per_minute / 60), len(_PARTS))
    lines = [f"# {PLATFORMS[platform]} outline, about {seconds} s: {topic} (tone: {tone})"]
    for index, (share, part, what) in enumerate(_PARTS):
        words = max(round(total * share), 1)
        hint = what.format(topic=topic)
        if part == "Hook":
            hint += f"; {_OPENINGS[platform]}"
        lines.append(f"{names[index % len(names)]}: [[{part}, about {words} words: {hint}]]")
    return Outline(title=topic[:120], body="\n".join(lines), words=total)


def unfilled_parts(text: str) -> list[str]:
    """The [[placeholders]] still in a script: what the creator has yet to write."""
    return [part.strip() for part in PLACEHOLDER.findall(text)]


def check_filled(blocks: list[Block]) -> None:
    """ScriptError when an outline's [[parts]] are still to be written: they are not for a voice to read."""
    unfilled = unfilled_parts("\n".join(block.text for block in blocks))
    if unfilled:
        raise ScriptError(
            [(0, f"write the outline's {len(unfilled)} [[…]] part(s) first, starting with “{unfilled[0]}”")]
        )
