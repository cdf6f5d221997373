"""Uploaded media (campaign logos and music, scene backgrounds): checked before anything is stored.

Pure functions, no Django. Uploads are opened only through `mediakit.untrusted`: the file name and
extension are never trusted, only the content's own header and what decodes.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from mediakit import untrusted
from mediakit.untrusted import FLAC, JPEG, MATROSKA, MP3, MP4, OGG, PNG, WAV, WEBP, Format

MB = 1024 * 1024
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WebP"}
CLIP_FORMATS = {MP4: "MP4/MOV", MATROSKA: "WebM"}  # WebM is read by the Matroska demuxer
MUSIC_FORMATS = {WAV: "WAV", MP3: "MP3", FLAC: "FLAC", OGG: "OGG", MP4: "M4A"}


class MediaError(ValueError):
    """The upload cannot be used; the message tells the creator what to fix."""


@dataclass(frozen=True)
class Limits:
    kinds: dict[Format, str]  # accepted container -> what we call it in messages
    max_bytes: int
    min_side: int = 0  # pixels, the short side
    max_side: int = 0  # pixels, the long side
    max_seconds: float = 0.0

    @property
    def bounds(self) -> untrusted.Bounds:
        return untrusted.Bounds(max_side=self.max_side) if self.max_side else untrusted.Bounds()


LOGO = Limits(kinds={PNG: "PNG", JPEG: "JPEG"}, max_bytes=5 * MB, min_side=32, max_side=4096)
BACKGROUND_IMAGE = Limits(kinds=IMAGE_FORMATS, max_bytes=50 * MB, min_side=320, max_side=4096)
BACKGROUND_CLIP = Limits(kinds=CLIP_FORMATS, max_bytes=50 * MB, min_side=320, max_side=4096, max_seconds=120.0)
MUSIC = Limits(kinds=MUSIC_FORMATS, max_bytes=20 * MB, max_seconds=600.0)


def validate_image(source: BinaryIO, limits: Limits = BACKGROUND_IMAGE) -> tuple[int, int]:
    """Check an uploaded picture (its header's size before any decoding, then one decoded frame); returns
    (width, height)."""
    _check_size(source, limits)
    with _explained("This file is not a picture we can read.", f"Upload {_listed(limits)}."):
        image = untrusted.read_image(source, allowed=limits.kinds, bounds=limits.bounds)
    _check_resolution(image.width, image.height, limits)
    return image.width, image.height


def validate_clip(source: BinaryIO, limits: Limits = BACKGROUND_CLIP) -> float:
    """Check an uploaded video clip; returns its seconds: where the video's packets end, not what a header says.

    The size is checked before anything is read, the picture size before any frame is decoded.
    """
    _check_size(source, limits)
    with _explained("This file is not a video clip we can read.", f"Upload {_listed(limits)}."):
        clip = untrusted.read_clip(source, max_seconds=limits.max_seconds, allowed=limits.kinds, bounds=limits.bounds)
    if clip.seconds > limits.max_seconds:
        raise MediaError(f"This clip is longer than {limits.max_seconds:.0f} s; trim it and upload again.")
    _check_resolution(clip.width, clip.height, limits)
    return clip.seconds


def validate_music(source: BinaryIO, limits: Limits = MUSIC) -> float:
    """Check background music by decoding it all (headers can lie about length), keeping none of it; returns
    its seconds."""
    _check_size(source, limits)
    with _explained("This file is not audio we can read.", f"Upload {_listed(limits)}."):
        audio = untrusted.read_audio(source, allowed=limits.kinds, max_seconds=limits.max_seconds + 1)
    if audio.seconds > limits.max_seconds:
        raise MediaError(f"This music is longer than {limits.max_seconds / 60:.0f} minutes; trim it and upload again.")
    if audio.seconds < 1:
        raise MediaError("This music is shorter than a second. Upload a longer track.")
    return audio.seconds


@contextmanager
def _explained(unreadable: str, taken: str) -> Iterator[None]:
    """The untrusted reader's refusals as messages for the creator."""
    try:
        yield
    except untrusted.OutOfBounds as error:
        raise MediaError(str(error)) from None
    except untrusted.NotAllowed as refused:
        raise MediaError(f"{unreadable[:-1]}: it is a {refused.label} file. {taken}") from None
    except untrusted.Refused:
        raise MediaError(f"{unreadable} {taken}") from None


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
