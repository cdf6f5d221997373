"""Text drawn over the video besides the captions, as ASS events: scene titles and the plan watermark."""

import math
import re
import textwrap

from mediakit.captions.ass import AVERAGE_CHARACTER_WIDTH, ass_escape, ass_time
from mediakit.video.kinetic import ANIMATION_IN, ANIMATION_OUT
from mediakit.video.storyboard import Storyboard

TITLE_SIZE = 0.065
TITLE_MIN_SIZE = 0.035
TITLE_MAX_LINES = 3
TITLE_MARGIN_SIDES = 0.05


# --- captions: change times -------------------------------------------------------------------------------

_DIALOGUE_TIMES = re.compile(r"^Dialogue: [^,]*,(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),(.*)$", re.M)
_ANIMATED = re.compile(r"\\(?:t\(|move\(|fad\()")
_SWEEP = re.compile(r"\\kf")
ANIMATION_STEP = 2  # frames between drawn states of an animation in a still piece (15 fps at 30)


def caption_change_frames(ass: str, fps: int) -> list[int]:
    """Frames at which the burned-in text changes: the first frame at or after each event edge, and every
    ANIMATION_STEP frames while libass animates an event (its first ANIMATION_IN and last ANIMATION_OUT
    seconds for \\t, \\move, \\fad; all of it for a karaoke sweep)."""
    frames = set()
    for match in _DIALOGUE_TIMES.finditer(ass):
        h1, m1, s1, c1, h2, m2, s2, c2 = (int(g) for g in match.groups()[:8])
        edges = [
            math.ceil(cs * fps / 100 - 1e-9)
            for cs in (((h1 * 60 + m1) * 60 + s1) * 100 + c1, ((h2 * 60 + m2) * 60 + s2) * 100 + c2)
        ]
        frames.update(edges)
        first, last = edges
        text = match.group(9)
        if _SWEEP.search(text):
            frames.update(range(first, last, ANIMATION_STEP))
        elif _ANIMATED.search(text):
            frames.update(range(first, min(last, first + math.ceil(ANIMATION_IN * fps) + 1), ANIMATION_STEP))
            frames.update(range(max(first, last - math.ceil(ANIMATION_OUT * fps)), last, ANIMATION_STEP))
    return sorted(frames)


def title_events(storyboard: Storyboard, width: int, height: int) -> list[str]:
    """Scene titles as top-centred ASS events on the captions' Default style, wrapped to the frame."""
    events = []
    for scene in storyboard.scenes:
        if scene.title:
            size, lines = _title_layout(scene.title, width, min(width, height))
            text = "\\N".join(ass_escape(line) for line in lines)
            events.append(
                f"Dialogue: 1,{_ass_time(scene.start)},{_ass_time(scene.end)},Default,,0,0,0,,"
                f"{{\\an8\\fs{size}\\pos({width // 2},{round(height * 0.08)})}}{text}"
            )
    return events


def _title_layout(title: str, width: int, short_side: int) -> tuple[int, list[str]]:
    """Font size and lines for a title: sized from the short side (so portrait frames fit), smaller
    while it would take more than TITLE_MAX_LINES lines. The ASS style never wraps (WrapStyle 2)."""
    size, smallest = max(1, round(short_side * TITLE_SIZE)), max(1, math.ceil(short_side * TITLE_MIN_SIZE))
    while True:
        per_line = max(1, int(width * (1 - 2 * TITLE_MARGIN_SIDES) / (size * AVERAGE_CHARACTER_WIDTH)))
        lines = textwrap.wrap(title, per_line)
        if len(lines) <= TITLE_MAX_LINES or size <= smallest:
            return size, lines
        size = max(round(size * 0.9), smallest)


WATERMARK_TEXT = "Made with OmniVibe"


def watermark_event(duration: float, width: int, height: int) -> str:
    """The plan watermark: small, half-transparent, top-left, for the whole video."""
    size, margin = round(min(width, height) * 0.032), round(min(width, height) * 0.03)
    return (
        f"Dialogue: 2,{_ass_time(0)},{_ass_time(duration)},Default,,0,0,0,,"
        f"{{\\an7\\fs{size}\\bord1\\1a&H60&\\3a&H80&\\pos({margin},{margin})}}{WATERMARK_TEXT}"
    )


def _ass_time(seconds: float) -> str:
    return ass_time(round(seconds * 100))
