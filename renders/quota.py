"""What a render costs, and the billing calls a job's life makes (billing itself takes plain values).

Admission happens inside the transaction that creates (or requeues) the job: `admit` locks the workspace's
plan row until it commits, so two submissions never decide on the same figures.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from accounts.models import Workspace
from billing.models import UsageEntry
from billing.quota import Admission, Cost, release, reserve, settle
from mediakit.pipeline.stages.narrate import UNIT_MAX_CHARS
from mediakit.text.east_asian import CHARACTERS_PER_WORD, word_equivalents
from mediakit.text.normalize import language_code, normalize
from mediakit.text.script import Block
from mediakit.text.sentences import split_sentences
from renders.models import RenderJob
from renders.options import RenderOptions


def spoken_words(block: Block, language: str) -> int:
    """The words the voice will say, as the narrate stage normalises them: "$1,250" is six words. Japanese and
    Korean are counted by character, as the English words that take the same time."""
    spoken = normalize(block.text, language).spoken_text
    code = language_code(language)
    return word_equivalents(spoken, code) if code in CHARACTERS_PER_WORD else len(spoken.split())


def block_seconds(words: int, pause_after: float) -> float:
    return words * 60 / settings.NARRATION_WORDS_PER_MINUTE + pause_after


def charged_seconds(block_estimates: list[float]) -> int:
    """What quota reserves for narration: the blocks' seconds, rounded up to whole seconds, at least one."""
    return max(math.ceil(sum(block_estimates)), 1)


def cost_of(blocks: list[Block], kind: str, options: RenderOptions) -> Cost:
    """Narration at NARRATION_WORDS_PER_MINUTE plus the script's pauses, rounded up to whole seconds.

    No narration for a storyboard's video, whose narration its "Prepare storyboard" job paid for.
    """
    renders = 1 if kind == RenderJob.Kind.VIDEO else 0
    if options.narration_paid_before:
        return Cost(Decimal(0), renders)
    seconds = [block_seconds(spoken_words(block, options.language), block.pause_after) for block in blocks]
    return Cost(Decimal(charged_seconds(seconds)), renders)


@dataclass(frozen=True)
class BlockEstimate:
    block: Block
    words: int
    seconds: float
    parts: int  # narration units: more than one means the block is split (UNIT_MAX_CHARS a unit)


def estimate(blocks: list[Block], language: str) -> tuple[list[BlockEstimate], int]:
    """Each block's words, seconds and narration units, and the narration seconds quota would charge
    (the editor's live estimate: the same figures as `cost_of`)."""
    estimates = []
    for block in blocks:
        words = spoken_words(block, language)
        parts = len(split_sentences(block.text, UNIT_MAX_CHARS))
        estimates.append(BlockEstimate(block, words, block_seconds(words, block.pause_after), parts))
    return estimates, charged_seconds([estimate.seconds for estimate in estimates])


def admit(
    workspace: Workspace, blocks: list[Block], kind: str, options: RenderOptions
) -> tuple[Admission, RenderOptions]:
    """Reserve the job's cost (QuotaExceeded when the plan cannot take it); the options as admitted carry the
    video height the plan allows and its watermark."""
    admission = reserve(workspace, cost_of(blocks, kind, options), options.height)
    return admission, options.with_changes(height=admission.video_height, watermark=admission.watermark)


def settle_job(job: RenderJob, narration_seconds: float, *, narration_reused: bool = False) -> UsageEntry:
    """Charge what the job delivered. `narration_reused`: every narration unit came from the speech cache; a
    storyboard's video then pays for no narration (its prepare job did). If any unit had to be synthesised
    again, it pays for all of it."""
    if narration_reused and job.render_options.narration_paid_before:
        narration_seconds = 0.0
    video_renders = 1 if job.kind == RenderJob.Kind.VIDEO else 0
    return settle(job.workspace, job.pk, narration_seconds=narration_seconds, video_renders=video_renders)


def release_job(job: RenderJob) -> None:
    """A failed or cancelled job consumes nothing."""
    release(job.workspace, job.pk)
