"""Face tracks: stable ids between detections, by box overlap with a centre-distance fallback.

Pure bookkeeping (no models): the pipeline feeds it detections and mesh updates. In a grid of
participant tiles faces never overlap, so greedy IoU matching keeps one id per tile; the centre
gate rescues fast head moves that leave little overlap between two detection frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verification.vision.crops import SquareRoi
from verification.vision.nms import iou_matrix


@dataclass(frozen=True, slots=True)
class TrackerOptions:
    iou_threshold: float = 0.3  # a detection continues a track at this overlap or more
    centre_gate: float = 0.5  # ...or with its centre within this fraction of the track's size
    max_size_ratio: float = 2.0  # ...and a size within this factor (one participant, not another)
    max_missing: int = 12  # frames without confirmation before a track ends
    duplicate_iou: float = 0.6  # two tracks on one face: the younger one ends


@dataclass(slots=True)
class Track:
    track_id: int
    box: np.ndarray  # (4,) frame px, detector convention
    landmarks5: np.ndarray  # (5, 2)
    score: float
    first_seen: int  # frame index
    last_confirmed: int  # last frame a detection or a confident mesh saw the face
    roi: SquareRoi | None = None  # mesh ROI for the next frame; None when not locked


def match_boxes(
    track_boxes: np.ndarray,
    det_boxes: np.ndarray,
    iou_threshold: float,
    centre_gate: float,
    max_size_ratio: float,
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best affinity first. Affinity is the IoU when it reaches the
    threshold; otherwise a centre-gated match scores below every IoU match (ties favour overlap)."""
    t = np.asarray(track_boxes, dtype=np.float64).reshape(-1, 4)
    d = np.asarray(det_boxes, dtype=np.float64).reshape(-1, 4)
    if len(t) == 0 or len(d) == 0:
        return []
    iou = iou_matrix(t, d)
    t_size = np.sqrt(np.clip((t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1]), 1e-6, None))
    d_size = np.sqrt(np.clip((d[:, 2] - d[:, 0]) * (d[:, 3] - d[:, 1]), 1e-6, None))
    t_c = (t[:, :2] + t[:, 2:]) / 2
    d_c = (d[:, :2] + d[:, 2:]) / 2
    dist = np.linalg.norm(t_c[:, None] - d_c[None], axis=-1) / t_size[:, None]
    ratio = np.maximum(t_size[:, None] / d_size[None], d_size[None] / t_size[:, None])
    gated = (dist < centre_gate) & (ratio <= max_size_ratio)
    affinity = np.where(
        iou >= iou_threshold, iou, np.where(gated, iou_threshold * 0.99 * (1 - dist / centre_gate), 0.0)
    )
    pairs: list[tuple[int, int]] = []
    flat = np.argsort(-affinity, axis=None, kind="stable")
    used_t: set[int] = set()
    used_d: set[int] = set()
    for k in flat:
        i, j = divmod(int(k), affinity.shape[1])
        if affinity[i, j] <= 0:
            break
        if i in used_t or j in used_d:
            continue
        pairs.append((i, j))
        used_t.add(i)
        used_d.add(j)
    return pairs


class FaceTracker:
    def __init__(self, options: TrackerOptions | None = None) -> None:
        self.options = options or TrackerOptions()
        self.tracks: list[Track] = []
        self._next_id = 0

    def match(self, det_boxes: np.ndarray) -> tuple[list[tuple[Track, int]], list[int]]:
        """(track, detection index) pairs and the indices of detections no track claims."""
        o = self.options
        boxes = np.stack([tr.box for tr in self.tracks]) if self.tracks else np.zeros((0, 4))
        pairs = match_boxes(boxes, det_boxes, o.iou_threshold, o.centre_gate, o.max_size_ratio)
        claimed = {j for _, j in pairs}
        return [(self.tracks[i], j) for i, j in pairs], [j for j in range(len(det_boxes)) if j not in claimed]

    def start(self, box: np.ndarray, landmarks5: np.ndarray, score: float, frame: int) -> Track:
        track = Track(self._next_id, box, landmarks5, score, first_seen=frame, last_confirmed=frame)
        self._next_id += 1
        self.tracks.append(track)
        return track

    def expire(self, frame: int) -> list[int]:
        """End tracks unconfirmed for more than `max_missing` frames; returns their ids."""
        limit = self.options.max_missing
        ended = [tr.track_id for tr in self.tracks if frame - tr.last_confirmed > limit]
        if ended:
            self.tracks = [tr for tr in self.tracks if frame - tr.last_confirmed <= limit]
        return ended

    def remove_duplicates(self, frame: int) -> list[int]:
        """Two tracks confirmed on this frame on the same face: keep the older id."""
        live = [tr for tr in self.tracks if tr.last_confirmed == frame]
        if len(live) < 2:
            return []
        live.sort(key=lambda tr: tr.track_id)
        iou = iou_matrix(np.stack([tr.box for tr in live]), np.stack([tr.box for tr in live]))
        drop: set[int] = set()
        for i in range(len(live)):
            if live[i].track_id in drop:
                continue
            for j in range(i + 1, len(live)):
                if iou[i, j] > self.options.duplicate_iou:
                    drop.add(live[j].track_id)
        if drop:
            self.tracks = [tr for tr in self.tracks if tr.track_id not in drop]
        return sorted(drop)

    def reset(self) -> list[int]:
        ended = [tr.track_id for tr in self.tracks]
        self.tracks = []
        return ended
