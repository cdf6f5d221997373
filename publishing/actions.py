"""Every change to a series row that clients must hear about happens here (like renders.actions for jobs).

Each is a conditional UPDATE from the states it may leave, so a double click or a late event changes nothing;
after it commits, a bare "series changed" event goes to the series' channel group and the page re-reads the rows.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lanes import events
from publishing.models import Publication, Series, SeriesRow
from renders.models import RenderJob
from scripts.models import Script

Status = SeriesRow.Status
AUTO_APPROVED = "Approved automatically: the campaign skips the review."


def series_group(series: Series) -> str:
    return f"series-{series.public_id}"


def notify(series: Series) -> None:
    group = series_group(series)

    def send_series_changed() -> None:
        events.group_send(group, {"type": "series.changed"})

    # robust: a channel layer blip costs a live update, never the series.
    transaction.on_commit(send_series_changed, robust=True)


def _move(row: SeriesRow, leaving: tuple[str, ...], **changes: Any) -> bool:
    return _move_where(row, {"status__in": leaving}, **changes)


def _move_where(row: SeriesRow, where: dict[str, Any], **changes: Any) -> bool:
    updated = SeriesRow.objects.filter(pk=row.pk, **where).update(updated_at=timezone.now(), **changes)
    row.refresh_from_db()
    if updated:
        notify(row.series)
    return bool(updated)


def row_started(row: SeriesRow, job: RenderJob) -> bool:
    """Waiting (or a reviewed video whose block is regenerated) -> rendering `job`."""
    leaving = (Status.WAITING, Status.REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED)
    return _move(row, leaving, status=Status.RENDERING, job=job, error="", reviewed_by=None, reviewed_at=None)


def row_needs_script(row: SeriesRow) -> bool:
    """Its script still has an outline's [[parts]]: the creator writes them, then sends the row on."""
    return _move(row, (Status.WAITING,), status=Status.NEEDS_SCRIPT, error="")


def row_failed(row: SeriesRow, message: str) -> bool:
    return _move(row, (Status.DRAFTING, Status.WAITING, Status.RENDERING), status=Status.FAILED, error=message[:2000])


def row_draft_stopped(row: SeriesRow, drafting_since: datetime, message: str) -> bool:
    """Still drafting since before `drafting_since`: its writer's task died. A task that answers after this finds
    the row failed and keeps nothing (`row_drafted`)."""
    return _move_where(row, {"status": Status.DRAFTING, "updated_at__lt": drafting_since}, status=Status.FAILED,
                       error=message[:2000])  # fmt: skip


def row_redrafting(row: SeriesRow) -> bool:
    """A topic-only row whose AI draft failed, sent on again: the writer tries once more."""
    return _move(row, (Status.FAILED,), status=Status.DRAFTING, error="")


def row_drafted(row: SeriesRow, script: Script) -> bool:
    """The AI writer's script is in: the row waits for a render slot."""
    return _move(row, (Status.DRAFTING,), status=Status.WAITING, script=script, error="")


def row_outlined(row: SeriesRow, script: Script) -> bool:
    """A failed topic-only row with no writing model left: the offline outline is its script, for the creator to
    write."""
    return _move(row, (Status.FAILED,), status=Status.NEEDS_SCRIPT, script=script, error="")


def row_rendered(row: SeriesRow, job: RenderJob) -> bool:
    """Its render succeeded: it waits for review, unless the campaign approves its videos without one."""
    if row.series.campaign.auto_approve:
        changes = {"status": Status.APPROVED, "review_note": AUTO_APPROVED, "reviewed_at": timezone.now()}
    else:
        changes = {"status": Status.REVIEW, "review_note": ""}
    return _move_for_job(row, job, **changes)


def row_render_ended(row: SeriesRow, job: RenderJob, message: str) -> bool:
    """Its render failed or was cancelled."""
    return _move_for_job(row, job, status=Status.FAILED, error=message[:2000])


def _move_for_job(row: SeriesRow, job: RenderJob, **changes: Any) -> bool:
    # Only the row's current render moves it: an older render of the row (replaced by a regeneration) does not.
    return _move_where(row, {"status": Status.RENDERING, "job": job}, **changes)


def row_waiting(row: SeriesRow) -> bool:
    """Sent on again by the creator (outline written, script fixed, failure dealt with): waits for a slot."""
    return _move(row, SeriesRow.RENDERABLE_AGAIN, status=Status.WAITING, error="")


def approve(row: SeriesRow, user: Any, note: str = "") -> bool:
    return _move(
        row, (Status.REVIEW, Status.CHANGES_REQUESTED), status=Status.APPROVED, review_note=note[:2000],
        reviewed_by=user, reviewed_at=timezone.now(),
    )  # fmt: skip


def request_changes(row: SeriesRow, user: Any, note: str) -> bool:
    """Back to the creator with what to change; an approved video not yet published can be taken back too."""
    return _move(
        row, (Status.REVIEW, Status.APPROVED), status=Status.CHANGES_REQUESTED, review_note=note[:2000],
        reviewed_by=user, reviewed_at=timezone.now(),
    )  # fmt: skip


# --- Publications: each a conditional UPDATE from the states it may leave (a late task changes nothing) ------

Pub = Publication.Status


def _move_publication(publication: Publication, leaving: tuple[str, ...], **changes: Any) -> bool:
    updated = Publication.objects.filter(pk=publication.pk, status__in=leaving).update(
        updated_at=timezone.now(), **changes
    )
    publication.refresh_from_db()
    return bool(updated)


def publication_claimed(publication: Publication) -> bool:
    """Its time came (or a person retried it): a task is on its way."""
    return _move_publication(publication, (Pub.SCHEDULED, Pub.FAILED), status=Pub.PUBLISHING)


def publication_attempted(publication: Publication) -> bool:
    return bool(
        Publication.objects.filter(pk=publication.pk, status=Pub.PUBLISHING).update(
            attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


def publication_published(publication: Publication, remote_id: str = "", remote_url: str = "") -> bool:
    return _move_publication(
        publication, (Pub.PUBLISHING,), status=Pub.PUBLISHED, error="", remote_id=remote_id[:100],
        remote_url=remote_url[:500], published_at=timezone.now(),
    )  # fmt: skip


def publication_will_retry(publication: Publication, reason: str) -> bool:
    """A failure that may pass: it stays publishing, the reason shown, until the retry with backoff runs."""
    return _move_publication(publication, (Pub.PUBLISHING,), error=f"Trying again: {reason}"[:2000])


def publication_failed(publication: Publication, reason: str) -> bool:
    return _move_publication(publication, (Pub.SCHEDULED, Pub.PUBLISHING), status=Pub.FAILED, error=reason[:2000])
