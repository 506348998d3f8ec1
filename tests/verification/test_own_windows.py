"""CallShield's own windows, found on a real X server by the process that owns them: never a call window
to pick or count (first-run check), and a warning when the captured area shows one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.verification.test_sources_screen import x_display  # noqa: F401 - fixture
from verification.doctor import check_window_capture
from verification.errors import InputError
from verification.sources import ScreenRegion, WindowRegion
from verification.sources.own_windows import own_window_in, split_own
from verification.sources.window_lookup import WindowInfo, list_windows, window_support

APP = Path(__file__).with_name("qt_window_app.py")
OWN_TITLE = "CallShield - Monitor"


def test_a_window_of_another_process_or_of_unknown_owner_is_not_ours() -> None:
    mine = WindowInfo(1, "CallShield", ScreenRegion(0, 0, 400, 300), pid=4242)
    call = WindowInfo(2, "Zoom Meeting", ScreenRegion(500, 0, 400, 300), pid=77)
    unknown = WindowInfo(3, "Teams", ScreenRegion(0, 400, 400, 300))
    assert split_own([mine, call, unknown], 4242) == ([call, unknown], [mine])
    assert split_own([mine], 0) == ([mine], [])  # no pid to compare: nothing is taken for ours
    assert own_window_in(ScreenRegion(500, 0, 400, 300), [mine]) is None
    assert own_window_in(ScreenRegion(390, 290, 20, 20), [mine]) is None  # a sliver, not a view of CallShield
    warning = own_window_in(ScreenRegion(0, 0, 1920, 1080), [mine])
    assert warning is not None and "'CallShield' covers 400x300 pixels" in warning and "\n" not in warning


@pytest.fixture
def windows_on_x(x_display: str) -> Iterator[tuple[int, str]]:  # noqa: F811 - fixture
    """A real Qt window titled like CallShield's (its process id stands for ours) and an xmessage
    "call" window, both mapped on the private X server."""
    xmessage = shutil.which("xmessage")
    if xmessage is None or window_support() is not None:
        pytest.skip("needs xmessage and xwininfo (x11-utils) or python-xlib")
    call_title = f"Zoom Meeting {os.getpid()}"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    ours = subprocess.Popen([sys.executable, str(APP), OWN_TITLE, "300x200+20+30"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    call = subprocess.Popen([xmessage, "-geometry", "240x120+380+40", "-title", call_title, "hello"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            titles = [w.title for w in list_windows()]
            if OWN_TITLE in titles and call_title in titles:
                break
            if time.monotonic() > deadline:
                pytest.skip("the test windows did not appear on the private X server")
            time.sleep(0.1)
        yield ours.pid, call_title
    finally:
        for process in (ours, call):
            process.terminate()
            process.wait(timeout=10)


def test_own_window_is_told_apart_by_its_process(windows_on_x: tuple[int, str]) -> None:
    own_pid, call_title = windows_on_x
    others, own = split_own(list_windows(), own_pid)
    assert [w.title for w in own] == [OWN_TITLE]
    assert call_title in [w.title for w in others] and OWN_TITLE not in [w.title for w in others]
    assert own[0].region == ScreenRegion(20, 30, 300, 200)


def test_picking_callshields_own_window_is_refused(windows_on_x: tuple[int, str]) -> None:
    own_pid, call_title = windows_on_x
    with pytest.raises(InputError, match="only CallShield's own window has that title") as err:
        WindowRegion.find("callshield", own_pid=own_pid)
    assert "\n" not in str(err.value)
    assert WindowRegion.find("zoom meeting", own_pid=own_pid).title == call_title
    assert WindowRegion.find("callshield", own_pid=1).title == OWN_TITLE  # another process's window may be watched


def test_first_run_check_does_not_count_our_own_windows(windows_on_x: tuple[int, str]) -> None:
    own_pid, _ = windows_on_x
    everyone = len(list_windows())
    check = check_window_capture(own_pid=own_pid)
    assert check.status == "ok" and f"({everyone - 1} window(s) of other apps" in check.found, check.found


def test_capturing_the_screen_under_our_window_warns(windows_on_x: tuple[int, str]) -> None:
    own_pid, _ = windows_on_x
    _, own = split_own(list_windows(), own_pid)
    warning = own_window_in(ScreenRegion(0, 0, 640, 480), own)
    assert warning is not None and warning.startswith(f"CallShield's own window '{OWN_TITLE}' covers 300x200")
    assert own_window_in(ScreenRegion(380, 40, 240, 120), own) is None  # just the call window: fine
