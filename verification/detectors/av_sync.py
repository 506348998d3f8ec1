"""`av_sync`: do the lips match the voice, and how late is the voice?

Per face track: inner-lip opening (mesh) per analysed frame. Shared by all tracks: the speech
envelope (log energy of 20 ms bins) of the call audio, read a little behind the video so live
audio has arrived. Every second, the last `window_s` seconds of both are band-limited to the
syllable rate and cross-correlated over +-`max_lag_s`: the best lag is the audio offset
(positive: the voice comes after the lips, as with real-time voice conversion), the peak
correlation says how well lips and voice match at all. A face whose mouth is still while someone
speaks is not judged (in a group call the voice is probably another participant's).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.detectors.av_features import SpeechEnvelope, mouth_opening
from verification.detectors.base import FrameAnalysis
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.detectors.signal_tools import bandpass, logistic, sliding_xcorr
from verification.detectors.video_common import NO_LANDMARKS, Judgement, TrackedVideoDetector, contiguous_start, too_short

NO_AUDIO = "no call audio to compare with"
NO_SPEECH = "no speech in the window"
MOUTH_STILL = "mouth not moving while someone speaks (probably another participant)"
AUDIO_MISSING = "call audio missing for this span"
MAX_SCORE = 0.9


@dataclass(frozen=True)
class AvSyncOptions:
    window_s: float = 4.0
    min_window_s: float = 2.6
    max_lag_s: float = 0.7
    grid_hz: float = 50.0  # common time grid of lips and voice (20 ms steps)
    # read live audio this far behind the frame, holes and all (it arrives in blocks, and on a busy
    # machine late): audio later than this is marked missing for good, so it must not be too short
    read_lag_s: float = 1.0
    max_gap_s: float = 0.4
    min_speech_range: float = 2.0  # log-energy spread (p90 - p10) that counts as speech
    min_mouth_std: float = 0.015  # lip opening / eye distance: below this the mouth is still
    tolerance_ms: float = 120.0  # offsets people do not notice (ITU-R BT.1359: about -125..+45 ms)


@dataclass
class MouthTrack:
    t: deque[float]
    opening: deque[float]
    offsets: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)


class AvSyncDetector(TrackedVideoDetector[MouthTrack]):
    id = "av_sync"
    modality = Modality.AV
    models: tuple[str, ...] = ()

    def __init__(self, options: AvSyncOptions | None = None) -> None:
        super().__init__()
        self.options = options or AvSyncOptions()
        # Room for the window, its lags, and audio read ahead of the video (see catch_up).
        self.audio = SpeechEnvelope(keep_s=self.options.window_s + 2 * self.options.max_lag_s + 36.0)
        self._read_audio: Any = None
        self._last_pts = 0.0

    def new_state(self, obs: Any) -> MouthTrack:
        n = int((self.options.window_s + 2.0) * 40)
        return MouthTrack(deque(maxlen=n), deque(maxlen=n))

    def before_frame(self, analysis: FrameAnalysis) -> list[Evidence]:
        self._read_audio = analysis.read_audio
        self._last_pts = analysis.frame.pts
        if analysis.read_audio is not None:
            self.audio.catch_up(analysis.read_audio, analysis.frame.pts, self.options.read_lag_s)
        return []

    def observe(self, state: MouthTrack, obs: Any, analysis: FrameAnalysis) -> None:
        if obs.mesh is not None:
            state.t.append(float(analysis.frame.pts))
            state.opening.append(mouth_opening(obs.mesh))

    def judge(self, state: MouthTrack, now: float) -> Judgement:
        o = self.options
        if self._read_audio is None:
            return Judgement(max(0.0, now - o.window_s), reason=NO_AUDIO)
        if not state.t:
            return Judgement(max(0.0, now - o.window_s), reason=NO_LANDMARKS)
        end = min(now, self.audio.end_t)  # judge only where both lips and voice are known
        t = np.asarray(state.t)
        x = np.asarray(state.opening)
        sel = (t >= end - o.window_s - 1e-6) & (t <= end + 1e-6)
        t, x = t[sel], x[sel]
        start = contiguous_start(t, o.max_gap_s)
        t, x = t[start:], x[start:]
        span = float(t[-1] - t[0]) if len(t) > 1 else 0.0
        t0 = float(t[0]) if len(t) else max(0.0, now - o.window_s)
        if span < o.min_window_s:
            return Judgement(t0, reason=too_short(span, o.min_window_s))
        grid = np.arange(t[0], t[-1], 1.0 / o.grid_hz)
        env, valid = self.audio.on_grid(grid)
        if valid.any() and not valid[-1]:
            # no audio after the last real sample is not a hole: the track ended a moment before the
            # picture (codec padding) or has not arrived yet; judge up to where the voice is known
            last = int(np.flatnonzero(valid)[-1]) + 1
            grid, env, valid = grid[:last], env[:last], valid[:last]
            keep = t <= grid[-1] + 1.0 / o.grid_hz
            t, x = t[keep], x[keep]
            span = float(grid[-1] - grid[0]) if len(grid) > 1 else 0.0
            if span < o.min_window_s:
                return Judgement(t0, reason=AUDIO_MISSING)
        if not valid.all():  # judge only the stretch after the last hole in the audio
            after = grid > grid[np.flatnonzero(~valid)[-1]]
            if after.sum() < o.min_window_s * o.grid_hz:
                return Judgement(t0, reason=AUDIO_MISSING)
            grid, env = grid[after], env[after]
            keep = t >= grid[0] - 1.0 / o.grid_hz
            t, x, t0 = t[keep], x[keep], float(grid[0])
            span = float(grid[-1] - grid[0])
        speech = float(np.percentile(env, 90) - np.percentile(env, 10))
        mouth_std = float(np.std(x))
        base = {"speech_range": speech, "mouth_motion": mouth_std, "window_s": span}
        if speech < o.min_speech_range:
            return Judgement(t0, reason=NO_SPEECH, details=base)
        if mouth_std < o.min_mouth_std:
            return Judgement(t0, reason=MOUTH_STILL, details=base)
        lips = np.interp(grid, t, x)
        offset_ms, peak, zero = best_offset(lips, env, o.grid_hz, o.max_lag_s)
        score, parts = sync_score(offset_ms, peak, o.tolerance_ms)
        # Short windows hold few syllables and can lock onto the wrong one: below a full window
        # the score may reach "elevated" but not "high" on its own.
        cap = 0.6 + (MAX_SCORE - 0.6) * float(np.clip((span - o.min_window_s) / (o.window_s - o.min_window_s), 0, 1))
        score = min(score, cap)
        state.offsets.append(offset_ms)
        state.peaks.append(peak)
        return Judgement(t0, score, details={"offset_ms": offset_ms, "confidence": peak, "corr_at_zero": zero,
                                             **parts, **base})

    def track_details(self, state: MouthTrack) -> dict[str, Any]:
        if not state.offsets:
            return {}
        return {"offset_ms": float(np.median(state.offsets)), "confidence": float(np.median(state.peaks)),
                "windows": len(state.offsets)}

    def result(self) -> DetectorResult:
        if self._read_audio is not None:  # end of a recording: the audio held back can be read now
            self.audio.read_until(self._read_audio, self._last_pts + 0.1)
        return super().result()


LAG_PRIOR = 0.2  # correlation given up at the largest lag: speech rhythm repeats every syllable


def best_offset(lips: np.ndarray, env: np.ndarray, fs: float, max_lag_s: float) -> tuple[float, float, float]:
    """(offset ms, peak correlation, correlation at zero lag); offset > 0: the voice lags the lips.

    Rates of change are compared (mouth opening vs loudness onsets): sharper peaks than the raw
    curves. Syllables repeat every ~200-300 ms, so several lags fit nearly as well; a small
    penalty growing with the lag picks the nearest unless a far one is clearly better.
    """
    lo, hi = 0.5, 6.0  # syllable and mouth-gesture rates; removes drift and fast jitter
    a = np.gradient(bandpass(lips - lips.mean(), fs, lo, hi))
    b = np.gradient(bandpass(env - env.mean(), fs, lo, hi))
    max_lag = int(round(max_lag_s * fs))
    lags, corr = sliding_xcorr(a, b, max_lag)
    if not np.isfinite(corr).any():
        return 0.0, 0.0, 0.0
    ranked = np.where(np.isfinite(corr), corr - LAG_PRIOR * np.abs(lags) / max(max_lag, 1), -np.inf)
    i = int(np.argmax(ranked))
    zero = float(corr[len(lags) // 2]) if np.isfinite(corr[len(lags) // 2]) else 0.0
    return float(lags[i] * 1000.0 / fs), float(corr[i]), zero


def sync_score(offset_ms: float, peak: float, tolerance_ms: float) -> tuple[float, dict[str, float]]:
    """Score from how far the voice is shifted and how weakly lips and voice match."""
    matched = float(logistic(peak, 0.25, 0.08))  # how much the offset estimate can be trusted
    shifted = float(logistic(abs(offset_ms), tolerance_ms + 40.0, 30.0))
    mismatch = float(logistic(-peak, -0.12, 0.05))  # lips and voice barely related
    score = MAX_SCORE * max(shifted * matched, mismatch)
    return score, {"shift_term": shifted * matched, "mismatch_term": mismatch}


def create(models: Any = None) -> AvSyncDetector:
    return AvSyncDetector()
