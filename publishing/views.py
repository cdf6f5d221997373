"""The Studio's series pages (upload, the batch's live progress), the review page, and publishing (connections,
the YouTube OAuth flow, the calendar of what goes out when)."""

import hmac
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.access import get_for_member, has_role, member_workspace
from accounts.roles import Action, roles_for
from billing.quota import QuotaExceeded
from mediakit.writer.drafts import DraftRefused
from mediakit.writer.providers import ProviderError
from publishing import cadence, performance, publish, selectors, services, topics, youtube
from publishing.forms import ChangesForm, ScheduleForm, SeriesForm, WebhookTargetForm
from publishing.models import Connection, Publication, Series, SeriesRow
from publishing.uploads import UploadRefused, read_file
from scripts.models import Campaign
from writer import services as writer

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


def _act_on(request: HttpRequest, row: SeriesRow, act: Callable[[], object], done: str) -> HttpResponse:
    """Runs one of a row's actions: its refusal (or the plan's) becomes the message, else `done` does."""
    try:
        act()
    except services.Refused as refused:
        messages.error(request, str(refused))
    except QuotaExceeded as refused:
        messages.error(request, refused.as_html())
    else:
        messages.success(request, done)
    return _back(request, row)


@login_required
@require_POST
def row_render(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Send a row on again: its outline written, its script changed after review, a failure dealt with."""
    row = _get_row(request, public_id, number, WRITERS)
    return _act_on(request, row, lambda: services.render_again(row), f"Row {row.number} is on its way again.")


@login_required
@require_POST
def row_approve(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    row = _get_row(request, public_id, number, REVIEWERS)
    return _act_on(request, row, lambda: services.approve(row, request.user), f"“{row.label}” approved.")


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
    done = f"Regenerating block {index + 1} of “{row.label}”; it comes back for review."
    return _act_on(request, row, lambda: services.regenerate_block(row, index, request.user), done)


@login_required
@require_POST
def row_regenerate_scene(request: HttpRequest, public_id: str, number: int, scene: int) -> HttpResponse:
    row = _get_row(request, public_id, number, WRITERS)
    done = f"Rendering scene {scene} of “{row.label}” with a new visual; it comes back for review."
    return _act_on(request, row, lambda: services.regenerate_scene(row, scene, request.user), done)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Finished videos of the workspace's series waiting for a decision (every member sees; reviewers decide)."""
    workspace = member_workspace(request)
    rows = list(selectors.awaiting_review(workspace)[:100])
    can_write = has_role(workspace, request.user, WRITERS)
    for row in rows:
        row.scenes = services.scenes_of(row) if can_write else []  # to regenerate one
    context = {"rows": rows, "can_review": has_role(workspace, request.user, REVIEWERS), "can_write": can_write}
    return render(request, "publishing/review.html", context)


# --- Publishing: connections, the calendar, OAuth ---------------------------------------------------------

OAUTH_SESSION_KEY = "publishing.youtube_oauth"


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("publishing:youtube_callback"))


@login_required
def publishing_page(request: HttpRequest) -> HttpResponse:
    """The workspace's connections and what goes out when (every member sees; owners and admins change it)."""
    workspace = member_workspace(request)
    connections = list(workspace.connections.filter(disconnected_at=None))
    context = {
        "connections": connections,
        "publications": publish.calendar(workspace)[:300],
        "jobs": publish.publishable_jobs(workspace)[:100],
        "youtube_enabled": youtube.enabled(),
        "can_publish": has_role(workspace, request.user, REVIEWERS),
        "webhook_form": WebhookTargetForm(),
        "schedule_form": ScheduleForm(workspace=workspace),
        "scopes": youtube.SCOPES,
    }
    return render(request, "publishing/publishing.html", context)


@login_required
@require_POST
def youtube_connect(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=REVIEWERS)
    if not youtube.enabled():
        messages.error(request, "YouTube is not set up on this server (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).")
        return redirect("publishing:publishing")
    url, state, verifier = youtube.authorization_url(_callback_uri(request))
    request.session[OAUTH_SESSION_KEY] = {"state": state, "verifier": verifier, "workspace": workspace.pk}
    return redirect(url)


