"""What every per-face video detector shares: per-track state, the hop cadence, the plain-language
"cannot judge" reasons, and the call-level summary.

Subclasses implement `new_state`, `observe` (one analysed frame of one face) and `judge` (one
window, every `hop_s` media seconds per track). The base turns judgements into Evidence and
keeps every window for `result()`. All state belongs to the vision worker thread.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from verification.detectors.base import Detector, FrameAnalysis
from verification.detectors.evidence import DetectorResult, Evidence

NO_FACE = "no face in view"
FACE_TOO_SMALL = "face too small to judge (under 80 px)"
HEAVY_MOTION = "too much head motion to judge"
NO_LANDMARKS = "face landmarks unavailable"
MIN_FACE_PX = 80.0

S = TypeVar("S")


def too_short(have_s: float, need_s: float) -> str:
    return f"too short: {have_s:.1f} s of steady face, needs {need_s:g} s"


def face_px(obs: Any) -> float:
    """Longer side of the face box in frame pixels."""
    box = np.asarray(obs.box, dtype=np.float64)
    return float(max(box[2] - box[0], box[3] - box[1]))


def contiguous_start(t: np.ndarray, max_gap_s: float) -> int:
    """Index where the newest run of samples without a gap longer than `max_gap_s` begins."""
    if len(t) < 2:
        return 0
    gaps = np.flatnonzero(np.diff(t) > max_gap_s)
    return int(gaps[-1] + 1) if len(gaps) else 0


@dataclass(frozen=True)
class Judgement:
    """One window's outcome before it becomes Evidence: a score, or a reason it cannot judge."""

    t0: float
    score: float | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def rounded(details: dict[str, Any], digits: int = 3) -> dict[str, Any]:
    """Round floats for people (and for stable reports); nan and inf become None."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, (float, np.floating)):
            out[key] = round(float(value), digits) if np.isfinite(value) else None
        elif isinstance(value, (np.integer,)):
            out[key] = int(value)
        elif isinstance(value, (np.bool_,)):
            out[key] = bool(value)
        elif isinstance(value, dict):
            out[key] = rounded(value, digits)
        elif isinstance(value, (list, tuple)):
            out[key] = [round(float(v), digits) if isinstance(v, (float, np.floating)) and np.isfinite(v)
                        else v for v in value]
        else:
            out[key] = value
    return out


class TrackedVideoDetector(Detector, Generic[S]):
    """Base for video/av detectors that judge each face track on its own."""

    hop_s: float = 1.0  # media seconds between judgements of one track
    min_face_px: float = MIN_FACE_PX
    max_tracks: int = 64  # bound on remembered tracks in very long calls with many participants

    def __init__(self) -> None:
        self._states: dict[int, S] = {}
        self._next_due: dict[int | None, float] = {}
        self._windows: list[Evidence] = []
        self._last_seen: dict[int, tuple[float, float]] = {}  # track -> (pts, captured_at), face big enough

    # -- subclass API -----------------------------------------------------------------------
    @abstractmethod
    def new_state(self, obs: Any) -> S: ...

    @abstractmethod
    def observe(self, state: S, obs: Any, analysis: FrameAnalysis) -> None:
        """Take in one analysed frame of a face big enough to judge."""

    @abstractmethod
    def judge(self, state: S, now: float) -> Judgement: ...

    def track_details(self, state: S) -> dict[str, Any]:
        """Call-level numbers for one track (report `details`)."""
        return {}

    def aggregate(self, scores: list[float]) -> float:
        """One track's call-level score from its window scores: the median resists single spikes."""
        return float(np.median(scores))

    def before_frame(self, analysis: FrameAnalysis) -> list[Evidence]:
        """Hook for work not tied to one face (e.g. challenge commands); runs first each frame."""
        return []

    # -- engine API -------------------------------------------------------------------------
    def process_video(self, analysis: FrameAnalysis) -> list[Evidence]:
        out = self.before_frame(analysis)
        pts = analysis.frame.pts
        captured = analysis.frame.captured_at
        if not analysis.faces:
            if self._due(None, pts):
                out.append(self._emit(Judgement(max(0.0, pts - self.hop_s), reason=NO_FACE), pts, None, captured))
            return out
        for obs in analysis.faces:
            state = self._states.get(obs.track_id)
            if state is None:
                state = self._states[obs.track_id] = self.new_state(obs)
                self._forget_old_tracks()
            small = face_px(obs) < self.min_face_px
            if not small:
                self.observe(state, obs, analysis)
                self._last_seen[obs.track_id] = (pts, captured)
            if self._due(obs.track_id, pts):
                judgement = (Judgement(max(0.0, pts - self.hop_s), reason=FACE_TOO_SMALL) if small
                             else self.judge(state, pts))
                out.append(self._emit(judgement, pts, obs.track_id, captured))
        return out

    def result(self) -> DetectorResult:
        self._judge_tails()
        ok = [w for w in self._windows if w.status == "ok" and w.score is not None]
        if not ok:
            return DetectorResult.not_applicable(self.id, self.modality, self._main_reason(), list(self._windows))
        by_track: dict[int, list[float]] = {}
        for w in ok:
            by_track.setdefault(w.track if w.track is not None else -1, []).append(float(w.score or 0.0))
        per_track = {t: round(self.aggregate(s), 4) for t, s in by_track.items()}
        worst = max(per_track, key=lambda t: per_track[t])
        tracks = {str(t): rounded(self.track_details(self._states[t])) for t in by_track if t in self._states}
        main = max(by_track, key=lambda t: len(by_track[t]))  # the longest-judged face speaks for the call
        details: dict[str, Any] = dict(tracks.get(str(main), {}))
        details["judged_windows"] = len(ok)
        if len(tracks) > 1:
            details["tracks"] = tracks
        return DetectorResult(self.id, self.modality, "ok", per_track[worst], None, list(self._windows),
                              details, {t: v for t, v in per_track.items() if t >= 0})

    # -- internals --------------------------------------------------------------------------
    def _judge_tails(self) -> None:
        """At the end of a recording, judge what each track saw after its last window."""
        last_judged: dict[int, float] = {}
        for w in self._windows:
            if w.track is not None:
                last_judged[w.track] = max(last_judged.get(w.track, 0.0), w.t1)
        for track, (pts, captured) in self._last_seen.items():
            state = self._states.get(track)
            if state is not None and pts > last_judged.get(track, float("-inf")) + 0.25 * self.hop_s:
                self._emit(self.judge(state, pts), pts, track, captured)
                self._next_due[track] = pts + self.hop_s
        self._last_seen.clear()

    def _main_reason(self) -> str:
        """The most frequent kind of reason (text before ':'), in its latest wording."""
        reasons = [w.reason for w in self._windows if w.reason]
        if not reasons:
            return "no video was analysed"
        kinds = Counter(r.split(":")[0] for r in reasons)
        top = kinds.most_common(1)[0][0]
        return [r for r in reasons if r.split(":")[0] == top][-1]

    def _due(self, key: int | None, pts: float) -> bool:
        due = self._next_due.get(key)
        if due is None:
            # First sight: judge after one hop, so every window has something in it.
            self._next_due[key] = pts + self.hop_s
            return False
        if pts + 1e-6 < due:
            return False
        self._next_due[key] = max(due + self.hop_s, pts + 0.5 * self.hop_s)
        return True

    def _emit(self, j: Judgement, pts: float, track: int | None, captured: float) -> Evidence:
        if j.score is not None:
            ev = Evidence(self.id, j.t0, pts, "ok", float(np.clip(j.score, 0.0, 1.0)), None,
                          rounded(j.details), track, captured)
        else:
            ev = Evidence(self.id, j.t0, pts, "not_applicable", None, j.reason or "cannot judge",
                          rounded(j.details), track, captured)
        self._windows.append(ev)
        return ev

    def _forget_old_tracks(self) -> None:
        while len(self._states) > self.max_tracks:
            oldest = next(iter(self._states))
            del self._states[oldest]
            self._next_due.pop(oldest, None)
