"""The Studio's series pages (upload, the batch's live progress) and the review page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, has_role, member_workspace
from accounts.roles import Action, roles_for
from billing.quota import QuotaExceeded
from publishing import selectors, services
from publishing.forms import ChangesForm, SeriesForm
from publishing.models import Series, SeriesRow
from publishing.uploads import UploadRefused, read_file

WRITERS = roles_for(Action.WRITE)
REVIEWERS = roles_for(Action.REVIEW)


@login_required
def series_list(request: HttpRequest) -> HttpResponse:
    """The workspace's series, and the upload form (posting needs a writer)."""
    workspace = member_workspace(request, roles=WRITERS if request.method == "POST" else None)
    # The campaigns page links here with ?campaign=<id>; a workspace with one campaign has it chosen.
    campaigns = list(workspace.campaigns.values_list("pk", flat=True)[:2])
    chosen = request.GET.get("campaign") or (campaigns[0] if len(campaigns) == 1 else None)
    form = SeriesForm(request.POST or None, request.FILES or None, workspace=workspace, initial={"campaign": chosen})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_file(
                form.cleaned_data["file"], max_bytes=settings.SERIES_MAX_UPLOAD_BYTES,
                max_rows=settings.SERIES_MAX_ROWS, max_script_chars=settings.RENDER_MAX_SCRIPT_CHARS,
            )  # fmt: skip
            series = services.create_series(
                workspace=workspace, campaign=form.cleaned_data["campaign"], name=form.cleaned_data["name"],
                rows=rows, user=request.user,
            )  # fmt: skip
        except UploadRefused as refused:
            form.add_error("file", str(refused))
        except services.SeriesRefused as refused:
            for row in refused.rows:
                form.add_error("file", f"Row {row.number}: {row.error}")
        else:
            bad = series.rows.filter(status=SeriesRow.Status.INVALID).count()
            note = f" {bad} row(s) were refused: see below." if bad else ""
            messages.success(request, f"Series “{series.name}” started.{note}")
            return redirect("publishing:series", public_id=series.public_id)
        status = 400
    elif request.method == "POST":
        status = 400
    context = {"form": form, "series_list": selectors.series_of(workspace)[:100]}
    return render(request, "publishing/series_list.html", context, status=status)


def _series_page_context(request: HttpRequest, series: Series) -> dict:
    rows = list(selectors.rows_of(series))
    return {
        "series": series,
        "rows": rows,
        "summary": selectors.summary(rows),
        "live": selectors.is_running(rows),
        "can_write": has_role(series.workspace, request.user, WRITERS),
    }


@login_required
def series_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    series = get_for_member(Series.objects.select_related("campaign"), request, public_id=public_id)
    return render(request, "publishing/series_detail.html", _series_page_context(request, series))


def _get_row(request: HttpRequest, public_id: str, number: int, roles: frozenset[str]) -> SeriesRow:
    series = get_for_member(Series.objects.select_related("campaign"), request, public_id=public_id, roles=roles)
    row = series.rows.select_related("job", "script").filter(number=number).first()
    if row is None:
        raise Http404("This series has no such row.")
    row.series = series
    return row


def _back(request: HttpRequest, row: SeriesRow) -> HttpResponse:
    if request.POST.get("next") == "review":
        return redirect("publishing:review")
    return redirect("publishing:series", public_id=row.series.public_id)


@login_required
@require_POST
def row_render(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Send a row on again: its outline written, its script changed after review, a failure dealt with."""
    row = _get_row(request, public_id, number, WRITERS)
    try:
        services.render_again(row)
    except services.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.info(request, f"Row {row.number} is on its way again.")
    return _back(request, row)


@login_required
@require_POST
def row_approve(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    row = _get_row(request, public_id, number, REVIEWERS)
    try:
        services.approve(row, request.user)
    except services.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"“{row.label}” approved.")
    return _back(request, row)


@login_required
@require_POST
def row_request_changes(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    row = _get_row(request, public_id, number, REVIEWERS)
    form = ChangesForm(request.POST)
    try:
        if not form.is_valid():
            raise services.Refused("Say what to change (at most 2000 characters): the note goes to the creator.")
        services.request_changes(row, request.user, form.cleaned_data["note"])
    except services.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.info(request, f"Changes requested for “{row.label}”.")
    return _back(request, row)


@login_required
@require_POST
def row_regenerate_block(request: HttpRequest, public_id: str, number: int, index: int) -> HttpResponse:
    row = _get_row(request, public_id, number, WRITERS)
    try:
        services.regenerate_block(row, index, request.user)
    except services.Refused as refused:
        messages.error(request, str(refused))
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
    else:
        messages.info(request, f"Regenerating block {index + 1} of “{row.label}”; it comes back for review.")
    return _back(request, row)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Finished videos of the workspace's series waiting for a decision (every member sees; reviewers decide)."""
    workspace = member_workspace(request)
    context = {
        "rows": selectors.awaiting_review(workspace)[:100],
        "can_review": has_role(workspace, request.user, REVIEWERS),
        "can_write": has_role(workspace, request.user, WRITERS),
    }
    return render(request, "publishing/review.html", context)
