"""Shared by the time-to-alert benchmarks: play one recording through the engine (optionally paced
to real time) and time the verdict events against the moment the synthetic part begins."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from verification.fusion.levels import ORDER
from verification.fusion.live import CallFusion
from verification.pipeline.events import VerdictChanged
from verification.pipeline.runner import Engine, EngineConfig
from verification.sources.file_source import FileAudioSource, FileVideoSource


def run_trial(analyzer: Any, path: Path, fake_start: float, realtime: bool, with_video: bool = False) -> dict:
    """Seconds (media and wall clock) from `fake_start` to `elevated` and to `high`, and whether the
    level rose while the recording was still real (a false alarm). With video, the level is the
    worst face's (a fake face is what is timed, not a voice change between the joined clips).
    Paced runs hand frames over newest-wins, as a live camera does: a lossless hand-over would let
    the video fall behind on a slow machine and time the backlog, not the detectors."""
    events: list[tuple[float, float, str]] = []
    frontier = [0.0]

    def on_event(event: Any) -> None:
        if isinstance(event, VerdictChanged) and event.media_t is not None:
            # media time the fusion has seen up to: audio and video may run apart when not paced
            frontier[0] = max(frontier[0], event.media_t)
            level = event.verdict.level
            if with_video:
                faces = [p.level for p in event.verdict.participants if p.track is not None]
                level = max(faces, key=ORDER.__getitem__) if faces else "unknown"
            events.append((frontier[0], time.monotonic(), level))

    if analyzer.faces is not None:
        analyzer.faces.reset()
    detectors = analyzer.registry.create_all(analyzer.models)
    faces = analyzer.faces if with_video else None
    engine = Engine(detectors, faces, EngineConfig(realtime=realtime, lossless=not realtime), on_event,
                    fusion=CallFusion(analyzer.calibration))
    started = time.monotonic()
    engine.run(FileVideoSource(path) if with_video else None, FileAudioSource(path))
    rose_early = any(ORDER[level] >= 1 for t, _, level in events if t <= fake_start)
    out: dict[str, Any] = {"false_alarm_in_real_part": rose_early}
    for name in ("elevated", "high"):
        hit = next(((t, w) for t, w, level in events if t > fake_start and ORDER[level] >= ORDER[name]), None)
        out[f"to_{name}_media_s"] = None if hit is None else round(hit[0] - fake_start, 2)
        # wall clock: when the alert was shown, against when the fake part was played (paced runs)
        out[f"to_{name}_wall_s"] = None if hit is None or not realtime else round(hit[1] - started - fake_start, 2)
    return out


def print_summary(results: list[dict], since: str) -> None:
    """Per level: in how many trials it was reached and the median delay; then false alarms."""
    for name in ("elevated", "high"):
        hits = [r[f"to_{name}_media_s"] for r in results if r[f"to_{name}_media_s"] is not None]
        print(f"to {name}: reached in {len(hits)}/{len(results)} trials; "
              f"median {np.median(hits) if hits else float('nan'):.2f} s after {since} (media time)")
    print(f"false alarms during the real part: {sum(r['false_alarm_in_real_part'] for r in results)}/{len(results)}")
