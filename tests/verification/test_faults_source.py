"""A capture source that fails mid-call and comes back.

The source is real: a capture device backed by a recording (decoded with PyAV, so it holds a real file
handle and decoder threads) that stops delivering mid-call with SourceLost, and on the next open resumes
where it stopped, as a re-plugged capture card does. The engine is the real one with the default
detectors. In the call where the device is lost: one SourceFailed event, the sound goes on to the end,
and the verdict says the video was lost instead of judging it. At the next start the source comes back
and the call is analysed again. Over repeated loss and return no engine thread and no file handle is
left behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.media import write_clip
from verification.detectors.registry import build_default_registry
from verification.errors import SourceLost
from verification.pipeline.events import EngineEvent, SourceFailed
from verification.pipeline.runner import CallAnalysis, Engine, EngineConfig
from verification.sources.base import VideoFrame, VideoInfo
from verification.sources.file_source import FileAudioSource, FileVideoSource

LOST = "capture card: stopped delivering frames"


class FlakyCaptureCard(FileVideoSource):
    """Live; loses the device after `lose_after` frames of an opening, once per `losses`; on reopen it
    skips what it delivered before, so media time carries on from the loss."""

    live = True

    def __init__(self, path: Path, lose_after: int, losses: int) -> None:
        super().__init__(path)
        self.lose_after, self.losses_left = lose_after, losses
        self.delivered = 0  # across openings
        self.opened = 0

    def open(self) -> VideoInfo:
        info = super().open()
        self.opened += 1
        for _ in range(self.delivered):  # resume: the frames already seen are not seen again
            super().read()
        self._this_opening = 0
        return info

    def read(self) -> VideoFrame | None:
        if self.losses_left and self._this_opening >= self.lose_after:
            self.losses_left -= 1
            raise SourceLost(LOST)
        frame = super().read()
        if frame is not None:
            self.delivered += 1
            self._this_opening += 1
        return frame


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("flaky") / "call.mp4", seconds=3.0)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _engine_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("callshield-")]


def _call(video: FlakyCaptureCard, clip: Path) -> tuple[CallAnalysis, list[EngineEvent]]:
    events: list[EngineEvent] = []
    engine = Engine(build_default_registry().create_all(), config=EngineConfig(lossless=True), on_event=events.append)
    analysis = engine.run(video, FileAudioSource(clip))
    return analysis, events


def test_lost_video_is_not_judged_and_the_call_goes_on(clip: Path) -> None:
    card = FlakyCaptureCard(clip, lose_after=25, losses=1)
    analysis, events = _call(card, clip)
    failures = [e for e in events if isinstance(e, SourceFailed)]
    assert len(failures) == 1 and failures[0].lost_device and failures[0].source == "video"
    assert analysis.failures == [LOST]
    assert analysis.metrics["frames_in"] == 25
    assert analysis.verdict.level in ("unknown", "elevated", "high")  # never "low" on half a call's video
    assert LOST in analysis.verdict.reasons[0]  # the loss leads the reasons
    video_ids = {"pulse", "blink", "av_sync", "replay"}
    assert {r.detector_id for r in analysis.results if r.status == "ok"}.isdisjoint(video_ids)  # not judged
    assert any(r.startswith("Not judged:") and "Pulse" in r for r in analysis.verdict.reasons)
    # 2 s windows every 0.5 s over 3 s of sound: all 3 windows and the tail, the video died at 1 s
    assert analysis.metrics["audio_windows"] == 4 and analysis.metrics["audio_gap_s"] == 0.0
    assert not _engine_threads()


def test_the_source_comes_back_at_the_next_start_and_nothing_leaks(clip: Path) -> None:
    card = FlakyCaptureCard(clip, lose_after=10, losses=4)
    _call(FlakyCaptureCard(clip, lose_after=5, losses=1), clip)  # warm the decoders' one-time state
    fds, threads = _open_fds(), len(threading.enumerate())
    seen = []
    for _ in range(4):
        analysis, _ = _call(card, clip)
        assert analysis.failures == [LOST]
        seen.append(card.delivered)
        assert not _engine_threads()
        assert card._container is None  # the capture thread closed the source it lost
    assert seen == [10, 20, 30, 40]  # each return resumed where the loss happened
    analysis, events = _call(card, clip)  # the device is back for good
    assert analysis.failures == [] and not [e for e in events if isinstance(e, SourceFailed)]
    assert card.delivered == 75 and analysis.metrics["frames_in"] == 35  # the rest of the 3 s at 25 fps
    assert _open_fds() == fds, "file handles left open"
    assert len(threading.enumerate()) == threads and not _engine_threads(), "threads left running"
