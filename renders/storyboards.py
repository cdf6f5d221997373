"""Editing a prepared storyboard before the video render, and rendering the video from the edit.

A "Prepare storyboard" job narrates the script and builds scenes; edits are saved on that job
(`RenderJob.edited_storyboard`) because scene times belong to its narration. The video job reuses the
job's frozen blocks and voices, so the speech cache gives the same narration and the times still fit.
"""

import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from mediakit.text.script import Block, ScriptError, parse_json
from mediakit.video.looks import NAMES as LOOK_NAMES
from mediakit.video.storyboard import (
    LAYOUTS,
    Brand,
    Scene,
    Storyboard,
    StoryboardError,
    brand_background,
    merge_scenes,
    split_scene,
)
from mediakit.visuals import Candidate, SourceError, VisualSource
from mediakit.visuals.download import DownloadError
from renders import visuals
from renders.models import MediaItem, RenderJob, RenderOutput
from renders.services import create_job, regenerate_blocks
from scripts.services import rewrite_block

EXCERPT_CHARS = 140


@dataclass(frozen=True)
class SceneRow:
    """A scene as the editor shows it: number from 1, the scene, and the words spoken during it."""

    number: int
    scene: Scene
    excerpt: str
    credit: dict[str, str] | None = None  # the stock file's source, license and attribution
    words: tuple[tuple[str, float], ...] = ()  # the words spoken during it, (text, start)
    last: bool = False  # the last scene (nothing to merge with)
    text: "SceneText | None" = None  # its words as its block writes them, to edit; None when it cannot be

    @property
    def file_name(self) -> str:
        return (self.scene.background.path or "").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SceneEdit:
    kind: str
    colors: list[str]
    title: str
    zoom: bool
    layout: str = LAYOUTS[0]
    ai_video: bool = False  # an AI clip made for it when the video renders
    upload: UploadedFile | None = None
    look: str | None = None  # the generated look of a "motion" background


def is_editable(job: RenderJob) -> bool:
    return job.render_options.prepare_storyboard and job.status == RenderJob.Status.SUCCEEDED


def storyboard_of(job: RenderJob) -> Storyboard | None:
    """The edited storyboard if there is one, else the one the job built; None if the job has none."""
    if job.edited_storyboard:
        return Storyboard.from_json(job.edited_storyboard)
    data = _output_json(job, RenderOutput.Kind.STORYBOARD)
    return Storyboard.from_json(data) if data is not None else None


@dataclass(frozen=True)
class SceneText:
    """The part of one block a scene says: tokens `first`..`end` (whitespace-separated, as the script writes
    them) of block `block` (0-based). The whole block when its words cannot be matched token by token."""

    block: int
    first: int
    end: int
    text: str
    whole_block: bool = False


@dataclass(frozen=True)
class _Word:
    block: int
    position: int  # in the block's words
    text: str
    start: float


def _words(job: RenderJob) -> list[_Word]:
    blocks = (_output_json(job, RenderOutput.Kind.JSON) or {}).get("blocks", [])
    return [
        _Word(block["index"], position, word["text"], word["start"])
        for block in blocks
        for position, word in enumerate(block["words"])
    ]


def spoken_words(job: RenderJob) -> list[tuple[str, float]]:
    """The job's narration as (text, start) per word, from its JSON output."""
    return [(word.text, word.start) for word in _words(job)]


def _inside(scene: Scene, words: list[_Word]) -> list[_Word]:
    # Rounded scene times: a word starting within a millisecond of the cut belongs to the later scene.
    return [word for word in words if scene.start - 1e-3 <= word.start < scene.end - 1e-3]


def _scene_text(job: RenderJob, words: list[_Word], inside: list[_Word]) -> SceneText | None:
    """What of its block a scene says, or None for a scene with no words or words of several blocks."""
    if not inside or len({word.block for word in inside}) != 1 or not 0 <= inside[0].block < len(job.blocks):
        return None
    index = inside[0].block
    tokens = job.blocks[index]["text"].split()
    said = [word.text for word in words if word.block == index]
    if said != tokens:  # a token said as several words or none (an emoji): edit the whole block instead
        return SceneText(index, 0, len(tokens), " ".join(tokens), whole_block=True)
    first, end = inside[0].position, inside[-1].position + 1
    return SceneText(index, first, end, " ".join(tokens[first:end]))


