"""Skin regions chosen by face-mesh landmarks, and their mean colours per frame (for rPPG).

Indices are MediaPipe face-mesh vertices; "left"/"right" are image sides, as in
`verification.vision.types`. The regions avoid eyes, brows, nostrils and lips, whose motion and
colour would swamp the ~0.1 % skin colour change a heartbeat makes.
"""

from __future__ import annotations

import cv2
import numpy as np

FOREHEAD = (67, 109, 10, 338, 297, 336, 9, 107)
LEFT_CHEEK = (117, 118, 119, 100, 142, 203, 206, 207, 187, 147, 123, 116)
RIGHT_CHEEK = (346, 347, 348, 329, 371, 423, 426, 427, 411, 376, 352, 345)
REGIONS: tuple[tuple[int, ...], ...] = (FOREHEAD, LEFT_CHEEK, RIGHT_CHEEK)
REGION_NAMES = ("forehead", "left_cheek", "right_cheek")
MIN_REGION_PX = 24  # fewer skin pixels than this and a region's mean is mostly noise


def polygon_mean_rgb(image_bgr: np.ndarray, polygon: np.ndarray) -> tuple[np.ndarray, int]:
    """Mean RGB inside a polygon (N, 2) frame px, and the number of pixels it covers."""
    h, w = image_bgr.shape[:2]
    pts = np.round(polygon).astype(np.int32)
    x0, y0 = np.clip(pts.min(axis=0), 0, [w - 1, h - 1])
    x1, y1 = np.clip(pts.max(axis=0) + 1, 1, [w, h])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.zeros(3), 0
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [pts - np.array([x0, y0], np.int32)], 1)
    count = int(cv2.countNonZero(mask))
    if count == 0:
        return np.zeros(3), 0
    b, g, r, _ = cv2.mean(image_bgr[y0:y1, x0:x1], mask=mask)
    return np.array([r, g, b]), count


def region_means(image_bgr: np.ndarray, mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean RGB of forehead and both cheeks: ((3, 3), pixel counts (3,))."""
    xy = mesh[:, :2]
    out = np.zeros((len(REGIONS), 3))
    counts = np.zeros(len(REGIONS), dtype=np.int64)
    for k, idx in enumerate(REGIONS):
        out[k], counts[k] = polygon_mean_rgb(image_bgr, xy[list(idx)])
    return out, counts


def grid_means(image_bgr: np.ndarray, grid: int = 4) -> np.ndarray:
    """Mean RGB of a grid x grid tiling of the whole frame: (grid * grid, 3).

    Close-up skin videos have no face to place regions with; tiles let spectra from the calmer
    parts of the frame outvote the tiles where an edge or a hair drifts through.
    """
    h, w = image_bgr.shape[:2]
    hh, ww = h // grid * grid, w // grid * grid
    tiles = image_bgr[:hh, :ww].reshape(grid, hh // grid, grid, ww // grid, 3).mean(axis=(1, 3))
    return tiles.reshape(-1, 3)[:, ::-1].astype(np.float64)
