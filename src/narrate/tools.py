"""Locating the external programs narrate runs: ffmpeg (system or imageio-ffmpeg)."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from narrate.errors import EngineError


@functools.cache
def ffmpeg_source() -> tuple[str, str]:
    """(path, where from): the system's ffmpeg when present, else imageio-ffmpeg's."""
    forced = os.environ.get("NARRATE_FFMPEG")
    if forced:
        return forced, "NARRATE_FFMPEG"
    if os.environ.get("NARRATE_BUNDLED_ONLY") != "1":
        system = shutil.which("ffmpeg")
        if system:
            return system, "system"
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe(), "imageio-ffmpeg"
    except (ImportError, RuntimeError) as exc:
        raise EngineError(
            "ffmpeg not found: install it, or reinstall narrate so imageio-ffmpeg is present"
        ) from exc


def ffmpeg_exe() -> str:
    return ffmpeg_source()[0]


@functools.cache
def ffmpeg_version() -> str:
    out = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True, check=False)
    match = re.search(r"ffmpeg version (\S+)", out.stdout)
    return match.group(1) if match else "unknown"
