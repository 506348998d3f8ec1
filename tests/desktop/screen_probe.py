"""Run by test_screen_fit in a process of its own, on the offscreen platform with the screens given
in a configuration file: builds the real desktop, fits the window, places the overlay as the app
does, and prints the geometries as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from desktop.app import build_desktop, build_parser
from tests.desktop.support import fake_probes
from verification.errors import CallShieldError
from verification.fusion.verdict import Verdict

LONG_REASON = ("face #0: face: swap or generation artefacts around the mouth and the eyes, persistent for "
               "twelve seconds while the voice stayed calm")


def _no_models(_warn: Any) -> Any:
    raise CallShieldError("no detector models here")


def _box(rect: QRect) -> list[int]:
    return [rect.left(), rect.top(), rect.width(), rect.height()]


def _global(widget: QWidget) -> list[int]:
    return _box(QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size()))


def main(tmp: Path, screen_index: int) -> None:
    app = QApplication([sys.argv[0]])
    args = build_parser().parse_args(["--db", f"sqlite:///{tmp / 'cs.db'}", "--data-dir", str(tmp / "data"),
                                      "--model-dir", str(tmp / "models")])
    desktop = build_desktop(app, args, tmp / "desktop.ini", probes=fake_probes(), analyzer_builder=_no_models,
                            checks=lambda: [], use_tray=False)
    window, overlay = desktop.window, desktop.overlay
    screen = app.screens()[screen_index]
    window.setScreen(screen)
    window.move(screen.geometry().topLeft())
    window.fit_to_screen(screen)
    window.show()
    app.processEvents()
    window.fit_to_screen()  # again, now with the real frame
    window.tabs.setCurrentWidget(desktop.requests)
    app.processEvents()
    overlay.place_on(window.screen(), window.frameGeometry())  # as the app does
    overlay.show()
    app.processEvents()
    placed = _box(overlay.frameGeometry())
    overlay.show_ended(Verdict(0.72, "elevated", [LONG_REASON]))  # the longest headline and a long reason
    app.processEvents()
    print(json.dumps({
        "screen": _box(screen.availableGeometry()),
        "window_frame": _box(window.frameGeometry()),
        "window_minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "tab_bar": _global(window.tabs.tabBar()),
        "sign_in": _global(desktop.requests.sign_in_bar.button),
        "overlay_placed": placed,
        "overlay": _box(overlay.frameGeometry()),
        "close_button": _global(overlay.close_button),
    }))
    desktop.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
