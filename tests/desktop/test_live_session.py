"""The live-session controller drives the real engine on a real recording, off the GUI thread."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from pytestqt.qtbot import QtBot

from desktop.controllers.live_session import LiveSession, SessionState
from desktop.controllers.source_plan import SourcePlan, build_sources, demo_plan
from tests.desktop.conftest import LIVE
from tests.desktop.support import ScoresEveryFace, UnpluggedAfter
from verification.detectors.catalog import DETECTOR_IDS


def test_recording_watched_to_the_end(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    session = LiveSession(make_factory())
    with qtbot.waitSignal(session.detectors_ready, timeout=20_000) as ready:
        assert session.start(demo_plan(str(grid_clip)))
        assert session.state is SessionState.STARTING  # returned at once
    assert set(ready.args[0]) == set(DETECTOR_IDS)
    with qtbot.waitSignal(session.ended, timeout=30_000) as ended:
        pass
    record = ended.args[0]
    assert session.state is SessionState.ENDED
    assert record.analysis is not None and record.analysis.video is not None
    assert record.verdicts and record.peak is not None
    frame, faces = session.latest_preview()
    assert frame.image.ndim == 3 and [f.track_id for f in faces] == [0]  # numbered from #0 every call


def test_face_verdicts_and_evidence_reach_the_gui(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    session = LiveSession(make_factory(detectors={"face_synthetic": lambda _m: ScoresEveryFace(0.99)}))
    batches: list[list] = []
    session.evidence_added.connect(batches.append)
    session.start(demo_plan(str(grid_clip)))
    with qtbot.waitSignal(session.ended, timeout=30_000) as ended:
        pass
    evidence = [e for batch in batches for e in batch]
    assert evidence and all(e.detector_id == "face_synthetic" for e in evidence)
    record = ended.args[0]
    assert len(record.evidence) == len(evidence)
    assert record.peak.level == "elevated"  # 3 s of evidence: `high` needs 3.5 s
    assert [p.key for p in record.peak.participants] == ["face #0"]


def test_lost_device_keeps_the_evidence(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    def unplug_camera(plan: SourcePlan) -> tuple:
        video, audio = build_sources(plan)
        return UnpluggedAfter(video, 20), audio

    session = LiveSession(make_factory(detectors={"face_synthetic": lambda _m: ScoresEveryFace(0.2)}), unplug_camera)
    ended_sources: list[str] = []
    session.source_ended.connect(ended_sources.append)
    with qtbot.waitSignal(session.source_failed, timeout=20_000) as failed:
        session.start(demo_plan(str(grid_clip)))
    event = failed.args[0]
    assert event.lost_device and event.source == "video" and "USB webcam" in event.message
    with qtbot.waitSignal(session.ended, timeout=30_000) as ended:
        pass
    record = ended.args[0]
    assert ended_sources == ["audio"]  # the sound went on to the end of the recording
    assert record.failures == [event]
    assert record.evidence and record.verdicts  # what was gathered before the loss is kept


def test_unreadable_recording_fails_in_one_line(qtbot: QtBot, make_factory: Callable, tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    session = LiveSession(make_factory())
    with qtbot.waitSignal(session.start_failed, timeout=20_000) as failed:
        session.start(demo_plan(str(bad)))
    assert "notes.mp4" in failed.args[0] and "\n" not in failed.args[0]
    assert session.state is SessionState.IDLE and session.record is None


def test_stop_returns_at_once_and_ends_the_call(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    session = LiveSession(make_factory(LIVE))
    with qtbot.waitSignal(session.started, timeout=20_000):
        session.start(demo_plan(str(grid_clip)))
    assert not session.start(demo_plan(str(grid_clip)))  # one call at a time
    t0 = time.perf_counter()
    with qtbot.waitSignal(session.ended, timeout=10_000):
        session.stop()
        assert time.perf_counter() - t0 < 0.05  # the GUI thread does not wait for the engine
        assert session.state is SessionState.STOPPING
    assert session.state is SessionState.ENDED
