from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, member_workspace
from accounts.roles import Action, roles_for
from billing.quota import QuotaExceeded
from mediakit.text.script import ScriptError, parse_text
from renders.models import RenderJob
from renders.options import options_for_script
from renders.services import create_job
from scripts.models import Campaign, Script
from scripts.selectors import campaigns_of, scripts_of
from studio.forms import SAMPLE_SCRIPT, CampaignForm, RenderForm, ScriptForm

WRITERS = roles_for(Action.WRITE)  # viewers see the pages; posting (saving, rendering) needs one of these


def _render_form_for(campaign: Campaign | None) -> RenderForm:
    return RenderForm(initial={"aspect": campaign.aspect} if campaign else None)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    return render(
        request,
        "studio/home.html",
        {
            "workspace": workspace,
            "scripts": scripts_of(workspace)[:50],
            "jobs": RenderJob.objects.filter(workspace=workspace)[:20],
        },
    )


@login_required
def script_new(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    # "New script" from a campaign's page starts in that campaign, with its aspect preselected.
    chosen = request.GET.get("campaign", "")
    campaign = campaigns_of(workspace).filter(pk=chosen).first() if chosen.isdigit() else None
    form = ScriptForm(
        request.POST or None,
        workspace=workspace,
        initial={"title": "My first video", "body": SAMPLE_SCRIPT, "campaign": campaign},
    )
    if request.method == "POST" and form.is_valid():
        script = form.save(commit=False)
        script.workspace, script.created_by = workspace, request.user
        script.save()
        if "render" in request.POST or "prepare" in request.POST:
            return _render(request, script)
        messages.success(request, "Script saved.")
        return redirect("studio:script", pk=script.pk)
    return render(request, "studio/script_edit.html", {"form": form, "render_form": _render_form_for(campaign)})


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
        },
    )


@login_required
@require_POST
def script_render(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, get_for_member(Script.objects, request, pk=pk, roles=WRITERS))


def _render(request: HttpRequest, script: Script) -> HttpResponse:
    render_form = RenderForm(request.POST)
    if not render_form.is_valid():
        messages.error(request, "Choose a render kind and an aspect ratio from the lists.")
        return redirect("studio:script", pk=script.pk)
    try:
        blocks = parse_text(script.body, max_chars=settings.RENDER_MAX_SCRIPT_CHARS)
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
            options=options_for_script(script, aspect=render_form.cleaned_data["aspect"], prepare_storyboard=prepare),
        )
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("studio:script", pk=script.pk)
    return redirect("renders:job", public_id=job.public_id)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request)
    return render(request, "studio/campaign_list.html", {"campaigns": campaigns_of(workspace)})


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        form.instance.workspace = workspace
        campaign = form.save()
        messages.success(request, f"Campaign “{campaign.name}” created.")
        return redirect("studio:campaigns")
    return render(request, "studio/campaign_form.html", {"form": form})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_member(Campaign.objects, request, pk=pk, roles=WRITERS if request.method == "POST" else None)
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Campaign “{campaign.name}” saved.")
        return redirect("studio:campaigns")
    return render(request, "studio/campaign_form.html", {"form": form, "campaign": campaign})
