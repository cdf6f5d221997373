"""Searches and downloads while narration runs, so they are not counted in render time.

A scene's keywords come from its words, which the script already has: before narration knows the times,
each block (and each sentence of a longer block: where the storyboard cuts long blocks) is a predicted
scene. A thread asks the sources for each predicted scene and downloads its first candidate into the
workspace's cache while the narration is synthesised. The visuals stage then asks the same remembered
sources (a search already made, or still in flight, is not made again; its error too, so a refused key is
asked once) and finds the downloads in the cache. A prediction that misses costs one search, nothing else.
AI generations are not made ahead: their prompts and audio come from the narration, and they cost money.
"""

import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from mediakit.text.punctuation import break_rank
from mediakit.text.script import Block
from mediakit.threads import pool_in_context
from mediakit.video.storyboard import Scene, extract_keywords
from mediakit.visuals import Candidate, SourceError, Visuals, VisualSource, query_for
from mediakit.visuals.download import DownloadError


class Remembered:
    """A source whose answers (or errors) are kept per query for one render; thread-safe, one call per query."""

    def __init__(self, source: VisualSource) -> None:
        self.source = source
        self.name = source.name
        self._answers: dict[tuple[str, str], Future] = {}
        self._lock = threading.Lock()

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        key = (query_for(scene), aspect)
        with self._lock:
            answer = self._answers.get(key)
            asking = answer is None
            if asking:
                answer = self._answers[key] = Future()
        if asking:
            try:
                answer.set_result(self.source.find(scene, aspect))
            except Exception as error:  # kept, so whoever asks next hears it too (never a hang)
                answer.set_exception(error)
        return list(answer.result())

    def search(self, query: str, aspect: str) -> list[Candidate]:
        return self.source.search(query, aspect)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)  # allows, and whatever else choose asks of the source


@dataclass
class Prefetch:
    """Started before narration, waited for by the visuals stage; `report` says what it did and when."""

    visuals: Visuals
    blocks: list[Block]
    aspect: str
    stop: threading.Event = field(default_factory=threading.Event)
    report: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0  # time.monotonic() when the thread began and ended its work
    ended: float = 0.0
    _done: Future | None = None
    _pool: Any = None

    def start(self) -> None:
        # Generators stay as they are (not searched ahead); the others are remembered for the visuals stage.
        self.visuals.sources = [s if hasattr(s, "generate") else Remembered(s) for s in self.visuals.sources]
        self._pool = pool_in_context(1)
        self._done = self._pool.submit(self._run)
        self._pool.shutdown(wait=False)

    def wait(self) -> dict[str, Any]:
        """Until the thread is done (at once when narration took longer); what it did."""
        if self._done is not None:
            waited = time.perf_counter()
            try:
                self._done.result()
            except Exception as error:  # the stage asks the sources itself; this only cost time
                self.report["failed"] = type(error).__name__
            self.report["waited"] = round(time.perf_counter() - waited, 3)
        return self.report

    def cancel(self) -> None:
        self.stop.set()

    def _run(self) -> None:
        self.started = time.monotonic()
        self.report.update(searches=0, downloads=0, errors=0)
        remembered = [s for s in self.visuals.sources if isinstance(s, Remembered)]
        for scene in predicted_scenes(self.blocks):
            for source in list(remembered):
                if self.stop.is_set():
                    return
                self.report["searches"] += 1
                try:
                    found = source.find(scene, self.aspect)
                except SourceError as error:
                    self.report["errors"] += 1
                    if error.give_up:  # a refused key or a rate limit: not asked again ahead
                        remembered.remove(source)
                    continue
                if found and (found[0].storage_name or self.visuals.fetcher.cached(found[0])):
                    break  # the library's own file, or downloaded for an earlier script: nothing to fetch
                if found:
                    try:
                        self.visuals.fetcher.fetch(found[0], getattr(source, "allows", lambda url: False))
                        self.report["downloads"] += 1
                    except DownloadError:
                        self.report["errors"] += 1  # the visuals stage tries again and notes why
                    break  # the first source with candidates is the one the stage will take
        self.ended = time.monotonic()
        self.report["seconds"] = round(self.ended - self.started, 3)


def predicted_scenes(blocks: list[Block]) -> list[Scene]:
    """The scenes the storyboard will probably have, as far as the words tell: each block, then each sentence
    of blocks with more than one (long blocks are cut at sentence ends). Times are unknown (zero)."""
    scenes: list[Scene] = []
    for index, block in enumerate(blocks):
        whole = Scene(0.0, 0.0, index, block.speaker, keywords=tuple(extract_keywords([block.text])))
        scenes.append(whole)
        sentences = _sentences(block.text)
        if len(sentences) > 1:
            scenes += [replace(whole, keywords=tuple(extract_keywords(s))) for s in sentences]
    unique: dict[str, Scene] = {}
    for scene in scenes:
        if query_for(scene):
            unique.setdefault(query_for(scene), scene)
    return list(unique.values())


def _sentences(text: str) -> list[list[str]]:
    """The text's words by sentence, cut where the storyboard would cut (after a sentence's last word)."""
    sentences: list[list[str]] = [[]]
    for word in text.split():
        sentences[-1].append(word)
        if break_rank(word) == 0:
            sentences.append([])
    return [words for words in sentences if words]
