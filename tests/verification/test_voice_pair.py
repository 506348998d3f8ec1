"""SharedSpeech: both voice detectors of a call use one VAD stream, and still work alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from verification.detectors.registry import DetectorRegistry
from verification.detectors.voice_identity import VoiceIdentityDetector
from verification.detectors.voice_pair import SharedSpeech
from verification.detectors.voice_synthetic import VoiceSyntheticDetector

from .test_voice_support import RATE, load_speech, shared_rows, silence, voice_loader, windows


def test_one_tracker_per_call_shared_by_both(tmp_path: Path) -> None:
    loader = voice_loader(tmp_path)
    speech = SharedSpeech()
    registry = DetectorRegistry()
    registry.register("voice_synthetic", speech.synthetic)
    registry.register("voice_identity", speech.identity)
    first = {d.id: d for d in registry.create_all(loader)}
    second = {d.id: d for d in registry.create_all(loader)}
    syn, ident = first["voice_synthetic"], first["voice_identity"]
    assert isinstance(syn, VoiceSyntheticDetector) and isinstance(ident, VoiceIdentityDetector)
    assert syn.tracker is ident.tracker is not None
    assert second["voice_synthetic"].tracker is not syn.tracker  # a new call gets a new stream

    audio = np.concatenate([silence(1.0), load_speech(shared_rows("ljspeech_coqui")[0]["path"])[: 7 * RATE]])
    for w in windows(audio):
        syn.process_audio(w)
        ident.process_audio(w)
    assert syn.result().status == "ok" and ident.result().status == "ok"
    assert syn.tracker.speech_seconds < audio.size / RATE  # counted once, not twice


def test_identity_alone_makes_its_own_tracker(tmp_path: Path) -> None:
    detector = SharedSpeech().identity(voice_loader(tmp_path))
    assert detector.tracker is not None
