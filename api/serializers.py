"""Request validation and the JSON shapes of the API."""

from dataclasses import asdict
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.validators import LANGUAGE_TAG
from api.models import WebhookDelivery
from api.signing import link_expiry, signed_url
from lanes.callbacks import private_target
from mediakit.captions.ass import PLATFORMS as CAPTION_PLATFORMS
from mediakit.captions.ass import PRESETS
from mediakit.pipeline.context import ASPECTS
from mediakit.speech.engines import available_engines
from mediakit.text.outline import PLATFORMS
from mediakit.text.script import (
    MAX_BLOCKS,
    MAX_PAUSE_SECONDS,
    MAX_SPEAKER_LENGTH,
    Block,
    ScriptError,
    parse_json,
    parse_text,
    to_text,
)
from mediakit.writer.drafts import TOOLS
from mediakit.writer.providers import PROVIDERS
from publishing.models import SeriesRow
from publishing.selectors import is_running, rows_of, summary
from renders.models import RenderJob, RenderOutput
from renders.suggestions import pronunciation_suggestions
from scripts.models import Campaign, Pronunciation, Script
from scripts.pronunciations import MAX_ENTRIES, PronunciationRefused, save_pronunciation
from voices.engine_context import engine_context
from voices.models import Voice
from voices.services import BUILTIN_CHOICE, LIBRARY_CHOICE, chosen_voice

CAPTION_FORMATS = ["srt", "vtt", "json"]
AUDIO_FORMATS = ["wav", "mp3"]


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    """Every error under /api and /v1."""

    error = ErrorDetailSerializer()


# --- Speakers ------------------------------------------------------------------------------------


class SpeakerSerializer(serializers.ModelSerializer):
    voice_id = serializers.CharField(source="engine_voice_id", read_only=True)
    has_sample = serializers.SerializerMethodField()

    class Meta:
        model = Voice
        fields = ["id", "name", "engine", "voice_id", "settings", "language", "has_sample", "created_at"]

    def get_has_sample(self, voice: Voice) -> bool:
        return bool(voice.sample)


class SpeakerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    engine = serializers.ChoiceField(choices=[], default="piper")
    voice_id = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    settings = serializers.JSONField(required=False, default=dict, binary=True, help_text="Engine settings (JSON).")
    language = serializers.CharField(max_length=10, default="en")
    sample = serializers.FileField(required=False, help_text="A clean 30 s to 5 min recording (for cloning).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engine"].choices = available_engines(engine_context())

    def validate_name(self, name: str) -> str:
        name = name.strip()
        if not name:
            raise serializers.ValidationError("The name cannot be blank.")
        if Voice.objects.filter(workspace=self.context["workspace"], name__iexact=name).exists():
            raise serializers.ValidationError("This workspace already has a speaker with this name.")
        return name

    def validate_settings(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Settings must be a JSON object.")
        return value


# --- Scripts and jobs ----------------------------------------------------------------------------


class BlockSerializer(serializers.Serializer):
    speaker = serializers.CharField(
        max_length=MAX_SPEAKER_LENGTH, help_text="A speaker's name or id; unknown names get a preset."
    )
    text = serializers.CharField(max_length=settings.RENDER_MAX_SCRIPT_CHARS)
    pause_after = serializers.FloatField(min_value=0, max_value=MAX_PAUSE_SECONDS, default=0)


class ScriptInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, default="Untitled")
    language = serializers.CharField(
        max_length=10, default="en", help_text="The script's language, like 'en' or 'de-DE'; a saved script's own wins."
    )
    # The list's length is checked before any block is, so a huge list is refused at once.
    blocks = BlockSerializer(
        many=True,
        required=False,
        max_length=MAX_BLOCKS,
        help_text=f"The script as JSON blocks (at most {MAX_BLOCKS}) …",
    )
    script = serializers.CharField(
        required=False,
        max_length=settings.RENDER_MAX_SCRIPT_CHARS,
        help_text="… or in the text format: 'Host: Hello.' lines.",
    )
    caption_formats = serializers.ListField(
        child=serializers.ChoiceField(choices=CAPTION_FORMATS), default=CAPTION_FORMATS, max_length=3
    )
    output_formats = serializers.ListField(
        child=serializers.ChoiceField(choices=AUDIO_FORMATS), default=AUDIO_FORMATS, max_length=2
    )
    callback_url = serializers.URLField(
        required=False, max_length=500, help_text="POSTed the job (signed) when it ends; http or https."
    )

    def validate_callback_url(self, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Use an http or https URL.")
        refused = private_target(url, resolve=False)
        if refused:
            raise serializers.ValidationError(f"Use a public address: {refused}.")
        return url

    def validate(self, data: dict) -> dict:
        sources = [name for name in ("blocks", "script", "script_id") if data.get(name) not in (None, "", [])]
        if len(sources) != 1:
            allowed = "blocks or script" + (" or script_id" if "script_id" in self.fields else "")
            raise serializers.ValidationError({"script": [f"Send exactly one of {allowed}."]})
        return data


class RenderInputSerializer(ScriptInputSerializer):
    script_id = serializers.IntegerField(
        required=False, help_text="A saved Studio script (its campaign's defaults apply)."
    )
    aspect = serializers.ChoiceField(choices=list(ASPECTS), required=False)
    height = serializers.IntegerField(
        min_value=240, max_value=2160, required=False, help_text="Frame height in pixels."
    )
    constant_frame_rate = serializers.BooleanField(
        default=False, help_text="Store every frame at 30 fps (a bigger file, for editors that want CFR)."
    )

    caption_preset = serializers.ChoiceField(
        choices=list(PRESETS), required=False, help_text="How captions move (default: the campaign's, or highlight)."
    )
    caption_platform = serializers.ChoiceField(
        choices=list(CAPTION_PLATFORMS), required=False, help_text="Keep captions clear of this platform's UI."
    )
    burn_captions = serializers.BooleanField(
        required=False, help_text="false: no captions drawn in the video; caption files are still delivered."
    )
    ai_video = serializers.BooleanField(
        required=False,
        help_text="Scenes no library or stock clip fills get one made by the text-to-video provider "
        "(needs RUNWAY_API_KEY; counted in the plan's AI video seconds; default: the campaign's, or false).",
    )
    avatar_intro = serializers.BooleanField(
        required=False,
        help_text="The first scene shows a talking avatar speaking its narration (needs HEYGEN_API_KEY and "
        "HEYGEN_AVATAR_ID; counted in the plan's AI video seconds; default: the campaign's, or false).",
    )

    def validate_height(self, height: int) -> int:
        return height - height % 2


class OutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()

    class Meta:
        model = RenderOutput
        fields = ["kind", "size", "url", "expires_at"]

    @extend_schema_field(serializers.URLField())
    def get_url(self, output: RenderOutput) -> str:
        return _link(output, self.context)

    @extend_schema_field(serializers.DateTimeField())
    def get_expires_at(self, output: RenderOutput) -> str:
        return _links_expire_at(self.context)


def _link(output: RenderOutput, context: dict) -> str:
    links = context.setdefault("links", {})
    if output.pk not in links:
        links[output.pk] = signed_url(output, context.get("base_url", settings.SITE_URL))
    return links[output.pk]


def _links_expire_at(context: dict) -> str:
    """When the response's links expire: read once, before any is signed (a page of 20 jobs holds 80)."""
    if "links_expire_at" not in context:
        context["links_expire_at"] = _DATETIME.to_representation(link_expiry())
    return context["links_expire_at"]


def _output_representation(output: RenderOutput, context: dict) -> dict[str, Any]:
    """OutputSerializer's fields, as JobSerializer.to_representation writes them out."""
    expires_at = _links_expire_at(context)
    return {"kind": output.kind, "size": output.size, "url": _link(output, context), "expires_at": expires_at}


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


_DATETIME = serializers.DateTimeField()  # formats a value; holds no state between calls


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["attempt", "url", "status_code", "error", "succeeded", "created_at", "next_attempt_at"]


def _delivery_representation(delivery: WebhookDelivery) -> dict[str, Any]:
    """WebhookDeliverySerializer's fields, as JobSerializer.to_representation writes them out."""
    return {
        "attempt": delivery.attempt,
        "url": delivery.url,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "succeeded": delivery.succeeded,
        "created_at": _datetime(delivery.created_at),
        "next_attempt_at": _datetime(delivery.next_attempt_at),
    }


class BlockResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    speaker = serializers.CharField()
    start = serializers.FloatField()
    duration = serializers.FloatField()


class SuggestionSerializer(serializers.Serializer):
    written = serializers.CharField(help_text="The word as the script writes it.")
    heard = serializers.CharField(help_text="What the recogniser heard most often in its place ('' for nothing).")
    times = serializers.IntegerField(help_text="Takes that missed it, over the whole job.")
    blocks = serializers.ListField(child=serializers.IntegerField(), help_text="The blocks (from 0) that say it.")
    respelled_as = serializers.CharField(help_text="The respelling this job already used for it, if any.")


class JobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    duration = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    pronunciation_suggestions = serializers.SerializerMethodField()
    outputs = serializers.SerializerMethodField()
    callback_url = serializers.SerializerMethodField()
    webhook_deliveries = WebhookDeliverySerializer(many=True, read_only=True)

    class Meta:
        model = RenderJob
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "stage",
            "percent",
            "error",
            "duration",
            "blocks",
            "pronunciation_suggestions",
            "outputs",
            "callback_url",
            "webhook_deliveries",
            "created_at",
            "started_at",
            "finished_at",
        ]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_duration(self, job: RenderJob) -> float | None:
        return job.report.get("duration")

    @extend_schema_field(BlockResultSerializer(many=True))
    def get_blocks(self, job: RenderJob) -> list[dict]:
        """Per-block results from the render report (timings now; verification scores when that stage exists)."""
        return job.report.get("blocks", [])

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_pronunciation_suggestions(self, job: RenderJob) -> list[dict]:
        """Words a finished job still heard wrong: add them with POST /api/v1/pronunciations and render again."""
        return [asdict(suggestion) for suggestion in pronunciation_suggestions(job)] if job.is_finished else []

    @extend_schema_field(OutputSerializer(many=True))
    def get_outputs(self, job: RenderJob) -> list[dict]:
        wanted = job.options.get("formats")
        return [
            _output_representation(output, self.context)
            for output in (job.fetched_outputs if hasattr(job, "fetched_outputs") else job.outputs.all())
            if wanted is None or output.kind in wanted
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_callback_url(self, job: RenderJob) -> str | None:
        return job.options.get("callback_url")

    def to_representation(self, job: RenderJob) -> dict[str, Any]:
        """The fields above, written out: DRF's walk over its field objects cost more than all the rest of a job
        status request (api/tests/test_job_representation.py holds this equal to DRF's own, field by field)."""
        return {
            "id": str(job.public_id),
            "kind": job.kind,
            "title": job.title,
            "status": job.status,
            "stage": job.stage,
            "percent": job.percent,
            "error": job.error,
            "duration": self.get_duration(job),
            "blocks": self.get_blocks(job),
            "pronunciation_suggestions": self.get_pronunciation_suggestions(job),
            "outputs": self.get_outputs(job),
            "callback_url": self.get_callback_url(job),
            "webhook_deliveries": [
                _delivery_representation(delivery)
                for delivery in (
                    job.fetched_deliveries if hasattr(job, "fetched_deliveries") else job.webhook_deliveries.all()
                )
            ],
            "created_at": _datetime(job.created_at),
            "started_at": _datetime(job.started_at),
            "finished_at": _datetime(job.finished_at),
        }


def with_outputs_and_deliveries(jobs: list[RenderJob]) -> list[RenderJob]:
    """Reads the jobs' outputs and webhook deliveries for JobSerializer onto `fetched_outputs` and
    `fetched_deliveries`: one query each, and none for deliveries when no job has a callback URL (only those get
    any, api.webhooks). prefetch_related made both queries always, then built a filtered queryset for every job
    and relation: ~1.5 ms of a job status request's ~7."""
    by_pk = {job.pk: job for job in jobs}
    for job in jobs:
        job.fetched_outputs, job.fetched_deliveries = [], []
    if by_pk:
        for output in RenderOutput.objects.filter(job_id__in=by_pk).only("job_id", "kind", "size"):
            output.job = by_pk[output.job_id]  # its download link signs the job's workspace: no query for it
            output.job.fetched_outputs.append(output)
    if called_back := [job.pk for job in jobs if job.options.get("callback_url")]:
        for delivery in WebhookDelivery.objects.filter(job_id__in=called_back):
            by_pk[delivery.job_id].fetched_deliveries.append(delivery)
    return jobs


class CampaignSerializer(serializers.ModelSerializer):
    """The brand kit over the API; the logo and music are uploaded in the Studio."""

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "aspect", "primary_color", "secondary_color", "gradient", "font", "caption_size",
            "caption_color", "highlight_color", "caption_position", "caption_preset", "caption_platform",
            "burn_captions", "zoom", "transition", "ai_video", "avatar_intro", "auto_approve", "brand_notes",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]


