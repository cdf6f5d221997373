"""The workspace's audit log: who did what and when, for its owners and admins (and staff, in the admin).

Actions are dotted names (`member.role`, `invitation.sent`, `key.created`, ...); the summary is the sentence
people read. Entries are kept AUDIT_KEEP_DAYS (a year) and pruned daily by the worker (`accounts.tasks`).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import AuditEntry, Workspace


def record(workspace: Workspace | int, actor, action: str, summary: str) -> AuditEntry:
    """`actor` is the user who acted, or None for OmniVibe itself (and for people without an account)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return AuditEntry.objects.create(
        workspace_id=workspace_id,
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        summary=summary[:300],
    )


def prune() -> int:
    """Forget entries older than AUDIT_KEEP_DAYS; how many went."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_KEEP_DAYS)
    deleted, _ = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The entries as CSV, a line at a time (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [["time (UTC)", "who", "action", "what"]] + [
        [entry.created_at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor_email or "OmniVibe", entry.action, entry.summary]
        for entry in entries
    ]:
        writer.writerow([defused(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def defused(cell: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets: names and summaries come from users.
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell
