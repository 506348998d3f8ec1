"""Screen/window capture: region rules and xwininfo parsing everywhere; real capture under X11
(an Xvfb server is started when the machine has one, otherwise these tests skip)."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import numpy as np
import pytest

from verification.errors import InputError, SourceLost
from verification.sources import ScreenRegion, ScreenSource, WindowRegion, list_monitors, validate_region
from verification.sources.window_lookup import parse_xwininfo, window_support

DESKTOP = ScreenRegion(0, 0, 1920, 1080)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland rules")


# -- pure parts ------------------------------------------------------------------------------

def test_region_inside_the_desktop_is_kept() -> None:
    region = ScreenRegion(100, 200, 640, 360)
    assert validate_region(region, DESKTOP) == region


def test_region_partly_off_screen_is_clipped() -> None:
    assert validate_region(ScreenRegion(1800, -50, 400, 300), DESKTOP) == ScreenRegion(1800, 0, 120, 250)


@pytest.mark.parametrize(("region", "phrase"), [
    (ScreenRegion(0, 0, 0, 100), "must be positive"),
    (ScreenRegion(0, 0, 100, -5), "must be positive"),
    (ScreenRegion(3000, 0, 100, 100), "outside the desktop"),
    (ScreenRegion(1900, 0, 100, 100), "smaller than 32x32"),
    (ScreenRegion(10.5, 0, 100, 100), "whole pixels"),  # type: ignore[arg-type]
    (ScreenRegion(True, 0, 100, 100), "whole pixels"),
])
def test_bad_regions_are_input_errors(region: ScreenRegion, phrase: str) -> None:
    with pytest.raises(InputError, match=phrase) as err:
        validate_region(region, DESKTOP)
    assert "\n" not in str(err.value)


def test_region_intersection() -> None:
    a = ScreenRegion(0, 0, 100, 100)
    assert a.intersect(ScreenRegion(50, 50, 100, 100)) == ScreenRegion(50, 50, 50, 50)
    assert a.intersect(ScreenRegion(100, 0, 10, 10)) is None  # touching edges share no pixel


XWININFO_OUTPUT = """
xwininfo: Window id: 0x20002c "Zoom Meeting - 3 participants"

  Absolute upper-left X:  -20
  Absolute upper-left Y:  150
  Relative upper-left X:  100
  Relative upper-left Y:  150
  Width: 300
  Height: 120
  Depth: 24
  Map State: IsViewable
  -geometry 300x120+100+150
"""


def test_parse_xwininfo() -> None:
    title, region, viewable = parse_xwininfo(XWININFO_OUTPUT)  # type: ignore[misc]
    assert title == "Zoom Meeting - 3 participants"
    assert region == ScreenRegion(-20, 150, 300, 120)
    assert viewable
    hidden = XWININFO_OUTPUT.replace("IsViewable", "IsUnMapped")
    assert parse_xwininfo(hidden)[2] is False  # type: ignore[index]
    assert parse_xwininfo("xwininfo: error: No such window") is None


@linux_only
def test_headless_screen_capture_fails_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(InputError, match="screen capture unavailable") as err:
        ScreenSource(1).open()
    assert "\n" not in str(err.value)
    assert "DISPLAY" in (window_support() or "")


@linux_only
def test_wayland_window_capture_explains_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    reason = window_support()
    assert reason is not None and "Wayland" in reason and "\n" not in reason
    with pytest.raises(InputError, match="Wayland"):
        WindowRegion.find("Zoom")


def test_fps_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ScreenSource(1, fps=0)


# -- real capture on an X server ---------------------------------------------------------------

@pytest.fixture
def x_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private Xvfb server (never the developer's own screen); skip where there is none."""
    xvfb = shutil.which("Xvfb")
    if not sys.platform.startswith("linux") or xvfb is None:
        pytest.skip("needs Linux with Xvfb")
    read_fd, write_fd = os.pipe()
    # -noreset: by default the server resets when its last client leaves, and a connection made
    # during that reset fails (seen once under load: list_monitors closed, then the source opened)
    server = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-screen", "0", "640x480x24",
                               "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 10)
        number = os.read(read_fd, 32).decode().strip() if ready else ""
        if not number:
            pytest.skip("Xvfb did not start")
        monkeypatch.setenv("DISPLAY", f":{number}")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        yield f":{number}"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(timeout=10)


def test_monitor_capture_on_x11(x_display: str) -> None:
    assert list_monitors() == [ScreenRegion(0, 0, 640, 480)]
    source = ScreenSource(1, fps=20, max_side=320)
    assert source.live
    info = source.open()
    started = time.monotonic()
    frames = [source.read() for _ in range(6)]
    elapsed = time.monotonic() - started
    source.close()
    assert (info.width, info.height, info.fps) == (320, 240, 20.0)
    assert all(f.image.shape == (240, 320, 3) and f.image.dtype == np.uint8 for f in frames)
    assert [f.seq for f in frames] == list(range(6))
    assert np.allclose(np.diff([f.pts for f in frames]), 0.05, atol=0.03)
    assert elapsed >= 0.2  # paced at 20 fps, not as fast as the grabs go


def test_region_and_bad_monitor_on_x11(x_display: str) -> None:
    source = ScreenSource(ScreenRegion(600, 400, 100, 100))
    info = source.open()
    frame = source.read()
    source.close()
    assert (info.width, info.height) == (40, 80) and frame.image.shape == (80, 40, 3)
    with pytest.raises(InputError, match="monitor 5: does not exist"):
        ScreenSource(5).open()


def test_window_is_followed_and_lost_when_closed(x_display: str) -> None:
    xmessage = shutil.which("xmessage")
    if xmessage is None or window_support() is not None:
        pytest.skip("needs xmessage and xwininfo (x11-utils) or python-xlib")
    title = f"CallShield test call {os.getpid()}"
    app = subprocess.Popen([xmessage, "-geometry", "240x120+30+40", "-title", title, "hello"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        try:
            window = _wait_for_window(title.lower())
        except InputError:
            # seen rarely in long full-suite runs: the helper window never mapped; not the code under test
            pytest.skip("the xmessage test window did not appear on the private X server")
        source = ScreenSource(window, fps=30, follow_every_s=0.0)
        info = source.open()
        frame = source.read()
        assert (info.width, info.height) == (240, 120)
        assert frame.image.shape == (120, 240, 3)
        app.terminate()
        app.wait(timeout=10)
        with pytest.raises(SourceLost, match=f"window '{title}': closed or minimised"):
            for _ in range(100):
                source.read()
        source.close()
    finally:
        if app.poll() is None:
            app.terminate()
            app.wait(timeout=10)


def _wait_for_window(title: str) -> WindowRegion:
    deadline = time.monotonic() + 30  # a loaded 2-core CI machine can be slow to map the window
    while True:
        try:
            return WindowRegion.find(title)
        except InputError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
