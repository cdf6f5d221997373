import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, member_workspace
from accounts.roles import Action, roles_for
from billing.quota import QuotaExceeded
from mediakit.speech.engines import EngineError
from voices.forms import PreviewForm, VoiceForm, as_sentence
from voices.models import Voice
from voices.selectors import voices_of
from voices.services import VendorVoiceRefused, VoiceInUse, delete_voice, preview_wav, save_voice

WRITERS = roles_for(Action.WRITE)  # viewers see the voices; adding, changing, previewing needs one of these


@login_required
def voice_list(request: HttpRequest) -> HttpResponse:
    voices = voices_of(member_workspace(request))
    return render(request, "voices/voice_list.html", {"voices": voices, "preview_form": PreviewForm()})


@login_required
def voice_new(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    return _edit(request, VoiceForm(request.POST or None, request.FILES or None, workspace=workspace))


@login_required
def voice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    voice = get_for_member(Voice.objects, request, pk=pk, roles=WRITERS if request.method == "POST" else None)
    form = VoiceForm(request.POST or None, request.FILES or None, instance=voice, workspace=voice.workspace)
    return _edit(request, form)


def _edit(request: HttpRequest, form: VoiceForm) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        voice = form.save(commit=False)
        voice.workspace = form.workspace
        try:
            save_voice(voice, new_sample=form.new_sample)
        except VendorVoiceRefused as error:
            form.add_voice_error(as_sentence(error))
        except EngineError as error:
            form.add_error(None, as_sentence(error))
        except QuotaExceeded as refused:
            form.add_error(None, refused.as_html())
        else:
            messages.success(request, f"Voice “{voice.name}” saved.")
            return redirect("voices:list")
    return render(
        request, "voices/voice_form.html", {"form": form, "voice": form.instance if form.instance.pk else None}
    )


@login_required
def voice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    voice = get_for_member(Voice.objects, request, pk=pk, roles=WRITERS)
    if request.method == "POST":
        try:
            delete_voice(voice, by=request.user)
        except VoiceInUse as error:
            messages.error(request, str(error))
        except EngineError as error:  # its clone could not be deleted at the vendor: the voice stays
            messages.error(request, as_sentence(error))
        else:
            messages.success(request, f"Voice “{voice.name}” deleted.")
        return redirect("voices:list")
    return render(request, "voices/voice_confirm_delete.html", {"voice": voice})


@login_required
@require_POST
def voice_preview(request: HttpRequest, pk: int) -> HttpResponse:
    voice = get_for_member(Voice.objects, request, pk=pk, roles=WRITERS)  # a preview is a synthesis
    form = PreviewForm(request.POST)
    context = {"voice": voice, "preview_form": form}
    if form.is_valid():
        try:
            audio = preview_wav(voice, form.cleaned_data["text"])
        except EngineError as error:
            context["error"] = as_sentence(error)
        else:
            # Inline: a preview is a few seconds (well under 1 MB), so no file or signed URL to clean up.
            context["audio_src"] = "data:audio/wav;base64," + base64.b64encode(audio).decode()
    template = "voices/_preview.html" if request.htmx else "voices/preview.html"
    return render(request, template, context, status=200 if form.is_valid() else 400)
