from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from billing.services import QuotaExceeded
from renders.pipeline.script import ScriptError, parse_text
from renders.selectors import jobs_for_member
from renders.services import submit_render
from studio.forms import SAMPLE_SCRIPT, RenderForm, ScriptForm
from studio.models import Script
from studio.selectors import current_workspace, scripts_of


def _get_script_for_member(request: HttpRequest, pk: int) -> Script:
    return get_object_or_404(scripts_of(current_workspace(request)), pk=pk)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    return render(
        request,
        "studio/home.html",
        {
            "workspace": workspace,
            "scripts": scripts_of(workspace)[:50],
            "jobs": jobs_for_member(request.user).filter(workspace=workspace)[:20],
        },
    )


@login_required
def script_new(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    form = ScriptForm(request.POST or None, initial={"title": "My first video", "body": SAMPLE_SCRIPT})
    if request.method == "POST" and form.is_valid():
        script = form.save(commit=False)
        script.workspace, script.created_by = workspace, request.user
        script.save()
        if "render" in request.POST:
            return _render(request, script)
        messages.success(request, "Script saved.")
        return redirect("studio:script", pk=script.pk)
    return render(request, "studio/script_edit.html", {"form": form, "render_form": RenderForm()})


@login_required
def script_edit(request: HttpRequest, pk: int) -> HttpResponse:
    script = _get_script_for_member(request, pk)
    form = ScriptForm(request.POST or None, instance=script)
    if request.method == "POST" and form.is_valid():
        form.save()
        if "render" in request.POST:
            return _render(request, script)
        messages.success(request, "Script saved.")
        return redirect("studio:script", pk=script.pk)
    return render(
        request,
        "studio/script_edit.html",
        {"form": form, "script": script, "render_form": RenderForm(), "jobs": script.render_jobs.all()[:10]},
    )


@login_required
@require_POST
def script_render(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _get_script_for_member(request, pk))


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
    try:
        job = submit_render(
            workspace=script.workspace,
            blocks=blocks,
            title=script.title,
            kind=render_form.cleaned_data["kind"],
            user=request.user,
            script=script,
            options={"aspect": render_form.cleaned_data["aspect"]},
        )
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("studio:script", pk=script.pk)
    return redirect("renders:job", public_id=job.public_id)
