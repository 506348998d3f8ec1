"""`face_synthetic`: face swap, reenactment or generated face.

Per face track and analysed frame: the hand-crafted cues of `face_cues` (resolution gap between
face and surroundings, colour step along a ring inside the outline, inner-face jitter against the
head outline and inner/outer yaw disagreement) and, every `classify_every` frames, the
project-trained classifier (self-blended training, models/face/MODEL_CARD.md). Each second the
last `window_s` seconds are judged: the classifier's mean probability carries most weight, the
cues can add to it but never alone reach "high". Faces turned to profile are not judged (the
crop then shows mostly background and the cues mislead).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.detectors.base import FrameAnalysis
from verification.detectors.compression import HEAVY, region_blockiness
from verification.detectors.evidence import Modality
from verification.detectors.face_classifier import MODEL_ID, FaceClassifier, face_crop, landmarks_usable
from verification.detectors.face_cues import TemporalCues, boundary_step, cue_crop, resolution_gap
from verification.detectors.signal_tools import logistic
from verification.detectors.video_common import Judgement, TrackedVideoDetector, too_short
from verification.errors import ModelError

PROFILE = "face turned too far from the camera to judge"


def cue_terms(gap: float, step: float, jitter: float) -> dict[str, float]:
    """Each cue mapped to 0..1 (0.5 where it starts to look like a swap); nan stays nan."""
    return {"resolution_term": float(logistic(gap, 0.45, 0.15)) if np.isfinite(gap) else float("nan"),
            "boundary_term": float(logistic(step, 1.6, 0.3)) if np.isfinite(step) else float("nan"),
            "jitter_term": float(logistic(jitter, 0.02, 0.006)) if np.isfinite(jitter) else float("nan")}


def frame_score(p_classifier: float, gap: float, step: float, jitter: float) -> float:
    """Classifier probability, raised by the cues by at most 0.3 (they are noisier than it)."""
    terms = [v for v in cue_terms(gap, step, jitter).values() if np.isfinite(v)]
    cues = max(terms) if terms else 0.0
    p = p_classifier if np.isfinite(p_classifier) else 0.0
    return float(np.clip(0.85 * p + 0.3 * cues * (1.0 - p), 0.0, 1.0))


@dataclass(frozen=True)
class FaceSyntheticOptions:
    window_s: float = 3.0
    min_samples: int = 3  # classifier runs within the window
    classify_every: int = 3  # analysed frames between classifier runs (amortises its cost)
    max_yaw_deg: float = 40.0


@dataclass
class FaceTrack:
    t: deque[float]
    prob: deque[float]  # nan on frames the classifier skipped
    gap: deque[float]
    step: deque[float]
    block: deque[float]  # codec blocking over the face (nan on frames it is not measured)
    temporal: TemporalCues = field(default_factory=TemporalCues)
    frames: int = 0
    profile_frames: int = 0
    history: list[float] = field(default_factory=list)
    last: dict[str, Any] = field(default_factory=dict)


class FaceSyntheticDetector(TrackedVideoDetector[FaceTrack]):
    id = "face_synthetic"
    modality = Modality.VIDEO
    models: tuple[str, ...] = (MODEL_ID,)

    def __init__(self, classifier: FaceClassifier, options: FaceSyntheticOptions | None = None) -> None:
        super().__init__()
        self.classifier = classifier
        self.options = options or FaceSyntheticOptions()

    def new_state(self, obs: Any) -> FaceTrack:
        n = int(self.options.window_s * 40)
        return FaceTrack(deque(maxlen=n), deque(maxlen=n), deque(maxlen=n), deque(maxlen=n), deque(maxlen=n))

    def observe(self, state: FaceTrack, obs: Any, analysis: FrameAnalysis) -> None:
        pose = obs.head_pose
        if not landmarks_usable(obs.landmarks5):
            return
        if pose is not None and abs(pose.yaw) > self.options.max_yaw_deg:
            state.profile_frames += 1
            state.temporal.reset_motion()
            return
        image = analysis.frame.image
        # Classifier and picture cues take turns on alternate frames: each is a window median
        # or mean, so neither needs every frame, and the per-frame cost stays flat.
        phase = state.frames % self.options.classify_every
        prob = gap = step = block = float("nan")
        if phase == 0:
            prob = float(self.classifier.predict(face_crop(image, obs.landmarks5)[None])[0])
        elif phase == 1:
            crop = cue_crop(image, obs.landmarks5)
            gap, step = resolution_gap(crop), boundary_step(crop)
        else:
            block = region_blockiness(image, obs.box)
        state.frames += 1
        state.t.append(float(analysis.frame.pts))
        state.prob.append(prob)
        state.gap.append(gap)
        state.step.append(step)
        state.block.append(block)
        if obs.mesh is not None:
            state.temporal.update(obs.mesh)

    def judge(self, state: FaceTrack, now: float) -> Judgement:
        o = self.options
        t = np.asarray(state.t)
        sel = t >= now - o.window_s - 1e-6
        t0 = float(t[sel][0]) if sel.any() else max(0.0, now - o.window_s)
        prob = np.asarray(state.prob)[sel]
        prob = prob[np.isfinite(prob)]
        if len(prob) < o.min_samples:
            if state.profile_frames and not sel.any():
                return Judgement(t0, reason=PROFILE)
            span = float(t[sel][-1] - t[sel][0]) if sel.sum() > 1 else 0.0
            return Judgement(t0, reason=too_short(span, o.classify_every * o.min_samples / 15.0))
        blocks = np.asarray(state.block)[sel]
        block = float(np.nanmedian(blocks)) if np.isfinite(blocks).any() else float("nan")
        if block > HEAVY:  # the codec has wiped the fine detail a swap would be seen in
            return Judgement(t0, reason=f"heavy compression over the face (blocking {block:.1f}x): "
                                        "swap traces cannot be told from codec artefacts")
        p = float(np.mean(prob))
        gap = float(np.nanmedian(np.asarray(state.gap)[sel])) if np.isfinite(np.asarray(state.gap)[sel]).any() else float("nan")
        step = float(np.nanmedian(np.asarray(state.step)[sel])) if np.isfinite(np.asarray(state.step)[sel]).any() else float("nan")
        jitter = state.temporal.inner_jitter()
        score = frame_score(p, gap, step, jitter)
        details = {"classifier": p, "classifier_max": float(prob.max()), "resolution_gap": gap, "blockiness": block,
                   "boundary_step": step, "inner_jitter": jitter, "pose_gap": state.temporal.pose_gap(),
                   **cue_terms(gap, step, jitter)}
        state.history.append(score)
        state.last = details
        return Judgement(t0, score, details=details)

    def track_details(self, state: FaceTrack) -> dict[str, Any]:
        keys = ("classifier", "resolution_gap", "boundary_step", "inner_jitter", "pose_gap", "blockiness")
        return {k: state.last[k] for k in keys if k in state.last}


def create(models: Any = None) -> FaceSyntheticDetector:
    if models is None:
        raise ModelError(f"no model loader: the '{MODEL_ID}' classifier cannot be loaded")
    return FaceSyntheticDetector(FaceClassifier(models.load(MODEL_ID).session))
