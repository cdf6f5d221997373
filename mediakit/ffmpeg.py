"""ffmpeg, the static build `imageio-ffmpeg` ships: the one place that runs it."""

import subprocess
import tempfile
from collections.abc import Callable

import imageio_ffmpeg

from mediakit.errors import RenderCancelled, StageError

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(
    args: list[str],
    *,
    duration: float,
    on_progress: Callable[[float], None] = lambda fraction: None,
    is_cancelled: Callable[[], bool] = lambda: False,
    loglevel: str = "error",
) -> str:
    """Run ffmpeg, reporting the fraction of `duration` written; kill it at once when cancelled.

    Returns what ffmpeg logged (at `loglevel`): some filters, like loudnorm, report results there."""
    command = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-loglevel", loglevel, "-progress", "pipe:1", *args]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if is_cancelled():
                    raise RenderCancelled()
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.isdigit() and duration > 0:
                    on_progress(min(1.0, int(value) / 1e6 / duration))
            process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        errors.seek(0)
        log = errors.read().decode(errors="replace")
        if process.returncode != 0:
            detail = log.strip().splitlines()[-3:]
            raise StageError(f"ffmpeg failed ({process.returncode}): {' | '.join(detail)}")
        return log


def ffmpeg_output(args: list[str], *, timeout: float = 120) -> bytes:
    """Run ffmpeg once and return what it wrote to its standard output (`-` as the output file).

    For short work with no progress to report; StageError if ffmpeg fails, TimeoutExpired past `timeout`."""
    command = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise StageError(f"ffmpeg failed ({result.returncode}): {' | '.join(detail)}")
    return result.stdout
