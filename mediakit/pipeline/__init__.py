"""The render pipeline: stages run in order on a RenderContext, each a module with one `run(ctx)`.

Adding a stage is one module under stages/ and one line in `stages_for`.
"""

import time
from collections.abc import Callable

from mediakit.pipeline.context import RenderContext
from mediakit.pipeline.stages import captions, compose, narrate, storyboard, visuals
from mediakit.visuals.prefetch import Prefetch

Stage = tuple[str, Callable[[RenderContext], None], int]  # (name, run, weight in percent)


def stages_for(ctx: RenderContext) -> list[Stage]:
    stages: list[Stage] = [("narrate", narrate.run, 55), ("captions", captions.run, 5)]
    if ctx.video or ctx.prepare_storyboard:
        stages.append(("storyboard", storyboard.run, 1))
        if ctx.visuals is not None and ctx.storyboard is None:  # storyboards the pipeline builds
            stages.append(("visuals", visuals.run, 4))
        elif ctx.visuals is not None and any(scene.ai_video for scene in ctx.storyboard.scenes):
            stages.append(("visuals", visuals.run_edited, 4))  # an edited one: its scenes marked for AI video
    if ctx.video:
        stages.append(("compose", compose.run, 40))
    return stages


def run_pipeline(ctx: RenderContext) -> RenderContext:
    """Run every stage, recording per-stage wall time in `ctx.report["stages"]`."""
    stages = stages_for(ctx)
    total = sum(weight for _, _, weight in stages)
    timings: dict[str, float] = {}
    done = 0
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    if ctx.visuals is not None and ctx.storyboard is None and any(name == "visuals" for name, _, _ in stages):
        # Searches and downloads run while narration does (the script's words predict the scenes).
        ctx.prefetch = Prefetch(ctx.visuals, ctx.blocks, ctx.aspect)
        ctx.prefetch.start()
    try:
        for name, run, weight in stages:
            ctx.check_cancelled()
            ctx.stage = name
            ctx.percent_span = (round(100 * done / total), round(100 * (done + weight) / total))
            ctx.progress(0.0)
            started = time.perf_counter()
            run(ctx)
            timings[name] = round(time.perf_counter() - started, 3)
            done += weight
    finally:
        if ctx.prefetch is not None:
            ctx.prefetch.cancel()  # a failed or cancelled render stops it; a finished one is done already
    ctx.report["stages"] = timings
    ctx.report["duration"] = round(ctx.duration, 3)
    return ctx


__all__ = ["RenderContext", "run_pipeline", "stages_for"]
