"""Storyboard: scenes from the blocks and the narration's word timings, unless an edited one was given."""

from mediakit.errors import StageError
from mediakit.pipeline.context import RenderContext
from mediakit.video.storyboard import build_storyboard

DURATION_SLACK = 0.05  # seconds an edited storyboard may differ from the narration (rounding)


def run(ctx: RenderContext) -> None:
    if ctx.storyboard is None:
        ctx.storyboard = build_storyboard(ctx.blocks, ctx.words, ctx.duration, brand=ctx.brand, zoom=ctx.zoom)
    elif abs(ctx.storyboard.duration - ctx.duration) > DURATION_SLACK:
        # Edited scene times only fit the narration they were prepared on.
        raise StageError(
            f"the narration is now {ctx.duration:.2f} s but the storyboard was prepared for "
            f"{ctx.storyboard.duration:.2f} s; prepare the storyboard again"
        )
    path = ctx.workdir / "storyboard.json"
    path.write_text(ctx.storyboard.to_json(), encoding="utf-8")
    ctx.outputs["storyboard"] = path
    ctx.report["scenes"] = len(ctx.storyboard.scenes)
    ctx.progress(1.0)
