"""Background work at a lower OS priority, so it waits for the call's frames instead of delaying them.

Linux keeps a nice value per thread, and threads a thread starts inherit it: lowering the speech
thread's priority before it loads the recogniser puts the recogniser's own native threads
(CTranslate2, OpenMP) behind the vision worker too. Elsewhere this does nothing (macOS and
Windows have no per-thread nice value reachable from Python).
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_NICE = 10


def lower_this_thread(by: int = BACKGROUND_NICE) -> int | None:
    """Raise the calling thread's nice value by `by` (at most 19). Returns the new value, or None
    where per-thread priority is not available or the OS refused."""
    if not sys.platform.startswith("linux") or by <= 0:
        return None
    tid = threading.get_native_id()
    try:
        nice = min(19, os.getpriority(os.PRIO_PROCESS, tid) + by)
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError:
        return None
    return nice


def thread_nice(tid: int) -> int | None:
    """A thread's nice value (Linux), for tests and benchmarks; None elsewhere or when it is gone."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:
        return None
