"""Main window (first version): engine status, detector list, and analysis of a recording."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow, QProgressBar,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from desktop.bridge import AnalysisBridge
from verification.detectors.catalog import DETECTOR_SPECS

LEVEL_COLOURS = {"low": "#e6f4ea", "elevated": "#fff4d6", "high": "#fde2e1", "unknown": "#e8eaf0"}
LEVEL_TEXT = {
    "low": "LOW risk: detectors found no signs of synthetic media. Policy steps still apply.",
    "elevated": "ELEVATED risk: complete every out-of-band step before acting.",
    "high": "HIGH risk: do not act on this call. Call back on the number on file.",
    "unknown": "CANNOT JUDGE: the full confirmation procedure applies.",
}


class MainWindow(QMainWindow):
    def __init__(self, bridge: AnalysisBridge, status_lines: list[str]) -> None:
        super().__init__()
        self.setWindowTitle("CallShield")
        self.resize(820, 600)
        self._bridge = bridge
        root = QWidget()
        layout = QVBoxLayout(root)
        header = QLabel("<h2>CallShield</h2>Deepfake-aware confirmation before high-value actions. "
                        "Everything is analysed on this machine.")
        header.setWordWrap(True)
        layout.addWidget(header)
        self.status = QLabel("<br>".join(status_lines))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.open_button = QPushButton("Analyse recording…")
        self.open_button.clicked.connect(self._choose_file)
        row.addWidget(self.open_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)

        self.verdict = QLabel("No analysis yet.")
        self.verdict.setWordWrap(True)
        self.verdict.setMargin(10)
        layout.addWidget(self.verdict)
        self.reasons = QListWidget()
        self.reasons.setMaximumHeight(110)
        layout.addWidget(self.reasons)

        self.table = QTableWidget(len(DETECTOR_SPECS), 4)
        self.table.setHorizontalHeaderLabels(["detector", "status", "score", "reason / details"])
        for row_i, spec in enumerate(DETECTOR_SPECS):
            self.table.setItem(row_i, 0, QTableWidgetItem(spec.id))
            self.table.setItem(row_i, 1, QTableWidgetItem("—"))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(root)

        bridge.progress.connect(self._on_progress)
        bridge.finished.connect(self.show_report)
        bridge.failed.connect(self._on_failed)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a call recording", "",
                                              "Media (*.mp4 *.mkv *.webm *.mov *.avi *.mpg *.wav *.flac *.mp3 *.m4a *.ogg);;All files (*)")
        if path:
            self.start_analysis(path)

    def start_analysis(self, path: str) -> None:
        self.open_button.setEnabled(False)
        self.progress.setValue(0)
        self.verdict.setText(f"Analysing {path} …")
        self._bridge.analyze(path)

    def _on_progress(self, done: float, total: Any) -> None:
        if total:
            self.progress.setValue(int(1000 * min(1.0, done / total)))

    def _on_failed(self, message: str) -> None:
        self.open_button.setEnabled(True)
        self.verdict.setText(f"Could not analyse: {message}")
        self.verdict.setStyleSheet("background:#fde2e1")

    def show_report(self, report: dict) -> None:
        self.open_button.setEnabled(True)
        self.progress.setValue(1000)
        verdict = report["verdict"]
        level = verdict["level"]
        risk = "" if verdict["risk"] is None else f" (risk {verdict['risk']:.2f})"
        self.verdict.setText(f"<b>{LEVEL_TEXT[level]}</b>{risk}<br>{report['input']['path']}")
        self.verdict.setStyleSheet(f"background:{LEVEL_COLOURS[level]}")
        self.reasons.clear()
        self.reasons.addItems(verdict["reasons"])
        for row_i, spec in enumerate(DETECTOR_SPECS):
            det = report["detectors"][spec.id]
            score = "" if det["score"] is None else f"{det['score']:.2f}"
            self.table.setItem(row_i, 1, QTableWidgetItem(det["status"]))
            self.table.setItem(row_i, 2, QTableWidgetItem(score))
            self.table.setItem(row_i, 3, QTableWidgetItem(det["reason"] or str(det["details"])))
