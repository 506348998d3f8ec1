"""The engine: capture threads -> frame queue / audio ring -> workers -> fusion -> events.

The same engine serves a live call (live sources: a few frames may wait, the oldest dropped past
the lag budget) and a recording (lossless hand-over, as fast as the machine allows, or paced
with `realtime=True`).
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from verification.detectors.base import Detector
from verification.detectors.evidence import DetectorResult, Evidence, Modality
from verification.errors import CallShieldError
from verification.fusion.live import CallFusion
from verification.fusion.verdict import Verdict
from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.capture import Recovery, run_audio_capture, run_video_capture
from verification.pipeline.events import EventSink, EvidenceReported, VerdictChanged, ignore_event
from verification.pipeline.frame_queue import FrameQueue
from verification.pipeline.latest_slot import LatestSlot
from verification.pipeline.metrics import EngineMetrics
from verification.pipeline.reconnect import NotJudgedSpan, RetryPolicy
from verification.pipeline.speech_worker import READER as SPEECH_READER
from verification.pipeline.speech_worker import CueListener, run_speech_worker
from verification.pipeline.windows import WindowPlan
from verification.pipeline.workers import (AV_LOOKBACK_S, AudioState, FaceAnalyzer, Tick, TrackSpan, VisionState,
                                           put_evidence, run_audio_worker, run_vision_worker)
from verification.sources.base import INTERNAL_SAMPLE_RATE, AudioInfo, AudioSource, FrameSource, VideoFrame, VideoInfo


@dataclass(frozen=True)
class EngineConfig:
    realtime: bool = False  # pace recordings to wall time, to reproduce live behaviour
    lossless: bool | None = None  # None: lossless for recordings, a short dropping queue for live sources
    live_queue_frames: int = 4  # live frames waiting for the vision worker at most (1: newest wins)
    live_max_lag_s: float = 0.25  # a live frame older than this is dropped when a newer one waits
    analysis_fps: float | None = 15.0  # analyse at most this many frames per media second
    audio_window_s: float = 2.0
    audio_hop_s: float = 0.5
    audio_capacity_s: float = 30.0
    evidence_queue: int = 512
    open_timeout_s: float = 15.0
    retry: RetryPolicy = RetryPolicy()  # a live source lost mid-call


@dataclass
class CallAnalysis:
    """Everything the engine learned about one call or recording."""

    video: VideoInfo | None
    audio: AudioInfo | None
    results: list[DetectorResult]
    verdict: Verdict
    tracks: dict[int, TrackSpan]
    metrics: dict
    failures: list[str] = field(default_factory=list)  # one line per source that failed
    participants: dict = field(default_factory=dict)  # key -> worst ParticipantVerdict
    not_judged: list[NotJudgedSpan] = field(default_factory=list)  # spans a lost source left unseen
    speech_cues: dict | None = None  # the report's `speech_cues`, when a cue listener heard the call


#: the detectors that judge nothing while a source is gone (av_sync needs both)
LOST_WITH = {"video": (Modality.VIDEO, Modality.AV), "audio": (Modality.AUDIO, Modality.AV)}


def gap_evidence(detector_id: str, span: NotJudgedSpan) -> Evidence:
    return Evidence(detector_id, span.t0, span.t1, "not_applicable", reason=span.reason)


class Engine:
    def __init__(self, detectors: Sequence[Detector], faces: FaceAnalyzer | None = None,
                 config: EngineConfig = EngineConfig(), on_event: EventSink = ignore_event,
                 fusion: CallFusion | None = None, speech: CueListener | None = None) -> None:
        self._detectors = list(detectors)
        self._speech = speech  # scam cues in the call's speech, on a thread of its own
        self._faces = faces
        self._config = config
        self._sink = on_event
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._failures: list[str] = []
        self._spans: list[NotJudgedSpan] = []  # appended by capture threads
        self._vision_state = VisionState()
        self._fusion = fusion if fusion is not None else CallFusion()  # owned by the fusion thread
        self._audio_state = AudioState()
        self.metrics = EngineMetrics()
        for name in ("vision", "video_detectors", "audio_detectors", "fusion"):
            self.metrics.stage(name)
        self._slot: LatestSlot[VideoFrame] | FrameQueue[VideoFrame] | None = None
        self._ring: AudioRing | None = None
        self._video_info: VideoInfo | None = None
        self._audio_info: AudioInfo | None = None
        self._latest_verdict: Verdict | None = None
        self._preview: VideoFrame | None = None
        self._evidence_q: queue.Queue | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, video: FrameSource | None, audio: AudioSource | None) -> None:
        """Open the sources (on their own threads) and start analysing. Raises the first open error."""
        if video is None and audio is None:
            raise CallShieldError("nothing to analyse: no video and no audio source")
        cfg = self._config
        self.metrics = EngineMetrics()
        for name in ("vision", "video_detectors", "audio_detectors", "fusion"):
            self.metrics.stage(name)
        evidence_q: queue.Queue[Evidence | Tick | NotJudgedSpan | None] = queue.Queue(maxsize=cfg.evidence_queue)
        self._evidence_q = evidence_q
        self._spans = []
        recovery = Recovery(cfg.retry, self._lost_span)
        opened: list[tuple[str, Future]] = []
        video_dets = [d for d in self._detectors if d.modality in (Modality.VIDEO, Modality.AV)]
        audio_dets = [d for d in self._detectors if d.modality == Modality.AUDIO]
        if audio is not None:
            lossless = cfg.lossless if cfg.lossless is not None else not audio.live
            # with video too, the vision worker's av detectors read audio: the ring keeps it for them
            readers = ("audio", "vision") if video is not None else ("audio",)
            readers += (SPEECH_READER,) if self._speech is not None else ()
            self._ring = AudioRing(INTERNAL_SAMPLE_RATE, cfg.audio_capacity_s, lossless=lossless, readers=readers)
            fut: Future = Future()
            opened.append(("audio", fut))
            self._spawn("capture-audio", run_audio_capture, audio, self._ring, fut, self._stop,
                        cfg.realtime, self._sink, self._failures, recovery)
            plan = WindowPlan(INTERNAL_SAMPLE_RATE, cfg.audio_window_s, cfg.audio_hop_s)
            self._spawn("audio-worker", run_audio_worker, self._ring, plan, audio_dets, evidence_q,
                        self._stop, self.metrics, self._audio_state)
            if self._speech is not None:  # not a "worker": fusion does not wait for it
                self._spawn("speech", run_speech_worker, self._ring, self._speech, self._stop, self._sink)
        if video is not None:
            lossless = cfg.lossless if cfg.lossless is not None else not video.live
            self._slot = LatestSlot(lossless=True) if lossless else self._live_queue()
            fut = Future()
            opened.append(("video", fut))
            self._spawn("capture-video", run_video_capture, video, self._slot, fut, self._stop,
                        cfg.realtime, self.metrics.frames_in, self._sink, self._failures, recovery)
            read_audio = self._read_audio if self._ring is not None else None
            release_audio = self._release_audio if self._ring is not None else None
            self._spawn("vision-worker", run_vision_worker, self._slot, video_dets, self._faces,
                        cfg.analysis_fps, read_audio, release_audio, evidence_q, self._stop, self.metrics,
                        self._vision_state)
        workers = sum(1 for t in self._threads if t.name.endswith("worker"))
        self._spawn("fusion", self._run_fusion, evidence_q, workers)
        for kind, fut in opened:
            try:
                info = fut.result(timeout=cfg.open_timeout_s)
            except CallShieldError:
                self.stop()
                raise
            except TimeoutError:
                self.stop()
                raise CallShieldError(f"{kind} source did not open within {cfg.open_timeout_s:.0f} s") from None
            if kind == "audio":
                self._audio_info = info
            else:
                self._video_info = info

    def _live_queue(self) -> LatestSlot[VideoFrame] | FrameQueue[VideoFrame]:
        cfg = self._config
        if cfg.live_queue_frames <= 1:
            return LatestSlot()
        return FrameQueue(cfg.live_queue_frames, cfg.live_max_lag_s, lambda f: time.monotonic() - f.captured_at)

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=f"callshield-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every source has ended and all work is done. True when finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
            if thread.is_alive():
                return False
        return True

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop capture and workers. Always returns; False if a thread is stuck in a source read."""
        self._stop.set()
        if self._slot is not None:
            self._slot.close()
        if self._ring is not None:
            self._ring.close()
        return self.wait(timeout)

    def run(self, video: FrameSource | None, audio: AudioSource | None) -> CallAnalysis:
        self.start(video, audio)
        self.wait()
        return self.finish()

    # -- observation ------------------------------------------------------------------------
    def progress_media_s(self) -> float:
        """Media time analysed so far (the slower of the two streams when both exist)."""
        times = []
        if self._slot is not None:
            times.append(self._vision_state.media_t)
        if self._ring is not None:
            times.append(self._audio_state.media_t)
        return min(times) if times else 0.0

    def activity(self) -> tuple[float, ...]:
        """Counters that move while any stage makes progress; equal snapshots mean a stall."""
        m = self.metrics
        ring_end = float(self._ring.end_index) if self._ring is not None else 0.0
        return (float(m.frames_in.value), float(m.frames_analysed.value), float(m.audio_windows.value),
                ring_end, self._vision_state.media_t, self._audio_state.media_t)

    def queue_depths(self) -> dict[str, float]:
        """How full each hand-over is now: frames waiting for the vision worker, seconds of audio the
        ring holds, evidence items queued for fusion. All are bounded; a soak test watches them."""
        ring = self._ring
        return {"video_slot": float(self._slot.waiting) if self._slot is not None else 0.0,
                "audio_ring_s": (ring.end_index - ring.start_index) / ring.sample_rate if ring else 0.0,
                "evidence": float(self._evidence_q.qsize()) if self._evidence_q is not None else 0.0}

    def latest_preview(self) -> tuple[VideoFrame, list] | None:
        """Newest analysed frame with its face observations (the UI polls this on a timer)."""
        return self._vision_state.latest

    def latest_verdict(self) -> Verdict | None:
        return self._latest_verdict

    def metrics_snapshot(self) -> dict:
        dropped = self._slot.dropped if self._slot is not None else 0
        ring = self._ring
        audio_dropped = ring.dropped_samples / ring.sample_rate if ring else 0.0
        audio_gap = ring.gap_samples / ring.sample_rate if ring else 0.0
        return self.metrics.snapshot(dropped, audio_dropped, audio_gap)

    def finish(self) -> CallAnalysis:
        """Call-level results; only after the workers have stopped (they own detector state)."""
        if any(t.is_alive() for t in self._threads):
            raise RuntimeError("finish() called while the engine is still running")
        results = [d.result() for d in self._detectors]
        spans = list(self._spans)
        for result in results:  # the report's timelines show each gap, with its reason
            gaps = [gap_evidence(result.detector_id, span) for span in spans
                    if result.modality in LOST_WITH[span.source]]
            if gaps:
                result.windows = sorted(result.windows + gaps, key=lambda w: (w.t0, w.t1))
        for span in spans:  # one that ended as the call was stopped never reached the fusion thread
            self._fusion.add_gap(span)
        verdict = self._fusion.final_verdict(results, self._failures)  # a damaged source leads the reasons
        return CallAnalysis(self._video_info, self._audio_info, results, verdict,
                            dict(self._vision_state.tracks), self.metrics_snapshot(), list(self._failures),
                            self._fusion.participant_peaks(), spans,
                            self._speech.section() if self._speech is not None and self._ring is not None else None)

    # -- internals --------------------------------------------------------------------------
    def _lost_span(self, span: NotJudgedSpan) -> None:
        """A capture thread's source was gone for `span`: keep it, and tell fusion."""
        self._spans.append(span)
        if self._evidence_q is not None:
            put_evidence(self._evidence_q, span, self._stop)

    def _read_audio(self, t0: float, t1: float) -> np.ndarray:
        ring = self._ring
        assert ring is not None
        rate = ring.sample_rate
        if ring.lossless and ring.can_reach(int(t1 * rate), "vision"):
            # a recording: video may decode ahead of audio, so wait for the samples (never on live).
            # Not for audio a full ring beyond this reader: the writer waits for this reader to
            # release first, so that wait could only time out (detectors that read ahead, such as
            # the challenge check's 32 s look-ahead, stalled long recordings 5 s a frame).
            ring.wait_for_end(int(t1 * rate), timeout=5.0)
        return ring.read(int(t0 * rate), int(t1 * rate)).samples

    def _release_audio(self, before_t: float) -> None:
        ring = self._ring
        assert ring is not None
        if before_t == float("inf"):
            ring.remove_reader("vision")
        else:  # keep at most half the ring for the av detectors' look-back
            keep = min(AV_LOOKBACK_S, self._config.audio_capacity_s / 2)
            if before_t - keep > 0:
                ring.release(int((before_t - keep) * ring.sample_rate), reader="vision")

    def _run_fusion(self, evidence_q: "queue.Queue[Evidence | Tick | NotJudgedSpan | None]", workers: int) -> None:
        stage = self.metrics.stage("fusion")
        finished = 0
        while finished < workers:
            try:
                item = evidence_q.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set():
                    return
                continue
            if item is None:
                finished += 1
            elif isinstance(item, Evidence):
                self._fusion.add(item)
                self._sink(EvidenceReported(item))
            elif isinstance(item, NotJudgedSpan):
                self._fusion.add_gap(item)
                for detector in self._detectors:
                    if detector.modality in LOST_WITH[item.source]:
                        gap = gap_evidence(detector.id, item)
                        self._fusion.add(gap)
                        self._sink(EvidenceReported(gap))
            else:
                t0 = time.perf_counter()
                verdict = self._fusion.verdict(item.media_t, tuple(self._failures))  # appended by capture threads
                self._latest_verdict = verdict
                latency = time.monotonic() - item.captured_at
                self.metrics.end_to_end.add(latency)
                stage.add(time.perf_counter() - t0)
                self._sink(VerdictChanged(verdict, item.media_t, latency))
