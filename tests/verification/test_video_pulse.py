"""pulse: rPPG on the shared skin videos (ground-truth HR), a real face photo with and without a
pulse, the CLI, and every "cannot judge" path."""

from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np
import pytest

from tests.verification.test_video_support import at_times, grid_clip, observe_once, run, still_frames
from tests.verification.test_vision_support import data_or_skip, labelled_faces, read_bgr
from verification.commands import pulse as pulse_command
from verification.detectors.pulse import MAX_SCORE, PulseDetector, PulseOptions, create
from verification.detectors.rppg import chrom, long_recording_hr, pos, read_pulse
from verification.detectors.skin_regions import REGIONS
from verification.sources.base import VideoFrame

FS = 15.0


def _pulsing(rgb_level: np.ndarray, hr_bpm: float, seconds: float, amp: float, seed: int = 0) -> np.ndarray:
    """(T, R, 3) skin traces with a blood-volume wave (stronger in green, as in skin) plus noise."""
    t = np.arange(int(seconds * FS)) / FS
    wave = np.sin(2 * np.pi * hr_bpm / 60.0 * t)
    rng = np.random.default_rng(seed)
    ppg = np.array([0.33, 0.77, 0.53]) * amp  # relative pulsatile strength per RGB channel
    return rgb_level[None] * (1 + wave[:, None, None] * ppg) + rng.normal(0, 0.05, (len(t),) + rgb_level.shape)


def test_pos_and_chrom_recover_a_known_heart_rate() -> None:
    traces = _pulsing(np.array([[180.0, 120.0, 100.0]] * 3), 72.0, 10.0, 0.004)
    assert pos(traces, FS).shape == chrom(traces, FS).shape == (150, 3)
    reading = read_pulse(traces, FS)
    assert abs(reading.hr_bpm - 72.0) < 3 and abs(reading.chrom_hr_bpm - 72.0) < 3
    assert reading.snr_db > 0 and reading.coherence > 0.8


@pytest.mark.parametrize("name,truth", [("video10_forehead.avi", 80.657), ("video28_rightcheek.avi", 78.443)])
def test_whole_frame_heart_rate_on_real_skin_videos(name: str, truth: float) -> None:
    path = data_or_skip("video", "rppg", "india", name)
    out = pulse_command.whole_frame_pulse(path)
    assert out["status"] == "ok"
    # Regression bounds for clips the method reads well (MAE over all 45 videos is in the model card).
    assert abs(out["hr_bpm"] - truth) < 6.0
    assert np.isfinite(out["snr_db"])


def test_cli_prints_json_with_report_field_names(capsys: pytest.CaptureFixture[str]) -> None:
    path = data_or_skip("video", "rppg", "india", "video10_forehead.avi")
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", default=None)
    pulse_command.register(parser.add_subparsers())
    args = parser.parse_args(["pulse", str(path), "--whole-frame", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"hr_bpm", "snr_db", "status"} and out["mode"] == "whole_frame"


def test_cli_face_mode_on_a_short_talking_head_says_too_short(capsys: pytest.CaptureFixture[str]) -> None:
    path = data_or_skip("video", "talking_heads", "grid", "bbaf2n.mpg")
    grid_clip("bbaf2n.mpg")  # skips without face models
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", default=None)
    pulse_command.register(parser.add_subparsers())
    args = parser.parse_args(["pulse", str(path)])
    assert args.func(args) == 0
    assert "too short" in capsys.readouterr().out


def _face_video(pulse_bpm: float | None, seconds: float = 10.0) -> tuple[list[VideoFrame], list[list]]:
    """A real face photo filmed still; with `pulse_bpm` its skin gets a faint blood-volume wave."""
    face = read_bgr(labelled_faces("london_set")[5].path)
    obs = observe_once(face)
    frames = still_frames(face, seconds, noise=1.5, cycle=0)
    if pulse_bpm is not None:
        import cv2

        mask = np.zeros(face.shape[:2], np.float32)
        for idx in REGIONS:
            cv2.fillPoly(mask, [np.round(obs.mesh[list(idx), :2]).astype(np.int32)], 1.0)
        mask = cv2.dilate(mask, np.ones((15, 15), np.uint8))[..., None]
        bgr_gain = np.array([0.53, 0.77, 0.33]) * 0.012
        out = []
        for f in frames:
            wave = np.sin(2 * np.pi * pulse_bpm / 60.0 * f.pts)
            img = np.clip(f.image * (1 + mask * bgr_gain * wave), 0, 255).astype(np.uint8)
            out.append(VideoFrame(f.seq, f.pts, f.captured_at, img))
        frames = out
    return frames, at_times(obs, frames)


def test_face_with_pulse_reads_its_heart_rate_and_scores_low() -> None:
    frames, faces = _face_video(72.0)
    result = run(create(None), frames, faces)
    assert result.status == "ok", result.reason
    assert abs(result.details["hr_bpm"] - 72.0) < 4.0
    assert result.score is not None and result.score < 0.25
    assert {"hr_bpm", "snr_db", "coherence"} <= set(result.windows[-1].details)


def test_printed_photo_without_pulse_scores_higher_but_never_high() -> None:
    frames, faces = _face_video(None)
    result = run(create(None), frames, faces)
    assert result.status == "ok"
    assert 0.3 < (result.score or 0) <= MAX_SCORE < 0.8


def test_long_recording_estimate_matches_window_estimate_on_clean_traces() -> None:
    traces = _pulsing(np.array([[170.0, 110.0, 90.0]]), 90.0, 30.0, 0.003, seed=2)
    hr, snr = long_recording_hr(traces, FS)
    assert abs(hr - 90.0) < 3 and snr > 0


# -- cannot judge ---------------------------------------------------------------------------------

def test_no_face_small_face_motion_and_short_clips_are_not_applicable() -> None:
    face = read_bgr(labelled_faces("london_set")[5].path)
    obs = observe_once(face)
    frames = still_frames(face, 12.0)
    none = run(PulseDetector(), frames, [[] for _ in frames])
    assert none.status == "not_applicable" and none.reason == "no face in view"
    tiny = run(PulseDetector(), frames, at_times(obs, frames, box=np.array([0, 0, 60, 70], np.float32)))
    assert tiny.reason is not None and "too small" in tiny.reason
    shaky = [[dataclasses.replace(obs, pts=f.pts, box=obs.box + np.float32(60 * np.sin(i)))]
             for i, f in enumerate(frames)]
    moving = run(PulseDetector(), frames, shaky)
    assert moving.status == "not_applicable" and moving.reason == "too much head motion to judge"
    clip = grid_clip("lbax4n.mpg")
    short = run(PulseDetector(PulseOptions()), clip.frames, clip.faces)
    assert short.status == "not_applicable" and short.reason.startswith("too short")
