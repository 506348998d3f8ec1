"""Shared helpers for the video-detector tests (no tests here): real GRID clips through the real
face pipeline once per session, audio readers with shifts, and runs of a detector over frames."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from tests.verification.test_vision_support import data_or_skip, face_loader, new_pipeline
from verification.detectors.base import Detector, FrameAnalysis
from verification.sources.base import INTERNAL_SAMPLE_RATE, VideoFrame
from verification.sources.file_source import FileAudioSource, FileVideoSource

ANALYSIS_FPS = 15.0


@dataclass(frozen=True)
class Clip:
    name: str
    frames: list[VideoFrame]  # thinned to ANALYSIS_FPS like the engine
    faces: list[list[Any]]  # FaceObservations per frame
    audio: np.ndarray  # 16 kHz mono float32


def thinned_frames(path: Path, fps: float = ANALYSIS_FPS, max_side: int | None = None) -> list[VideoFrame]:
    src = FileVideoSource(path, max_side=max_side)
    src.open()
    out: list[VideoFrame] = []
    next_t: float | None = None
    try:
        while (frame := src.read()) is not None:
            if next_t is not None and frame.pts + 1e-6 < next_t:
                continue
            next_t = frame.pts if next_t is None else next_t
            while next_t <= frame.pts + 1e-6:
                next_t += 1.0 / fps
            out.append(frame)
    finally:
        src.close()
    return out


def read_audio_file(path: Path) -> np.ndarray:
    src = FileAudioSource(path)
    src.open()
    chunks = []
    try:
        while (chunk := src.read()) is not None:
            chunks.append(chunk.samples)
    finally:
        src.close()
    return np.concatenate(chunks).astype(np.float32)


def grid_paths() -> list[Path]:
    clips = sorted(data_or_skip("video", "talking_heads", "grid").glob("*.mpg"))
    assert len(clips) >= 10
    return clips


@functools.cache
def grid_clip(name: str) -> Clip:
    """One GRID clip, analysed at 15 fps by a fresh face pipeline (cached for the session)."""
    path = data_or_skip("video", "talking_heads", "grid", name)
    frames = thinned_frames(path)
    pipeline = new_pipeline()
    faces = [pipeline.process(f.image, f.pts) for f in frames]
    return Clip(name, frames, faces, read_audio_file(path))


def audio_reader(audio: np.ndarray, delay_s: float = 0.0) -> Callable[[float, float], np.ndarray]:
    """read_audio over a decoded track, the voice delayed by `delay_s` (silence shifted in)."""

    def read(t0: float, t1: float) -> np.ndarray:
        a = int(round((t0 - delay_s) * INTERNAL_SAMPLE_RATE))
        n = int(round((t1 - t0) * INTERNAL_SAMPLE_RATE))
        out = np.zeros(n, np.float32)
        lo, hi = max(a, 0), min(a + n, len(audio))
        if hi > lo:
            out[lo - a:hi - a] = audio[lo:hi]
        # Shifted-in silence is real (quiet) audio, not a hole in the ring: tiny dither marks it so.
        out[out == 0] = 1e-6
        return out

    return read


def run(detector: Detector, frames: Sequence[VideoFrame], faces: Sequence[list[Any]],
        read_audio: Callable[[float, float], np.ndarray] | None = None) -> Any:
    for frame, obs in zip(frames, faces):
        detector.process_video(FrameAnalysis(frame, obs, read_audio))
    return detector.result()


def still_frames(image: np.ndarray, seconds: float, fps: float = ANALYSIS_FPS, start: float = 0.0,
                 noise: float = 0.0, seed: int = 0, cycle: int = 7) -> list[VideoFrame]:
    """A still picture as a clip; `noise` adds sensor-like grain (a print in front of a camera).

    Grain patterns are cycled every `cycle` frames (cheap); 0 draws fresh grain for every frame,
    for tests where a repeating pattern would itself look like a periodic signal.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * fps)
    count = 1 if noise == 0 else (n if cycle == 0 else cycle)
    variants = [image if noise == 0 else np.clip(image + rng.normal(0, noise, image.shape), 0, 255).astype(np.uint8)
                for _ in range(count)]
    return [VideoFrame(i, start + i / fps, 0.0, variants[i % len(variants)]) for i in range(n)]


def observe_once(image: np.ndarray) -> Any:
    """The face pipeline's observation of a still picture (mesh converged over a few frames)."""
    pipeline = new_pipeline(detect_every=1)
    obs: list[Any] = []
    for i in range(3):
        obs = pipeline.process(image, i / ANALYSIS_FPS)
    assert obs, "no face found"
    return max(obs, key=lambda o: float(o.box[2] - o.box[0]))  # photos may show a second face


def at_times(obs: Any, frames: Sequence[VideoFrame], **changes: Any) -> list[list[Any]]:
    """The same observation on every frame, with its pts (and any field changes)."""
    return [[dataclasses.replace(obs, pts=f.pts, **changes)] for f in frames]


def models_loader() -> Any:
    """The real ModelLoader (face models fetched); skips like the vision tests when absent."""
    return face_loader()
