"""POST /api/v1/drafts and /api/v1/rewrites: the writer over the API (thin: writer.services does the work).

A draft from a language model is written while the request waits (bounded by WRITER_DEADLINE) and answered
whole and checked; a provider's failure is a 502 (503 when it is rate-limiting us) saying which, in plain words.
"""

import time
import uuid

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import workspace_of
from api.errors import ApiError
from api.serializers import (
    DraftInputSerializer,
    DraftResourceSerializer,
    DraftSerializer,
    ErrorSerializer,
    RewriteInputSerializer,
    RewriteSerializer,
    script_errors,
)
from mediakit.text.outline import OutlineError, draft_outline
from mediakit.text.script import ScriptError
from mediakit.writer.drafts import DraftRefused, SelectionError
from mediakit.writer.providers import ProviderError, Usage
from scripts.models import Campaign
from writer import services
from writer.models import Draft as WriterDraft
from writer.services import WriterUnavailable

ERR = OpenApiResponse(ErrorSerializer)
WRITER_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Validation error naming the field"),
    401: ERR,
    402: OpenApiResponse(ErrorSerializer, description="The plan's writer tokens for this period are used up"),
    429: ERR,
    502: OpenApiResponse(ErrorSerializer, description="The model refused, failed or wrote nonsense twice"),
    503: OpenApiResponse(ErrorSerializer, description="The model is rate-limiting us; try later"),
}


def _usage(usage: Usage) -> dict[str, int]:
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}


def _provider_refusal(error: ProviderError | DraftRefused) -> ApiError:
    if isinstance(error, DraftRefused):
        return ApiError(502, "writer_unreadable", str(error))
    status = 503 if error.kind == "busy" else 502
    return ApiError(status, f"writer_{error.kind}", str(error), {"kind": error.kind})


