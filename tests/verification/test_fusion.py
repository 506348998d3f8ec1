"""Fusion: deterministic, monotone, hysteresis, honest `unknown`, reasons with numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.fusion.calibration import Calibration, CalibrationSet, fit_platt, load_calibration
from verification.fusion.combine import risk_from_llr, total_llr
from verification.fusion.levels import LevelTracker
from verification.fusion.live import CallFusion
from verification.fusion.thresholds import elevated_at, shipped_thresholds
from verification.errors import ConfigError


def ev(det: str, t1: float, score: float, track: int | None = None) -> Evidence:
    return Evidence(det, t1 - 2.0, t1, "ok", score, track=track)


def test_total_llr_is_monotone_in_every_detector() -> None:
    """Raising any detector's LLR, or adding spoof evidence (LLR >= 0), never lowers the total."""
    dets = ["voice_synthetic", "face_synthetic", "replay", "pulse", "av_sync"]
    grid = [-3.0, -0.5, 0.0, 0.4, 2.5]
    for values in itertools.product(grid, repeat=3):
        base = dict(zip(dets[:3], values))
        for det in dets:
            if det in base:
                for bump in (0.1, 1.0, 5.0):
                    assert total_llr({**base, det: base[det] + bump}) >= total_llr(base)
            else:
                for added in (0.0, 0.3, 4.0):
                    assert total_llr({**base, det: added}) >= total_llr(base)


def test_correlated_detectors_not_double_counted_and_real_channel_cannot_cancel_fake() -> None:
    assert total_llr({"face_synthetic": 2.0, "replay": 2.0}) == 2.0  # same cue family
    assert total_llr({"face_synthetic": 2.0, "voice_synthetic": 2.0}) == 4.0  # independent channels
    assert total_llr({"voice_synthetic": 2.0, "pulse": -3.0}) == 2.0
    assert total_llr({"pulse": -1.0, "blink": -2.5, "voice_synthetic": -1.0}) == pytest.approx(-2.0)
    assert total_llr({"pulse": -9.0, "voice_synthetic": -9.0}) == -3.0


def test_same_evidence_same_verdicts() -> None:
    def run() -> list[tuple]:
        fusion = CallFusion()
        out = []
        for k in range(20):
            fusion.add(ev("voice_synthetic", 2 + 0.5 * k, 0.1 + 0.04 * k))
            fusion.add(ev("face_synthetic", 2 + 0.5 * k, 0.3, track=1))
            v = fusion.verdict(2 + 0.5 * k)
            out.append((v.level, v.risk, tuple(v.reasons)))
        return out
    assert run() == run()


def test_everything_not_applicable_gives_unknown_with_reasons() -> None:
    fusion = CallFusion()
    fusion.add(Evidence("pulse", 0, 2, "not_applicable", reason="no face"))
    fusion.add(Evidence("voice_synthetic", 0, 2, "not_applicable", reason="less than 1.5 s of speech"))
    v = fusion.verdict(2.0)
    assert v.level == "unknown" and v.risk is None
    assert any("full confirmation procedure" in r for r in v.reasons)
    assert "Not judged: Pulse (skin colour) — no face" in v.reasons
    final = fusion.final_verdict([DetectorResult.not_applicable("pulse", Modality.VIDEO, "no face")])
    assert final.level == "unknown"


def test_one_odd_window_does_not_alert_a_burst_elevates_and_only_a_sustained_run_is_high() -> None:
    fusion = CallFusion()  # mean LLR of the last 3 windows; `high` needs 3.5 s of them
    for k in range(6):
        fusion.add(ev("voice_synthetic", 2 + 0.5 * k, 0.05))
        fusion.verdict(2 + 0.5 * k)
    fusion.add(ev("voice_synthetic", 5.0, 0.97))
    assert fusion.verdict(5.0).level == "low"
    fusion.add(ev("voice_synthetic", 5.5, 0.97))
    assert fusion.verdict(5.5).level == "elevated"
    fusion.add(ev("voice_synthetic", 6.0, 0.97))
    v = fusion.verdict(6.0)
    assert v.level == "elevated" and v.risk == pytest.approx(0.85)  # a burst: held below `high`
    assert v.reasons[0] == ("Synthetic voice: the voice sounds synthesised or converted "
                            "(in 3 of 9 checks over 6.0 s, score 0.97)")
    assert "Not high yet: that needs 3.5 s of consistent evidence" in v.reasons
    levels = []
    for k in range(1, 12):
        fusion.add(ev("voice_synthetic", 6.0 + 0.5 * k, 0.97))
        levels.append(fusion.verdict(6.0 + 0.5 * k).level)
    # the mean over the last 3.5 s crosses 9:1 once most of it is the synthetic run
    assert levels[:3] == ["elevated"] * 3 and levels[-1] == "high"
    first_high = 6.0 + 0.5 * (levels.index("high") + 1)
    assert 7.5 <= first_high <= 9.0
    assert all(level == "high" for level in levels[levels.index("high"):])