# --- Saved scripts -------------------------------------------------------------------------------


def script_errors(error: ScriptError) -> list[str]:
    return [f"line {line}: {message}" if line else message for line, message in error.errors]


class DraftInputSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=200, help_text="What the video is about, in a few words.")
    platform = serializers.ChoiceField(choices=list(PLATFORMS), default="shorts")
    seconds = serializers.IntegerField(min_value=5, max_value=1800, default=45, help_text="Target length.")
    tone = serializers.CharField(max_length=60, required=False, allow_blank=True, default="friendly")
    speakers = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=4, default=["Host"], help_text="Up to four names."
    )
    language = serializers.CharField(max_length=20, default="en", validators=[LANGUAGE_TAG])
    campaign = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Its brand notes and latest scripts guide the writer.",
    )
    writer = serializers.ChoiceField(
        choices=["", "outline", *PROVIDERS],
        default="",
        help_text="'outline' for the keyless outline; a provider's name to choose it (remembered for the workspace); "
        "empty: the workspace's choice, or the outline when no model is configured.",
    )


class DraftSerializer(serializers.Serializer):
    writer = serializers.CharField(help_text="'outline' (write each [[part]]), or the provider that wrote it.")
    title = serializers.CharField()
    body = serializers.CharField(help_text="The script in the text format (an outline has [[parts]] to write).")
    words = serializers.IntegerField(help_text="An outline: words to write in all; a draft: words written.")
    model = serializers.CharField(required=False)
    repaired = serializers.BooleanField(required=False, help_text="The model's first answer was unreadable.")
    usage = serializers.DictField(required=False, help_text="input_tokens, output_tokens")


class DraftResourceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["queued", "writing", "done", "failed"])
    url = serializers.CharField(help_text="Where to poll it.")
    writer = serializers.CharField()
    title = serializers.CharField(required=False)
    body = serializers.CharField(required=False, help_text="When done: the checked script.")
    words = serializers.IntegerField(required=False)
    model = serializers.CharField(required=False)
    repaired = serializers.BooleanField(required=False)
    usage = serializers.DictField(required=False)
    error = serializers.DictField(required=False, help_text="When failed: code and message, in plain words.")


class SelectionSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, max_value=2**31, help_text="The first character, counting from 0.")
    end = serializers.IntegerField(min_value=0, max_value=2**31, help_text="The character after the last one.")
    text = serializers.CharField(
        required=False, trim_whitespace=False, max_length=settings.RENDER_MAX_SCRIPT_CHARS,
        help_text="Optional: the selected words, checked against script[start:end].",
    )  # fmt: skip


class RewriteInputSerializer(serializers.Serializer):
    script = serializers.CharField(
        max_length=settings.RENDER_MAX_SCRIPT_CHARS, help_text="The whole script, text format.", trim_whitespace=False
    )
    block = serializers.IntegerField(
        min_value=1, max_value=MAX_BLOCKS, required=False, help_text="Which block, counting from 1 (or `selection`)."
    )
    selection = SelectionSerializer(
        required=False, help_text="Words within one block, in characters (Unicode code points) of `script`."
    )
    tool = serializers.ChoiceField(choices=list(TOOLS))
    seconds = serializers.IntegerField(min_value=1, max_value=600, default=10, help_text="For 'shorten'.")
    speakers = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=4, default=list, help_text="For 'speakers'."
    )
    language = serializers.CharField(max_length=20, default="en", validators=[LANGUAGE_TAG], help_text="'translate'")
    writer = serializers.ChoiceField(choices=["", *PROVIDERS], default="")

    def validate(self, data: dict) -> dict:
        if ("block" in data) == ("selection" in data):
            raise serializers.ValidationError({"block": ["Give either a block number or a selection."]})
        selection = data.get("selection")
        if (
            selection
            and "text" in selection
            and data["script"][selection["start"] : selection["end"]] != (selection["text"])
        ):
            raise serializers.ValidationError(
                {"selection": ["script[start:end] is not the selected text (offsets count Unicode characters)."]}
            )
        return data


