"""CallShield's windows fit a 1366 x 768 laptop screen and stay on the screen they belong to: the
geometry rules alone, then the real desktop on the offscreen platform given two screens (a 1366 x 768
laptop and a 1600 x 900 monitor beside it), in a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMargins, QRect, QSize

from desktop.views.screen_fit import FRAME_GUESS, TOP_BAND, fit_window, keep_inside, overlay_spot

ROOT = Path(__file__).resolve().parents[2]
LAPTOP_WITH_TASKBAR = QRect(0, 0, 1366, 728)
SCREENS = {"synchronousWindowSystemEvents": True, "windowFrameMargins": True, "screens": [
    {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1},
    {"name": "monitor", "x": 1366, "y": 0, "width": 1600, "height": 900, "logicalDpi": 96, "logicalBaseDpi": 96,
     "dpr": 1}]}


def _rect(box: list[int]) -> QRect:
    return QRect(*box)


def test_the_window_and_its_title_bar_fit_a_laptop_screen() -> None:
    client = fit_window(LAPTOP_WITH_TASKBAR, QSize(1180, 780), QSize(1070, 673), FRAME_GUESS)
    assert LAPTOP_WITH_TASKBAR.contains(client.marginsAdded(FRAME_GUESS))
    assert client.height() < 728 - FRAME_GUESS.top() and client.width() == 1180
    big = QRect(0, 0, 2560, 1440)
    assert fit_window(big, QSize(1180, 780), QSize(1070, 673), QMargins()).size() == QSize(1180, 780)


def test_the_strip_starts_right_below_the_top_band_and_is_kept_inside() -> None:
    for screen in (QRect(0, 0, 1366, 728), QRect(1366, 0, 1600, 900)):
        spot = overlay_spot(screen, QSize(380, 90))
        strip = QRect(spot, QSize(380, 90))
        assert screen.contains(strip) and strip.top() == screen.top() + TOP_BAND
        assert screen.right() - strip.right() < 40  # against the right edge
    screen = QRect(1366, 0, 1600, 900)
    grown = QRect(2900, 850, 380, 120)  # dragged to the corner, then a long reason made it taller
    assert screen.contains(QRect(keep_inside(grown, screen), grown.size()))


@pytest.mark.parametrize("screen", [0, 1])
def test_the_real_desktop_fits_and_stays_on_its_screen(tmp_path: Path, screen: int) -> None:
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(SCREENS), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.desktop.screen_probe", str(tmp_path), str(screen)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    available = _rect(shown["screen"])
    window, overlay = _rect(shown["window_frame"]), _rect(shown["overlay"])
    assert available.contains(window), shown  # frame included
    for strip in (_rect(shown["overlay_placed"]), overlay):
        assert available.contains(strip), shown  # on the window's screen, whole
    assert overlay.contains(_rect(shown["close_button"])), shown  # the × is never cut off
    assert overlay.height() > _rect(shown["overlay_placed"]).height()  # the long reason wrapped, it did not widen
    for top_control in ("tab_bar", "sign_in"):
        assert not overlay.intersects(_rect(shown[top_control])), (top_control, shown)
    assert overlay.top() > window.top() + 60  # below the window's title bar and menus
