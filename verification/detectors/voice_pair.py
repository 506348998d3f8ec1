"""Registry factories for the two voice detectors that share one VAD stream per call.

Both detectors gate on the same Silero VAD; run separately it costs ~6 ms per second of audio
each, a third of the audio path. They run in the same audio worker thread, so one SpeechTracker
can serve both: `SpeechTracker.update` ignores samples it has already classified.

    speech = SharedSpeech()
    registry.register("voice_synthetic", speech.synthetic)
    registry.register("voice_identity", speech.identity)

The registry builds detectors in catalogue order (voice_synthetic first) for every call; the
tracker made for voice_synthetic is handed to the next voice_identity. Either also works alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from verification.detectors import voice_identity, voice_synthetic
from verification.detectors.vad import SileroVad, SpeechTracker


@dataclass
class SharedSpeech:
    enrolled: np.ndarray | None = None  # voiceprint for voice_identity, when the call has one
    _pending: SpeechTracker | None = None

    def synthetic(self, models: Any) -> voice_synthetic.VoiceSyntheticDetector:
        tracker = SpeechTracker(SileroVad(models.load("silero_vad").session)) if models is not None else None
        detector = voice_synthetic.create(models, speech=tracker)
        self._pending = tracker  # only once the detector exists (a refused model hands nothing on)
        return detector

    def identity(self, models: Any) -> voice_identity.VoiceIdentityDetector:
        tracker, self._pending = self._pending, None
        return voice_identity.create(models, enrolled=self.enrolled, speech=tracker)
