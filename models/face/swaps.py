"""Self-made face swaps for evaluation only (never for training):

- `warp_swap`: person A's face warped onto person B's mesh triangle by triangle (piecewise affine
  over a Delaunay triangulation of B's 468 mesh points) and Poisson-blended into B
  (cv2.seamlessClone), like classic landmark face swaps;
- `lowres_swap`: B's own inner face rendered at low resolution and pasted back with a feathered
  mask, like a live swap model working at 64-128 px.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.spatial import Delaunay

# Mesh silhouette (face oval), as in MediaPipe's FACEMESH_FACE_OVAL.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)


def face_mask(shape: tuple[int, int], mesh: np.ndarray, shrink: float = 0.9) -> np.ndarray:
    """uint8 mask of the face oval shrunk towards its centre (swaps keep the outline's edge)."""
    pts = mesh[list(FACE_OVAL), :2]
    c = pts.mean(axis=0)
    poly = np.round(c + shrink * (pts - c)).astype(np.int32)
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [poly], 255)
    return mask


def warp_swap(src: np.ndarray, src_mesh: np.ndarray, dst: np.ndarray, dst_mesh: np.ndarray) -> np.ndarray:
    h, w = dst.shape[:2]
    s, d = src_mesh[:, :2].astype(np.float64), dst_mesh[:, :2].astype(np.float64)
    tri = Delaunay(d)
    ys, xs = np.mgrid[0:h, 0:w]
    pix = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    simplex = tri.find_simplex(pix)
    inside = simplex >= 0
    t = tri.transform[simplex[inside]]  # barycentric transforms of the containing triangles
    b2 = np.einsum("nij,nj->ni", t[:, :2], pix[inside] - t[:, 2])
    bary = np.column_stack([b2, 1 - b2.sum(axis=1)])
    verts = tri.simplices[simplex[inside]]
    mapped = np.einsum("nk,nkj->nj", bary, s[verts])
    map_x = np.full(h * w, -1.0, np.float32)
    map_y = np.full(h * w, -1.0, np.float32)
    map_x[inside], map_y[inside] = mapped[:, 0], mapped[:, 1]
    warped = cv2.remap(src, map_x.reshape(h, w), map_y.reshape(h, w), cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)
    mask = face_mask((h, w), dst_mesh)
    ys_m, xs_m = np.nonzero(mask)
    centre = (int((xs_m.min() + xs_m.max()) / 2), int((ys_m.min() + ys_m.max()) / 2))
    return cv2.seamlessClone(warped, dst, mask, centre, cv2.NORMAL_CLONE)


def lowres_swap(img: np.ndarray, mesh: np.ndarray, face_px: int = 48) -> np.ndarray:
    mask = face_mask(img.shape[:2], mesh, 0.92).astype(np.float32) / 255.0
    mask = cv2.GaussianBlur(mask, (0, 0), 3.0)[..., None]
    pts = mesh[:, :2]
    side = float(np.ptp(pts[:, 0]))
    f = min(face_px / max(side, 1.0), 1.0)
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(int(w * f), 8), max(int(h * f), 8)), interpolation=cv2.INTER_AREA)
    soft = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(mask * soft + (1 - mask) * img, 0, 255).astype(np.uint8)
