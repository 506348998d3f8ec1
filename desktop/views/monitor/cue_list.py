"""Scam cues heard in the call: each with its time and the caller's words, for the clerk to judge.

The engine's `speech_cues` section (verification/speech/call_cues.py) is shown as it is; the
transcript is never shown or kept here unless the section carries it (the user chose to keep it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def cue_line(cue: Mapping[str, Any]) -> str:
    return f"{_clock(float(cue.get('start_s', 0.0)))}  {cue.get('label', cue.get('kind'))}: “{cue.get('quote', '')}”"


def budget_line(section: Mapping[str, Any]) -> str:
    if section.get("unavailable"):
        return f"Speech not checked for scam cues: {section['unavailable']}."
    chunks = section.get("chunks") or {}
    dropped = int(chunks.get("dropped_chunks", 0))
    heard = f"Heard {chunks.get('transcribed_chunks', 0)} chunks of {chunks.get('chunk_s', 10):.0f} s on this computer"
    if dropped:
        heard += f"; {dropped} skipped to stay within the CPU budget (every {chunks.get('every_nth')}th chunk heard)"
    return heard + "."


class CueList(QGroupBox):
    """Emits `checklist_items` with the request checklist items the cues answer yes."""

    checklist_items = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scam cues heard in the call", parent)
        self.setAccessibleName("Scam cues heard in the call")
        layout = QVBoxLayout(self)
        self.items = QListWidget()
        self.items.setMaximumHeight(84)  # a few quotes; the verdict above keeps the room it needs
        self.items.setAccessibleName("Scam cues with their time and quote")
        self.items.setWordWrap(True)
        self.status = QLabel("Cues appear here after a recorded call has been watched.")
        self.status.setWordWrap(True)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.status)

    def clear_cues(self) -> None:
        self.items.clear()
        self.status.setText("Listening for scam cues…")

    def show_cues(self, section: Mapping[str, Any] | None) -> None:
        self.items.clear()
        if section is None:
            self.status.setText("Speech is checked for scam cues only in watched recordings, once they end.")
            return
        cues = list(section.get("cues") or [])
        for cue in cues:
            item = QListWidgetItem(cue_line(cue))
            item.setToolTip(f"matched: {cue.get('matched', '')}")
            self.items.addItem(item)
        found = f"{len(cues)} cue{'s' if len(cues) != 1 else ''} heard. " if cues else "No scam cues heard. "
        found = "" if section.get("unavailable") else found
        self.status.setText(found + budget_line(section))
        self.checklist_items.emit(list(section.get("checklist") or []))
