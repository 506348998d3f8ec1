"""Analyses recordings through the live engine, one report per file.

Models and the face pipeline are created once by the caller and shared across files; detectors
are created fresh per file because they hold per-call state.

Bounds per file: what the file may declare or decode is capped by `MediaLimits` (picture size,
streams, channels, 6 h of media, frame rate), and an analysis that makes no progress for
`stall_timeout_s` (a decoder stuck on a damaged file) is stopped with a one-line error, so every
file ends in a report or one line naming it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from verification.detectors.catalog import DETECTOR_SPECS
from verification.detectors.evidence import Modality
from verification.detectors.registry import DetectorRegistry
from verification.errors import InputError
from verification.fusion.calibration import CalibrationSet
from verification.fusion.live import CallFusion
from verification.pipeline.runner import Engine, EngineConfig
from verification.report.build import build_report
from verification.sources.file_source import FileAudioSource, FileVideoSource
from verification.sources.media_limits import MediaLimits
from verification.sources.media_probe import probe_media

#: (media seconds analysed, media duration or None)
ProgressCallback = Callable[[float, float | None], None]


class ModelRecorder(Protocol):
    def loaded(self) -> list[dict[str, str]]: ...


@dataclass
class RecordingAnalyzer:
    registry: DetectorRegistry
    models: Any = None  # ModelLoader shared by detector factories (None: no models available)
    faces: Any = None  # FacePipeline, or None to analyse without face tracking
    config: EngineConfig = EngineConfig()
    max_side: int | None = 1280  # decode larger video downscaled: detectors work below this
    face_unavailable: str | None = None  # why face tracking could not be set up, if it could not
    calibration: CalibrationSet = field(default_factory=CalibrationSet)
    limits: MediaLimits = MediaLimits()
    stall_timeout_s: float = 60.0  # no media time, frame or audio decoded for this long: give up

    def analyze(self, path: str | Path, progress: ProgressCallback | None = None) -> dict[str, Any]:
        """Report for one recording. Raises InputError (one line, naming the file) when it cannot be
        opened; a recording that breaks off part-way (damaged, cut short) still gets a report, whose
        `input.problems` and verdict say so."""
        info = probe_media(path, self.limits)
        if self.faces is not None:
            self.faces.reset()
        detectors = self.registry.create_all(self.models, unavailable=self._face_dependent_reasons())
        engine = Engine(detectors, self.faces if info.video else None, self.config,
                        fusion=CallFusion(self.calibration))
        video = FileVideoSource(path, max_side=self.max_side, limits=self.limits) if info.video else None
        audio = FileAudioSource(path, limits=self.limits) if info.audio else None
        clock = getattr(self.models, "clock", None)
        onnx_before = clock.seconds if clock is not None else 0.0
        started = time.perf_counter()
        engine.start(video, audio)
        watch = _StallWatch(engine, self.stall_timeout_s)
        try:
            while not engine.wait(timeout=0.1):
                if progress:
                    progress(engine.progress_media_s(), info.duration_s)
                if watch.stalled():
                    raise InputError(f"{path}: analysis made no progress for {self.stall_timeout_s:.0f} s "
                                     f"(decoder stuck on damaged data?); stopped")
        except BaseException:
            engine.stop()
            raise
        wall = time.perf_counter() - started
        analysis = engine.finish()
        if progress:
            progress(info.duration_s or engine.progress_media_s(), info.duration_s)
        used = self.models.loaded() if self.models is not None else []
        report = build_report(str(path), info.duration_s, analysis, used, wall)
        if analysis.failures:  # damaged or cut short: the report says so (verdict and input), never "low"
            name = Path(path).name
            report["input"]["problems"] = [m if name in m else f"{path}: {m}" for m in analysis.failures]
        if clock is not None:  # time inside model runs vs the rest (decode, Python, waiting)
            onnx_s = clock.seconds - onnx_before
            report["timing"]["onnx_s"] = round(onnx_s, 3)
            report["timing"]["onnx_share"] = round(onnx_s / wall, 4) if wall > 0 else None
        return report

    def _face_dependent_reasons(self) -> dict[str, str] | None:
        return face_dependent_reasons(self.face_unavailable)


class _StallWatch:
    """Notices when an engine stops moving: no frame in, no media time analysed, for `timeout_s`."""

    def __init__(self, engine: Engine, timeout_s: float) -> None:
        self._engine = engine
        self._timeout = timeout_s
        self._last: tuple[float, ...] = ()
        self._since = time.monotonic()

    def stalled(self) -> bool:
        snapshot = self._engine.activity()
        now = time.monotonic()
        if snapshot != self._last:
            self._last, self._since = snapshot, now
            return False
        return now - self._since > self._timeout


def face_dependent_reasons(face_unavailable: str | None) -> dict[str, str] | None:
    """Detector id -> reason for every detector that needs faces, when face tracking is unavailable."""
    if face_unavailable is None:
        return None
    reason = f"face tracking unavailable: {face_unavailable}"
    return {spec.id: reason for spec in DETECTOR_SPECS if spec.modality != Modality.AUDIO}
