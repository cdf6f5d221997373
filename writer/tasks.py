"""Fast-lane tasks of the writer (thin: writer.services does the work)."""

from writer import services


def write_queued_draft(draft_id: int) -> None:
    services.write_queued_draft(draft_id)


def fail_stale_drafts() -> None:
    services.fail_stale_drafts()
