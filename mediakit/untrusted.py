"""Untrusted media (uploads, vendor responses) opened as data, never as a locator. Pure: no Django.

FFmpeg picks a demuxer from a file's name and content, and some demuxers open more: HLS and DASH fetch the
URLs a playlist lists, concat/ffconcat open local files, sdp/rtp open sockets. So an upload is never given
to FFmpeg by name. We sniff its container from its first bytes ourselves, refuse anything but the few
containers each kind needs, and open it as a Python file object with that demuxer named explicitly, so no
probing happens and no protocol is ever opened; any nested open a demuxer tries is refused.

Sizes are checked before frames are decoded: a picture's width and height come from its header (PNG IHDR,
JPEG SOF, WebP VP8/VP8L/VP8X) before FFmpeg sees it; a clip's from its stream parameters, with the decoder's
`max_pixels` as a second fence (opening a container decodes a frame to fill in its parameters); audio's
sample rate and channels before decoding, and decoded samples are counted while decoding.
"""

import io
import os
import struct
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np

AUDIO, IMAGE, VIDEO = "audio", "image", "video"
HEAD_BYTES = 1024 * 1024  # enough for any header we read (a JPEG's EXIF block comes before its size)


@dataclass(frozen=True)
class Format:
    demuxer: str  # the name `av.open(format=...)` takes
    label: str  # what we call it in messages
    extensions: tuple[str, ...]  # the first one names a stored copy whose own name says something else
    kinds: frozenset[str]


WAV = Format("wav", "WAV", ("wav",), frozenset({AUDIO}))
MP3 = Format("mp3", "MP3", ("mp3",), frozenset({AUDIO}))
FLAC = Format("flac", "FLAC", ("flac",), frozenset({AUDIO}))
OGG = Format("ogg", "OGG", ("ogg", "oga", "opus"), frozenset({AUDIO}))
# One demuxer reads MP4, M4A and MOV; audio kinds take only the sound, video kinds the picture.
MP4 = Format("mov", "MP4", ("mp4", "m4a", "mov", "m4v"), frozenset({AUDIO, VIDEO}))
MATROSKA = Format("matroska", "WebM", ("webm", "mkv"), frozenset({VIDEO}))
PNG = Format("png_pipe", "PNG", ("png",), frozenset({IMAGE}))
JPEG = Format("jpeg_pipe", "JPEG", ("jpg", "jpeg"), frozenset({IMAGE}))
WEBP = Format("webp_pipe", "WebP", ("webp",), frozenset({IMAGE}))
FORMATS = (WAV, MP3, FLAC, OGG, MP4, MATROSKA, PNG, JPEG, WEBP)


@dataclass(frozen=True)
class Bounds:
    """What an upload may declare, checked before decoding. Callers apply their own, tighter product limits."""

    max_side: int = 8192  # pixels, either side
    max_sample_rate: int = 192_000
    max_channels: int = 8


class Refused(ValueError):
    """The file cannot be used; subclasses say why, callers turn that into their own message."""


class Unreadable(Refused):
    """Not a container of the kind asked for, or broken."""


class NotAllowed(Refused):
    """A real media type, but not one this kind of upload takes."""

    def __init__(self, label: str) -> None:
        super().__init__(f"This is a {label} file.")
        self.label = label


class OutOfBounds(Refused):
    """Declares a size, rate or channel count we will not decode; the message says which."""


# Types we recognise only to name them in a refusal.
_NAMED_ONLY = {b"GIF8": "GIF", b"II*\0": "TIFF", b"MM\0*": "TIFF", b"%PDF": "PDF"}
_MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}


def sniff(head: bytes) -> Format:
    """The container a file's first bytes prove; raises NotAllowed for a known type we never take, else Unreadable."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return OGG
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if head[:3] == b"\xff\xd8\xff":
        return JPEG
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return MATROSKA
    if head[4:8] in _MP4_BOXES:
        return MP4
    if head[:3] == b"ID3" or _is_mpeg_audio_frame(head):
        return MP3
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        raise NotAllowed("AIFF")
    if head[:4] in _NAMED_ONLY:
        raise NotAllowed(_NAMED_ONLY[head[:4]])
    if head[:2] == b"\xff\xf1" or head[:2] == b"\xff\xf9":
        raise NotAllowed("AAC")
    raise Unreadable("Not a media type we read.")


def _is_mpeg_audio_frame(head: bytes) -> bool:
    # An MPEG audio frame header: 11 sync bits, a version that exists, a layer that exists, a bitrate index
    # that is not "bad" and a sample-rate index that is not reserved.
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate != 15 and rate != 3


def image_size(head: bytes, fmt: Format) -> tuple[int, int]:
    """(width, height) from a picture's header, without decoding it; raises Unreadable if there is none."""
    try:
        if fmt is PNG and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if fmt is JPEG:
            return _jpeg_size(head)
        if fmt is WEBP:
            return _webp_size(head)
    except (struct.error, IndexError):
        pass
    raise Unreadable("No picture size in the header.")


