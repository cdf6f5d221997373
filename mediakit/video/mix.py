"""The soundtrack: narration with the music ducked under it, then loudness-normalised in two passes."""

import json
from pathlib import Path


def audio_mix_args(narration: Path, music: Path | None, music_gain_db: float, out: Path) -> list[str]:
    """Narration, with the music looped under it and ducked whenever the voice speaks, to a WAV."""
    if music is None:
        return ["-i", str(narration), "-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le", str(out)]
    graph = (
        "[0:a]aresample=48000,aformat=channel_layouts=stereo,asplit=2[voice][key];"
        f"[1:a]aresample=48000,aformat=channel_layouts=stereo,volume={music_gain_db}dB[bed];"
        # The voice keys a compressor on the music: the bed dips under speech and comes back in pauses.
        "[bed][key]sidechaincompress=threshold=0.03:ratio=8:attack=30:release=450[ducked];"
        "[voice][ducked]amix=inputs=2:duration=first:normalize=0[mix]"
    )
    return [
        "-i",
        str(narration),
        "-stream_loop",
        "-1",
        "-i",
        str(music),
        "-filter_complex",
        graph,
        "-map",
        "[mix]",
        "-c:a",
        "pcm_s16le",
        str(out),
    ]


def loudness_measure_args(mix: Path, target: float) -> list[str]:
    return ["-i", str(mix), "-af", f"loudnorm=I={target}:TP=-1.5:LRA=11:print_format=json", "-f", "null", "-"]


def _measured_in_range(measured: dict[str, str]) -> bool:
    try:
        values = {name: float(measured[name]) for name in _MEASURED_RANGES}
    except (KeyError, ValueError):
        return False
    return all(low <= values[name] <= high for name, (low, high) in _MEASURED_RANGES.items())


def parse_loudnorm(log: str) -> dict[str, str]:
    """The JSON block loudnorm prints at the end of its first pass."""
    start = log.rfind("{")
    end = log.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no loudnorm measurement in ffmpeg's output")
    return json.loads(log[start : end + 1])


# What loudnorm accepts for each measured value of its second pass.
_MEASURED_RANGES = {
    "input_i": (-99, 0),
    "input_tp": (-99, 99),
    "input_lra": (0, 99),
    "input_thresh": (-99, 0),
    "target_offset": (-99, 99),
}


def audio_encode_args(mix: Path, target: float, measured: dict[str, str], duration: float, out: Path) -> list[str]:
    """Second loudnorm pass in linear mode (one gain for the whole file: no pumping) to AAC.

    Audio too short to measure (under loudnorm's 400 ms gating blocks: "Hi.") reports values the second
    pass refuses; such audio gets loudnorm's one-pass mode instead.
    """
    loudnorm = f"loudnorm=I={target}:TP=-1.5:LRA=11"
    if _measured_in_range(measured):
        loudnorm += (
            f":measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
            f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
            f":offset={measured['target_offset']}:linear=true"
        )
    return [
        "-i",
        str(mix),
        "-af",
        f"{loudnorm},aresample=48000",
        "-t",
        f"{duration:.6f}",
        "-c:a",
        "aac",
        "-b:a",
        "160k",
        str(out),
    ]
