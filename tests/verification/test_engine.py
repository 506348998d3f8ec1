"""The streaming engine with real threads: lossless recordings, newest-wins live capture,
stop under load, a device lost mid-call, and realtime pacing."""

from __future__ import annotations

import threading
import time

import numpy as np

from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.evidence import AudioWindow, DetectorResult, Evidence, Modality
from verification.detectors.registry import build_default_registry
from verification.errors import InputError, SourceLost
from verification.pipeline.events import EngineEvent, SourceFailed, VerdictChanged
from verification.pipeline.reconnect import RetryPolicy
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.base import VideoFrame, VideoInfo
from verification.sources.synthetic_source import SyntheticAudioSource, SyntheticFrameSource


class LoudnessDetector(Detector):
    """Scores each audio window by its RMS level: a real computation the tests can predict."""

    id = "voice_synthetic"
    modality = Modality.AUDIO

    def __init__(self) -> None:
        self.windows: list[Evidence] = []

    def process_audio(self, window: AudioWindow) -> list[Evidence]:
        rms = float(np.sqrt(np.mean(window.samples ** 2)))
        ev = Evidence(self.id, window.t0, window.t1, "ok", min(1.0, rms * 4), details={"rms": rms},
                      captured_at=window.captured_at)
        self.windows.append(ev)
        return [ev]

    def result(self) -> DetectorResult:
        scores = [w.score for w in self.windows if w.score is not None]
        if not scores:
            return DetectorResult.not_applicable(self.id, self.modality, "no audio")
        return DetectorResult(self.id, self.modality, "ok", max(scores), None, self.windows)


class SlowVideoDetector(Detector):
    """Takes `delay` seconds per frame, like a heavy model on a busy laptop."""

    id = "replay"
    modality = Modality.VIDEO

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.seen: list[int] = []

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        time.sleep(self.delay)
        self.seen.append(analysis.frame.seq)
        return []

    def result(self) -> DetectorResult:
        return DetectorResult.not_applicable(self.id, self.modality, f"saw {len(self.seen)} frames")


class UnpluggedCamera(SyntheticFrameSource):
    """A live source whose device disappears after `after` frames."""

    def __init__(self, after: int) -> None:
        super().__init__(duration_s=60, fps=50, live=True)
        self.after = after
        self.opened = 0

    def open(self) -> VideoInfo:
        self.opened += 1
        if self.opened > 1:  # gone for good: every reopening fails
            raise InputError("camera 0: cannot be opened")
        return super().open()

    def read(self) -> VideoFrame | None:
        if self._seq >= self.after:
            raise SourceLost("camera 0: stopped delivering frames")
        return super().read()


def _placeholders() -> list[Detector]:
    return build_default_registry().create_all()


def test_recording_is_analysed_losslessly_with_all_ids() -> None:
    engine = Engine(_placeholders(), config=EngineConfig(analysis_fps=None))
    analysis = engine.run(SyntheticFrameSource(duration_s=2.0, fps=25), SyntheticAudioSource(duration_s=2.0))
    assert analysis.metrics["frames_in"] == 50
    assert analysis.metrics["frames_analysed"] == 50
    assert analysis.metrics["frames_dropped"] == 0
    assert analysis.metrics["audio_windows"] == 1
    assert analysis.verdict.level == "unknown"
    assert {r.status for r in analysis.results} == {"not_applicable"}
    assert analysis.failures == []


def test_analysis_fps_skips_by_choice_not_by_drop() -> None:
    engine = Engine(_placeholders(), config=EngineConfig(analysis_fps=10))
    analysis = engine.run(SyntheticFrameSource(duration_s=2.0, fps=25), None)
    assert analysis.metrics["frames_analysed"] == 20
    assert analysis.metrics["frames_skipped"] == 30
    assert analysis.metrics["frames_dropped"] == 0


