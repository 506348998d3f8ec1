"""One monitored call at a time: starts the engine for the chosen sources, relays what it reports,
and keeps the call's evidence after it ends or a device is lost.

Threads: opening sources, creating detectors (which may load models), `Engine.start` (which waits
for sources to open) and `Engine.stop` (which joins threads) all run on one session thread per
call, so the GUI thread never waits on any of them. Engine events reach the GUI thread through
`EngineEventBridge`; the preview and metrics are read by the views on timers (newest wins).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from desktop.bridge import EngineEventBridge
from desktop.controllers.challenge import ChallengeController, EngineChallengeAdapter, find_challenge_controller
from desktop.controllers.engine_factory import EngineFactory
from desktop.controllers.source_plan import SourcePlan, build_sources
from verification.detectors.base import UnavailableDetector
from verification.detectors.evidence import Evidence
from verification.errors import CallShieldError
from verification.fusion.levels import ORDER
from verification.fusion.verdict import Verdict
from verification.pipeline.events import (EvidenceReported, SourceEnded, SourceFailed, SourceInterrupted,
                                          SourceResumed, SpeechHeard, VerdictChanged)
from verification.pipeline.runner import CallAnalysis, Engine
from verification.sources.base import AudioSource, FrameSource

MAX_KEPT_EVIDENCE = 50_000

#: (video source, audio source) for a plan; the default opens real devices and files
SourceBuilder = Callable[[SourcePlan], tuple[FrameSource | None, AudioSource | None]]


class SessionState(str, Enum):
    IDLE = "idle"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    ENDED = "ended"


@dataclass
class SessionRecord:
    """What one monitored call leaves behind; kept when a device is lost or the call ends (a
    transfer request made from this call links to it)."""

    label: str
    started_at: datetime
    detectors: dict[str, str | None] = field(default_factory=dict)  # id -> why it cannot run (None: runs)
    #: newest evidence windows (bounded: a long call must not grow without limit; the engine's
    #: call-level results in `analysis` keep each detector's own summary)
    evidence: deque[Evidence] = field(default_factory=lambda: deque(maxlen=MAX_KEPT_EVIDENCE))
    verdicts: list[tuple[float, float | None, str]] = field(default_factory=list)  # media_t, risk, level
    peak: Verdict | None = None  # the worst moment so far
    failures: list[SourceFailed] = field(default_factory=list)
    #: a live source lost and retried, then back (or not: then a failure follows), in order
    interruptions: list[SourceInterrupted | SourceResumed] = field(default_factory=list)
    analysis: CallAnalysis | None = None  # after the end: the engine's call-level results
    cues: list[dict] = field(default_factory=list)  # scam cues heard so far (quote, call time)
    ended_at: datetime | None = None

    def note_verdict(self, verdict: Verdict) -> None:
        self.verdicts.append((verdict.media_t or 0.0, verdict.risk, verdict.level))
        if self.peak is None or (ORDER[verdict.level], verdict.risk or 0.0) > \
                (ORDER[self.peak.level], self.peak.risk or 0.0):
            self.peak = verdict


@dataclass(frozen=True)
class _Started:
    label: str
    engine: Engine
    detectors: dict[str, str | None]
    challenge: ChallengeController | None


class LiveSession(QObject):
    # Python values travel as `object`: passed as they are, never copied into Qt containers.
    state_changed = Signal(str)  # SessionState value
    started = Signal(str)  # what is being watched, in words
    start_failed = Signal(str)  # one line
    detectors_ready = Signal(object)  # id -> why it cannot run, or None
    challenge_ready = Signal(object)  # ChallengeController or None
    verdict_changed = Signal(object, float)  # Verdict, latency in seconds
    evidence_added = Signal(object)  # list[Evidence], in arrival order
    source_failed = Signal(object)  # SourceFailed
    source_interrupted = Signal(object)  # SourceInterrupted: lost mid-call, being retried
    source_resumed = Signal(object)  # SourceResumed
    source_ended = Signal(str)  # "video" or "audio"
    speech_heard = Signal(object)  # SpeechHeard: new scam cues and the coverage so far
    ended = Signal(object)  # SessionRecord

    # emitted by the session thread, received on the GUI thread (queued)
    _thread_started = Signal(object)
    _thread_failed = Signal(str)
    _thread_ended = Signal(object)

    def __init__(self, factory: EngineFactory, open_sources: SourceBuilder = build_sources,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._open_sources = open_sources
        self._state = SessionState.IDLE
        self._engine: Engine | None = None
        self._bridge: EngineEventBridge | None = None
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self.record: SessionRecord | None = None
        self.challenge: ChallengeController | None = None
        self._thread_started.connect(self._on_started)
        self._thread_failed.connect(self._on_failed)
        self._thread_ended.connect(self._on_ended)

    # -- control (GUI thread) -------------------------------------------------------------------
    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def active(self) -> bool:
        return self._state in (SessionState.STARTING, SessionState.RUNNING, SessionState.STOPPING)

    def start(self, plan: SourcePlan, label: str | None = None) -> bool:
        """Returns at once; `started` or `start_failed` follows. False if a call is still being watched."""
        if self.active:
            return False
        # no Qt parent: the bridge lives as long as Python references it (this session, and the
        # engine threads' callback), so an engine thread never calls into a deleted object
        bridge = EngineEventBridge()
        bridge.pending.connect(self._drain)
        if self._bridge is not None:  # a finished call's stragglers stay out
            self._bridge.pending.disconnect(self._drain)
        self._bridge = bridge
        self._engine = None
        self.challenge = None
        self._stop_requested = threading.Event()
        self.record = SessionRecord(label or plan.describe(), datetime.now(timezone.utc))
        self._set_state(SessionState.STARTING)
        self._thread = threading.Thread(target=self._run, args=(plan, bridge, self._stop_requested,
                                                                self.record.label),
                                        daemon=True, name="callshield-desktop-session")
        self._thread.start()
        return True

    def stop(self) -> None:
        """Returns at once; `ended` follows when the engine has stopped."""
        if self._state in (SessionState.STARTING, SessionState.RUNNING):
            self._stop_requested.set()
            self._set_state(SessionState.STOPPING)

    def shutdown(self, timeout: float = 3.0) -> None:
        """At exit only: stop and wait a little for the session thread."""
        self._stop_requested.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def hears_speech(self) -> bool:
        """Whether calls' speech is transcribed for scam cues."""
        return self._factory.hears_speech

    # -- observation (GUI thread, cheap) --------------------------------------------------------
    def latest_preview(self) -> tuple[Any, list[Any]] | None:
        engine = self._engine
        return engine.latest_preview() if engine is not None else None

    def metrics_snapshot(self) -> dict | None:
        engine = self._engine
        return engine.metrics_snapshot() if engine is not None else None

    # -- session thread -------------------------------------------------------------------------
    def _run(self, plan: SourcePlan, bridge: EngineEventBridge, stop: threading.Event, label: str) -> None:
        try:
            video, audio = self._open_sources(plan)
            engine, detectors = self._factory.create(bridge.sink)
            if stop.is_set():
                self._thread_failed.emit("stopped before the call was opened")
                return
            engine.start(video, audio)
        except CallShieldError as exc:
            self._thread_failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the UI must say something, never die silently
            self._thread_failed.emit(f"unexpected error: {type(exc).__name__}: {exc}")
            return
        why = {d.id: (d.reason if isinstance(d, UnavailableDetector) else None) for d in detectors}
        self._engine = engine  # before the signal: views poll it once RUNNING
        self._thread_started.emit(_Started(label, engine, why, find_challenge_controller(detectors)))
        while not engine.wait(timeout=0.2):
            if stop.is_set():
                break
        done = engine.stop(timeout=5.0)
        analysis = None
        if done:
            try:
                analysis = engine.finish()
            except Exception:  # noqa: BLE001 - a failing detector result must not lose the record
                analysis = None
        self._thread_ended.emit(analysis)

    # -- GUI thread slots -----------------------------------------------------------------------
    def _set_state(self, state: SessionState) -> None:
        self._state = state
        self.state_changed.emit(state.value)

    def _on_started(self, started: _Started) -> None:
        if self.record is not None:
            self.record.detectors = dict(started.detectors)
        self.challenge = started.challenge
        if self._state is SessionState.STARTING:
            self._set_state(SessionState.RUNNING)
        self.detectors_ready.emit(dict(started.detectors))
        self.challenge_ready.emit(started.challenge)
        self.started.emit(started.label)

    def _on_failed(self, message: str) -> None:
        self._engine = None
        self._set_state(SessionState.IDLE)
        self.record = None
        self.start_failed.emit(message)

    def _on_ended(self, analysis: CallAnalysis | None) -> None:
        self._drain()  # whatever the engine said last belongs to this call
        self.challenge = None
        self.challenge_ready.emit(None)
        record = self.record
        if record is not None:
            record.analysis = analysis
            record.ended_at = datetime.now(timezone.utc)
        self._set_state(SessionState.ENDED)
        self.ended.emit(record)

    def _drain(self) -> None:
        bridge, record = self._bridge, self.record
        if bridge is None:
            return
        latest: VerdictChanged | None = None
        batch: list[Evidence] = []
        for event in bridge.take():
            if isinstance(event, VerdictChanged):
                latest = event
                if record is not None:
                    record.note_verdict(event.verdict)
            elif isinstance(event, EvidenceReported):
                batch.append(event.evidence)
                if isinstance(self.challenge, EngineChallengeAdapter):
                    self.challenge.record(event.evidence)
            elif isinstance(event, SourceFailed):
                if record is not None:
                    record.failures.append(event)
                self.source_failed.emit(event)
            elif isinstance(event, (SourceInterrupted, SourceResumed)):
                if record is not None:
                    record.interruptions.append(event)
                (self.source_interrupted if isinstance(event, SourceInterrupted) else self.source_resumed).emit(event)
            elif isinstance(event, SourceEnded):
                self.source_ended.emit(event.source)
            elif isinstance(event, SpeechHeard):
                if record is not None:
                    record.cues.extend(event.cues)
                self.speech_heard.emit(event)
        if batch:
            if record is not None:
                record.evidence.extend(batch)
            self.evidence_added.emit(batch)
        if latest is not None:  # only the newest verdict is worth drawing
            self.verdict_changed.emit(latest.verdict, latest.latency_s)

