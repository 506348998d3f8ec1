"""Cross-identity blends among *training* identities: another training person's face, placed by a
similarity (or affine) transform fitted on the two meshes, colour-matched to the target skin
(Reinhard mean/std transfer in Lab) and pasted inside a feature-hull mask.

The inner face then has another person's texture, shading and features while the outline, hair
and background stay the target's: the identity/texture mismatch of a swap. It is a different
mechanism from the evaluation swaps (swaps.warp_swap: per-triangle warp onto the target's mesh,
face-oval mask), whose identities are never used here.
"""

from __future__ import annotations

import cv2
import numpy as np

from mesh_masks import INNER, inner_mask
from paste import MODES, paste
from sbi import altered_copy


def face_hull(shape: tuple[int, int], mesh: np.ndarray) -> np.ndarray:
    pts = mesh[:, :2]
    c = pts.mean(axis=0)
    hull = cv2.convexHull(np.round(c + 0.92 * (pts - c)).astype(np.int32))
    mask = np.zeros(shape, np.float32)
    cv2.fillConvexPoly(mask, hull, 1.0)
    return cv2.GaussianBlur(mask, (7, 7), 0)


def align(src_mesh: np.ndarray, dst_mesh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """2x3 transform taking the donor's inner features onto the target's (least squares)."""
    s = src_mesh[list(INNER), :2].astype(np.float32)
    d = dst_mesh[list(INNER), :2].astype(np.float32)
    if rng.random() < 0.5:
        m, _ = cv2.estimateAffinePartial2D(s, d, method=cv2.LMEDS)
    else:
        m, _ = cv2.estimateAffine2D(s, d, method=cv2.LMEDS)
    return m


def colour_transfer(src: np.ndarray, dst: np.ndarray, mask: np.ndarray, strength: float) -> np.ndarray:
    """src's Lab mean/std inside mask moved towards dst's by `strength` (0: none, 1: full)."""
    sel = mask > 0.5
    if sel.sum() < 50:
        return src
    a = cv2.cvtColor(np.clip(src, 0, 255).astype(np.uint8), cv2.COLOR_BGR2LAB).astype(np.float32)
    b = cv2.cvtColor(dst, cv2.COLOR_BGR2LAB).astype(np.float32)
    ma, sa = a[sel].mean(axis=0), a[sel].std(axis=0) + 1e-3
    mb, sb = b[sel].mean(axis=0), b[sel].std(axis=0) + 1e-3
    moved = (a - ma) * (sb / sa) + mb
    out = (1 - strength) * a + strength * moved
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)


def cross_blend(dst: np.ndarray, dst_mesh: np.ndarray, src: np.ndarray, src_mesh: np.ndarray,
                rng: np.random.Generator) -> np.ndarray:
    h, w = dst.shape[:2]
    m = align(src_mesh, dst_mesh, rng)
    if m is None:
        return dst
    placed = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # Only where the donor has face: its mesh hull, shrunk a little, carried by the same transform.
    donor_face = cv2.warpAffine(face_hull(src.shape[:2], src_mesh), m, (w, h))
    mask = np.minimum(inner_mask((h, w), dst_mesh, rng), donor_face)
    if rng.random() < 0.85:
        placed = colour_transfer(placed, dst, mask, rng.uniform(0.5, 1.0))
    if rng.random() < 0.3:  # sometimes also the softness/colour of a rendered face
        placed = altered_copy(placed, rng)
    return paste(dst, placed, mask, str(rng.choice(MODES)))
