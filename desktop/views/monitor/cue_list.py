"""Scam cues heard in the call: each with its time and the caller's words, for the clerk to judge.

Cues are listed as the engine's speech worker hears them (`add_heard`), with how much of the
speech was heard so far; the engine's `speech_cues` section (verification/speech/call_cues.py)
is shown as it is. The transcript is never shown here; whether the call's report keeps it is the
user's choice (`keep_transcript`, saved in the settings by the composition root).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from verification.speech.cues import CHECKLIST_ITEM


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
        self.status = QLabel("Cues appear here while a call is watched.")
        self.status.setWordWrap(True)
        self.keep_transcript = QCheckBox("Keep the call's transcript in its report on this computer")
        self.keep_transcript.setAccessibleName("Keep the call's transcript")
        self.keep_transcript.setToolTip("Off: the words are kept in memory only while the call is watched; "
                                        "the report keeps only the cues and their quotes.")
        layout.addWidget(self.items, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.keep_transcript)
        self._heard = 0
        self._ticked: set[str] = set()

    def start_listening(self, hears_speech: bool) -> None:
        """A new call: its cues replace the last call's."""
        self.items.clear()
        self._heard = 0
        self._ticked = set()
        self.status.setText("Listening for scam cues…" if hears_speech else
                            "The call's speech is not checked for scam cues in this build.")

    def add_heard(self, cues: Sequence[Mapping[str, Any]], coverage: Mapping[str, Any], problem: str | None,
                  ended: bool = False) -> None:
        """Cues the engine heard just now; ticks only checklist items not yet ticked in this call, so an
        item the clerk unticked stays unticked."""
        for cue in cues:
            self._add(cue)
        self._heard += len(cues)
        so_far = "" if ended else " so far"
        found = f"{self._heard} cue{'s' if self._heard != 1 else ''} heard{so_far}. " if self._heard else \
            f"No scam cues heard{so_far}. "
        section = {"chunks": coverage, "unavailable": problem}
        self.status.setText(("" if problem else found) + budget_line(section))
        new = sorted({CHECKLIST_ITEM[c["kind"]] for c in cues if c.get("kind") in CHECKLIST_ITEM} - self._ticked)
        if new:
            self._ticked.update(new)
            self.checklist_items.emit(new)

    def _add(self, cue: Mapping[str, Any]) -> None:
        item = QListWidgetItem(cue_line(cue))
        item.setToolTip(f"matched: {cue.get('matched', '')}")
        self.items.addItem(item)

    def show_cues(self, section: Mapping[str, Any]) -> None:
        """A whole call's `speech_cues` at once (a report opened later, the screenshots)."""
        self.items.clear()
        cues = list(section.get("cues") or [])
        for cue in cues:
            self._add(cue)
        found = f"{len(cues)} cue{'s' if len(cues) != 1 else ''} heard. " if cues else "No scam cues heard. "
        found = "" if section.get("unavailable") else found
        self.status.setText(found + budget_line(section))
        self.checklist_items.emit(list(section.get("checklist") or []))