class DraftView(APIView):
    @extend_schema(
        summary="Draft a script",
        description="With a writing model configured (OPENAI_API_KEY or ANTHROPIC_API_KEY), a full script in the "
        "text format for `speakers`, checked by our parser (an unreadable answer is sent back once, then refused "
        "with 502 `writer_unreadable`); nothing is saved: POST it to /scripts to keep it. Without one, or with "
        "`writer: outline`, an outline: a hook, three points and a call to action with [[parts]] for you to write "
        "(a script with [[parts]] left is refused for rendering). A model's draft is written in the background: "
        "when it takes longer than WRITER_INLINE_SECONDS the answer is 202 with a draft to poll at its `url`.",
        request=DraftInputSerializer,
        responses={200: DraftSerializer, 202: DraftResourceSerializer, **WRITER_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = data.validated_data
        workspace = workspace_of(request)
        campaign = None
        if "campaign" in answers:
            campaign = Campaign.objects.filter(workspace=workspace, pk=answers["campaign"]).first()
            if campaign is None:
                raise ValidationError({"campaign": ["No such campaign in this workspace."]})
        try:
            config = None if answers["writer"] == "outline" else services.provider_for(workspace, answers["writer"])
        except WriterUnavailable as unavailable:
            if answers["writer"]:
                raise ValidationError({"writer": [str(unavailable)]}) from None
            config = None
        except ValueError as unknown:
            raise ValidationError({"writer": [str(unknown)]}) from None
        try:
            if config is None:
                return _outline(answers)
            services.brief_for(  # checked now: a bad brief is a 400, not a failed draft
                workspace, topic=answers["topic"], platform=answers["platform"], seconds=answers["seconds"],
                tone=answers["tone"], speakers=answers["speakers"], language=answers["language"], campaign=campaign,
            )  # fmt: skip
        except OutlineError as refusal:
            raise ValidationError({"non_field_errors": [str(refusal)]}) from None
        row = services.start_draft(workspace, request.user, answers, config)
        row = _wait_for(row)
        if row.status == WriterDraft.FAILED and settings.WRITER_INLINE_SECONDS > 0:
            raise _failure(row)
        if settings.WRITER_INLINE_SECONDS <= 0 or row.status != WriterDraft.DONE:
            return Response(_draft_resource(row), status=202, headers={"Location": _location(row)})
        return Response(_finished(row))


INLINE_POLL = 0.2  # seconds between looks at the row while the request waits for the fast lane


def _wait_for(row: WriterDraft) -> WriterDraft:
    """The row once done or failed, or as it is after WRITER_INLINE_SECONDS (0: do not wait)."""
    deadline = time.monotonic() + settings.WRITER_INLINE_SECONDS
    while True:
        row.refresh_from_db()
        if row.status in (WriterDraft.DONE, WriterDraft.FAILED) or time.monotonic() >= deadline:
            return row
        time.sleep(INLINE_POLL)


def _failure(row: WriterDraft) -> ApiError:
    status = 503 if row.error_code == "writer_busy" else 402 if row.error_code == "quota_exceeded" else 502
    return ApiError(status, row.error_code, row.error)


def _location(row: WriterDraft) -> str:
    return f"/api/v1/drafts/{row.public_id}"


def _finished(row: WriterDraft) -> dict:
    return {
        "writer": row.provider,
        "model": row.model,
        "title": row.title,
        "body": row.body,
        "words": row.words,
        "repaired": row.repaired,
        "usage": {"input_tokens": row.input_tokens, "output_tokens": row.output_tokens},
    }


def _draft_resource(row: WriterDraft) -> dict:
    resource = {"id": str(row.public_id), "status": row.status, "url": _location(row), "writer": row.provider}
    if row.status == WriterDraft.DONE:
        resource.update(_finished(row))
    if row.status == WriterDraft.FAILED:
        resource["error"] = {"code": row.error_code, "message": row.error}
    return resource


class DraftDetailView(APIView):
    @extend_schema(
        summary="A draft being written",
        description="Poll a draft that POST /drafts answered with 202: `status` queued, writing, done (with the "
        "script) or failed (with `error`: its code and what went wrong, in plain words). Kept a day.",
        responses={200: DraftResourceSerializer, 404: ERR},
    )
    def get(self, request: Request, draft_id: uuid.UUID) -> Response:
        row = services.draft_for_member(workspace_of(request), draft_id)
        if row is None:
            raise ApiError(404, "not_found", "No such draft in this workspace (drafts are kept a day).")
        return Response(_draft_resource(row))


def _outline(answers: dict) -> Response:
    outline = draft_outline(
        answers["topic"], seconds=answers["seconds"], speakers=answers["speakers"], platform=answers["platform"],
        tone=answers["tone"], words_per_minute=settings.NARRATION_WORDS_PER_MINUTE,
    )  # fmt: skip
    return Response({"writer": "outline", "title": outline.title, "body": outline.body, "words": outline.words})


class RewriteView(APIView):
    @extend_schema(
        summary="Rewrite one block of a script, or words selected in one",
        description="`tool`: shorten (to `seconds`), punchier, speakers (split between `speakers`, else the "
        "script's), translate (to `language`), on `block` or on `selection` (start and end in characters of "
        "`script`; words of one block, no speaker's tag, pause or comment: a 400 naming `selection` otherwise). "
        "Answers what is replaced (`before`, at `start`..`end`) and by what (`after`), the whole script with it "
        "replaced and a word diff; nothing is saved. Needs a writing model: a 400 naming `writer` without one.",
        request=RewriteInputSerializer,
        responses={200: RewriteSerializer, **WRITER_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = RewriteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = data.validated_data
        workspace = workspace_of(request)
        try:
            config = services.provider_for(workspace, answers["writer"])
        except WriterUnavailable as unavailable:  # a 400 like asking /drafts for a model that is not there
            raise ValidationError({"writer": [f"Rewrites need a writing model. {unavailable}"]}) from None
        except ValueError as unknown:
            raise ValidationError({"writer": [str(unknown)]}) from None
        selection = answers.get("selection")
        try:
            result, usage = services.rewrite(
                workspace, request.user, config, answers["script"], answers.get("block"), answers["tool"],
                selection=(selection["start"], selection["end"]) if selection else None, seconds=answers["seconds"],
                speakers=tuple(answers["speakers"]), language=answers["language"],
            )  # fmt: skip
        except ScriptError as error:
            raise ValidationError({"script": script_errors(error)}) from None
        except SelectionError as error:
            raise ValidationError({"selection": [str(error)]}) from None
        except (ProviderError, DraftRefused) as error:
            raise _provider_refusal(error) from None
        return Response(
            {
                "before": result.before,
                "after": result.after,
                "block": result.block,
                "start": result.start,
                "end": result.end,
                "script": result.script,
                "diff": [list(run) for run in result.diff],
                "usage": _usage(usage),
            }
        )