@login_required
def youtube_callback(request: HttpRequest) -> HttpResponse:
    """Google sends the person back here: the state must be the one this session started with (else a forged or
    replayed callback could attach someone else's channel), and it works once."""
    started = request.session.pop(OAUTH_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not started or not state or not hmac.compare_digest(state, started["state"]):
        return _refused(request, "This YouTube connection was not started from this browser session: connect again.")
    workspace = member_workspace(request, roles=REVIEWERS)
    if workspace.pk != started["workspace"]:
        return _refused(request, "You switched workspaces while connecting YouTube: connect again from this one.")
    if request.GET.get("error") or not request.GET.get("code"):
        reason = request.GET.get("error", "no code")[:100]
        messages.error(request, f"YouTube was not connected: Google answered “{reason}”.")
        return redirect("publishing:publishing")
    try:
        creds = youtube.exchange_code(_callback_uri(request), request.GET["code"][:2000], started["verifier"])
        connection = publish.connect_youtube(workspace, request.user, youtube.tokens_of(creds))
    except youtube.YouTubeError as error:
        messages.error(request, f"YouTube was not connected: {error}")
        return redirect("publishing:publishing")
    messages.success(request, f"Connected the YouTube channel “{connection.name}”.")
    return redirect("publishing:publishing")


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page saying why, with the way back (nothing was connected)."""
    return render(request, "publishing/refused.html", {"message": message}, status=400)


@login_required
@require_POST
def webhook_add(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=REVIEWERS)
    form = WebhookTargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the target a name and a valid URL.")
        return redirect("publishing:publishing")
    try:
        connection, secret = publish.add_webhook(
            workspace, request.user, form.cleaned_data["name"], form.cleaned_data["url"]
        )
    except publish.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Added “{connection.name}”. Its signing secret, shown only now: {secret}")
    return redirect("publishing:publishing")


@login_required
@require_POST
def connection_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_for_member(Connection.objects.filter(disconnected_at=None), request, pk=pk, roles=REVIEWERS)
    if publish.disconnect(connection, request.user):
        messages.info(request, f"Disconnected {connection}.")
    else:
        messages.warning(
            request, f"Disconnected {connection}; Google could not be told: remove OmniVibe in your Google account."
        )
    return redirect("publishing:publishing")


@login_required
@require_POST
def schedule_publication(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=REVIEWERS)
    form = ScheduleForm(request.POST, workspace=workspace)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("publishing:publishing")
    try:
        publication = publish.schedule(
            job=form.cleaned_data["job"], connection=form.cleaned_data["connection"],
            publish_at=form.cleaned_data["publish_at"], privacy=form.cleaned_data["privacy"], user=request.user,
        )  # fmt: skip
    except publish.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"“{publication.title}” goes out {publication.publish_at:%Y-%m-%d %H:%M %Z}.")
    return redirect("publishing:publishing")


@login_required
@require_POST
def schedule_approved(request: HttpRequest, pk: int) -> HttpResponse:
    """Every approved series video goes to this connection: at its row's publish time, the others (given a
    cadence) at the cadence's next free slots."""
    connection = get_for_member(Connection.objects.filter(disconnected_at=None), request, pk=pk, roles=REVIEWERS)
    words = request.POST.get("cadence", "").replace("\x00", "").strip()
    try:
        every = cadence.parse(words) if words else None
    except cadence.CadenceError as error:
        messages.error(request, str(error))
        return redirect("publishing:publishing")
    count = publish.schedule_approved_rows(connection.workspace, connection, request.user, every)
    how = f"at their rows' times, the others {words}" if every else "at their rows' times"
    messages.info(request, f"Scheduled {count} approved video(s) for {connection} {how}.")
    return redirect("publishing:publishing")


@login_required
@require_POST
def publication_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    publication = get_for_member(
        Publication.objects.select_related("connection"), request, public_id=public_id, roles=REVIEWERS
    )
    try:
        publish.retry(publication, request.user)
    except publish.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.info(request, f"Publishing “{publication.title}” again.")
    return redirect("publishing:publishing")


@login_required
def campaign_performance(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's published videos with their latest figures, best and worst, views over time, and topic
    ideas like its best videos."""
    campaign = get_for_member(Campaign.objects.select_related("workspace"), request, pk=pk)
    return render(request, "publishing/campaign_performance.html", _performance_context(request, campaign))


def _performance_context(request: HttpRequest, campaign: Campaign) -> dict:
    videos = performance.campaign_videos(campaign)
    best, worst = performance.best_and_worst(videos)
    return {
        "campaign": campaign,
        "videos": videos,
        "best": best,
        "worst": worst,
        # Built from numbers only (performance.chart_svg), so safe to inline.
        "chart": mark_safe(performance.chart_svg(performance.views_over_time(videos))),
        "ideas": topics.derived_ideas(videos),
        "can_ask_writer": bool(writer.providers_on_offer())
        and bool(topics.best_videos(videos))
        and has_role(campaign.workspace, request.user, WRITERS),
    }


@login_required
@require_POST
def campaign_topic_ideas(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the AI writer for topics like the campaign's best videos (it spends the plan's writer tokens)."""
    campaign = get_for_member(Campaign.objects.select_related("workspace"), request, pk=pk, roles=WRITERS)
    context = _performance_context(request, campaign)
    best = topics.asked_of(context["videos"])
    if not best:
        context["ai_error"] = "No video of this campaign has views yet: ideas come from the best ones."
    else:
        try:
            config = writer.provider_for(campaign.workspace)
            ideas, _ = writer.topic_ideas(campaign.workspace, request.user, config, best)
        except (writer.WriterUnavailable, ProviderError, DraftRefused) as error:
            context["ai_error"] = str(error)
        except QuotaExceeded as refused:
            context["ai_error_html"] = refused.as_html()
        else:
            context["ai_ideas"] = ideas
            context["ai_label"] = config.label
    template = "publishing/_topic_ideas.html" if request.htmx else "publishing/campaign_performance.html"
    return render(request, template, context)


@login_required
def campaign_performance_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    campaign = get_for_member(Campaign.objects.select_related("workspace"), request, pk=pk)
    response = StreamingHttpResponse(
        performance.csv_lines(performance.campaign_videos(campaign)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-performance.csv"'
    return response
