"""Scene background clips: refused by size before reading, then by what their packets really hold."""

import io
import subprocess

import pytest

from mediakit.ffmpeg import FFMPEG
from mediakit.uploads import MB, MediaError, validate_clip


def mp4(tmp_path, seconds: float) -> io.BytesIO:
    """A real H.264 MP4 at 1 frame a second (cheap to make however long), its length in the header."""
    path = tmp_path / "clip.mp4"
    subprocess.run([FFMPEG, "-v", "error", *_testsrc(seconds), str(path)], check=True)
    return io.BytesIO(path.read_bytes())


def streamed_mkv(seconds: float) -> io.BytesIO:
    """The same as Matroska written to a pipe: ffmpeg cannot go back, so the header has no duration."""
    data = subprocess.run(
        [FFMPEG, "-v", "error", *_testsrc(seconds), "-f", "matroska", "pipe:1"], capture_output=True, check=True
    ).stdout
    return io.BytesIO(data)


def _testsrc(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=s=320x320:r=1:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast"]


def test_short_clips_are_accepted_with_their_real_length(tmp_path):
    assert validate_clip(mp4(tmp_path, 3)) == pytest.approx(3, abs=0.05)
    assert validate_clip(streamed_mkv(3)) == pytest.approx(3, abs=0.05)


def test_a_clip_too_large_is_refused_before_it_is_read():
    # 50 MB and a byte of zeros: reading it would say "not a clip"; the size is checked first.
    with pytest.raises(MediaError, match=r"This file is 50\.0 MB; it can be at most 50 MB"):
        validate_clip(io.BytesIO(bytes(50 * MB + 1)))


def test_something_that_is_not_a_clip_is_refused(tmp_path):
    picture = tmp_path / "picture.png"
    subprocess.run([FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=s=400x400", "-frames:v", "1", str(picture)])
    uploads = [
        io.BytesIO(b"this is not a video at all"),
        io.BytesIO(picture.read_bytes()),
        io.BytesIO(mp4(tmp_path, 2).read()[:3000]),  # cut short
    ]
    for upload in uploads:
        with pytest.raises(MediaError, match="not a video clip we can read"):
            validate_clip(upload)


def test_a_clip_over_two_minutes_is_refused_even_without_a_length_in_its_header(tmp_path):
    for upload in (mp4(tmp_path, 130), streamed_mkv(130)):
        with pytest.raises(MediaError, match="This clip is longer than 120 s; trim it and upload again"):
            validate_clip(upload)
