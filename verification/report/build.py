"""Builds the public `callshield.report/1` object (DESIGN.md "Report contract")."""

from __future__ import annotations

from typing import Any, Sequence

from verification.detectors.catalog import DETECTOR_IDS
from verification.detectors.evidence import DetectorResult, Evidence
from verification.pipeline.runner import CallAnalysis

SCHEMA = "callshield.report/1"


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _window(ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {"t0": _r(ev.t0, 3), "t1": _r(ev.t1, 3), "status": ev.status, "score": _r(ev.score)}
    if ev.reason:
        out["reason"] = ev.reason
    if ev.track is not None:
        out["track"] = ev.track
    return out


def _detector(result: DetectorResult) -> dict[str, Any]:
    return {
        "modality": result.modality.value,
        "status": result.status,
        "reason": result.reason,
        "score": _r(result.score),
        "windows": [_window(ev) for ev in result.windows],
        "details": result.details,
    }


def build_report(path: str, duration_s: float | None, analysis: CallAnalysis,
                 models: Sequence[dict[str, str]], wall_s: float) -> dict[str, Any]:
    by_id = {r.detector_id: r for r in analysis.results}
    missing = [d for d in DETECTOR_IDS if d not in by_id]
    if missing:
        raise ValueError(f"engine returned no result for {missing}")  # a programming error
    video = analysis.video
    audio = analysis.audio
    faces = []
    for track_id, span in sorted(analysis.tracks.items()):
        scores = {r.detector_id: {"score": _r(r.per_track.get(track_id))}
                  for r in analysis.results if track_id in r.per_track}
        face: dict[str, Any] = {"track": track_id, "first_s": _r(span.first_s, 3), "last_s": _r(span.last_s, 3),
                                "frames": span.frames, "detectors": scores}
        peak = analysis.participants.get(f"face #{track_id}")
        if peak is not None:  # the worst this participant looked during the call
            face["verdict"] = {"risk": _r(peak.risk), "level": peak.level}
        faces.append(face)
    duration = duration_s or 0.0
    metrics = dict(analysis.metrics)
    metrics.pop("wall_s", None)
    return {
        "schema": SCHEMA,
        "input": {
            "path": path,
            "duration_s": _r(duration_s, 3),
            "video": None if video is None else {"width": video.width, "height": video.height,
                                                  "fps": _r(video.fps, 3)},
            "audio": None if audio is None else {"sample_rate": audio.sample_rate, "channels": audio.channels},
        },
        "models": [dict(m) for m in models],
        "detectors": {det_id: _detector(by_id[det_id]) for det_id in DETECTOR_IDS},
        "faces": faces,
        "verdict": analysis.verdict.as_dict(),
        "timing": {"wall_s": _r(wall_s, 3),
                   "realtime_factor": _r(duration / wall_s if wall_s > 0 else None, 2),
                   **metrics},
    }
