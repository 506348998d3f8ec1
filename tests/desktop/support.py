"""Stand-ins the desktop tests share: a detector that scores every face, a source that loses its
device, fake hardware listings, a challenge controller, and an event-loop lag probe. All run inside
the real engine."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer

from desktop.controllers.challenge import ChallengePrompt, ChallengeResult
from desktop.controllers.source_catalog import SourceProbes
from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.errors import SourceLost
from verification.sources import AudioDeviceInfo, FrameSource, ScreenRegion, VideoFrame, VideoInfo, WindowInfo


class ScoresEveryFace(Detector):
    """`face_synthetic` stand-in: one window per analysed frame and face, with a fixed score."""

    id = "face_synthetic"
    modality = Modality.VIDEO

    def __init__(self, score: float) -> None:
        self.score = score
        self.windows: list[Evidence] = []

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        frame = analysis.frame
        out = [Evidence(self.id, frame.pts - 0.5, frame.pts, "ok", self.score, track=face.track_id,
                        captured_at=frame.captured_at) for face in analysis.faces]
        if not analysis.faces:
            out.append(Evidence(self.id, frame.pts - 0.5, frame.pts, "not_applicable", reason="no face",
                                captured_at=frame.captured_at))
        self.windows += out
        return out

    def result(self) -> DetectorResult:
        return DetectorResult(self.id, self.modality, "ok", self.score, None, self.windows)


class UnpluggedAfter(FrameSource):
    """A recording whose device 'disappears' after `frames` frames (SourceLost, as a camera raises)."""

    def __init__(self, inner: FrameSource, frames: int) -> None:
        self.inner = inner
        self.left = frames

    def open(self) -> VideoInfo:
        return self.inner.open()

    def read(self) -> VideoFrame | None:
        self.left -= 1
        if self.left < 0:
            raise SourceLost("camera 'USB webcam': no frames for 1 s")
        return self.inner.read()

    def close(self) -> None:
        self.inner.close()


def device(index: int, name: str) -> AudioDeviceInfo:
    return AudioDeviceInfo(index, name, "ALSA", 2, 0, 48_000.0)


def fake_probes(loopback: bool = False, windows_ok: bool = True) -> SourceProbes:
    """A desktop with a call window, our own window, one monitor, and a microphone (plus a monitor
    source when `loopback`)."""
    windows = [WindowInfo(11, "Zoom Meeting", ScreenRegion(0, 0, 800, 600), "zoom"),
               WindowInfo(12, "CallShield", ScreenRegion(0, 0, 900, 700), "python")]
    inputs = [device(0, "Built-in Microphone")]
    if loopback:
        inputs.append(device(1, "Monitor of Built-in Audio"))
    return SourceProbes(windows=lambda: windows, monitors=lambda: [ScreenRegion(0, 0, 1280, 800)],
                        cameras=lambda: [], audio_inputs=lambda: inputs,
                        window_support=(lambda: None) if windows_ok else (lambda: "no X display"),
                        platform="linux")


class FakeChallenge:
    """Thread-safe controller with the interface the panel expects; scores after `answer_after_s`."""

    def __init__(self, answer_after_s: float | None, timeout_s: float = 1.0) -> None:
        self.answer_after_s = answer_after_s
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def start_challenge(self) -> ChallengePrompt:
        with self._lock:
            challenge_id = f"c{len(self._started)}"
            self._started[challenge_id] = time.monotonic()
        return ChallengePrompt(challenge_id, "head_turn", "Please turn your head slowly to your left.", self.timeout_s)

    def challenge_result(self, challenge_id: str) -> ChallengeResult | None:
        with self._lock:
            started = self._started[challenge_id]
        if self.answer_after_s is None or time.monotonic() - started < self.answer_after_s:
            return None
        return ChallengeResult(challenge_id, "passed", 0.08, "head turned 41 degrees; no face artefacts",
                               {"response_latency_ms": 820})



TICK_S = 0.010


class LagProbe:
    """A 10 ms timer: how late each tick arrives is how long the event loop was busy."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(int(TICK_S * 1000))
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def lags_ms(self) -> np.ndarray:
        return np.maximum(0.0, np.diff(self.stamps) - TICK_S) * 1000.0
