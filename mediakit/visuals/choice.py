"""Choosing each scene's visual from the sources, never the same one twice in a video, never failing.

Scenes whose background is generated (no file) are offered to the sources in order (the library first,
then stock, then AI video when asked for; a talking avatar first for the first scene); the first candidate
not used yet that downloads and checks cleanly wins. An AI candidate is generated only then, and only when
the workspace's cache lacks it. Any source error (a bad key, a rate limit, nothing found, a failed or timed
out generation, a corrupt download) keeps the scene's generated look and adds a note to the report: a render
never fails for a visual.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mediakit.threads import pool_in_context
from mediakit.video.storyboard import Background, Storyboard
from mediakit.visuals import VIDEO, Candidate, SourceError, VisualSource, query_for
from mediakit.visuals.download import DownloadError, Fetcher

TRIES_PER_SCENE = 3  # downloads tried for one scene before it keeps its generated look
SEARCH_WORKERS = 4  # scenes searched at once


@dataclass
class Choice:
    """The outcome: the storyboard for this render (local files), the one to store (storage names), the
    report's visuals (per scene: source, license, attribution) and notes (what fell back, and why)."""

    local: Storyboard
    stored: Storyboard
    visuals: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    generated: dict[str, float] = field(default_factory=dict)  # AI source -> seconds of video it made


def choose(
    board: Storyboard,
    sources: list[VisualSource],
    aspect: str,
    fetcher: Fetcher,
    used: set[str] | None = None,
    *,
    intro: VisualSource | None = None,
    ai_seconds: float | None = None,
    on_progress: Callable[[float], None] = lambda fraction: None,
    is_cancelled: Callable[[], bool] = lambda: False,
    only: list[int] | None = None,
) -> Choice:
    """`intro` is asked first for the first scene (a talking avatar); `ai_seconds` caps the seconds of AI
    video made in this render (None: no cap); generations report progress through `on_progress`. `only`: the
    scenes (indices) to fill, whatever their look (the editor's AI scenes); else every scene without a file."""
    used = set(used or ())  # candidate keys already in the video (a scene the creator placed, say)
    local, stored = list(board.scenes), list(board.scenes)
    result = Choice(board, board)
    wanted = only if only is not None else [i for i, s in enumerate(board.scenes) if s.background.path is None]
    wanted = [i for i in wanted if query_for(board.scenes[i])]
    offers = _search_all(board, wanted, sources, aspect, intro)
    silenced: set[str] = set()  # generators that refused the key or hit a rate limit
    for done, index in enumerate(wanted):
        scene, number = board.scenes[index], index + 1
        found, notes = offers[index]
        result.notes += [f"scene {number}: {note}" for note in notes]
        candidates = [(source, c) for source, c in found if c.key not in used and source.name not in silenced]
        if not candidates:
            gave_up = any(source.name in silenced and c.key not in used for source, c in found)
            why = (
                "every source that offered one gave up earlier"
                if gave_up
                else f"nothing found for “{query_for(scene)}”"
            )
            result.notes.append(f"scene {number}: {why}; generated look kept")
            continue
        for source, candidate in candidates[:TRIES_PER_SCENE]:
            generate = getattr(source, "generate", None)
            if (
                generate is not None
                and ai_seconds is not None
                and candidate.duration > ai_seconds - sum(result.generated.values())
            ):
                result.notes.append(f"scene {number}: the plan's AI video seconds are used up; {source.name} skipped")
                continue

            def resolve(asked: Candidate, generate: Callable[..., str] = generate, done: int = done) -> str:
                def progress(fraction: float) -> None:
                    on_progress((done + fraction) / len(wanted))

                url = generate(asked, progress, is_cancelled)
                # Billed once made, whatever happens to the download.
                result.generated[asked.source] = result.generated.get(asked.source, 0.0) + asked.duration
                return url

            try:
                name, path = fetcher.fetch(
                    candidate, getattr(source, "allows", _nothing), resolve if generate is not None else None
                )
            except (DownloadError, SourceError) as error:
                result.notes.append(f"scene {number}: {candidate.source} {candidate.id}: {error}")
                used.add(candidate.key)
                if isinstance(error, SourceError) and error.give_up:
                    silenced.add(source.name)
                continue
            used.add(candidate.key)
            kind = "video" if candidate.kind == VIDEO else "image"
            local[index] = replace(scene, background=Background(kind=kind, colors=(), path=str(path)))
            stored[index] = replace(scene, background=Background(kind=kind, colors=(), path=name))
            result.visuals.append(_described(number, candidate, name))
            break
        else:
            result.notes.append(f"scene {number}: no usable download; generated look kept")
        on_progress((done + 1) / len(wanted))
    result.local = replace(board, scenes=tuple(local))
    result.stored = replace(board, scenes=tuple(stored))
    return result


Offer = tuple[list[tuple[VisualSource, Candidate]], list[str]]


def _search_all(
    board: Storyboard, wanted: list[int], sources: list[VisualSource], aspect: str, intro: VisualSource | None
) -> dict[int, Offer]:
    """Every wanted scene's candidates. The first scene alone first: a bad key or a rate limit silences that
    source before the others ask; then the rest at once (searches are network waits, not work)."""
    silenced: set[str] = set()  # sources that gave up (401, 429) are not asked again in this render

    def offer(index: int) -> Offer:
        found, notes = [], []
        for source in [intro, *sources] if intro is not None and index == 0 else sources:
            if source.name in silenced:
                continue
            try:
                found += [(source, c) for c in source.find(board.scenes[index], aspect)]
            except SourceError as error:
                notes.append(str(error))
                if error.give_up:
                    silenced.add(source.name)
        return found, notes

    if not wanted:
        return {}
    offers = {wanted[0]: offer(wanted[0])}
    with pool_in_context(SEARCH_WORKERS) as pool:
        offers.update(zip(wanted[1:], pool.map(offer, wanted[1:]), strict=True))
    return offers


def _described(number: int, candidate: Candidate, name: str) -> dict[str, Any]:
    return {
        "scene": number,
        "source": candidate.source,
        "id": candidate.id,
        "kind": candidate.kind,
        "file": Path(name).name,
        "license": candidate.license,
        "attribution": candidate.attribution,
        "page_url": candidate.page_url,
    }


def _nothing(url: str) -> bool:
    return False  # a source without downloads (the library) allows none
