"""Real media files for tests, encoded with PyAV (libav inside the wheel)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GRID_DIR = SHARED_DATA / "video" / "talking_heads" / "grid"


def write_clip(path: Path, seconds: float = 2.0, fps: int = 25, size: tuple[int, int] = (160, 120),
               video: bool = True, audio: bool = True, sample_rate: int = 48_000,
               vcodec: str = "mpeg4", acodec: str = "aac") -> Path:
    """A moving gradient with a 440 Hz tone whose loudness pulses like syllables."""
    with av.open(str(path), "w") as out:
        vs = as_ = None
        if video:
            vs = out.add_stream(vcodec, rate=fps)
            vs.width, vs.height = size
            vs.pix_fmt = "yuv420p"
        if audio:
            as_ = out.add_stream(acodec, rate=sample_rate)
            as_.layout = "stereo" if acodec != "pcm_s16le" else "mono"
        if vs is not None:
            w, h = size
            ramp = np.add.outer(np.arange(h), np.arange(w)).astype(np.uint8)
            for i in range(int(seconds * fps)):
                img = np.stack([(ramp + 3 * i) % 255, ramp, 255 - ramp], axis=-1).astype(np.uint8)
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                frame.pts = i
                frame.time_base = Fraction(1, fps)
                for pkt in vs.encode(frame):
                    out.mux(pkt)
            for pkt in vs.encode():
                out.mux(pkt)
        if as_ is not None:
            n = int(seconds * sample_rate)
            t = np.arange(n) / sample_rate
            tone = (0.3 * np.sin(2 * np.pi * 440 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))).astype(np.float32)
            frame_size = as_.codec_context.frame_size or 1024
            layout = as_.layout.name
            chans = 2 if layout == "stereo" else 1
            fmt = "fltp" if acodec != "pcm_s16le" else "s16"
            for k, start in enumerate(range(0, n, frame_size)):
                block = tone[start:start + frame_size]
                if fmt == "s16":
                    data = (block * 32767).astype(np.int16)[None, :]
                    frame = av.AudioFrame.from_ndarray(data, format="s16", layout=layout)
                else:
                    frame = av.AudioFrame.from_ndarray(np.repeat(block[None, :], chans, 0), format="fltp",
                                                       layout=layout)
                frame.sample_rate = sample_rate
                frame.pts = start
                frame.time_base = Fraction(1, sample_rate)
                for pkt in as_.encode(frame):
                    out.mux(pkt)
            for pkt in as_.encode():
                out.mux(pkt)
    return path
