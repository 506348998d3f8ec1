"""Detector registry: id -> factory. Ids without a working factory get an UnavailableDetector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from verification.detectors.base import Detector, UnavailableDetector
from verification.detectors.catalog import DETECTOR_SPECS, spec_for
from verification.errors import ModelError

#: A factory gets the engine's collaborators (e.g. a ModelLoader) and returns a ready detector.
DetectorFactory = Callable[[Any], Detector]

NOT_IMPLEMENTED = "not implemented"


@dataclass
class DetectorRegistry:
    factories: dict[str, DetectorFactory] = field(default_factory=dict)

    def register(self, detector_id: str, factory: DetectorFactory) -> None:
        spec_for(detector_id)  # only known ids: reports promise a fixed set
        if detector_id in self.factories:
            raise ValueError(f"detector {detector_id!r} registered twice")
        self.factories[detector_id] = factory

    def create_all(self, models: Any = None, enabled: set[str] | None = None,
                   unavailable: dict[str, str] | None = None) -> list[Detector]:
        """One fresh instance per known id (new call = new state), in catalogue order.

        A factory that fails on a model (missing, tampered) yields an UnavailableDetector with the
        one-line reason, so the other detectors still run; `unavailable` names ids that cannot
        run for a reason known up front (e.g. face tracking refused its model).
        """
        detectors: list[Detector] = []
        for spec in DETECTOR_SPECS:
            factory = self.factories.get(spec.id)
            if unavailable and spec.id in unavailable:
                detectors.append(UnavailableDetector(spec.id, spec.modality, unavailable[spec.id]))
            elif enabled is not None and spec.id not in enabled:
                detectors.append(UnavailableDetector(spec.id, spec.modality, "disabled by configuration"))
            elif factory is None:
                detectors.append(UnavailableDetector(spec.id, spec.modality, NOT_IMPLEMENTED))
            else:
                try:
                    detectors.append(factory(models))
                except ModelError as exc:
                    detectors.append(UnavailableDetector(spec.id, spec.modality, f"model unavailable: {exc}"))
        return detectors


def build_default_registry(voiceprint: Any = None) -> DetectorRegistry:
    """The detectors this build ships. `voiceprint`: the enrolled embedding of the contact the call
    is with, when the directory has one (voice_identity then reports the distance to it)."""
    from verification.detectors import av_sync, blink, challenge, face_synthetic, pulse, replay
    from verification.detectors.voice_pair import SharedSpeech

    registry = DetectorRegistry()
    speech = SharedSpeech(enrolled=voiceprint)  # one VAD pass per call serves both voice detectors
    registry.register("voice_synthetic", speech.synthetic)
    registry.register("voice_identity", speech.identity)
    for module in (face_synthetic, pulse, blink, av_sync, replay, challenge):
        registry.register(module.__name__.rsplit(".", 1)[-1], module.create)
    return registry
