"""Scam cues while the call goes on: the live engine hands the call's audio to the real Whisper
tiny.en in chunks on a thread of its own, reports each cue (quote, call time) as soon as its chunk
is heard, keeps to the CPU budget by skipping chunks and says how many it skipped. The speech is
made by espeak-ng in a temp dir; the tests skip cleanly without it or without the fetched model."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from tests.verification.models_support import real_model_dir
from verification.inference.manifest import load_manifest
from verification.pipeline.events import EngineEvent, SourceEnded, SpeechHeard
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.file_source import FileAudioSource
from verification.speech.live import LiveCueListener
from verification.speech.whisper import SAMPLE_RATE, Recogniser

FIRST = "Hello, this is Mark from head office. The CEO asked me to arrange a payment. It is urgent."
SECOND = "We changed our bank account last week. Keep this confidential, and there is no need to call back."


def speak(text: str, folder: Path) -> np.ndarray:
    """espeak-ng's voice at 16 kHz."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed (scripts/setup.sh installs it)")
    path = folder / "say.wav"
    subprocess.run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    audio, rate = sf.read(path, dtype="float32")
    return resample_poly(audio, SAMPLE_RATE, rate).astype(np.float32)


def call_recording(folder: Path, repeats: int = 1) -> tuple[Path, float]:
    """FIRST, 3 s of quiet, SECOND, 2 s of quiet (repeated): the first chunk ends in the quiet."""
    quiet = np.zeros(SAMPLE_RATE, np.float32)
    one = [speak(FIRST, folder), quiet, quiet, quiet, speak(SECOND, folder), quiet, quiet]
    audio = np.concatenate(one * repeats)
    path = folder / "call.wav"
    sf.write(path, audio, SAMPLE_RATE)
    return path, len(audio) / SAMPLE_RATE


class _Events:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[float, EngineEvent]] = []

    def __call__(self, event: EngineEvent) -> None:
        with self.lock:
            self.seen.append((time.monotonic(), event))

    def of(self, kind: type) -> list[tuple[float, EngineEvent]]:
        with self.lock:
            return [(t, e) for t, e in self.seen if isinstance(e, kind)]


def _listener(budget: float) -> LiveCueListener:
    model_dir = real_model_dir()
    return LiveCueListener(lambda: Recogniser(load_manifest(), model_dir), budget=budget)


def test_cues_arrive_with_their_call_time_while_the_call_is_still_running(tmp_path: Path) -> None:
    path, duration = call_recording(tmp_path)
    events = _Events()
    engine = Engine([], None, EngineConfig(realtime=True, lossless=False), events, speech=_listener(budget=10.0))
    engine.start(None, FileAudioSource(path, chunk_s=0.1))
    assert engine.wait(timeout=duration + 30)
    analysis = engine.finish()
    audio_end = [t for t, e in events.of(SourceEnded) if e.source == "audio"][0]
    heard = [(t, cue) for t, e in events.of(SpeechHeard) for cue in e.cues]
    early = {cue["kind"] for t, cue in heard if t < audio_end}
    assert "urgency" in early, heard  # the first chunk's cue, before the call's audio ended
    first = next(cue for t, cue in heard if cue["kind"] == "urgency")
    assert 0.0 <= first["start_s"] < 9.0 and first["quote"]
    later = {cue["kind"]: cue for _t, cue in heard if cue["start_s"] >= 10.0}
    assert {"secrecy", "skip_callback"} <= set(later) and later["secrecy"]["start_s"] < duration
    section = analysis.speech_cues
    assert section is not None and "transcript" not in section
    assert {c["kind"] for c in section["cues"]} == {cue["kind"] for _t, cue in heard}
    assert section["chunks"]["transcribed_chunks"] == 2 and section["chunks"]["dropped_chunks"] == 0


def test_a_tiny_budget_skips_chunks_and_says_so(tmp_path: Path) -> None:
    path, _duration = call_recording(tmp_path, repeats=3)  # about 66 s: six or seven chunks with speech
    events = _Events()
    engine = Engine([], None, EngineConfig(), events, speech=_listener(budget=0.001))
    analysis = engine.run(None, FileAudioSource(path, chunk_s=1.0))
    chunks = analysis.speech_cues["chunks"]
    assert chunks["transcribed_chunks"] == 1 and chunks["dropped_chunks"] >= 4  # the first, then over budget
    assert chunks["every_nth"] > 10 and len(chunks["dropped_at_s"]) == chunks["dropped_chunks"]
    last = events.of(SpeechHeard)[-1][1]
    assert last.coverage == chunks  # the running coverage told as it went, and it ends as the report does


def test_a_missing_model_says_speech_is_not_checked(tmp_path: Path) -> None:
    path, _duration = call_recording(tmp_path)
    events = _Events()
    empty = tmp_path / "no-models"
    listener = LiveCueListener(lambda: Recogniser(load_manifest(), empty))
    analysis = Engine([], None, EngineConfig(), events, speech=listener).run(None, FileAudioSource(path))
    assert "whisper_tiny_en" in (analysis.speech_cues or {}).get("unavailable", "")
    assert analysis.speech_cues["cues"] == [] and events.of(SpeechHeard)[0][1].problem


class _HeldRecogniser:
    """Stands in for Whisper here: the worker's bookkeeping is under test, so the recogniser only
    holds the worker busy until the test lets it go."""

    def __init__(self) -> None:
        self.entered, self.go = threading.Event(), threading.Event()

    def transcribe(self, audio: np.ndarray, *, prompt: str | None = None) -> list:
        self.entered.set()
        assert self.go.wait(10)
        return []


def test_speech_a_live_ring_dropped_while_the_recogniser_was_busy_counts_as_skipped() -> None:
    from verification.pipeline.audio_ring import AudioRing
    from verification.pipeline.speech_worker import READER, run_speech_worker

    ring = AudioRing(SAMPLE_RATE, capacity_s=5.0, lossless=False, readers=(READER,))
    held = _HeldRecogniser()
    listener = LiveCueListener(lambda: held, chunk_s=2.0, budget=10.0)  # type: ignore[arg-type, return-value]
    events = _Events()
    stop = threading.Event()
    worker = threading.Thread(target=run_speech_worker, args=(ring, listener, stop, events))
    worker.start()
    loud = np.full(SAMPLE_RATE, 0.1, np.float32)
    for second in range(3):
        ring.append(loud, float(second), time.monotonic())
    assert held.entered.wait(10)  # busy with the first 2 s
    for second in range(3, 23):  # 20 s more while it is busy: the 5 s ring forgets most of it
        ring.append(loud, float(second), time.monotonic())
    held.go.set()
    ring.close()
    worker.join(10)
    chunks = listener.coverage()
    assert chunks["dropped_chunks"] >= 7  # about 15 s that were never heard, in 2 s chunks
    assert chunks["dropped_at_s"][0] >= 2.0 and chunks["dropped_at_s"][-1] < 23.0
    assert events.of(SpeechHeard)[-1][1].coverage == chunks
