"""Hostile uploads, read as a list of attacks. Every file of the corpus goes through every upload path (Studio
voice sample, campaign logo, campaign music, storyboard scene picture and clip, `POST /api/v1/speakers`)
and must get a clear refusal, with nothing stored, no connection to the listener the playlists point at,
and no memory blow-up while it is checked.
"""

import contextlib
import html
import io
import json
import os
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import ensure_personal_workspace
from mediakit.ffmpeg import FFMPEG
from mediakit.video.storyboard import Background, Scene, Storyboard
from renders.models import RenderJob
from scripts.models import Campaign
from voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.storage]  # stored files: .ci/run runs these on a bucket too
MB = 1024 * 1024
MEMORY_BOUND = 100 * MB  # generous: the PNG bomb alone would take ~256 MB decoded, the FLAC ~300 MB


# --- the listener the playlists point at ------------------------------------------------------------------


class Listener:
    """A TCP server on 127.0.0.1 that counts every connection made to it (and answers 404)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with connection:
                connection.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def listener():
    listener = Listener()
    yield listener
    listener.close()


# --- the corpus -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    name: str  # the client's file name: the attack's own extension
    data: bytes
    # What each kind of upload must answer (a phrase of the message), by the kind the path expects.
    audio: str = "not audio we can read"
    image: str = "not a picture we can read"
    clip: str = "not a video clip we can read"


def playlists(port: int) -> list[Hostile]:
    url = f"http://127.0.0.1:{port}/x.ts"
    hls = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\n{}\n#EXT-X-ENDLIST\n"
    return [
        Hostile("voice.m3u8", hls.format(url).encode()),
        Hostile("passwd.m3u8", hls.format("file:///etc/passwd").encode()),
        Hostile("voice.concat", f"file '{url}'\n".encode()),
        Hostile("passwd.concat", b"file '/etc/passwd'\n"),
        Hostile("voice.ffconcat", f"ffconcat version 1.0\nfile {url}\nduration 10\n".encode()),
        Hostile("passwd.ffconcat", b"ffconcat version 1.0\nfile /etc/passwd\n"),
        Hostile("voice.wav", hls.format(url).encode()),  # a playlist in a harmless-looking name
    ]


def png_bomb() -> bytes:
    """A ~250 KB grey PNG declaring 16000 x 16000 pixels: 256 MB once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    side = 16000
    packer = zlib.compressobj(9)
    row = bytes(side + 1)  # filter byte + one grey byte a pixel
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


FLAC_OUT = ["-c:a", "flac", "-frame_size", "65535", "-f", "flac", "pipe:1"]
H264_MP4 = ["-c:v", "libx264", "-preset", "ultrafast"]


def absurd_rate_flac() -> bytes:
    """Two minutes of silence at 655,350 Hz: ~30 KB, ~300 MB once decoded to float samples."""
    return subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=655350:cl=mono", "-t", "120", *FLAC_OUT],
        capture_output=True,
        check=True,
    ).stdout


