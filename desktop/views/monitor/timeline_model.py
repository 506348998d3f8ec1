"""Per-detector evidence over media time, for the timelines (plain data: no Qt, easy to test)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Mapping

from verification.detectors.catalog import DETECTOR_SPECS
from verification.detectors.evidence import Evidence
from verification.fusion.reasons import DETECTOR_NAMES as PLAIN_NAMES

#: the engine's plain names: the timeline rows use the same words as the reasons and reports
DETECTOR_NAMES: Mapping[str, str] = PLAIN_NAMES

KEEP_WINDOWS = 4000  # per detector: about an hour of 1 s windows; older ones scroll out anyway


@dataclass(frozen=True)
class TimelinePoint:
    t0: float
    t1: float
    score: float | None  # None: the detector could not judge this window
    track: int | None
    reason: str | None = None


#: the shortest span drawn, so the first half second of a call is not one window across the width
MIN_SPAN_S = 2.0


class TimelineModel:
    """Rows of evidence over the call so far, and the newest verdict's sentence per detector: the
    row summaries say what the Why panel says (judged with a score, or not judged and why)."""

    def __init__(self, min_span_s: float = MIN_SPAN_S) -> None:
        self.min_span_s = min_span_s
        self.rows: dict[str, deque[TimelinePoint]] = {s.id: deque(maxlen=KEEP_WINDOWS) for s in DETECTOR_SPECS}
        self.unavailable: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.latest_t = 0.0
        self.watching = False  # set once a call's detectors are known

    def clear(self) -> None:
        for row in self.rows.values():
            row.clear()
        self.unavailable = {}
        self.notes = {}
        self.latest_t = 0.0
        self.watching = False

    def set_detectors(self, why_not: Mapping[str, str | None]) -> None:
        """Which detectors cannot run in this session and why (they never report evidence)."""
        self.unavailable = {k: v for k, v in why_not.items() if v}
        self.watching = True

    def set_notes(self, notes: Mapping[str, str]) -> None:
        """The newest verdict's sentence per detector (`Verdict.notes`)."""
        self.notes = dict(notes)

    def add(self, evidence: Iterable[Evidence]) -> None:
        for item in evidence:
            row = self.rows.get(item.detector_id)
            if row is None:
                continue
            score = item.score if item.status == "ok" else None
            row.append(TimelinePoint(item.t0, item.t1, score, item.track, item.reason))
            self.latest_t = max(self.latest_t, item.t1)

    def note_time(self, media_t: float) -> None:
        self.latest_t = max(self.latest_t, media_t)

    def window(self) -> tuple[float, float]:
        """The media-time span drawn: the call so far, from its oldest kept window to now (at least
        `min_span_s`): a 3 s clip fills the width, an hour's call fits in it."""
        starts = [row[0].t0 for row in self.rows.values() if row]
        start = max(0.0, min(starts)) if starts else 0.0
        return start, max(self.latest_t, start + self.min_span_s)

    def summary(self, detector_id: str) -> str:
        """One line for the row: the newest score, or why there is none (the verdict's reason)."""
        if detector_id in self.unavailable:
            return f"not available: {self.unavailable[detector_id]}"
        note = self.notes.get(detector_id, "")
        if note.startswith("Not judged"):
            return f"not judged: {note.partition(' — ')[2]}"
        row = self.rows[detector_id]
        scored = next((p for p in reversed(row) if p.score is not None), None)
        if scored is not None:
            who = f" (face #{scored.track})" if scored.track is not None else ""
            return f"score {scored.score:.2f}{who}"
        name = f"{DETECTOR_NAMES.get(detector_id, detector_id)}: "
        if name in note:  # judged over the call as a whole, though no single window was
            return note.partition(name)[2]
        if row:
            return f"not judged: {row[-1].reason or 'not applicable'}"
        return "waiting for evidence" if self.watching else "not watching"
