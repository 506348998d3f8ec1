"""Startup timings for packaging/measure.py: with CALLSHIELD_STARTUP_TRACE=1 the app prints, on stderr,
the wall-clock time at which its window was shown and its detector models were ready."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Mapping

from PySide6.QtCore import QTimer

ENV_VAR = "CALLSHIELD_STARTUP_TRACE"
POLL_MS = 10


def trace_startup(desktop: Any, environ: Mapping[str, str], clock: Callable[[], float] = time.time) -> None:
    """Call right after the window is shown; nothing happens unless the variable is set."""
    if environ.get(ENV_VAR) != "1":
        return
    # after the first turn of the event loop: the window has been exposed and painted
    QTimer.singleShot(0, lambda: print(f"callshield-desktop: startup: window shown at {clock():.3f}",
                                       file=sys.stderr, flush=True))
    timer = QTimer(desktop.window)

    def poll() -> None:
        if not desktop.window.status.text().startswith("Loading"):
            timer.stop()
            print(f"callshield-desktop: startup: models ready at {clock():.3f} ({desktop.window.status.text()})",
                  file=sys.stderr, flush=True)

    timer.timeout.connect(poll)
    timer.start(POLL_MS)
