"""Idle memory and Ctrl+Q time of the real desktop app, launched as a user would (a subprocess of
`python -m desktop.app`) under a private Xvfb screen of 1366x768.

    PYTHONPATH=. .venv/bin/python benchmarks/desktop_quit_idle.py [--runs 3] [--idle 10] [--demo RECORDING]

Each run gets fresh settings, data directory and SQLite database. The window is shown (the app's
CALLSHIELD_STARTUP_TRACE line), the app is left alone `--idle` seconds, its resident set (VmRSS) is
read, then Ctrl+Q is typed into its focused window with xdotool (a real key press through XTEST) and
the time until the process has exited is measured. With `--demo` the app is watching a recording (paced
to real time) when the memory is read and Ctrl+Q comes. Needs Xvfb and xdotool."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SCREEN = "1366x768x24"
SHOWN = "startup: window shown at"
READY = "startup: models ready at"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """A private X server on the first free display number."""
    for number in range(90, 140):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return server, f":{number}"
            time.sleep(0.05)
        server.kill()
    raise SystemExit("desktop_quit_idle: could not start Xvfb")


def xdotool(display: str, *args: str) -> str:
    done = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=20)
    if done.returncode != 0:
        raise SystemExit(f"desktop_quit_idle: xdotool {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def one_run(display: str, idle_s: float, demo: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="callshield-quit-") as home:
        db, data_dir = f"sqlite:///{home}/callshield.db", Path(home) / "data"
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "CALLSHIELD_STARTUP_TRACE": "1"}
        argv = [sys.executable, "-m", "desktop.app", "--no-check", "--settings", f"{home}/desktop.ini",
                "--db", db, "--data-dir", str(data_dir), *(["--demo", demo] if demo else [])]
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        seen: dict[str, float] = {}
        tail: list[str] = []

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                tail[:] = [*tail[-20:], line.rstrip()]
                for mark in (SHOWN, READY):
                    if mark in line:
                        seen[mark] = time.monotonic()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            while SHOWN not in seen and proc.poll() is None and time.monotonic() - started < 60:
                time.sleep(0.05)
            if SHOWN not in seen:
                raise SystemExit(f"desktop_quit_idle: the window was not shown: {' | '.join(tail[-5:])}")
            window = xdotool(display, "search", "--sync", "--onlyvisible", "--pid", str(proc.pid),
                             "--name", "CallShield").splitlines()[0]
            time.sleep(max(0.0, idle_s - (time.monotonic() - seen[SHOWN])))
            idle = rss_mb(proc.pid)
            xdotool(display, "windowfocus", "--sync", window)
            pressed = time.monotonic()
            xdotool(display, "key", "--clearmodifiers", "ctrl+q")
            code = proc.wait(timeout=60)
            quit_s = time.monotonic() - pressed
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(5)
        if code != 0:
            raise SystemExit(f"desktop_quit_idle: the app exited {code}: {' | '.join(tail[-5:])}")
        return {"window_s": seen[SHOWN] - started, "idle_rss_mb": idle, "quit_s": quit_s,
                "models_ready": float(READY in seen)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds after the window is shown")
    parser.add_argument("--demo", metavar="RECORDING", help="watch this recording meanwhile (a live call)")
    args = parser.parse_args()
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            print(f"desktop_quit_idle: {tool} is not installed (scripts/setup.sh installs it)", file=sys.stderr)
            return 2
    server, display = start_xvfb()
    try:
        runs = [one_run(display, args.idle, args.demo) for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait()
    for number, run in enumerate(runs, 1):
        print(f"run {number}: window shown {run['window_s']:.2f} s, idle RSS {run['idle_rss_mb']:.0f} MB "
              f"after {args.idle:.0f} s, Ctrl+Q to exit {run['quit_s']:.2f} s"
              f"{'' if run['models_ready'] else ' (models not ready yet)'}")
    quits, rss = [r["quit_s"] for r in runs], [r["idle_rss_mb"] for r in runs]
    print(f"Ctrl+Q to exit: {min(quits):.2f}-{max(quits):.2f} s (median {statistics.median(quits):.2f} s); "
          f"idle RSS: {min(rss):.0f}-{max(rss):.0f} MB; load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
