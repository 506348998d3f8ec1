"""`callshield-desktop`: composition root of the desktop app."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication

from desktop.bridge import AnalysisBridge
from desktop.views.main_window import MainWindow
from verification.composition import build_analyzer
from verification.pipeline.runner import EngineConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="callshield-desktop")
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("recording", nargs="?", help="analyse this recording at start")
    args, qt_args = parser.parse_known_args(argv)
    app = QApplication([sys.argv[0], *qt_args])
    warnings: list[str] = []
    analyzer = build_analyzer(args.model_dir, EngineConfig(), warn=warnings.append)
    loader = analyzer.models
    status = [f"Model directory: {loader.model_dir}",
              f"Execution providers: {', '.join(loader.providers)}", *warnings]
    window = MainWindow(AnalysisBridge(analyzer), status)
    window.show()
    if args.recording:
        window.start_analysis(args.recording)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
