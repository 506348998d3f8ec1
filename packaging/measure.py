"""Measure the frozen app: cold start to window shown and to models ready, memory at idle and while
watching a recording (`--demo`). Run under a display (xvfb-run) or with QT_QPA_PLATFORM=offscreen.

    xvfb-run -a python packaging/measure.py dist/callshield --demo RECORDING [--runs 3]

Each run gets fresh user folders; times are wall-clock from launch, read from the app's
CALLSHIELD_STARTUP_TRACE lines (desktop/startup_trace.py); memory is the process's resident set."""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

_EVENT = re.compile(r"startup: (window shown|models ready) at ([0-9.]+)")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_run(app: Path, demo: str | None, idle_s: float, watch_s: float, timeout_s: float = 60.0) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="callshield-measure-") as home:
        env = {**os.environ, "HOME": home, "XDG_DATA_HOME": f"{home}/data", "XDG_CONFIG_HOME": f"{home}/config",
               "CALLSHIELD_STARTUP_TRACE": "1"}
        env.pop("CALLSHIELD_MODEL_DIR", None)
        argv = [str(app / "callshield-desktop"), "--no-check", *(["--demo", demo] if demo else [])]
        started = time.time()
        proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        events: dict[str, float] = {}

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                match = _EVENT.search(line)
                if match:
                    events[match.group(1)] = float(match.group(2)) - started

        threading.Thread(target=read, daemon=True).start()
        peak = 0.0
        try:
            deadline = time.time() + timeout_s
            while "models ready" not in events and time.time() < deadline and proc.poll() is None:
                peak = max(peak, rss_mb(proc.pid))
                time.sleep(0.05)
            if "models ready" not in events:
                raise SystemExit(f"measure: the app did not report models ready (exit {proc.poll()})")
            result = {"window_s": events["window shown"], "models_ready_s": events["models ready"]}
            if demo:  # --demo starts watching as soon as the window is up
                end = time.time() + watch_s
                while time.time() < end and proc.poll() is None:
                    peak = max(peak, rss_mb(proc.pid))
                    time.sleep(0.1)
                result["watching_peak_rss_mb"] = peak
            else:
                time.sleep(idle_s)
                result["idle_rss_mb"] = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="measure", description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path, help="the one-folder app (dist/callshield)")
    parser.add_argument("--demo", metavar="RECORDING", help="also measure memory while watching RECORDING")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds after models are ready before idle memory")
    parser.add_argument("--watch", type=float, default=8.0, help="seconds of watching the recording")
    args = parser.parse_args(argv)
    idle = [one_run(args.app, None, args.idle, 0) for _ in range(args.runs)]
    watching = [one_run(args.app, args.demo, 0, args.watch) for _ in range(args.runs)] if args.demo else []
    summary = {
        "first_run": idle[0],
        "median": {key: round(statistics.median(r[key] for r in idle), 2) for key in idle[0]},
        "watching_peak_rss_mb": round(statistics.median(r["watching_peak_rss_mb"] for r in watching), 1) if watching else None,
        "runs": idle + watching,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
