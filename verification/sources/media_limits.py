"""Bounds on what a recording may ask the decoder to do, checked before and while decoding.

A few hundred bytes can declare a 16000x16000 picture, hundreds of streams, hours of frames or
timestamps days apart (decompression bombs, damaged headers). Each bound below refuses such a
file with one line saying which bound it broke, instead of letting it exhaust memory or time.

The bounds are generous for real calls: 8K pictures (a 4K screen recording passes), 6 hours,
240 frames per second (high-speed phone video), 32 audio channels (the engine mixes them to
mono anyway), 64 streams. Memory: a decoded picture is at most 7680x4320 (about 50 MB as YUV,
100 MB as BGR before downscaling), and the engine holds a bounded number of frames (see
`verification/pipeline`), so one file stays within a few hundred megabytes whatever it declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verification.errors import InputError


@dataclass(frozen=True)
class MediaLimits:
    max_pixels: int = 7680 * 4320  # 8K UHD
    max_side: int = 8192
    max_streams: int = 64
    max_channels: int = 32
    max_duration_s: float = 6 * 3600.0
    max_fps: float = 240.0  # average frames per second of media, after the first `fps_grace_frames`
    fps_grace_frames: int = 250  # a burst at the start (bad timestamps) is not yet a bomb

    def check_picture(self, path: Path, width: int, height: int) -> None:
        if max(width, height) > self.max_side or width * height > self.max_pixels:
            raise InputError(f"{path}: picture size {width}x{height} is over the limit "
                             f"({self.max_pixels / 1e6:.0f} megapixels, {self.max_side} px a side); "
                             f"refused before decoding")

    def check_streams(self, path: Path, count: int) -> None:
        if count > self.max_streams:
            raise InputError(f"{path}: holds {count} streams, over the limit of {self.max_streams}; "
                             f"not a call recording")

    def check_channels(self, path: Path, channels: int) -> None:
        if channels > self.max_channels:
            raise InputError(f"{path}: audio has {channels} channels, over the limit of {self.max_channels}")

    def check_duration(self, path: Path, seconds: float | None, declared: bool) -> None:
        if seconds is not None and seconds > self.max_duration_s:
            what = "declares" if declared else "reaches"
            raise InputError(f"{path}: {what} {_hours(seconds)} of media, over the limit of "
                             f"{_hours(self.max_duration_s)}; split the recording")

    def check_frame_rate(self, path: Path, frames: int, media_s: float) -> None:
        if frames > self.fps_grace_frames and frames > self.max_fps * max(media_s, 1.0):
            raise InputError(f"{path}: {frames} video frames in {media_s:.2f} s of media, over the "
                             f"limit of {self.max_fps:.0f} frames per second")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds:.0f} s"
