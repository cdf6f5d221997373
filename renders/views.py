from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from billing.services import QuotaExceeded
from renders import actions, services
from renders.files import file_response
from renders.models import RenderJob
from renders.selectors import job_for_member


def _get_job_for_member(request: HttpRequest, public_id: str) -> RenderJob:
    job = job_for_member(request.user, public_id)
    if job is None:
        raise Http404("No such render job.")
    return job


@login_required
def job_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job_for_member(request, public_id)
    return render(request, "renders/job_detail.html", {"job": job, "live": not job.is_finished})


@login_required
def job_file(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    job = _get_job_for_member(request, public_id)
    output = next((output for output in job.outputs.all() if output.kind == kind), None)
    if output is None:
        raise Http404("This job has no such file.")
    download = request.GET.get("download") == "1"
    filename = f"{job.title or 'omnivibe'}-{output.file.name.rsplit('/', 1)[-1]}"
    return file_response(request, output.file, filename=filename, as_attachment=download)


@login_required
@require_POST
def job_regenerate_block(request: HttpRequest, public_id: str, index: int) -> HttpResponse:
    job = _get_job_for_member(request, public_id)
    if not job.is_finished:
        messages.error(request, "Wait for this render to finish before regenerating a block.")
        return redirect("renders:job", public_id=job.public_id)
    try:
        new_job = services.regenerate_block(job, index, request.user)
    except ValueError as error:
        messages.error(request, str(error).capitalize() + ".")
        return redirect("renders:job", public_id=job.public_id)
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
        return redirect("renders:job", public_id=job.public_id)
    messages.info(request, f"Regenerating block {index + 1}; the other blocks are reused as they were.")
    return redirect("renders:job", public_id=new_job.public_id)


@login_required
@require_POST
def job_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    job = _get_job_for_member(request, public_id)
    if actions.cancel_job(job):
        messages.info(request, "Render cancelled.")
    else:
        messages.info(request, f"This render had already {job.status}.")
    return redirect("renders:job", public_id=job.public_id)
