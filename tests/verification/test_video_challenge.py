"""challenge: the UI-to-vision-thread hand-over, digits read by real GRID speakers (and a voice
with still lips), a hand passed across a real face (and a different face coming back), head
turns, timeouts and the "cannot judge" paths."""

from __future__ import annotations

import dataclasses
import random
import threading
import time

import cv2
import numpy as np

from tests.verification.test_video_support import audio_reader, grid_clip, run, still_frames
from verification.detectors.base import FrameAnalysis
from verification.detectors.challenge import ChallengeDetector, create
from verification.detectors.challenge_control import ChallengeController, ChallengeKind, make_prompt
from verification.detectors.challenge_scoring import NOT_DONE_SCORE
from verification.sources.base import VideoFrame
from verification.vision.types import HeadPose


def test_prompts_and_controller_are_thread_safe() -> None:
    controller = ChallengeController(random.Random(4))
    posted: list[str] = []
    threads = [threading.Thread(target=lambda: posted.append(controller.request().text)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drained = controller.drain()
    assert len(drained) == 8 and controller.drain() == []
    assert sorted(p.text for p in drained) == sorted(posted)
    digits = make_prompt(ChallengeKind.DIGITS)
    assert digits.digits is not None and len(digits.digits) == 4 and digits.digits.isdigit()
    assert " ".join(digits.digits) in digits.text


def test_digits_without_a_recogniser_are_never_a_pass() -> None:
    clip = grid_clip("lbax4n.mpg")
    detector = create(None)
    text = detector.start_challenge(ChallengeKind.DIGITS, 0.0)
    assert "digits" in text
    result = run(detector, clip.frames, clip.faces, audio_reader(clip.audio))
    window = result.windows[-1]
    assert result.status == "not_applicable" and result.score is None
    assert window.details["completed"] and window.details["digits_checked"] is False
    assert 200 <= window.details["latency_ms"] <= 1500
    assert window.details["summary"].startswith("The challenge could not be judged: no speech recogniser")


def test_voice_with_still_lips_scores_high() -> None:
    clip = grid_clip("lbax4n.mpg")
    frames = still_frames(clip.frames[0].image, 3.0)
    # Even were the right digits heard, a voice from still lips fails (recogniser: test_challenge_digits).
    detector = ChallengeDetector(digit_reader=lambda audio: asked)
    detector.start_challenge(ChallengeKind.DIGITS, 0.0)
    asked = detector.active.digits if detector.active is not None else None
    result = run(detector, frames, [[clip.faces[0][0]] for _ in frames], audio_reader(clip.audio))
    assert result.details["worst"]["still_lips_term"] > 0 and (result.score or 0) >= 0.8
    assert "the lips did not move" in result.details["worst"]["summary"]


def _hand_pass(frames: list[VideoFrame], box: np.ndarray, t0: float, dur: float = 0.8) -> list[VideoFrame]:
    """A skin-coloured hand (textured ellipse) sweeping across the face between t0 and t0 + dur."""
    rng = np.random.default_rng(0)
    x0, y0, x1, y1 = box.astype(int)
    w, h = x1 - x0, y1 - y0
    out = []
    for f in frames:
        img = f.image.copy()
        a = (f.pts - t0) / dur
        if 0 <= a <= 1:
            cx = int(x0 - 0.6 * w + a * 2.2 * w)
            hand = np.zeros(img.shape[:2], np.uint8)
            cv2.ellipse(hand, (cx, (y0 + y1) // 2), (int(0.55 * w), int(0.8 * h)), 10, 0, 360, 255, -1)
            tone = np.clip(np.array([120, 150, 200]) + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
            img[hand > 0] = tone[hand > 0]
        out.append(VideoFrame(f.seq, f.pts, f.captured_at, img))
    return out


def _faces_for(frames: list[VideoFrame]) -> list[list]:
    from tests.verification.test_vision_support import new_pipeline

    pipeline = new_pipeline()
    return [pipeline.process(f.image, f.pts) for f in frames]


def test_hand_across_a_real_face_completes_and_a_different_face_coming_back_scores_high() -> None:
    clip = grid_clip("sbwe5n.mpg")
    frames = _hand_pass(clip.frames, clip.faces[0][0].box, 1.0)
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.HAND, 0.6)
    real = run(detector, frames, _faces_for(frames))
    assert real.details["worst"]["completed"], real.details
    assert (real.score or 0) < 0.5
    other = grid_clip("pwij3p.mpg")  # after the hand, another person's face: a swap re-locking
    mixed = [f if f.pts < 1.5 else VideoFrame(f.seq, f.pts, f.captured_at, o.image)
             for f, o in zip(frames, other.frames)]
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.HAND, 0.6)
    relock = run(detector, mixed, _faces_for(mixed))
    assert relock.details["worst"]["completed"] and (relock.score or 0) >= 0.8


def _turning(clip_name: str, yaws: np.ndarray) -> tuple[list, list]:
    clip = grid_clip(clip_name)
    n = min(len(yaws), len(clip.frames))
    faces = [[dataclasses.replace(o[0], head_pose=HeadPose(float(y), 0.0, 0.0))] for o, y in zip(clip.faces[:n], yaws)]
    return clip.frames[:n], faces


def test_head_turn_completion_latency_and_timeout() -> None:
    t = np.arange(45) / 15.0
    yaw = np.where(t < 1.0, 0.0, np.minimum((t - 1.0) * 60.0, 40.0))  # starts 1 s after the prompt
    frames, faces = _turning("lrwp9a.mpg", yaw)
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.TURN_LEFT, 0.0)
    done = run(detector, frames, faces)
    worst = done.details["worst"]
    assert worst["completed"] and worst["direction_ok"] and 900 <= worst["latency_ms"] <= 1300
    assert (done.score or 0) < 0.3
    frames, faces = _turning("lrwp9a.mpg", np.zeros(45))
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.TURN_RIGHT, 0.0)
    refused = run(detector, frames, faces)
    assert refused.details["worst"]["completed"] is False and refused.score == NOT_DONE_SCORE


def test_controller_prompt_is_drained_and_dated_on_the_vision_thread() -> None:
    clip = grid_clip("lrwp9a.mpg")
    controller = ChallengeController()
    detector = ChallengeDetector(controller)
    for f, o in zip(clip.frames[:10], clip.faces[:10]):
        detector.process_video(FrameAnalysis(f, o))
    controller.request(ChallengeKind.HAND)
    frame = dataclasses.replace(clip.frames[10], captured_at=time.monotonic() + 0.2)
    detector.process_video(FrameAnalysis(frame, clip.faces[10]))
    assert detector.active is not None and detector.active.kind is ChallengeKind.HAND
    controller.cancel()
    out = detector.process_video(FrameAnalysis(clip.frames[11], clip.faces[11]))
    assert detector.active is None and len(out) == 1 and out[0].t0 < clip.frames[10].pts


def test_not_applicable_paths() -> None:
    clip = grid_clip("lrwp9a.mpg")
    idle = run(ChallengeDetector(), clip.frames, clip.faces)
    assert idle.status == "not_applicable" and idle.reason == "no challenge was issued"
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.TURN_LEFT, 0.0)
    nobody = run(detector, clip.frames, [[] for _ in clip.frames])
    assert nobody.reason == "no face seen during the challenge"
    detector = ChallengeDetector()
    detector.start_challenge(ChallengeKind.DIGITS, 0.0)
    deaf = run(detector, clip.frames, clip.faces, None)
    assert deaf.reason == "no call audio after the prompt"
