"""The speech worker: hands the call's audio to a cue listener as it arrives, off the detectors' path.

It reads the audio ring as its own reader. On a live call the ring drops what a busy reader has
not taken; that audio is told to the listener as skipped, so the coverage stays true. The
listener's budget keeps it from falling behind in the first place (every Nth chunk). The thread
runs at a lower OS priority (with the recogniser's threads it starts), so transcribing a chunk
never makes a frame wait for a core.
"""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np

from verification.pipeline.audio_ring import AudioRing
from verification.pipeline.events import EventSink, SpeechHeard
from verification.pipeline.priority import lower_this_thread

READER = "speech"
STEP_S = 1.0  # hand audio over a second at a time: the ring is released as soon as it is copied


class CueListener(Protocol):
    """What the worker needs (verification.speech.live.LiveCueListener)."""

    problem: str | None

    def feed(self, samples: np.ndarray) -> list: ...

    def skip(self, seconds: float) -> None: ...

    def finish(self) -> list: ...

    def coverage(self) -> dict: ...

    def section(self) -> dict: ...


def _report(listener: CueListener, cues: list, sink: EventSink, last: tuple) -> tuple:
    coverage = listener.coverage()
    now = (coverage.get("transcribed_chunks"), coverage.get("quiet_chunks"), coverage.get("dropped_chunks"),
           listener.problem)
    if cues or now != last:
        sink(SpeechHeard(tuple(c.as_dict() for c in cues), coverage, listener.problem))
    return now


def run_speech_worker(ring: AudioRing, listener: CueListener, stop: threading.Event, sink: EventSink) -> None:
    rate = ring.sample_rate
    step = int(STEP_S * rate)
    last: tuple = ()
    lower_this_thread()  # before the listener loads its recogniser on this thread
    try:
        while not ring.wait_started(timeout=0.1):
            if stop.is_set() or ring.closed:
                return
        pos = ring.start_index
        while not stop.is_set():
            ended = ring.closed
            end, start = ring.end_index, ring.start_index
            if pos < start:  # overwritten before it was read
                listener.skip((start - pos) / rate)
                pos = start
            if end - pos >= step or (ended and end > pos):
                b = min(end, pos + step)
                samples = ring.read(pos, b).samples
                ring.release(b, reader=READER)
                pos = b
                last = _report(listener, listener.feed(samples), sink, last)
            elif ended:
                break
            else:
                ring.wait_for_end(pos + step, timeout=0.1)
        # the last words of a call matter too: the short final chunk is heard even after Stop
        _report(listener, listener.finish(), sink, last)
    finally:
        ring.remove_reader(READER)
