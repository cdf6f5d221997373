"""The REST API under /api/v1/: thin views; validation in serializers, work in api.services."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import services
from api.auth import workspace_of
from api.errors import error_response
from api.serializers import (
    CampaignSerializer,
    ErrorSerializer,
    JobSearchSerializer,
    JobSerializer,
    PronunciationSerializer,
    RenderInputSerializer,
    ScriptInputSerializer,
    ScriptSearchSerializer,
    ScriptSerializer,
    SeriesInputSerializer,
    SeriesSerializer,
    SimilarScriptSerializer,
    SpeakerCreateSerializer,
    SpeakerSerializer,
    with_outputs_and_deliveries,
)
from api.signing import LinkExpired, LinkInvalid, output_for_token, seconds_left
from billing.selectors import usage_history, usage_summary
from mediakit.text.embeddings import EmbeddingUnavailable
from publishing.models import Series
from publishing.selectors import metrics_history, publications_of, series_of
from renders.files import serve_file
from renders.models import RenderJob
from renders.selectors import search_jobs
from renders.services import Refused, delete_outputs, duplicate_job
from scripts.memory import SIMILAR_LIMIT, similar_scripts
from scripts.models import Campaign, Pronunciation, Script
from scripts.pronunciations import delete_pronunciation, pronunciations_of
from scripts.selectors import search_scripts
from scripts.services import delete_campaign, delete_script, duplicate_campaign, duplicate_script, new_script_defaults
from voices.models import Voice

ERR = OpenApiResponse(ErrorSerializer)
AUTH_ERRORS = {401: OpenApiResponse(ErrorSerializer, description="Missing, unknown, revoked or expired key"), 429: ERR}
INVALID = {400: OpenApiResponse(ErrorSerializer, description="Validation error naming the field")}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="No such object in the key's workspace")}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID): sending the same request again with it within 24 hours returns the "
    "job the first one made, with `Idempotent-Replayed: true`, instead of queuing and charging a second one. "
    "Safe retries after a timeout or a 5xx.",
)
REUSED_KEY = {409: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key came with a different request")}
QUOTA = {
    402: OpenApiResponse(ErrorSerializer, description="The plan cannot take this job: needed, remaining, upgrade_url")
}
VOICE_LANGUAGE = {
    422: OpenApiResponse(
        ErrorSerializer, description="voice_language: a speaker's voice cannot speak the script's language"
    )
}

SCRIPT_EXAMPLE = OpenApiExample(
    "Two speakers",
    value={
        "title": "Welcome",
        "language": "en",
        "blocks": [
            {"speaker": "Host", "text": "Welcome back to the show.", "pause_after": 0.5},
            {"speaker": "Guest", "text": "Thanks for having me."},
        ],
        "callback_url": "https://example.com/hooks/omnivibe",
    },
    request_only=True,
)
TEXT_EXAMPLE = OpenApiExample(
    "Text format", value={"title": "Welcome", "script": "Host: Welcome back.\nGuest: Thanks!"}, request_only=True
)


def _submit(request: Request, serializer_class: type[ScriptInputSerializer], kind: str) -> Response:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    workspace = workspace_of(request)
    job_request = services.job_request(workspace, serializer.validated_data, kind=kind)
    job, replayed = services.submit_once(
        workspace,
        request.headers.get("Idempotency-Key", "").strip(),
        {"path": request.path, "data": request.data},
        lambda: services.submit_job(job_request),
    )
    response = _job_response(request, job, status.HTTP_202_ACCEPTED)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _job_response(request: Request, job: RenderJob, status_code: int = 200) -> Response:
    context = {"base_url": request.build_absolute_uri("/")}
    return Response(JobSerializer(job, context=context).data, status=status_code)


@extend_schema_view(
    list=extend_schema(summary="List speakers", responses={200: SpeakerSerializer(many=True), **AUTH_ERRORS}),
    retrieve=extend_schema(summary="Show a speaker", responses={200: SpeakerSerializer, **AUTH_ERRORS, **NOT_FOUND}),
    destroy=extend_schema(
        summary="Delete a speaker",
        responses={
            204: None,
            **AUTH_ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="A queued or running job still uses it"),
        },
    ),
)
class SpeakerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = SpeakerSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[Voice]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no key, no workspace
            return Voice.objects.none()
        return Voice.objects.filter(workspace=workspace_of(self.request)).order_by("name", "pk")

    @extend_schema(
        summary="Register a speaker",
        request={"multipart/form-data": SpeakerCreateSerializer, "application/json": SpeakerCreateSerializer},
        responses={201: SpeakerSerializer, **INVALID, **AUTH_ERRORS, 413: ERR, 415: ERR},
        examples=[
            OpenApiExample(
                "Piper preset",
                value={"name": "Host", "engine": "piper", "voice_id": "joe-deep", "settings": {"speed": 1.1}},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        workspace = workspace_of(request)
        serializer = SpeakerCreateSerializer(data=request.data, context={"workspace": workspace})
        serializer.is_valid(raise_exception=True)
        voice = services.create_speaker(workspace, serializer.validated_data)
        return Response(SpeakerSerializer(voice).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, voice: Voice) -> None:
        services.delete_speaker_or_409(voice, by=self.request.auth.created_by)


class SynthesizeView(APIView):
    @extend_schema(
        summary="Synthesise a script (narration + captions)",
        description="Queues an audio job and answers 202 with it; poll `GET /jobs/{id}` or pass `callback_url`.",
        request=ScriptInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            202: JobSerializer,
            **INVALID,
            **QUOTA,
            **VOICE_LANGUAGE,
            **AUTH_ERRORS,
            **REUSED_KEY,
            413: ERR,
            415: ERR,
        },
        examples=[SCRIPT_EXAMPLE, TEXT_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        return _submit(request, ScriptInputSerializer, RenderJob.Kind.AUDIO)


class RenderView(APIView):
    @extend_schema(
        summary="Render a video",
        description="Queues a video job (narration, captions, MP4) and answers 202 with it.",
        request=RenderInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            202: JobSerializer,
            **INVALID,
            **QUOTA,
            **VOICE_LANGUAGE,
            **AUTH_ERRORS,
            **REUSED_KEY,
            413: ERR,
            415: ERR,
        },
        examples=[
            OpenApiExample("Saved script", value={"script_id": 12, "aspect": "16:9", "height": 720}, request_only=True),
            TEXT_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        return _submit(request, RenderInputSerializer, RenderJob.Kind.VIDEO)


class VideoMetricsView(APIView):
    @extend_schema(
        summary="A published video's figures over time",
        description="`id`: the publication's id. Its latest views, likes, comments (`null`: hidden by the "
        "channel or not fetched yet), watch minutes and average view seconds (YouTube Analytics) and every "
        "snapshot, oldest first; fetched hourly from YouTube. "
        "`metrics_error`: why the last fetch failed (quota, access revoked), empty when it worked; it is tried "
        "again at the next round and earlier snapshots are kept.",
        responses={200: OpenApiTypes.OBJECT, **AUTH_ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, public_id: str) -> Response:
        publication = publications_of(workspace_of(request)).filter(public_id=public_id).first()
        if publication is None:
            return error_response(404, "not_found", "No such video in this workspace.")
        history = [
            {"fetched_at": snapshot.fetched_at, "views": snapshot.views, "likes": snapshot.likes,
             "comments": snapshot.comments, "watch_minutes": snapshot.watch_minutes,
             "average_view_seconds": snapshot.average_view_seconds}
            for snapshot in metrics_history(publication)
        ]  # fmt: skip
        return Response(
            {
                "id": str(publication.public_id),
                "title": publication.title,
                "status": publication.status,
                "url": publication.remote_url or None,
                "published_at": publication.published_at,
                "metrics_checked_at": publication.metrics_checked_at,
                "metrics_error": publication.metrics_error,
                "latest": history[-1] if history else None,
                "history": history,
            }
        )


class UsageView(APIView):
    @extend_schema(
        summary="Usage this billing period, and by month",
        description="The plan, this period's start and end, and narration seconds and video renders used, "
        "held by running jobs, included and remaining; `history`: usage per calendar month (last 12 months "
        "with usage, newest first, staff credits included).",
        responses={200: OpenApiTypes.OBJECT, **AUTH_ERRORS},
    )
    def get(self, request: Request) -> Response:
        workspace = workspace_of(request)
        summary = usage_summary(workspace, state=request.plan_state)  # read by HasApiKey
        return Response({**summary, "history": usage_history(workspace)})


@extend_schema_view(
    list=extend_schema(
        summary="List jobs",
        description="Newest first. `q` searches titles (case-insensitive); `campaign` filters by the script's "
        "campaign; `status` and `kind` filter.",
        parameters=[
            JobSearchSerializer,
            OpenApiParameter("status", OpenApiTypes.STR, enum=RenderJob.Status.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=RenderJob.Kind.values),
        ],
        responses={200: JobSerializer(many=True), **INVALID, **AUTH_ERRORS},
    ),
    retrieve=extend_schema(summary="Show a job", responses={200: JobSerializer, **AUTH_ERRORS, **NOT_FOUND}),
    destroy=extend_schema(
        summary="Cancel a job and delete its outputs",
        description="Cancels the job if it is queued or running, deletes its files, and returns the job.",
        responses={200: JobSerializer, **AUTH_ERRORS, **NOT_FOUND},
    ),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[RenderJob]:
        if getattr(self, "swagger_fake_view", False):
            return RenderJob.objects.none()
        workspace = workspace_of(self.request)
        if self.action == "list":
            search = JobSearchSerializer(data=self.request.query_params)
            search.is_valid(raise_exception=True)
            jobs = search_jobs(
                workspace, query=search.validated_data["q"], campaign_id=search.validated_data.get("campaign")
            )
        else:
            jobs = RenderJob.objects.filter(workspace=workspace)
        for name, choices in (("status", RenderJob.Status.values), ("kind", RenderJob.Kind.values)):
            value = self.request.query_params.get(name)
            if value:
                if value not in choices:
                    raise ValidationError({name: [f"Choose one of {', '.join(choices)}."]})
                jobs = jobs.filter(**{name: value})
        return jobs

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "base_url": self.request.build_absolute_uri("/")}

    def paginate_queryset(self, queryset: QuerySet[RenderJob]) -> list[RenderJob]:
        return with_outputs_and_deliveries(super().paginate_queryset(queryset))

    def retrieve(self, request: Request, public_id: str) -> Response:
        return Response(self.get_serializer(with_outputs_and_deliveries([self.get_object()])[0]).data)

    def destroy(self, request: Request, public_id: str) -> Response:
        job = delete_outputs(self.get_object(), by=request.auth.created_by)
        return _job_response(request, job)

    @extend_schema(
        summary="Render a job again",
        description="A new job with the same frozen script (blocks, voices, pronunciations) and options, admitted "
        "as any render (402 when the plan cannot take it); finished narration comes from the cache. The job must "
        "have ended (succeeded, failed or cancelled): 409 `not_finished` otherwise. Answers 202 with the new job.",
        request=None,
        responses={
            202: JobSerializer,
            **QUOTA,
            **AUTH_ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="The job is still queued or running"),
        },
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, public_id: str) -> Response:
        try:
            job = duplicate_job(self.get_object(), request.auth.created_by)
        except Refused as refused:
            return error_response(409, "not_finished", str(refused))
        return _job_response(request, job, status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="List campaigns", responses={200: CampaignSerializer(many=True), **AUTH_ERRORS}),
    retrieve=extend_schema(summary="Show a campaign", responses={200: CampaignSerializer, **AUTH_ERRORS, **NOT_FOUND}),
    create=extend_schema(summary="Create a campaign", responses={201: CampaignSerializer, **INVALID, **AUTH_ERRORS}),
    update=extend_schema(
        summary="Replace a campaign", responses={200: CampaignSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary="Change a campaign", responses={200: CampaignSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND}
    ),
    destroy=extend_schema(summary="Delete a campaign", responses={204: None, **AUTH_ERRORS, **NOT_FOUND}),
)
class CampaignViewSet(viewsets.ModelViewSet):
    serializer_class = CampaignSerializer

    def get_queryset(self) -> QuerySet[Campaign]:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return Campaign.objects.filter(workspace=workspace_of(self.request)).order_by("name", "pk")

    def perform_create(self, serializer: CampaignSerializer) -> None:
        serializer.save(workspace=workspace_of(self.request))

    def perform_destroy(self, campaign: Campaign) -> None:
        delete_campaign(campaign, by=self.request.auth.created_by)  # with its logo and music files

    @extend_schema(
        summary="Duplicate a campaign",
        description="A new campaign with the same brand kit (its own copy of the logo and music), named '… (copy)'.",
        request=None,
        responses={201: CampaignSerializer, **AUTH_ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        copy = duplicate_campaign(self.get_object())
        return Response(CampaignSerializer(copy).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List scripts",
        description="Newest edit first. `q` searches titles and bodies (case-insensitive); `campaign` filters.",
        parameters=[ScriptSearchSerializer],
        responses={200: ScriptSerializer(many=True), **INVALID, **AUTH_ERRORS},
    ),
    retrieve=extend_schema(summary="Show a script", responses={200: ScriptSerializer, **AUTH_ERRORS, **NOT_FOUND}),
    create=extend_schema(
        summary="Save a script",
        description="Send `body` (text format) or `blocks` (JSON); either is checked like a render's script.",
        responses={201: ScriptSerializer, **INVALID, **AUTH_ERRORS, 413: ERR, 415: ERR},
    ),
    update=extend_schema(
        summary="Replace a script", responses={200: ScriptSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND}
    ),
    partial_update=extend_schema(
        summary="Change a script", responses={200: ScriptSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND}
    ),
    destroy=extend_schema(
        summary="Delete a script",
        description="Its renders stay (they keep their own copy of the script).",
        responses={204: None, **AUTH_ERRORS, **NOT_FOUND},
    ),
)
class ScriptViewSet(viewsets.ModelViewSet):
    serializer_class = ScriptSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Script]:
        if getattr(self, "swagger_fake_view", False):
            return Script.objects.none()
        workspace = workspace_of(self.request)
        if self.action != "list":
            return search_scripts(workspace)
        search = ScriptSearchSerializer(data=self.request.query_params)
        search.is_valid(raise_exception=True)
        return search_scripts(
            workspace, query=search.validated_data["q"], campaign_id=search.validated_data.get("campaign")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = workspace_of(self.request)
        return context

    def perform_destroy(self, script: Script) -> None:
        delete_script(script, by=self.request.auth.created_by)

    def perform_create(self, serializer: ScriptSerializer) -> None:
        key = self.request.auth
        # What the request leaves out comes from the workspace's settings (its language and default campaign).
        defaults = {
            name: value
            for name, value in new_script_defaults(key.workspace).items()
            if name not in serializer.validated_data
        }
        serializer.save(workspace=key.workspace, created_by=key.created_by, **defaults)

    @extend_schema(
        summary="Duplicate a script",
        description="A new script with the same text, language, campaign and voices, titled '… (copy)'; its "
        "renders are not copied.",
        request=None,
        responses={201: ScriptSerializer, **AUTH_ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        copy = duplicate_script(self.get_object(), request.auth.created_by)
        return Response(self.get_serializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Similar scripts",
        description=f"The workspace's scripts nearest in meaning to this one (sentence embeddings computed on our "
        f"servers), most similar first: up to `limit` ({SIMILAR_LIMIT} unless given, at most 20), only those "
        "with a similarity of 0.25 or more. Each carries `performance`, how its published videos did. "
        "`rank=performance`: among the similar ones, those whose videos did best (views, then watch time) "
        "come first.",
        parameters=[
            OpenApiParameter("limit", OpenApiTypes.INT),
            OpenApiParameter("rank", OpenApiTypes.STR, enum=["similarity", "performance"]),
        ],
        responses={200: SimilarScriptSerializer(many=True), **INVALID, **AUTH_ERRORS, **NOT_FOUND, 503: ERR},
    )
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk: str) -> Response:
        limit = request.query_params.get("limit", str(SIMILAR_LIMIT))
        if not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= 20):
            raise ValidationError({"limit": ["A whole number from 1 to 20."]})
        rank = request.query_params.get("rank", "similarity")
        if rank not in ("similarity", "performance"):
            raise ValidationError({"rank": ["similarity (the default) or performance."]})
        script = self.get_object()
        try:
            found = similar_scripts(script, limit=int(limit), by_performance=rank == "performance")
        except EmbeddingUnavailable as missing:
            return error_response(503, "unavailable", f"Similar scripts are not available here: {missing}.")
        return Response(SimilarScriptSerializer(found, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List pronunciations",
        description="The workspace's dictionary and its campaigns' entries, by written form.",
        responses={200: PronunciationSerializer(many=True), **AUTH_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Show a pronunciation", responses={200: PronunciationSerializer, **AUTH_ERRORS, **NOT_FOUND}
    ),
    create=extend_schema(
        summary="Add a pronunciation",
        description="Renders created from now on say `spoken` wherever a script writes `written` (whole words, any "
        "case, the longest phrase first); captions keep the written words. A job keeps the dictionary it was "
        "created with.",
        responses={201: PronunciationSerializer, **INVALID, **AUTH_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a pronunciation",
        responses={200: PronunciationSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change a pronunciation",
        responses={200: PronunciationSerializer, **INVALID, **AUTH_ERRORS, **NOT_FOUND},
    ),
    destroy=extend_schema(summary="Delete a pronunciation", responses={204: None, **AUTH_ERRORS, **NOT_FOUND}),
)
class PronunciationViewSet(viewsets.ModelViewSet):
    serializer_class = PronunciationSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Pronunciation]:
        if getattr(self, "swagger_fake_view", False):
            return Pronunciation.objects.none()
        return pronunciations_of(workspace_of(self.request))

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["workspace"] = workspace_of(self.request)
        return context

    def perform_destroy(self, instance: Pronunciation) -> None:
        delete_pronunciation(instance, by=self.request.auth.created_by)


def download(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link's file (no API key needed); supports Range for seeking. From a bucket: a redirect to a
    presigned URL that expires when the link does."""
    try:
        output = output_for_token(token)
    except LinkExpired:
        return error_response(403, "link_expired", "This download link has expired; fetch the job again for a new one.")
    except LinkInvalid:
        return error_response(403, "link_invalid", "This download link is not valid.")
    if output is None:
        return error_response(404, "not_found", "This file no longer exists.")
    filename = f"{output.job.public_id}-{output.file.name.rsplit('/', 1)[-1]}"
    as_attachment = request.GET.get("download") == "1"
    return serve_file(
        request, output.file, filename=filename, as_attachment=as_attachment, expires_in=seconds_left(token)
    )


