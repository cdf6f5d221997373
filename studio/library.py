"""The workspace's media library: pictures and clips uploaded once, tagged, offered to every scene."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, member_workspace
from accounts.roles import Action, roles_for
from renders import visuals
from renders.forms import LibraryTagsForm, LibraryUploadForm
from renders.models import MediaItem

WRITERS = roles_for(Action.WRITE)


@login_required
def library(request: HttpRequest) -> HttpResponse:
    posting = request.method == "POST"
    workspace = member_workspace(request, roles=WRITERS if posting else None)
    form = LibraryUploadForm(request.POST or None, request.FILES or None)
    if posting and form.is_valid():
        data = form.cleaned_data
        measured = {key: data[key] for key in ("width", "height", "duration")}
        item = visuals.add_to_library(workspace, data["file"], data["kind"], data["tags"], request.user, **measured)
        messages.success(
            request, f"“{item.name}” added to the media library, tagged {', '.join(item.tags) or 'nothing'}."
        )
        return redirect("studio:library")
    items = MediaItem.objects.filter(workspace=workspace)
    return render(request, "studio/library.html", {"form": form, "items": items}, status=400 if posting else 200)


@login_required
@require_POST
def library_tags(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_member(MediaItem.objects, request, pk=pk, roles=WRITERS)
    form = LibraryTagsForm(request.POST)
    if form.is_valid():
        visuals.set_tags(item, form.cleaned_data["tags"])
        messages.success(request, f"Tags of “{item.name}” saved.")
    else:
        messages.error(request, "Keep the tags to 400 characters.")
    return redirect("studio:library")


@login_required
@require_POST
def library_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_member(MediaItem.objects, request, pk=pk, roles=WRITERS)
    visuals.delete_media_item(item, by=request.user)
    messages.success(request, f"“{item.name}” deleted from the media library.")
    return redirect("studio:library")
