"""Hand-crafted face-swap cues, each a number a person can read.

(a) `resolution_gap`: how much finer detail the surroundings hold than the inner face. Measured
    as fine-band over mid-band energy (a slope, so it ignores how textured a region is), log of
    inner over outer; live swaps render the face at 128-256 px and paste it into a sharper frame.
(b) `boundary_step`: colour steps along rays from the face centre, at the same radius on many
    rays, inside the outline: where a pasted face's blend edge runs.
(c) `inner_jitter` / `pose_gap` (per track, over time, see TemporalCues): the inner face (eyes,
    nose) moving against the head outline, and yaw read from inner vs outer landmarks disagreeing.
All work on the wide aligned crop of `face_classifier.face_crop` at CUE_CROP px.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from verification.detectors.face_classifier import face_crop

CUE_CROP = 128
_S = CUE_CROP / 96.0
# Face oval in crop coordinates (template layout): centre and half-axes, measured on the shared faces.
_CENTRE = np.array([48.0, 52.0]) * _S
_AXES = np.array([23.0, 30.0]) * _S


def _ellipse_radius(size: int) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    return np.hypot((xs - _CENTRE[0]) / _AXES[0], (ys - _CENTRE[1]) / _AXES[1])


_R = _ellipse_radius(CUE_CROP)
_INNER = _R < 0.7
_OUTER = (_R > 1.15) & (_R < 1.6)
_ANGLES = np.linspace(0, 2 * np.pi, 32, endpoint=False)
_FRACTIONS = np.linspace(0.5, 1.0, 11)


def cue_crop(image_bgr: np.ndarray, landmarks5: np.ndarray) -> np.ndarray:
    return face_crop(image_bgr, landmarks5, CUE_CROP, wide=True)


def resolution_gap(crop_bgr: np.ndarray) -> float:
    """log(fine/mid of surroundings) - log(fine/mid of inner face); ~0 real, > 0 soft pasted face."""
    g = cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    b1 = cv2.GaussianBlur(g, (0, 0), 1.0)
    b2 = cv2.GaussianBlur(g, (0, 0), 2.5)
    fine, mid = np.abs(g - b1), np.abs(b1 - b2)
    inner = (fine[_INNER].mean() + 0.05) / (mid[_INNER].mean() + 0.05)
    outer = (fine[_OUTER].mean() + 0.05) / (mid[_OUTER].mean() + 0.05)
    return float(np.log(outer) - np.log(inner))


def boundary_step(crop_bgr: np.ndarray) -> float:
    """Strongest ring-shaped colour step inside the outline, over the typical step (ratio)."""
    lab = cv2.cvtColor(crop_bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    rx = _CENTRE[0] + np.outer(np.cos(_ANGLES), _FRACTIONS) * _AXES[0]
    ry = _CENTRE[1] + np.outer(np.sin(_ANGLES), _FRACTIONS) * _AXES[1]
    samples = cv2.remap(lab, rx.astype(np.float32), ry.astype(np.float32), cv2.INTER_LINEAR)  # (rays, F, 3)
    steps = np.diff(samples, axis=1)  # along each ray
    # A blend edge is a step at one radius on most rays, with the same colour direction.
    ring = np.linalg.norm(steps.mean(axis=0), axis=-1)  # (F-1,) consistent part
    typical = np.linalg.norm(steps, axis=-1).mean() + 0.5
    return float(ring.max() / typical)


class TemporalCues:
    """Per-track landmark cues over time (c): inner-face jitter and inner/outer yaw disagreement."""

    # Rigid inner points (eye corners, nose) and the outline: MediaPipe mesh indices.
    INNER = (33, 133, 362, 263, 1, 4, 168, 6)
    OUTLINE = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
               148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)

    def __init__(self, keep: int = 90) -> None:
        self._prev: np.ndarray | None = None
        self.jitter: deque[float] = deque(maxlen=keep)
        self.yaw_inner: deque[float] = deque(maxlen=keep)
        self.yaw_outer: deque[float] = deque(maxlen=keep)

    def update(self, mesh: np.ndarray) -> None:
        xy = mesh[:, :2].astype(np.float64)
        eyes = float(np.hypot(*(xy[263] - xy[33])))
        if eyes < 1.0:
            return
        if self._prev is not None:
            # Move last frame's outline onto this one (similarity); what the inner points do
            # beyond that motion is jitter of the inner face against the head.
            src, dst = self._prev[list(self.OUTLINE)], xy[list(self.OUTLINE)]
            m, _ = cv2.estimateAffinePartial2D(src, dst)
            if m is not None:
                moved = self._prev[list(self.INNER)] @ m[:, :2].T + m[:, 2]
                self.jitter.append(float(np.sqrt(np.mean(np.sum((moved - xy[list(self.INNER)]) ** 2, axis=1))) / eyes))
        self._prev = xy
        nose = xy[4, 0]
        self.yaw_inner.append(float((nose - (xy[33, 0] + xy[263, 0]) / 2) / eyes))
        self.yaw_outer.append(float((nose - (xy[234, 0] + xy[454, 0]) / 2) / max(abs(xy[454, 0] - xy[234, 0]), 1.0)))

    def reset_motion(self) -> None:
        self._prev = None

    def inner_jitter(self) -> float:
        """Median inner-face jitter, as a share of the eye distance per frame."""
        return float(np.median(self.jitter)) if self.jitter else float("nan")

    def pose_gap(self) -> float:
        """1 - correlation of yaw from inner and outer landmarks; nan while the head hardly turns."""
        a, b = np.asarray(self.yaw_inner), np.asarray(self.yaw_outer)
        if len(a) < 10 or a.std() < 0.02 or b.std() < 0.01:
            return float("nan")
        return float(1.0 - np.corrcoef(a, b)[0, 1])