@extend_schema_view(
    list=extend_schema(summary="List series", responses={200: SeriesSerializer(many=True), **AUTH_ERRORS}),
    retrieve=extend_schema(
        summary="Show a series",
        description="Each row's status (`invalid`, `drafting`, `waiting`, `needs_script`, `rendering`, `failed`, "
        "`review`, "
        "`changes_requested`, `approved`), its error, script and current render.",
        responses={200: SeriesSerializer, **AUTH_ERRORS, **NOT_FOUND},
    ),
)
class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SeriesSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Series]:
        if getattr(self, "swagger_fake_view", False):
            return Series.objects.none()
        return series_of(workspace_of(self.request))

    @extend_schema(
        summary="Start a series",
        description="A batch of videos for a campaign: JSON `rows`, or a CSV or JSON `file` (multipart). Each row "
        "has `topic` or `script` (text format), and optionally `title`, `description`, `tags`, `language`, "
        "`voices` (speaker to voice name), `publish_at` (ISO 8601) and `ai_disclosure` (default true). A bad row "
        "is reported by its number (a CSV's spreadsheet row, the header being row 1; a JSON row from 1) and the "
        "good ones go on: scripts (drafted from the topic when no script is given), then renders in row order "
        "within the plan's concurrent jobs, then review. 400 when the upload cannot be read or no row can go on.",
        request={"application/json": SeriesInputSerializer, "multipart/form-data": SeriesInputSerializer},
        responses={201: SeriesSerializer, **INVALID, **AUTH_ERRORS, 413: ERR, 415: ERR},
    )
    def create(self, request: Request) -> Response:
        workspace = workspace_of(request)
        data = SeriesInputSerializer(data=request.data, context={"workspace": workspace})
        data.is_valid(raise_exception=True)
        series = services.create_series_from(workspace, data.validated_data, request.auth.created_by)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)
