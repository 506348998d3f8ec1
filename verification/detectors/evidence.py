"""What detectors produce: per-window Evidence and a call-level DetectorResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

import numpy as np


class Modality(str, Enum):
    AUDIO = "audio"
    VIDEO = "video"
    AV = "av"


Status = Literal["ok", "not_applicable"]


@dataclass(frozen=True)
class Evidence:
    """One detector's judgement of one window (0 = bona fide, 1 = synthetic/spoofed/replayed)."""

    detector_id: str
    t0: float  # media time span judged
    t1: float
    status: Status
    score: float | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    track: int | None = None  # face track for per-participant video evidence
    captured_at: float = 0.0  # capture time of the newest input used (for latency, staleness)

    def __post_init__(self) -> None:
        if self.status == "ok" and (self.score is None or not 0.0 <= self.score <= 1.0):
            raise ValueError(f"{self.detector_id}: ok evidence needs a score in [0, 1], got {self.score}")
        if self.status == "not_applicable" and not self.reason:
            raise ValueError(f"{self.detector_id}: not_applicable evidence needs a reason")


@dataclass(frozen=True)
class AudioWindow:
    seq: int
    t0: float
    t1: float
    samples: np.ndarray  # float32 mono at the engine's internal rate
    sample_rate: int
    gap: bool  # part of the window was lost or zero-filled
    captured_at: float


@dataclass
class DetectorResult:
    """Call-level outcome of one detector, as written into the report."""

    detector_id: str
    modality: Modality
    status: Status
    score: float | None
    reason: str | None
    windows: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    per_track: dict[int, float | None] = field(default_factory=dict)

    @classmethod
    def not_applicable(cls, detector_id: str, modality: Modality, reason: str,
                       windows: list[Evidence] | None = None) -> "DetectorResult":
        return cls(detector_id, modality, "not_applicable", None, reason, windows or [])