def _jpeg_size(head: bytes) -> tuple[int, int]:
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            break
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD9:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", head[at + 2 : at + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise Unreadable("No JPEG frame header.")


def _webp_size(head: bytes) -> tuple[int, int]:
    chunk, payload = head[12:16], head[20:30]
    if chunk == b"VP8 " and payload[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", payload[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and payload[0] == 0x2F:
        (bits,) = struct.unpack("<I", payload[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(payload[4:7], "little") + 1, int.from_bytes(payload[7:10], "little") + 1
    raise Unreadable("No WebP frame header.")


def named_by_content(client_name: str, file: BinaryIO) -> str:
    """A name for the stored copy of a checked upload whose extension says what its content is: tools that
    later open the stored file by path then see the same type we checked. The client's stem is kept."""
    head = file.read(64)
    file.seek(0)
    return stored_name(client_name, sniff(head))


def stored_name(client_name: str, fmt: Format) -> str:
    """The client's stem with an extension of `fmt` (the client's own when it is one, in lower case)."""
    stem, _, extension = Path(client_name).name.rpartition(".")
    if not stem:
        stem, extension = extension, ""
    extension = extension.lower() if extension.lower() in fmt.extensions else fmt.extensions[0]
    return f"{stem[:100] or 'upload'}.{extension}"


@dataclass
class Opened:
    container: av.container.InputContainer
    format: Format
    size: tuple[int, int] | None  # a picture's (width, height) from its header


Source = BinaryIO | bytes | str | os.PathLike


@contextmanager
def open_untrusted(
    source: Source, kind: str, *, allowed: Collection[Format] | None = None, bounds: Bounds = Bounds()
) -> Iterator[Opened]:
    """Open `source` as data in one of the `allowed` formats of `kind` (all of the kind's by default).

    Raises Refused before FFmpeg reads a byte when the container or a picture's header is refused; then
    when a stream declares more than `bounds`. The file object is rewound for the caller afterwards.
    """
    allowed = [f for f in (FORMATS if allowed is None else allowed) if kind in f.kinds]
    with _readable(source) as file:
        head = file.read(HEAD_BYTES)
        file.seek(0)
        fmt = sniff(head)
        if fmt not in allowed:
            raise NotAllowed(fmt.label)
        size = image_size(head, fmt) if kind == IMAGE else None
        if size is not None:
            _check_side(*size, bounds)
        max_pixels = str(bounds.max_side * bounds.max_side)
        try:
            container = av.open(
                _Reader(file),
                format=fmt.demuxer,
                # Decoders opened while probing the streams get the pixel cap; demuxers may not follow references.
                options={"max_pixels": max_pixels, "enable_drefs": "0"},
                io_open=_refuse_nested_open,
            )
        except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
            raise Unreadable("FFmpeg could not open it.") from None
        try:
            with container:
                _check_streams(container, kind, bounds, max_pixels)
                yield Opened(container, fmt, size)
        except (av.FFmpegError, OSError, UnicodeDecodeError) as error:
            raise Unreadable("FFmpeg could not read it.") from error


def _check_streams(container: av.container.InputContainer, kind: str, bounds: Bounds, max_pixels: str) -> None:
    if kind == AUDIO:
        if not container.streams.audio:
            raise Unreadable("No sound in it.")
        context = container.streams.audio[0].codec_context
        rate, most = context.sample_rate or 0, bounds.max_sample_rate
        if rate <= 0 or context.channels <= 0:
            raise Unreadable("No sample rate or channels.")
        if rate > most:
            raise OutOfBounds(f"This file's sample rate is {rate:,} Hz; it can be at most {most:,} Hz.")
        if context.channels > bounds.max_channels:
            raise OutOfBounds(f"This file has {context.channels} channels; it can have at most {bounds.max_channels}.")
        return
    if not container.streams.video:
        raise Unreadable("No picture in it.")
    context = container.streams.video[0].codec_context
    _check_side(context.width, context.height, bounds)
    context.options = {**context.options, "max_pixels": max_pixels}


def _check_side(width: int, height: int, bounds: Bounds) -> None:
    if width <= 0 or height <= 0:
        raise Unreadable("No picture size.")
    if max(width, height) > bounds.max_side:
        raise OutOfBounds(f"This is {width} x {height} pixels; the long side can be at most {bounds.max_side} pixels.")


@contextmanager
def _readable(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            yield file
    else:
        source.seek(0)
        try:
            yield source
        finally:
            source.seek(0)  # the caller stores the same file object next


class _Reader:
    """The upload's bytes and nothing else: no `name` (FFmpeg would see the client's file name)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def _refuse_nested_open(url: str, flags: int, options: dict[str, Any]) -> None:
    raise PermissionError("untrusted media may not open other files or URLs")


@dataclass(frozen=True)
class AudioRead:
    format: Format
    sample_rate: int
    channels: int
    samples: int  # mono samples decoded
    complete: bool  # False when decoding stopped at `max_seconds`

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate


def read_audio(
    source: Source,
    *,
    allowed: Collection[Format] | None = None,
    bounds: Bounds = Bounds(),
    max_seconds: float | None = None,
    on_chunk: Callable[[np.ndarray], None] | None = None,
) -> AudioRead:
    """Decode the first audio stream to mono float32 chunks handed to `on_chunk` one by one (memory stays
    flat however long the file); stop once more than `max_seconds` were decoded."""
    with open_untrusted(source, AUDIO, allowed=allowed, bounds=bounds) as opened:
        container = opened.container
        stream = container.streams.audio[0]
        rate, channels = stream.codec_context.sample_rate, stream.codec_context.channels
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        decoded, complete = 0, True
        for frame in container.decode(stream):
            for mono in resampler.resample(frame):
                decoded += mono.samples
                if on_chunk is not None:
                    on_chunk(mono.to_ndarray().reshape(-1))
            if max_seconds is not None and decoded > max_seconds * rate:
                complete = False
                break
        else:
            for mono in resampler.resample(None):
                decoded += mono.samples
                if on_chunk is not None:
                    on_chunk(mono.to_ndarray().reshape(-1))
    return AudioRead(opened.format, rate, channels, decoded, complete)


@dataclass(frozen=True)
class ImageRead:
    format: Format
    width: int
    height: int


def read_image(source: Source, *, allowed: Collection[Format] | None = None, bounds: Bounds = Bounds()) -> ImageRead:
    """Check a picture's header, then decode its (bounded) frame to prove it is one."""
    with open_untrusted(source, IMAGE, allowed=allowed, bounds=bounds) as opened:
        frame = next(opened.container.decode(video=0), None)
    if frame is None:
        raise Unreadable("No picture decodes.")
    return ImageRead(opened.format, frame.width, frame.height)


@dataclass(frozen=True)
class ClipRead:
    format: Format
    width: int
    height: int
    seconds: float  # where the video packets end (headers can lie; a streamed WebM has no length in its header)


def read_clip(
    source: Source, *, max_seconds: float, allowed: Collection[Format] | None = None, bounds: Bounds = Bounds()
) -> ClipRead:
    """Decode a clip's first frame and demux (not decode) its packets until they span more than `max_seconds`."""
    with open_untrusted(source, VIDEO, allowed=allowed, bounds=bounds) as opened:
        container = opened.container
        stream = container.streams.video[0]
        frame, first, end, complete = None, None, None, True
        for packet in container.demux(stream):
            if frame is None:
                frame = next(iter(packet.decode()), None)  # the last (flush) packet yields a decoder's held frames
            at = packet.pts if packet.pts is not None else packet.dts
            if at is None:
                continue
            first = at if first is None else min(first, at)
            end = max(end if end is not None else at, at + (packet.duration or 0))
            if float((end - first) * stream.time_base) > max_seconds:
                complete = False
                break
        seconds = float((end - first) * stream.time_base) if first is not None else 0.0
        declared = float(stream.duration * stream.time_base) if stream.duration else None
    if frame is None:
        raise Unreadable("No frame decodes.")
    if complete and declared is not None and seconds < declared * 0.9 - 0.1:
        raise Unreadable("Cut short: its packets end well before the length its header declares.")
    return ClipRead(opened.format, frame.width, frame.height, seconds)
