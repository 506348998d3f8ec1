"""Scam cues: phrase patterns on text, the CPU budget of chunked transcription, and the real
Whisper tiny.en hearing synthetic speech (espeak-ng) through `callshield analyze`. The real
recogniser parts skip cleanly without the fetched model or without espeak-ng."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from tests.verification.models_support import real_model_dir
from verification.cli import main
from verification.inference.manifest import load_manifest
from verification.report.schema import validate_report
from verification.speech.call_cues import call_cues
from verification.speech.chunked import ChunkedTranscriber
from verification.speech.cues import kinds_in
from verification.speech.whisper import SAMPLE_RATE, Recogniser, Segment

SCRIPT = ("Hello, this is Mark from head office. The CEO asked me to arrange a payment. "
          "It is urgent and it must go out today. Please keep this confidential.")


def test_patterns_find_pressure_and_leave_ordinary_talk_alone() -> None:
    assert set(kinds_in("The CEO asked me to do it right now, and don't tell anyone.")) == {
        "authority", "urgency", "secrecy"}
    assert set(kinds_in("We changed our bank account, so there's no need to call back.")) == {
        "account_change", "skip_callback"}
    for ordinary in ("Please call me back on the number you have on file.", "The director spoke at the conference.",
                     "Our account manager will visit next week.", "Please verify it with the bank as usual."):
        assert kinds_in(ordinary) == {}, ordinary


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_over_budget_transcribes_every_nth_chunk_and_counts_the_rest() -> None:
    clock = _Clock()
    heard: list[int] = []

    def slow(chunk: np.ndarray) -> list[Segment]:  # 0.5 s of work per audio second: twice a 0.25 budget
        heard.append(len(heard))
        clock.now += 0.5 * len(chunk) / SAMPLE_RATE
        return [Segment(1.0, 2.0, "it is urgent")]

    transcriber = ChunkedTranscriber(slow, chunk_s=10.0, budget=0.25, clock=clock)
    loud = np.full(SAMPLE_RATE * 60, 0.1, np.float32)
    for k in range(60):  # a 0.2 s pause ending every second: chunks are cut in one
        loud[int((k + 0.8) * SAMPLE_RATE):(k + 1) * SAMPLE_RATE] = 0.0
    segments = transcriber.feed(loud[: SAMPLE_RATE * 25]) + transcriber.feed(loud[SAMPLE_RATE * 25:])
    segments += transcriber.finish()
    stats = transcriber.stats.as_dict()
    assert stats["every_nth"] == 2 and stats["transcribed_chunks"] - stats["dropped_chunks"] in (0, 1)
    assert stats["dropped_chunks"] >= 2 and len(heard) == stats["transcribed_chunks"]
    starts = [s.start_s - 1.0 for s in segments]  # call time, not chunk time
    assert starts[0] == 0.0
    for cut in starts[1:] + stats["dropped_at_s"]:  # every chunk starts inside a pause, no word cut
        assert cut % 1.0 >= 0.8 or cut % 1.0 <= 0.05, cut  # (dropped_at_s is rounded to 0.1 s)
    bounds = sorted(starts + stats["dropped_at_s"])
    assert all(8.0 < b - a < 10.5 for a, b in zip(bounds[:-1], bounds[1:]))  # chunks of about 10 s
    quiet = ChunkedTranscriber(slow, chunk_s=10.0, clock=clock)
    assert quiet.feed(np.zeros(SAMPLE_RATE * 20, np.float32)) == [] and quiet.stats.quiet == 2


def _speak(text: str, path: Path) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (scripts/setup.sh installs it)")
    subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    audio, rate = sf.read(path, dtype="float32")
    return resample_poly(audio, SAMPLE_RATE, rate).astype(np.float32)


def test_real_recogniser_hears_the_cues_and_keeps_no_transcript_unless_asked(tmp_path: Path) -> None:
    model_dir = real_model_dir()
    audio = _speak(SCRIPT, tmp_path / "call.wav")
    recogniser = Recogniser(load_manifest(), model_dir)
    section = call_cues(audio, recogniser, budget=10.0)  # the recogniser under test here, not the budget
    kinds = {c["kind"] for c in section["cues"]}
    assert {"authority", "urgency", "secrecy"} <= kinds
    assert section["checklist"] == ["secrecy", "urgency"] and "transcript" not in section
    assert all(0.0 <= c["start_s"] < c["end_s"] <= len(audio) / SAMPLE_RATE + 1 and c["quote"]
               for c in section["cues"])
    secrecy = next(c for c in section["cues"] if c["kind"] == "secrecy")
    assert secrecy["quote"] == "Please keep this confidential."  # the sentence, not the whole chunk


def test_analyze_report_carries_the_cues_within_the_public_schema(tmp_path: Path) -> None:
    model_dir = real_model_dir()
    _speak(SCRIPT, tmp_path / "call.wav")
    out = tmp_path / "report.json"
    assert main(["--model-dir", str(model_dir), "analyze", str(tmp_path / "call.wav"), "--no-faces", "--quiet",
                 "--keep-transcript", "--cue-budget", "10", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    validate_report(report)
    cues = report["speech_cues"]
    assert "urgency" in {c["kind"] for c in cues["cues"]} and cues["transcript"]
    assert cues["chunks"]["budget"] == 10.0
