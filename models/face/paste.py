"""Putting a training "source" face into its target picture: feathered alpha, or Poisson
(seamlessClone) in NORMAL or MIXED mode, so colours match at the edge as swap tools make them."""

from __future__ import annotations

import cv2
import numpy as np

MODES = ("alpha", "normal", "mixed")


def paste(dst: np.ndarray, src: np.ndarray, soft: np.ndarray, mode: str) -> np.ndarray:
    """dst, src: uint8/float BGR of one size; soft: float 0..1 mask. Poisson falls back to alpha
    when the mask touches the border (seamlessClone needs a margin)."""
    src8 = np.clip(src, 0, 255).astype(np.uint8)
    if mode != "alpha":
        hard = (soft > 0.5).astype(np.uint8) * 255
        ys, xs = np.nonzero(hard)
        h, w = hard.shape
        if len(xs) and xs.min() > 1 and ys.min() > 1 and xs.max() < w - 2 and ys.max() < h - 2:
            # seamlessClone puts the mask's bounding box at centre - size // 2: this keeps it in place
            centre = (int(xs.min() + (xs.max() - xs.min() + 1) // 2), int(ys.min() + (ys.max() - ys.min() + 1) // 2))
            flag = cv2.NORMAL_CLONE if mode == "normal" else cv2.MIXED_CLONE
            return cv2.seamlessClone(src8, dst, hard, centre, flag)
    m = soft[..., None]
    return np.clip(m * src8 + (1 - m) * dst.astype(np.float32), 0, 255).astype(np.uint8)
