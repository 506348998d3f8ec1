"""blink: eye openness on real talking heads, blinks on a real face whose lids are closed in chosen
frames (lids painted with the face's own skin), long no-blink and metronome blinking, and every
"cannot judge" path."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from tests.verification.test_video_support import at_times, grid_clip, grid_paths, observe_once, run, still_frames
from tests.verification.test_vision_support import labelled_faces, read_bgr
from verification.detectors.blink import (EYE_POINTS, MAX_SCORE, BlinkDetector, BlinkOptions, blink_score,
                                          blink_stats, create, eye_openness, find_blinks)
from verification.sources.base import VideoFrame
from verification.vision.types import HeadPose


def _closed_eyes(image: np.ndarray, mesh: np.ndarray) -> np.ndarray:
    """The same face with both lids shut: skin from below each eye over the eye, a lash line."""
    out = image.astype(np.float32)
    for idx in EYE_POINTS:
        pts = mesh[list(idx), :2]
        c = pts.mean(axis=0)
        w = float(np.linalg.norm(pts[0] - pts[3]))
        skin = image[int(c[1] + 0.6 * w):int(c[1] + 0.8 * w), int(c[0] - 0.2 * w):int(c[0] + 0.2 * w)]
        mask = np.zeros(image.shape[:2], np.float32)
        angle = float(np.degrees(np.arctan2(*(pts[3] - pts[0])[::-1])))
        cv2.ellipse(mask, (int(c[0]), int(c[1])), (int(0.65 * w), int(0.33 * w)), angle, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (7, 7), 0)[..., None]
        out = out * (1 - mask) + skin.reshape(-1, 3).mean(axis=0) * mask
    shut = out.astype(np.uint8)
    for idx in EYE_POINTS:
        pts = mesh[list(idx), :2]
        cv2.line(shut, tuple(pts[0].astype(int)), tuple(pts[3].astype(int)), (40, 30, 30), 2)
    return shut


def _blinking(seconds: float, blink_times: list[float]) -> tuple[list[VideoFrame], list[list]]:
    face = cv2.resize(read_bgr(labelled_faces("london_set")[3].path), (384, 384))
    obs = observe_once(face)
    shut = _closed_eyes(face, obs.mesh)
    frames = still_frames(face, seconds, noise=1.0)
    out = []
    for f in frames:
        closed = any(b <= f.pts < b + 0.2 for b in blink_times)  # 3 frames at 15 fps
        out.append(VideoFrame(f.seq, f.pts, f.captured_at, shut if closed else f.image))
    return out, at_times(obs, out)


def test_real_talking_heads_have_steady_open_eyes() -> None:
    for path in grid_paths()[:6]:
        clip = grid_clip(path.name)
        t = np.array([f.pts for f in clip.frames])
        x = np.array([eye_openness(f.image, o[0].mesh) for f, o in zip(clip.frames, clip.faces)])
        assert 0.75 < np.median(x) < 1.3, path.name
        assert len(find_blinks(t, x, 0.65)[0]) <= 1, path.name


def test_painted_blinks_are_found_with_their_duration() -> None:
    times = [2.0, 5.3, 7.1, 11.8, 14.0, 19.5, 23.2]
    frames, faces = _blinking(26.0, times)
    result = run(create(None), frames, faces)
    assert result.status == "ok", result.reason
    assert result.details["blinks"] == len(times)
    assert 100 <= result.details["mean_blink_ms"] <= 350
    assert (result.score or 0) < 0.2  # irregular, human-like gaps


def test_metronome_blinking_and_a_minute_without_blinks_raise_the_score() -> None:
    frames, faces = _blinking(30.0, [1.0 + 3.0 * k for k in range(10)])
    regular = run(create(None), frames, faces)
    assert regular.details["interval_cv"] < 0.05 and (regular.score or 0) > 0.5
    frames, faces = _blinking(70.0, [])
    staring = run(create(None), frames, faces)
    assert staring.details["blinks"] == 0 and 0.4 < (staring.score or 0) <= MAX_SCORE


def test_score_terms_are_plain_numbers() -> None:
    t = np.arange(0, 30, 1 / 15)
    onsets = np.array([2.0, 6.0, 9.5, 16.0, 22.0])
    stats = blink_stats(t, onsets, np.full(5, 0.2))
    score, parts = blink_score(stats)
    assert stats.count == 5 and abs(stats.rate_per_min - 10.0) < 0.5 and abs(stats.longest_gap_s - 7.93) < 0.1
    assert 0 <= score <= MAX_SCORE and set(parts) == {"no_blink_term", "regular_term", "frantic_term"}


def test_not_applicable_paths() -> None:
    clip = grid_clip("lbax4n.mpg")
    short = run(BlinkDetector(), clip.frames, clip.faces)
    assert short.status == "not_applicable" and short.reason.startswith("too short")
    none = run(BlinkDetector(), clip.frames, [[] for _ in clip.frames])
    assert none.reason == "no face in view"
    obs = clip.faces[0][0]
    tiny = run(BlinkDetector(), clip.frames, at_times(obs, clip.frames, box=np.array([0, 0, 50, 60], np.float32)))
    assert "too small" in (tiny.reason or "")
    turned = [[dataclasses.replace(o[0], head_pose=HeadPose(60.0, 0.0, 0.0))] for o in clip.faces]
    away = run(BlinkDetector(BlinkOptions(min_window_s=1.0)), clip.frames, turned)
    assert away.reason == "head turned too far to see both eyes"
