"""Mesh-fitted cross-identity blends among *training* identities: another training person's face,
placed by a similarity transform and then bent by a smooth field so that its mesh points land on
the target's, colour-matched and pasted inside a feature-hull mask.

Plain cross blends (cross_blend.py) leave the donor's features where the similarity puts them, so
a network can learn "features that do not fit the outline". Swap tools render the donor identity
in the target's geometry; here the only difference left is texture, shading and identity. The
field is a Gaussian-kernel interpolation of the point offsets (self_warp.dense_field), the mask
follows the inner features: the evaluation swaps (swaps.warp_swap: per-triangle affine warp,
face-oval mask, test identities only) are a relative of this kind, not a copy of it.
"""

from __future__ import annotations

import cv2
import numpy as np

from cross_blend import colour_transfer
from mesh_masks import eye_distance, inner_mask
from paste import MODES, paste
from sbi import altered_copy
from self_warp import dense_field


def fitted_cross(dst: np.ndarray, dst_mesh: np.ndarray, src: np.ndarray, src_mesh: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    h, w = dst.shape[:2]
    s = src_mesh[:, :2].astype(np.float32)
    d = dst_mesh[:, :2].astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(s, d, method=cv2.LMEDS)
    if m is None:
        return dst
    placed = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    s_placed = (s @ m[:, :2].T + m[:, 2]).astype(np.float32)
    # Backward map: a target pixel near mesh point i reads the placed donor near its point i.
    field = dense_field((h, w), dst_mesh, s_placed - d, eye_distance(dst_mesh))
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    fitted = cv2.remap(placed, gx + field[..., 0], gy + field[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)
    mask = inner_mask((h, w), dst_mesh, rng)
    if rng.random() < 0.85:
        fitted = colour_transfer(fitted, dst, mask, rng.uniform(0.5, 1.0))
    if rng.random() < 0.3:  # sometimes also the softness/colour of a rendered face
        fitted = altered_copy(fitted, rng)
    return paste(dst, fitted, mask, str(rng.choice(MODES)))
