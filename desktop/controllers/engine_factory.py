"""Builds one Engine per monitored call from parts made once per app run (models, face pipeline).

Loading models takes a while, so `prepare()` runs on a worker thread (at start-up and again,
harmlessly, when a session starts) and is safe to call from several threads at once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from verification.analyzer import face_dependent_reasons
from verification.composition import build_face_pipeline
from verification.detectors.base import Detector
from verification.fusion.live import CallFusion
from verification.pipeline.events import EventSink
from verification.pipeline.runner import Engine, EngineConfig
from verification.pipeline.speech_worker import CueListener

#: builds the shared parts (a RecordingAnalyzer: registry, models, faces, calibration); gets a
#: callback for one-line warnings such as "face tracking disabled"
AnalyzerBuilder = Callable[[Callable[[str], None]], Any]


class EngineFactory:
    def __init__(self, build: AnalyzerBuilder, config: EngineConfig,
                 speech: Callable[[], CueListener] | None = None) -> None:
        self._build = build
        self._config = config
        self._speech = speech  # one scam-cue listener per call (None: the call's speech is not heard)
        self._lock = threading.Lock()
        self._parts: Any = None
        self._warnings: list[str] = []

    @property
    def config(self) -> EngineConfig:
        return self._config

    @property
    def hears_speech(self) -> bool:
        return self._speech is not None

    def prepare(self) -> Any:
        """The shared parts, built on first use (any thread)."""
        with self._lock:
            if self._parts is None:
                self._parts = self._build(self._warnings.append)
            return self._parts

    def status_lines(self) -> list[str]:
        """Model directory, execution providers and warnings, once prepared (else empty)."""
        with self._lock:
            parts, warnings = self._parts, list(self._warnings)
        if parts is None:
            return []
        models = parts.models
        lines = []
        if models is not None:
            lines.append(f"Models: {_short_path(models.model_dir)}")
            lines.append(f"Runs on: {', '.join(models.providers)}")
        return lines + warnings

    def loaded_providers(self) -> dict[str, str]:
        """Model id -> execution provider of its session, for the models loaded so far (else empty)."""
        with self._lock:
            parts = self._parts
        models = getattr(parts, "models", None)
        if models is None:
            return {}
        return {item["id"]: item["provider"] for item in models.loaded()}

    def create(self, on_event: EventSink) -> tuple[Engine, list[Detector]]:
        """A fresh engine with fresh detectors (they hold per-call state); call off the GUI thread,
        since a detector may load its model here."""
        parts = self.prepare()
        faces = parts.faces
        if faces is not None:
            # A fresh pipeline per call: its tracker numbers faces from #0 again, and no track of
            # the previous call carries over. Cheap: the loader keeps the ONNX sessions.
            faces, _why = build_face_pipeline(parts.models, self._warnings.append)
        # say why face-based detectors cannot judge when face tracking is unavailable
        detectors = parts.registry.create_all(parts.models, unavailable=face_dependent_reasons(parts.face_unavailable))
        speech = self._speech() if self._speech is not None else None
        engine = Engine(detectors, faces, self._config, on_event, CallFusion(parts.calibration), speech)
        return engine, detectors


def _short_path(path: object) -> str:
    """The folder as people write it: under the home folder as ~/..."""
    full = Path(str(path)).expanduser()
    try:
        return "~/" + full.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(full)
