"""`replay`: frozen video, a looped clip played back, or a face shown on a screen.

Per face track, each analysed frame leaves a small signature: a 16 x 16 grey thumbnail of the
landmark-aligned face (raw, for freezes; zero-mean unit-variance, for loops).
- Frozen: consecutive thumbnails (nearly) identical for seconds. A stalled stream does this too,
  so a freeze alone only raises the score to "elevated".
- Looped: a run of consecutive frames each matching a frame from earlier at the *same* lag, while
  the face moves: a person repeats poses, never a second of motion frame for frame.
- Screen: moire (isolated spectral peaks in the face texture from the display's pixel grid) and
  flicker (a strong periodic luminance line faster than any pulse), both weak cues, capped low.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from verification.detectors.base import FrameAnalysis
from verification.detectors.evidence import Modality
from verification.detectors.face_classifier import face_crop, landmarks_usable
from verification.detectors.screen_cues import FLICKER_MIN_HZ, flicker_snr_db, moire_score
from verification.detectors.signal_tools import logistic
from verification.detectors.video_common import Judgement, TrackedVideoDetector, too_short

THUMB = 16


@dataclass(frozen=True)
class ReplayOptions:
    history_s: float = 60.0
    window_s: float = 10.0
    min_window_s: float = 2.0
    frozen_diff: float = 0.6  # mean abs grey difference (0-255) of 16 px thumbnails: no change
    loop_dist: float = 0.1  # mean abs difference (normalised thumbnails) from the nearest replayed frame
    min_loop_lag_s: float = 1.0
    moving_dist: float = 0.05  # mean change between frames of a repeated run that counts as motion
    loop_run_s: float = 1.5  # seconds of frame-for-frame repetition that count as a loop


class SignatureRing:
    """Fixed-size ring of frame signatures and their times (no per-frame list-to-array copies)."""

    def __init__(self, size: int, dim: int) -> None:
        self.sig = np.zeros((size, dim), np.float32)
        self.t = np.zeros(size)
        self.count = 0
        self._next = 0

    def add(self, sig: np.ndarray, t: float) -> None:
        self.sig[self._next], self.t[self._next] = sig, t
        self._next = (self._next + 1) % len(self.t)
        self.count = min(self.count + 1, len(self.t))

    def newest_first(self) -> tuple[np.ndarray, np.ndarray]:
        order = (self._next - 1 - np.arange(self.count)) % len(self.t)
        return self.sig[order], self.t[order]


@dataclass
class ReplayTrack:
    t: deque[float]
    ring: SignatureRing
    luma: deque[float]
    last_raw: np.ndarray | None = None
    frozen_since: float | None = None
    runs: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per lag: frames matched in a row
    run_motion: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per lag: face change in that run
    longest_loop_s: float = 0.0
    loop_lag_s: float = 0.0
    moire: deque[float] = field(default_factory=lambda: deque(maxlen=64))
    frame_index: int = 0
    last: dict[str, Any] = field(default_factory=dict)


def face_thumb(image_bgr: np.ndarray, landmarks5: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """16 x 16 grey thumbnail and 64 x 64 grey patch of the face, aligned on its 5 landmarks
    (for comparing a face with itself: head motion is taken out)."""
    patch = cv2.cvtColor(face_crop(image_bgr, landmarks5, 64, wide=True), cv2.COLOR_BGR2GRAY)
    thumb = cv2.resize(patch, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)
    return thumb, patch


def region_thumb(image_bgr: np.ndarray, obs: Any) -> np.ndarray:
    """16 x 16 grey thumbnail of the frame around the face, head motion included (for loops).

    The region is the mesh's extent when there is a mesh: detection frames place boxes
    differently, and that jump alone would look like the picture changing.
    """
    if obs.mesh is not None:
        lo, hi = obs.mesh[:, :2].min(axis=0), obs.mesh[:, :2].max(axis=0)
    else:
        lo, hi = np.asarray(obs.box[:2], dtype=np.float64), np.asarray(obs.box[2:], dtype=np.float64)
    h, w = image_bgr.shape[:2]
    x0, y0 = np.clip(np.floor(lo).astype(int), 0, [w - 2, h - 2])
    x1, y1 = np.clip(np.ceil(hi).astype(int), [x0 + 2, y0 + 2], [w, h])
    grey = cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)


class ReplayDetector(TrackedVideoDetector[ReplayTrack]):
    id = "replay"
    modality = Modality.VIDEO
    models: tuple[str, ...] = ()

    def __init__(self, options: ReplayOptions | None = None) -> None:
        super().__init__()
        self.options = options or ReplayOptions()

    def new_state(self, obs: Any) -> ReplayTrack:
        n = int(self.options.history_s * 30)
        return ReplayTrack(deque(maxlen=n), SignatureRing(n, THUMB * THUMB), deque(maxlen=n))

    def observe(self, state: ReplayTrack, obs: Any, analysis: FrameAnalysis) -> None:
        o = self.options
        now = float(analysis.frame.pts)
        flat = region_thumb(analysis.frame.image, obs).reshape(-1)
        norm = (flat - flat.mean()) / max(float(flat.std()), 1.0)
        if state.last_raw is not None:
            still = float(np.mean(np.abs(flat - state.last_raw))) < o.frozen_diff
            state.frozen_since = (state.frozen_since if state.frozen_since is not None else state.t[-1]) if still else None
            self._follow_loop(state, norm, now)
        state.t.append(now)
        state.last_raw = flat
        state.ring.add(norm, now)
        state.luma.append(float(flat[:6 * THUMB].mean()))  # forehead and eyes: the mouth moves at syllable rate
        if state.frame_index % 5 == 0 and landmarks_usable(obs.landmarks5):  # texture changes slowly
            state.moire.append(moire_score(face_thumb(analysis.frame.image, obs.landmarks5)[1]))
        state.frame_index += 1

    def _follow_loop(self, state: ReplayTrack, norm: np.ndarray, now: float) -> None:
        """Per lag (frames back), the run of consecutive frames matching the frame that far back.

        A played-back clip matches itself at one lag frame after frame; a person at most now and
        then. Runs of a still face are not counted: the face must move within the run.
        """
        o = self.options
        hist, times = state.ring.newest_first()  # row k is lag k + 1
        # Distance to the segment between each stored frame and the one before it: a replay is
        # sampled at another phase (a frame 20-40 ms off), which lies between two stored frames.
        older = np.concatenate([hist[1:], hist[-1:]])
        step = hist - older
        alpha = np.clip(((norm[None, :] - older) * step).sum(axis=1) / np.maximum((step * step).sum(axis=1), 1e-6),
                        0.0, 1.0)
        dist = np.mean(np.abs(norm[None, :] - older - alpha[:, None] * step), axis=1)
        ages = now - times
        match = (dist < o.loop_dist) & (ages >= o.min_loop_lag_s)
        change = float(np.mean(np.abs(norm - hist[0])))
        n = len(match)
        prev = np.zeros(n + 2)
        prev[1:len(state.runs) + 1] = state.runs[:n]
        prev_motion = np.zeros(n + 2)
        prev_motion[1:len(state.run_motion) + 1] = state.run_motion[:n]
        # The analysed rate jitters: a run may continue from the neighbouring lag.
        best = np.argmax(np.stack([prev[0:n], prev[1:n + 1], prev[2:n + 2]]), axis=0)
        idx = np.arange(n) + best
        state.runs = np.where(match, prev[idx] + 1, 0.0)
        state.run_motion = np.where(match, prev_motion[idx] + change, 0.0)
        fps = max((len(state.t) - 1) / max(state.t[-1] - state.t[0], 1e-6), 1.0)
        moving = state.run_motion > o.moving_dist * state.runs  # mean change per frame in the run
        if (state.runs * moving).max(initial=0.0) > 0:
            k = int(np.argmax(state.runs * moving))
            run_s = float(state.runs[k]) / fps
            if run_s > state.longest_loop_s:
                state.longest_loop_s = run_s
                state.loop_lag_s = float(ages[k])

    def judge(self, state: ReplayTrack, now: float) -> Judgement:
        o = self.options
        t = np.asarray(state.t)
        if not len(t):
            return Judgement(max(0.0, now - o.window_s), reason=too_short(0.0, o.min_window_s))
        sel = t >= now - o.window_s
        span = float(now - t[sel][0]) if sel.any() else 0.0
        t0 = float(t[sel][0]) if sel.any() else now
        if span < o.min_window_s:
            return Judgement(t0, reason=too_short(span, o.min_window_s))
        frozen_s = now - state.frozen_since if state.frozen_since is not None else 0.0
        luma = np.asarray(state.luma)[sel]
        fps = (sel.sum() - 1) / max(span, 1e-6)
        flicker = flicker_snr_db(luma, fps) if fps >= 2 * FLICKER_MIN_HZ + 1 else float("nan")
        moire = float(np.median(state.moire)) if state.moire else float("nan")
        frozen_term = 0.6 * float(logistic(frozen_s, 3.0, 1.0))
        loop_term = 0.95 * float(logistic(state.longest_loop_s, o.loop_run_s, 0.3))
        # Screen cues are weak on compressed video (codec blocks make peaks too): capped low.
        screen_term = 0.35 * max(float(logistic(moire, 34.0, 2.0)) if np.isfinite(moire) else 0.0,
                                 float(logistic(flicker, 15.0, 2.0)) if np.isfinite(flicker) and span >= 6.0 else 0.0)
        details = {"frozen_s": frozen_s, "longest_loop_s": state.longest_loop_s, "loop_lag_s": state.loop_lag_s,
                   "moire": moire, "flicker_snr_db": flicker, "frozen_term": frozen_term, "loop_term": loop_term,
                   "screen_term": screen_term, "window_s": span}
        state.last = details
        return Judgement(t0, max(frozen_term, loop_term, screen_term), details=details)

    def track_details(self, state: ReplayTrack) -> dict[str, Any]:
        keys = ("frozen_s", "longest_loop_s", "loop_lag_s", "moire", "flicker_snr_db")
        return {k: state.last[k] for k in keys if k in state.last}

    def aggregate(self, scores: list[float]) -> float:
        # A loop or freeze shows in some windows only; the call-level score is the strongest.
        return float(np.max(scores))


def create(models: Any = None) -> ReplayDetector:
    return ReplayDetector()
