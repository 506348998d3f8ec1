"""Deterministic synthetic sources for tests and demos: no files, no devices, same seed, same data.

Video: coloured shapes bouncing over a gradient. Audio: steady tones plus noise bursts whose
energy rises and falls at a syllable rate (3-6 Hz) like speech, with pauses between "phrases"
and optional forced silences, so VAD gating and windowing can be exercised with known answers.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi

from verification.sources.audio_normalize import AudioChunker
from verification.sources.base import (
    INTERNAL_SAMPLE_RATE,
    AudioChunk,
    AudioInfo,
    AudioSource,
    FrameSource,
    VideoFrame,
    VideoInfo,
)
from verification.sources.pacing import RatePacer

Interval = tuple[float, float]

# White noise through the 300-3400 Hz band keeps this fraction of its power: rescale to unit std.
_BAND_GAIN = 1.0 / math.sqrt((3400 - 300) / (INTERNAL_SAMPLE_RATE / 2))


@dataclass(frozen=True)
class _Shape:
    kind: str  # "circle" or "rect"
    color: tuple[int, int, int]
    size: int
    x0: float
    y0: float
    vx: float  # pixels per second
    vy: float


class SyntheticFrameSource(FrameSource):
    """`round(duration_s * fps)` frames; frame k is a pure function of (seed, k), see `render`."""

    def __init__(self, width: int = 320, height: int = 240, fps: float = 25.0,
                 duration_s: float = 5.0, seed: int = 0, shapes: int = 3, live: bool = False) -> None:
        if width < 16 or height < 16 or fps <= 0 or duration_s <= 0 or shapes < 0:
            raise ValueError("synthetic video needs width/height >= 16 and positive fps and duration")
        self.width, self.height, self.fps = width, height, fps
        self.frame_count = round(duration_s * fps)
        self.live = live
        rng = np.random.default_rng(seed)
        self._background = self._gradient(rng)
        self._shapes = [self._random_shape(rng) for _ in range(shapes)]
        self._seq = 0
        self._pacer: RatePacer | None = None
        self._opened_at = 0.0

    def open(self) -> VideoInfo:
        self._seq = 0
        self._pacer = RatePacer(self.fps) if self.live else None
        self._opened_at = time.monotonic()
        return VideoInfo(width=self.width, height=self.height, fps=self.fps)

    def read(self) -> VideoFrame | None:
        if self._seq >= self.frame_count:
            return None
        if self._pacer is not None:
            tick = self._pacer.wait()
            pts = tick - self._opened_at  # live sources: time since open
        else:
            pts = self._seq / self.fps
        frame = VideoFrame(seq=self._seq, pts=pts, captured_at=time.monotonic(),
                           image=self.render(self._seq))
        self._seq += 1
        return frame

    def close(self) -> None:
        self._pacer = None

    def render(self, index: int) -> np.ndarray:
        image = self._background.copy()
        t = index / self.fps
        for shape in self._shapes:
            x = _bounce(shape.x0 + shape.vx * t, self.width - shape.size)
            y = _bounce(shape.y0 + shape.vy * t, self.height - shape.size)
            if shape.kind == "circle":
                half = shape.size // 2
                center = (int(x) + half, int(y) + half)
                cv2.circle(image, center, half, shape.color, -1, cv2.LINE_AA)
            else:
                cv2.rectangle(image, (int(x), int(y)), (int(x) + shape.size, int(y) + shape.size),
                              shape.color, -1)
        return image

    def _gradient(self, rng: np.random.Generator) -> np.ndarray:
        top, bottom = rng.integers(20, 120, size=3), rng.integers(80, 200, size=3)
        ramp = np.linspace(0.0, 1.0, self.height)[:, None]
        column = (top[None, :] * (1 - ramp) + bottom[None, :] * ramp).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(column[:, None, :], self.width, axis=1))

    def _random_shape(self, rng: np.random.Generator) -> _Shape:
        size = int(rng.integers(max(4, min(self.width, self.height) // 10),
                                max(5, min(self.width, self.height) // 3)))
        speed = min(self.width, self.height) * rng.uniform(0.2, 0.8)
        angle = rng.uniform(0, 2 * math.pi)
        b, g, r = (int(c) for c in rng.integers(0, 256, size=3))
        color = (b, g, r)
        kind = "circle" if rng.random() < 0.5 else "rect"
        return _Shape(kind=kind, color=color, size=size,
                      x0=float(rng.uniform(0, self.width - size)),
                      y0=float(rng.uniform(0, self.height - size)),
                      vx=speed * math.cos(angle), vy=speed * math.sin(angle))


class SyntheticAudioSource(AudioSource):
    """16 kHz mono: tones, speech-like noise bursts (`bursts`), and silence in `silences`.

    The signal is made in 1 s blocks from (seed, block), so it does not depend on `chunk_s`.
    """

    BLOCK = INTERNAL_SAMPLE_RATE  # samples per generated block (1 s)

    def __init__(self, duration_s: float = 5.0, chunk_s: float = 0.1, seed: int = 0,
                 tones_hz: Sequence[float] = (220.0,), tone_level: float = 0.05,
                 burst_level: float = 0.2, speech: bool = True,
                 silences: Sequence[Interval] = (), live: bool = False) -> None:
        if duration_s <= 0 or chunk_s <= 0:
            raise ValueError("synthetic audio needs positive duration and chunk size")
        self.duration_s, self.chunk_s, self.seed = duration_s, chunk_s, seed
        self.tones_hz, self.tone_level, self.burst_level = tuple(tones_hz), tone_level, burst_level
        self.silences: tuple[Interval, ...] = tuple((float(a), float(b)) for a, b in silences)
        self.live = live
        self.total_samples = round(duration_s * INTERNAL_SAMPLE_RATE)
        self.bursts: tuple[tuple[float, float, float], ...] = (
            _burst_plan(np.random.default_rng([seed, 1]), duration_s) if speech else ())
        self._block = 0
        self._ready: deque[AudioChunk] = deque()
        self._chunker = AudioChunker(chunk_s)
        self._filter_state: np.ndarray | None = None
        self._pacer: RatePacer | None = None
        # Speech band (300-3400 Hz) so band-energy VADs see what they expect of a voice.
        self._sos = butter(4, [300, 3400], btype="bandpass", fs=INTERNAL_SAMPLE_RATE, output="sos")

    def open(self) -> AudioInfo:
        self._block, self._filter_state = 0, None
        self._ready.clear()
        self._chunker = AudioChunker(self.chunk_s)
        self._pacer = RatePacer(1.0 / self.chunk_s) if self.live else None
        return AudioInfo(sample_rate=INTERNAL_SAMPLE_RATE, channels=1)

    def read(self) -> AudioChunk | None:
        while not self._ready and self._block * self.BLOCK < self.total_samples:
            start = self._block * self.BLOCK
            samples = self._render_block(self._block)
            self._ready.extend(self._chunker.push(start / INTERNAL_SAMPLE_RATE, samples))
            self._block += 1
            if self._block * self.BLOCK >= self.total_samples:
                last = self._chunker.flush()
                if last is not None:
                    self._ready.append(last)
        if not self._ready:
            return None
        if self._pacer is not None:
            self._pacer.wait()
        chunk = self._ready.popleft()
        return AudioChunk(seq=chunk.seq, pts=chunk.pts, captured_at=time.monotonic(),
                          samples=chunk.samples)

    def close(self) -> None:
        self._pacer = None

    def is_speech(self, t: float) -> bool:
        """Ground truth for tests: inside a burst and not forced silent."""
        return (any(a <= t < b for a, b, _ in self.bursts)
                and not any(a <= t < b for a, b in self.silences))

    def _render_block(self, block: int) -> np.ndarray:
        start = block * self.BLOCK
        n = min(self.BLOCK, self.total_samples - start)
        t = (start + np.arange(n)) / INTERNAL_SAMPLE_RATE
        signal = np.zeros(n)
        for hz in self.tones_hz:
            signal += self.tone_level * np.sin(2 * np.pi * hz * t)
        if self.bursts:
            noise = np.random.default_rng([self.seed, 2, block]).standard_normal(n)
            if self._filter_state is None:
                self._filter_state = sosfilt_zi(self._sos) * 0.0
            band, self._filter_state = sosfilt(self._sos, noise, zi=self._filter_state)
            signal += self.burst_level * _BAND_GAIN * band * _envelope(t, self.bursts)
        for a, b in self.silences:
            signal[(t >= a) & (t < b)] = 0.0
        return np.clip(signal, -1.0, 1.0).astype(np.float32)


def _bounce(position: float, span: float) -> float:
    """Position reflected into [0, span] (a triangle wave), so shapes bounce off the edges."""
    if span <= 0:
        return 0.0
    phase = position % (2 * span)
    return phase if phase <= span else 2 * span - phase


def _burst_plan(rng: np.random.Generator, duration_s: float) -> tuple[tuple[float, float, float], ...]:
    """(start, end, syllable rate Hz) of "phrases" separated by 0.2-0.8 s pauses."""
    plan: list[tuple[float, float, float]] = []
    t = float(rng.uniform(0.1, 0.4))
    while t < duration_s:
        length = float(rng.uniform(0.4, 1.5))
        plan.append((t, min(duration_s, t + length), float(rng.uniform(3.0, 6.0))))
        t += length + float(rng.uniform(0.2, 0.8))
    return tuple(plan)


def _envelope(t: np.ndarray, bursts: Sequence[tuple[float, float, float]]) -> np.ndarray:
    env = np.zeros_like(t)
    for a, b, rate in bursts:
        inside = (t >= a) & (t < b)
        if inside.any():
            # Syllables: energy rises and falls at `rate`, never quite to zero inside a phrase.
            env[inside] = 0.2 + 0.8 * (0.5 - 0.5 * np.cos(2 * np.pi * rate * (t[inside] - a)))
    return env
