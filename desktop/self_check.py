"""`callshield-desktop --self-check`: the engine's self-check, then the real main window shown and closed.

Runs offscreen unless a platform was chosen, so it works on a build machine or over SSH; the window
part proves the Qt plugins, fonts and widgets the bundle carries actually load."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from verification.inference.model_dir import resolve_model_dir
from verification.self_check.parts import ENGINE_PARTS, Part, SelfCheckError, SelfCheckState
from verification.self_check.runner import run_self_check

WINDOW_TIMEOUT_S = 20.0


def _window_part(args: argparse.Namespace) -> Part:
    def show_window(state: SelfCheckState) -> str:
        import PySide6
        from PySide6.QtWidgets import QApplication

        from desktop.app import build_desktop
        from desktop.qt_binding import binding_problem

        problem = binding_problem(PySide6.__version_info__)
        if problem:
            raise SelfCheckError(problem)

        app = QApplication.instance() or QApplication([sys.argv[0]])
        args.db = f"sqlite:///{state.work_dir / 'desktop.db'}"
        args.data_dir = str(state.work_dir)
        args.no_check = True
        desktop = build_desktop(app, args, state.work_dir / "desktop.ini",
                                analyzer_builder=lambda _warn: state.analyzer, use_tray=False)
        try:
            desktop.window.show()
            deadline = time.monotonic() + WINDOW_TIMEOUT_S
            while desktop.window.status.text().startswith("Loading") and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
            status = desktop.window.status.text()
            if not desktop.window.isVisible():
                raise SelfCheckError("the main window did not show")
            if status.startswith("Loading") or "could not" in status:
                raise SelfCheckError(f"the main window says: {status}")
            platform = app.platformName()
        finally:
            desktop.runner.wait(5.0)
            desktop.quit()
            desktop.window.close()
            app.processEvents()
        return f"main window shown and closed ({platform} platform)"

    return Part("window", show_window)


def run(args: argparse.Namespace) -> int:
    if not os.environ.get("QT_QPA_PLATFORM"):  # unset or empty: no display is needed to check
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    model_dir = resolve_model_dir(args.model_dir, os.environ)
    return run_self_check((*ENGINE_PARTS, _window_part(args)), Path(model_dir), say=print,
                          fail=lambda line: print(f"callshield-desktop: {line}", file=sys.stderr))
