"""replay: real talking heads stay low; a GRID clip looped and re-encoded (a pre-recorded clip
played back), a frozen stream, screen cues on the shared print/replay photos, and "cannot judge"."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.verification.test_video_support import grid_clip, grid_paths, run, still_frames, thinned_frames
from tests.verification.test_vision_support import data_or_skip, new_pipeline, read_bgr
from verification.detectors.replay import ReplayDetector, ReplayOptions, create, face_thumb
from verification.detectors.screen_cues import flicker_snr_db, moire_score


def _write_loop(src: Path, out: Path, repeats: int = 3) -> Path:
    """The clip played `repeats` times back to back, re-encoded (as a replaying attacker would)."""
    with av.open(str(src)) as container:
        images = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(out), "w") as dst:
        stream = dst.add_stream("mpeg4", rate=25)
        stream.width, stream.height = images[0].shape[1], images[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 800_000
        for i, img in enumerate(images * repeats):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            for pkt in stream.encode(frame):
                dst.mux(pkt)
        for pkt in stream.encode():
            dst.mux(pkt)
    return out


def test_real_talking_heads_score_low() -> None:
    for path in grid_paths():
        clip = grid_clip(path.name)
        result = run(create(None), clip.frames, clip.faces)
        assert result.status == "ok", path.name
        assert (result.score or 0) < 0.3, (path.name, result.details)


@pytest.mark.slow
def test_looped_reencoded_clip_is_found(tmp_path: Path) -> None:
    looped = _write_loop(data_or_skip("video", "talking_heads", "grid", "lwbsza.mpg"), tmp_path / "loop.mp4")
    frames = thinned_frames(looped)
    pipeline = new_pipeline()
    faces = [pipeline.process(f.image, f.pts) for f in frames]
    result = run(create(None), frames, faces)
    assert result.status == "ok"
    assert result.details["longest_loop_s"] >= 1.5
    assert abs(result.details["loop_lag_s"] % 3.0) < 0.2 or abs(result.details["loop_lag_s"] % 3.0 - 3.0) < 0.2
    assert (result.score or 0) >= 0.8


def test_frozen_stream_raises_to_elevated_only() -> None:
    clip = grid_clip("sbwe5n.mpg")
    frames = clip.frames + still_frames(clip.frames[-1].image, 5.0, start=clip.frames[-1].pts + 1 / 15)
    faces = clip.faces + [[clip.faces[-1][0]] for _ in frames[len(clip.frames):]]
    result = run(ReplayDetector(), frames, faces)
    assert result.details["frozen_s"] >= 3.0
    assert 0.5 <= (result.score or 0) <= 0.6


def test_screen_cues_give_numbers_on_the_shared_print_and_replay_photos() -> None:
    for name in ("image_T1.jpg", "image_F1.jpg", "image_F2.jpg"):
        image = read_bgr(data_or_skip("pad", "silent_face", name))
        obs = new_pipeline(detect_every=1).process(image, 0.0)
        assert len(obs) == 1
        _thumb, patch = face_thumb(image, obs[0].landmarks5)
        assert 0.0 < moire_score(patch) < 60.0
    t = np.arange(150) / 15.0
    assert flicker_snr_db(100 + 5 * np.sin(2 * np.pi * 5.0 * t), 15.0) > 15.0  # a refresh beat
    assert flicker_snr_db(100 + np.random.default_rng(0).normal(0, 1, 150), 15.0) < 12.0


def test_not_applicable_paths() -> None:
    clip = grid_clip("sbwe5n.mpg")
    nobody = run(ReplayDetector(), clip.frames, [[] for _ in clip.frames])
    assert nobody.reason == "no face in view"
    short = run(ReplayDetector(ReplayOptions(min_window_s=5.0)), clip.frames, clip.faces)
    assert short.status == "not_applicable" and short.reason.startswith("too short")
