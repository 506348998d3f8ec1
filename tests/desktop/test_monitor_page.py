"""The call monitor shows the real engine's preview, verdicts, timelines and speed, and says
clearly when a device is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from pytestqt.qtbot import QtBot

from desktop.controllers.live_session import LiveSession
from desktop.controllers.source_plan import SourcePlan, build_sources
from desktop.tasks import TaskRunner
from desktop.views.monitor.monitor_page import MonitorPage
from desktop.views.monitor.source_chooser import SourceChooser
from tests.desktop.support import ScoresEveryFace, UnpluggedAfter, fake_probes


def _page(qtbot: QtBot, session: LiveSession) -> MonitorPage:
    chooser = SourceChooser(fake_probes(), TaskRunner())
    page = MonitorPage(session, chooser)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def _watch(qtbot: QtBot, page: MonitorPage, clip: Path) -> None:
    page.chooser.set_recording(str(clip))
    with qtbot.waitSignal(page.session.ended, timeout=30_000):
        page.start()
        assert not page.start_button.isEnabled() and page.stop_button.isEnabled()
        qtbot.waitUntil(lambda: page.preview.frame_seq is not None, timeout=20_000)


def test_demo_call_without_judging_detectors(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    page = _page(qtbot, LiveSession(make_factory(detectors={})))  # a build where no detector can run
    _watch(qtbot, page, grid_clip)
    assert page.preview.badges() == ["face #0 · NOT JUDGED YET"]
    assert page.verdict.headline.text() == "NOT JUDGED YET"
    assert any("full confirmation procedure" in r for r in page.verdict.reason_texts())
    assert "frames/s" in page.stats.text() and "latency" in page.stats.text()
    assert page.timeline_model.summary("pulse").startswith("not available")
    assert "0 of 8 detectors" in page.timeline_box.title()
    assert page.banner.isVisible() and page.banner.kind == "info"  # call over, results kept
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()


def test_demo_call_with_shipped_detectors_judges_the_real_face(qtbot: QtBot, make_factory: Callable,
                                                               grid_clip: Path) -> None:
    page = _page(qtbot, LiveSession(make_factory()))
    _watch(qtbot, page, grid_clip)
    # 3 s of a real talking head: under the 4 s of judged face and speech that `low` needs
    assert page.preview.badges() == ["face #0 · NOT JUDGED YET"]
    assert page.verdict.headline.text() == "NOT JUDGED YET"
    assert page.verdict.advice.text() == "Not judged yet — do the full call-back before paying."
    assert any("not judged yet — only" in r for r in page.verdict.reason_texts())


def test_each_face_badged_by_its_verdict(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    factory = make_factory(detectors={"face_synthetic": lambda _m: ScoresEveryFace(0.99)})
    page = _page(qtbot, LiveSession(factory))
    _watch(qtbot, page, grid_clip)
    # the 3 s clip is shorter than the 3.5 s of evidence `high` needs: a confident burst is `elevated`
    assert page.preview.badges() == ["face #0 · ELEVATED"]
    assert "face #0 · ELEVATED" in page.preview.accessibleDescription()
    assert page.verdict.headline.text() == "ELEVATED RISK"
    assert page.verdict.risk.text().startswith("Call ended. Worst moment: risk ")
    people = [page.verdict.participants.item(i).text() for i in range(page.verdict.participants.count())]
    assert len(people) == 1 and people[0].startswith("face #0 — ELEVATED")
    assert page.timeline_model.summary("face_synthetic") == "score 0.99 (face #0)"
    assert len(page.timeline_model.rows["face_synthetic"]) > 10
    assert page.timelines.grab().width() > 0  # paints with real data


def test_device_lost_banner_keeps_evidence(qtbot: QtBot, make_factory: Callable, grid_clip: Path) -> None:
    def unplug_camera(plan: SourcePlan) -> tuple:
        video, audio = build_sources(plan)
        return UnpluggedAfter(video, 20), audio

    factory = make_factory(detectors={"face_synthetic": lambda _m: ScoresEveryFace(0.3)})
    page = _page(qtbot, LiveSession(factory, unplug_camera))
    _watch(qtbot, page, grid_clip)
    assert page.banner.isVisible() and page.banner.kind == "error"
    assert "disconnected" in page.banner.text() and "kept" in page.banner.text()
    assert page.preview.frame_seq is not None  # the last frame stays on screen
    assert page.timeline_model.rows["face_synthetic"]  # evidence from before the loss
    assert page.session.record is not None and page.session.record.failures


def test_start_without_a_source_says_what_is_missing(qtbot: QtBot, make_factory: Callable) -> None:
    page = _page(qtbot, LiveSession(make_factory()))
    page.chooser.set_video_kind("region")
    page.start()
    assert page.banner.isVisible() and "Draw region" in page.banner.text()
    assert page.start_button.isEnabled()
