"""The call monitor: sources, start/stop, live preview, verdict, challenge, timelines and speed.

Timers, not signals, drive the preview (20 Hz) and the numbers (2 Hz): the engine's newest frame
is read when the screen can show it, so a fast engine never floods the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QFrame, QGroupBox, QHBoxLayout, QPushButton, QScrollArea, QSplitter, QVBoxLayout,
                               QWidget)

from desktop.controllers.live_session import LiveSession, SessionRecord, SessionState
from desktop.views.challenge_panel import ChallengePanel
from desktop.views.monitor.banner import Banner
from desktop.views.monitor.cue_list import CueList
from desktop.views.monitor.preview_view import PreviewView
from desktop.views.monitor.source_chooser import SourceChooser
from desktop.views.monitor.stats_bar import StatsBar
from desktop.views.monitor.timeline_model import TimelineModel
from desktop.views.monitor.timeline_view import TimelineView
from desktop.views.monitor.verdict_panel import VerdictPanel
from verification.detectors.catalog import DETECTOR_SPECS
from verification.fusion.verdict import Verdict
from desktop.views.monitor.source_words import call_clock, lost_sentence, resumed_sentence, source_names
from verification.pipeline.events import SourceFailed, SourceInterrupted, SourceResumed, SpeechHeard

PREVIEW_MS = 50  # 20 Hz: smooth enough to follow faces, cheap enough for a busy laptop
STATS_MS = 500
TIMELINE_EVERY = 4  # preview ticks per timeline repaint (5 Hz)
SOURCE_WORDS = {"video": "The video source", "audio": "The audio source"}


class MonitorPage(QWidget):
    def __init__(self, session: LiveSession, chooser: SourceChooser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.chooser = chooser
        self._timelines_dirty = False
        self._ticks = 0
        self._video_lost = False
        self._names = source_names(None)  # what the chosen sources are called, for lost/back

        self.start_button = QPushButton("&Start watching")
        self.start_button.setAccessibleName("Start watching the call")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("S&top")
        self.stop_button.setAccessibleName("Stop watching the call")
        self.stop_button.clicked.connect(session.stop)
        self.banner = Banner()
        self.preview = PreviewView()
        self.verdict = VerdictPanel()
        self.challenge = ChallengePanel()
        self.cues = CueList()
        self.timeline_model = TimelineModel()
        self.timelines = TimelineView(self.timeline_model)
        self.stats = StatsBar()

        sources = QGroupBox("What to watch")
        top = QHBoxLayout(sources)
        top.addWidget(chooser, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        top.addLayout(buttons)
        self.timeline_box = QGroupBox("What each detector sees")
        box_layout = QVBoxLayout(self.timeline_box)
        box_layout.setContentsMargins(6, 4, 6, 4)
        box_layout.addWidget(self.timelines)
        box_layout.addWidget(self.stats)
        left = QSplitter(Qt.Orientation.Vertical)  # preview above, timelines below: user can trade height
        left.addWidget(self.preview)
        left.addWidget(self.timeline_box)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 0)
        left.setChildrenCollapsible(False)
        right = QWidget()
        right.setMinimumWidth(380)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.verdict.setMinimumHeight(250)  # level, advice, reasons and people stay readable at 768 px
        right_layout.addWidget(self.verdict, 1)
        right_layout.addWidget(self.challenge, 0)
        right_layout.addWidget(self.cues, 0)
        # a banner above can take the height the column needs at 768 px: scroll rather than overlap
        right_scroll = QScrollArea()
        right_scroll.setWidget(right)
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right_scroll.setMinimumWidth(right.minimumWidth() + right_scroll.verticalScrollBar().sizeHint().width())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right_scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(sources)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        self.setTabOrder(chooser.audio, self.start_button)
        self.setTabOrder(self.start_button, self.stop_button)
        self.setTabOrder(self.stop_button, self.challenge.button)

        self.preview_timer = QTimer(self)
        self.preview_timer.setInterval(PREVIEW_MS)
        self.preview_timer.timeout.connect(self._poll_preview)
        self.stats_timer = QTimer(self)
        self.stats_timer.setInterval(STATS_MS)
        self.stats_timer.timeout.connect(self._poll_stats)

        session.state_changed.connect(self._on_state)
        session.started.connect(self._on_started)
        session.start_failed.connect(self._on_start_failed)
        session.detectors_ready.connect(self._on_detectors)
        session.challenge_ready.connect(self.challenge.set_controller)
        session.verdict_changed.connect(self._on_verdict)
        session.evidence_added.connect(self._on_evidence)
        session.source_failed.connect(self._on_source_failed)
        session.source_interrupted.connect(self._on_source_interrupted)
        session.source_resumed.connect(self._on_source_resumed)
        session.speech_heard.connect(self._on_speech)
        session.ended.connect(self._on_ended)
        self._on_state(session.state.value)

    # -- control --------------------------------------------------------------------------------
    def start(self) -> None:
        plan = self.chooser.plan()
        if plan is None:
            self.banner.show_message("warning", self.chooser.missing() or "Choose what to watch first.")
            return
        self.banner.hide()
        self._video_lost = False
        self._names = source_names(plan)
        self.timeline_model.clear()
        self.timelines.refresh()
        self.verdict.show_verdict(Verdict(None, "unknown", ["starting: opening the sources and loading detectors"]),
                                  "STARTING…")
        self.preview.show_message(f"Opening {plan.describe()}…", keep_frame=False)
        self.cues.start_listening(self.session.hears_speech)
        self.session.start(plan)

    def _on_state(self, state: str) -> None:
        running = state in (SessionState.STARTING.value, SessionState.RUNNING.value)
        self.start_button.setEnabled(not self.session.active)
        self.stop_button.setEnabled(running)
        self.chooser.setEnabled(not self.session.active)

    # -- session events -------------------------------------------------------------------------
    def _on_started(self, label: str) -> None:
        self.preview.show_message(f"Watching {label}")
        self.preview_timer.start()
        self.stats_timer.start()

    def _on_start_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not start watching: {message}")
        self.verdict.show_idle()
        self.preview.show_message("Not watching. Check the sources above and press Start again.", keep_frame=False)

    def _on_detectors(self, why_not: dict) -> None:
        self.timeline_model.set_detectors(why_not)
        running = sum(1 for v in why_not.values() if v is None)
        self.timeline_box.setTitle(f"What each detector sees ({running} of {len(DETECTOR_SPECS)} detectors "
                                   "can run in this build)")
        self.timelines.refresh()

    def _on_verdict(self, verdict: Verdict, _latency_s: float) -> None:
        self.verdict.show_verdict(verdict)
        self.preview.set_verdicts(verdict.participants)
        self.timeline_model.set_notes(verdict.notes)
        if verdict.media_t is not None:
            self.timeline_model.note_time(verdict.media_t)
        self._timelines_dirty = True

    def _on_evidence(self, batch: list) -> None:
        self.timeline_model.add(batch)
        self._timelines_dirty = True

    def _on_speech(self, heard: SpeechHeard) -> None:
        self.cues.add_heard(heard.cues, heard.coverage, heard.problem)

    def _on_source_failed(self, event: SourceFailed) -> None:
        what = SOURCE_WORDS.get(event.source, "A source")
        if event.lost_device:
            self.banner.show_message("error", f"{what} was disconnected or stopped ({event.message}). "
                                     "Everything gathered so far is kept below. Reconnect it and press Start "
                                     "to watch again.")
            if event.source == "video":
                self._video_lost = True
                self.preview.show_message("Video lost: the last frame is shown")
        else:
            self.banner.show_message("error", f"{what} could not be read: {event.message}")

    def _on_source_interrupted(self, event: SourceInterrupted) -> None:
        self.banner.show_message("warning", lost_sentence(event, self._names))
        if event.source == "video":
            self.preview.show_message(f"{self._names['video']} lost at {call_clock(event.media_t)}; retrying")

    def _on_source_resumed(self, event: SourceResumed) -> None:
        self.banner.show_message("info", resumed_sentence(event, self._names))
        if event.source == "video":
            self.preview.show_message(f"Watching again since {call_clock(event.media_t)}")

    def _on_ended(self, record: SessionRecord | None) -> None:
        self.preview_timer.stop()
        self.stats_timer.stop()
        self._poll_preview()
        self._poll_stats()
        self.challenge.set_controller(None)
        final = record.analysis.verdict if record is not None and record.analysis is not None else None
        final = final or (record.peak if record is not None else None)
        if final is not None:
            note = "Call ended. Worst moment:" if final.level != "unknown" else "Call ended."
            self.verdict.show_verdict(final, note=note)
            self.preview.set_verdicts(final.participants)
            self.timeline_model.set_notes(final.notes)
        if self.banner.isHidden() or self.banner.kind != "error":
            self.banner.show_message("info", "Watching stopped. This call's verdict and timelines stay here "
                                     "until you start again.")
        if not self._video_lost:
            self.preview.show_message("Stopped")
        self.timelines.refresh()
        speech = record.analysis.speech_cues if record is not None and record.analysis is not None else None
        if speech is not None:  # every cue was shown as it was heard; the coverage is now final
            self.cues.add_heard([], speech.get("chunks") or {}, speech.get("unavailable"), ended=True)

    # -- timers ---------------------------------------------------------------------------------
    def _poll_preview(self) -> None:
        latest = self.session.latest_preview()
        if latest is not None:
            frame, faces = latest
            if frame.seq != self.preview.frame_seq:
                self.preview.show_frame(frame.seq, frame.pts, frame.image, faces)
        self._ticks += 1
        if self._timelines_dirty and self._ticks % TIMELINE_EVERY == 0:
            self._timelines_dirty = False
            self.timelines.refresh()

    def _poll_stats(self) -> None:
        snapshot = self.session.metrics_snapshot()
        if snapshot is not None:
            self.stats.show_snapshot(snapshot)
