from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.access import get_for_member
from accounts.roles import Action, roles_for
from billing.quota import QuotaExceeded
from mediakit.video.storyboard import Storyboard, StoryboardError
from renders import actions, retention, services, storyboards, visuals
from renders.files import serve_file
from renders.forms import LibraryUploadForm, SceneForm
from renders.models import RenderJob
from renders.suggestions import adopt_suggestion, status_context
from scripts.pronunciations import PronunciationRefused

WRITERS = roles_for(Action.WRITE)  # viewers watch and download; acting on a job needs one of these


def _get_job(request: HttpRequest, public_id: str, *, to_change: bool = False) -> RenderJob:
    jobs = RenderJob.objects.prefetch_related("outputs")
    return get_for_member(jobs, request, public_id=public_id, roles=WRITERS if to_change else None)


def _get_storyboard_for_member(request: HttpRequest, public_id: str) -> tuple[RenderJob, Storyboard]:
    job = _get_job(request, public_id, to_change=True)
    board = storyboards.storyboard_of(job) if storyboards.is_editable(job) else None
    if board is None:
        raise Http404("This job has no storyboard to edit.")
    return job, board


@login_required
def job_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job(request, public_id)
    return _job_page(request, job)


def _job_page(request: HttpRequest, job: RenderJob, bound: dict[int, SceneForm] | None = None) -> HttpResponse:
    """The job page; a prepared storyboard's page also holds the editor (`bound`: rows with errors)."""
    context: dict = {
        "live": not job.is_finished,
        **status_context(job, request.user),
        "retention": retention.retention_of(job) if job.is_finished else None,
    }
    board = storyboards.storyboard_of(job) if context["can_write"] and storyboards.is_editable(job) else None
    if board is not None:
        bound = bound or {}
        context["rows"] = [
            (row, bound.get(row.number) or SceneForm.for_scene(row.scene, prefix=f"s{row.number}"))
            for row in storyboards.scene_rows(job, board)
        ]
    return render(request, "renders/job_detail.html", context, status=400 if bound else 200)


