"""`low` only after enough judged evidence; one plain sentence per detector; damage says so."""

from __future__ import annotations

import re

from verification.detectors.catalog import DETECTOR_IDS
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.fusion.live import CallFusion
from verification.fusion.sufficiency import MIN_FACE_S, MIN_SPEECH_S, judged_seconds, shortfall
from verification.pipeline.reconnect import NotJudgedSpan

#: what an internal id looks like in text: a snake_case detector id, or one in brackets
INTERNAL = re.compile("|".join([d for d in DETECTOR_IDS if "_" in d] + [r"\[[a-z_]+\]"]))


def ev(det: str, t1: float, score: float, track: int | None = None, length: float = 2.0) -> Evidence:
    return Evidence(det, max(0.0, t1 - length), t1, "ok", score, track=track)


def test_judged_seconds_counts_overlapping_windows_once() -> None:
    windows = [ev("voice_synthetic", 2.0 + 0.5 * k, 0.1) for k in range(3)]  # 0-2, 0.5-2.5, 1-3
    assert judged_seconds(windows) == 3.0
    assert judged_seconds(windows + [ev("voice_synthetic", 10.0, 0.1)]) == 5.0
    assert judged_seconds([Evidence("pulse", 0, 5, "not_applicable", reason="no face")]) == 0.0
    assert shortfall("voice", 0.5) == f"only 0.5 s of speech judged so far; {MIN_SPEECH_S:.0f} s needed"
    assert shortfall("face #0", MIN_FACE_S) is None


def test_short_speech_is_not_judged_yet_then_low() -> None:
    fusion = CallFusion()
    fusion.add(ev("voice_synthetic", 0.5, 0.02, length=0.5))
    v = fusion.verdict(0.5)
    assert v.level == "unknown" and v.risk is None
    assert v.reasons[0] == "Voice: not judged yet — only 0.5 s of speech judged so far; 4 s needed"
    assert v.participants[0].level == "unknown" and v.participants[0].risk is None
    assert v.as_dict()["advice"].startswith("Not judged yet")
    levels = []
    for k in range(1, 8):
        fusion.add(ev("voice_synthetic", 2.0 + 0.5 * k, 0.02))
        levels.append(fusion.verdict(2.0 + 0.5 * k).level)
    assert levels[:3] == ["unknown"] * 3  # windows end at 2.5, 3.0, 3.5 s: under 4 s judged
    assert levels[3:] == ["low"] * 4  # from the window ending at 4.0 s
    assert fusion.verdict(5.5).reasons[0] == "Voice: no signs of synthetic media in 5.5 s of speech"


def test_a_burst_still_raises_an_alert_before_enough_evidence() -> None:
    fusion = CallFusion()
    for k in range(3):
        fusion.add(ev("voice_synthetic", 1.0 + 0.5 * k, 0.99, length=1.0))
    v = fusion.verdict(2.0)
    assert v.level == "elevated" and v.risk is not None


def test_a_call_is_low_only_when_everyone_judged_is_low() -> None:
    fusion = CallFusion()
    for k in range(10):
        fusion.add(ev("voice_synthetic", 2.0 + 0.5 * k, 0.02))
    fusion.add(ev("face_synthetic", 6.5, 0.05, track=0, length=1.0))  # a face seen for 1 s only
    v = fusion.verdict(6.5)
    assert {p.key: p.level for p in v.participants} == {"face #0": "unknown", "voice": "low"}
    assert v.level == "unknown" and v.risk is None


def test_a_detector_is_judged_or_not_judged_never_both_and_no_ids_in_words() -> None:
    fusion = CallFusion()
    for k in range(10):
        fusion.add(ev("voice_synthetic", 2.0 + 0.5 * k, 0.02))
        fusion.add(ev("voice_identity", 2.0 + 0.5 * k, 0.55))  # leans "different speaker", weakly
    fusion.add(Evidence("voice_synthetic", 6.5, 7.0, "not_applicable", reason="no speech in the window"))
    fusion.add(Evidence("pulse", 0.0, 7.0, "not_applicable", reason="no face"))
    v = fusion.verdict(7.0)
    assert v.level == "low"
    assert not any("Synthetic voice —" in r for r in v.reasons)  # judged, so not listed as not judged
    assert "Not judged: Pulse (skin colour) — no face" in v.reasons
    assert not any("does not match" in r for r in v.reasons)  # a low verdict does not voice an alarm
    assert v.notes["voice_identity"].startswith("Voice identity: the same speaker throughout")
    assert not any(INTERNAL.search(text) for text in v.reasons + list(v.notes.values()))


