"""AI video sources against a local fake of Runway's and HeyGen's APIs: a prompt per scene from its words, a
generation submitted, polled with progress and downloaded; an avatar speaking the scene's own narration; and
every failure (401, 429, a failed generation, a timeout, a corrupt download) a note, never a failed render."""

import time

import numpy as np
import pytest

from mediakit.audio import write_wav
from mediakit.errors import RenderCancelled
from mediakit.speech.words import TimedWord
from mediakit.tests.test_visuals import Folder
from mediakit.video.storyboard import Background, Scene, Storyboard
from mediakit.visuals.choice import choose
from mediakit.visuals.download import Fetcher
from mediakit.visuals.generated import HeyGen, Runway
from mediakit.visuals.stock import Pexels
from tests import fake_ai_video, fake_stock


@pytest.fixture
def ai():
    fake = fake_ai_video.FakeAIVideo()
    server = fake_ai_video.start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def stock():
    fake = fake_stock.FakeStock()
    server = fake_stock.start(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher(tmp_path) -> Fetcher:
    return Fetcher(Folder(tmp_path / "storage"), "workspaces/1/stock", tmp_path / "work")


WORDS = [
    TimedWord("Sailing", 0.1, 0.6, "Host", 0),
    TimedWord("across", 0.6, 1.0, "Host", 0),
    TimedWord("calm", 1.0, 1.4, "Host", 0),
    TimedWord("seas.", 1.4, 1.9, "Host", 0),
    TimedWord("Mountains", 2.1, 2.8, "Host", 1),
    TimedWord("at", 2.8, 3.0, "Host", 1),
    TimedWord("dawn.", 3.0, 3.8, "Host", 1),
]


def board() -> Storyboard:
    look = Background("gradient", ("#000000", "#ffffff"))
    return Storyboard(
        duration=4.0,
        scenes=(
            Scene(0.0, 2.0, 0, "Host", look, keywords=("sailing", "seas")),
            Scene(2.0, 4.0, 1, "Host", look, keywords=("mountains", "dawn")),
        ),
    )


def runway(ai, key: str = fake_ai_video.RUNWAY_KEY, **kwargs) -> Runway:
    source = Runway(key, ai.runway_url, poll_interval=0.01, **kwargs)
    source.narrated(WORDS, None)
    return source


def test_each_scene_without_footage_gets_a_clip_made_from_its_words(ai, fetcher):
    seen: list[float] = []
    result = choose(board(), [runway(ai)], "9:16", fetcher, on_progress=seen.append)

    asked = ai.submitted("runway")
    assert [body["promptText"] for body in asked] == [
        "Cinematic b-roll footage illustrating: Sailing across calm seas. No text, no captions, no logos.",
        "Cinematic b-roll footage illustrating: Mountains at dawn. No text, no captions, no logos.",
    ]
    assert {(body["ratio"], body["duration"], body["model"]) for body in asked} == {("720:1280", 4, "veo3.1_fast")}
    assert [(v["scene"], v["source"], v["kind"]) for v in result.visuals] == [
        (1, "runway", "video"),
        (2, "runway", "video"),
    ]
    assert all(scene.background.kind == "video" for scene in result.local.scenes)
    assert result.generated == {"runway": 8.0} and result.notes == []
    assert seen == sorted(seen) and 0 < seen[0] < 0.5 and seen[-1] == 1.0  # polled progress, then done


def test_a_clip_made_once_is_taken_from_the_cache_and_not_paid_again(ai, fetcher):
    choose(board(), [runway(ai)], "9:16", fetcher)
    again = choose(board(), [runway(ai)], "9:16", fetcher)
    assert len(ai.submitted("runway")) == 2 and again.generated == {}
    assert [v["source"] for v in again.visuals] == ["runway", "runway"]


def test_stock_comes_first_and_ai_video_only_makes_what_stock_did_not_find(ai, stock, fetcher):
    stock.add("sailing", "sea.mp4", fake_stock.tiny_mp4("blue"))
    pexels = Pexels(fake_stock.PEXELS_KEY, stock.pexels_url)
    result = choose(board(), [pexels, runway(ai)], "9:16", fetcher)
    assert [(v["scene"], v["source"]) for v in result.visuals] == [(1, "pexels"), (2, "runway")]
    assert len(ai.submitted("runway")) == 1


@pytest.mark.parametrize(
    ("setup", "note"),
    [
        ({"status": 401}, "Runway refused the API key (401)"),
        ({"status": 429}, "Runway rate limit reached (429)"),
        ({"fail": True}, "Runway generation failed: Content moderation"),
        ({"corrupt": True}, "the downloaded file is unusable"),
    ],
)
def test_every_failure_keeps_the_generated_look_with_a_note(ai, fetcher, setup, note):
    for name, value in setup.items():
        setattr(ai, name, value)
    original = board()
    result = choose(original, [runway(ai)], "9:16", fetcher)
    assert result.local == original and result.visuals == []
    assert note in result.notes[0] and result.notes[0].startswith("scene 1: runway ")


def test_a_refused_key_is_not_tried_again_for_the_next_scenes(ai, fetcher):
    result = choose(board(), [runway(ai, key="wrong")], "9:16", fetcher)
    assert [path for method, path in ai.requests if method == "POST"] == ["/runway/v1/text_to_video"]
    assert result.local == board()
    assert result.notes[-1] == "scene 2: every source that offered one gave up earlier; generated look kept"


def test_generations_that_never_finish_stop_at_one_deadline_for_the_whole_render(ai, fetcher):
    ai.never = True
    started = time.monotonic()
    result = choose(board(), [runway(ai, deadline=0.3)], "9:16", fetcher)
    assert time.monotonic() - started < 1.0  # not 0.3 s per scene: the render's time limit must hold
    assert [note.split(": ", 1)[0] for note in result.notes if "did not finish within 0 s" in note] == [
        "scene 1",
        "scene 2",
    ]
    assert result.visuals == []


def test_the_plans_ai_seconds_are_never_exceeded(ai, fetcher):
    result = choose(board(), [runway(ai)], "9:16", fetcher, ai_seconds=5)
    assert [v["scene"] for v in result.visuals] == [1] and result.generated == {"runway": 4.0}
    assert "AI video seconds are used up" in result.notes[0]


def test_a_cancelled_job_stops_polling(ai, fetcher):
    ai.never = True
    with pytest.raises(RenderCancelled):
        choose(board(), [runway(ai)], "9:16", fetcher, is_cancelled=lambda: bool(ai.tasks))


def test_the_intro_avatar_speaks_the_first_scenes_own_narration(ai, fetcher, tmp_path):
    narration = tmp_path / "narration.wav"
    write_wav(narration, 0.3 * np.sin(np.linspace(0, 4 * 440 * 2 * np.pi, 4 * 22050)), 22050)
    avatar = HeyGen(
        fake_ai_video.HEYGEN_KEY,
        ai.heygen_url,
        upload_url=ai.heygen_upload_url,
        avatar_id="Daisy-inskirt-20220818",
        poll_interval=0.01,
    )
    avatar.narrated(WORDS, narration)
    result = choose(board(), [runway(ai)], "9:16", fetcher, intro=avatar)

    assert [(v["scene"], v["source"]) for v in result.visuals] == [(1, "heygen"), (2, "runway")]
    (made,) = ai.submitted("heygen")
    assert made["video_inputs"][0]["voice"] == {"type": "audio", "audio_asset_id": "asset-1"}
    assert made["video_inputs"][0]["character"]["avatar_id"] == "Daisy-inskirt-20220818"
    assert made["dimension"] == {"width": 720, "height": 1280}
    assert ai.uploads[0][:3] == b"ID3" or ai.uploads[0][0] == 0xFF  # an MP3 of the scene's two seconds
    assert result.generated == {"heygen": 2.0, "runway": 4.0}


def test_a_failed_avatar_keeps_the_scene_for_the_other_sources(ai, fetcher, tmp_path):
    narration = tmp_path / "narration.wav"
    write_wav(narration, np.zeros(4 * 22050), 22050)
    avatar = HeyGen("wrong", ai.heygen_url, upload_url=ai.heygen_upload_url, avatar_id="a", poll_interval=0.01)
    avatar.narrated(WORDS, narration)
    result = choose(board(), [runway(ai)], "9:16", fetcher, intro=avatar)
    assert [(v["scene"], v["source"]) for v in result.visuals] == [(1, "runway"), (2, "runway")]
    assert "HeyGen refused the API key (401)" in result.notes[0]


def test_downloads_go_only_to_the_providers_hosts():
    source = Runway("k", "https://api.dev.runwayml.com", download_hosts=("cloudfront.net",))
    assert source.allows("https://dnznrvs05pmza.cloudfront.net/x.mp4")
    assert source.allows("https://api.dev.runwayml.com/files/x.mp4")
    assert not source.allows("http://dnznrvs05pmza.cloudfront.net/x.mp4")
    assert not source.allows("https://evilcloudfront.net/x.mp4")
    assert not source.allows("https://169.254.169.254/latest")
