"""The screen as a live source: a monitor, a fixed region, or a window followed as it moves (mss).

What is captured is what is visible: a window on top of the call window is captured instead of
it, so the UI should ask the user to keep the call window uncovered. Window capture is not
available on Wayland (see `window_lookup.window_support`).

mss handles are bound to the thread that made them (X11 connection, Windows DCs): the handle is
made in `open()`, which the capture thread calls, and remade if `read()` comes from another thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import cv2
import mss
import numpy as np

from verification.errors import InputError, SourceLost
from verification.sources.base import FrameSource, VideoFrame, VideoInfo
from verification.sources.frame_size import check_max_side, fit_size, shrink
from verification.sources.pacing import RatePacer
from verification.sources.screen_region import MIN_CAPTURE_SIDE, ScreenRegion, validate_region
from verification.sources.window_lookup import WindowRegion

ScreenTarget = ScreenRegion | WindowRegion | int  # int: mss monitor number (1 = first, 0 = all)


class ScreenSource(FrameSource):
    live = True

    def __init__(self, target: ScreenTarget = 1, fps: float = 10.0, max_side: int | None = None,
                 follow_every_s: float = 0.5) -> None:
        """`follow_every_s`: how often a followed window's position is looked up again."""
        check_max_side(max_side)
        if not 0 < fps <= 120:
            raise ValueError(f"fps must be in (0, 120], got {fps}")
        self.target = target
        self.fps = fps
        self.max_side = max_side
        self.follow_every_s = follow_every_s
        self._sct: Any = None
        self._thread = 0
        self._desktop = ScreenRegion(0, 0, 0, 0)
        self._rect = ScreenRegion(0, 0, 0, 0)
        self._pacer = RatePacer(fps)
        self._opened_at = 0.0
        self._followed_at = 0.0
        self._seq = 0

    @property
    def name(self) -> str:
        if isinstance(self.target, WindowRegion):
            return self.target.label
        if isinstance(self.target, ScreenRegion):
            return f"screen region {self.target.describe()}"
        return f"monitor {self.target}"

    def open(self) -> VideoInfo:
        self.close()
        self._sct = _new_mss()
        self._thread = threading.get_ident()
        monitors = self._sct.monitors
        self._desktop = _region(monitors[0])
        self._rect = self._initial_rect(monitors)
        self._pacer = RatePacer(self.fps)
        self._opened_at = self._followed_at = time.monotonic()
        self._seq = 0
        width, height = fit_size(self._rect.width, self._rect.height, self.max_side)
        return VideoInfo(width=width, height=height, fps=float(self.fps))

    def read(self) -> VideoFrame | None:
        if self._sct is None:
            raise RuntimeError("ScreenSource.read() before open()")
        if threading.get_ident() != self._thread:
            self._sct.close()
            self._sct, self._thread = _new_mss(), threading.get_ident()
        tick = self._pacer.wait()
        if isinstance(self.target, WindowRegion) and tick - self._followed_at >= self.follow_every_s:
            self._rect = self._follow(self.target)
            self._followed_at = tick
        try:
            shot = self._sct.grab(self._rect.as_mss())
        except mss.exception.ScreenShotError as exc:
            raise SourceLost(f"{self.name}: screen capture failed ({_one_line(exc)})") from exc
        image = cv2.cvtColor(np.asarray(shot), cv2.COLOR_BGRA2BGR)  # new contiguous BGR array
        width, height = fit_size(image.shape[1], image.shape[0], self.max_side)
        frame = VideoFrame(seq=self._seq, pts=tick - self._opened_at, captured_at=time.monotonic(),
                           image=shrink(image, width, height))
        self._seq += 1
        return frame

    def close(self) -> None:
        if self._sct is not None:
            self._sct.close()
            self._sct = None

    def _initial_rect(self, monitors: list[dict[str, int]]) -> ScreenRegion:
        target = self.target
        if isinstance(target, WindowRegion):
            region = target.region()
            if region is None:
                raise InputError(f"{target.label}: not on screen (closed or minimised)")
            return validate_region(region, self._desktop)
        if isinstance(target, ScreenRegion):
            return validate_region(target, self._desktop)
        if not 0 <= target < len(monitors):
            raise InputError(f"monitor {target}: does not exist (this desktop has "
                             f"{len(monitors) - 1} monitor(s), numbered from 1; 0 is all of them)")
        return _region(monitors[target])

    def _follow(self, window: WindowRegion) -> ScreenRegion:
        region = window.region()
        if region is None:
            raise SourceLost(f"{window.label}: closed or minimised")
        visible = region.intersect(self._desktop)
        if visible is None or min(visible.width, visible.height) < MIN_CAPTURE_SIDE:
            raise SourceLost(f"{window.label}: moved off the screen")
        return visible  # may change size: frames follow the window's size


def list_monitors() -> list[ScreenRegion]:
    """Monitors in mss order (index i here is monitor number i + 1); InputError without a display."""
    sct = _new_mss()
    try:
        return [_region(m) for m in sct.monitors[1:]]
    finally:
        sct.close()


def _new_mss() -> Any:
    # mss >= 10.2 names the class MSS and deprecates the factory mss.mss().
    factory = getattr(mss, "MSS", None) or mss.mss
    try:
        return factory()
    except mss.exception.ScreenShotError as exc:
        raise InputError(f"screen capture unavailable: {_one_line(exc)}") from exc


def _region(monitor: dict[str, int]) -> ScreenRegion:
    return ScreenRegion(int(monitor["left"]), int(monitor["top"]),
                        int(monitor["width"]), int(monitor["height"]))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
