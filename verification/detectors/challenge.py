"""`challenge`: scores the caller's response to an active challenge the staff member asked for.

Kinds (challenge_control.ChallengeKind): turn the head past 30 degrees of yaw, pass a hand across
the face, read four random digits aloud. For each challenge: was it done before the deadline,
how long after the prompt did the response start (voice conversion and face swaps add delay),
and did the face break down while doing it: the face mesh losing confidence or distorting in
profile, the face coming back from behind the hand looking different (a swap re-locking), or a
voice reading the digits while the lips stay still or out of time with it. The digits are heard
by Whisper tiny.en (verification/speech/digits.py) once the reply is over: a digit challenge
passes only when the digits match, in time, with the lips moving with the voice. Without the
recogniser a digit challenge is "not judged", never passed. Recognition runs on the vision
thread once per digit challenge (about 1 s on 2 cores); frames dropped meanwhile are counted.
One Evidence per finished challenge, with a plain `summary` sentence; with no challenge the
detector says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.detectors.av_features import SpeechEnvelope, mouth_opening
from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.challenge_control import (CancelChallenge, ChallengeController, ChallengeKind,
                                                      ChallengePrompt, RandomSource, make_prompt)
from verification.detectors.challenge_scoring import DigitsHeard, FrameSample, score_challenge
from verification.detectors.challenge_summary import summarise
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.detectors.face_classifier import landmarks_usable
from verification.detectors.face_cues import cue_crop, resolution_gap
from verification.detectors.replay import face_thumb
from verification.detectors.video_common import face_px, rounded
from verification.speech.digits import DigitReader, WhisperDigitReader
from verification.speech.whisper import Recogniser

NO_CHALLENGE = "no challenge was issued"
BASELINE_S = 3.0  # face appearance before the prompt, for "did it come back the same"


@dataclass(frozen=True)
class ChallengeOptions:
    timeout_s: float = 8.0
    digits_timeout_s: float = 10.0
    read_lag_s: float = 0.3  # read live audio this far behind the frame


@dataclass
class ActiveChallenge:
    prompt: ChallengePrompt
    issued_pts: float
    samples: list[FrameSample] = field(default_factory=list)
    baseline: list[FrameSample] = field(default_factory=list)


class ChallengeDetector(Detector):
    id = "challenge"
    modality = Modality.AV
    models: tuple[str, ...] = ()

    def __init__(self, controller: ChallengeController | None = None, options: ChallengeOptions | None = None,
                 digit_reader: DigitReader | None = None) -> None:
        self.controller = controller
        self.options = options or ChallengeOptions()
        self.digit_reader = digit_reader
        self.audio = SpeechEnvelope(keep_s=self.options.digits_timeout_s + BASELINE_S + 38.0, keep_raw=True)
        self._recent: list[FrameSample] = []  # the last BASELINE_S of samples, for baselines
        self._active: ActiveChallenge | None = None
        self._windows: list[Evidence] = []
        self._pts = 0.0
        self._captured = 0.0
        self._read_audio: Any = None
        self._frames = 0

    # -- engine-facing API (vision thread) ------------------------------------------------------
    def start_challenge(self, kind: ChallengeKind | None, now_pts: float, rng: RandomSource | None = None,
                        track: int | None = None) -> str:
        """Begin a challenge at media time `now_pts`; returns the text to ask the caller."""
        prompt = make_prompt(kind, rng, track)
        self._begin(prompt, now_pts)
        return prompt.text

    @property
    def active(self) -> ChallengePrompt | None:
        return self._active.prompt if self._active is not None else None

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        frame = analysis.frame
        self._pts, self._captured = float(frame.pts), float(frame.captured_at)
        self._read_audio = analysis.read_audio
        out: list[Evidence] = []
        if self.controller is not None:
            for item in self.controller.drain():
                out += self._take(item, frame.pts, frame.captured_at)
        if analysis.read_audio is not None:
            self.audio.catch_up(analysis.read_audio, frame.pts, self.options.read_lag_s)
        target = self._active.prompt.track if self._active is not None else None
        sample = self._sample(analysis, target)
        self._recent = [s for s in self._recent if s.t >= frame.pts - BASELINE_S] + [sample]
        active = self._active
        if active is None:
            return out
        active.samples.append(sample)
        limit = self._limit(active.prompt.kind)
        if frame.pts - active.issued_pts >= limit or self._finished_early(active):
            out.append(self._resolve(active, frame.pts))
        return out

    def result(self) -> DetectorResult:
        if self._active is not None:  # recording ended mid-challenge: judge what was seen
            if self._read_audio is not None:
                self.audio.read_until(self._read_audio, self._pts + 0.1)
            self._resolve(self._active, self._pts)
        ok = [w for w in self._windows if w.status == "ok" and w.score is not None]
        if not ok:
            reason = self._windows[-1].reason if self._windows else NO_CHALLENGE
            return DetectorResult.not_applicable(self.id, self.modality, reason or NO_CHALLENGE, list(self._windows))
        worst = max(ok, key=lambda w: w.score or 0.0)
        details = {"challenges": len(ok), "completed": sum(bool(w.details.get("completed")) for w in ok),
                   "worst": dict(worst.details)}
        per_track = {w.track: float(w.score or 0.0) for w in ok if w.track is not None}
        return DetectorResult(self.id, self.modality, "ok", float(worst.score or 0.0), None, list(self._windows),
                              details, per_track)

    # -- internals ------------------------------------------------------------------------------
    def _take(self, item: ChallengePrompt | CancelChallenge, pts: float, captured_at: float) -> list[Evidence]:
        out: list[Evidence] = []
        if self._active is not None:  # a new prompt or a cancel ends the running one first
            out.append(self._resolve(self._active, pts))
        if isinstance(item, ChallengePrompt):
            # Media time of the posting: the frame's capture clock minus how long ago it was posted.
            lag = max(0.0, captured_at - item.posted_at) if item.posted_at is not None else 0.0
            self._begin(item, max(0.0, pts - lag))
        return out

    def _begin(self, prompt: ChallengePrompt, pts: float) -> None:
        self._active = ActiveChallenge(prompt, float(pts), baseline=list(self._recent))

    def _sample(self, analysis: FrameAnalysis, track: int | None) -> FrameSample:
        faces = [f for f in analysis.faces if track is None or f.track_id == track]
        t = float(analysis.frame.pts)
        if not faces:
            return FrameSample(t, present=False)
        obs = max(faces, key=face_px)
        if not landmarks_usable(obs.landmarks5):
            return FrameSample(t, present=True, track=obs.track_id)
        thumb, _patch = face_thumb(analysis.frame.image, obs.landmarks5)
        flat = thumb.reshape(-1)
        norm = (flat - flat.mean()) / max(float(flat.std()), 1.0)
        yaw = float(obs.head_pose.yaw) if obs.head_pose is not None else float("nan")
        mouth = mouth_opening(obs.mesh) if obs.mesh is not None else float("nan")
        # The softness cue: every other frame during a challenge, every fifth before (baseline).
        self._frames += 1
        on = obs.mesh is not None and self._frames % (2 if self._active is not None else 5) == 0
        gap = resolution_gap(cue_crop(analysis.frame.image, obs.landmarks5)) if on else float("nan")
        return FrameSample(t, True, obs.track_id, float(obs.score), yaw, mouth, gap, norm, obs.mesh is not None)

    def _finished_early(self, active: ActiveChallenge) -> bool:
        """Stop watching once the action is done and the face is back (no need to wait out the clock)."""
        outcome = score_challenge(active.prompt.kind, active.issued_pts, active.samples, active.baseline,
                                  self.audio, final=False)
        return bool(outcome.details.get("completed")) and bool(outcome.details.get("recovered", True))

    def _limit(self, kind: ChallengeKind) -> float:
        return self.options.digits_timeout_s if kind is ChallengeKind.DIGITS else self.options.timeout_s

    def _hear_digits(self, active: ActiveChallenge, pts: float) -> DigitsHeard | None:
        asked = active.prompt.digits
        if asked is None:
            return None
        if self.digit_reader is None:
            return DigitsHeard(asked, None, "no speech recogniser (run `callshield models fetch`)")
        # Only what was said before the time ran out counts.
        end = min(pts, active.issued_pts + self.options.digits_timeout_s)
        heard = self.digit_reader(self.audio.samples_between(active.issued_pts, end))
        problem = getattr(self.digit_reader, "problem", None)
        return DigitsHeard(asked, heard, f"the speech recogniser could not be loaded: {problem}" if problem else None)

    def _resolve(self, active: ActiveChallenge, pts: float) -> Evidence:
        digits = self._hear_digits(active, pts)
        outcome = score_challenge(active.prompt.kind, active.issued_pts, active.samples, active.baseline,
                                  self.audio, final=True, digits=digits)
        details = {"kind": active.prompt.kind.value, "prompt": active.prompt.text, **outcome.details}
        if active.prompt.digits is not None:
            details["digits_asked"] = active.prompt.digits
        details["summary"] = summarise(active.prompt.kind, outcome.score, outcome.reason, details,
                                       self._limit(active.prompt.kind))
        tracks = [s.track for s in active.samples if s.track is not None]
        track = max(set(tracks), key=tracks.count) if tracks else None
        ev = (Evidence(self.id, active.issued_pts, pts, "ok", float(np.clip(outcome.score, 0, 1)), None,
                       rounded(details), track, self._captured) if outcome.score is not None else
              Evidence(self.id, active.issued_pts, pts, "not_applicable", None, outcome.reason or "cannot judge",
                       rounded(details), track, self._captured))
        self._windows.append(ev)
        self._active = None
        return ev


def create(models: Any = None, controller: ChallengeController | None = None) -> ChallengeDetector:
    """A challenge detector with its own controller (`detector.controller`): the desktop finds the
    `challenge` detector among the engine's detectors and posts prompts through it. With a model
    loader, digits are heard by the verified Whisper model, loaded at the first digit challenge."""
    reader = None
    manifest = getattr(models, "manifest", None)
    if manifest is not None:
        model_dir = models.model_dir
        reader = WhisperDigitReader(lambda: Recogniser(manifest, model_dir))
    return ChallengeDetector(controller if controller is not None else ChallengeController(), digit_reader=reader)
