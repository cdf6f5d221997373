"""Kinetic typography: a card per scene, chosen from what the scene says, animated by libass.

`choose_card` is pure: a figure ("66 %", "$1,200") becomes a big-number callout, an enumeration a list that
builds up item by item, a quotation (or a line of a dialogue) a quote card, anything else a keyword card.
`card_events` turns a card into ASS events (\\fad, \\move, \\t(\\fscx…)) drawn in the captions' pass, so an
animated card costs no extra ffmpeg work. Animations last ANIMATION_IN / ANIMATION_OUT seconds at the edges of
an event; the still-piece renderer adds frames there (see overlays.caption_change_frames).
"""

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from mediakit.captions.ass import AVERAGE_CHARACTER_WIDTH, ass_escape, ass_time
from mediakit.speech.words import TimedWord
from mediakit.video.storyboard import Scene, Storyboard

ANIMATION_IN = 0.3
ANIMATION_OUT = 0.2
CARD_KINDS = ("number", "list", "quote", "keyword")

_FIGURE = re.compile(
    r"(?<![\w.])(?:"
    r"[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:[kKmMbB]\b|million\b|billion\b|thousand\b))?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|[x\u00d7]\b)"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r")"
)
_ORDINALS = re.compile(r"\b(first|second|third|fourth|fifth|firstly|secondly|thirdly|finally|next)\b[,:]?", re.I)
_NUMBERED = re.compile(r"(?:^|\s)(\d)[.)]\s+")
_QUOTED = re.compile(r"[\"“]([^\"”]{8,160})[\"”]")
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_LABEL_SKIP = {
    "of",
    "the",
    "a",
    "an",
    "in",
    "on",
    "for",
    "to",
    "and",
    "is",
    "are",
    "was",
    "were",
    "per",
    "within",
    "with",
    "by",
    "at",
}


@dataclass(frozen=True)
class Card:
    """number: (figure, label); list: items; quote: (quote, speaker); keyword: (word,)."""

    kind: str
    lines: tuple[str, ...]


def choose_card(text: str, keywords: Sequence[str] = (), *, speaker: str = "", dialogue: bool = False) -> Card | None:
    """The card a scene gets from its spoken text (None: nothing worth a card)."""
    text = " ".join(text.split())
    if not text:
        return None
    if figure := _FIGURE.search(text):
        return Card("number", (_tidy_figure(figure.group()), _label_after(text[figure.end() :])))
    if items := _list_items(text):
        return Card("list", tuple(items))
    if quoted := _QUOTED.search(text):
        return Card("quote", (quoted.group(1).strip(), speaker))
    if dialogue:
        # A dialogue's question or exclamation is pulled out as the speaker's quote; other lines get keywords,
        # so a conversation's scenes do not all look alike.
        lines = [s.strip() for s in _SENTENCE.findall(text) if s.strip().endswith(("?", "!"))]
        if lines and 2 <= len(min(lines, key=len).split()) <= 10:
            return Card("quote", (min(lines, key=len), speaker))
    if keywords:
        return Card("keyword", (keywords[0],))
    return None


def _tidy_figure(figure: str) -> str:
    figure = re.sub(r"\s*(percent|per cent)$", " %", figure)
    return re.sub(r"(\d)\s*%", r"\1 %", figure)


def _label_after(rest: str) -> str:
    """A few words after the figure ("of creators"), up to the clause's end."""
    clause = re.split(r"[.,;:!?]", rest, maxsplit=1)[0]
    words = _WORD.findall(clause)[:4]
    while words and words[-1].lower() in _LABEL_SKIP:
        words.pop()
    return " ".join(words)


