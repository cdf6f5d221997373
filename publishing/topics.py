"""Topic ideas like a campaign's best videos, for its performance page.

Without a writing model they are derived, honestly labelled so: the telling words (the storyboard's keyword rule)
of each best video's title and script, as "More on: …". With one, the page can ask the AI writer for ideas
(writer.services.topic_ideas: the plan's tokens, the ledger, the provider's errors in plain words).
"""

from collections import Counter
from dataclasses import dataclass

from mediakit.video.storyboard import extract_keywords
from publishing.performance import VideoFigures
from scripts.memory import memory_text

BEST = 3  # the videos ideas are drawn from
IDEAS = 5


@dataclass(frozen=True)
class TopicIdea:
    topic: str
    source: str  # where it comes from, e.g. "“Why green tea” (1500 views)"


def best_videos(videos: list[VideoFigures]) -> list[VideoFigures]:
    """The most viewed videos that were viewed at all (`videos` come most viewed first)."""
    return [video for video in videos if video.views > 0][:BEST]


def derived_ideas(videos: list[VideoFigures]) -> list[TopicIdea]:
    """Ideas "More on: …" from the telling words of each best video, then the words several of them share."""
    best = best_videos(videos)
    ideas: list[TopicIdea] = []
    words_of: dict[int, list[str]] = {}
    for video in best:
        script = video.publication.job.script
        text = memory_text(script) if script else video.publication.title  # the script's title and words
        words_of[video.publication.pk] = extract_keywords([text], limit=3)
        if words_of[video.publication.pk]:
            topic = "More on: " + ", ".join(words_of[video.publication.pk][:2])
            ideas.append(TopicIdea(topic, f"“{video.publication.title}” ({video.views} views)"))
    counts = Counter(word for words in words_of.values() for word in words)
    shared = [word for word, count in counts.most_common() if count > 1][:3]
    if shared:
        ideas.append(TopicIdea("More on: " + ", ".join(shared), f"what your {len(best)} best videos share"))
    unique: dict[str, TopicIdea] = {}
    for idea in ideas:
        unique.setdefault(idea.topic.casefold(), idea)
    return list(unique.values())[:IDEAS]


def asked_of(videos: list[VideoFigures]) -> list[tuple[str, int]]:
    """What the AI writer is told: the best videos' titles and views."""
    return [(video.publication.title, video.views) for video in best_videos(videos)]
