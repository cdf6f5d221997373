"""Uploaded media (campaign logos and music, scene backgrounds): decoded with PyAV before anything is stored.

Pure functions, no Django: the file name and extension are never trusted, only what decodes.
"""

import os
from dataclasses import dataclass
from typing import Any, BinaryIO

import av

from mediakit.speech.samples import SampleError, decode_audio

MB = 1024 * 1024
IMAGE_FORMATS = {"png_pipe": "PNG", "jpeg_pipe": "JPEG", "webp_pipe": "WebP"}
# PyAV names a container by its demuxer: mp4 and mov share one, webm is read by the matroska one.
CLIP_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2": "MP4/MOV", "matroska,webm": "WebM"}
MUSIC_FORMATS = {"wav": "WAV", "mp3": "MP3", "flac": "FLAC", "ogg": "OGG", "mov,mp4,m4a,3gp,3g2,mj2": "M4A"}


class MediaError(ValueError):
    """The upload cannot be used; the message tells the creator what to fix."""


@dataclass(frozen=True)
class Limits:
    kinds: dict[str, str]  # demuxer name -> what we call it in messages
    max_bytes: int
    min_side: int = 0  # pixels, the short side
    max_side: int = 0  # pixels, the long side
    max_seconds: float = 0.0


LOGO = Limits(
    kinds={k: v for k, v in IMAGE_FORMATS.items() if k != "webp_pipe"}, max_bytes=5 * MB, min_side=32, max_side=4096
)
BACKGROUND_IMAGE = Limits(kinds=IMAGE_FORMATS, max_bytes=50 * MB, min_side=320, max_side=4096)
BACKGROUND_CLIP = Limits(kinds=CLIP_FORMATS, max_bytes=50 * MB, min_side=320, max_side=4096, max_seconds=120.0)
MUSIC = Limits(kinds=MUSIC_FORMATS, max_bytes=20 * MB, max_seconds=600.0)


def validate_image(source: BinaryIO, limits: Limits = BACKGROUND_IMAGE) -> tuple[int, int]:
    """Check an uploaded picture; returns (width, height)."""
    _check_size(source, limits)
    try:
        with av.open(source) as container:
            name = container.format.name
            if name not in limits.kinds or not container.streams.video:
                raise MediaError(f"This file is not a picture we can read. Upload {_listed(limits)}.")
            frame = next(container.decode(video=0))
    except MediaError:
        raise
    except (av.FFmpegError, StopIteration, UnicodeDecodeError, ValueError):
        raise MediaError(f"This file is not a picture we can read. Upload {_listed(limits)}.") from None
    finally:
        source.seek(0)  # the caller stores the same file object next
    _check_resolution(frame.width, frame.height, limits)
    return frame.width, frame.height


def validate_clip(source: BinaryIO, limits: Limits = BACKGROUND_CLIP) -> float:
    """Check an uploaded video clip; returns its duration in seconds.

    The size is checked before anything is read. The length is where the video's packets end, not what
    the header says: headers can lie, and a streamed WebM or Matroska file carries none.
    """
    _check_size(source, limits)
    unreadable = MediaError(f"This file is not a video clip we can read. Upload {_listed(limits)}.")
    try:
        with av.open(source) as container:
            if container.format.name not in limits.kinds or not container.streams.video:
                raise unreadable
            frame, seconds = _first_frame_and_length(container, limits.max_seconds)
    except MediaError:
        raise
    except (av.FFmpegError, UnicodeDecodeError, ValueError):
        raise unreadable from None
    finally:
        source.seek(0)
    if seconds > limits.max_seconds:
        raise MediaError(f"This clip is longer than {limits.max_seconds:.0f} s; trim it and upload again.")
    if frame is None:
        raise unreadable
    _check_resolution(frame.width, frame.height, limits)
    return seconds


def _first_frame_and_length(container: av.container.InputContainer, max_seconds: float) -> tuple[Any, float]:
    """The first video frame (None if none decodes) and the seconds the video packets span.

    Packets are only demuxed (cheap) after the first frame; reading stops once the clip is too long anyway.
    """
    stream = container.streams.video[0]
    frame, first, end = None, None, None
    for packet in container.demux(stream):
        if frame is None:
            frame = next(iter(packet.decode()), None)  # the last (flush) packet yields a decoder's held frames
        at = packet.pts if packet.pts is not None else packet.dts
        if at is None:
            continue
        first = at if first is None else min(first, at)
        end = max(end if end is not None else at, at + (packet.duration or 0))
        if float((end - first) * stream.time_base) > max_seconds:
            break
    return frame, float((end - first) * stream.time_base) if first is not None else 0.0


def validate_music(source: BinaryIO, limits: Limits = MUSIC) -> float:
    """Check background music by decoding it all (headers can lie about length); returns its duration."""
    _check_size(source, limits)
    try:
        audio = decode_audio(source, max_seconds=limits.max_seconds + 1)
    except SampleError:
        raise MediaError(f"This file is not audio we can read. Upload {_listed(limits)}.") from None
    finally:
        source.seek(0)
    if audio.container not in limits.kinds:
        raise MediaError(f"This file is not audio we can read. Upload {_listed(limits)}.")
    seconds = len(audio.samples) / audio.sample_rate
    if seconds > limits.max_seconds:
        raise MediaError(f"This music is longer than {limits.max_seconds / 60:.0f} minutes; trim it and upload again.")
    if seconds < 1:
        raise MediaError("This music is shorter than a second. Upload a longer track.")
    return seconds


def _check_size(source: BinaryIO, limits: Limits) -> None:
    size = getattr(source, "size", None)  # an upload object may know (Django's does); a plain file is measured
    if not isinstance(size, int):
        size = source.seek(0, os.SEEK_END)
    source.seek(0)
    if size == 0:
        raise MediaError("This file is empty.")
    if size > limits.max_bytes:
        raise MediaError(f"This file is {size / MB:.1f} MB; it can be at most {limits.max_bytes // MB} MB.")


def _check_resolution(width: int, height: int, limits: Limits) -> None:
    if min(width, height) < limits.min_side:
        raise MediaError(f"This is {width} x {height} pixels; the short side needs at least {limits.min_side} pixels.")
    if max(width, height) > limits.max_side:
        raise MediaError(f"This is {width} x {height} pixels; the long side can be at most {limits.max_side} pixels.")


def _listed(limits: Limits) -> str:
    names = list(dict.fromkeys(limits.kinds.values()))
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
