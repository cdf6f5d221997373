"""Captions: cues from the word timings, written as SRT, WebVTT (with speaker voice tags) and JSON."""

import json

from mediakit.captions.cues import build_cues
from mediakit.captions.formats import to_json, to_srt, to_vtt
from mediakit.pipeline.context import RenderContext


def run(ctx: RenderContext) -> None:
    cues = build_cues(ctx.words, until=ctx.duration)
    files = {
        "srt": ("captions.srt", to_srt(cues)),
        "vtt": ("captions.vtt", to_vtt(cues)),
        "json": ("captions.json", json.dumps(to_json(ctx.words, cues), indent=1)),
    }
    for kind, (name, content) in files.items():
        path = ctx.workdir / name
        path.write_text(content, encoding="utf-8")
        ctx.outputs[kind] = path
    ctx.report["cues"] = len(cues)
    ctx.progress(1.0)
