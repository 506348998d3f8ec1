"""`blink`: are blink rate, duration and timing those of a person?

Per face track: eye aspect ratio (EAR, Soukupova & Cech 2016) from the mesh eyelids and how much
dark iris the lids uncover in an eye-aligned patch. Openness is normalised by the track's
own open-eye level, so narrow eyes and small faces need no tuning. A blink is a dip below
`closed_ratio` of that level. Over the last minute: blinks per minute, their duration and the
regularity of the gaps. A long stretch without any blink, or blinks at machine-regular
intervals, raise the score; a person may do either now and then, so the score stops at
"elevated".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from verification.detectors.base import FrameAnalysis
from verification.detectors.evidence import Modality
from verification.detectors.signal_tools import logistic
from verification.detectors.video_common import NO_LANDMARKS, Judgement, TrackedVideoDetector, contiguous_start, too_short

# Mesh eyelid points per eye: corner, upper x2, corner, lower x2 (image-left eye, image-right eye).
EYE_POINTS = ((33, 160, 158, 133, 153, 144), (362, 385, 387, 263, 373, 380))
HEAD_TURNED = "head turned too far to see both eyes"
MAX_SCORE = 0.6


EYE_CORNERS = ((33, 133), (362, 263))
_PATCH_W, _PATCH_H = 24, 16


def eye_aspect_ratio(mesh: np.ndarray) -> float:
    """Mean EAR of both eyes from the mesh eyelids (about 0.25-0.3 open, under 0.15 closed)."""
    p = mesh[np.asarray(EYE_POINTS), :2].astype(np.float64)  # (2 eyes, 6, 2)
    vertical = (np.linalg.norm(p[:, 1] - p[:, 5], axis=1) + np.linalg.norm(p[:, 2] - p[:, 4], axis=1)) / 2.0
    width = np.maximum(np.linalg.norm(p[:, 0] - p[:, 3], axis=1), 1e-6)
    return float(np.mean(vertical / width))


def iris_visibility(image_bgr: np.ndarray, mesh: np.ndarray) -> float:
    """Share of rows of an eye-aligned patch that hold dark iris/pupil pixels (about 0.5 open).

    The mesh's eyelids follow a closing eye only partly; the pixels do not lie: a closed lid is
    skin with at most a thin lash line, an open eye shows a tall dark iris.
    """
    rows = []
    for a, b in EYE_CORNERS:
        p0, p1 = mesh[a, :2].astype(np.float64), mesh[b, :2].astype(np.float64)
        centre, d = (p0 + p1) / 2.0, p1 - p0
        width = max(float(np.hypot(*d)), 1e-6)
        k = _PATCH_W / (1.2 * width)
        c, s = d / width * k
        m = np.array([[c, s, _PATCH_W / 2 - c * centre[0] - s * centre[1]],
                      [-s, c, _PATCH_H / 2 + s * centre[0] - c * centre[1]]])
        patch = cv2.warpAffine(image_bgr, m, (_PATCH_W, _PATCH_H), flags=cv2.INTER_AREA)
        grey = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY).astype(np.float32)
        ref, low = float(np.median(grey)), float(np.percentile(grey, 5))
        if ref - low < 8.0:  # flat patch: no iris to see
            rows.append(0.0)
            continue
        dark = grey < ref - 0.5 * (ref - low)
        rows.append(float((dark.mean(axis=1) > 0.12).mean()))
    return float(np.mean(rows))


def eye_openness(image_bgr: np.ndarray, mesh: np.ndarray) -> float:
    """About 1 for open eyes, well under 0.65 when closed: EAR and iris visibility, each scaled to ~1."""
    return 0.35 * eye_aspect_ratio(mesh) / 0.27 + 0.65 * iris_visibility(image_bgr, mesh) / 0.5


@dataclass(frozen=True)
class BlinkOptions:
    window_s: float = 60.0
    min_window_s: float = 20.0
    closed_ratio: float = 0.65  # openness below this share of the open level counts as closed
    max_gap_s: float = 1.0
    max_yaw_deg: float = 35.0


@dataclass(frozen=True)
class BlinkStats:
    count: int
    rate_per_min: float
    mean_duration_ms: float
    interval_cv: float  # coefficient of variation of the gaps between blinks (nan under 4 gaps)
    longest_gap_s: float


def find_blinks(t: np.ndarray, openness: np.ndarray, closed_ratio: float) -> tuple[np.ndarray, np.ndarray]:
    """Blink onsets and durations (s) in an openness series, relative to its open level."""
    if len(t) < 3:
        return np.zeros(0), np.zeros(0)
    level = float(np.percentile(openness, 85))
    closed = openness < closed_ratio * max(level, 1e-6)
    edges = np.diff(np.concatenate([[0], closed.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    whole = (starts > 0) & (ends < len(closed))  # closures cut by the window edge are not judged
    starts, ends = starts[whole], ends[whole]
    frame_dt = float(np.median(np.diff(t)))
    # Duration: closed frames times the frame period (a 1-frame blink at 15 fps ~ 67 ms).
    return t[starts], (ends - starts) * frame_dt


def blink_stats(t: np.ndarray, onsets: np.ndarray, durations: np.ndarray) -> BlinkStats:
    span = max(float(t[-1] - t[0]), 1e-6)
    marks = np.concatenate([[t[0]], onsets, [t[-1]]])
    gaps = np.diff(onsets)
    cv = float(gaps.std() / gaps.mean()) if len(gaps) >= 4 and gaps.mean() > 0 else float("nan")
    return BlinkStats(len(onsets), 60.0 * len(onsets) / span,
                      float(durations.mean() * 1000.0) if len(durations) else float("nan"), cv,
                      float(np.diff(marks).max()))


def blink_score(stats: BlinkStats) -> tuple[float, dict[str, float]]:
    """No blink for a long stretch or metronome-like blinking -> up to MAX_SCORE."""
    no_blink = float(logistic(stats.longest_gap_s, 45.0, 10.0))  # people blink every 2-10 s, rarely > 30 s
    regular = float(logistic(-stats.interval_cv, -0.15, 0.05)) if np.isfinite(stats.interval_cv) else 0.0
    frantic = float(logistic(stats.rate_per_min, 60.0, 10.0))  # eye flicker of a bad swap
    return MAX_SCORE * max(no_blink, regular, frantic), {"no_blink_term": no_blink, "regular_term": regular,
                                                          "frantic_term": frantic}


@dataclass
class BlinkTrack:
    t: deque[float]
    openness: deque[float]
    last: dict[str, Any] = field(default_factory=dict)
    turned_at: float = float("-inf")  # last time the head was turned too far


class BlinkDetector(TrackedVideoDetector[BlinkTrack]):
    id = "blink"
    modality = Modality.VIDEO
    models: tuple[str, ...] = ()
    hop_s = 2.0

    def __init__(self, options: BlinkOptions | None = None) -> None:
        super().__init__()
        self.options = options or BlinkOptions()

    def new_state(self, obs: Any) -> BlinkTrack:
        n = int(self.options.window_s * 40)
        return BlinkTrack(deque(maxlen=n), deque(maxlen=n))

    def observe(self, state: BlinkTrack, obs: Any, analysis: FrameAnalysis) -> None:
        if obs.mesh is None:
            return
        pose = obs.head_pose
        if pose is not None and abs(pose.yaw) > self.options.max_yaw_deg:
            state.turned_at = float(analysis.frame.pts)
            return  # the far eye is hidden: its EAR would read as a blink
        state.t.append(float(analysis.frame.pts))
        state.openness.append(eye_openness(analysis.frame.image, obs.mesh))

    def judge(self, state: BlinkTrack, now: float) -> Judgement:
        o = self.options
        if not state.t or now - state.t[-1] > o.max_gap_s:
            turned = now - state.turned_at <= o.max_gap_s
            return Judgement(max(0.0, now - self.hop_s), reason=HEAD_TURNED if turned else NO_LANDMARKS)
        t = np.asarray(state.t)
        x = np.asarray(state.openness)
        keep = t >= now - o.window_s - 1e-6
        t, x = t[keep], x[keep]
        start = contiguous_start(t, o.max_gap_s)
        t, x = t[start:], x[start:]
        span = float(t[-1] - t[0]) if len(t) else 0.0
        t0 = float(t[0]) if len(t) else now
        if span < o.min_window_s:
            return Judgement(t0, reason=too_short(span, o.min_window_s))
        onsets, durations = find_blinks(t, x, o.closed_ratio)
        stats = blink_stats(t, onsets, durations)
        score, parts = blink_score(stats)
        details = {"blinks": stats.count, "blink_rate_per_min": stats.rate_per_min,
                   "mean_blink_ms": stats.mean_duration_ms, "interval_cv": stats.interval_cv,
                   "longest_without_blink_s": stats.longest_gap_s, "window_s": span,
                   "open_level": float(np.percentile(x, 85)), **parts}
        state.last = details
        return Judgement(t0, score, details=details)

    def aggregate(self, scores: list[float]) -> float:
        # A long stare shows only in the windows that span it: the upper fifth speaks for the call.
        return float(np.percentile(scores, 80))

    def track_details(self, state: BlinkTrack) -> dict[str, Any]:
        keys = ("blinks", "blink_rate_per_min", "mean_blink_ms", "interval_cv", "longest_without_blink_s")
        return {k: state.last[k] for k in keys if k in state.last}


def create(models: Any = None) -> BlinkDetector:
    return BlinkDetector()
