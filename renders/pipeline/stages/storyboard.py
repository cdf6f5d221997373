"""Storyboard: scenes from the blocks and the narration's word timings, unless an edited one was given."""

from renders.pipeline.context import RenderContext
from renders.pipeline.storyboard import build_storyboard


def run(ctx: RenderContext) -> None:
    if ctx.storyboard is None:
        ctx.storyboard = build_storyboard(ctx.blocks, ctx.words, ctx.duration, brand=ctx.brand, zoom=ctx.zoom)
    path = ctx.workdir / "storyboard.json"
    path.write_text(ctx.storyboard.to_json(), encoding="utf-8")
    ctx.outputs["storyboard"] = path
    ctx.report["scenes"] = len(ctx.storyboard.scenes)
    ctx.progress(1.0)