def test_damaged_recording_is_unknown_with_the_damage_first() -> None:
    fusion = CallFusion()
    for k in range(10):
        fusion.add(ev("voice_synthetic", 2.0 + 0.5 * k, 0.02))
        fusion.verdict(2.0 + 0.5 * k)
    results = [DetectorResult("voice_synthetic", Modality.AUDIO, "ok", 0.02, None)]
    assert fusion.final_verdict(results).level == "low"
    damaged = fusion.final_verdict(results, ["rec/cut.mp4: truncated or corrupt audio after 6.50 s of 30.00 s"])
    assert damaged.level == "unknown" and damaged.risk is None
    assert damaged.reasons[0] == ("The recording is damaged or cut short: truncated or corrupt audio after "
                                  "6.50 s of 30.00 s; nothing after that point was analysed")
    assert "cut.mp4" not in damaged.reasons[0]
    assert [(p.key, p.level, p.risk) for p in damaged.participants] == [("voice", "unknown", None)]


def test_a_source_failing_mid_call_turns_low_into_not_judged_at_once() -> None:
    fusion = CallFusion()
    for k in range(10):
        fusion.add(ev("voice_synthetic", 2.0 + 0.5 * k, 0.02))
    assert fusion.verdict(6.5).level == "low"
    v = fusion.verdict(6.5, ["rec/cut.mp4: truncated or corrupt video after 3.00 s of 30.00 s"])
    assert v.level == "unknown" and v.risk is None
    assert v.reasons[0].startswith("The recording is damaged or cut short: truncated or corrupt video")
    assert [p.level for p in v.participants] == ["unknown"]
    for k in range(3):  # an alert is never hidden by a failure
        fusion.add(ev("voice_synthetic", 7.0 + 0.5 * k, 0.99))
    assert fusion.verdict(8.0, ["rec/cut.mp4: truncated or corrupt video"]).level == "elevated"


def test_a_failure_seen_live_is_said_once_at_the_end() -> None:
    lost = "camera 'USB webcam': no frames for 1 s (unplugged?)"
    fusion = CallFusion()  # a face seen for 1 s, then the camera is pulled out
    fusion.add(Evidence("face_synthetic", 0.0, 1.0, "ok", 0.23, track=0))
    fusion.verdict(1.0)
    assert fusion.verdict(1.6, [lost]).reasons[0].startswith("Part of the call could not be read")
    results = [DetectorResult("face_synthetic", Modality.VIDEO, "ok", 0.23, None)]
    for problems in ([lost], [lost, lost]):
        final = fusion.final_verdict(results, problems)
        assert final.level == "unknown"
        assert sum(lost in r for r in final.reasons) == 1, final.reasons


def test_time_a_lost_source_left_unseen_is_never_judged_evidence() -> None:
    windows = [ev("voice_synthetic", 2.0 + 0.5 * k, 0.02) for k in range(9)]  # 0-6 s in 2 s windows
    assert judged_seconds(windows) == 6.0
    assert judged_seconds(windows, [(2.5, 4.0)]) == 4.5  # windows straddling the gap count around it
    assert judged_seconds(windows, [(2.5, 4.0), (3.0, 4.5), (9.0, 10.0)]) == 4.0  # overlapping holes once
    fusion = CallFusion()
    for w in windows:
        fusion.add(w)
    assert fusion.verdict(6.0).level == "low"  # 6 s of speech judged
    fusion = CallFusion()
    fusion.add_gap(NotJudgedSpan("audio", 1.0, 3.5, "microphone lost"))
    fusion.add_gap(NotJudgedSpan("video", 0.0, 6.0, "camera lost"))  # the other modality's gap: not this one
    for w in windows:
        fusion.add(w)
    v = fusion.verdict(6.0)
    assert v.level == "unknown" and v.participants[0].judged_s == 3.5  # 6 s minus the 2.5 s unseen
    assert "only 3.5 s of speech judged so far" in v.reasons[0]
