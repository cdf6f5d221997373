"""Short work never waits behind a long render: with the render lane's only worker busy with a long video, a
narration preview queued on the fast lane (two real `qcluster` processes, as runstack starts them) finishes
while the video is still rendering."""

import time

import pytest
from django.conf import settings
from django_q.conf import Conf

from mediakit.text.script import Block, parse_text
from renders.models import RenderJob
from renders.services import create_job
from renders.worker import lane_for
from tests.factories import api_workspace
from tests.security.servers import kill_group, start_qcluster

pytestmark = pytest.mark.django_db(transaction=True)
SENTENCE = "Host: Scene {} of this long video takes the narrator a good while to say, and longer to draw."


def wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_a_preview_finishes_while_a_long_video_holds_the_render_lane(owner, redis_url, monkeypatch, tmp_path):
    monkeypatch.setattr(Conf, "SYNC", False)  # this process queues for the real workers
    workspace = api_workspace(owner)  # Pro: two jobs at once
    lane_env = {"WORKER_PROCESSES": "1", "FAST_WORKER_PROCESSES": "1"}
    workers = [
        start_qcluster(tmp_path / "renders.log", redis_url, **lane_env),
        start_qcluster(tmp_path / "fast.log", redis_url, settings.FAST_CLUSTER, **lane_env),
    ]
    try:
        script = "\n".join(SENTENCE.format(n) for n in range(1, 41))
        video = create_job(workspace=workspace, blocks=parse_text(script), title="Long", kind=RenderJob.Kind.VIDEO)
        wait_until(lambda: RenderJob.objects.get(pk=video.pk).status == "running", 120, "the video never started")

        preview = create_job(
            workspace=workspace, blocks=[Block("Host", "A quick preview.")], title="Preview", kind="audio"
        )
        assert lane_for(preview) == "fast"
        wait_until(lambda: RenderJob.objects.get(pk=preview.pk).is_finished, 90, "the preview waited behind the video")

        preview.refresh_from_db()
        video.refresh_from_db()
        assert preview.status == RenderJob.Status.SUCCEEDED, preview.error
        assert video.status == RenderJob.Status.RUNNING  # it never had to wait for the video to end
    finally:
        for worker in workers:
            kill_group(worker)