def test_audio_evidence_reaches_fusion_and_verdict() -> None:
    events: list[EngineEvent] = []
    detector = LoudnessDetector()
    engine = Engine([detector], config=EngineConfig(audio_window_s=1.0, audio_hop_s=0.5), on_event=events.append)
    analysis = engine.run(None, SyntheticAudioSource(duration_s=5.0, burst_level=0.6))
    verdicts = [e for e in events if isinstance(e, VerdictChanged)]
    assert len(detector.windows) == 9  # 1 s windows every 0.5 s over 5 s (`high` needs 3.5 s of them)
    assert len(verdicts) == 9
    assert all(v.latency_s >= 0 for v in verdicts)
    assert max(w.score for w in detector.windows) == 1.0  # loud bursts saturate this toy score
    assert analysis.verdict.level == "high" and analysis.verdict.risk > 0.99
    assert "Synthetic voice: the voice sounds synthesised" in analysis.verdict.reasons[0]
    assert analysis.metrics["end_to_end"]["count"] == 9


def test_live_source_newest_frame_wins_and_drops_are_counted() -> None:
    slow = SlowVideoDetector(delay=0.05)  # 20 fps of analysis against 50 fps of capture
    engine = Engine([slow], config=EngineConfig(analysis_fps=None))
    analysis = engine.run(SyntheticFrameSource(duration_s=1.0, fps=50, live=True), None)
    m = analysis.metrics
    assert m["frames_in"] == 50
    assert m["frames_dropped"] > 10
    assert m["frames_analysed"] + m["frames_dropped"] == m["frames_in"]
    assert slow.seen == sorted(slow.seen)  # never analysed out of order
    assert slow.seen[-1] == 49  # the last frame is never lost


def test_stop_returns_promptly_under_load() -> None:
    engine = Engine([SlowVideoDetector(delay=0.02), LoudnessDetector()], config=EngineConfig(analysis_fps=None))
    engine.start(SyntheticFrameSource(duration_s=120, fps=25), SyntheticAudioSource(duration_s=120))
    time.sleep(0.3)
    started = time.monotonic()
    assert engine.stop(timeout=5.0)
    assert time.monotonic() - started < 2.0
    assert not [t for t in threading.enumerate() if t.name.startswith("callshield-")]
    engine.finish()  # results are available after a stop


def test_device_lost_mid_call_is_an_event_not_a_crash() -> None:
    events: list[EngineEvent] = []
    retry = RetryPolicy(first_delay_s=0.02, max_delay_s=0.05, give_up_after_s=0.2)
    engine = Engine(_placeholders(), config=EngineConfig(retry=retry), on_event=events.append)
    camera = UnpluggedCamera(after=10)
    analysis = engine.run(camera, SyntheticAudioSource(duration_s=1.0))
    failures = [e for e in events if isinstance(e, SourceFailed)]
    assert len(failures) == 1 and failures[0].lost_device and failures[0].source == "video"
    assert analysis.failures == ["camera 0: stopped delivering frames; did not come back within 0.2 s"]
    assert analysis.metrics["frames_in"] == 10 and camera.opened > 2  # retried before giving up


def test_realtime_pacing_follows_media_time() -> None:
    engine = Engine(_placeholders(), config=EngineConfig(realtime=True))
    started = time.monotonic()
    engine.run(SyntheticFrameSource(duration_s=1.0, fps=25), SyntheticAudioSource(duration_s=1.0))
    assert time.monotonic() - started >= 0.9


class AudioPeekDetector(Detector):
    """An av detector that reads the last second of audio behind every frame, slowly."""

    id = "av_sync"
    modality = Modality.AV

    def __init__(self) -> None:
        self.silent_reads = 0
        self.reads = 0

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        time.sleep(0.01)  # slower than the audio path, so the audio worker runs far ahead
        t = analysis.frame.pts
        if t >= 1.0 and analysis.read_audio is not None:
            self.reads += 1
            if not np.any(analysis.read_audio(t - 1.0, t)):
                self.silent_reads += 1
        return []

    def result(self) -> DetectorResult:
        return DetectorResult.not_applicable(self.id, self.modality, "test")


def test_av_detectors_find_audio_behind_frames_when_audio_runs_ahead() -> None:
    peek = AudioPeekDetector()
    engine = Engine([peek], config=EngineConfig(analysis_fps=None, audio_capacity_s=3.0))
    analysis = engine.run(SyntheticFrameSource(duration_s=10.0, fps=25),
                          SyntheticAudioSource(duration_s=10.0, tone_level=0.2))
    assert peek.reads > 200 and peek.silent_reads == 0
    assert analysis.metrics["audio_dropped_s"] == 0.0