def test_sustained_span_needs_unbroken_evidence_reaching_back() -> None:
    from verification.fusion.live import sustained_span
    windows = [ev("voice_synthetic", 2 + 0.5 * k, 0.9) for k in range(8)]  # t1 2.0 .. 5.5
    assert sustained_span(windows, 3.5, 2.5) == windows  # reaches back exactly 3.5 s
    assert sustained_span(windows[1:], 3.5, 2.5) == []  # 3.0 s only
    gap = windows[:2] + [ev("voice_synthetic", 9.0 + 0.5 * k, 0.9) for k in range(3)]
    assert sustained_span(gap, 3.5, 2.5) == []  # a pause of 6 s in the speech
    sparse = [ev("blink", 2.0 * k, 0.9) for k in range(1, 5)]  # one judgement every 2 s
    assert [w.t1 for w in sustained_span(sparse, 3.5, 2.5)] == [6.0, 8.0]


def test_hysteresis_holds_level_before_dropping() -> None:
    tracker = LevelTracker(hold_s=4.0)
    assert tracker.update(0.95, 0.0) == "high"
    assert tracker.update(0.2, 1.0) == "high"
    assert tracker.update(0.2, 4.5) == "high"  # below for 3.5 s only
    assert tracker.update(0.88, 5.0) == "high"  # within the margin: the clock restarts
    assert tracker.update(0.2, 6.0) == "high"
    assert tracker.update(0.2, 10.0) == "low"
    assert tracker.update(0.7, 10.5) == "elevated"  # rising is immediate
    assert tracker.update(None, 11.0) == "elevated"  # losing evidence never lowers an alert


def test_worst_participant_decides_and_final_verdict_is_worst_moment() -> None:
    fusion = CallFusion(stale_after_s=4.0)
    for k in range(8):  # 3.5 s of evidence: enough for `high`
        t = 2 + k * 0.5
        fusion.add(ev("face_synthetic", t, 0.1, track=0))
        fusion.add(ev("face_synthetic", t, 0.95, track=1))
        v = fusion.verdict(t)
    assert v.level == "high"
    assert {p.key: p.level for p in v.participants} == {"face #0": "low", "face #1": "high"}
    assert v.reasons[0].startswith("Face #1: Face swap: the face shows swap or generation artefacts")
    for k in range(30):  # the fake leaves; later only the real participant
        t = 6 + k * 0.5
        fusion.add(ev("face_synthetic", t, 0.1, track=0))
        fusion.verdict(t)
    assert fusion.verdict(21.0).level == "low"
    final = fusion.final_verdict([])
    assert final.level == "high" and "Worst moment at 5.5 s" in final.reasons


def test_calibration_fit_and_file(tmp_path) -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 300)
    scores = 1 / (1 + np.exp(-(rng.normal(0, 1, 600) + 2.0 * labels - 1.0) * 3))  # overconfident
    cal = fit_platt(scores, labels)
    assert 0 < cal.a < 1  # shrinks overconfident scores
    assert cal.score_for_llr(cal.llr(0.8)) == pytest.approx(0.8, abs=1e-6)
    path = tmp_path / "cal.toml"
    path.write_text(f'version = 3\n[detectors.voice_synthetic]\na = {cal.a}\nb = {cal.b}\nfitted_on = "x"\n')
    loaded = load_calibration(path)
    assert loaded.version == 3 and loaded.for_detector("voice_synthetic").a == pytest.approx(cal.a)
    assert loaded.for_detector("pulse") == Calibration()
    path.write_text('[detectors.pulse]\na = -1\nb = 0\n')
    with pytest.raises(ConfigError, match="slope a must be positive"):
        load_calibration(path)
    assert risk_from_llr(0.0) == 0.5 and CalibrationSet().version == 0


def test_shipped_calibration_is_fitted_and_says_on_what() -> None:
    shipped = load_calibration()  # models/calibration.toml, written by models/calibration/calibrate.py
    assert shipped.version >= 1
    for det in ("voice_synthetic", "face_synthetic"):
        cal = shipped.for_detector(det)
        assert cal != Calibration() and cal.a > 0
        assert "bona fide" in cal.fitted_on and "spoof" in cal.fitted_on


def test_moving_elevated_to_a_log_odds_keeps_the_slope_and_moves_high_with_it() -> None:
    shipped = Calibration(1.41, 0.33)
    moved = elevated_at(shipped, 3.0)
    assert moved.a == shipped.a
    assert moved.llr(1 / (1 + np.exp(-3.0))) == pytest.approx(np.log(2.0))
    cal = CalibrationSet(1, {"voice_synthetic": moved})
    levels = shipped_thresholds("voice_synthetic", cal)
    # high sits log(4.5) / a above elevated in log-odds, as before the move
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    assert logit(levels["elevated"]) == pytest.approx(3.0, abs=0.01)
    assert logit(levels["high"]) - logit(levels["elevated"]) == pytest.approx(np.log(4.5) / 1.41, abs=0.01)  # thresholds are rounded scores
