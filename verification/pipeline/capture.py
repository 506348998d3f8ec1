"""Capture loops: one thread per source, reading as fast as the source delivers; a live source
lost mid-call is reopened on the same thread (see `reconnect`).

Opening happens on the capture thread itself because some backends (mss, some cameras) bind
their handles to the thread that created them; the result is handed back through `Opened`.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from verification.errors import CallShieldError, SourceLost
from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.events import EventSink, SourceEnded, SourceFailed, SourceInterrupted, SourceResumed
from verification.pipeline.frame_queue import FrameQueue
from verification.pipeline.latest_slot import LatestSlot, SlotClosed
from verification.pipeline.metrics import Counter
from verification.pipeline.reconnect import MediaClock, NotJudgedSpan, RetryPolicy
from verification.sources.base import AudioChunk, AudioSource, FrameSource, VideoFrame


class Pacer:
    """Sleeps so that media time advances no faster than wall time (--realtime)."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._origin: float | None = None

    def wait_until(self, pts: float) -> None:
        now = time.monotonic()
        if self._origin is None:
            self._origin = now - pts
        delay = self._origin + pts - now
        if delay > 0:
            self._stop.wait(delay)


def _report_failure(kind: str, exc: CallShieldError, sink: EventSink, failures: list[str]) -> None:
    failures.append(str(exc))
    sink(SourceFailed(kind, str(exc), lost_device=isinstance(exc, SourceLost)))


@dataclass(frozen=True)
class Recovery:
    """How a capture thread handles a live source lost mid-call: retry with `policy`, and hand each
    span it was gone for to `not_judged` (the engine's fusion thread turns it into evidence)."""

    policy: RetryPolicy
    not_judged: Callable[[NotJudgedSpan], None]


def _reopen(kind: str, source: FrameSource | AudioSource, lost: CallShieldError, clock: MediaClock,
            stop: threading.Event, recovery: Recovery, sink: EventSink, failures: list[str]) -> bool:
    """Retry opening until the source is back (True) or the policy gives up or `stop` (False)."""
    _close_quietly(source.close)
    clock.lost()
    lost_t = clock.last_end
    delays = recovery.policy.delays()
    delay = next(delays)
    sink(SourceInterrupted(kind, str(lost), lost_t, 0, delay))
    for attempt in itertools.count(1):
        if stop.wait(delay):
            recovery.not_judged(NotJudgedSpan(kind, lost_t, clock.now_t(), f"{lost}; the call was stopped"))
            return False
        try:
            source.open()
            return True
        except CallShieldError as exc:
            _close_quietly(source.close)
            if clock.down_s() >= recovery.policy.give_up_after_s:
                message = f"{lost}; did not come back within {recovery.policy.give_up_after_s:g} s"
                recovery.not_judged(NotJudgedSpan(kind, lost_t, clock.now_t(), message))
                failures.append(message)
                sink(SourceFailed(kind, message, lost_device=True))
                return False
            delay = next(delays)
            sink(SourceInterrupted(kind, str(exc), lost_t, attempt, delay))
    return False  # pragma: no cover - the loop above only returns


def _capture(kind: str, source: FrameSource | AudioSource, opened: Future, stop: threading.Event,
             realtime: bool, deliver: Callable[[Any], bool], finish: Callable[[], None],
             sink: EventSink, failures: list[str], recovery: Recovery) -> None:
    """Open, then read and `deliver` until the source ends, `stop` is set or delivery gives up.

    A live source lost mid-call is reopened as `recovery` says; a recording that fails ends here.
    `finish` closes the hand-over (slot or ring) so the worker learns the stream is over.
    """
    try:
        opened.set_result(source.open())
    except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
        opened.set_exception(exc)
        finish()
        return
    pacer = Pacer(stop) if realtime and not source.live else None
    clock = MediaClock()
    gone: tuple[float, str] | None = None  # (call time lost, why) until the first input after it
    try:
        while not stop.is_set():
            try:
                item = source.read()
            except CallShieldError as exc:
                if not source.live:
                    raise
                if not _reopen(kind, source, exc, clock, stop, recovery, sink, failures):
                    break
                gone = (clock.last_end, str(exc))
                continue
            if item is None:
                sink(SourceEnded(kind))
                break
            down_s = clock.down_s()
            item = clock.place(item)
            if gone is not None:
                recovery.not_judged(NotJudgedSpan(kind, gone[0], item.pts, gone[1]))
                sink(SourceResumed(kind, item.pts, down_s))
                gone = None
            if pacer:
                pacer.wait_until(item.pts)
            if not deliver(item):
                break
    except CallShieldError as exc:
        _report_failure(kind, exc, sink, failures)
    finally:
        finish()
        _close_quietly(source.close)


def run_video_capture(source: FrameSource, slot: LatestSlot[VideoFrame] | FrameQueue[VideoFrame], opened: Future,
                      stop: threading.Event, realtime: bool, frames_in: Counter,
                      sink: EventSink, failures: list[str], recovery: Recovery) -> None:
    def deliver(frame: VideoFrame) -> bool:
        frames_in.add()
        try:
            while not slot.put(frame, timeout=0.1):  # lossless: wait for the worker, but heed stop
                if stop.is_set():
                    return False
        except SlotClosed:
            return False
        return True

    _capture("video", source, opened, stop, realtime, deliver, slot.close, sink, failures, recovery)


def run_audio_capture(source: AudioSource, ring: AudioRing, opened: Future, stop: threading.Event,
                      realtime: bool, sink: EventSink, failures: list[str], recovery: Recovery) -> None:
    def deliver(chunk: AudioChunk) -> bool:
        ring.append(chunk.samples, chunk.pts, chunk.captured_at)
        return True

    _capture("audio", source, opened, stop, realtime, deliver, ring.close, sink, failures, recovery)


def _close_quietly(close: Callable[[], None]) -> None:
    try:
        close()
    except Exception:  # noqa: BLE001 - a failing close must not hide the real outcome
        pass
