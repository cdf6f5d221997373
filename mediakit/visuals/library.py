"""The workspace's media library as a visual source: pictures and clips uploaded once, matched by tags and meaning.

Tags come from the file name (`tags_from_name`) and from the creator; a scene matches an item by the words
they share (plurals folded), best overlap first, then (given an `embed` function) by meaning: items whose tags
and title are close to the scene's keywords ("sea" finds an item tagged "ocean waves"). The app passes the items
in; no Django here.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from mediakit.text.embeddings import DIMENSION, EmbeddingUnavailable
from mediakit.video.storyboard import STOPWORDS, Scene
from mediakit.visuals import Candidate, fits, query_for

_WORD = re.compile(r"[^\W\d_]+")
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
# Cosine similarity (all-MiniLM-L6-v2) from which an item is about the scene: "sea" / "ocean waves beach" 0.62,
# "coffee morning" / "espresso cup cafe" 0.49; unrelated pairs stay under 0.15.
CLOSE_IN_MEANING = 0.45


@dataclass(frozen=True)
class LibraryItem:
    id: str
    storage_name: str
    kind: str  # "video" or "photo"
    tags: tuple[str, ...]
    width: int = 0
    height: int = 0
    duration: float = 0.0
    title: str = ""


def tags_from_name(file_name: str) -> list[str]:
    """Words of a file name's stem ("beach_sunset-2024 (1).jpg" → beach, sunset), stopwords and numbers dropped."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = [w.lower() for w in _WORD.findall(stem.replace("_", " "))]
    return list(dict.fromkeys(w for w in words if len(w) >= 3 and w not in STOPWORDS))[:MAX_TAGS]


def clean_tags(raw: str | Iterable[str]) -> list[str]:
    """A creator's tags (comma separated text or a list): trimmed, lower case, no repeats."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    tags = (" ".join(str(p).lower().split())[:MAX_TAG_LENGTH] for p in parts)
    return list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class Library:
    name = "library"

    def __init__(self, items: Sequence[LibraryItem], embed: Callable[[str], np.ndarray] | None = None) -> None:
        self.items = list(items)
        self._embed = embed
        self._vectors: np.ndarray | None = None  # the items' meaning, made once when first needed

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        return self.search(query_for(scene), aspect)

    def search(self, query: str, aspect: str) -> list[Candidate]:
        wanted = {_stem(w) for w in query.lower().split()}
        scored = []
        for item in self.items:
            words = {_stem(w) for tag in item.tags for w in tag.split()}
            overlap = len(wanted & words)
            if overlap:
                scored.append((overlap, item))
        found = [item for _, item in sorted(scored, key=lambda pair: -pair[0])]
        found += [item for item in self._close_in_meaning(query) if item not in found]
        candidates = [self._candidate(item) for item in found]
        return sorted(candidates, key=lambda c: not fits(c, aspect))  # stable: match order within a shape

    def _close_in_meaning(self, query: str) -> list[LibraryItem]:
        """Items whose tags and title mean about what the query says, closest first; none without a model."""
        if self._embed is None or not query.strip() or not self.items:
            return []
        try:
            if self._vectors is None:
                self._vectors = np.stack([self._meaning(item) for item in self.items])
            scores = self._vectors @ self._embed(query)
        except EmbeddingUnavailable:
            self._embed = None  # tags alone, as without a model
            return []
        order = np.argsort(-scores, kind="stable")
        return [self.items[index] for index in order if scores[index] >= CLOSE_IN_MEANING]

    def _meaning(self, item: LibraryItem) -> np.ndarray:
        text = " ".join((*item.tags, item.title)).strip()
        return self._embed(text) if text else np.zeros(DIMENSION, dtype=np.float32)  # untagged: close to nothing

    def _candidate(self, item: LibraryItem) -> Candidate:
        return Candidate(
            source=self.name,
            id=item.id,
            kind=item.kind,
            width=item.width,
            height=item.height,
            duration=item.duration,
            storage_name=item.storage_name,
            license="the workspace's own",
            page_url="",
            tags=item.tags,
        )
