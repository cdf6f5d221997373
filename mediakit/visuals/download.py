"""Fetching a chosen visual: stock downloads (hostile input) and library copies, cached per workspace.

A download goes only to links its source allows (https to the provider's hosts; redirects checked the same
way), stops at `max_bytes` and at an overall deadline, and is kept only when `mediakit/uploads.py` (through
`mediakit/untrusted.py`) reads it as the picture or clip it claims to be. Checked files are stored in the
workspace's stock cache (a Storage-like object: the app's default storage) named after source and id, so a
clip used by another script of the workspace is not downloaded again.
"""

import io
import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from mediakit import untrusted, uploads
from mediakit.speech.cache import Storage
from mediakit.visuals import PHOTO, VIDEO, Candidate

MB = 1024 * 1024
MAX_REDIRECTS = 3
EXTENSIONS = {VIDEO: ("mp4", "webm"), PHOTO: ("jpg", "png", "webp")}


class DownloadError(Exception):
    """The visual could not be fetched or is not what it claims; the message says why (for the report)."""


@dataclass
class Fetcher:
    storage: Storage
    prefix: str  # "workspaces/<id>/stock"
    workdir: Path  # local copies for the renderer
    max_bytes: int = 50 * MB
    timeout: float = 60.0  # seconds for one whole download
    max_clip_seconds: float = 120.0

    def fetch(
        self,
        candidate: Candidate,
        allows: Callable[[str], bool] = lambda url: False,
        resolve: Callable[[Candidate], str] | None = None,
    ) -> tuple[str, Path]:
        """(storage name, local path) of the candidate's checked file; raises DownloadError. `resolve` gives
        the link of a candidate made on demand (an AI generation), called only when it is not cached yet."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if candidate.storage_name:  # the library: checked when uploaded
            return candidate.storage_name, self._copy_out(candidate.storage_name)
        if cached := self.cached(candidate):
            return cached, self._copy_out(cached)
        stem = f"{self.prefix}/{candidate.source}-{_safe(candidate.id)}"
        if resolve is not None and not candidate.url:
            candidate = replace(candidate, url=resolve(candidate))
        if not candidate.url:
            raise DownloadError(f"{candidate.key} has no link")
        local = self.workdir / f"download-{candidate.source}-{_safe(candidate.id)}"
        self._download(candidate.url, local, allows)
        extension = self._check(candidate, local)
        final = local.with_name(f"{local.name}.{extension}")
        local.rename(final)
        with final.open("rb") as handle:
            name = self.storage.save(f"{stem}.{extension}", handle)
        # The credit travels with the cached file: a storyboard edited later still credits its author.
        self.storage.save(f"{stem}.json", io.BytesIO(json.dumps(credit_of(candidate)).encode()))
        return name, final

    def cached(self, candidate: Candidate) -> str | None:
        """The storage name of the candidate's file when this workspace has it already."""
        stem = f"{self.prefix}/{candidate.source}-{_safe(candidate.id)}"
        return next(
            (f"{stem}.{ext}" for ext in EXTENSIONS[candidate.kind] if self.storage.exists(f"{stem}.{ext}")), None
        )

    def credit(self, name: str) -> dict[str, Any] | None:
        """The credit stored beside a cached stock file (None for other files, or when it cannot be read)."""
        if not name.startswith(f"{self.prefix}/") or ".." in name.split("/"):
            return None
        sidecar = name.rsplit(".", 1)[0] + ".json"
        try:
            with self.storage.open(sidecar, "rb") as handle:
                data = json.loads(handle.read(64 * 1024))
        except (OSError, ValueError):
            return None
        return {k: str(data.get(k, "")) for k in CREDIT_FIELDS} if isinstance(data, dict) else None

    def _download(self, url: str, target: Path, allows: Callable[[str], bool]) -> None:
        deadline = time.monotonic() + self.timeout  # httpx's timeout bounds each read, not the whole download
        with httpx.Client(timeout=min(self.timeout, 20.0), follow_redirects=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                if not allows(url):
                    raise DownloadError("the download link points outside the provider")
                try:
                    with client.stream("GET", url) as answer:
                        if answer.is_redirect and answer.headers.get("location"):
                            url = urljoin(url, answer.headers["location"])
                            continue
                        if answer.status_code != 200:
                            raise DownloadError(f"the download answered {answer.status_code}")
                        declared = answer.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > self.max_bytes:
                            raise DownloadError(f"the file is larger than {self.max_bytes // MB} MB")
                        self._write(answer, target, deadline)
                        return
                except httpx.HTTPError as error:
                    raise DownloadError(f"the download failed ({type(error).__name__})") from None
        raise DownloadError("too many redirects")

    def _write(self, answer: Any, target: Path, deadline: float) -> None:
        written = 0
        with target.open("wb") as out:
            for chunk in answer.iter_bytes():
                written += len(chunk)
                if written > self.max_bytes:
                    raise DownloadError(f"the file is larger than {self.max_bytes // MB} MB")
                if time.monotonic() > deadline:
                    raise DownloadError("the download took too long")
                out.write(chunk)

    def _check(self, candidate: Candidate, path: Path) -> str:
        """The file's extension by content, once it reads as the kind it claims; raises DownloadError."""
        try:
            with path.open("rb") as handle:
                if candidate.kind == VIDEO:
                    limits = uploads.Limits(uploads.CLIP_FORMATS, self.max_bytes, 2, 4096, self.max_clip_seconds)
                    uploads.validate_clip(handle, limits)
                else:
                    uploads.validate_image(handle, uploads.Limits(uploads.IMAGE_FORMATS, self.max_bytes, 2, 4096))
                handle.seek(0)
                fmt = untrusted.sniff(handle.read(64))
        except (uploads.MediaError, untrusted.Refused) as error:
            path.unlink(missing_ok=True)
            raise DownloadError(f"the downloaded file is unusable: {error}") from None
        return fmt.extensions[0]

    def _copy_out(self, name: str) -> Path:
        target = self.workdir / f"{uuid.uuid4().hex[:8]}-{Path(name).name}"
        try:
            with self.storage.open(name, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
        except OSError as error:
            raise DownloadError(f"{Path(name).name} cannot be read from storage ({type(error).__name__})") from None
        return target


CREDIT_FIELDS = ("source", "id", "kind", "license", "attribution", "page_url")


def credit_of(candidate: Candidate) -> dict[str, str]:
    return {name: str(getattr(candidate, name)) for name in CREDIT_FIELDS}


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:80]
