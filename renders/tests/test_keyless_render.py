"""A new user with no keys renders the sample script: every scene has its own picture, every scene moves, and
the file re-muxes with rising timestamps (the whole app: Studio form, worker, Piper, ffmpeg, storage)."""

import itertools
import json
import subprocess

import av
import numpy as np
import pytest
from django.urls import reverse

from mediakit.ffmpeg import FFMPEG
from renders.models import RenderJob, RenderOutput
from studio.forms import SAMPLE_SCRIPT

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def rendered(owner_client, settings, tmp_path, django_capture_on_commit_callbacks):
    for name in ("PEXELS_API_KEY", "PIXABAY_API_KEY", "RUNWAY_API_KEY", "HEYGEN_API_KEY"):
        setattr(settings, name, "")
    settings.RENDER_VIDEO_HEIGHT = 240
    page = owner_client.get(reverse("studio:script_new"))
    assert page.context["form"].initial["body"] == SAMPLE_SCRIPT  # what a new user finds in the editor
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("studio:script_new"),
            {"title": "First", "body": SAMPLE_SCRIPT, "kind": "video", "aspect": "9:16", "render": "1"},
        )
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.SUCCEEDED, job.error
    mp4 = tmp_path / "video.mp4"
    mp4.write_bytes(job.outputs.get(kind=RenderOutput.Kind.MP4).file.read())
    board = json.loads(job.outputs.get(kind=RenderOutput.Kind.STORYBOARD).file.read())
    return job, mp4, board["scenes"]


def frames_of(mp4) -> list[tuple[int, float, np.ndarray]]:
    """(pts, seconds, the top quarter: above captions and cards) of every decoded frame, in decode order."""
    with av.open(str(mp4)) as container:
        return [
            (frame.pts, frame.time, frame.to_ndarray(format="rgb24")[: frame.height // 4].astype(int))
            for frame in container.decode(video=0)
        ]


def near(frames, seconds: float) -> np.ndarray:
    return min(frames, key=lambda frame: abs(frame[1] - seconds))[2]


def test_the_sample_scripts_scenes_each_look_different_and_move(rendered):
    job, mp4, scenes = rendered
    assert len(scenes) >= 3 and {scene["background"]["kind"] for scene in scenes} == {"motion"}
    assert not job.report.get("visuals") and not job.report.get("visual_notes")  # no source asked, nothing to note
    frames = frames_of(mp4)
    middles = [near(frames, (scene["start"] + scene["end"]) / 2) for scene in scenes]
    for one, other in itertools.combinations(range(len(scenes)), 2):
        difference = np.abs(middles[one] - middles[other]).mean()
        assert difference > 8, f"scenes {one + 1} and {other + 1} look alike ({difference:.1f})"
    for number, scene in enumerate(scenes, start=1):
        early, late = near(frames, scene["start"] + 0.2), near(frames, scene["end"] - 0.2)
        movement = np.abs(early - late).mean()
        assert movement > 4, f"scene {number} does not move ({movement:.2f})"


def test_the_file_remuxes_cleanly_and_decodes_in_order(rendered, tmp_path):
    _, mp4, _ = rendered
    remux = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", "-i", str(mp4), "-c", "copy", "-f", "mp4", "-y", str(tmp_path / "re.mp4")],
        capture_output=True,
        text=True,
    )
    assert remux.returncode == 0 and "non monotonic" not in remux.stderr.lower(), remux.stderr
    stamps = [pts for pts, _, _ in frames_of(tmp_path / "re.mp4")]
    assert all(later > earlier for earlier, later in itertools.pairwise(stamps)), "frames come out of order"