class RewriteSerializer(serializers.Serializer):
    before = serializers.CharField(help_text="What is replaced: the block's lines, or the selected words.")
    after = serializers.CharField()
    block = serializers.IntegerField(help_text="The block rewritten, or the one the selection is in.")
    start = serializers.IntegerField(help_text="Where `before` starts in the script sent (characters).")
    end = serializers.IntegerField(help_text="Where it ends (excluded): script[:start] + after + script[end:].")
    script = serializers.CharField(help_text="The whole script with `before` replaced by `after`.")
    diff = serializers.ListField(child=serializers.ListField(), help_text='[["same"|"del"|"ins", "words"], …]')
    usage = serializers.DictField()


class ScriptSearchSerializer(serializers.Serializer):
    """The scripts list's query parameters: a bad value (too long, a NUL, not a number) is a 400, never a 500."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Words to find in titles and bodies"
    )
    campaign = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A campaign id")


class JobSearchSerializer(ScriptSearchSerializer):
    """The jobs list's `q` (in titles) and `campaign` (its script's campaign)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default="", help_text="Words to find in titles"
    )


MAX_VOICE_PICKS = 50


class ScriptPerformanceSerializer(serializers.Serializer):
    views = serializers.IntegerField(help_text="Its published videos' views, each at its latest figures")
    watch_minutes = serializers.FloatField(allow_null=True, help_text="Their watch time (null: not fetched)")
    videos = serializers.IntegerField(help_text="How many published videos of it were measured")


class SimilarScriptSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="script.pk")
    title = serializers.CharField(source="script.title")
    campaign = serializers.IntegerField(source="script.campaign_id", allow_null=True)
    updated_at = serializers.DateTimeField(source="script.updated_at")
    similarity = serializers.FloatField(help_text="Cosine similarity of the two scripts' meanings, 1 = the same")
    performance = ScriptPerformanceSerializer(
        allow_null=True, help_text="How its published videos did; null when none was published and measured"
    )


