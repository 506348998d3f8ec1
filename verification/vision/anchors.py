"""RetinaFace prior boxes and the decoding of its regression outputs into frame geometry.

The model predicts, for every prior (anchor), offsets of the box centre and log-scale size, and
offsets of the 5 landmarks, all relative to the prior and scaled by the training variances.
"""

from __future__ import annotations

import math

import numpy as np

# Feature-map strides and the two square prior sizes at each (pixels of the network input).
STRIDES: tuple[int, ...] = (8, 16, 32)
PRIOR_SIZES: tuple[tuple[int, int], ...] = ((16, 32), (64, 128), (256, 512))
# Encoding variances used in training: centre offsets x0.1, log sizes x0.2.
CENTER_VARIANCE = 0.1
SIZE_VARIANCE = 0.2


def prior_boxes(height: int, width: int) -> np.ndarray:
    """(N, 4) float32 priors as cx, cy, w, h in input pixels, in the model's output order:
    stride by stride, rows then columns of the feature map, then the prior sizes of a cell."""
    parts = []
    for stride, sizes in zip(STRIDES, PRIOR_SIZES):
        ny, nx = math.ceil(height / stride), math.ceil(width / stride)
        ys, xs = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
        centres = (np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32) + 0.5) * stride
        k = len(sizes)
        cell = np.repeat(centres, k, axis=0)
        wh = np.tile(np.repeat(np.asarray(sizes, dtype=np.float32)[:, None], 2, axis=1), (len(centres), 1))
        parts.append(np.hstack([cell, wh]))
    return np.vstack(parts).astype(np.float32)


def decode_boxes(loc: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """(N, 4) offsets -> (N, 4) x0, y0, x1, y1 in input pixels."""
    centre = priors[:, :2] + loc[:, :2] * CENTER_VARIANCE * priors[:, 2:]
    half = 0.5 * priors[:, 2:] * np.exp(loc[:, 2:] * SIZE_VARIANCE)
    return np.hstack([centre - half, centre + half])


def decode_landmarks(offsets: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """(N, 10) offsets -> (N, 5, 2) landmark positions in input pixels."""
    o = offsets.reshape(-1, 5, 2)
    out: np.ndarray = priors[:, None, :2] + o * CENTER_VARIANCE * priors[:, None, 2:]
    return out
