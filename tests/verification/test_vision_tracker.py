"""Track bookkeeping without models: assignment, new ids, expiry, duplicates."""

from __future__ import annotations

import numpy as np

from verification.vision.tracker import FaceTracker, TrackerOptions, match_boxes

L5 = np.zeros((5, 2), np.float32)


def _box(cx: float, cy: float, size: float = 100.0) -> np.ndarray:
    return np.array([cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2], dtype=np.float32)


def test_match_prefers_overlap_and_is_one_to_one() -> None:
    tracks = np.stack([_box(100, 100), _box(400, 100)])
    dets = np.stack([_box(405, 102), _box(110, 95), _box(110, 100)])
    pairs = match_boxes(tracks, dets, iou_threshold=0.3, centre_gate=0.5, max_size_ratio=2.0)
    assert sorted(pairs) == [(0, 2), (1, 0)]  # det 2 overlaps track 0 best; det 1 left over


def test_centre_gate_rescues_a_fast_move_but_not_another_size() -> None:
    track = _box(100, 100)[None]
    moved = _box(140, 100)[None]  # IoU 0.43: below 0.6, matched by the centre gate
    far = _box(145, 130)[None]  # IoU < 0.3 but centre within half a face
    tiny = _box(130, 100, size=30)[None]  # centre close, but 3x smaller: someone else
    assert match_boxes(track, moved, 0.6, 0.5, 2.0) == [(0, 0)]
    assert match_boxes(track, far, 0.3, 0.7, 2.0) == [(0, 0)]
    assert match_boxes(track, far, 0.3, 0.3, 2.0) == []
    assert match_boxes(track, tiny, 0.3, 0.5, 2.0) == []
    assert match_boxes(np.zeros((0, 4)), far, 0.3, 0.5, 2.0) == []


def test_tracker_keeps_ids_for_a_grid_and_ends_missing_tracks() -> None:
    tracker = FaceTracker(TrackerOptions(max_missing=3))
    centres = [(200 + 400 * c, 150 + 300 * r) for r in range(3) for c in range(3)]
    boxes = np.stack([_box(*c) for c in centres])
    pairs, fresh = tracker.match(boxes)
    assert pairs == [] and fresh == list(range(9))
    for j in fresh:
        tracker.start(boxes[j], L5, 0.9, frame=0)
    ids = [tr.track_id for tr in tracker.tracks]
    assert ids == list(range(9))
    # the faces move a little; the 5th participant leaves
    for frame in range(1, 8):
        jitter = boxes + np.random.default_rng(frame).uniform(-8, 8, (9, 1)).astype(np.float32)
        visible = np.delete(jitter, 4, axis=0)
        pairs, fresh = tracker.match(visible)
        assert fresh == []
        for track, j in pairs:
            track.box = visible[j]
            track.last_confirmed = frame
        assert sorted(t.track_id for t, _ in pairs) == [i for i in range(9) if i != 4]
        ended = tracker.expire(frame)
        assert ended == ([4] if frame == 4 else [])
    assert sorted(tr.track_id for tr in tracker.tracks) == [0, 1, 2, 3, 5, 6, 7, 8]
    # a newcomer gets a fresh id, never a recycled one
    assert tracker.start(_box(1000, 1000), L5, 0.9, frame=8).track_id == 9


def test_duplicates_on_one_face_keep_the_older_id() -> None:
    tracker = FaceTracker(TrackerOptions(duplicate_iou=0.6))
    a = tracker.start(_box(100, 100), L5, 0.9, frame=0)
    b = tracker.start(_box(104, 102), L5, 0.9, frame=0)
    c = tracker.start(_box(400, 100), L5, 0.9, frame=0)
    assert tracker.remove_duplicates(frame=0) == [b.track_id]
    assert [tr.track_id for tr in tracker.tracks] == [a.track_id, c.track_id]
    assert tracker.reset() == [a.track_id, c.track_id]
    assert tracker.tracks == []
