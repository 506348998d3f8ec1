"""`callshield pulse VIDEO [--whole-frame] [--json]`: heart rate and SNR of a video.

With faces (default) the same `pulse` detector as in calls reads forehead and cheeks of the
longest-tracked face; `--whole-frame` treats the frame as skin (close-up skin videos) and reads
it as a 4 x 4 grid of patches. JSON fields `hr_bpm` and `snr_db` match the report's `pulse` details.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from verification.detectors.base import FrameAnalysis
from verification.sources.base import FrameSource

ANALYSIS_FPS = 15.0
MIN_DURATION_S = 6.0
MIN_STEADY = 0.5  # share of frames whose colour moved no more than a pulse can (trace_artifacts)
UNSTEADY = "skin colour jumps (motion or lighting) in most of the recording"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("pulse", help="heart rate (rPPG) and SNR of a video",
                              description="Estimate heart rate from skin colour (POS rPPG).")
    p.add_argument("video", metavar="VIDEO")
    p.add_argument("--whole-frame", action="store_true",
                   help="treat the whole frame as skin (close-up skin videos; no face tracking)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def _frames(source: FrameSource, fps: float) -> Any:
    """Frames thinned to at most `fps` per media second, as the engine analyses them."""
    source.open()
    try:
        next_t: float | None = None
        while (frame := source.read()) is not None:
            if next_t is not None and frame.pts + 1e-6 < next_t:
                continue
            next_t = frame.pts if next_t is None else next_t
            while next_t <= frame.pts + 1e-6:  # a fixed grid of due times, like the engine
                next_t += 1.0 / fps
            yield frame
    finally:
        source.close()


def whole_frame_traces(path: str | Path, fps: float = ANALYSIS_FPS) -> tuple[np.ndarray, np.ndarray]:
    """Frame times (T,) and mean RGB of a 4 x 4 grid of patches (T, 16, 3) of a skin video."""
    from verification.detectors.skin_regions import grid_means
    from verification.sources.file_source import FileVideoSource

    times, means = [], []
    for frame in _frames(FileVideoSource(path, max_side=640), fps):
        times.append(frame.pts)
        means.append(grid_means(frame.image))
    return np.asarray(times, dtype=np.float64), np.stack(means) if means else np.zeros((0, 16, 3))


def pulse_from_traces(times: np.ndarray, means: np.ndarray, fps: float = ANALYSIS_FPS,
                      options: Any = None) -> dict[str, Any]:
    """The whole-frame reading of traces from `whole_frame_traces` (split out so validation can
    compare settings without decoding again)."""
    from verification.detectors.rppg import long_recording_hr
    from verification.detectors.signal_tools import resample_uniform

    duration = float(times[-1] - times[0]) if len(times) > 1 else 0.0
    out: dict[str, Any] = {"frames": len(times), "duration_s": round(duration, 3)}
    if duration < MIN_DURATION_S:
        return {**out, "status": "not_applicable", "reason": f"too short: {duration:.1f} s, needs {MIN_DURATION_S:g} s",
                "hr_bpm": None, "snr_db": None, "confidence": 0.0}
    _grid, traces = resample_uniform(times, means, fps)
    r = long_recording_hr(traces, fps, options)
    out = {**out, "steady_fraction": round(r.steady_fraction, 3), "confidence": round(r.confidence, 3)}
    if r.steady_fraction < MIN_STEADY:  # colour noise far beyond any pulse: no number, say why
        return {**out, "status": "not_applicable", "reason": UNSTEADY, "hr_bpm": None, "snr_db": None}
    return {**out, "status": "ok", "reason": None, "hr_bpm": round(r.hr_bpm, 1), "snr_db": round(r.snr_db, 2)}


def whole_frame_pulse(path: str | Path, fps: float = ANALYSIS_FPS) -> dict[str, Any]:
    times, means = whole_frame_traces(path, fps)
    return {"path": str(path), "mode": "whole_frame", **pulse_from_traces(times, means, fps)}


def face_pulse(path: str | Path, model_dir: str | None, fps: float = ANALYSIS_FPS) -> dict[str, Any]:
    from verification.composition import build_model_loader
    from verification.detectors.pulse import PulseDetector
    from verification.sources.file_source import FileVideoSource
    from verification.vision.pipeline import create_face_pipeline

    faces = create_face_pipeline(build_model_loader(model_dir))
    detector = PulseDetector()
    frames = 0
    for frame in _frames(FileVideoSource(path, max_side=1280), fps):
        detector.process_video(FrameAnalysis(frame, faces.process(frame.image, frame.pts)))
        frames += 1
    result = detector.result()
    details = result.details
    return {"path": str(path), "mode": "face", "frames": frames, "status": result.status, "reason": result.reason,
            "hr_bpm": details.get("hr_bpm"), "snr_db": details.get("snr_db"),
            "coherence": details.get("coherence"), "score": result.score}


def run(args: argparse.Namespace) -> int:
    from verification.sources.media_probe import probe_media

    probe_media(args.video)  # unreadable input: one-line InputError, exit 2
    out = whole_frame_pulse(args.video) if args.whole_frame else face_pulse(args.video, args.model_dir)
    if args.json:
        sys.stdout.write(json.dumps(out) + "\n")
    elif out["status"] == "ok":
        conf = f", confidence {out['confidence']:.2f}" if out.get("confidence") is not None else ""
        print(f"{args.video}: heart rate {out['hr_bpm']:.1f} bpm, SNR {out['snr_db']:.1f} dB{conf} ({out['mode']})")
    else:
        print(f"{args.video}: cannot judge: {out['reason']}")
    return 0