@login_required
@require_POST
def scene_save(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Save one scene row: HTMX gets the row back (with errors, if any); a plain form post the page."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    form = SceneForm(request.POST, request.FILES, prefix=f"s{number}")
    saved = False
    if form.is_valid():
        try:
            board = storyboards.save_scene(job, number, form.edit())
            saved = True
        except StoryboardError as error:
            form.add_storyboard_error(error)
    if saved:
        form = SceneForm.for_scene(board.scenes[number - 1], prefix=f"s{number}")
    if request.htmx:
        row = next(row for row in storyboards.scene_rows(job, board) if row.number == number)
        return render(request, "renders/_scene_row.html", {"job": job, "row": row, "form": form, "saved": saved})
    if not saved:
        return _job_page(request, job, bound={number: form})
    messages.success(request, f"Scene {number} saved.")
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def scene_words(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """New words for a scene: its block narrated again in a new prepared storyboard (the other blocks reused)."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    back = redirect(reverse("renders:job", args=[job.public_id]) + f"#scene-{number}")
    try:
        rewritten = storyboards.rewrite_scene(job, number, request.POST.get("words", ""), request.user)
    except StoryboardError as error:
        messages.error(request, str(error))
        return back
    except services.Refused as refused:
        messages.error(request, str(refused))
        return back
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return back
    script = (
        "The script says the new words too."
        if rewritten.script_changed
        else "The script itself is not changed (it changed since this render, or the block runs over several lines)."
    )
    messages.info(
        request,
        f"Saying block {rewritten.place.block + 1} again with scene {number}'s new words; the other blocks are "
        "reused. This new storyboard is built from the new narration, so its scenes start from the automatic "
        f"looks (your edits stay on the earlier storyboard). {script}",
    )
    return redirect("renders:job", public_id=rewritten.job.public_id)


@login_required
@require_POST
def scene_split(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Cut a scene in two where the chosen word starts."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    try:
        at = float(request.POST.get("at", ""))
    except ValueError:
        at = -1.0  # refused below with the same message as any other wrong place
    try:
        storyboards.split(job, number, at)
    except StoryboardError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Scene {number} split in two.")
    return redirect(reverse("renders:job", args=[job.public_id]) + f"#scene-{number}")


@login_required
@require_POST
def scene_merge(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Join a scene and the next one."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    try:
        storyboards.merge(job, number)
    except StoryboardError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Scenes {number} and {number + 1} merged.")
    return redirect(reverse("renders:job", args=[job.public_id]) + f"#scene-{number}")


@login_required
def scene_alternatives(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """A scene's alternatives from every source (or a search of one), each swapped in with one click. Loaded
    by the scene row on demand: opening the editor asks no vendor anything."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    query, source = request.GET.get("q", "")[:100], request.GET.get("source", "")[:20]
    offers = storyboards.alternatives(job, number, query, source)
    context = {"job": job, "number": number, "offers": offers, "query": query, "source": source}
    return render(request, "renders/_scene_alternatives.html", context)


@login_required
@require_POST
def scene_swap(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Swap an alternative into a scene; HTMX gets the row back, a plain form post the page."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    post = request.POST
    error = ""
    try:
        board = storyboards.swap_visual(
            job, number, post.get("source", "")[:20], post.get("id", "")[:100], post.get("q", "")[:100]
        )
    except StoryboardError as refused:
        error = str(refused)
    return _scene_changed(request, job, board, number, error, done="visual swapped")


@login_required
@require_POST
def scene_library_upload(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Upload a picture or clip into the media library from a scene, and use it there."""
    job, board = _get_storyboard_for_member(request, public_id)
    if not 1 <= number <= len(board.scenes):
        raise Http404("This storyboard has no such scene.")
    form = LibraryUploadForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        measured = {key: data[key] for key in ("width", "height", "duration")}
        item = visuals.add_to_library(job.workspace, data["file"], data["kind"], data["tags"], request.user, **measured)
        board = storyboards.use_library_item(job, number, item)
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    return _scene_changed(request, job, board, number, error, done="uploaded to the media library and used here")


def _scene_changed(
    request: HttpRequest, job: RenderJob, board: Storyboard, number: int, error: str, *, done: str
) -> HttpResponse:
    """After a scene's visual changed (or was refused): its row again for htmx, else the job page with a message."""
    if request.htmx:
        row = next(row for row in storyboards.scene_rows(job, board) if row.number == number)
        form = SceneForm.for_scene(board.scenes[number - 1], prefix=f"s{number}")
        context = {"job": job, "row": row, "form": form, "saved": not error, "swap_error": error}
        return render(request, "renders/_scene_row.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Scene {number}: {done}.")
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def storyboard_render(request: HttpRequest, public_id: str) -> HttpResponse:
    job, _ = _get_storyboard_for_member(request, public_id)
    try:
        video = storyboards.render_video(job, request.user)
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("renders:job", public_id=job.public_id)
    except services.VoiceLanguageRefused as refused:
        messages.error(request, str(refused))
        return redirect("renders:job", public_id=job.public_id)
    return redirect("renders:job", public_id=video.public_id)


@login_required
def job_file(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    job = _get_job(request, public_id)
    output = next((output for output in job.outputs.all() if output.kind == kind), None)
    if output is None:
        raise Http404("This job has no such file.")
    download = request.GET.get("download") == "1"
    filename = f"{job.title or 'omnivibe'}-{output.file.name.rsplit('/', 1)[-1]}"
    # From a bucket: a presigned URL as long-lived as an API download link (the page asks again on each load).
    expires_in = settings.API_DOWNLOAD_URL_MAX_AGE
    return serve_file(request, output.file, filename=filename, as_attachment=download, expires_in=expires_in)


@login_required
@require_POST
def job_regenerate_block(request: HttpRequest, public_id: str, index: int) -> HttpResponse:
    job = _get_job(request, public_id, to_change=True)
    try:
        new_job = services.regenerate_block(job, index, request.user)
    except services.Refused as refused:
        messages.error(request, str(refused))
        return redirect("renders:job", public_id=job.public_id)
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("renders:job", public_id=job.public_id)
    messages.info(request, f"Regenerating block {index + 1}; the other blocks are reused as they were.")
    return redirect("renders:job", public_id=new_job.public_id)


@login_required
@require_POST
def job_adopt_pronunciation(request: HttpRequest, public_id: str) -> HttpResponse:
    """A suggested pronunciation, respelled by the creator: into the dictionary, and its blocks said again."""
    job = _get_job(request, public_id, to_change=True)
    written, spoken = request.POST.get("written", ""), request.POST.get("spoken", "")
    try:
        new_job = adopt_suggestion(job, written, spoken, request.user)
    except PronunciationRefused as refused:
        messages.error(request, f"How to say “{written}”: {refused}")
        return redirect("renders:job", public_id=job.public_id)
    except services.Refused as refused:
        messages.error(request, str(refused))
        return redirect("renders:job", public_id=job.public_id)
    except QuotaExceeded as refused:
        messages.error(request, format_html("“{}” is in your dictionary now. {}", written, refused.as_html()))
        return redirect("renders:job", public_id=job.public_id)
    messages.info(request, f"“{written}” is said “{spoken.strip()}” from now on; regenerating the blocks that say it.")
    return redirect("renders:job", public_id=new_job.public_id)


@login_required
@require_POST
def job_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job(request, public_id, to_change=True)
    try:
        services.retry_job(job)
    except services.Refused as refused:
        messages.error(request, str(refused))
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
    else:
        messages.info(request, "Retrying; finished narration is reused.")
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def job_duplicate(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job(request, public_id, to_change=True)
    try:
        new_job = services.duplicate_job(job, request.user)
    except services.Refused as refused:
        messages.error(request, str(refused))
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
    else:
        messages.info(request, "Rendering again with the same script and options; finished narration is reused.")
        return redirect("renders:job", public_id=new_job.public_id)
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def job_keep(request: HttpRequest, public_id: str) -> HttpResponse:
    """Keep the job's files past the plan's retention ("keep"), or let them go with it again ("stop")."""
    job = _get_job(request, public_id, to_change=True)
    if request.POST.get("keep") == "stop":
        retention.stop_keeping(job, request.user)
        messages.info(request, "This render's files now go when your plan's retention runs out.")
    else:
        try:
            retention.keep(job, request.user)
            messages.info(request, "Kept: this render's files are not deleted automatically.")
        except retention.NothingToKeep as refused:
            messages.error(request, str(refused))
    return redirect("renders:job", public_id=job.public_id)


@login_required
@require_POST
def job_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job(request, public_id, to_change=True)
    if actions.cancel_job(job):
        messages.info(request, "Render cancelled.")
    else:
        messages.info(request, f"This render had already {job.status}.")
    return redirect("renders:job", public_id=job.public_id)
