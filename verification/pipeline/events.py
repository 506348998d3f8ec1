"""Events the engine reports to whoever drives it (CLI progress, desktop bridge).

Callbacks run on engine threads: receivers must return quickly and never block (the desktop
bridge turns them into queued Qt signals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from verification.detectors.evidence import Evidence
from verification.fusion.verdict import Verdict


@dataclass(frozen=True)
class VerdictChanged:
    verdict: Verdict
    media_t: float
    latency_s: float  # capture of the newest input -> this verdict


@dataclass(frozen=True)
class EvidenceReported:
    evidence: Evidence


@dataclass(frozen=True)
class SourceFailed:
    """A source stopped: a live device lost mid-call, or a recording that turned out corrupt."""

    source: str  # "video" or "audio"
    message: str  # one line
    lost_device: bool  # True for SourceLost (device gone), False for unreadable input


@dataclass(frozen=True)
class SourceInterrupted:
    """A live source was lost mid-call (attempt 0) or a reopening failed (attempt n); the engine
    tries again after `retry_in_s`. Its detectors judge nothing until `SourceResumed`."""

    source: str
    message: str  # one line: why it was lost, or why the last reopening failed
    media_t: float  # when it was lost, in call time
    attempt: int
    retry_in_s: float


@dataclass(frozen=True)
class SourceResumed:
    source: str
    media_t: float  # call time of the first input after the gap
    down_s: float


@dataclass(frozen=True)
class SourceEnded:
    source: str


@dataclass(frozen=True)
class SpeechHeard:
    """The speech worker finished a chunk of the call's speech (transcribed, quiet or skipped)."""

    cues: tuple[dict, ...]  # cues found in it (Cue.as_dict(): kind, label, quote, start_s, ...)
    coverage: dict  # chunks heard and skipped so far (ChunkStats.as_dict())
    problem: str | None  # why speech cannot be checked at all (model missing), else None


EngineEvent = Union[VerdictChanged, EvidenceReported, SourceFailed, SourceInterrupted, SourceResumed, SourceEnded,
                    SpeechHeard]
EventSink = Callable[[EngineEvent], None]


def ignore_event(event: EngineEvent) -> None:
    """Default sink for batch analysis."""
