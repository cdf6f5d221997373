"""Visuals: each generated scene gets footage or a picture from the sources (library, stock, AI video), when
any is set.

Runs after the storyboard stage on storyboards it built (an edited storyboard is the creator's choice).
The stored storyboard.json names the chosen files by storage name, so the editor and the video made from it
find them again; this render uses the local copies. Nothing here fails the render: see `choice.choose`.
"""

import logging

from mediakit.errors import RenderCancelled
from mediakit.pipeline.context import RenderContext
from mediakit.visuals.choice import choose

log = logging.getLogger(__name__)


def run(ctx: RenderContext) -> None:
    if ctx.visuals is None or ctx.storyboard is None:
        return
    visuals = ctx.visuals
    if ctx.prefetch is not None:  # what it searched and downloaded is remembered; usually done by now
        ctx.report["prefetch"] = ctx.prefetch.wait()
    for source in [visuals.intro, *visuals.sources]:
        if hasattr(source, "narrated"):  # AI sources: prompts from the words, an avatar speaks the audio
            source.narrated(ctx.words, ctx.outputs.get("wav"))
    try:
        result = choose(
            ctx.storyboard,
            visuals.sources,
            ctx.aspect,
            visuals.fetcher,
            intro=visuals.intro,
            ai_seconds=visuals.ai_seconds,
            on_progress=ctx.progress,
            is_cancelled=ctx.is_cancelled,
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
    ctx.report["visuals"] = result.visuals
    ctx.report["visual_notes"] = [*ctx.report.get("visual_notes", []), *result.notes]  # after the caller's
    if result.generated:
        ctx.report["ai_video_seconds"] = {source: round(s, 3) for source, s in result.generated.items()}
    ctx.progress(1.0)