class ScriptSerializer(serializers.ModelSerializer):
    """A saved script: `body` in the text format, or `blocks` (JSON) on writes, stored as text."""

    body = serializers.CharField(
        required=False,
        max_length=settings.RENDER_MAX_SCRIPT_CHARS,
        trim_whitespace=False,
        help_text="The script in the text format: 'Host: Hello.' lines, [pause 1s]. Errors name the line.",
    )
    blocks = BlockSerializer(
        many=True,
        required=False,
        write_only=True,
        max_length=MAX_BLOCKS,
        help_text="… or the script as JSON blocks (stored in the text format). Errors name the block.",
    )
    parsed_blocks = serializers.SerializerMethodField(help_text="The body's blocks, as a render reads them.")
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(),
        required=False,
        allow_null=True,
        help_text="A campaign id, or null for none; a new script without one starts in the workspace's default.",
    )
    language = serializers.CharField(
        max_length=10,
        required=False,
        validators=[LANGUAGE_TAG],
        help_text="A language tag like 'en' or 'de-DE'; a new script without one takes the workspace's default.",
    )
    voices = serializers.DictField(
        child=serializers.CharField(max_length=140),
        required=False,
        help_text=f"Speaker -> voice: '{LIBRARY_CHOICE}<speaker id>' (a voice of your library) or "
        f"'{BUILTIN_CHOICE}<name>' (a built-in voice). A speaker left out gets the library voice of the same "
        "name, else a built-in one.",
    )

    class Meta:
        model = Script
        fields = [
            "id", "title", "language", "campaign", "voices", "body", "blocks", "parsed_blocks", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace = self.context.get("workspace")
        if workspace is not None:  # a campaign of another workspace is "does not exist", as it is for this one
            self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)

    def validate_title(self, title: str) -> str:
        if not title.strip():
            raise serializers.ValidationError("The title cannot be blank.")
        return title.strip()

    def validate_body(self, body: str) -> str:
        try:
            parse_text(body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError as error:
            raise serializers.ValidationError(script_errors(error)) from None
        return body

    def validate_voices(self, voices: dict[str, str]) -> dict[str, str]:
        if len(voices) > MAX_VOICE_PICKS:
            raise serializers.ValidationError(f"At most {MAX_VOICE_PICKS} speakers.")
        workspace = self.context["workspace"]
        for speaker, choice in voices.items():
            if not speaker.strip() or len(speaker) > MAX_SPEAKER_LENGTH:
                raise serializers.ValidationError(f"A speaker's name is 1 to {MAX_SPEAKER_LENGTH} characters.")
            if chosen_voice(workspace.pk, choice) is None:
                raise serializers.ValidationError(
                    f"{speaker}: no voice {choice!r} here; use '{LIBRARY_CHOICE}<speaker id>' of your library "
                    f"or '{BUILTIN_CHOICE}<name>' of a built-in voice."
                )
        return voices

    def validate(self, data: dict) -> dict:
        sent = [name for name in ("body", "blocks") if name in data]
        if len(sent) > 1 or (not sent and not self.partial):
            raise serializers.ValidationError({"body": ["Send exactly one of body or blocks."]})
        if "blocks" in data:
            try:
                blocks = parse_json({"blocks": data.pop("blocks")}, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
                data["body"] = to_text(blocks)
            except ScriptError as error:
                raise serializers.ValidationError({"blocks": script_errors(error)}) from None
        return data

    @extend_schema_field(BlockSerializer(many=True))
    def get_parsed_blocks(self, script: Script) -> list[dict]:
        try:
            blocks: list[Block] = parse_text(script.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError:  # saved before a stricter parser: shown, but not as blocks
            return []
        return [{"speaker": b.speaker, "text": b.text, "pause_after": b.pause_after, "line": b.line} for b in blocks]


# --- Pronunciations ------------------------------------------------------------------------------


class PronunciationSerializer(serializers.ModelSerializer):
    """A dictionary entry: how the voice says `written` wherever a script has it (whole words, any case)."""

    written = serializers.CharField(
        max_length=Pronunciation._meta.get_field("written").max_length,
        help_text="The word or phrase as scripts write it, e.g. 'Acme'. Unique (any case) per dictionary.",
    )
    spoken = serializers.CharField(
        max_length=Pronunciation._meta.get_field("spoken").max_length,
        help_text="How to say it: a respelling, e.g. 'Ack-mee', or IPA phonemes, e.g. 'ˈækmi' (kind 'phonemes': "
        "only phonemes the built-in voice has). Captions still show the written form.",
    )
    kind = serializers.ChoiceField(
        choices=Pronunciation.Kind.choices,
        required=False,
        help_text="'respelling' (the default) or 'phonemes' (IPA).",
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(),
        required=False,
        allow_null=True,
        help_text="A campaign whose scripts use this entry instead of the workspace's for the same word; "
        f"null for the workspace's dictionary. A workspace keeps up to {MAX_ENTRIES} entries.",
    )

    class Meta:
        model = Pronunciation
        fields = ["id", "written", "spoken", "kind", "campaign", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workspace = self.context.get("workspace")
        if workspace is not None:  # a campaign of another workspace is "does not exist", as it is for this one
            self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace)

    def create(self, validated_data: dict) -> Pronunciation:
        return self._save(validated_data, None)

    def update(self, instance: Pronunciation, validated_data: dict) -> Pronunciation:
        return self._save(validated_data, instance)

    def _save(self, data: dict, entry: Pronunciation | None) -> Pronunciation:
        try:
            return save_pronunciation(
                self.context["workspace"],
                written=data.get("written", entry.written if entry else ""),
                spoken=data.get("spoken", entry.spoken if entry else ""),
                kind=data.get("kind", entry.kind if entry else Pronunciation.Kind.RESPELLING),
                campaign=data.get("campaign", entry.campaign if entry else None),
                entry=entry,
            )
        except PronunciationRefused as refused:
            raise serializers.ValidationError({refused.field or "non_field_errors": [str(refused)]}) from None


# --- Series (publishing) -------------------------------------------------------------------------


class SeriesRowSerializer(serializers.ModelSerializer):
    script_id = serializers.IntegerField(read_only=True, allow_null=True)
    job_id = serializers.SerializerMethodField()
    job_status = serializers.SerializerMethodField()
    job_percent = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = SeriesRow
        fields = [
            "number", "status", "error", "topic", "title", "description", "tags", "language", "voices",
            "publish_at", "ai_disclosure", "script_id", "job_id", "job_status", "job_percent", "review_note",
            "reviewed_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_job_id(self, row) -> str | None:
        return str(row.job.public_id) if row.job else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_job_status(self, row) -> str | None:
        return row.job.status if row.job else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_job_percent(self, row) -> int | None:
        return row.job.percent if row.job else None


class SeriesSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    running = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    def _rows(self, series) -> list:
        if not hasattr(series, "_api_rows"):
            series._api_rows = list(rows_of(series))
        return series._api_rows

    @extend_schema_field(serializers.BooleanField())
    def get_running(self, series) -> bool:
        """True while a row waits for a render slot or renders."""
        return is_running(self._rows(series))

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_counts(self, series) -> dict[str, int]:
        return summary(self._rows(series))

    @extend_schema_field(SeriesRowSerializer(many=True))
    def get_rows(self, series) -> list[dict]:
        return SeriesRowSerializer(self._rows(series), many=True).data


class SeriesInputSerializer(serializers.Serializer):
    """JSON (`rows`, a list of objects) or multipart (`file`, a CSV or JSON file)."""

    name = serializers.CharField(max_length=200)
    campaign = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    rows = serializers.JSONField(required=False, help_text="One object per video: topic or script, title, …")
    file = serializers.FileField(required=False, help_text="A CSV (UTF-8, a header row) or JSON file of rows")

    def validate_campaign(self, value: int) -> Campaign:
        campaign = Campaign.objects.filter(workspace=self.context["workspace"], pk=value).first()
        if campaign is None:
            raise serializers.ValidationError("No campaign with this id in your workspace.")
        return campaign

    def validate(self, data: dict) -> dict:
        if ("rows" in data) == ("file" in data):
            raise serializers.ValidationError({"rows": ["Send either rows (JSON) or a file (CSV or JSON), not both."]})
        return data
