"""The writer for a workspace: which model it uses, what a campaign adds to the prompt, the plan's token
allowance, and the ledger of tokens spent. Drafting and rewriting themselves are mediakit.writer's.

Nothing is saved here but the usage row: a draft goes into the editor and is saved by the creator, so a failed
or refused draft leaves nothing half-written behind.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import lanes
from accounts.models import Workspace
from billing.limits import check_llm_allowance, record_llm_usage
from billing.quota import QuotaExceeded
from mediakit.text.outline import OutlineError
from mediakit.writer.drafts import (
    Draft,
    DraftBrief,
    DraftRefused,
    Rewrite,
    rewrite_block,
    rewrite_selection,
    suggest_topics,
    write_draft,
)
from mediakit.writer.providers import PROVIDERS, ProviderConfig, ProviderError, Usage
from scripts.models import Campaign, Script
from scripts.performance import best_first, performance_of
from writer.context import writer_context
from writer.models import Draft as WriterDraft
from writer.models import WorkspaceWriter

PAST_SCRIPTS = 3  # of the campaign, for its voice: its best performers first, then the newest
PAST_SCRIPTS_SCANNED = 200  # the campaign's latest scripts among which its best performers are looked for


class WriterUnavailable(Exception):
    """No language model is configured here; the message says what to set."""

    def __init__(self) -> None:
        super().__init__(
            "No writing model is set up on this server (OPENAI_API_KEY or ANTHROPIC_API_KEY): "
            "the outline writer works without one."
        )


def providers_on_offer() -> list[tuple[str, str]]:
    """(name, label) of each configured provider, in order of preference."""
    return [(config.name, config.label) for config in writer_context().providers]


def provider_for(workspace: Workspace, requested: str = "") -> ProviderConfig:
    """The provider asked for (remembered as the workspace's choice), else the workspace's last choice, else the
    first configured one. WriterUnavailable when none is; ValueError naming the choices for an unknown one."""
    context = writer_context()
    if not context.providers:
        raise WriterUnavailable()
    offered = [config.name for config in context.providers]
    if requested:
        if requested not in offered:
            labels = ", ".join(offered)
            known = requested in PROVIDERS
            raise ValueError(f"{requested} is not configured here; choose {labels}." if known else f"Choose {labels}.")
        WorkspaceWriter.objects.update_or_create(workspace=workspace, defaults={"provider": requested})
        return context.provider(requested)
    chosen = WorkspaceWriter.objects.filter(workspace=workspace).values_list("provider", flat=True).first()
    return context.provider(chosen or "")


def brief_for(
    workspace: Workspace,
    *,
    topic: str,
    platform: str,
    seconds: int,
    tone: str,
    speakers: list[str],
    language: str,
    campaign: Campaign | None,
) -> DraftBrief:
    """The brief with the campaign's brand notes and past scripts: those whose videos did best first (views, then
    watch time), then the newest (OutlineError for a bad answer)."""
    notes, examples, best = "", (), 0
    if campaign is not None:
        notes = campaign.brand_notes
        scripts = Script.objects.filter(workspace=workspace, campaign=campaign).order_by("-updated_at", "-pk")
        bodies = dict(scripts.values_list("pk", "body")[:PAST_SCRIPTS_SCANNED])
        measured = performance_of(workspace.pk)
        chosen = best_first(list(bodies), measured)[:PAST_SCRIPTS]
        examples = tuple(bodies[pk] for pk in chosen)
        best = sum(1 for pk in chosen if pk in measured and measured[pk].views)
    return DraftBrief.checked(
        topic, platform=platform, seconds=seconds, tone=tone, speakers=speakers, language=language,
        words_per_minute=settings.NARRATION_WORDS_PER_MINUTE, brand_notes=notes, examples=examples,
        best_examples=best,
    )  # fmt: skip


def record_spending(workspace: Workspace, user, config: ProviderConfig, purpose: str, usage: Usage) -> None:
    """The tokens go on the ledger whatever happened: the provider bills failed and refused answers too."""
    with transaction.atomic():
        record_llm_usage(
            workspace, user, provider=config.name, model=config.model, purpose=purpose,
            input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
        )  # fmt: skip


def draft(
    workspace: Workspace,
    user,
    brief: DraftBrief,
    config: ProviderConfig,
    *,
    on_text: Callable[[str], None] = lambda piece: None,
    on_retry: Callable[[str], None] = lambda reason: None,
) -> tuple[Draft, Usage]:
    """A checked draft (ProviderError, DraftRefused, QuotaExceeded otherwise); its tokens recorded either way."""
    check_llm_allowance(workspace)
    usage = Usage()
    try:
        result = write_draft(
            config, brief, usage, max_tokens=writer_context().max_output_tokens, on_text=on_text, on_retry=on_retry
        )
    finally:
        record_spending(workspace, user, config, "draft", usage)
    return result, usage


def rewrite(
    workspace: Workspace,
    user,
    config: ProviderConfig,
    script: str,
    block: int | None,
    tool: str,
    *,
    selection: tuple[int, int] | None = None,
    seconds: int = 10,
    speakers: tuple[str, ...] = (),
    language: str = "en",
) -> tuple[Rewrite, Usage]:
    """Block `block` (1-based) of `script`, or the words `selection` (start, end: character offsets) of one block,
    rewritten by `tool`; ScriptError for a bad script or block number, SelectionError for a bad selection (both
    before any call)."""
    check_llm_allowance(workspace)
    usage = Usage()
    options = {"seconds": seconds, "speakers": speakers, "language": language,
               "words_per_minute": settings.NARRATION_WORDS_PER_MINUTE}  # fmt: skip
    try:
        if selection is not None:
            result = rewrite_selection(config, script, *selection, tool, usage, **options)
        else:
            result = rewrite_block(config, script, block or 0, tool, usage, **options)
    finally:
        record_spending(workspace, user, config, "rewrite", usage)
    return result, usage


def topic_ideas(
    workspace: Workspace, user, config: ProviderConfig, best: list[tuple[str, int]]
) -> tuple[list[str], Usage]:
    """Topics like these videos ((title, views), best first) from the model (ProviderError, DraftRefused,
    QuotaExceeded otherwise); its tokens recorded either way."""
    check_llm_allowance(workspace)
    usage = Usage()
    try:
        topics = suggest_topics(config, best, usage)
    finally:
        record_spending(workspace, user, config, "topics", usage)
    return topics, usage


# Drafts written in the fast lane (POST /api/v1/drafts): a row the client polls, kept a day.
DRAFT_KEEP = timedelta(days=1)
DRAFT_TASK = "writer.tasks.write_queued_draft"


def start_draft(workspace: Workspace, user, answers: dict, config: ProviderConfig) -> WriterDraft:
    """A queued draft row and its fast-lane task; the plan's allowance is checked now (QuotaExceeded) so a
    refused workspace hears it at once. Old drafts of the workspace are swept here (lazy cleanup)."""
    check_llm_allowance(workspace)
    WriterDraft.objects.filter(workspace=workspace, created_at__lt=timezone.now() - DRAFT_KEEP).delete()
    row = WriterDraft.objects.create(
        public_id=uuid.uuid4(), workspace=workspace, user=user, provider=config.name, model=config.model,
        brief=answers,
    )  # fmt: skip
    # Queued at once, not on commit: the API runs in autocommit, so the row is already committed, and the view
    # waits for the task within the same request (WRITER_INLINE_SECONDS).
    lanes.enqueue(DRAFT_TASK, row.pk, lane=lanes.FAST, task_name=f"draft-{row.pk}")
    return row


def draft_for_member(workspace: Workspace, public_id: uuid.UUID) -> WriterDraft | None:
    """The workspace's draft, while it is kept (None otherwise: another workspace's is not found either); one
    whose worker stopped answering is failed now, so a poller is never left waiting."""
    fresh = timezone.now() - DRAFT_KEEP
    drafts = WriterDraft.objects.filter(workspace=workspace, public_id=public_id, created_at__gte=fresh)
    fail_stale_drafts(drafts)
    return drafts.first()


STALE_MESSAGE = "The writer stopped answering; nothing was saved. Try again."


def fail_stale_drafts(drafts=None) -> int:
    """Drafts (of `drafts`, else all) still queued or writing WRITER_DRAFT_STALE_AFTER after they were asked for
    are failed: their worker died or was stopped. A late worker then finds them failed and stores nothing."""
    cutoff = timezone.now() - timedelta(seconds=settings.WRITER_DRAFT_STALE_AFTER)
    stale = (WriterDraft.objects.all() if drafts is None else drafts).filter(
        status__in=(WriterDraft.QUEUED, WriterDraft.WRITING), created_at__lt=cutoff
    )
    return stale.update(status=WriterDraft.FAILED, error_code="writer_stopped", error=STALE_MESSAGE)


def write_queued_draft(draft_id: int) -> None:
    """The fast-lane task: writes the draft and stores the script, or the failure in plain words. Only a
    finished, checked script is stored: a failed draft has no body."""
    claimed = WriterDraft.objects.filter(pk=draft_id, status=WriterDraft.QUEUED).update(status=WriterDraft.WRITING)
    if not claimed:
        return  # gone (expired) or already taken by another worker
    row = WriterDraft.objects.select_related("workspace", "user").get(pk=draft_id)
    answers = row.brief
    usage = Usage()
    try:
        config = writer_context().provider(row.provider)
        if config is None:
            raise WriterUnavailable()
        campaign = None
        if answers.get("campaign"):
            campaign = Campaign.objects.filter(workspace=row.workspace, pk=answers["campaign"]).first()
        brief = brief_for(
            row.workspace, topic=answers["topic"], platform=answers["platform"], seconds=answers["seconds"],
            tone=answers["tone"], speakers=answers["speakers"], language=answers["language"], campaign=campaign,
        )  # fmt: skip
        result, usage = draft(row.workspace, row.user, brief, config)
    except ProviderError as error:
        _fail(row, f"writer_{error.kind}", str(error))
        return
    except (DraftRefused, QuotaExceeded, OutlineError, WriterUnavailable) as error:
        code = "writer_unreadable" if isinstance(error, DraftRefused) else "writer_refused"
        _fail(row, "quota_exceeded" if isinstance(error, QuotaExceeded) else code, str(error))
        return
    except Exception:
        _fail(row, "writer_error", "The writer failed unexpectedly; try again.")
        raise
    words = sum(len(block.text.split()) for block in result.blocks)
    # Only while still writing: a draft failed as stale meanwhile stays failed, as its poller was told.
    WriterDraft.objects.filter(pk=row.pk, status=WriterDraft.WRITING).update(
        status=WriterDraft.DONE, title=result.title[:200], body=result.body, words=words, repaired=result.repaired,
        input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
    )  # fmt: skip


def _fail(row: WriterDraft, code: str, message: str) -> None:
    WriterDraft.objects.filter(pk=row.pk, status=WriterDraft.WRITING).update(
        status=WriterDraft.FAILED, error_code=code, error=message
    )
