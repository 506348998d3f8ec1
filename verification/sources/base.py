"""What every capture source delivers: timestamped video frames and audio chunks.

Timestamps: `pts` is media time in seconds since the start of the source (file time for
recordings, time since open for live devices); `captured_at` is `time.monotonic()` when the
frame or chunk became available to the engine, used for end-to-end latency.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

#: One internal audio rate for every source: what VAD and the speaker embedder expect.
INTERNAL_SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float | None  # nominal frame rate; None when the source does not say


@dataclass(frozen=True)
class AudioInfo:
    sample_rate: int  # the source's own rate, before resampling to INTERNAL_SAMPLE_RATE
    channels: int


@dataclass(frozen=True)
class VideoFrame:
    seq: int
    pts: float
    captured_at: float
    image: np.ndarray  # HxWx3 uint8, BGR (OpenCV order)


@dataclass(frozen=True)
class AudioChunk:
    seq: int
    pts: float  # media time of samples[0]
    captured_at: float
    samples: np.ndarray  # float32 mono in [-1, 1] at INTERNAL_SAMPLE_RATE


class FrameSource(ABC):
    """A stream of video frames. `read` blocks until the next frame; None means the stream ended.

    A live source that loses its device raises `verification.errors.SourceLost` from `read`.
    """

    #: True for cameras/screens (frames arrive in real time whether or not we keep up).
    live: bool = False

    @abstractmethod
    def open(self) -> VideoInfo: ...

    @abstractmethod
    def read(self) -> VideoFrame | None: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    def name(self) -> str:
        return type(self).__name__


class AudioSource(ABC):
    """A stream of mono audio chunks at INTERNAL_SAMPLE_RATE. None from `read` means the end."""

    live: bool = False

    @abstractmethod
    def open(self) -> AudioInfo: ...

    @abstractmethod
    def read(self) -> AudioChunk | None: ...

    @abstractmethod
    def close(self) -> None: ...

    @property
    def name(self) -> str:
        return type(self).__name__
