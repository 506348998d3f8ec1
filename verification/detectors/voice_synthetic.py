"""`voice_synthetic`: is the speech synthetic or converted? VAD-gated windows, call-level score.

Each engine window (2 s every 0.5 s) that is mostly speech is scored by the project-trained
ONNX model (models/voice, see its MODEL_CARD.md) on features computed by audio_features, the
same code the training used. The model's output is calibrated log-odds; the call score is the
sigmoid of their mean over scored windows, so long calls are judged on all their speech.
Windows that sound like music, hold two voices at once (overlap_speech), or where the voice
barely rises above background noise (noise_floor) are not scored: the model was trained on one
voice heard clearly enough, and its score would mean nothing there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verification.detectors.audio_features import (FEATURE_VERSION, SAMPLE_RATE, SPOOF_N_MELS, SpoofFrameCache,
                                                   normalize_window)
from verification.detectors.base import Detector
from verification.detectors.evidence import AudioWindow, DetectorResult, Evidence, Modality
from verification.detectors.noise_floor import NOISY_BELOW_DB, LevelHistory, too_noisy
from verification.detectors.overlap_speech import PitchFrameCache, count_frames, is_overlapped
from verification.detectors.speech_checks import looks_like_music
from verification.detectors.vad import SileroVad, SpeechTracker
from verification.errors import ModelError

MODEL_ID = "voice_synthetic"
MIN_SPEECH_S = 1.5  # below this a verdict on the voice is a guess (as vendors also refuse)
WINDOW_SPEECH = 0.4  # score a window only when at least this share of it is speech
MIN_WINDOW_S = 1.0  # the model needs context; shorter tail windows are skipped
MUSIC_SHARE = 0.5  # call-level: this share of speech windows sounding like music -> not applicable
OVERLAP_SHARE = 0.5  # call-level: this share of speech windows with two voices at once -> not applicable
NOISY_SHARE = 0.5  # call-level: this share of speech windows too noisy to judge -> not applicable


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


@dataclass
class VoiceSyntheticDetector(Detector):
    session: Any  # onnxruntime session of the voice_synthetic model
    vad: SileroVad
    evidence: list[Evidence] = field(default_factory=list)
    logits: list[float] = field(default_factory=list)
    music_windows: int = 0
    overlap_windows: int = 0
    noisy_windows: int = 0
    speech_windows: int = 0
    first_score_s: float | None = None
    tracker: SpeechTracker | None = None  # shared with voice_identity when the caller wires one
    _frames: SpoofFrameCache = field(default_factory=SpoofFrameCache)
    _pitch: PitchFrameCache = field(default_factory=PitchFrameCache)
    _levels: LevelHistory = field(default_factory=LevelHistory)
    _spreads: list[float] = field(default_factory=list)  # of the windows too noisy to judge

    id = "voice_synthetic"
    modality = Modality.AUDIO
    models = (MODEL_ID, "silero_vad")

    def __post_init__(self) -> None:
        names = [i.name for i in self.session.get_inputs()]
        outputs = [o.name for o in self.session.get_outputs()]
        if names != ["features"] or "logit" not in outputs:
            raise ModelError(f"{MODEL_ID}: unexpected model signature {names} -> {outputs}")
        # a model trained on another front end would score windows it cannot read, and no shape
        # check catches a change that keeps the width
        trained_on = self.session.get_modelmeta().custom_metadata_map.get("feature_version")
        if trained_on is not None and trained_on != FEATURE_VERSION:
            raise ModelError(f"{MODEL_ID}: the model was trained on features '{trained_on}', "
                             f"this build computes '{FEATURE_VERSION}'")
        if self.tracker is None:
            self.tracker = SpeechTracker(self.vad)

    def process_audio(self, window: AudioWindow) -> list[Evidence]:
        assert self.tracker is not None
        if window.sample_rate != SAMPLE_RATE:
            raise ValueError(f"{self.id}: windows must be {SAMPLE_RATE} Hz, got {window.sample_rate}")
        self.tracker.update(window)
        if not window.gap:  # pauses without speech are what shows the background level
            self._levels.add(window.samples, int(round(window.t0 * SAMPLE_RATE)))
        evidence = self._judge(window)
        self.evidence.append(evidence)
        return [evidence]

    def _judge(self, window: AudioWindow) -> Evidence:
        assert self.tracker is not None
        share = self.tracker.speech_fraction(window.t0, window.t1)

        def na(reason: str) -> Evidence:
            return Evidence(self.id, window.t0, window.t1, "not_applicable", reason=reason,
                            details={"speech_share": round(share, 2)}, captured_at=window.captured_at)

        if window.samples.size < MIN_WINDOW_S * SAMPLE_RATE:
            return na("window too short")
        if window.gap:
            return na("audio was lost in this window")
        if share < WINDOW_SPEECH:
            return na("no speech" if share == 0 else f"too little speech ({share:.0%} of the window)")
        self.speech_windows += 1
        spread = self._levels.spread_db()
        if spread is not None and too_noisy(spread):
            self.noisy_windows += 1
            self._spreads.append(spread)
            return na(f"too noisy: the voice stands only {spread:.0f} dB above the background")
        start = int(round(window.t0 * SAMPLE_RATE))
        feats = self._frames.window(window.samples, start)
        if looks_like_music(feats[:, :SPOOF_N_MELS]):
            self.music_windows += 1
            return na("sounds like music")
        two_voice, voiced = count_frames(self._pitch.window(window.samples, start))
        if is_overlapped(two_voice, voiced):
            self.overlap_windows += 1
            return na("several speakers at once")
        logit = float(self.session.run(["logit"], {"features": normalize_window(feats)[None]})[0][0])
        self.logits.append(logit)
        if self.first_score_s is None:
            self.first_score_s = window.t1
        return Evidence(self.id, window.t0, window.t1, "ok", score=round(_sigmoid(logit), 4),
                        details={"speech_share": round(share, 2), "log_odds": round(logit, 3),
                                 "two_voice_frames": two_voice},
                        captured_at=window.captured_at)

    def result(self) -> DetectorResult:
        assert self.tracker is not None
        speech_s = self.tracker.speech_seconds
        details: dict[str, Any] = {"speech_s": round(speech_s, 2), "windows_scored": len(self.logits),
                                   "windows_music": self.music_windows, "windows_overlap": self.overlap_windows,
                                   "windows_noisy": self.noisy_windows}

        def na(reason: str) -> DetectorResult:
            result = DetectorResult.not_applicable(self.id, self.modality, reason, list(self.evidence))
            result.details = details
            return result

        if speech_s == 0.0:
            return na("no speech detected")
        if speech_s < MIN_SPEECH_S:
            return na(f"only {speech_s:.1f} s of speech (at least {MIN_SPEECH_S:.1f} s needed)")
        if self.speech_windows and self.music_windows / self.speech_windows >= MUSIC_SHARE:
            return na("music or singing in most of the audio; the voice cannot be judged")
        if self.speech_windows and self.overlap_windows / self.speech_windows >= OVERLAP_SHARE:
            return na("several speakers talk at once in most of the speech; the voice cannot be judged")
        if self.speech_windows and self.noisy_windows / self.speech_windows >= NOISY_SHARE:
            return na(f"too noisy: in most speech the voice stands only about {np.median(self._spreads):.0f} dB "
                      f"above the background (at least {NOISY_BELOW_DB:.0f} needed); the voice cannot be judged")
        if not self.logits:
            return na("speech too sparse: no 2 s stretch was mostly speech")
        scores = [_sigmoid(x) for x in self.logits]
        flagged = sum(s >= 0.5 for s in scores)
        score = _sigmoid(float(np.mean(self.logits)))
        details.update(windows_flagged=flagged, max_window_score=round(max(scores), 4),
                       median_window_score=round(float(np.median(scores)), 4))
        if self.tracker.first_speech_s is not None and self.first_score_s is not None:
            details["first_score_after_speech_s"] = round(self.first_score_s - self.tracker.first_speech_s, 2)
        reason = f"{flagged} of {len(scores)} speech windows sound synthetic over {speech_s:.1f} s of speech"
        return DetectorResult(self.id, self.modality, "ok", round(score, 4), reason, list(self.evidence), details)


def create(models: Any, speech: SpeechTracker | None = None) -> VoiceSyntheticDetector:
    """Registry factory: `models` is a ModelLoader. `speech` may be one SpeechTracker shared with
    voice_identity (same audio worker thread): the VAD then runs once per sample, not twice."""
    if models is None:
        raise ModelError("voice_synthetic needs the voice_synthetic and silero_vad models")
    session = models.load(MODEL_ID).session
    vad = SileroVad(models.load("silero_vad").session)
    return VoiceSyntheticDetector(session, vad, tracker=speech)
