"""How blocky a picture region is: the codec's 8x8 block grid showing through.

Block codecs (JPEG, MPEG, H.26x at low bit rates) quantise each 8x8 block on its own, so pixel
steps across block edges grow against steps inside blocks. The ratio of the two is about 1.0-1.2
for clean or lightly compressed video and passes 2 around JPEG quality 20, where a face's own
fine detail, and with it the traces a swap leaves, is gone. The grid is the frame's, so the
region is measured at its place in the frame; a rescaled picture has no grid and reads as clean.
H.264 and VP8/9 smooth block edges in their loop filter: their heavy compression shows as blur,
which this does not measure.
"""

from __future__ import annotations

import numpy as np

BLOCK = 8
HEAVY = 2.2  # about JPEG quality 20 on faces (GRID's MPEG-1 reads 1.17-1.21)
MIN_SIDE = 4 * BLOCK


def blockiness(gray: np.ndarray, x0: int = 0, y0: int = 0) -> float:
    """Mean step across block edges over mean step inside blocks, for a region whose top-left
    pixel sits at (x0, y0) in the frame; nan when the region is too small or flat to tell."""
    g = np.asarray(gray, dtype=np.float32)
    if g.ndim != 2 or min(g.shape) < MIN_SIDE:
        return float("nan")
    dh = np.abs(np.diff(g, axis=1))  # step between column c and c + 1
    dv = np.abs(np.diff(g, axis=0))
    edge_h = (np.arange(dh.shape[1]) + x0) % BLOCK == BLOCK - 1
    edge_v = (np.arange(dv.shape[0]) + y0) % BLOCK == BLOCK - 1
    across = dh[:, edge_h].sum() + dv[edge_v, :].sum()
    n_across = dh[:, edge_h].size + dv[edge_v, :].size
    inside = dh[:, ~edge_h].sum() + dv[~edge_v, :].sum()
    n_inside = dh[:, ~edge_h].size + dv[~edge_v, :].size
    mean_inside = inside / max(n_inside, 1)
    if mean_inside < 0.5:  # flat region (e.g. a blank wall): no texture to compare against
        return float("nan")
    return float(across / max(n_across, 1) / mean_inside)


def _box_region(image: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """The box (x0, y0, x1, y1 in frame pixels) cut from the frame with its origin; None if too small."""
    h, w = image.shape[:2]
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(box[2]), w), min(int(box[3]), h)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        return None
    return image[y0:y1, x0:x1], x0, y0


def face_blockiness(frame_gray: np.ndarray, box: np.ndarray) -> float:
    """Blockiness of a face box on the frame's block grid."""
    cut = _box_region(frame_gray, box)
    return float("nan") if cut is None else blockiness(*cut)


def region_blockiness(image_bgr: np.ndarray, box: np.ndarray) -> float:
    """`face_blockiness` of a colour frame's face box; only the box is converted to grey."""
    cut = _box_region(image_bgr, box)
    if cut is None:
        return float("nan")
    region, x0, y0 = cut
    gray = region.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)  # BGR luma weights
    return blockiness(gray, x0, y0)
