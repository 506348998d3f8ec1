"""voice_synthetic: the committed ONNX model loads through the manifest (sha256-checked), scores
held-out real speech low and vocoded speech high, and says when it cannot judge."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from verification.detectors.evidence import DetectorResult
from verification.detectors.voice_synthetic import VoiceSyntheticDetector, create
from verification.errors import ModelError
from verification.inference.loader import ModelLoader
from verification.inference.manifest import load_manifest

from .test_voice_support import (RATE, VOICE_DIR, heldout_libri_speakers, load_speech, shared_rows, silence,
                                 voice_loader, windows)

from voicetrain.vocoders import griffin_lim, lpc  # noqa: E402  (numpy/librosa only)


def _run(detector: VoiceSyntheticDetector, audio: np.ndarray, **kw: object) -> DetectorResult:
    for w in windows(audio, **kw):  # type: ignore[arg-type]
        detector.process_audio(w)
    return detector.result()


@pytest.fixture(scope="module")
def heldout_real() -> list[np.ndarray]:
    """LJSpeech (a corpus never used in training) and LibriSpeech test-split speakers."""
    lj = [load_speech(r["path"]) for r in sorted(shared_rows("ljspeech_coqui"), key=lambda r: r["path"])[:4]]
    libri = [load_speech(r["path"]) for r in sorted(heldout_libri_speakers(), key=lambda r: r["path"])[:4]]
    return [x[: 8 * RATE] for x in lj + libri]


def test_model_entry_matches_the_committed_file() -> None:
    entry = load_manifest().entry("voice_synthetic")
    data = (VOICE_DIR / "voice_synthetic.onnx").read_bytes()
    import hashlib

    assert entry.size == len(data) and entry.sha256 == hashlib.sha256(data).hexdigest()
    assert entry.source.kind == "project"


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    loader = voice_loader(tmp_path)
    target = tmp_path / "models" / "voice_synthetic.onnx"
    data = bytearray((VOICE_DIR / "voice_synthetic.onnx").read_bytes())
    data[len(data) // 2] ^= 1
    target.unlink()
    target.write_bytes(bytes(data))
    with pytest.raises(ModelError):
        create(ModelLoader(load_manifest(), tmp_path / "models"))


def test_heldout_real_speech_scores_low(tmp_path: Path, heldout_real: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    scores = []
    for audio in heldout_real:
        result = _run(create(loader), audio)
        assert result.status == "ok", result.reason
        scores.append(result.score)
    assert np.median(scores) < 0.3, scores
    assert sum(s >= 0.5 for s in scores) <= 1, scores


@pytest.mark.parametrize("vocoder", [griffin_lim, lpc])
def test_vocoded_speech_scores_high(tmp_path: Path, heldout_real: list[np.ndarray], vocoder: object) -> None:
    loader = voice_loader(tmp_path)
    rng = np.random.default_rng(0)
    real_scores, fake_scores = [], []
    for audio in heldout_real[:6]:
        fake = vocoder(audio, rng)  # type: ignore[operator]
        fake = (fake / (np.abs(fake).max() + 1e-9) * 0.9).astype(np.float32)
        real_scores.append(_run(create(loader), audio).score)
        fake_scores.append(_run(create(loader), fake).score)
    assert np.median(fake_scores) > 0.7, fake_scores
    # Matched pairs: same words, speaker and recording; only the synthesis differs.
    assert np.mean([f > r for f, r in zip(fake_scores, real_scores)]) >= 5 / 6


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_espeak_speech_scores_high(tmp_path: Path) -> None:
    import subprocess

    from voicetrain.audio_io import load_16k, trim_silence

    loader = voice_loader(tmp_path)
    wav = tmp_path / "tts.wav"
    subprocess.run(["espeak-ng", "-v", "en-us+m2", "-w", str(wav),
                    "Please confirm the new account number before the payment goes out this afternoon."],
                   check=True, capture_output=True)
    result = _run(create(loader), trim_silence(load_16k(wav)))
    assert result.status == "ok" and result.score is not None and result.score > 0.7


def test_windows_report_scores_and_call_details(tmp_path: Path, heldout_real: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    audio = np.concatenate([silence(3.0), heldout_real[0], silence(2.0)])
    result = _run(create(loader), audio)
    statuses = [w.status for w in result.windows]
    assert statuses[0] == "not_applicable" and result.windows[0].reason == "no speech"
    assert "ok" in statuses
    assert result.details["windows_scored"] == statuses.count("ok")
    assert result.details["speech_s"] > 5.0
    assert 0.0 < result.details["first_score_after_speech_s"] <= 2.0  # live target: first score within 2 s


def test_not_applicable_paths(tmp_path: Path, heldout_real: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    quiet = _run(create(loader), silence(5.0))
    assert quiet.status == "not_applicable" and quiet.reason == "no speech detected"
    short = _run(create(loader), np.concatenate([silence(2.0), heldout_real[0][: int(1.0 * RATE)], silence(2.0)]))
    assert short.status == "not_applicable" and "at least 1.5 s" in (short.reason or "")
    gaps = _run(create(loader), heldout_real[0][: 3 * RATE], gap_at=set(range(100)))
    assert gaps.status == "not_applicable"
    assert all(w.reason == "audio was lost in this window" for w in gaps.windows)


def test_music_is_not_judged(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    parts = []
    for _ in range(40):  # chords of harmonic notes, 0.25-0.6 s each
        t = np.arange(int(rng.uniform(0.25, 0.6) * RATE)) / RATE
        chord = sum(np.sin(2 * np.pi * f * k * t) / k for f in 220 * 2 ** (rng.integers(0, 24, 3) / 12)
                    for k in range(1, 8))
        parts.append(chord * np.exp(-1.5 * t))
    music = np.concatenate(parts)[: 12 * RATE]
    music = (0.5 * music / np.abs(music).max()).astype(np.float32)
    result = _run(create(voice_loader(tmp_path)), music)
    assert result.status == "not_applicable"
    assert "music" in (result.reason or "") or "speech" in (result.reason or "")


def test_factory_needs_models() -> None:
    with pytest.raises(ModelError):
        create(None)


def test_vocoded_speech_is_not_skipped_as_music(tmp_path: Path, heldout_real: list[np.ndarray]) -> None:
    # Griffin-Lim fills the pauses between words, so vocoded speech rarely dips in level; the
    # music check must still see that its spectrum keeps changing, or it hides the attack.
    loader = voice_loader(tmp_path)
    rng = np.random.default_rng(1)
    skipped = scored = 0
    for audio in heldout_real:
        fake = griffin_lim(audio, rng)
        result = _run(create(loader), (fake / (np.abs(fake).max() + 1e-9) * 0.9).astype(np.float32))
        skipped += result.details["windows_music"]
        scored += result.details["windows_scored"]
    assert scored > 50 and skipped == 0, (skipped, scored)


def test_a_model_trained_on_another_front_end_is_refused_by_name(tmp_path: Path) -> None:
    import onnx
    import onnxruntime as ort

    from verification.detectors.audio_features import FEATURE_VERSION
    from verification.detectors.vad import SileroVad

    loader = voice_loader(tmp_path)
    model = onnx.load(str(VOICE_DIR / "voice_synthetic.onnx"))
    assert {p.key: p.value for p in model.metadata_props}["feature_version"] == FEATURE_VERSION
    for prop in model.metadata_props:
        if prop.key == "feature_version":
            prop.value = "logmel80-v1"  # same input width, other features
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    vad = SileroVad(loader.load("silero_vad").session)
    with pytest.raises(ModelError, match="trained on features 'logmel80-v1', this build computes"):
        VoiceSyntheticDetector(session, vad)
