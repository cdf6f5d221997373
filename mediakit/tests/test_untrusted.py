"""The untrusted-media reader on its own: containers from magic bytes, picture sizes from headers alone."""

import io
import subprocess

import pytest

from mediakit import untrusted
from mediakit.ffmpeg import FFMPEG
from mediakit.untrusted import IMAGE, JPEG, MATROSKA, MP3, MP4, PNG, WAV, WEBP


def picture(tmp_path, name: str, *args: str) -> bytes:
    path = tmp_path / name
    source = ["-f", "lavfi", "-i", "color=c=red:s=321x123", "-frames:v", "1"]
    subprocess.run([FFMPEG, "-v", "error", "-y", *source, *args, str(path)], check=True)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "args", "fmt"),
    [
        ("a.png", [], PNG),
        ("a.jpg", [], JPEG),
        ("lossy.webp", [], WEBP),
        ("lossless.webp", ["-lossless", "1"], WEBP),
        ("alpha.webp", ["-pix_fmt", "yuva420p"], WEBP),  # VP8X with an alpha chunk
    ],
)
def test_a_pictures_size_is_read_from_its_header_without_decoding(tmp_path, name, args, fmt):
    data = picture(tmp_path, name, *args)
    assert untrusted.sniff(data) is fmt
    assert untrusted.image_size(data, fmt) == (321, 123)
    assert untrusted.read_image(data) == untrusted.ImageRead(fmt, 321, 123)


def test_a_jpeg_with_a_big_exif_block_before_its_frame_header_is_still_sized(tmp_path):
    data = picture(tmp_path, "a.jpg")
    app1 = b"\xff\xe1" + (2 + 60_000).to_bytes(2, "big") + bytes(60_000)
    assert untrusted.image_size(data[:2] + app1 + data[2:], JPEG) == (321, 123)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"RIFF\0\0\0\0WAVEfmt ", WAV),
        (b"ID3\x04\0\0\0\0\0\0", MP3),
        (b"\xff\xfb\x90\x64\0\0", MP3),
        (b"\0\0\0\x20ftypisom", MP4),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86", MATROSKA),
    ],
)
def test_containers_are_told_by_their_magic_bytes(head, fmt):
    assert untrusted.sniff(head) is fmt


@pytest.mark.parametrize(
    "head",
    [b"#EXTM3U\n", b"ffconcat version 1.0\n", b"file '/etc/passwd'\n", b"v=0\no=- 0 0 IN IP4 127.0.0.1\n", b""],
)
def test_playlists_and_session_descriptions_are_not_media(head):
    with pytest.raises(untrusted.Unreadable):
        untrusted.sniff(head)


def test_a_known_type_we_never_take_is_named():
    with pytest.raises(untrusted.NotAllowed, match="This is a AIFF file"):
        untrusted.sniff(b"FORM\0\0\0\0AIFFCOMM")


def test_a_type_of_another_kind_is_refused_before_ffmpeg_reads_it(tmp_path):
    png = picture(tmp_path, "a.png")
    with pytest.raises(untrusted.NotAllowed, match="PNG"), untrusted.open_untrusted(png, "audio"):
        pass


def test_a_picture_over_the_bounds_is_refused_from_its_header(tmp_path):
    with pytest.raises(untrusted.OutOfBounds, match="321 x 123 pixels; the long side can be at most 300"):
        untrusted.read_image(picture(tmp_path, "a.png"), bounds=untrusted.Bounds(max_side=300))


def test_a_file_object_is_rewound_and_its_name_never_reaches_ffmpeg(tmp_path):
    upload = io.BytesIO(picture(tmp_path, "a.png"))
    upload.name = "concat:/etc/passwd|x.m3u8"
    with untrusted.open_untrusted(upload, IMAGE) as opened:
        assert opened.container.name == "<none>" and opened.size == (321, 123)
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("client", "fmt", "stored"),
    [
        ("me.wav", WAV, "me.wav"),
        ("me.m3u8", WAV, "me.wav"),
        ("voice.M4A", MP4, "voice.m4a"),
        ("noext", PNG, "noext.png"),
    ],
)
def test_stored_copies_are_named_by_their_content(client, fmt, stored):
    assert untrusted.stored_name(client, fmt) == stored
