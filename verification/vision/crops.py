"""Similarity transforms and the crops they cut: the one geometry shared by mesh, iris and detectors.

An affine 2x3 matrix `M` maps frame pixels to crop pixels (`crop = M @ [x, y, 1]`); cv2.warpAffine
takes it as is, and `invert_affine` maps model outputs back to the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike

# Canonical 5-point layout for a 112x112 aligned face (eyes, nose tip, mouth corners): the common
# recognition-crop convention, so a crop from `aligned_face_crop` suits off-the-shelf classifiers.
ALIGNED_TEMPLATE_112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)
ALIGNED_TEMPLATE_112.setflags(write=False)  # shared constant: read-only


def similarity_from_points(src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) taking `src` onto `dst`.

    Closed form: with centred points, a + ib = sum(conj(s) * d) / sum(|s|^2) in complex notation.
    Returns a 2x3 float64 matrix. Reflections are excluded on purpose (a face is never mirrored).
    """
    s = np.asarray(src, dtype=np.float64).reshape(-1, 2)
    d = np.asarray(dst, dtype=np.float64).reshape(-1, 2)
    w = np.ones(len(s)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    s_mean = w @ s
    d_mean = w @ d
    sc = s - s_mean
    dc = d - d_mean
    denom = float(w @ (sc * sc).sum(axis=1))
    if denom <= 1e-12:
        raise ValueError("similarity needs at least two distinct source points")
    a = float(w @ (sc[:, 0] * dc[:, 0] + sc[:, 1] * dc[:, 1])) / denom
    b = float(w @ (sc[:, 0] * dc[:, 1] - sc[:, 1] * dc[:, 0])) / denom
    rot = np.array([[a, -b], [b, a]])
    t = d_mean - rot @ s_mean
    return np.hstack([rot, t[:, None]])


def roi_matrix(center: np.ndarray, side: float, angle: float, out_size: int) -> np.ndarray:
    """Frame->crop matrix for a square of `side` px centred at `center`, rotated by `angle` radians
    (the crop's x axis points along `angle` in the frame), resampled to `out_size` px."""
    k = out_size / side
    c, s = np.cos(angle) * k, np.sin(angle) * k
    cx, cy = float(center[0]), float(center[1])
    half = out_size / 2.0
    return np.array([[c, s, half - c * cx - s * cy], [-s, c, half + s * cx - c * cy]])


@dataclass(frozen=True, slots=True)
class SquareRoi:
    """A rotated square region of the frame: what the landmark models are fed."""

    center: np.ndarray  # (2,) frame px
    side: float  # frame px
    angle: float  # radians; the direction of the crop's x axis in the frame

    def matrix(self, out_size: int) -> np.ndarray:
        return roi_matrix(self.center, self.side, self.angle, out_size)

    @staticmethod
    def from_unit_similarity(m: np.ndarray) -> SquareRoi:
        """The ROI whose unit square ([0, 1]^2 crop coordinates) is the image of `m` (frame->unit)."""
        a, b = float(m[0, 0]), float(m[1, 0])
        scale = float(np.hypot(a, b))
        if scale <= 0:
            raise ValueError("degenerate similarity")
        center = apply_affine(invert_affine(m), np.array([0.5, 0.5]))
        # m's rotation is R(-angle): m[1, 0] = -sin(angle) * scale.
        return SquareRoi(center=center, side=1.0 / scale, angle=float(np.arctan2(-b, a)))


def invert_affine(m: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(np.asarray(m, dtype=np.float64))


def apply_affine(m: np.ndarray, points: ArrayLike) -> np.ndarray:
    """Map (..., 2) points through a 2x3 matrix."""
    pts = np.asarray(points, dtype=np.float64)
    out: np.ndarray = pts @ m[:, :2].T + m[:, 2]
    return out


def affine_scale(m: np.ndarray) -> float:
    """Uniform scale of a similarity matrix (crop px per frame px)."""
    return float(np.sqrt(abs(np.linalg.det(m[:, :2]))))


def warp(image: np.ndarray, m: np.ndarray, size: int) -> np.ndarray:
    # Constant black border: parts of the ROI outside the frame are what the models saw in training.
    return cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)


def aligned_face_crop(image: np.ndarray, landmarks5: np.ndarray, size: int = 112) -> tuple[np.ndarray, np.ndarray]:
    """Upright face crop of `size` px with the 5 landmarks on the canonical layout.

    Returns (crop, frame->crop matrix). Used by detectors that classify faces.
    """
    m = similarity_from_points(landmarks5, ALIGNED_TEMPLATE_112 * (size / 112.0))
    return warp(image, m, size), m
