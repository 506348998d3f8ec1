"""Start the desktop app as a real window on a private Xvfb display, drive it, save PNG screenshots.

Usage: python scripts/screenshots.py RECORDING [OUT_DIR]   (needs Debian's xvfb)
The screenshots go into docs/screenshots/ by default; look at them: they are what a new user sees.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def start_xvfb() -> tuple[subprocess.Popen, str]:
    if shutil.which("Xvfb") is None:
        sys.exit("screenshots: Xvfb not found (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = os.read(read_fd, 32).decode().strip()
    os.close(read_fd)
    return server, f":{number}"


def main() -> int:
    recording = sys.argv[1]
    out_dir = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    out_dir.mkdir(parents=True, exist_ok=True)
    server, display = start_xvfb()
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication

        from desktop.bridge import AnalysisBridge
        from desktop.views.main_window import MainWindow
        from verification.composition import build_analyzer
        from verification.pipeline.runner import EngineConfig

        app = QApplication(["callshield-desktop"])
        analyzer = build_analyzer(None, EngineConfig())
        window = MainWindow(AnalysisBridge(analyzer), [f"Model directory: {analyzer.models.model_dir}",
                                                        f"Execution providers: {', '.join(analyzer.models.providers)}"])
        window.move(20, 20)
        window.show()

        def settle(ms: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        def shoot(name: str) -> None:
            settle(300)
            app.primaryScreen().grabWindow(0).save(str(out_dir / f"{name}.png"))
            print(f"saved {out_dir / name}.png")

        shoot("01-start")
        done = QEventLoop()
        window._bridge.finished.connect(lambda _r: done.quit())
        window._bridge.failed.connect(lambda _m: done.quit())
        window.start_analysis(recording)
        deadline = time.monotonic() + 120
        while window._bridge.busy and time.monotonic() < deadline:
            settle(100)
        shoot("02-analysed")
        window.close()
        app.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
