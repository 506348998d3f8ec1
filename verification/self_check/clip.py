"""A short recording the self-check makes itself: a tone in noise and a moving picture, encoded with PyAV.

It exercises the same decoders, resampler and detectors as a real call; nothing in it is meant to
look like a person, so the verdict itself is not checked, only that the analysis completes."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16_000
FPS = 15
SIZE = (160, 120)


def _audio(seconds: float, seed: int) -> np.ndarray:
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    rng = np.random.default_rng(seed)
    # a voiced-like tone whose loudness pulses like syllables, over a little noise
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    return (tone + 0.02 * rng.standard_normal(n)).astype(np.float32)


def _frame(index: int) -> np.ndarray:
    w, h = SIZE
    ramp = np.add.outer(np.arange(h), np.arange(w))
    return np.stack([(ramp + 4 * index) % 255, ramp % 255, (255 - ramp) % 255], axis=-1).astype(np.uint8)


def write_clip(path: Path, seconds: float = 2.0, seed: int = 0) -> Path:
    """MPEG-4 video plus PCM audio in a Matroska file (codecs every PyAV build carries)."""
    with av.open(str(path), "w", format="matroska") as out:
        video = out.add_stream("mpeg4", rate=FPS)
        video.width, video.height = SIZE
        video.pix_fmt = "yuv420p"
        audio = out.add_stream("pcm_s16le", rate=SAMPLE_RATE)
        audio.layout = "mono"
        for i in range(int(seconds * FPS)):
            frame = av.VideoFrame.from_ndarray(_frame(i), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        samples = (_audio(seconds, seed) * 32767).astype(np.int16)
        block = 1024
        for start in range(0, len(samples), block):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + block], format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            frame.time_base = Fraction(1, SAMPLE_RATE)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return path
