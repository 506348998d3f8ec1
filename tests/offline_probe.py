"""Child program: runs `callshield analyze` or the live engine while an audit hook records every
socket operation and every file opened for writing, created, renamed or removed.

Usage: python -m tests.offline_probe LOG analyze ARGS...   (the `callshield analyze` arguments)
       python -m tests.offline_probe LOG live SECONDS      (live engine on live synthetic sources)

LOG receives one JSON object per recorded event when the program ends. Audit hooks see what
Python code does (including libraries calling `socket`, `open`, `os.*`); native code that opens
sockets by itself is seen by the system-call trace the test adds where `strace` exists.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_FILE_EVENTS = {"os.rename", "os.replace", "os.remove", "os.unlink", "os.rmdir", "os.mkdir", "os.truncate",
                "os.symlink", "os.link", "shutil.copyfile", "shutil.move", "shutil.rmtree", "tempfile.mkstemp",
                "tempfile.mkdtemp"}


class _Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.active = True

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active:
            return
        if event.startswith("socket."):
            self.events.append({"event": event, "args": [_plain(a) for a in args]})
        elif event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writing:
                self.events.append({"event": "open-write", "args": [_plain(path)]})
        elif event in _FILE_EVENTS:
            self.events.append({"event": event, "args": [_plain(a) for a in args[:2]]})


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, os.PathLike)):
        return os.fsdecode(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return repr(value)[:120]


def _run_live(seconds: float) -> int:
    from verification.analyzer import face_dependent_reasons
    from verification.composition import build_analyzer
    from verification.fusion.live import CallFusion
    from verification.pipeline.runner import Engine, EngineConfig
    from verification.sources.synthetic_source import SyntheticAudioSource, SyntheticFrameSource

    parts = build_analyzer(None, EngineConfig())
    detectors = parts.registry.create_all(parts.models, unavailable=face_dependent_reasons(parts.face_unavailable))
    engine = Engine(detectors, parts.faces, EngineConfig(), fusion=CallFusion(parts.calibration))
    engine.start(SyntheticFrameSource(duration_s=seconds + 60, live=True),
                 SyntheticAudioSource(duration_s=seconds + 60, live=True))
    time.sleep(seconds)
    stopped = engine.stop()
    analysis = engine.finish() if stopped else None
    frames = analysis.metrics["frames_in"] if analysis else 0
    print(f"live engine: stopped={stopped} frames={frames}", file=sys.stderr)
    return 0 if stopped and frames > 0 else 1


def main() -> int:
    log_path, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    recorder = _Recorder()
    sys.addaudithook(recorder)
    try:
        if mode == "live":
            code = _run_live(float(rest[0]))
        else:
            from verification.cli import main as callshield

            code = callshield(["analyze", *rest])
    finally:
        recorder.active = False
        with open(log_path, "w", encoding="utf-8") as log:
            log.writelines(json.dumps(e) + "\n" for e in recorder.events)
    return code


if __name__ == "__main__":
    sys.exit(main())
