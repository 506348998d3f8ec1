"""The program's entry point ends the process as soon as the app has closed, without Python's slow
teardown of the native libraries, and still delivers everything the app printed and returns its code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
import desktop.app as app

def main():
    print("checks: 7 ok")  # block-buffered: a pipe
    print("one problem", file=sys.stderr)
    return 3

app.main = main
app.run()
print("never reached")
"""


def test_run_exits_with_the_apps_code_and_its_output_flushed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONUNBUFFERED", None)  # as a user's launcher runs it: output to a pipe is buffered
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "checks: 7 ok\n" and done.stderr.strip().endswith("one problem")
