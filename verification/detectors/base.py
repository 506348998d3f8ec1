"""The one interface every detector implements.

A detector instance belongs to exactly one engine worker thread (audio detectors to the audio
worker, video and av detectors to the vision worker), so detectors keep state without locks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Sequence

from verification.detectors.evidence import AudioWindow, DetectorResult, Evidence, Modality
from verification.sources.base import VideoFrame


@dataclass(frozen=True)
class FrameAnalysis:
    """What the vision worker hands video/av detectors for one analysed frame."""

    frame: VideoFrame
    faces: Sequence[Any]  # verification.vision.types.FaceObservation
    #: audio for a media-time span [t0, t1) as float32 at the internal rate (for av detectors)
    read_audio: Callable[[float, float], Any] | None = None


class Detector(ABC):
    id: ClassVar[str]
    modality: ClassVar[Modality]
    models: ClassVar[tuple[str, ...]] = ()

    def process_audio(self, window: AudioWindow) -> list[Evidence]:
        return []

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        return []

    @abstractmethod
    def result(self) -> DetectorResult:
        """Call-level result after the last window (also called mid-call for live verdicts)."""


@dataclass
class UnavailableDetector(Detector):
    """Stands in for a detector that cannot run (not built yet, model refused): it never scores."""

    detector_id: str
    detector_modality: Modality
    reason: str
    windows: list[Evidence] = field(default_factory=list)

    @property
    def id(self) -> str:  # type: ignore[override]
        return self.detector_id

    @property
    def modality(self) -> Modality:  # type: ignore[override]
        return self.detector_modality

    def result(self) -> DetectorResult:
        return DetectorResult.not_applicable(self.detector_id, self.detector_modality, self.reason)