def absurd_rate_wav() -> bytes:
    """A WAV header claiming 2,000,000,000 samples a second over a megabyte of zeros."""
    data = bytes(MB)
    fmt = struct.pack("<HHIIHH", 1, 1, 2_000_000_000, 4_000_000_000 % 2**32, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def truncated_mp4(tmp_path, movflags: str) -> bytes:
    """A real 2 s H.264 MP4 cut to a third: with its index at the end (lost), or at the front (data lost)."""
    path = tmp_path / "clip.mp4"
    source = ["-f", "lavfi", "-i", "testsrc=s=640x360:r=10:d=2"]
    subprocess.run([FFMPEG, "-v", "error", "-y", *source, *H264_MP4, "-movflags", movflags, str(path)], check=True)
    clip = path.read_bytes()
    return clip[: len(clip) // 3]


@pytest.fixture(scope="module")
def corpus(listener, tmp_path_factory) -> list[Hostile]:
    tmp_path = tmp_path_factory.mktemp("corpus")
    rate = "it can be at most 192,000 Hz"
    png, flac, wav = "a PNG file", "a FLAC file", "a WAV file"
    return [
        *playlists(listener.port),
        Hostile(
            "logo.png", png_bomb(), audio=png, image="16000 x 16000 pixels; the long side can be at most 4096", clip=png
        ),
        Hostile("music.flac", absurd_rate_flac(), audio=rate, image=flac, clip=flac),
        Hostile("voice.wav", absurd_rate_wav(), audio=rate, image=wav, clip=wav),
        Hostile("voice.wav", b"These are my notes, not a recording.\n" * 200),
        Hostile("clip.mp4", truncated_mp4(tmp_path, "+default_base_moof"), image="a MP4 file"),
        Hostile("clip.mp4", truncated_mp4(tmp_path, "+faststart"), image="a MP4 file"),
    ]


# --- the upload paths -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str  # the error message(s) the creator or API client sees


BRAND = {"name": "Brand", "aspect": "9:16", "primary_color": "#112233", "secondary_color": "#445566"}
BRAND |= {"font": "Roboto Bold", "caption_size": "medium", "caption_color": "#FFFFFF"}
BRAND |= {"highlight_color": "#FFD400", "caption_position": "bottom", "transition": "cut", "burn_captions": "on"}


def upload_of(hostile: Hostile) -> SimpleUploadedFile:
    return SimpleUploadedFile(hostile.name, hostile.data, content_type="application/octet-stream")


def voice_form(ctx, hostile: Hostile) -> Refusal:
    data = {"name": "Guest", "engine": "piper", "preset": "joe", "language": "en", "sample": upload_of(hostile)}
    response = ctx.client.post(reverse("voices:new"), data)
    return Refusal(response.status_code, " ".join(response.context["form"].errors.get("sample", [])))


def campaign_logo(ctx, hostile: Hostile) -> Refusal:
    response = ctx.client.post(reverse("studio:campaign_new"), {**BRAND, "logo": upload_of(hostile)})
    return Refusal(response.status_code, " ".join(response.context["form"].errors.get("logo", [])))


def campaign_music(ctx, hostile: Hostile) -> Refusal:
    response = ctx.client.post(reverse("studio:campaign_new"), {**BRAND, "music": upload_of(hostile)})
    return Refusal(response.status_code, " ".join(response.context["form"].errors.get("music", [])))


def scene_upload(kind: str) -> Callable:
    def post(ctx, hostile: Hostile) -> Refusal:
        data = {"s1-kind": kind, "s1-color": "#1e293b", "s1-color2": "#7c3aed", "s1-file": upload_of(hostile)}
        url = reverse("renders:scene_save", args=[ctx.job.public_id, 1])
        response = ctx.client.post(url, data, headers={"HX-Request": "true"})
        return Refusal(response.status_code, html.unescape(response.content.decode()))

    return post


def api_speaker(ctx, hostile: Hostile) -> Refusal:
    sample = io.BytesIO(hostile.data)
    sample.name = hostile.name
    response = ctx.api.post("/api/v1/speakers", {"name": "Guest", "sample": sample}, format="multipart")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and "sample" in error["details"]
    return Refusal(response.status_code, json.dumps(error["details"]["sample"]))


PATHS = {
    "studio voice sample": (voice_form, "audio"),
    "campaign logo": (campaign_logo, "image"),
    "campaign music": (campaign_music, "audio"),
    "scene picture": (scene_upload("image"), "image"),
    "scene clip": (scene_upload("video"), "clip"),
    "api speaker sample": (api_speaker, "audio"),
}


@dataclass
class Context:
    client: object
    api: object
    job: RenderJob


@pytest.fixture
def ctx(owner_client, owner, api) -> Context:
    """The owner's Studio session, an API client and a prepared storyboard with one scene to upload into."""
    scene = Scene(start=0.0, end=2.0, block=0, speaker="Host", background=Background())
    board = Storyboard(duration=2.0, scenes=(scene,))
    job = RenderJob.objects.create(
        workspace=ensure_personal_workspace(owner),
        title="Story",
        kind=RenderJob.Kind.AUDIO,
        blocks=[{"speaker": "Host", "text": "Hello."}],
        options={"prepare_storyboard": True},
        status=RenderJob.Status.SUCCEEDED,
        edited_storyboard=json.loads(board.to_json()),
    )
    return Context(owner_client, api, job)


# --- memory -----------------------------------------------------------------------------------------------


class PeakMemory:
    """Samples this process's resident memory every millisecond while in use; `growth` is the peak over the start."""

    def __init__(self) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = self.start = 0
        self.running = False

    def _resident(self) -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self._resident())
            time.sleep(0.001)

    def __enter__(self) -> "PeakMemory":
        self.start = self.peak = self._resident()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


# --- the attacks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_every_hostile_file_is_refused_clearly_on_every_upload_path(ctx, corpus, listener, settings, path):
    post, kind = PATHS[path]
    post(ctx, Hostile("warm-up.wav", b"not audio"))  # imports and first-request costs are not the attack's
    before = listener.connections
    for hostile in corpus:
        with PeakMemory() as memory:
            refusal = post(ctx, hostile)
        expected = getattr(hostile, kind)
        assert 400 <= refusal.status < 500 or refusal.status == 200, (hostile.name, refusal)
        assert expected in refusal.text, (hostile.name, refusal.text[:300])
        assert "root:" not in refusal.text  # /etc/passwd never comes back
        assert memory.growth < MEMORY_BOUND, (hostile.name, memory.growth // MB)
    assert listener.connections == before, "an upload made the server connect to the listener"
    assert not Voice.objects.exists() and not Campaign.objects.exists()
    ctx.job.refresh_from_db()
    assert all(scene["background"]["path"] is None for scene in ctx.job.edited_storyboard["scenes"])
    assert not (settings.MEDIA_ROOT / "workspaces").exists()  # nothing of any of them was stored


def test_form_refusals_are_form_errors_and_api_refusals_are_400(ctx, corpus):
    hls = corpus[0]
    assert voice_form(ctx, hls).status == 200  # the form comes back with its error, never a 500
    assert api_speaker(ctx, hls).status == 400


def test_the_listener_sees_a_playlist_opened_the_unsafe_way(listener):
    """The control: an upload handed to PyAV as the code did before (a file object with the client's name,
    PyAV choosing the demuxer) does reach the listener, so the assertions above would catch the forgery."""
    upload = io.BytesIO(playlists(listener.port)[0].data)
    upload.name = "voice.m3u8"
    before = listener.connections
    with contextlib.suppress(av.FFmpegError):  # the listener answers 404: what matters is that it was asked
        av.open(upload, timeout=5).close()
    assert listener.connections > before
