"""Self-warp blends: a real face's inner features moved by a few per cent (a smooth field built
from random shifts of its own mesh points), re-inserted into the unaltered photo.

This makes the traces of geometric face warping (stretched or squeezed texture, resampling
softness, features that no longer line up with the face around them) with the same identity,
so no fake data is needed. The field is a kernel-smoothed interpolation of point shifts, not the
evaluation swaps' piecewise-affine triangulation.
"""

from __future__ import annotations

import cv2
import numpy as np

from mesh_masks import eye_distance, inner_mask
from paste import MODES, paste
from sbi import altered_copy

# Feature groups that move together (a swap's eyes, nose and mouth sit elsewhere than the target's).
LEFT_EYE_BROW = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 33, 133, 159, 145, 7, 163, 144, 153, 154, 155, 246,
                 161, 160, 158, 157, 173)
RIGHT_EYE_BROW = (276, 283, 282, 295, 285, 300, 293, 334, 296, 336, 263, 362, 386, 374, 249, 390, 373, 380, 381,
                  382, 466, 388, 387, 385, 384, 398)
NOSE = (1, 2, 4, 5, 6, 48, 278, 64, 294, 129, 358, 98, 327, 195, 197, 168)
MOUTH = (61, 291, 0, 17, 37, 267, 84, 314, 39, 269, 181, 405, 40, 270, 91, 321, 185, 409, 146, 375, 13, 14)
GROUPS = (LEFT_EYE_BROW, RIGHT_EYE_BROW, NOSE, MOUTH)
GRID = 16  # px between the field's control samples (then smoothly upsampled)


def mesh_shifts(mesh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(468, 2) shifts: a whole-face affine change plus per-feature moves, ~2-8 % of eye distance."""
    xy = mesh[:, :2].astype(np.float32)
    d = eye_distance(mesh)
    c = xy.mean(axis=0)
    a = np.eye(2, dtype=np.float32) + rng.normal(0, 0.04, (2, 2)).astype(np.float32)  # aspect, shear, tilt
    shift = (xy - c) @ a.T + c - xy + rng.normal(0, 0.02 * d, 2).astype(np.float32)
    for group in GROUPS:
        if rng.random() < 0.6:
            g = list(group)
            gc = xy[g].mean(axis=0)
            shift[g] += rng.normal(0, 0.04 * d, 2) + (xy[g] - gc) * rng.normal(0, 0.06)
    return shift


def dense_field(shape: tuple[int, int], mesh: np.ndarray, shift: np.ndarray, d: float) -> np.ndarray:
    """(h, w, 2) displacement: Gaussian-weighted mean of the point shifts, fading to 0 off the face."""
    h, w = shape
    gy, gx = np.mgrid[0:h:GRID, 0:w:GRID].astype(np.float32)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    pts = mesh[:, :2].astype(np.float32)
    sigma = 0.15 * d
    d2 = ((grid[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
    wts = np.exp(-d2 / (2 * sigma * sigma))
    field = (wts @ shift) / (wts.sum(axis=1, keepdims=True) + 1.0)  # +1: no shift far from any point
    field = field.reshape(gx.shape + (2,))
    return cv2.resize(field, (w, h), interpolation=cv2.INTER_CUBIC)


def self_warp(img: np.ndarray, mesh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    field = dense_field((h, w), mesh, mesh_shifts(mesh, rng), eye_distance(mesh))
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    warped = cv2.remap(img, gx + field[..., 0], gy + field[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.4:  # sometimes also the colour/sharpness change of a rendered face
        warped = altered_copy(warped, rng)
    return paste(img, warped, inner_mask((h, w), mesh, rng), str(rng.choice(MODES)))
