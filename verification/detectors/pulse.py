"""`pulse`: is there a heartbeat in the skin, and does the whole face pulse together?

Per face track: mean colour of forehead and both cheeks every analysed frame (the only per-frame
work); every second the last `window_s` seconds go through `rppg.read_pulse` (colour jumps
patched, POS and CHROM, detrended, band-passed, SNR-weighted, peak judged over the noise floor)
to a heart rate, an SNR, a confidence and the coherence between regions. Real skin pulses
together; a printed photo, a screen or a pasted face often shows no clear, shared pulse. Motion,
lighting changes and windows where most frames' colour jumps make the detector say it cannot
judge instead of producing a number. Pulse alone is a weak signal (compression removes it from
real calls; good fakes can carry the driver's pulse), so its score is capped to "elevated": it
can raise the procedure, never decide alone.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.detectors.base import FrameAnalysis
from verification.detectors.evidence import Modality
from verification.detectors.rppg import read_pulse
from verification.detectors.signal_tools import logistic, resample_uniform
from verification.detectors.skin_regions import MIN_REGION_PX, REGION_NAMES, region_means
from verification.detectors.video_common import (HEAVY_MOTION, NO_LANDMARKS, Judgement, TrackedVideoDetector,
                                                 contiguous_start, face_px, too_short)

LIGHTING_CHANGED = "lighting changed during the window"
COLOUR_JUMPS = "skin colour jumps (motion or lighting) in most of the window"
MAX_SCORE = 0.55  # pulse can raise the procedure to "elevated" at most (see module docstring)


@dataclass(frozen=True)
class PulseOptions:
    window_s: float = 8.0
    min_window_s: float = 6.0
    fs: float = 15.0  # grid the traces are resampled to (analysis rate jitters)
    max_gap_s: float = 0.5  # a longer hole in the face track starts a new window
    max_motion: float = 0.35  # face sizes per second (median speed of the face centre)
    max_light_change: float = 0.15  # relative swing of skin brightness within a window
    min_steady: float = 0.5  # share of frames whose colour moved no more than a pulse can


@dataclass
class PulseTrack:
    t: deque[float]
    rgb: deque[np.ndarray]  # (3 regions, RGB)
    centre: deque[np.ndarray]  # face box centre / face size: motion in face sizes
    last: dict[str, Any] = field(default_factory=dict)
    hrs: list[float] = field(default_factory=list)
    snrs: list[float] = field(default_factory=list)


class PulseDetector(TrackedVideoDetector[PulseTrack]):
    id = "pulse"
    modality = Modality.VIDEO
    models: tuple[str, ...] = ()

    def __init__(self, options: PulseOptions | None = None) -> None:
        super().__init__()
        self.options = options or PulseOptions()

    def new_state(self, obs: Any) -> PulseTrack:
        n = int(self.options.window_s * 40)  # room for up to 40 analysed fps
        return PulseTrack(deque(maxlen=n), deque(maxlen=n), deque(maxlen=n))

    def observe(self, state: PulseTrack, obs: Any, analysis: FrameAnalysis) -> None:
        if obs.mesh is None:
            return
        means, counts = region_means(analysis.frame.image, obs.mesh)
        if int(counts.min()) < MIN_REGION_PX:
            return
        box = np.asarray(obs.box, dtype=np.float64)
        state.t.append(float(analysis.frame.pts))
        state.rgb.append(means)
        state.centre.append((box[:2] + box[2:]) / 2.0 / max(face_px(obs), 1.0))

    def judge(self, state: PulseTrack, now: float) -> Judgement:
        o = self.options
        if not state.t:
            return Judgement(max(0.0, now - o.window_s), reason=NO_LANDMARKS)
        t = np.asarray(state.t)
        keep = (t >= now - o.window_s - 1e-6)
        t = t[keep]
        start = contiguous_start(t, o.max_gap_s)
        t = t[start:]
        span = float(t[-1] - t[0]) if len(t) else 0.0
        t0 = float(t[0]) if len(t) else now
        if span < o.min_window_s:
            return Judgement(t0, reason=too_short(span, o.min_window_s))
        rgb = np.stack(list(state.rgb))[keep][start:]
        centre = np.stack(list(state.centre))[keep][start:]
        speed = np.linalg.norm(np.diff(centre, axis=0), axis=1) / np.maximum(np.diff(t), 1e-3)
        motion = float(np.median(speed))
        light = rgb.mean(axis=(1, 2))
        light_change = float((np.percentile(light, 95) - np.percentile(light, 5)) / max(light.mean(), 1e-6))
        base = {"window_s": span, "motion": motion, "light_change": light_change}
        if motion > o.max_motion:
            return Judgement(t0, reason=HEAVY_MOTION, details=base)
        if light_change > o.max_light_change:
            return Judgement(t0, reason=LIGHTING_CHANGED, details=base)
        _grid, traces = resample_uniform(t, rgb, o.fs)
        reading = read_pulse(traces, o.fs)
        base = {**base, "steady_fraction": reading.steady_fraction}
        if reading.steady_fraction < o.min_steady:
            return Judgement(t0, reason=COLOUR_JUMPS, details=base)
        score, parts = pulse_score(reading.snr_db, reading.coherence, reading.region_hr_bpm)
        details = {
            "hr_bpm": reading.hr_bpm, "snr_db": reading.snr_db, "coherence": reading.coherence,
            "chrom_hr_bpm": reading.chrom_hr_bpm, "confidence": reading.confidence,
            "region_hr_bpm": dict(zip(REGION_NAMES, reading.region_hr_bpm)),
            "region_snr_db": dict(zip(REGION_NAMES, reading.region_snr_db)),
            **parts, **base,
        }
        state.last = details
        state.hrs.append(reading.hr_bpm)
        state.snrs.append(reading.snr_db)
        return Judgement(t0, score, details=details)

    def track_details(self, state: PulseTrack) -> dict[str, Any]:
        if not state.hrs:
            return {}
        return {"hr_bpm": float(np.median(state.hrs)), "snr_db": float(np.median(state.snrs)),
                "coherence": state.last.get("coherence"), "windows": len(state.hrs)}


def pulse_score(snr_db: float, coherence: float, region_hr: tuple[float, ...]) -> tuple[float, dict[str, float]]:
    """0 = a clear pulse shared by the regions, up to MAX_SCORE = no pulse anywhere."""
    clear = float(logistic(snr_db, -4.0, 2.5))  # de Haan SNR: about -4 dB is where a pulse shows
    shared = float(logistic(coherence, 0.15, 0.15)) if np.isfinite(coherence) else 0.5
    spread = float(np.ptp(region_hr)) if len(region_hr) > 1 else 0.0
    agree = float(logistic(-spread, -10.0, 4.0))  # regions within ~10 bpm of one another
    liveness = 0.5 * clear + 0.3 * shared + 0.2 * agree
    return MAX_SCORE * (1.0 - liveness), {"pulse_clarity": clear, "regions_together": shared,
                                          "hr_spread_bpm": spread}


def create(models: Any = None) -> PulseDetector:
    return PulseDetector()
