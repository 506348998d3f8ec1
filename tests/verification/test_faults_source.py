"""A capture source that fails mid-call and comes back.

The source is real: the camera source (OpenCV) pointed at a recording, as it opens any stream a
device path names. It delivers the recording and, at its end, stops delivering frames, which the
camera source reports as a lost device, exactly as for an unplugged webcam. While it is lost the
test moves the file away, so reopening fails as with an absent device, and moves it back after a
few failed tries: the device returns. The engine is the real one with the default detectors.

During the call: each loss is reported (with the media time and the next try), the engine retries
with backoff and resumes; the video detectors say "not judged" for the span, which the report
shows with the reason; the sound is judged throughout. A device that never returns ends the video
cleanly with a reason while the sound goes on. Over five loss and return cycles no thread (Python
or native) and no file handle is left behind. The same for the sound, with the video judged
throughout.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.media import write_clip
from verification.detectors.registry import build_default_registry
from verification.errors import InputError, SourceLost
from verification.pipeline.events import EngineEvent, SourceFailed, SourceInterrupted, SourceResumed
from verification.pipeline.reconnect import MediaClock, RetryPolicy
from verification.pipeline.runner import CallAnalysis, Engine, EngineConfig
from verification.report.build import build_report
from verification.sources.base import AudioChunk, AudioInfo
from verification.sources.camera_source import CameraSource
from verification.sources.file_source import FileAudioSource
from verification.sources.synthetic_source import SyntheticAudioSource, SyntheticFrameSource

VIDEO_IDS = {"face_synthetic", "pulse", "blink", "av_sync", "replay", "challenge"}
FAST = RetryPolicy(first_delay_s=0.05, max_delay_s=0.2, give_up_after_s=1.5)


class Unplugger:
    """Moves the camera's file away when the engine reports it lost, and back after `absent_tries`
    failed reopenings, for `cycles` losses; after that it stays away (the device never returns)."""

    def __init__(self, path: Path, cycles: int, absent_tries: int = 2) -> None:
        self.path, self.away = path, path.with_suffix(".unplugged")
        self.cycles_left, self.absent_tries = cycles, absent_tries
        self.events: list[EngineEvent] = []

    def __call__(self, event: EngineEvent) -> None:  # engine threads; renames are quick
        self.events.append(event)
        if not isinstance(event, SourceInterrupted):
            return
        if event.attempt == 0 and self.path.exists():
            self.path.rename(self.away)
        elif event.attempt == self.absent_tries and self.cycles_left > 0:
            self.cycles_left -= 1
            self.away.rename(self.path)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "camera.mp4", seconds=1.0)


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("sound") / "call.mp4", seconds=3.0, video=False)


def _camera(clip: Path) -> CameraSource:
    return CameraSource(str(clip), max_failures=2, retry_delay_s=0.01, warmup_s=1.0)


def _call(clip: Path, sound: Path, unplug: Unplugger) -> CallAnalysis:
    engine = Engine(build_default_registry().create_all(), config=EngineConfig(retry=FAST), on_event=unplug)
    return engine.run(_camera(clip), FileAudioSource(sound))


def _threads() -> tuple[int, int]:
    """Python threads, and the process's native threads (decoders, OpenCV workers)."""
    return len(threading.enumerate()), len(os.listdir("/proc/self/task"))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_lost_camera_is_retried_resumed_and_the_gap_is_not_judged(clip: Path, sound: Path) -> None:
    unplug = Unplugger(clip, cycles=1)
    analysis = _call(clip, sound, unplug)
    lost, back = unplug.of(SourceInterrupted), unplug.of(SourceResumed)
    assert [e.attempt for e in lost] == [0, 1, 2, 0, 1, 2] + list(range(3, len(lost) - 3))  # one return
    assert all(e.source == "video" and "stopped delivering" in lost[0].message for e in lost[:1])
    assert lost[1].retry_in_s > lost[0].retry_in_s  # backoff
    assert len(back) == 1 and back[0].down_s >= 2 * FAST.first_delay_s
    # the second loss never came back: the video ended with a reason, the sound went on
    failed = unplug.of(SourceFailed)
    assert len(failed) == 1 and failed[0].source == "video" and "did not come back" in failed[0].message
    assert analysis.failures == [failed[0].message]
    # 2 s windows every 0.5 s over 3 s of sound: all 3 windows and the tail, none lost
    assert analysis.metrics["audio_windows"] == 4 and analysis.metrics["audio_gap_s"] == 0.0
    spans = [s for s in analysis.not_judged if s.source == "video"]
    assert len(spans) == 2
    assert spans[0].t0 < spans[0].t1 <= back[0].media_t + 1e-6 < spans[1].t0 < spans[1].t1
    assert all("camera" in s.reason for s in spans)
    # the report shows each gap as a not-judged span with the reason, for every video detector
    report = build_report("live call", None, analysis, [], 1.0)
    for det in VIDEO_IDS:
        gaps = [w for w in report["detectors"][det]["windows"]
                if w["status"] == "not_applicable" and "camera" in w.get("reason", "")]
        assert [(g["t0"], g["t1"]) for g in gaps] == [(round(s.t0, 3), round(s.t1, 3)) for s in spans], det
    assert not [w for w in report["detectors"]["voice_synthetic"]["windows"] if "camera" in (w.get("reason") or "")]
    said = [r for r in analysis.verdict.reasons if r.startswith("The video was not judged from")]
    assert len(said) == 2 and all("stopped delivering frames" in r and str(clip) not in r for r in said), said
    assert analysis.verdict.level != "low"


