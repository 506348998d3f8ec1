"""The speech worker runs at a lower OS priority, and so do the recogniser threads it starts, so
transcribing a chunk never makes a live frame wait for a core."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.verification.models_support import real_model_dir
from verification.inference.manifest import load_manifest
from verification.pipeline.priority import BACKGROUND_NICE, thread_nice
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.base import INTERNAL_SAMPLE_RATE, AudioChunk, AudioInfo, AudioSource
from verification.speech.live import LiveCueListener
from verification.speech.whisper import Recogniser


class _Speech(AudioSource):
    """Twelve seconds of a tone, handed over at once as a recording would be."""

    live = False

    def __init__(self) -> None:
        self._done = False

    def open(self) -> AudioInfo:
        return AudioInfo(INTERNAL_SAMPLE_RATE, 1)

    def read(self) -> AudioChunk | None:
        if self._done:
            return None
        self._done = True
        t = np.arange(12 * INTERNAL_SAMPLE_RATE) / INTERNAL_SAMPLE_RATE
        return AudioChunk(0, 0.0, time.monotonic(), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))

    def close(self) -> None:
        pass


def _tasks() -> set[int]:
    return {int(p.name) for p in Path("/proc/self/task").iterdir()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux only")
def test_the_recogniser_and_its_threads_run_at_a_lower_priority() -> None:
    model_dir = real_model_dir()
    seen: dict[str, int | None] = {}

    def load() -> Recogniser:
        seen["loader"] = thread_nice(threading.get_native_id())
        return Recogniser(load_manifest(), model_dir)

    base = thread_nice(threading.get_native_id())
    assert base is not None
    before = _tasks()
    listener = LiveCueListener(load, budget=10.0)
    analysis = Engine([], None, EngineConfig(), speech=listener).run(None, _Speech())
    assert analysis.speech_cues is not None
    assert seen["loader"] == min(19, base + BACKGROUND_NICE)
    recogniser_threads = _tasks() - before  # the engine's threads have ended; the model's stay
    assert recogniser_threads
    assert {thread_nice(tid) for tid in recogniser_threads} == {min(19, base + BACKGROUND_NICE)}
    assert thread_nice(threading.get_native_id()) == base  # the caller's own priority is untouched
