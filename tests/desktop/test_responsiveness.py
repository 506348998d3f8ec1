"""The GUI thread never waits on analysis: event-loop lag stays under 50 ms at the 99th percentile
while the real engine (face tracking included) analyses a recording paced to real time, with the
whole desktop (monitor, overlay, tray) updating."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import build_desktop, build_parser
from tests.desktop.support import LagProbe, ScoresEveryFace, fake_probes
from verification.detectors.registry import DetectorRegistry

P99_LIMIT_MS = 50.0


def test_event_loop_lag_while_analysing_in_real_time(qtbot: QtBot, analyzer: Any, settings_path: Path,
                                                       grid_clip: Path) -> None:
    parts = replace(analyzer, registry=DetectorRegistry({"face_synthetic": lambda _m: ScoresEveryFace(0.95)}))
    args = build_parser().parse_args(["--demo", str(grid_clip), "--no-check"])
    desktop = build_desktop(QApplication.instance(), args, settings_path, probes=fake_probes(),
                            analyzer_builder=lambda _warn: parts, use_tray=False)
    qtbot.addWidget(desktop.window)
    qtbot.addWidget(desktop.overlay)
    desktop.window.resize(1180, 780)
    desktop.window.show()
    qtbot.waitUntil(lambda: not desktop.window.status.text().startswith("Loading"), timeout=10_000)
    probe = LagProbe()
    probe.timer.start()
    started = time.perf_counter()
    with qtbot.waitSignal(desktop.session.ended, timeout=30_000):
        desktop.monitor.start()
    probe.timer.stop()
    wall = time.perf_counter() - started
    lags = probe.lags_ms()
    p50, p99, worst = np.percentile(lags, 50), np.percentile(lags, 99), lags.max()
    print(f"event-loop lag over {wall:.1f} s, {lags.size} ticks: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"max {worst:.1f} ms")
    big = [(round(probe.stamps[i + 1] - started, 2), round(float(v), 1)) for i, v in enumerate(lags) if v > 25]
    print("late ticks (s after start, ms):", big)
    snapshot = desktop.session.metrics_snapshot()
    assert wall >= 2.5  # paced to real time (the clip is 3 s)
    assert snapshot["frames_analysed"] >= 25  # the engine really worked meanwhile
    # and the views really updated: a 3 s clip is too short to confirm `high` (3.5 s of evidence)
    assert desktop.monitor.preview.badges() == ["face #0 · ELEVATED"]
    assert lags.size >= 150
    assert p99 <= P99_LIMIT_MS, f"event-loop lag p99 {p99:.1f} ms > {P99_LIMIT_MS} ms"
    desktop.quit()
