"""Export my data: a zip of what the person wrote and made, streamed a piece at a time.

Scripts they wrote (in the workspaces they belong to), the metadata of those workspaces' voices (never their
samples or vendor ids), and the jobs they started with links to their outputs. Each workspace's part is
written and sent before the next is read, so the response never holds the whole archive.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterator

from accounts.models import Workspace
from renders.models import RenderJob
from scripts.models import Script
from voices.models import Voice


class _Sink(io.RawIOBase):
    """An unseekable stream the archive writes into; `drain` hands over what it wrote so far."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False, default=str)


def _scripts(workspace: Workspace, user) -> list[dict]:
    rows = Script.objects.filter(workspace=workspace, created_by=user).select_related("campaign").order_by("pk")
    return [
        {
            "title": script.title,
            "language": script.language,
            "campaign": script.campaign.name if script.campaign else None,
            "body": script.body,
            "created_at": script.created_at,
            "updated_at": script.updated_at,
        }
        for script in rows.iterator()
    ]


def _voices(workspace: Workspace) -> list[dict]:
    fields = ("name", "engine", "language", "created_at")
    return list(Voice.objects.filter(workspace=workspace).order_by("pk").values(*fields))


def _jobs(workspace: Workspace, user, link_for: Callable[[RenderJob, str], str]) -> list[dict]:
    rows = RenderJob.objects.filter(workspace=workspace, created_by=user).prefetch_related("outputs").order_by("pk")
    return [
        {
            "title": job.title,
            "kind": job.kind,
            "status": job.status,
            "created_at": job.created_at,
            "outputs": {output.kind: link_for(job, output.kind) for output in job.outputs.all()},
        }
        for job in rows.iterator(chunk_size=200)
    ]


def export_chunks(user, link_for: Callable[[RenderJob, str], str]) -> Iterator[bytes]:
    """The zip, piece by piece; `link_for(job, kind)` is the absolute URL of a job's output."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", _json([{"email": user.email, "date_joined": user.date_joined}]))
        for workspace in Workspace.objects.filter(memberships__user=user).order_by("pk"):
            folder = f"workspaces/{workspace.pk}"
            archive.writestr(f"{folder}/workspace.json", _json([{"name": workspace.name}]))
            archive.writestr(f"{folder}/scripts.json", _json(_scripts(workspace, user)))
            archive.writestr(f"{folder}/voices.json", _json(_voices(workspace)))
            archive.writestr(f"{folder}/jobs.json", _json(_jobs(workspace, user, link_for)))
            yield sink.drain()
    yield sink.drain()
