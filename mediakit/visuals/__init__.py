"""Visual sources behind one interface: stock (Pexels, Pixabay), the workspace's media library and AI video.

Pure Python, no Django: sources get their configuration as arguments. Every source answers
`find(scene, aspect)` with candidates; `choose` (mediakit/visuals/choice.py) picks one per scene, never the
same clip twice in a video, and falls back to the scene's generated look when a source fails.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mediakit.video.storyboard import Scene

if TYPE_CHECKING:
    from mediakit.visuals.download import Fetcher

VIDEO = "video"
PHOTO = "photo"


class SourceError(Exception):
    """A source could not answer (bad key, rate limit, unreachable, a bad answer); the message says which."""

    def __init__(self, message: str, *, give_up: bool = False) -> None:
        super().__init__(message)
        self.give_up = give_up  # a 401 or 429: asking again during this render is pointless


@dataclass(frozen=True)
class Candidate:
    """One picture or clip a scene could show. `url` for stock (downloaded when chosen), `storage_name` for
    the library (already stored and checked)."""

    source: str  # "pexels", "pixabay", "library"
    id: str  # the source's own id: with `source`, what "the same clip" means
    kind: str  # VIDEO or PHOTO
    width: int
    height: int
    duration: float = 0.0  # seconds, 0 for photos
    url: str | None = None
    storage_name: str | None = None
    preview: str | None = None  # a small picture for the editor
    license: str = ""
    attribution: str = ""  # text to show where the license asks for it ("" when it asks for none)
    page_url: str = ""  # the work's page at the source
    tags: tuple[str, ...] = field(default=())
    prompt: str = ""  # what an AI source is asked to make (mediakit/visuals/generated.py)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


@runtime_checkable
class VisualSource(Protocol):
    name: str

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        """Candidates for the scene, best first; raises SourceError when the source cannot answer."""
        ...

    def search(self, query: str, aspect: str) -> list[Candidate]:
        """Candidates for a creator's own words (the storyboard editor's search box)."""
        ...


def query_for(scene: Scene) -> str:
    """The words a scene is searched by: its title's and keywords, in order, without repeats."""
    words = [*(scene.title or "").lower().split(), *scene.keywords]
    return " ".join(dict.fromkeys(w.strip(".,!?:;\"'") for w in words if w.strip(".,!?:;\"'")))[:100]


def orientation(aspect: str) -> str:
    across, _, down = aspect.partition(":")
    ratio = int(across or 9) / int(down or 16)
    return "portrait" if ratio < 1 else "landscape" if ratio > 1 else "square"


def fits(candidate: Candidate, aspect: str) -> bool:
    """Whether a candidate's shape matches the video's (portrait, landscape or square)."""
    shape = orientation(f"{candidate.width}:{candidate.height}") if candidate.width and candidate.height else ""
    return shape == orientation(aspect)


@dataclass
class Visuals:
    """What the visuals stage needs: the sources in order of preference and where chosen files go."""

    sources: list[VisualSource]
    fetcher: "Fetcher"
    intro: VisualSource | None = None  # asked first for the first scene (a talking avatar)
    ai_seconds: float | None = None  # seconds of AI video this render may have made (None: no limit)
