"""Not judged yet is its own state on the monitor: a short real clip never turns green, a damaged
recording says so, and no internal detector id reaches the words on screen."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Callable

import av
from PySide6.QtWidgets import QLabel, QListWidget
from pytestqt.qtbot import QtBot

from desktop.controllers.live_session import LiveSession
from desktop.tasks import TaskRunner
from desktop.views.level_style import LEVEL_STYLES
from desktop.views.monitor.monitor_page import MonitorPage
from desktop.views.monitor.source_chooser import SourceChooser
from tests.desktop.conftest import LIVE
from tests.desktop.support import fake_probes
from verification.detectors.catalog import DETECTOR_IDS, DETECTOR_SPECS
from verification.fusion.reasons import DETECTOR_NAMES
from verification.fusion.verdict import Verdict

#: what an internal id looks like in text: a snake_case detector id, or one in brackets
INTERNAL = re.compile("|".join([d for d in DETECTOR_IDS if "_" in d] + [r"\[[a-z_]+\]"]))


def _page(qtbot: QtBot, session: LiveSession) -> MonitorPage:
    page = MonitorPage(session, SourceChooser(fake_probes(), TaskRunner()))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def _watch(qtbot: QtBot, page: MonitorPage, clip: Path) -> list[Verdict]:
    seen: list[Verdict] = []
    page.session.verdict_changed.connect(lambda verdict, _latency: seen.append(verdict))
    page.chooser.set_recording(str(clip))
    with qtbot.waitSignal(page.session.ended, timeout=60_000):
        page.start()
    return seen


def _words_on_screen(page: MonitorPage) -> list[str]:
    texts = [label.text() for label in page.findChildren(QLabel)]
    for view in page.findChildren(QListWidget):
        texts += [view.item(i).text() for i in range(view.count())]
    texts += [page.timelines.accessibleDescription(), page.preview.accessibleDescription()]
    return [t for t in texts if t]


def test_short_real_clip_live_is_never_low_and_speaks_plainly(qtbot: QtBot, make_factory: Callable,
                                                               grid_clip: Path) -> None:
    page = _page(qtbot, LiveSession(make_factory(LIVE)))  # paced like a live call, shipped detectors
    verdicts = _watch(qtbot, page, grid_clip)
    assert verdicts and all(v.level != "low" for v in verdicts)  # 3 s is never enough for `low`
    assert all(p.level != "low" for v in verdicts for p in v.participants)
    unknown = LEVEL_STYLES["unknown"]
    assert page.verdict.headline.text() == "NOT JUDGED YET"
    assert unknown.tint in page.verdict.styleSheet() and LEVEL_STYLES["low"].colour not in page.verdict.styleSheet()
    assert page.preview.badges() == ["face #0 · NOT JUDGED YET"]
    words = _words_on_screen(page) + [r for v in verdicts for r in v.reasons]
    assert not [w for w in words if INTERNAL.search(w)]
    # the timeline spans the call so far, not a fixed minute
    start, end = page.timeline_model.window()
    assert start == 0.0 and 2.5 <= end <= 4.0


def test_a_detector_reads_the_same_in_the_why_panel_and_the_timeline(qtbot: QtBot, make_factory: Callable,
                                                                     grid_clip: Path) -> None:
    page = _page(qtbot, LiveSession(make_factory()))
    _watch(qtbot, page, grid_clip)
    reasons = page.verdict.reason_texts()
    for spec in DETECTOR_SPECS:
        summary = page.timeline_model.summary(spec.id)
        if summary.startswith("not judged: "):  # the same reason, word for word, in Why
            assert any(r.startswith("Not judged:") and r.endswith(summary.removeprefix("not judged: "))
                       for r in reasons), (spec.id, summary, reasons)
        else:  # judged (a score, or a sentence for the whole call): nowhere listed as not judged
            name = DETECTOR_NAMES[spec.id]
            assert not any(r.startswith("Not judged:") and name in r for r in reasons), (name, reasons)
            assert any(r.startswith(f"{name}:") or f": {name}:" in r for r in reasons), (name, reasons)


def _damaged_copy(src: Path, dst: Path) -> Path:
    """The real clip as a streaming MP4 (index first), then cut to 40 % of its bytes."""
    whole = dst.with_name("whole.mp4")
    with av.open(str(src)) as inp, av.open(str(whole), "w", options={"movflags": "faststart"}) as out:
        vs = out.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = 360, 288, "yuv420p"
        for i, frame in enumerate(inp.decode(video=0)):
            image = av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")
            image.pts, image.time_base = i, Fraction(1, 25)
            for packet in vs.encode(image):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
    data = whole.read_bytes()
    dst.write_bytes(data[: len(data) * 2 // 5])
    return dst


def test_damaged_recording_says_so_and_is_not_judged(qtbot: QtBot, make_factory: Callable, grid_clip: Path,
                                                     tmp_path: Path) -> None:
    cut = _damaged_copy(grid_clip, tmp_path / "cut.mp4")
    page = _page(qtbot, LiveSession(make_factory()))
    _watch(qtbot, page, cut)
    assert page.banner.kind == "error" and "truncated or corrupt" in page.banner.text()
    assert page.verdict.headline.text() == "NOT JUDGED YET"
    assert page.verdict.reason_texts()[0].startswith("The recording is damaged or cut short")
    assert page.preview.badges() in ([], ["face #0 · NOT JUDGED YET"])
    # every detector row ends with what the Why panel says: a judgement or why there is none
    assert all(page.timeline_model.summary(s.id) != "waiting for evidence" for s in DETECTOR_SPECS)
    assert not [w for w in _words_on_screen(page) if INTERNAL.search(w)]
