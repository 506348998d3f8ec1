"""Training blend masks from the face mesh: the hull of the inner features (brows, eyes, nose,
mouth, chin), grown by a random margin and bent by a smooth random field, then feathered.

Deliberately not the evaluation's mask (swaps.face_mask: the face-oval silhouette shrunk to
90 %): these follow the features, so the network learns blend traces, not one outline.
"""

from __future__ import annotations

import cv2
import numpy as np

# MediaPipe mesh points of the inner features (brows, eye corners and lids, nose, lips, chin).
INNER = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 276, 283, 282, 295, 285, 300, 293, 334, 296, 336,
         33, 133, 159, 145, 263, 362, 386, 374, 1, 2, 4, 6, 48, 278, 64, 294, 129, 358, 168,
         61, 291, 0, 17, 37, 267, 84, 314, 199, 200, 175, 152)


def eye_distance(mesh: np.ndarray) -> float:
    return float(np.hypot(*(mesh[263, :2] - mesh[33, :2])))


def bend(mask: np.ndarray, rng: np.random.Generator, px: tuple[float, float] = (2.0, 6.0)) -> np.ndarray:
    """A smooth random displacement field (a few px) bends the mask's outline."""
    h, w = mask.shape
    coarse = rng.normal(0, 1, (6, 6, 2)).astype(np.float32) * rng.uniform(*px)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(mask, gx + field[..., 0], gy + field[..., 1], cv2.INTER_LINEAR)


def inner_mask(shape: tuple[int, int], mesh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """float32 0..1 soft mask: inner-feature hull, grown 5-40 % of the eye distance, bent, blurred."""
    pts = mesh[list(INNER), :2]
    hull = cv2.convexHull(np.round(pts).astype(np.int32))
    mask = np.zeros(shape, np.float32)
    cv2.fillConvexPoly(mask, hull, 1.0)
    grow = int(round(eye_distance(mesh) * rng.uniform(0.05, 0.4)))
    if grow > 0:  # round-cornered growth; a distance transform is cheaper than a large dilation
        dist = cv2.distanceTransform((mask == 0).astype(np.uint8), cv2.DIST_L2, 3)
        mask = (dist <= grow).astype(np.float32)
    mask = bend(mask, rng)
    k = int(rng.integers(1, 10)) * 2 + 1
    return cv2.GaussianBlur(mask, (k, k), 0)