def scene_rows(job: RenderJob, board: Storyboard) -> list[SceneRow]:
    words = _words(job)
    rows = []
    credits = {c["scene"]: c for c in visuals.credits_for(job.workspace_id, board)}
    for number, scene in enumerate(board.scenes, start=1):
        inside = _inside(scene, words)
        spoken = " ".join(word.text for word in inside)
        excerpt = spoken if len(spoken) <= EXCERPT_CHARS else spoken[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"
        last = number == len(board.scenes)
        timed = tuple((word.text, word.start) for word in inside)
        text = _scene_text(job, words, inside)
        rows.append(SceneRow(number, scene, excerpt, credits.get(number), timed, last, text))
    return rows


@dataclass(frozen=True)
class Rewritten:
    job: RenderJob  # the new "Prepare storyboard" job
    place: SceneText  # what of which block the scene said
    script_changed: bool  # the script says the new words too (False: it changed since, or the block runs over lines)


def rewrite_scene(job: RenderJob, number: int, text: str, user: Any) -> Rewritten:
    """Say scene `number` with new words: its block is narrated again with them in a new "Prepare storyboard"
    job (`services.regenerate_blocks`; the other blocks come from the speech cache), and the job's script says
    them too where it still holds the block as the job froze it. The new narration has new timings, so the new
    job builds its own storyboard; this one keeps its edits. Raises StoryboardError for words that cannot be
    said, Refused and QuotaExceeded as regenerating a block does (nothing changed then)."""
    board = storyboard_of(job)
    if board is None or not 1 <= number <= len(board.scenes):
        raise StoryboardError(f"scene {number}: there is no such scene")
    words = _words(job)
    place = _scene_text(job, words, _inside(board.scenes[number - 1], words))
    if place is None:
        raise StoryboardError(
            f"scene {number}: its words belong to several blocks (or it has none); split it where a block starts"
            " and edit each part"
        )
    new = " ".join(text.split())
    if not new:
        raise StoryboardError(f"scene {number}: write the words it should say")
    if new == place.text:
        raise StoryboardError(f"scene {number}: the words are unchanged")
    tokens = job.blocks[place.block]["text"].split()
    block_text = " ".join([*tokens[: place.first], new, *tokens[place.end :]]).strip()
    blocks = [dict(block) for block in job.blocks]
    blocks[place.block]["text"] = block_text
    try:  # the checks a script's blocks get: something to say, the length limit
        parse_json({"blocks": blocks}, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
    except ScriptError as error:
        raise StoryboardError(f"scene {number}: {error}".replace(f"block {place.block + 1}: ", "")) from None
    with transaction.atomic():  # the script changes only with the job that says its new words
        again = regenerate_blocks(job, [place.block], user, texts={place.block: block_text})
        frozen = Block.from_dict(job.blocks[place.block])
        changed = job.script is not None and rewrite_block(job.script, frozen, block_text)
    return Rewritten(again, place, changed)


def split(job: RenderJob, number: int, at: float) -> Storyboard:
    """Cut scene `number` where one of its words starts; raises StoryboardError."""
    return _change(job, lambda board: split_scene(board, number, at, spoken_words(job)))


def merge(job: RenderJob, number: int) -> Storyboard:
    """Scene `number` and the next as one; raises StoryboardError."""
    return _change(job, lambda board: merge_scenes(board, number, spoken_words(job)))


def _change(job: RenderJob, change: Callable[[Storyboard], Storyboard]) -> Storyboard:
    """Apply a change to the stored storyboard under the job's row lock, checked, and store it."""
    with transaction.atomic():
        locked = RenderJob.objects.select_for_update().get(pk=job.pk)
        board = storyboard_of(locked)
        if board is None:
            raise StoryboardError("this job has no storyboard")
        checked = Storyboard.from_json(change(board).to_json())
        locked.edited_storyboard = json.loads(checked.to_json())
        locked.save(update_fields=["edited_storyboard"])
    job.edited_storyboard = locked.edited_storyboard
    return checked


def save_scene(job: RenderJob, number: int, edit: SceneEdit) -> Storyboard:
    """Apply one scene's edit, check the whole storyboard, store it on the job; raises StoryboardError.

    The edit applies to the stored storyboard read under the job's row lock, not to `job` as the caller
    loaded it: two scenes saved at once (two tabs, two teammates) both keep their edit.
    """
    with transaction.atomic():
        locked = RenderJob.objects.select_for_update().get(pk=job.pk)
        board = storyboard_of(locked)
        if board is None or not 1 <= number <= len(board.scenes):
            raise StoryboardError(f"scene {number}: there is no such scene")
        data = json.loads(board.to_json())
        scene = data["scenes"][number - 1]
        media = edit.kind in ("image", "video")
        # Keep the stored file while the kind stays the same: editing a title must not ask for the upload again.
        path = scene["background"].get("path") if scene["background"]["kind"] == edit.kind else None
        if edit.upload is not None and media:
            path = "pending-upload"  # stored only once the rest of the edit is valid
        scene.update(
            background={
                "kind": edit.kind,
                "colors": [] if media else edit.colors,
                "path": path if media else None,
                **({"look": edit.look} if edit.look else {}),
            },
            title=edit.title.strip() or None,
            zoom=edit.zoom,
            layout=edit.layout,
            ai_video=edit.ai_video,
        )
        checked = Storyboard.from_json(data)
        if path == "pending-upload":
            scene["background"]["path"] = store_background(job.workspace_id, edit.upload)
            checked = Storyboard.from_json(data)
        locked.edited_storyboard = data
        locked.save(update_fields=["edited_storyboard"])
    job.edited_storyboard = data
    return checked


def store_background(workspace_id: int, upload: UploadedFile) -> str:
    """Save an (already validated) background inside the workspace; returns its storage name."""
    name = get_valid_filename(upload.name.rsplit("/", 1)[-1]) or "background"
    return default_storage.save(f"workspaces/{workspace_id}/media/{uuid.uuid4().hex}/{name}", upload)


ALTERNATIVES_PER_SOURCE = 6


@dataclass(frozen=True)
class SourceAlternatives:
    """One source's offer for a scene: its candidates, or why it has none."""

    source: str
    candidates: list[Candidate]
    note: str = ""


def alternatives(job: RenderJob, number: int, query: str = "", source: str = "") -> list[SourceAlternatives]:
    """What each source (the library, then stock with keys) offers for scene `number`: found from the scene's
    keywords, or from `query` when the creator searches; `source` limits the search to one source."""
    board = storyboard_of(job)
    if board is None or not 1 <= number <= len(board.scenes):
        raise StoryboardError(f"scene {number}: there is no such scene")
    scene, aspect = board.scenes[number - 1], job.render_options.aspect or "9:16"
    offers = []
    for each in visuals.sources_for(job.workspace_id):
        if source and each.name != source:
            continue
        try:
            found = each.search(query, aspect) if query.strip() else each.find(scene, aspect)
        except SourceError as error:
            offers.append(SourceAlternatives(each.name, [], str(error)))
            continue
        offers.append(SourceAlternatives(each.name, found[:ALTERNATIVES_PER_SOURCE], "" if found else "nothing found"))
    return offers


def swap_visual(job: RenderJob, number: int, source: str, candidate_id: str, query: str = "") -> Storyboard:
    """Put a source's candidate into scene `number`. The candidate is found again by searching the source (the
    client names a source and an id, never a link), fetched and checked, then stored on the job under its lock."""
    board = storyboard_of(job)
    if board is None or not 1 <= number <= len(board.scenes):
        raise StoryboardError(f"scene {number}: there is no such scene")
    scene, aspect = board.scenes[number - 1], job.render_options.aspect or "9:16"
    chosen = next((each for each in visuals.sources_for(job.workspace_id) if each.name == source), None)
    if chosen is None:
        raise StoryboardError(f"scene {number}: {source or 'that source'} is not available")
    try:
        found = chosen.search(query, aspect) if query.strip() else chosen.find(scene, aspect)
    except SourceError as error:
        raise StoryboardError(f"scene {number}: {error}") from None
    candidate = next((c for c in found if c.id == candidate_id), None)
    if candidate is None:
        raise StoryboardError(f"scene {number}: that {source} result is no longer offered; search again")
    return _fetch_into(job, number, chosen, candidate)


def next_visual(job: RenderJob, number: int) -> Storyboard:
    """Give scene `number` a different visual (a review's "regenerate a scene"): the next of the alternatives its
    sources offer (the library's, then stock's, after the one it shows) that the video does not show yet, fetched
    as a swap is; with none on offer (no stock keys, an empty library), the next generated look. Stored on the job
    like any edit; raises StoryboardError."""
    board = storyboard_of(job)
    if board is None or not 1 <= number <= len(board.scenes):
        raise StoryboardError(f"scene {number}: there is no such scene")
    scene, aspect = board.scenes[number - 1], job.render_options.aspect or "9:16"
    fetcher = visuals.fetcher_for(job.workspace_id, Path("."))
    offers = []  # (source, candidate, its storage name when this workspace has it)
    for source in visuals.sources_for(job.workspace_id):
        try:
            found = source.find(scene, aspect)[:ALTERNATIVES_PER_SOURCE]
        except SourceError:
            continue  # a source that cannot answer now: the others offer, or a look does
        offers += [(source, c, c.storage_name or fetcher.cached(c)) for c in found]
    # Start after the one the scene shows, so asking again goes on through the offers instead of back and forth.
    at = next((i for i, offer in enumerate(offers) if offer[2] == scene.background.path), -1)
    shown = {each.background.path for each in board.scenes if each.background.path}
    for source, candidate, name in offers[at + 1 :] + offers[: at + 1]:
        if name is None or name not in shown:
            return _fetch_into(job, number, source, candidate)
    background = scene.background
    # A picture's scene has no colours of its own: the brand's look for that place in the video.
    brand = job.render_options.brand or Brand()
    colors = background.colors if len(background.colors) == 2 else brand_background(brand, number - 1).colors
    after = LOOK_NAMES.index(background.look) + 1 if background.look in LOOK_NAMES else number
    return save_scene(
        job,
        number,
        SceneEdit(
            kind="motion",
            colors=list(colors),
            title=scene.title or "",
            zoom=scene.zoom,
            layout=scene.layout,
            ai_video=scene.ai_video,
            look=LOOK_NAMES[after % len(LOOK_NAMES)],
        ),
    )


def _fetch_into(job: RenderJob, number: int, source: VisualSource, candidate: Candidate) -> Storyboard:
    with tempfile.TemporaryDirectory() as scratch:
        try:
            name, _ = visuals.fetcher_for(job.workspace_id, Path(scratch)).fetch(
                candidate, getattr(source, "allows", lambda url: False)
            )
        except DownloadError as error:
            raise StoryboardError(f"scene {number}: {error}") from None
    return _put_visual(job, number, "video" if candidate.kind == "video" else "image", name)


def use_library_item(job: RenderJob, number: int, item: MediaItem) -> Storyboard:
    """Put a library item (one just uploaded from the scene, say) into scene `number`."""
    return _put_visual(job, number, "video" if item.kind == MediaItem.Kind.VIDEO else "image", item.file.name)


def _put_visual(job: RenderJob, number: int, kind: str, name: str) -> Storyboard:
    with transaction.atomic():
        locked = RenderJob.objects.select_for_update().get(pk=job.pk)
        data = json.loads(storyboard_of(locked).to_json())
        data["scenes"][number - 1]["background"] = {"kind": kind, "colors": [], "path": name}
        checked = Storyboard.from_json(data)
        locked.edited_storyboard = data
        locked.save(update_fields=["edited_storyboard"])
    job.edited_storyboard = data
    return checked


def render_video(job: RenderJob, user: Any) -> RenderJob:
    """A video job with the (edited) storyboard, the same blocks and voices, and the same look options."""
    board = storyboard_of(job)
    return create_job(
        workspace=job.workspace,
        blocks=[Block.from_dict(block) for block in job.blocks],
        title=job.title,
        kind=RenderJob.Kind.VIDEO,
        user=user,
        script=job.script,
        options=job.render_options.for_storyboard_video(json.loads(board.to_json()), str(job.public_id)),
    )


def _output_json(job: RenderJob, kind: str) -> Any:
    output = next((output for output in job.outputs.all() if output.kind == kind), None)
    if output is None:
        return None
    with output.file.open("rb") as handle:
        return json.load(handle)
