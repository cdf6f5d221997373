import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, has_role, member_workspace
from accounts.models import Workspace
from accounts.roles import Action, roles_for
from billing.limits import ai_video_seconds_left
from billing.quota import QuotaExceeded
from billing.selectors import plans_on_offer, usage_summary
from mediakit.speech.engines import EngineError
from mediakit.text.embeddings import EmbeddingUnavailable
from mediakit.text.lexicon import Lexicon, said_as
from mediakit.text.outline import OutlineError, check_filled, draft_outline
from mediakit.text.script import ScriptError, parse_text, speakers_in_order
from mediakit.video.storyboard import extract_keywords
from renders.models import RenderJob
from renders.options import options_for_script
from renders.quota import UNIT_MAX_CHARS, estimate
from renders.selectors import search_jobs
from renders.services import VoiceLanguageRefused, check_voices_speak, create_job, delete_job
from scripts.dictionaries import HEAR_IT, vendor_dictionaries
from scripts.memory import similar_scripts
from scripts.models import Campaign, Pronunciation, Script
from scripts.pronunciations import (
    PronunciationRefused,
    delete_pronunciation,
    export_pls,
    import_pls,
    pronunciations_of,
    save_pronunciation,
)
from scripts.selectors import campaigns_of, scripts_of, search_campaigns, search_scripts
from scripts.services import (
    delete_campaign,
    delete_script,
    duplicate_campaign,
    duplicate_script,
    new_script_defaults,
)
from studio.forms import (
    SAMPLE_SCRIPT,
    SPEAKER_FIELD,
    CampaignForm,
    DictionaryForm,
    EstimateForm,
    HearForm,
    LibraryFilterForm,
    OutlineForm,
    PlsImportForm,
    PronunciationForm,
    RenderForm,
    ScriptForm,
    SpeakersForm,
    script_error_lines,
)
from studio.writer import writer_panel
from voices.forms import as_sentence
from voices.services import engine, preview_wav, speaker_voice

PAGE_SIZE = 25

WRITERS = roles_for(Action.WRITE)  # viewers see the pages; posting (saving, rendering) needs one of these


def _render_form_for(campaign: Campaign | None) -> RenderForm:
    return RenderForm(initial=_render_defaults(campaign))


def _render_defaults(campaign: Campaign | None) -> dict | None:
    """The render form starts from the campaign's choices (a box the key's absence disables keeps them)."""
    if campaign is None:
        return None
    return {"aspect": campaign.aspect, "ai_video": campaign.ai_video, "avatar_intro": campaign.avatar_intro}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    return render(
        request,
        "studio/home.html",
        {
            "workspace": workspace,
            "scripts": scripts_of(workspace)[:10],
            "jobs": RenderJob.objects.filter(workspace=workspace)[:10],
        },
    )


def _page(request: HttpRequest, items: QuerySet) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def script_list(request: HttpRequest) -> HttpResponse:
    """Every script of the workspace: search over titles and bodies, a campaign filter, pages."""
    workspace = member_workspace(request)
    filters = LibraryFilterForm(request.GET, workspace=workspace, statuses=False)
    found = search_scripts(workspace, **filters.script_filters())
    return render(request, "studio/script_list.html", {"filters": filters, "page": _page(request, found)})


@login_required
def render_list(request: HttpRequest) -> HttpResponse:
    """Every render of the workspace: search over titles, campaign and status filters, pages."""
    workspace = member_workspace(request)
    filters = LibraryFilterForm(request.GET, workspace=workspace, statuses=True)
    found = search_jobs(workspace, **filters.job_filters())
    can_write = has_role(workspace, request.user, WRITERS)  # "Render again"
    context = {"filters": filters, "page": _page(request, found), "can_write": can_write}
    return render(request, "studio/render_list.html", context)


def _confirm(request: HttpRequest, what: str, name: str, cancel_url: str, note: str = "") -> HttpResponse:
    context = {"what": what, "name": name, "cancel_url": cancel_url, "note": note}
    return render(request, "studio/confirm_delete.html", context)


