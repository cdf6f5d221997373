"""AI video behind the visual-source interface: a text-to-video provider (Runway) and a talking avatar (HeyGen).

Both answer `find(scene, aspect)` with one candidate that does not exist yet; `generate(candidate, ...)`
submits it, polls the provider's long-running task until it is done (reporting progress, stopping at an
overall deadline or when the job is cancelled) and returns the link to download, which `download.Fetcher`
then fetches and checks like any stock clip. Candidate ids are hashes of what was asked, so a clip made once
for a workspace is found in its cache and never paid for twice.

Runway: https://docs.dev.runwayml.com/api/ (`POST /v1/text_to_video` with `X-Runway-Version`, then
`GET /v1/tasks/{id}` until SUCCEEDED or FAILED). HeyGen: https://docs.heygen.com/reference/ (the narration
uploaded with `POST /v1/asset` on upload.heygen.com, `POST /v2/video/generate` with a voice of type audio,
`GET /v1/video_status.get` until completed or failed). Answers are hostile input, read like stock answers.
"""

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from mediakit.errors import RenderCancelled
from mediakit.ffmpeg import ffmpeg_output
from mediakit.speech.words import TimedWord
from mediakit.video.storyboard import Scene
from mediakit.visuals import VIDEO, Candidate, SourceError, orientation, query_for

MAX_ANSWER_BYTES = 256 * 1024
PROMPT_CHARS = 1000  # Runway's limit for promptText
RUNWAY_VERSION = "2024-11-06"
RUNWAY_RATIOS = {"portrait": "720:1280", "landscape": "1280:720", "square": "960:960"}
RUNWAY_SECONDS = (4, 6, 8)  # the clip lengths its video models take; a longer scene loops its clip
HEYGEN_SIZES = {"portrait": (720, 1280), "landscape": (1280, 720), "square": (720, 720)}


@dataclass(frozen=True)
class Poll:
    """One look at a long-running generation: finished (with its link) or not, and how far along."""

    url: str | None = None
    fraction: float | None = None


class Generator:
    """What both providers share: authenticated JSON calls with an overall deadline per call, polling with one
    deadline for all the generations of this object (one render: the scenes are made one after another, and
    the render's own time limit must not run out waiting), and which download links are the provider's own."""

    name = ""
    label = ""
    auth_header = ""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 30.0,
        poll_interval: float = 5.0,
        deadline: float = 900.0,
        download_hosts: Sequence[str] = (),
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout  # one whole call
        self.poll_interval = poll_interval
        self.deadline = deadline  # seconds for all generations, from the first submission to the last finished
        self._ends: float | None = None
        self.download_hosts = tuple(download_hosts)  # the provider's file hosts (and their subdomains)

    # --- the visual-source interface ----------------------------------------------------------------------
    def search(self, query: str, aspect: str) -> list[Candidate]:
        return []  # nothing to search: a generation is made for one scene

    def allows(self, url: Any) -> bool:
        """https to the provider's file hosts, or the configured API's own origin (a local fake in tests)."""
        if not isinstance(url, str):
            return False
        parts, base = urlsplit(url), urlsplit(self.base_url)
        host = parts.hostname or ""
        ours = any(host == h or host.endswith(f".{h}") for h in self.download_hosts)
        if ours and parts.scheme == "https" and parts.port in (None, 443):
            return True
        return (parts.scheme, parts.hostname, parts.port) == (base.scheme, base.hostname, base.port)

    # --- polling ------------------------------------------------------------------------------------------
    def _wait(
        self,
        check: Callable[[], Poll],
        on_progress: Callable[[float], None],
        is_cancelled: Callable[[], bool],
    ) -> str:
        if self._ends is None:
            self._ends = time.monotonic() + self.deadline
        ends = self._ends
        while True:
            if is_cancelled():
                raise RenderCancelled()
            poll = check()
            if poll.url:
                on_progress(1.0)
                return poll.url
            if poll.fraction is not None:
                on_progress(min(max(poll.fraction, 0.0), 0.99))
            if time.monotonic() + self.poll_interval > ends:
                raise SourceError(f"{self.label} did not finish within {self.deadline:.0f} s")
            time.sleep(self.poll_interval)

    # --- HTTP ---------------------------------------------------------------------------------------------
    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        headers = {self.auth_header: self._auth(), **kwargs.pop("headers", {})}
        deadline = time.monotonic() + self.timeout  # httpx's timeout bounds each read, not the whole answer
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream(method, url, headers=headers, **kwargs) as answer,
            ):
                if answer.status_code in (401, 403):
                    raise SourceError(f"{self.label} refused the API key ({answer.status_code})", give_up=True)
                if answer.status_code == 429:
                    raise SourceError(f"{self.label} rate limit reached (429)", give_up=True)
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                        raise SourceError(f"{self.label} answer too large or too slow")
                status = answer.status_code
        except httpx.HTTPError as error:
            raise SourceError(f"{self.label} cannot be reached ({type(error).__name__})") from None
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if status not in (200, 201):
            raise SourceError(f"{self.label} answered {status}{_said(data)}")
        if not isinstance(data, dict):
            raise SourceError(f"{self.label} answered an unexpected shape")
        return data

    def _auth(self) -> str:
        return self.api_key


class Runway(Generator):
    """Text to video: a prompt from the scene's narrated words, one clip per scene."""

    name = "runway"
    label = "Runway"
    auth_header = "Authorization"

    def __init__(self, api_key: str, base_url: str, *, model: str = "veo3.1_fast", **kwargs: Any) -> None:
        super().__init__(api_key, base_url, **kwargs)
        self.model = model
        self.words: Sequence[TimedWord] = ()

    def narrated(self, words: Sequence[TimedWord], audio: Path | None) -> None:
        """The narration's words: each scene's prompt is what is said over it."""
        self.words = words

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        prompt = self.prompt_for(scene)
        if not prompt:
            return []
        ratio = RUNWAY_RATIOS[orientation(aspect)]
        seconds = next((s for s in RUNWAY_SECONDS if s >= scene.duration), RUNWAY_SECONDS[-1])
        width, height = (int(side) for side in ratio.split(":"))
        asked = json.dumps([self.model, ratio, seconds, prompt])
        return [
            Candidate(
                source=self.name,
                id=hashlib.sha256(asked.encode()).hexdigest()[:24],
                kind=VIDEO,
                width=width,
                height=height,
                duration=float(seconds),
                license=f"Generated with Runway ({self.model}) for this workspace",
                attribution="AI-generated video (Runway)",  # disclosed: viewers are told what is synthetic
                prompt=prompt,
                tags=scene.keywords,
            )
        ]

    def prompt_for(self, scene: Scene) -> str:
        # Overlap, not start inside: scene times are rounded to the millisecond, word times are not.
        said = " ".join(
            w.text for w in self.words if w.block == scene.block and w.end > scene.start and w.start < scene.end
        )
        subject = said.strip().rstrip(".!?;: ") or query_for(scene)
        if not subject:
            return ""
        return f"Cinematic b-roll footage illustrating: {subject}. No text, no captions, no logos."[:PROMPT_CHARS]

    def generate(
        self,
        candidate: Candidate,
        on_progress: Callable[[float], None] = lambda fraction: None,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> str:
        ratio = f"{candidate.width}:{candidate.height}"
        body = {
            "model": self.model,
            "promptText": candidate.prompt,
            "ratio": ratio,
            "duration": int(candidate.duration),
        }
        task = self._call("POST", f"{self.base_url}/v1/text_to_video", json=body, headers=self._version())
        task_id = task.get("id")
        if not isinstance(task_id, str) or not task_id:
            raise SourceError("Runway answered without a task id")
        return self._wait(lambda: self._task(task_id), on_progress, is_cancelled)

    def _task(self, task_id: str) -> Poll:
        task = self._call("GET", f"{self.base_url}/v1/tasks/{task_id}", headers=self._version())
        status = task.get("status")
        if status == "SUCCEEDED":
            output = task.get("output")
            if not isinstance(output, list) or not output or not isinstance(output[0], str):
                raise SourceError("Runway finished without a video")
            return Poll(url=output[0])
        if status in ("FAILED", "CANCELLED"):
            reason = task.get("failure") or task.get("failureCode") or status.lower()
            raise SourceError(f"Runway generation failed: {str(reason)[:200]}")
        if status in ("PENDING", "THROTTLED", "RUNNING"):
            progress = task.get("progress")
            return Poll(fraction=float(progress) if isinstance(progress, int | float) else None)
        raise SourceError(f"Runway answered an unknown task status {str(status)[:40]!r}")

    def _auth(self) -> str:
        return f"Bearer {self.api_key}"

    def _version(self) -> dict[str, str]:
        return {"X-Runway-Version": RUNWAY_VERSION}


class HeyGen(Generator):
    """A talking avatar lipsynced to our own narration: the scene's stretch of it uploaded as an audio asset."""

    name = "heygen"
    label = "HeyGen"
    auth_header = "X-Api-Key"

    def __init__(self, api_key: str, base_url: str, *, upload_url: str, avatar_id: str, **kwargs: Any) -> None:
        super().__init__(api_key, base_url, **kwargs)
        self.upload_url = upload_url.rstrip("/")
        self.avatar_id = avatar_id
        self.audio: Path | None = None
        self._clips: dict[str, bytes] = {}  # candidate id -> the MP3 its avatar speaks

    def narrated(self, words: Sequence[TimedWord], audio: Path | None) -> None:
        self.audio = audio

    def find(self, scene: Scene, aspect: str) -> list[Candidate]:
        if self.audio is None or not self.avatar_id:
            return []
        try:  # the scene's own stretch of the narration: the avatar's lips move with the captions
            clip = ffmpeg_output(
                ["-ss", f"{scene.start:.3f}", "-t", f"{scene.duration:.3f}", "-i", str(self.audio), "-f", "mp3", "-"]
            )
        except Exception as error:  # any failure here is a note, not a failed render
            raise SourceError(f"the narration could not be cut for HeyGen ({type(error).__name__})") from None
        width, height = HEYGEN_SIZES[orientation(aspect)]
        digest = hashlib.sha256(clip + json.dumps([self.avatar_id, width, height]).encode()).hexdigest()[:24]
        self._clips[digest] = clip
        return [
            Candidate(
                source=self.name,
                id=digest,
                kind=VIDEO,
                width=width,
                height=height,
                duration=round(scene.duration, 3),
                license=f"Avatar video generated with HeyGen (avatar {self.avatar_id}) for this workspace",
                attribution="AI-generated presenter (HeyGen)",
                tags=scene.keywords,
            )
        ]

    def generate(
        self,
        candidate: Candidate,
        on_progress: Callable[[float], None] = lambda fraction: None,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> str:
        clip = self._clips.get(candidate.id)
        if clip is None:
            raise SourceError("HeyGen: the narration for this scene is no longer at hand")
        asset = self._call(
            "POST", f"{self.upload_url}/v1/asset", content=clip, headers={"Content-Type": "audio/mpeg"}
        ).get("data")
        asset_id = asset.get("id") if isinstance(asset, dict) else None
        if not isinstance(asset_id, str) or not asset_id:
            raise SourceError("HeyGen answered the upload without an asset id")
        body = {
            "video_inputs": [
                {
                    "character": {"type": "avatar", "avatar_id": self.avatar_id, "avatar_style": "normal"},
                    "voice": {"type": "audio", "audio_asset_id": asset_id},
                }
            ],
            "dimension": {"width": candidate.width, "height": candidate.height},
        }
        made = self._call("POST", f"{self.base_url}/v2/video/generate", json=body).get("data")
        video_id = made.get("video_id") if isinstance(made, dict) else None
        if not isinstance(video_id, str) or not video_id:
            raise SourceError("HeyGen answered without a video id")
        return self._wait(lambda: self._status(video_id), on_progress, is_cancelled)

    def _status(self, video_id: str) -> Poll:
        data = self._call("GET", f"{self.base_url}/v1/video_status.get", params={"video_id": video_id}).get("data")
        if not isinstance(data, dict):
            raise SourceError("HeyGen answered an unexpected shape")
        status = data.get("status")
        if status == "completed":
            if not isinstance(data.get("video_url"), str):
                raise SourceError("HeyGen finished without a video")
            return Poll(url=data["video_url"])
        if status == "failed":
            error = data.get("error")
            reason = error.get("message") if isinstance(error, dict) else error
            raise SourceError(f"HeyGen generation failed: {str(reason or 'no reason given')[:200]}")
        if status in ("pending", "processing", "waiting"):
            return Poll()
        raise SourceError(f"HeyGen answered an unknown status {str(status)[:40]!r}")


def _said(data: Any) -> str:
    """A provider's own error words, short, when its answer has them."""
    if isinstance(data, dict):
        error = data.get("error") or data.get("message")
        if isinstance(error, dict):
            error = error.get("message")
        if isinstance(error, str) and error:
            return f": {error[:160]}"
    return ""
