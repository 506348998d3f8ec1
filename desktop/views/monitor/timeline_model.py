"""Per-detector evidence over media time, for the timelines (plain data: no Qt, easy to test)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

from verification.detectors.catalog import DETECTOR_SPECS
from verification.detectors.evidence import Evidence

#: what each detector checks, in the words on the timeline rows
DETECTOR_NAMES: Mapping[str, str] = MappingProxyType({
    "voice_synthetic": "Synthetic voice",
    "voice_identity": "Voice identity",
    "face_synthetic": "Face swap",
    "pulse": "Pulse (skin colour)",
    "blink": "Blinking",
    "av_sync": "Lip sync",
    "replay": "Replay / frozen",
    "challenge": "Challenge response",
})

KEEP_WINDOWS = 4000  # per detector: about an hour of 1 s windows; older ones scroll out anyway


@dataclass(frozen=True)
class TimelinePoint:
    t0: float
    t1: float
    score: float | None  # None: the detector could not judge this window
    track: int | None
    reason: str | None = None


class TimelineModel:
    def __init__(self, span_s: float = 60.0) -> None:
        self.span_s = span_s
        self.rows: dict[str, deque[TimelinePoint]] = {s.id: deque(maxlen=KEEP_WINDOWS) for s in DETECTOR_SPECS}
        self.unavailable: dict[str, str] = {}
        self.latest_t = 0.0
        self.watching = False  # set once a call's detectors are known

    def clear(self) -> None:
        for row in self.rows.values():
            row.clear()
        self.unavailable = {}
        self.latest_t = 0.0
        self.watching = False

    def set_detectors(self, why_not: Mapping[str, str | None]) -> None:
        """Which detectors cannot run in this session and why (they never report evidence)."""
        self.unavailable = {k: v for k, v in why_not.items() if v}
        self.watching = True

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
        """The media-time span drawn: the last `span_s` seconds (from 0 until then)."""
        end = max(self.latest_t, self.span_s)
        return end - self.span_s, end

    def summary(self, detector_id: str) -> str:
        """One line for the row: the newest judgement, or why there is none."""
        if detector_id in self.unavailable:
            return f"not available: {self.unavailable[detector_id]}"
        row = self.rows[detector_id]
        if not row:
            return "waiting for evidence" if self.watching else "not watching"
        last = row[-1]
        if last.score is None:
            return f"cannot judge: {last.reason or 'not applicable'}"
        who = f" (face #{last.track})" if last.track is not None else ""
        return f"score {last.score:.2f}{who}"