@login_required
def script_delete(request: HttpRequest, pk: int) -> HttpResponse:
    script = get_for_member(Script.objects, request, pk=pk, roles=WRITERS)
    if request.method != "POST":
        note = "Its renders stay in the library."
        return _confirm(request, "script", script.title, reverse("studio:script", args=[script.pk]), note)
    delete_script(script, by=request.user)
    messages.success(request, f"Script “{script.title}” deleted.")
    return redirect("studio:scripts")


@login_required
@require_POST
def script_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    copy = duplicate_script(get_for_member(Script.objects, request, pk=pk, roles=WRITERS), request.user)
    messages.success(request, f"Script duplicated as “{copy.title}”.")
    return redirect("studio:script", pk=copy.pk)


@login_required
def render_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    job = get_for_member(RenderJob.objects, request, public_id=public_id, roles=WRITERS)
    if request.method != "POST":
        note = "A queued or running render is cancelled first; its files are deleted."
        return _confirm(request, "render", job.title, reverse("renders:job", args=[job.public_id]), note)
    delete_job(job, by=request.user)
    messages.success(request, f"Render “{job.title}” deleted.")
    return redirect("studio:renders")


@login_required
def script_new(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    # "New script" from a campaign's page starts in that campaign, with its aspect preselected.
    chosen = request.GET.get("campaign", "")
    defaults = new_script_defaults(workspace)  # otherwise it starts in the workspace's language and campaign
    if chosen.isascii() and chosen.isdigit():
        defaults["campaign"] = campaigns_of(workspace).filter(pk=chosen).first()
    campaign = defaults["campaign"]
    form = ScriptForm(
        request.POST or None,
        workspace=workspace,
        initial={"title": "My first video", "body": SAMPLE_SCRIPT, **defaults},
    )
    # "Draft this" on a topic idea (the campaign's performance page) opens the writers with the topic filled in.
    topic = request.GET.get("topic", "").replace("\x00", "").strip()[:200]
    outline_form = OutlineForm(initial={"topic": topic})
    if "draft" in request.POST:  # the outline writer fills the editor; nothing is saved yet
        form, outline_form = _drafted(request, workspace, campaign)
    elif request.method == "POST" and form.is_valid():
        script = form.save(commit=False)
        script.workspace, script.created_by = workspace, request.user
        script.save()
        if "render" in request.POST or "prepare" in request.POST:
            return _render(request, script)
        messages.success(request, "Script saved.")
        return redirect("studio:script", pk=script.pk)
    context = {
        "form": form,
        "render_form": _render_form_for(campaign),
        "outline_form": outline_form,
        "speakers_form": form.speakers,
        "topic": topic,
        **writer_panel(workspace, topic=topic, campaign=campaign),
    }
    return render(request, "studio/script_edit.html", context)


def _drafted(request: HttpRequest, workspace, campaign) -> tuple[ScriptForm, OutlineForm]:
    outline_form = OutlineForm(request.POST)
    form = ScriptForm(workspace=workspace, initial={"campaign": campaign})
    if outline_form.is_valid():
        answers = outline_form.cleaned_data
        try:
            outline = draft_outline(
                answers["topic"], seconds=answers["seconds"], speakers=answers["speakers"].split(","),
                platform=answers["platform"], tone=answers["tone"],
                words_per_minute=settings.NARRATION_WORDS_PER_MINUTE,
            )  # fmt: skip
        except OutlineError as refusal:
            outline_form.add_error(None, str(refusal))
        else:
            form = ScriptForm(
                workspace=workspace, initial={"title": outline.title, "body": outline.body, "campaign": campaign}
            )
            messages.info(
                request,
                f"An outline of about {outline.words} words: write your own words in place of each [[…]], then save.",
            )
    return form, outline_form


@login_required
def script_edit(request: HttpRequest, pk: int) -> HttpResponse:
    script = get_for_member(Script.objects, request, pk=pk, roles=WRITERS if request.method == "POST" else None)
    form = ScriptForm(request.POST or None, instance=script, workspace=script.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        if "render" in request.POST or "prepare" in request.POST:
            return _render(request, script)
        messages.success(request, "Script saved.")
        return redirect("studio:script", pk=script.pk)
    return render(
        request,
        "studio/script_edit.html",
        {
            "form": form,
            "script": script,
            "render_form": _render_form_for(script.campaign),
            "jobs": script.render_jobs.all()[:10],
            "speakers_form": form.speakers,
            **writer_panel(script.workspace),
        },
    )


@login_required
@require_POST
def script_render(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, get_for_member(Script.objects, request, pk=pk, roles=WRITERS))


def _render(request: HttpRequest, script: Script) -> HttpResponse:
    render_form = RenderForm(request.POST, initial=_render_defaults(script.campaign))
    if not render_form.is_valid():
        messages.error(request, "Choose a render kind, an aspect ratio and the captions from the lists.")
        return redirect("studio:script", pk=script.pk)
    try:
        blocks = parse_text(script.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        check_filled(blocks)
    except ScriptError as error:
        messages.error(request, f"This script cannot be rendered: {error}")
        return redirect("studio:script", pk=script.pk)
    prepare = "prepare" in request.POST
    try:
        job = create_job(
            workspace=script.workspace,
            blocks=blocks,
            title=script.title,
            # Preparing a storyboard narrates only (an audio job that also builds the storyboard to edit).
            kind=RenderJob.Kind.AUDIO if prepare else render_form.cleaned_data["kind"],
            user=request.user,
            script=script,
            options=options_for_script(script, aspect=render_form.cleaned_data["aspect"], prepare_storyboard=prepare)
            .with_changes(
                ai_video=render_form.cleaned_data["ai_video"],
                avatar_intro=render_form.cleaned_data["avatar_intro"],
                constant_frame_rate=render_form.cleaned_data["constant_frame_rate"],
            )
            .with_captions(**render_form.caption_choices()),
        )
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("studio:script", pk=script.pk)
    except VoiceLanguageRefused as refused:
        messages.error(request, str(refused))
        return redirect("studio:script", pk=script.pk)
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def script_estimate(request: HttpRequest) -> HttpResponse:
    """The editor's live estimate (htmx, as the creator types): words and seconds per block and in total,
    as quota counts them, beside the plan's remaining narration; the parser's errors while the script has any."""
    workspace = member_workspace(request)
    form = EstimateForm(request.POST)
    context: dict = {"remaining": usage_summary(workspace)["narration_seconds"]["remaining"], "unit": UNIT_MAX_CHARS}
    if not form.is_valid():
        context["errors"] = [error for errors in form.errors.values() for error in errors]
    else:
        try:
            blocks = parse_text(form.cleaned_data["body"], max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
        except ScriptError as error:
            context["errors"] = script_error_lines(error)
        else:
            estimates, context["seconds"] = estimate(blocks, form.cleaned_data["language"] or "en")
            # The words the storyboard will show on each block's scenes (its own keyword rule).
            context["blocks"] = [(item, extract_keywords([item.block.text])) for item in estimates]
            context["words"] = sum(item.words for item in estimates)
            context["over"] = context["seconds"] > context["remaining"]
            # The speakers panel follows the script (an out-of-band swap), keeping the picks already made.
            context["speakers_form"] = SpeakersForm(
                request.POST, workspace=workspace, speakers=speakers_in_order(blocks)
            )
    return render(request, "studio/_estimate.html", context)


@login_required
def script_similar(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's "Similar scripts" panel (htmx): the workspace's scripts nearest in meaning, those whose videos
    did best first, with their numbers."""
    script = get_for_member(Script.objects, request, pk=pk)
    try:
        context = {"similar": similar_scripts(script, by_performance=True)}
    except EmbeddingUnavailable as missing:
        context = {"error": f"Similar scripts are not available here: {missing}."}
    return render(request, "studio/_similar.html", context)


@login_required
@require_POST
def speaker_preview(request: HttpRequest) -> HttpResponse:
    """▶ in the speakers panel: the speaker's first line, said by the voice picked for them (or the one a
    render would give them), as an inline player. The editor's whole form comes with the request."""
    workspace = member_workspace(request, roles=WRITERS)  # a preview is a synthesis
    speaker = request.POST.get("preview", "")
    try:
        blocks = parse_text(request.POST.get("body", ""), max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
    except ScriptError:
        blocks = []
    lines = [block.text for block in blocks if block.speaker == speaker]
    if not lines:
        return render(request, "studio/_speaker_preview.html", {"error": "This speaker has no line in the script."})
    speakers = speakers_in_order(blocks)
    picks = {name: request.POST.get(SPEAKER_FIELD + name, "") for name in speakers}
    voice = speaker_voice(workspace.pk, speakers, {name: pick for name, pick in picks.items() if pick}, speaker)
    language = request.POST.get("language", "") or workspace.default_language
    try:
        check_voices_speak({speaker: {"engine": voice.engine, "voice_id": voice.engine_voice_id}}, language)
        audio = preview_wav(voice, lines[0], language=language)
    except VoiceLanguageRefused as refused:
        return render(request, "studio/_speaker_preview.html", {"error": str(refused)})
    except EngineError as error:
        return render(request, "studio/_speaker_preview.html", {"error": as_sentence(error)})
    src = "data:audio/wav;base64," + base64.b64encode(audio).decode()
    return render(request, "studio/_speaker_preview.html", {"audio_src": src, "speaker": speaker})


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Every campaign of the workspace by name: search over names, pages."""
    workspace = member_workspace(request)
    filters = LibraryFilterForm(request.GET, workspace=workspace, statuses=False, campaigns=False)
    found = search_campaigns(workspace, query=filters.script_filters()["query"])
    return render(request, "studio/campaign_list.html", {"filters": filters, "page": _page(request, found)})


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        form.instance.workspace = workspace
        campaign = form.save()
        messages.success(request, f"Campaign “{campaign.name}” created.")
        return redirect("studio:campaigns")
    return _campaign_page(request, form, workspace)


def _campaign_page(
    request: HttpRequest, form: CampaignForm, workspace: Workspace, campaign: Campaign | None = None
) -> HttpResponse:
    # The plan's AI video seconds left, beside the campaign's AI video defaults that spend them.
    context = {"form": form, "campaign": campaign, "ai_video_seconds": ai_video_seconds_left(workspace)}
    return render(request, "studio/campaign_form.html", context)


@login_required
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_member(Campaign.objects, request, pk=pk, roles=WRITERS)
    if request.method != "POST":
        note = "Its scripts and renders stay, without a campaign; its logo, music and series (reviews too) are deleted."
        return _confirm(request, "campaign", campaign.name, reverse("studio:campaign", args=[campaign.pk]), note)
    delete_campaign(campaign, by=request.user)
    messages.success(request, f"Campaign “{campaign.name}” deleted.")
    return redirect("studio:campaigns")


@login_required
@require_POST
def campaign_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    copy = duplicate_campaign(get_for_member(Campaign.objects, request, pk=pk, roles=WRITERS))
    messages.success(request, f"Campaign duplicated as “{copy.name}”.")
    return redirect("studio:campaign", pk=copy.pk)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_member(Campaign.objects, request, pk=pk, roles=WRITERS if request.method == "POST" else None)
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Campaign “{campaign.name}” saved.")
        return redirect("studio:campaigns")
    return _campaign_page(request, form, campaign.workspace, campaign)


# --- Pronunciations ------------------------------------------------------------------------------


def _pronunciation_page(
    request: HttpRequest,
    workspace,
    form: PronunciationForm | None = None,
    import_form: PlsImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or PronunciationForm(workspace=workspace),
        "import_form": import_form or PlsImportForm(workspace=workspace, auto_id="import_%s"),
        "export_form": DictionaryForm(workspace=workspace, auto_id="export_%s"),
        "page": _page(request, pronunciations_of(workspace)),
        "hear_form": HearForm(workspace=workspace, auto_id=False),
        "can_write": has_role(workspace, request.user, WRITERS),  # viewers get the list without its buttons
    }
    return render(request, "studio/pronunciation_list.html", context, status=status)


def _saved(request: HttpRequest, form: PronunciationForm, workspace, entry: Pronunciation | None = None) -> bool:
    """Save the form's entry through the service; its refusals land on the form's fields."""
    if not form.is_valid():
        return False
    try:
        entry = save_pronunciation(workspace, **form.cleaned_data, entry=entry)
    except PronunciationRefused as refused:
        form.add_error(refused.field or None, str(refused))
        return False
    messages.success(request, f"“{entry.written}” is said “{entry.spoken}” in renders from now on.")
    return True


@login_required
def pronunciation_list(request: HttpRequest) -> HttpResponse:
    """The dictionary: every entry, the form to add one (writers), a "Hear it" per entry."""
    if request.method == "POST":
        workspace = member_workspace(request, roles=WRITERS)
        form = PronunciationForm(request.POST, workspace=workspace)
        if _saved(request, form, workspace):
            return redirect("studio:pronunciations")
        return _pronunciation_page(request, workspace, form, status=400)
    return _pronunciation_page(request, member_workspace(request))


@login_required
def pronunciation_export(request: HttpRequest) -> HttpResponse:
    """One dictionary as a .pls download."""
    workspace = member_workspace(request)
    form = DictionaryForm(request.GET, workspace=workspace)
    if not form.is_valid():
        return HttpResponse("Choose one of this workspace's campaigns.", status=400, content_type="text/plain")
    campaign = form.cleaned_data["campaign"]
    response = HttpResponse(export_pls(workspace, campaign), content_type="application/pls+xml")
    name = f"pronunciations-campaign-{campaign.pk}" if campaign else "pronunciations"
    response["Content-Disposition"] = f'attachment; filename="{name}.pls"'
    return response


@login_required
@require_POST
def pronunciation_import(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    form = PlsImportForm(request.POST, request.FILES, workspace=workspace, auto_id="import_%s")
    if form.is_valid():
        try:
            imported = import_pls(workspace, form.cleaned_data["file"], form.cleaned_data["campaign"])
        except PronunciationRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        else:
            note = f"Imported: {imported.added} added, {imported.changed} changed."
            if imported.skipped:
                words = ", ".join(f"“{word}”" for word in imported.skipped[:5])
                note += f" Skipped {len(imported.skipped)} with neither an alias nor IPA phonemes ({words})."
            messages.success(request, note)
            return redirect("studio:pronunciations")
    return _pronunciation_page(request, workspace, import_form=form, status=400)


@login_required
def pronunciation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_member(Pronunciation.objects, request, pk=pk, roles=WRITERS)
    form = PronunciationForm.for_entry(entry, request.POST or None)
    if request.method == "POST" and _saved(request, form, entry.workspace, entry):
        return redirect("studio:pronunciations")
    return render(request, "studio/pronunciation_form.html", {"form": form, "entry": entry})


@login_required
def pronunciation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_member(Pronunciation.objects, request, pk=pk, roles=WRITERS)
    if request.method != "POST":
        note = "Renders already made or queued keep it; new renders read the word as written."
        return _confirm(request, "pronunciation", entry.written, reverse("studio:pronunciations"), note)
    delete_pronunciation(entry, by=request.user)
    messages.success(request, f"Pronunciation of “{entry.written}” deleted.")
    return redirect("studio:pronunciations")


@login_required
@require_POST
def pronunciation_hear(request: HttpRequest, pk: int) -> HttpResponse:
    """The written word said by the chosen voice through this entry, as an inline player (like a voice's
    preview)."""
    entry = get_for_member(Pronunciation.objects, request, pk=pk, roles=WRITERS)  # hearing it is a synthesis
    form = HearForm(request.POST, workspace=entry.workspace)
    context: dict = {"entry": entry}
    if not form.is_valid():
        context["error"] = "Choose one of the voices."
    else:
        try:
            voice = form.chosen_voice()
            said = {entry.written: said_as(entry.spoken, entry.kind)}
            # Phonemes for a vendor that reads them only from its own dictionaries: the entry saved there first.
            speaker = {voice.engine: engine(voice.engine)} if entry.kind == Pronunciation.Kind.PHONEMES else {}
            dictionaries = vendor_dictionaries(entry.workspace_id, HEAR_IT, said, speaker).get(voice.engine, ())
            audio = preview_wav(voice, entry.written, Lexicon.of(said.items()), dictionaries)
        except EngineError as error:
            context["error"] = as_sentence(error)
        else:
            context["audio_src"] = "data:audio/wav;base64," + base64.b64encode(audio).decode()
    template = "studio/_pronunciation_hear.html" if request.htmx else "studio/pronunciation_hear.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)


def welcome(request: HttpRequest) -> HttpResponse:
    """The front door: what OmniVibe does and what each plan includes, for visitors; members go to work."""
    if request.user.is_authenticated:
        return redirect("studio:home")
    return render(request, "studio/welcome.html", {"plans": plans_on_offer()})