def test_five_losses_and_returns_leak_no_thread_and_no_file_handle(clip: Path, sound: Path) -> None:
    _call(clip, sound, Unplugger(clip, cycles=1))  # warm the decoders' one-time state
    if not clip.exists():
        clip.with_suffix(".unplugged").rename(clip)
    gc.collect()  # earlier tests' garbage must not close its files during the count
    fds, threads = _open_fds(), _threads()
    unplug = Unplugger(clip, cycles=5)
    analysis = _call(clip, sound, unplug)
    assert len(unplug.of(SourceResumed)) == 5
    assert len([s for s in analysis.not_judged if s.source == "video"]) == 6  # five returns, then gone
    assert not [t for t in threading.enumerate() if t.name.startswith("callshield-")]
    gc.collect()
    assert _open_fds() == fds, "file handles left open"
    python, native = _threads()
    assert python == threads[0] and native <= threads[1], "threads left running"


class DroppingHeadset(SyntheticAudioSource):
    """A live sound device that stops after `lose_after` chunks, is absent for `absent_tries`
    reopenings, then returns with its clock at zero again. No test machine has a sound device, so
    this is the project's live synthetic source with the loss a USB headset shows (PortAudio's
    stream stops; reopening fails until it is plugged back in)."""

    def __init__(self, lose_after: int, absent_tries: int) -> None:
        super().__init__(duration_s=3.0, chunk_s=0.1, live=True)
        self.lose_after, self.absent_tries = lose_after, absent_tries
        self.chunks = self.opened = 0

    def open(self) -> AudioInfo:
        self.opened += 1
        if 1 < self.opened <= 1 + self.absent_tries:
            raise InputError("audio device 'USB headset': not connected")
        return super().open()

    def read(self) -> AudioChunk | None:
        if self.opened == 1 and self.chunks >= self.lose_after:
            raise SourceLost("audio device 'USB headset': the stream stopped")
        self.chunks += 1
        return super().read()


def test_lost_sound_comes_back_and_the_video_is_judged_throughout() -> None:
    events: list[EngineEvent] = []
    engine = Engine(build_default_registry().create_all(), config=EngineConfig(retry=FAST), on_event=events.append)
    headset = DroppingHeadset(lose_after=10, absent_tries=2)
    analysis = engine.run(SyntheticFrameSource(duration_s=4.0, fps=25, live=True), headset)
    lost = [e for e in events if isinstance(e, SourceInterrupted)]
    back = [e for e in events if isinstance(e, SourceResumed)]
    assert [(e.source, e.attempt) for e in lost] == [("audio", 0), ("audio", 1), ("audio", 2)]
    assert len(back) == 1 and analysis.failures == []
    [span] = analysis.not_judged
    assert span.source == "audio" and "stream stopped" in span.reason
    # the reopened device's clock restarted at zero; the call's runs on past the gap
    assert 0.9 <= span.t0 <= 1.1 and span.t1 - span.t0 >= back[0].down_s - 0.05
    assert analysis.metrics["audio_gap_s"] >= span.t1 - span.t0 - 0.05  # zero-filled, marked as a gap
    assert analysis.metrics["frames_in"] >= 90  # the video went on through the gap (4 s at 25 fps, live)
    voice = {r.detector_id: r for r in analysis.results}["voice_synthetic"]
    assert [(w.t0, w.t1) for w in voice.windows if w.reason == span.reason] == [(span.t0, span.t1)]
    pulse = {r.detector_id: r for r in analysis.results}["pulse"]
    assert not [w for w in pulse.windows if w.reason == span.reason]  # video-only: judged as ever


def test_a_device_lost_again_before_its_first_input_is_one_gap() -> None:
    clock = MediaClock()
    clock.place(AudioChunk(0, 0.0, 0.0, np.zeros(1600, dtype=np.float32)))  # 0.0-0.1 s
    clock.lost()
    time.sleep(0.1)
    clock.lost()  # reopened, then lost again at once: the gap runs from the first loss
    time.sleep(0.1)
    back = clock.place(AudioChunk(0, 0.0, 0.0, np.zeros(1600, dtype=np.float32)))  # its clock restarted
    assert back.pts >= 0.3 and clock.last_end == back.pts + 0.1
    assert clock.place(AudioChunk(1, 0.1, 0.0, np.zeros(1600, dtype=np.float32))).pts == back.pts + 0.1


def test_a_call_stopped_while_its_camera_is_gone_keeps_the_gap(clip: Path, sound: Path) -> None:
    unplug = Unplugger(clip, cycles=0)
    patient = RetryPolicy(first_delay_s=0.05, max_delay_s=0.1, give_up_after_s=600.0)
    engine = Engine(build_default_registry().create_all(), config=EngineConfig(retry=patient), on_event=unplug)
    engine.start(_camera(clip), FileAudioSource(sound))
    deadline = time.monotonic() + 20
    while len(unplug.of(SourceInterrupted)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert engine.stop(timeout=10.0)
    analysis = engine.finish()
    [span] = analysis.not_judged
    assert span.source == "video" and span.reason.endswith("; the call was stopped") and span.t1 > span.t0
    assert any(r.startswith("The video was not judged from") and "the call was stopped" in r
               for r in analysis.verdict.reasons)
    assert not unplug.of(SourceFailed) and analysis.failures == []
