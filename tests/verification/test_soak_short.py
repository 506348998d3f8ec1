"""A short soak: a 40 s call (clips played back to back through the real decoder) through the
engine with all detectors, as fast as it goes. After stop no thread or file descriptor is left
behind, memory grows within a generous bound, and the call does not stall once the audio ring
(30 s) is full. `benchmarks/soak.py` runs the long version and measures.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.long_call import PlaylistAudioSource, PlaylistVideoSource, process_figures
from tests.media import write_clip
from verification.analyzer import RecordingAnalyzer, face_dependent_reasons
from verification.composition import build_analyzer
from verification.fusion.live import CallFusion
from verification.pipeline.runner import Engine, EngineConfig

CALL_S = 40.0  # longer than the audio ring and the challenge check's 32 s look-ahead
TIME_LIMIT_S = 120.0  # safety bound: about 10 s here; the stall it guards against took 5 s a frame
RSS_GROWTH_LIMIT_MB = 150.0


@pytest.fixture(scope="module")
def parts() -> RecordingAnalyzer:
    return build_analyzer(None, EngineConfig(), warn=lambda line: None)


def _run_call(parts: RecordingAnalyzer, clips: list[Path], seconds: float) -> tuple[dict, float]:
    detectors = parts.registry.create_all(parts.models, unavailable=face_dependent_reasons(parts.face_unavailable))
    if parts.faces is not None:
        parts.faces.reset()
    engine = Engine(detectors, parts.faces, EngineConfig(), fusion=CallFusion(parts.calibration))
    started = time.monotonic()
    engine.start(PlaylistVideoSource(clips, seconds), PlaylistAudioSource(clips, seconds))
    depths = []
    while not engine.wait(timeout=0.5):
        depths.append(engine.queue_depths())
        if time.monotonic() - started > TIME_LIMIT_S:
            engine.stop()
            pytest.fail(f"a {seconds:.0f} s call did not finish within {TIME_LIMIT_S:.0f} s")
    wall = time.monotonic() - started
    analysis = engine.finish()
    assert analysis.failures == []
    for d in depths:  # every hand-over stays within its bound
        assert d["video_slot"] <= 1 and d["audio_ring_s"] <= EngineConfig().audio_capacity_s + 0.5
        assert d["evidence"] <= EngineConfig().evidence_queue
    return analysis.metrics, wall


def test_long_call_leaves_no_thread_or_descriptor_and_memory_stays_bounded(
        parts: RecordingAnalyzer, tmp_path: Path) -> None:
    clips = [write_clip(tmp_path / "a.mp4", seconds=3.0), write_clip(tmp_path / "b.mkv", seconds=2.0)]
    _run_call(parts, clips, 4.0)  # warm-up: lazily created pools and caches are not leaks
    _run_call(parts, clips, 4.0)  # a native pool may still start on a second call: not a leak either
    before = process_figures()
    metrics, wall = _run_call(parts, clips, CALL_S)
    after = process_figures()

    assert metrics["frames_in"] == pytest.approx(CALL_S * 25, abs=30)  # the whole call went through
    assert metrics["audio_windows"] >= (CALL_S - 2.0) / 0.5 - 2
    assert after.python_threads == before.python_threads
    # The engine's own threads are Python threads, counted exactly above; native pools (ONNX Runtime,
    # BLAS) belong to the whole test process and may start one more while other tests' work winds down.
    assert after.threads <= before.threads + 2
    assert after.open_files == before.open_files
    assert after.rss_mb - before.rss_mb < RSS_GROWTH_LIMIT_MB
    assert wall < TIME_LIMIT_S