def _list_items(text: str) -> list[str]:
    """Items of an enumeration: "first …, second …", "1. … 2. …", or "a, b and c" (three or more short items)."""
    for marker in (_ORDINALS, _NUMBERED):
        parts = [p for p in marker.split(text)]
        if len(marker.findall(text)) >= 2:
            # split() interleaves the markers' groups; the text after each marker is an item.
            items = [_short(parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
            items = [item for item in items if item]
            if len(items) >= 2:
                return items[:5]
    for sentence in _SENTENCE.findall(text):
        match = re.search(r"([^,:]+(?:,\s*[^,]+){1,5}),?\s+(?:and|or)\s+([^,.!?]+)", sentence)
        if not match:
            continue
        head = [part.strip() for part in match.group(1).split(",")]
        # The first item follows a lead-in ("We sell apples, pears and plums"): keep its last words only.
        head[0] = " ".join(head[0].split()[-2:])
        items = [*head, match.group(2).strip()]
        if len(items) >= 3 and all(0 < len(item.split()) <= 4 for item in items):
            return [_short(item) for item in items][:5]
    return []


def _short(item: str, words: int = 5) -> str:
    item = re.split(r"[.;!?]", item.strip(" ,:"), maxsplit=1)[0]
    return " ".join(item.split()[:words])


MIN_CARD_SCENE = 1.2  # seconds: a shorter scene gets no card (it would flash by)


def storyboard_cards(storyboard: Storyboard, words: Sequence[TimedWord]) -> list[tuple[Scene, Card]]:
    """A card for each scene long enough and without a title of its own, from the words spoken in it."""
    dialogue = len({scene.speaker for scene in storyboard.scenes}) >= 2
    cards = []
    for scene in storyboard.scenes:
        if scene.title or scene.duration < MIN_CARD_SCENE:
            continue
        text = " ".join(w.text for w in words if scene.start <= w.start < scene.end)
        if card := choose_card(text, scene.keywords, speaker=scene.speaker, dialogue=dialogue):
            cards.append((scene, card))
    return cards


# --- ASS events ---------------------------------------------------------------------------------------------


def card_events(card: Card, start: float, end: float, width: int, height: int, *, accent: str, top: float) -> list[str]:
    """The card as ASS Dialogue lines between `start` and `end`, centred across the frame, its top part at
    `top` (a fraction of the height, below the platform's top UI). `accent` is an ASS BGR colour."""
    short = min(width, height)
    cx, cy = width // 2, round(height * (top + 0.1))
    fade = f"\\fad({round(ANIMATION_IN * 1000)},{round(ANIMATION_OUT * 1000)})"
    grow = f"\\t(0,{round(ANIMATION_IN * 1000)},\\fscx100\\fscy100)"
    if card.kind == "number":
        figure, label = card.lines
        big = round(short * 0.16)
        events = [
            _event(
                start,
                end,
                "Card",
                f"{{\\an5\\pos({cx},{cy})\\fs{big}\\1c&H{accent}&{fade}\\fscx40\\fscy40{grow}}}{ass_escape(figure)}",
            )
        ]
        if label:
            size = round(short * 0.05)
            text = _wrapped(label, width, size)
            events.append(
                _event(
                    start,
                    end,
                    "Card",
                    f"{{\\an8\\pos({cx},{cy + round(big * 0.65)})\\fs{round(short * 0.05)}{fade}}}{text}",
                )
            )
        return events
    if card.kind == "list":
        size = round(short * 0.07)
        step = min(0.6, max(0.15, (end - start) / (len(card.lines) + 1)))
        x = round(width * 0.12)
        events = []
        for k, item in enumerate(card.lines):
            y = round(height * top) + k * round(size * 1.5)
            appear = start + k * step
            move = f"\\move({x - round(width * 0.05)},{y},{x},{y},0,{round(ANIMATION_IN * 1000)})"
            events.append(
                _event(
                    appear,
                    end,
                    "Card",
                    f"{{\\an4{move}{fade}\\fs{size}\\1c&H{accent}&}}•{{\\1c&HFFFFFF&}} {ass_escape(item)}",
                )
            )
        return events
    if card.kind == "quote":
        quote, speaker = card.lines
        size = round(short * 0.052)
        text = _wrapped(f"“{quote}”", width, size)
        if speaker:
            text += f"\\N{{\\fs{round(size * 0.7)}\\1c&H{accent}&}}— {ass_escape(speaker)}"
        return [_event(start, end, "Box", f"{{\\an5\\pos({cx},{cy})\\fs{size}{fade}\\fscx90\\fscy90{grow}}}{text}")]
    word = card.lines[0].upper()
    size = round(short * 0.09)
    return [
        _event(start, end, "Box", f"{{\\an5\\pos({cx},{cy})\\fs{size}{fade}\\fscx60\\fscy60{grow}}}{ass_escape(word)}")
    ]


def _wrapped(text: str, width: int, size: int) -> str:
    per_line = max(8, int(width * 0.8 / (size * AVERAGE_CHARACTER_WIDTH)))
    return "\\N".join(ass_escape(line) for line in textwrap.wrap(text, per_line)[:4])


def _event(start: float, end: float, style: str, text: str) -> str:
    # Layer 1: above the captions (layer 0); cards never overlap each other (one per scene).
    return f"Dialogue: 1,{ass_time(round(start * 100))},{ass_time(round(end * 100))},{style},,0,0,0,,{text}"
