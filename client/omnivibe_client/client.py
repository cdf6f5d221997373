"""A small typed client for /api/v1: one method per endpoint, retries on 429/5xx honouring Retry-After."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypedDict

import httpx

FINISHED = ("succeeded", "failed", "cancelled")
RETRY_STATUSES = (429, 500, 502, 503, 504)


class Output(TypedDict):
    kind: str
    size: int
    url: str
    expires_at: str


class Job(TypedDict, total=False):
    id: str
    kind: str
    title: str
    status: str
    stage: str
    percent: int
    error: str
    duration: float | None
    blocks: list[dict[str, Any]]
    outputs: list[Output]
    callback_url: str | None
    webhook_deliveries: list[dict[str, Any]]
    created_at: str


class Speaker(TypedDict):
    id: int
    name: str
    engine: str
    voice_id: str
    settings: dict[str, Any]
    language: str
    has_sample: bool
    created_at: str


class ApiError(Exception):
    """The API refused the request; `code`, `message` and `details` come from its JSON error."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


class AuthError(ApiError):
    """401: the key is missing, unknown, revoked or expired."""


class NotFound(ApiError):
    """404: no such object in the key's workspace."""


class QuotaExceeded(ApiError):
    """402: the workspace's plan cannot afford this job."""


class ConnectionFailed(Exception):
    """The server could not be reached."""


