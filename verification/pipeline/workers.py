"""Worker loops. Each worker alone owns the detectors it calls, so detectors need no locks."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.evidence import AudioWindow, Evidence
from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.frame_queue import FrameQueue
from verification.pipeline.latest_slot import LatestSlot
from verification.pipeline.metrics import EngineMetrics
from verification.pipeline.windows import WindowPlan
from verification.sources.base import VideoFrame


class FaceAnalyzer(Protocol):
    """What the vision worker needs from the face pipeline (verification.vision)."""

    def process(self, image_bgr: Any, pts: float) -> list[Any]: ...


@dataclass(frozen=True)
class Tick:
    """A worker finished an input: lets fusion refresh the verdict and measure latency."""

    media_t: float
    captured_at: float


@dataclass
class TrackSpan:
    first_s: float
    last_s: float
    frames: int = 0


@dataclass
class VisionState:
    """Written by the vision worker only; read after it has stopped."""

    tracks: dict[int, TrackSpan] = field(default_factory=dict)
    media_t: float = 0.0
    #: newest analysed frame and its faces, for a preview polled by the UI (one reference swap)
    latest: tuple[VideoFrame, list[Any]] | None = None


@dataclass
class AudioState:
    """Written by the audio worker only."""

    media_t: float = 0.0


def put_evidence(out: "queue.Queue[Evidence | Tick | None]", item: Evidence | Tick | None,
                 stop: threading.Event) -> None:
    """Blocking put that still heeds `stop` (None tells fusion that one worker has finished)."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


#: how far back av detectors may read audio behind the newest analysed frame
AV_LOOKBACK_S = 8.0


def _vision_loop(slot: LatestSlot[VideoFrame] | FrameQueue[VideoFrame], detectors: Sequence[Detector],
                      faces: FaceAnalyzer | None, analysis_fps: float | None,
                      read_audio: Callable[[float, float], Any] | None,
                      release_audio: Callable[[float], None] | None,
                      out: "queue.Queue[Evidence | Tick | None]", stop: threading.Event,
                      metrics: EngineMetrics, state: VisionState) -> None:
    vision_t = metrics.stage("vision")
    detect_t = metrics.stage("video_detectors")
    min_gap = 1.0 / analysis_fps if analysis_fps else 0.0
    next_pts = float("-inf")
    while not stop.is_set():
        frame = slot.get(timeout=0.1)
        if frame is None:
            if slot.closed:
                return
            continue
        state.media_t = frame.pts
        if frame.pts + 1e-6 < next_pts:
            metrics.frames_skipped.add()
            continue
        if min_gap:  # keep a fixed grid of due times so the analysed rate does not drift
            next_pts = frame.pts if next_pts == float("-inf") else next_pts
            while next_pts <= frame.pts + 1e-6:
                next_pts += min_gap
        t0 = time.perf_counter()
        observations = faces.process(frame.image, frame.pts) if faces is not None else []
        t1 = time.perf_counter()
        vision_t.add(t1 - t0)
        for obs in observations:
            span = state.tracks.setdefault(obs.track_id, TrackSpan(frame.pts, frame.pts))
            span.last_s = frame.pts
            span.frames += 1
        state.latest = (frame, observations)
        analysis = FrameAnalysis(frame, observations, read_audio)
        for detector in detectors:
            for evidence in detector.process_video(analysis):
                put_evidence(out, evidence, stop)
        detect_t.add(time.perf_counter() - t1)
        metrics.frames_analysed.add()
        if release_audio is not None:
            release_audio(frame.pts)
        put_evidence(out, Tick(frame.pts, frame.captured_at), stop)


def _audio_loop(ring: AudioRing, plan: WindowPlan, detectors: Sequence[Detector],
                     out: "queue.Queue[Evidence | Tick | None]", stop: threading.Event,
                     metrics: EngineMetrics, state: AudioState) -> None:
    stage = metrics.stage("audio_detectors")
    rate = ring.sample_rate
    seq = 0
    while not stop.is_set() and not ring.wait_started(timeout=0.1) and not ring.closed:
        pass
    plan.start_at(ring.start_index)
    while not stop.is_set():
        ended = ring.closed
        span = plan.next_window(ring.end_index, ended)
        if span is None:
            if ended:
                state.media_t = ring.end_index / rate
                return
            ring.wait_for_end(ring.end_index + int(plan.hop_s * rate), timeout=0.1)
            continue
        a, b = span
        data = ring.read(a, b)
        ring.release(plan.release_index())
        window = AudioWindow(seq, a / rate, b / rate, data.samples, rate, data.gap, data.captured_at)
        seq += 1
        t0 = time.perf_counter()
        for detector in detectors:
            for evidence in detector.process_audio(window):
                put_evidence(out, evidence, stop)
        stage.add(time.perf_counter() - t0)
        metrics.audio_windows.add()
        state.media_t = window.t1
        put_evidence(out, Tick(window.t1, window.captured_at), stop)


def run_vision_worker(*args: Any) -> None:
    release_audio, out, stop = args[5], args[6], args[7]
    try:
        _vision_loop(*args)
    finally:
        if release_audio is not None:
            release_audio(float("inf"))  # done: never hold the audio writer back again
        put_evidence(out, None, stop)


def run_audio_worker(*args: Any) -> None:
    out, stop = args[3], args[4]
    try:
        _audio_loop(*args)
    finally:
        put_evidence(out, None, stop)
