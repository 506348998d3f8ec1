"""Run a command as a child process with a time limit and read its own peak memory.

The peak is the child's VmHWM from /proc, sampled while it runs: `ru_maxrss` from wait4 would be
wrong, because Linux carries the parent's high-water mark across fork and exec.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ChildRun:
    code: int | None  # None: killed after the time limit
    stderr: str
    wall_s: float
    peak_rss_mb: float  # 0 where /proc is not available


def run_child(command: list[str], timeout_s: float, stderr_path: Path, env: dict[str, str] | None = None,
              cwd: Path = REPO) -> ChildRun:
    """Run `command` (stdout discarded, stderr to `stderr_path`); kill it after `timeout_s`."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    started = time.monotonic()
    peak_kb = 0
    with stderr_path.open("w") as err:
        child = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=err)
    try:
        while child.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(child.pid))
            if time.monotonic() - started > timeout_s:
                child.kill()
                child.wait()
                return ChildRun(None, stderr_path.read_text(errors="replace"), time.monotonic() - started,
                                peak_kb / 1024)
            time.sleep(0.02)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return ChildRun(child.returncode, stderr_path.read_text(errors="replace"), time.monotonic() - started,
                    peak_kb / 1024)


def _high_water_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0
