"""Capture loops: one thread per source, reading as fast as the source delivers.

Opening happens on the capture thread itself because some backends (mss, some cameras) bind
their handles to the thread that created them; the result is handed back through `Opened`.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

from verification.errors import CallShieldError, SourceLost
from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.events import EventSink, SourceEnded, SourceFailed
from verification.pipeline.latest_slot import LatestSlot, SlotClosed
from verification.pipeline.metrics import Counter
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


def _capture(kind: str, source: FrameSource | AudioSource, opened: Future, stop: threading.Event,
             realtime: bool, deliver: Callable[[Any], bool], finish: Callable[[], None],
             sink: EventSink, failures: list[str]) -> None:
    """Open, then read and `deliver` until the source ends, `stop` is set or delivery gives up.

    `finish` closes the hand-over (slot or ring) so the worker learns the stream is over.
    """
    try:
        opened.set_result(source.open())
    except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
        opened.set_exception(exc)
        finish()
        return
    pacer = Pacer(stop) if realtime and not source.live else None
    try:
        while not stop.is_set():
            item = source.read()
            if item is None:
                sink(SourceEnded(kind))
                break
            if pacer:
                pacer.wait_until(item.pts)
            if not deliver(item):
                break
    except CallShieldError as exc:
        _report_failure(kind, exc, sink, failures)
    finally:
        finish()
        _close_quietly(source.close)


def run_video_capture(source: FrameSource, slot: LatestSlot[VideoFrame], opened: Future,
                      stop: threading.Event, realtime: bool, frames_in: Counter,
                      sink: EventSink, failures: list[str]) -> None:
    def deliver(frame: VideoFrame) -> bool:
        frames_in.add()
        try:
            while not slot.put(frame, timeout=0.1):  # lossless: wait for the worker, but heed stop
                if stop.is_set():
                    return False
        except SlotClosed:
            return False
        return True

    _capture("video", source, opened, stop, realtime, deliver, slot.close, sink, failures)


def run_audio_capture(source: AudioSource, ring: AudioRing, opened: Future, stop: threading.Event,
                      realtime: bool, sink: EventSink, failures: list[str]) -> None:
    def deliver(chunk: AudioChunk) -> bool:
        ring.append(chunk.samples, chunk.pts, chunk.captured_at)
        return True

    _capture("audio", source, opened, stop, realtime, deliver, ring.close, sink, failures)


def _close_quietly(close: Callable[[], None]) -> None:
    try:
        close()
    except Exception:  # noqa: BLE001 - a failing close must not hide the real outcome
        pass
