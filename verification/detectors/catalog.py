"""Every detector id CallShield knows, with its modality (DESIGN.md "Detector interface").

Reports list every id here, judged or not, so a missing line never hides a missing check.
"""

from __future__ import annotations

from dataclasses import dataclass

from verification.detectors.evidence import Modality


@dataclass(frozen=True)
class DetectorSpec:
    id: str
    modality: Modality
    title: str


DETECTOR_SPECS: tuple[DetectorSpec, ...] = (
    DetectorSpec("voice_synthetic", Modality.AUDIO, "synthetic or converted speech"),
    DetectorSpec("voice_identity", Modality.AUDIO, "voice changes speaker or differs from the enrolled voiceprint"),
    DetectorSpec("face_synthetic", Modality.VIDEO, "face swap, reenactment or generated face"),
    DetectorSpec("pulse", Modality.VIDEO, "physiological signal (rPPG) present and consistent"),
    DetectorSpec("blink", Modality.VIDEO, "blink rate and dynamics plausible"),
    DetectorSpec("av_sync", Modality.AV, "lips match the voice; audio delay"),
    DetectorSpec("replay", Modality.VIDEO, "looped or frozen video, screen replay"),
    DetectorSpec("challenge", Modality.AV, "active challenges prompted by the user"),
)

DETECTOR_IDS: tuple[str, ...] = tuple(spec.id for spec in DETECTOR_SPECS)


def spec_for(detector_id: str) -> DetectorSpec:
    for spec in DETECTOR_SPECS:
        if spec.id == detector_id:
            return spec
    raise KeyError(f"unknown detector id {detector_id!r}")
