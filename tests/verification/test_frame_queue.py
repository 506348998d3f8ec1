"""The live frame queue: a short stall of the vision worker drops no frame, a long one drops the
oldest, and latency stays bounded."""

from __future__ import annotations

import threading
import time

import pytest

from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.pipeline.events import EngineEvent, VerdictChanged
from verification.pipeline.frame_queue import FrameQueue
from verification.pipeline.latest_slot import SlotClosed
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.synthetic_source import SyntheticFrameSource


def _captured(ago_s: float) -> float:
    return time.monotonic() - ago_s


def _age(captured_at: float) -> float:
    return time.monotonic() - captured_at


def test_full_queue_drops_the_oldest_and_counts_it() -> None:
    q: FrameQueue[float] = FrameQueue(3, 10.0, _age)
    stamps = [_captured(0.0) for _ in range(5)]
    for s in stamps:
        q.put(s)
    assert q.waiting == 3 and q.dropped == 2 and q.put_count == 5
    assert [q.get(timeout=0), q.get(timeout=0), q.get(timeout=0)] == stamps[2:]  # in capture order
    assert q.get(timeout=0.01) is None


def test_a_frame_past_the_lag_budget_goes_only_when_a_newer_one_waits() -> None:
    q: FrameQueue[float] = FrameQueue(4, 0.2, _age)
    stale = _captured(0.5)
    q.put(stale)
    assert q.get(timeout=0) == stale and q.dropped == 0  # the newest frame is never dropped
    fresh = _captured(0.0)
    q.put(_captured(0.4))
    q.put(_captured(0.3))
    q.put(fresh)
    assert q.get(timeout=0) == fresh and q.dropped == 2


def test_close_unblocks_a_waiting_get_and_refuses_puts() -> None:
    q: FrameQueue[float] = FrameQueue(2, 1.0, _age)
    q.put(_captured(0.0))
    threading.Timer(0.05, q.close).start()
    assert q.get(timeout=1) is not None
    assert q.get(timeout=2) is None and q.closed
    with pytest.raises(SlotClosed):
        q.put(_captured(0.0))


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        FrameQueue(0, 1.0, _age)
    with pytest.raises(ValueError):
        FrameQueue(3, 0.0, _age)


class StallingDetector(Detector):
    """A few ms a frame, and now and then a stall, like a core taken by another program."""

    id = "replay"
    modality = Modality.VIDEO

    def __init__(self, stall_s: float, every: int, step_s: float = 0.004) -> None:
        self.stall_s, self.every, self.step_s = stall_s, every, step_s
        self.seen: list[int] = []

    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        seq = analysis.frame.seq
        time.sleep(self.stall_s if seq % self.every == self.every - 1 else self.step_s)
        self.seen.append(seq)
        return []

    def result(self) -> DetectorResult:
        return DetectorResult.not_applicable(self.id, self.modality, f"saw {len(self.seen)} frames")


def _live_run(config: EngineConfig, detector: Detector, seconds: float = 2.0, fps: float = 25.0):
    latencies: list[float] = []

    def sink(event: EngineEvent) -> None:
        if isinstance(event, VerdictChanged):
            latencies.append(event.latency_s)

    engine = Engine([detector], config=config, on_event=sink)
    analysis = engine.run(SyntheticFrameSource(duration_s=seconds, fps=fps, live=True), None)
    return analysis.metrics, latencies


def test_short_stalls_of_the_vision_worker_drop_no_live_frame() -> None:
    stalls = StallingDetector(stall_s=0.09, every=10)  # a 90 ms stall every 10 frames at 25 fps
    m, latencies = _live_run(EngineConfig(analysis_fps=None), stalls)
    assert m["frames_in"] == 50 and m["frames_dropped"] == 0
    assert stalls.seen == list(range(50))
    assert max(latencies) < 0.35  # the stalled frame's own wait, not a backlog


def test_the_same_stalls_drop_frames_with_a_newest_wins_slot() -> None:
    stalls = StallingDetector(stall_s=0.09, every=10)
    m, _latencies = _live_run(EngineConfig(analysis_fps=None, live_queue_frames=1), stalls)
    assert m["frames_dropped"] >= 3  # one per stall: why the queue exists
    assert m["frames_analysed"] + m["frames_dropped"] == m["frames_in"]


def test_a_worker_slower_than_the_camera_drops_the_oldest_and_latency_stays_bounded() -> None:
    slow = StallingDetector(stall_s=0.1, every=1)  # 10 fps of analysis against 25 fps of capture
    m, latencies = _live_run(EngineConfig(analysis_fps=None, live_queue_frames=8, live_max_lag_s=0.15), slow)
    assert m["frames_dropped"] > 15
    assert m["frames_analysed"] + m["frames_dropped"] == m["frames_in"]  # every frame is accounted for
    assert slow.seen == sorted(slow.seen) and slow.seen[-1] == 49  # in order; the last frame is kept
    # waited at most the lag budget plus the frame in progress, then one step of its own
    assert max(latencies) < 0.15 + 0.1 + 0.1 + 0.1
