"""POST /api/v1/drafts and /api/v1/rewrites: the writer over the API (thin: writer.services does the work).

A draft from a language model is written while the request waits (bounded by WRITER_DEADLINE) and answered
whole and checked; a provider's failure is a 502 (503 when it is rate-limiting us) saying which, in plain words.
"""

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
    DraftSerializer,
    ErrorSerializer,
    RewriteInputSerializer,
    RewriteSerializer,
    script_errors,
)
from mediakit.text.outline import OutlineError, draft_outline
from mediakit.text.script import ScriptError
from mediakit.writer.drafts import DraftRefused
from mediakit.writer.providers import ProviderError, Usage
from scripts.models import Campaign
from writer import services
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
        "(a script with [[parts]] left is refused for rendering).",
        request=DraftInputSerializer,
        responses={200: DraftSerializer, **WRITER_ERRORS},
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
            brief = services.brief_for(
                workspace, topic=answers["topic"], platform=answers["platform"], seconds=answers["seconds"],
                tone=answers["tone"], speakers=answers["speakers"], language=answers["language"], campaign=campaign,
            )  # fmt: skip
        except OutlineError as refusal:
            raise ValidationError({"non_field_errors": [str(refusal)]}) from None
        try:
            draft, usage = services.draft(workspace, request.user, brief, config)
        except (ProviderError, DraftRefused) as error:
            raise _provider_refusal(error) from None
        words = sum(len(block.text.split()) for block in draft.blocks)
        return Response(
            {
                "writer": config.name,
                "model": config.model,
                "title": draft.title,
                "body": draft.body,
                "words": words,
                "repaired": draft.repaired,
                "usage": _usage(usage),
            }
        )


def _outline(answers: dict) -> Response:
    outline = draft_outline(
        answers["topic"], seconds=answers["seconds"], speakers=answers["speakers"], platform=answers["platform"],
        tone=answers["tone"], words_per_minute=settings.NARRATION_WORDS_PER_MINUTE,
    )  # fmt: skip
    return Response({"writer": "outline", "title": outline.title, "body": outline.body, "words": outline.words})


class RewriteView(APIView):
    @extend_schema(
        summary="Rewrite one block of a script",
        description="`tool`: shorten (to `seconds`), punchier, speakers (split between `speakers`, else the "
        "script's), translate (to `language`). Answers the block before and after, the whole script with it "
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
        try:
            result, usage = services.rewrite(
                workspace, request.user, config, answers["script"], answers["block"], answers["tool"],
                seconds=answers["seconds"], speakers=tuple(answers["speakers"]), language=answers["language"],
            )  # fmt: skip
        except ScriptError as error:
            raise ValidationError({"script": script_errors(error)}) from None
        except (ProviderError, DraftRefused) as error:
            raise _provider_refusal(error) from None
        return Response(
            {
                "before": result.before,
                "after": result.after,
                "script": result.script,
                "diff": [list(run) for run in result.diff],
                "usage": _usage(usage),
            }
        )
