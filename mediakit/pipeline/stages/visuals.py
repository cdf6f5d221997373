"""Visuals: each generated scene gets footage or a picture from the sources (library, stock, AI video), when
any is set.

Runs after the storyboard stage on storyboards it built (an edited storyboard is the creator's choice).
The stored storyboard.json names the chosen files by storage name, so the editor and the video made from it
find them again; this render uses the local copies. Nothing here fails the render: see `choice.choose`.
"""

import logging

from mediakit.errors import RenderCancelled
from mediakit.pipeline.context import RenderContext
from mediakit.visuals import VisualSource
from mediakit.visuals.choice import choose

log = logging.getLogger(__name__)


def run(ctx: RenderContext) -> None:
    """A storyboard the pipeline built: every scene without a file, from every source."""
    if ctx.visuals is None or ctx.storyboard is None:
        return
    if ctx.prefetch is not None:  # what it searched and downloaded is remembered; usually done by now
        ctx.report["prefetch"] = ctx.prefetch.wait()
    _choose(ctx, ctx.visuals.sources, ctx.visuals.intro, None)


def run_edited(ctx: RenderContext) -> None:
    """An edited storyboard: only the scenes the editor marked for AI video, from the AI sources; every
    other scene is the creator's choice."""
    if ctx.visuals is None or ctx.storyboard is None:
        return
    marked = [index for index, scene in enumerate(ctx.storyboard.scenes) if scene.ai_video]
    generators = [source for source in ctx.visuals.sources if hasattr(source, "generate")]
    if marked and not generators:
        ctx.report["visual_notes"] = [*ctx.report.get("visual_notes", []), "AI video scenes kept their look"]
        return
    _choose(ctx, generators, None, marked)


def _choose(
    ctx: RenderContext, sources: list[VisualSource], intro: VisualSource | None, only: list[int] | None
) -> None:
    assert ctx.visuals is not None and ctx.storyboard is not None
    for source in [intro, *sources]:
        if hasattr(source, "narrated"):  # AI sources: prompts from the words, an avatar speaks the audio
            source.narrated(ctx.words, ctx.outputs.get("wav"))
    try:
        result = choose(
            ctx.storyboard,
            sources,
            ctx.aspect,
            ctx.visuals.fetcher,
            intro=intro,
            ai_seconds=ctx.visuals.ai_seconds,
            on_progress=ctx.progress,
            is_cancelled=ctx.is_cancelled,
            only=only,
        )
    except RenderCancelled:
        raise
    except Exception as error:  # never a failed render for a visual: the generated looks stay
        log.warning("visuals failed: %r", error)
        failed = f"visual sources failed ({type(error).__name__}); generated looks kept"
        ctx.report["visual_notes"] = [*ctx.report.get("visual_notes", []), failed]
        return
    ctx.storyboard = result.local
    if "storyboard" in ctx.outputs:
        ctx.outputs["storyboard"].write_text(result.stored.to_json(), encoding="utf-8")
    # After what the caller put there (the credits of an edited storyboard's stock, notes of options off).
    made = {visual["scene"] for visual in result.visuals}  # a new file replaces the scene's earlier credit
    kept = [visual for visual in ctx.report.get("visuals", []) if visual["scene"] not in made]
    ctx.report["visuals"] = sorted([*kept, *result.visuals], key=lambda visual: visual["scene"])
    ctx.report["visual_notes"] = [*ctx.report.get("visual_notes", []), *result.notes]
    if result.generated:
        ctx.report["ai_video_seconds"] = {source: round(s, 3) for source, s in result.generated.items()}
    ctx.progress(1.0)