class Client:
    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ):
        self.max_retries, self.backoff = max_retries, backoff
        self._http = httpx.Client(
            base_url=url.rstrip("/") + "/api/v1/",
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "omnivibe-client/0.1"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- speakers ---
    def list_speakers(self) -> list[Speaker]:
        return list(self._paginate("speakers", {}))

    def get_speaker(self, speaker_id: int) -> Speaker:
        return self._request("GET", f"speakers/{speaker_id}").json()

    def register_speaker(
        self,
        name: str,
        *,
        engine: str = "piper",
        voice_id: str = "",
        settings: dict[str, Any] | None = None,
        language: str = "en",
        sample: str | Path | None = None,
    ) -> Speaker:
        data = {"name": name, "engine": engine, "voice_id": voice_id, "language": language}
        data["settings"] = json.dumps(settings or {})
        if sample is None:
            return self._request("POST", "speakers", data=data).json()
        with open(sample, "rb") as handle:
            return self._request("POST", "speakers", data=data, files={"sample": (Path(sample).name, handle)}).json()

    def delete_speaker(self, speaker_id: int) -> None:
        self._request("DELETE", f"speakers/{speaker_id}")

    # --- jobs ---
    def synthesize(self, script: str | dict[str, Any], **options: Any) -> Job:
        return self._submit("synthesize", _script_body(script, options))

    def render(self, script: str | dict[str, Any], **options: Any) -> Job:
        return self._submit("renders", _script_body(script, options))

    def get_job(self, job_id: str) -> Job:
        return self._request("GET", f"jobs/{job_id}").json()

    def list_jobs(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        query: str | None = None,
        campaign: int | None = None,
    ) -> list[Job]:
        """Newest first; `query`: words in the title; `campaign`: its script's campaign id."""
        wanted = {"status": status, "kind": kind, "q": query, "campaign": campaign}
        params = {key: value for key, value in wanted.items() if value}
        return list(self._paginate("jobs", params))

    def cancel_job(self, job_id: str) -> Job:
        return self._request("DELETE", f"jobs/{job_id}").json()

    def wait(
        self,
        job: Job | str,
        *,
        on_progress: Callable[[Job], None] | None = None,
        poll: float = 1.0,
        timeout: float = 3600,
    ) -> Job:
        """Poll until the job ends; `on_progress(job)` is called after every poll."""
        job_id = job if isinstance(job, str) else job["id"]
        deadline = time.monotonic() + timeout
        while True:
            current = self.get_job(job_id)
            if on_progress:
                on_progress(current)
            if current["status"] in FINISHED:
                return current
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} is still {current['status']} after {timeout:.0f} s")
            time.sleep(poll)

    def download(self, job: Job | str, directory: str | Path) -> list[Path]:
        """Every output of a finished job into `directory` (signed URLs: fetched afresh, so never stale)."""
        current = self.get_job(job if isinstance(job, str) else job["id"])
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        paths = []
        for output in current["outputs"]:
            path = target / f"{current['id']}.{output['kind']}"
            try:
                # A server that keeps files in a bucket answers with a redirect to a presigned URL of it (httpx
                # drops our Authorization header on the way to another origin).
                with self._http.stream("GET", output["url"], follow_redirects=True) as response:
                    if not response.is_success:
                        response.read()  # a streamed error body must be read before its JSON is parsed
                    _raise_for(response)
                    with path.open("wb") as handle:
                        for chunk in response.iter_bytes():
                            handle.write(chunk)
            except httpx.TransportError as error:
                path.unlink(missing_ok=True)  # never leave a half-written file behind
                raise ConnectionFailed(f"the download of the {output['kind']} output broke off: {error}") from error
            paths.append(path)
        return paths

    # --- campaigns ---
    def list_campaigns(self) -> list[dict[str, Any]]:
        return list(self._paginate("campaigns", {}))

    def create_campaign(self, name: str, *, aspect: str = "9:16", primary_color: str | None = None) -> dict:
        body = {"name": name, "aspect": aspect, **({"primary_color": primary_color} if primary_color else {})}
        return self._request("POST", "campaigns", json=body).json()

    def delete_campaign(self, campaign_id: int) -> None:
        self._request("DELETE", f"campaigns/{campaign_id}")

    # --- saved scripts ---
    def list_scripts(self, *, query: str | None = None, campaign: int | None = None) -> list[dict[str, Any]]:
        params = {name: value for name, value in (("q", query), ("campaign", campaign)) if value}
        return list(self._paginate("scripts", params))

    def get_script(self, script_id: int) -> dict[str, Any]:
        return self._request("GET", f"scripts/{script_id}").json()

    def create_script(self, title: str, script: str | dict[str, Any], **fields: Any) -> dict[str, Any]:
        """`script`: the text format, or {"blocks": [...]}; `fields`: language, campaign."""
        body = {"body": script} if isinstance(script, str) else {"blocks": script.get("blocks")}
        return self._request("POST", "scripts", json={"title": title, **body, **fields}).json()

    def update_script(self, script_id: int, **fields: Any) -> dict[str, Any]:
        return self._request("PATCH", f"scripts/{script_id}", json=fields).json()

    def delete_script(self, script_id: int) -> None:
        self._request("DELETE", f"scripts/{script_id}")

    def duplicate_script(self, script_id: int) -> dict[str, Any]:
        return self._request("POST", f"scripts/{script_id}/duplicate").json()

    def similar_scripts(self, script_id: int, *, limit: int = 5, rank: str = "similarity") -> list[dict[str, Any]]:
        """The workspace's scripts nearest in meaning: id, title, campaign, updated_at, similarity (1 = same),
        performance (how its published videos did, or None); `rank="performance"` puts the best performers first."""
        params = {"limit": limit, "rank": rank}
        return self._request("GET", f"scripts/{script_id}/similar", params=params).json()

    # --- plumbing ---
    def _submit(self, path: str, body: dict[str, Any]) -> Job:
        # One key for every try: a retry after a lost answer gets the job the first try made, not a second one.
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        return self._request("POST", path, json=body, headers=headers).json()

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[Any]:
        page = self._request("GET", path, params={**params, "page_size": 100}).json()
        yield from page["results"]
        while page.get("next"):
            page = self._request("GET", page["next"]).json()
            yield from page["results"]

    def _request(self, method: str, path: str, *, files: Any = None, **kwargs: Any) -> httpx.Response:
        for attempt in range(self.max_retries + 1):
            if files:  # a retried upload must start from the beginning of each file
                for value in files.values():
                    if hasattr(value[1], "seek"):
                        value[1].seek(0)
            try:
                response = self._http.request(method, path, files=files, **kwargs)
            except httpx.TransportError as error:
                retry_safe = method in ("GET", "DELETE") or "Idempotency-Key" in kwargs.get("headers", {})
                if attempt < self.max_retries and retry_safe:
                    time.sleep(self.backoff * 2**attempt)
                    continue
                raise ConnectionFailed(f"cannot reach {self._http.base_url}: {error}") from error
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                time.sleep(_retry_after(response) or self.backoff * 2**attempt)
                continue
            _raise_for(response)
            return response
        raise AssertionError("unreachable")


def _script_body(script: str | dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    body = dict(script) if isinstance(script, dict) else {"script": script}
    return {**body, **{key: value for key, value in options.items() if value is not None}}


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers["Retry-After"]), 60.0)
    except (KeyError, ValueError):
        return None


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        error = response.json()["error"]
        code, message, details = error["code"], error["message"], error.get("details", {})
    except (ValueError, KeyError, TypeError):
        code, message, details = "http_error", f"HTTP {response.status_code}", {}
    cls = {401: AuthError, 402: QuotaExceeded, 404: NotFound}.get(response.status_code, ApiError)
    raise cls(response.status_code, code, message, details)
