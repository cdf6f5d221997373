"""The one call a series makes to turn a row's topic into a script. Today the offline outline writer
(mediakit/text/outline.py): its [[parts]] are for the creator to write, so such a row waits for them. A writing
model (an LLM writer) replaces the body of `draft_script`; nothing else in the series changes."""

from dataclasses import dataclass

from django.conf import settings

from mediakit.text.outline import OutlineError, draft_outline


class DraftRefused(ValueError):
    """The writer cannot draft this topic; the message is for the creator."""


@dataclass(frozen=True)
class Draft:
    title: str
    body: str  # the script text format; [[parts]] left in it make the row wait for the creator to write them


def draft_script(topic: str, *, language: str, platform: str = "shorts") -> Draft:
    """A script for `topic` at the series' default length (SERIES_DRAFT_SECONDS)."""
    try:
        outline = draft_outline(
            topic,
            seconds=settings.SERIES_DRAFT_SECONDS,
            speakers=["Host"],
            platform=platform,
            tone="friendly",
            words_per_minute=settings.NARRATION_WORDS_PER_MINUTE,
        )
    except OutlineError as error:
        raise DraftRefused(str(error)) from None
    return Draft(title=outline.title, body=outline.body)
