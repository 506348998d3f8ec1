"""voice_identity: one voice stays one voice; two real speakers back to back are a change;
an enrolled voiceprint matches its owner and not someone else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.detectors.voice_identity import CHANGE_ALONE_MAX, VoiceIdentityDetector, create
from verification.detectors.evidence import DetectorResult
from verification.fusion.calibration import load_calibration
from verification.fusion.levels import ELEVATED_LLR, ORDER
from verification.fusion.live import CallFusion

from .test_voice_support import RATE, load_speech, shared_rows, silence, voice_loader, windows


def _libri(count: int) -> list[np.ndarray]:
    rows = sorted(shared_rows("librispeech_resemblyzer"), key=lambda r: r["path"])
    out = [load_speech(r["path"]) for r in rows[:40]]
    return sorted((x for x in out if x.size >= 12 * RATE), key=lambda x: -x.size)[:count]


def _run(detector: VoiceIdentityDetector, audio: np.ndarray) -> DetectorResult:
    for w in windows(audio):
        detector.process_audio(w)
    return detector.result()


@pytest.fixture(scope="module")
def speakers() -> list[np.ndarray]:
    return _libri(4)


def test_one_speaker_is_one_voice(tmp_path: Path, speakers: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    for audio in speakers[:3]:
        result = _run(create(loader), audio[: 12 * RATE])
        assert result.status == "ok", result.reason
        assert result.details["voice_changes"] == [], result.details
        assert result.score is not None and result.score < 0.5


def test_two_real_speakers_concatenated_is_a_change(tmp_path: Path, speakers: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    for a, b in ((speakers[0], speakers[1]), (speakers[2], speakers[3])):
        audio = np.concatenate([a[: 8 * RATE], b[: 8 * RATE]])
        result = _run(create(loader), audio)
        assert result.status == "ok"
        changes = result.details["voice_changes"]
        assert changes, result.details
        assert 6.0 <= changes[0]["t_s"] <= 10.0  # the switch is at 8 s; tiles are 2 s
        # a change alone is held below `elevated`: named, but no alert by itself
        assert result.score == pytest.approx(CHANGE_ALONE_MAX)
        assert "changes" in (result.reason or "")


def test_a_second_voice_alone_never_raises_the_call(tmp_path: Path, speakers: list[np.ndarray]) -> None:
    calibration = load_calibration()
    assert calibration.for_detector("voice_identity").llr(CHANGE_ALONE_MAX) < ELEVATED_LLR
    loader = voice_loader(tmp_path)
    enrol = create(loader)
    _run(enrol, speakers[0][: 6 * RATE])
    audio = np.concatenate([speakers[0][6 * RATE: 14 * RATE], speakers[1][: 8 * RATE]])
    for enrolled, worst_expected in ((None, "low"), (enrol.voiceprint(), "elevated")):
        detector, fusion, worst = create(loader, enrolled=enrolled), CallFusion(calibration), "unknown"
        for w in windows(audio):
            for evidence in detector.process_audio(w):
                fusion.add(evidence)
            worst = max(worst, fusion.verdict(w.t1).level, key=ORDER.__getitem__)
        assert detector.result().details["voice_changes"]
        # without a voiceprint the change is reported but the call stays low; against the
        # enrolled owner the second voice is a mismatch and raises it
        assert worst == worst_expected


def test_enrolled_voiceprint_matches_its_owner_only(tmp_path: Path, speakers: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    enrol = create(loader)
    _run(enrol, speakers[0][: 6 * RATE])
    voiceprint = enrol.voiceprint()
    assert voiceprint is not None and voiceprint.shape == (256,)
    same = _run(create(loader, enrolled=voiceprint), speakers[0][6 * RATE: 12 * RATE])
    other = _run(create(loader, enrolled=voiceprint), speakers[1][: 6 * RATE])
    assert same.details["enrolled_match"] is True and other.details["enrolled_match"] is False
    assert same.details["distance_to_enrolled"] < other.details["distance_to_enrolled"]
    assert same.score is not None and other.score is not None and same.score < 0.5 < other.score


def test_not_applicable_without_enough_speech(tmp_path: Path, speakers: list[np.ndarray]) -> None:
    loader = voice_loader(tmp_path)
    quiet = _run(create(loader), silence(6.0))
    assert quiet.status == "not_applicable" and quiet.reason == "no speech detected"
    short = _run(create(loader), np.concatenate([silence(1.0), speakers[0][: int(2.2 * RATE)], silence(1.0)]))
    assert short.status == "not_applicable" and "too little" in (short.reason or "")


def test_bad_voiceprint_is_refused(tmp_path: Path) -> None:
    loader = voice_loader(tmp_path)
    with pytest.raises(ValueError):
        create(loader, enrolled=np.zeros(256, np.float32))
    with pytest.raises(ValueError):
        create(loader, enrolled=np.ones(128, np.float32))
