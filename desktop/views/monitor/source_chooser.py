"""Choose what to watch (call window, screen region, monitor, camera, recording) and what to hear
(system audio, a microphone, the recording's sound), with plain notes on what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QStackedWidget,
                               QWidget)

from desktop.controllers.source_catalog import SourceInventory, SourceProbes, discover
from desktop.controllers.source_plan import (CameraTarget, DeviceAudio, MonitorTarget, RecordingTarget, RegionTarget,
                                             SourcePlan, WindowTarget)
from desktop.tasks import TaskRunner
from desktop.views.monitor.region_overlay import RegionOverlay
from verification.sources import ScreenRegion
from verification.sources.own_windows import own_window_in

VIDEO_KINDS = (("window", "Call app window"), ("region", "Screen region"), ("monitor", "Whole monitor"),
               ("camera", "Camera"), ("recording", "Recording (demo or training)"))
HIDE_SETTLE_MS = 250  # time for the desktop to repaint what CallShield's window covered
MEDIA_FILTER = "Media (*.mp4 *.mkv *.webm *.mov *.avi *.mpg *.wav *.flac *.mp3 *.m4a *.ogg);;All files (*)"


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 1 if isinstance(w, (QComboBox, QLabel)) else 0)
    return box


class SourceChooser(QWidget):
    changed = Signal()
    inventory_ready = Signal()
    overlay_opened = Signal()

    def __init__(self, probes: SourceProbes, runner: TaskRunner,
                 make_overlay: Callable[[QScreen], RegionOverlay] = RegionOverlay,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._probes = probes
        self._runner = runner
        self._make_overlay = make_overlay
        self.inventory = SourceInventory()
        self._cameras_listed = False
        self.region: ScreenRegion | None = None
        self.recording: str | None = None
        self.overlay: RegionOverlay | None = None
        self._hidden_host: QWidget | None = None

        self.kind = QComboBox()
        self.kind.setAccessibleName("What to watch")
        for key, text in VIDEO_KINDS:
            self.kind.addItem(text, key)
        self.window_combo = QComboBox()
        self.window_combo.setAccessibleName("Call window to watch")
        self.window_combo.setToolTip("Keep the call window uncovered: whatever lies on top of it is captured instead.")
        self.refresh_button = QPushButton("Re&fresh")
        self.refresh_button.setAccessibleName("Refresh the lists of windows and devices")
        self.region_button = QPushButton("&Draw region…")
        self.region_button.setAccessibleName("Draw the screen region to watch")
        self.region_label = QLabel("No region drawn yet.")
        self.monitor_combo = QComboBox()
        self.monitor_combo.setAccessibleName("Monitor to watch")
        self.camera_combo = QComboBox()
        self.camera_combo.setAccessibleName("Camera to watch")
        self.file_button = QPushButton("Choose rec&ording…")
        self.file_button.setAccessibleName("Choose a recording to play as the call")
        self.file_label = QLabel("No recording chosen.")
        self.targets = QStackedWidget()
        for page in (_row(self.window_combo, self.refresh_button), _row(self.region_button, self.region_label),
                     _row(self.monitor_combo), _row(self.camera_combo), _row(self.file_button, self.file_label)):
            self.targets.addWidget(page)
        self.audio = QComboBox()
        self.audio.setAccessibleName("What to listen to")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Notes on the chosen sources")
        self.note.setStyleSheet("color: #7a4a00;")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        watch = QLabel("&Watch:")
        watch.setBuddy(self.kind)
        listen = QLabel("&Listen to:")
        listen.setBuddy(self.audio)
        grid.addWidget(watch, 0, 0)
        grid.addWidget(self.kind, 0, 1)
        grid.addWidget(self.targets, 0, 2)
        grid.addWidget(listen, 1, 0)
        grid.addWidget(self.audio, 1, 1, 1, 2)
        grid.addWidget(self.note, 2, 0, 1, 3)
        grid.setColumnStretch(2, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.region_button.clicked.connect(self.draw_region)
        self.file_button.clicked.connect(self._choose_file)
        for combo in (self.window_combo, self.monitor_combo, self.camera_combo, self.audio):
            combo.currentIndexChanged.connect(self._update_note)
        self._fill_audio()
        self._update_note()

    # -- discovery (off the GUI thread) ---------------------------------------------------------
    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.note.setText("Looking for windows and devices…")
        with_cameras = self.video_kind() == "camera"

        def found(inventory: SourceInventory) -> None:
            self._on_inventory(inventory, with_cameras)

        self._runner.run(lambda: discover(self._probes, include_cameras=with_cameras), found,
                         self._on_discover_failed)

    def _on_inventory(self, inventory: SourceInventory, with_cameras: bool) -> None:
        self.inventory = inventory
        self._cameras_listed = self._cameras_listed or with_cameras
        self.refresh_button.setEnabled(True)
        self._fill(self.window_combo, [(f"{w.title}" + (f"  ({w.owner})" if w.owner else ""), w)
                                       for w in inventory.windows], "No call window found")
        self._fill(self.monitor_combo, [(f"Monitor {i + 1}: {m.width} x {m.height}", i + 1)
                                        for i, m in enumerate(inventory.monitors)], "No monitor found")
        self._fill(self.camera_combo, [(c.name, c) for c in inventory.cameras],
                   "No camera found" if self._cameras_listed else "Looking for cameras…")
        self._fill_audio()
        self._update_note()
        self.inventory_ready.emit()

    def _on_discover_failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.note.setText(f"Could not list windows and devices: {message}")

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[str, Any]], empty: str) -> None:
        previous = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        for text, data in items:
            combo.addItem(text, data)
        if not items:
            combo.addItem(empty, None)
        index = combo.findText(previous)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)

    def _fill_audio(self) -> None:
        items: list[tuple[str, Any]] = []
        if self.video_kind() == "recording":
            items.append(("The recording's own sound", ("recording", None)))
        loop = self.inventory.loopback
        if loop is not None:
            items.append((f"System audio: {loop.name} (the other side of the call)", ("device", DeviceAudio(loop, True))))
        for device in self.inventory.audio_inputs:
            if loop is None or device.index != loop.index:
                items.append((f"Microphone: {device.name}", ("device", DeviceAudio(device, False))))
        items.append(("No audio (video only)", ("none", None)))
        self._fill(self.audio, items, "No audio (video only)")
        self.audio.setCurrentIndex(0)

    # -- choices --------------------------------------------------------------------------------
    def video_kind(self) -> str:
        return str(self.kind.currentData())

    def set_video_kind(self, key: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(key))

    def set_recording(self, path: str) -> None:
        self.recording = path
        self.file_label.setText(Path(path).name)
        self.file_label.setToolTip(path)
        self.set_video_kind("recording")
        self._fill_audio()
        self._update_note()
        self.changed.emit()

    def set_region(self, region: ScreenRegion) -> None:
        self.region = region
        self.region_label.setText(f"{region.width} x {region.height} pixels at ({region.left}, {region.top})")
        self._update_note()
        self.changed.emit()

    def draw_region(self) -> None:
        """Hide CallShield's own window (the call app is usually behind it), let the screen
        repaint, then grab it and open the overlay; the window comes back afterwards."""
        screen = self.screen()
        host = self.window()
        self._hidden_host = host if host is not self and host.isVisible() else None
        if self._hidden_host is not None:
            self._hidden_host.hide()
        QTimer.singleShot(HIDE_SETTLE_MS if self._hidden_host is not None else 0,
                          lambda: self._open_overlay(screen))

    def _open_overlay(self, screen: QScreen) -> None:
        self.overlay = self._make_overlay(screen)
        self.overlay.chosen.connect(self.set_region)
        self.overlay.chosen.connect(self._restore_host)
        self.overlay.cancelled.connect(self._restore_host)
        self.overlay.open()
        self.overlay_opened.emit()

    def _restore_host(self) -> None:
        if self._hidden_host is not None:
            self._hidden_host.show()
            self._hidden_host.raise_()
            self._hidden_host = None

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a recording to play as the call", "", MEDIA_FILTER)
        if path:
            self.set_recording(path)

    def _kind_changed(self) -> None:
        self.targets.setCurrentIndex(self.kind.currentIndex())
        if self.video_kind() == "camera" and not self._cameras_listed:
            self.refresh()
        self._fill_audio()
        self._update_note()
        self.changed.emit()

    def plan(self) -> SourcePlan | None:
        """The chosen sources, or None while something is missing (see `missing()`)."""
        if self.missing() is not None:
            return None
        kind = self.video_kind()
        video: Any
        if kind == "window":
            info = self.window_combo.currentData()
            video = WindowTarget(info.id, info.title)
        elif kind == "region":
            video = RegionTarget(self.region)  # type: ignore[arg-type]
        elif kind == "monitor":
            video = MonitorTarget(int(self.monitor_combo.currentData()))
        elif kind == "camera":
            camera = self.camera_combo.currentData()
            video = CameraTarget(camera.index, camera.name)
        else:
            video = RecordingTarget(str(self.recording))
        audio_kind, device = self.audio.currentData() or ("none", None)
        audio: Any = None
        if audio_kind == "device":
            audio = device
        elif audio_kind == "recording":
            audio = RecordingTarget(str(self.recording))
        return SourcePlan(video, audio)

    def missing(self) -> str | None:
        kind = self.video_kind()
        if kind == "window" and self.window_combo.currentData() is None:
            why = self.inventory.problems.get("windows")
            return ("Call windows cannot be listed here: " + why + ". Choose 'Screen region' or 'Whole monitor'."
                    if why else "No call window found: start the call app, then press Refresh.")
        if kind == "region" and self.region is None:
            return "Press 'Draw region…' and drag over the call's video."
        if kind == "monitor" and self.monitor_combo.currentData() is None:
            return "No monitor found: " + self.inventory.problems.get("screen", "the screen cannot be captured") + "."
        if kind == "camera" and self.camera_combo.currentData() is None:
            return "No camera found: connect one, then press Refresh."
        if kind == "recording" and not self.recording:
            return "Press 'Choose recording…' to pick a file to play as the call."
        return None

    def captured_area(self) -> ScreenRegion | None:
        """The part of the screen the chosen source grabs (None for a camera or a recording)."""
        kind = self.video_kind()
        if kind == "window" and self.window_combo.currentData() is not None:
            return self.window_combo.currentData().region  # type: ignore[no-any-return]
        if kind == "region":
            return self.region
        if kind == "monitor" and self.monitor_combo.currentData() is not None:
            number = int(self.monitor_combo.currentData())
            return self.inventory.monitors[number - 1] if 0 < number <= len(self.inventory.monitors) else None
        return None

    def self_capture(self) -> str | None:
        """One line when CallShield's own window lies in the captured area (it would judge itself)."""
        area = self.captured_area()
        return own_window_in(area, self.inventory.own_windows) if area is not None else None

    def _update_note(self) -> None:
        notes = []
        missing = self.missing()
        if missing:
            notes.append(missing)
        elif warning := self.self_capture():
            notes.append(warning[0].upper() + warning[1:] + ".")
        audio_kind = (self.audio.currentData() or ("none", None))[0]
        hint = self.inventory.problems.get("loopback")
        if audio_kind != "recording" and self.inventory.loopback is None and hint:
            notes.append(f"The caller's voice cannot be heard: {hint}.")
        if audio_kind == "device" and not self.audio.currentData()[1].loopback:
            notes.append("A microphone hears the caller only through your speakers; system audio is better.")
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))
