"""av_sync on the real GRID talking heads: in sync, with the voice shifted by known amounts, with
another clip's voice, and every "cannot judge" path."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from tests.verification.test_video_support import audio_reader, grid_clip, grid_paths, run, still_frames
from verification.detectors.av_features import SpeechEnvelope, mouth_opening
from verification.detectors.base import FrameAnalysis
from verification.detectors.av_sync import AvSyncDetector, AvSyncOptions, best_offset, create

SHIFTS = (0.2, -0.2, 0.3, 0.5)


def _auc(neg: list[float], pos: list[float]) -> float:
    n, p = np.asarray(neg), np.asarray(pos)
    return float(((p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()) / (len(n) * len(p)))


@pytest.mark.slow
def test_real_clips_in_sync_shifted_and_swapped_voices_separate() -> None:
    names = [p.name for p in grid_paths()]
    real, fake = [], []
    for i, name in enumerate(names):
        clip = grid_clip(name)
        ok = run(create(None), clip.frames, clip.faces, audio_reader(clip.audio))
        assert ok.status == "ok", (name, ok.reason)
        assert abs(ok.details["offset_ms"]) <= 80, name
        assert (ok.score or 0) < 0.5, name  # never drives a real talking head to "elevated"
        real.append(ok.score or 0.0)
        for shift in SHIFTS:
            r = run(create(None), clip.frames, clip.faces, audio_reader(clip.audio, shift))
            fake.append(r.score or 0.0)
        other = grid_clip(names[(i + 1) % len(names)]).audio
        fake.append(run(create(None), clip.frames, clip.faces, audio_reader(other)).score or 0.0)
    assert _auc(real, fake) >= 0.9


def test_known_voice_delay_is_measured() -> None:
    clip = grid_clip("lwbsza.mpg")
    late = run(AvSyncDetector(), clip.frames, clip.faces, audio_reader(clip.audio, 0.3))
    assert late.status == "ok"
    assert abs(late.details["offset_ms"] - 300) <= 40
    assert 0.5 < (late.score or 0) <= 0.7  # a 3 s clip is shorter than a full 4 s window: capped
    window = [w for w in late.windows if w.status == "ok"][-1]
    assert {"offset_ms", "confidence", "speech_range", "mouth_motion"} <= set(window.details)


def test_best_offset_on_a_synthetic_pair() -> None:
    fs = 50.0
    rng = np.random.default_rng(0)
    lips = np.convolve(rng.normal(size=200), np.ones(8) / 8, mode="same")
    voice = np.roll(lips, 10)  # 200 ms later
    offset, peak, _zero = best_offset(lips, voice, fs, 0.6)
    assert offset == pytest.approx(200.0) and peak > 0.9


def test_envelope_reads_forward_once_and_marks_missing_audio() -> None:
    calls: list[tuple[float, float]] = []

    def read(t0: float, t1: float) -> np.ndarray:
        calls.append((t0, t1))
        return np.zeros(int(round((t1 - t0) * 16000)), np.float32)

    env = SpeechEnvelope(keep_s=4.0)
    env.read_until(read, 1.0)
    env.read_until(read, 1.5)
    env.read_until(read, 1.5)
    assert calls[0][0] == 0.0 and calls[1][0] == pytest.approx(calls[0][1]) and len(calls) == 2
    _e, valid = env.on_grid(np.linspace(0.1, 1.4, 20))
    assert not valid.any()  # all-zero reads are holes in the ring, not silence


def test_not_applicable_paths() -> None:
    clip = grid_clip("pwij3p.mpg")  # 3 s clips: judge 1 s windows so each path shows in every window
    no_audio = run(AvSyncDetector(AvSyncOptions(min_window_s=1.0)), clip.frames, clip.faces, None)
    assert no_audio.reason == "no call audio to compare with"
    quiet = run(AvSyncDetector(AvSyncOptions(min_window_s=1.0)), clip.frames, clip.faces, audio_reader(np.full(80000, 1e-4, np.float32)))
    assert quiet.reason == "no speech in the window"
    hole = run(AvSyncDetector(AvSyncOptions(min_window_s=1.0)), clip.frames, clip.faces, lambda a, b: np.zeros(int((b - a) * 16000), np.float32))
    assert hole.reason == "call audio missing for this span"
    still = still_frames(clip.frames[0].image, 3.0)
    frozen_face = [[clip.faces[0][0]] for _ in still]
    mute = run(AvSyncDetector(AvSyncOptions(min_window_s=1.0)), still, frozen_face, audio_reader(clip.audio))
    assert mute.reason == "mouth not moving while someone speaks (probably another participant)"
    nobody = run(AvSyncDetector(AvSyncOptions(min_window_s=1.0)), clip.frames, [[] for _ in clip.frames], audio_reader(clip.audio))
    assert nobody.reason == "no face in view"
    assert mouth_opening(clip.faces[0][0].mesh) >= 0.0


def test_short_span_is_too_short() -> None:
    clip = grid_clip("pwij3p.mpg")
    short = run(AvSyncDetector(), clip.frames[:25], clip.faces[:25], audio_reader(clip.audio))
    assert short.status == "not_applicable" and short.reason.startswith("too short")


def _ring_reader(audio: np.ndarray, arrived_until: list[float]) -> Callable[[float, float], np.ndarray]:
    """read_audio as the engine's ring answers it: real samples up to the end of the track and up
    to `arrived_until[0]` seconds (audio not captured yet), exact zeros beyond (not held)."""

    def read(t0: float, t1: float) -> np.ndarray:
        a, n = int(round(t0 * 16000)), int(round((t1 - t0) * 16000))
        out = np.zeros(n, np.float32)
        hi = min(a + n, len(audio), int(arrived_until[0] * 16000))
        if hi > a:
            chunk = audio[a:hi].copy()
            chunk[chunk == 0] = 1e-6  # digital silence inside the track is audio, not a hole
            out[:hi - a] = chunk
        return out

    return read


def test_audio_ending_a_moment_before_the_picture_is_not_missing_audio() -> None:
    """Recordings often end their audio tens of ms before the last frame (codec padding): the last
    window is judged up to the end of the audio instead of claiming the call audio is missing."""
    clip = grid_clip("lwbsza.mpg")
    end = clip.frames[-1].pts - 0.1
    result = run(AvSyncDetector(), clip.frames, clip.faces, _ring_reader(clip.audio[:int(end * 16000)], [1e9]))
    assert result.status == "ok"
    assert not [w for w in result.windows if w.reason == "call audio missing for this span"]


def test_live_audio_arriving_late_is_not_missing_audio() -> None:
    """Live, audio reaches the ring in blocks and can trail the picture by more than the old 0.3 s
    read lag (a busy machine): it is late, not missing."""
    clip = grid_clip("lwbsza.mpg")
    arrived = [0.0]
    reader = _ring_reader(clip.audio, arrived)
    detector = AvSyncDetector()
    for frame, obs in zip(clip.frames, clip.faces):
        arrived[0] = frame.pts - 0.6  # the audio captured so far trails the frame by 0.6 s
        detector.process_video(FrameAnalysis(frame, obs, reader))
    arrived[0] = 1e9
    result = detector.result()
    assert not [w for w in result.windows if w.reason == "call audio missing for this span"]
    assert result.status == "ok"
