"""A camera lost mid-call on the monitor: the banner says when it was lost and that it is being
retried, then that it is back; the call goes on, and the gap shows on the timelines as not judged.

The camera is the real camera source on a recording (OpenCV opens a file path as it opens a device):
at the recording's end it stops delivering frames, which it reports as a lost device, and reopening
brings it back, so the call loses and regains its video until it is stopped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from pytestqt.qtbot import QtBot

from desktop.controllers.live_session import LiveSession, SessionState
from desktop.controllers.source_plan import CameraTarget, DeviceAudio, SourcePlan
from desktop.tasks import TaskRunner
from desktop.views.monitor.monitor_page import MonitorPage
from desktop.views.monitor.source_chooser import SourceChooser
from desktop.views.monitor.source_words import lost_sentence, resumed_sentence, source_names
from tests.desktop.conftest import FAST
from tests.desktop.support import device, fake_probes
from tests.media import write_clip
from verification.pipeline.events import SourceInterrupted, SourceResumed
from verification.pipeline.reconnect import RetryPolicy
from verification.sources.camera_source import CameraSource
from verification.sources.file_source import FileAudioSource

RETRY = replace(FAST, retry=RetryPolicy(first_delay_s=0.2, max_delay_s=0.4, give_up_after_s=5.0))


def test_lost_camera_shows_retrying_then_back_and_the_gap(qtbot: QtBot, make_factory: Callable,
                                                          tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "camera.mp4", seconds=1.0)

    def camera_on_a_recording(_plan: SourcePlan) -> tuple:
        return CameraSource(str(clip), max_failures=2, retry_delay_s=0.01), FileAudioSource(clip)

    page = MonitorPage(LiveSession(make_factory(RETRY), camera_on_a_recording),
                       SourceChooser(fake_probes(), TaskRunner()))
    qtbot.addWidget(page)
    page.show()
    said: list[tuple[str, str, str]] = []  # what the banner and preview showed at each event
    session = page.session
    for signal in (session.source_interrupted, session.source_resumed):
        signal.connect(lambda event: said.append((type(event).__name__, page.banner.kind, page.banner.text())))
    page.chooser.set_recording(str(clip))
    with qtbot.waitSignal(session.source_resumed, timeout=30_000):
        page.start()
    lost, back = said[0], said[-1]
    assert lost[0] == "SourceInterrupted" and lost[1] == "warning"
    assert "Video lost at 0:00; retrying now" in lost[2] and "stopped delivering frames" in lost[2]
    assert "Nothing is judged from the picture until it is back" in lost[2]
    assert back[0] == "SourceResumed" and back[1] == "info" and "Video back at 0:0" in back[2]
    assert session.state is SessionState.RUNNING  # the call goes on
    with qtbot.waitSignal(session.ended, timeout=30_000) as ended:
        session.stop()
    record = ended.args[0]
    kinds = [type(e) for e in record.interruptions]
    assert kinds[:2] == [SourceInterrupted, SourceResumed] and not record.failures
    assert "Could not" not in page.banner.text() and page.banner.kind != "error"
    gaps = [p for p in page.timeline_model.rows["pulse"] if p.score is None and p.reason
            and "stopped delivering frames" in p.reason]
    assert gaps and gaps[0].t1 > gaps[0].t0  # the span the camera was gone: not judged, with why
    assert any(r.startswith("The video was not judged from") for r in record.analysis.verdict.reasons)


def test_lost_and_back_name_the_source_the_person_chose() -> None:
    names = source_names(SourcePlan(CameraTarget(0, "USB webcam"), DeviceAudio(device(1, "Headset"), False)))
    lost = lost_sentence(SourceInterrupted("video", "camera 0: stopped delivering frames", 42.4, 3, 2.0), names)
    assert lost.startswith("Camera lost at 0:42; retrying in 2 s (tried 3 times). Nothing is judged from the picture")
    assert lost.endswith("Why: camera 0: stopped delivering frames")
    back = resumed_sentence(SourceResumed("audio", 3725.0, 8.2), names)
    assert back.startswith("Microphone back at 1:02:05 after 8 s; the gap is marked not judged")
