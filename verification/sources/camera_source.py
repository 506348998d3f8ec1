"""A camera (or any stream OpenCV's VideoCapture opens: device index, device path, URL) as a live source.

`open()` waits for the first frame, so a camera that is busy or absent fails there with InputError;
once frames have flowed, a camera that stops delivering (unplugged, taken by another app, driver
reset) raises SourceLost from `read()` after `max_failures` consecutive failed grabs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from verification.errors import InputError, SourceLost
from verification.sources.base import FrameSource, VideoFrame, VideoInfo
from verification.sources.frame_size import check_max_side, fit_size, shrink


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


class CameraSource(FrameSource):
    live = True

    def __init__(self, device: int | str = 0, *, width: int | None = None,
                 height: int | None = None, fps: float | None = None,
                 max_side: int | None = None, max_failures: int = 25,
                 retry_delay_s: float = 0.04, warmup_s: float = 3.0,
                 api_preference: int = cv2.CAP_ANY) -> None:
        """`width`/`height`/`fps` are requests; the driver may choose the nearest it supports.

        Lost after `max_failures` x `retry_delay_s` (1 s by default) without a frame.
        """
        check_max_side(max_side)
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self.device = device
        self.requested = (width, height, fps)
        self.max_side = max_side
        self.max_failures = max_failures
        self.retry_delay_s = retry_delay_s
        self.warmup_s = warmup_s
        self.api_preference = api_preference
        self._capture: cv2.VideoCapture | None = None
        self._first: np.ndarray | None = None
        self._seq = 0
        self._opened_at = 0.0

    @property
    def name(self) -> str:
        return f"camera {self.device}"

    def open(self) -> VideoInfo:
        self.close()
        with _quiet_opencv():
            capture = cv2.VideoCapture(self.device, self.api_preference)
        if not capture.isOpened():
            capture.release()
            raise InputError(f"{self.name}: cannot be opened (not connected, in use by another "
                             "application, or camera permission not granted)")
        self._apply_requests(capture)
        first = self._warm_up(capture)
        if first is None:
            capture.release()
            raise InputError(f"{self.name}: opened but delivered no frames within {self.warmup_s:g} s")
        self._capture, self._first, self._seq = capture, first, 0
        self._opened_at = time.monotonic()
        fps = capture.get(cv2.CAP_PROP_FPS)
        width, height = fit_size(first.shape[1], first.shape[0], self.max_side)
        return VideoInfo(width=width, height=height, fps=float(fps) if 0 < fps < 1000 else None)

    def read(self) -> VideoFrame | None:
        if self._capture is None:
            raise RuntimeError("CameraSource.read() before open()")
        if self._first is not None:
            image, self._first = self._first, None
        else:
            image = self._grab()
        now = time.monotonic()
        frame = VideoFrame(seq=self._seq, pts=now - self._opened_at, captured_at=now,
                           image=self._prepare(image))
        self._seq += 1
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self._first = None

    def _grab(self) -> np.ndarray:
        assert self._capture is not None
        for attempt in range(self.max_failures):
            ok, image = self._capture.read()
            if ok and image is not None and image.size:
                return image
            if attempt + 1 < self.max_failures:
                time.sleep(self.retry_delay_s)
        raise SourceLost(f"{self.name}: stopped delivering frames "
                         "(unplugged, or taken over by another application)")

    def _warm_up(self, capture: cv2.VideoCapture) -> np.ndarray | None:
        # Many webcams fail their first reads while exposure settles; give them a moment.
        deadline = time.monotonic() + self.warmup_s
        while True:
            ok, image = capture.read()
            if ok and image is not None and image.size:
                return image
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.retry_delay_s)

    def _apply_requests(self, capture: cv2.VideoCapture) -> None:
        width, height, fps = self.requested
        if width:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if fps:
            capture.set(cv2.CAP_PROP_FPS, fps)

    def _prepare(self, image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:  # some IR / mono cameras
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        width, height = fit_size(image.shape[1], image.shape[0], self.max_side)
        return np.ascontiguousarray(shrink(image, width, height))


def list_cameras(max_index: int = 8) -> list[CameraInfo]:
    """Cameras that open, best effort: opening is the only portable test, and it can be slow
    (about 1 s per index on Windows) and may briefly light the camera's LED."""
    names = _linux_camera_names() if sys.platform.startswith("linux") else None
    candidates = sorted(names) if names is not None else range(max_index)
    found: list[CameraInfo] = []
    with _quiet_opencv():
        for index in candidates:
            capture = cv2.VideoCapture(index)
            try:
                if capture.isOpened():
                    name = (names or {}).get(index) or f"camera {index}"
                    found.append(CameraInfo(index=index, name=name))
            finally:
                capture.release()
    return found


def _linux_camera_names() -> dict[int, str]:
    """/dev/videoN -> the driver's name for it (one webcam often has a second, metadata-only node,
    which will not open as a capture and is filtered out by the probe)."""
    names: dict[int, str] = {}
    for node in sorted(Path("/sys/class/video4linux").glob("video*")):
        try:
            index = int(node.name.removeprefix("video"))
            names[index] = (node / "name").read_text(encoding="utf-8", errors="replace").strip()
        except (ValueError, OSError):
            continue
    return names


@contextmanager
def _quiet_opencv() -> Iterator[None]:
    # OpenCV prints a warning for every index that does not open; the caller reports failure itself.
    # The level is process-wide, so restore it afterwards.
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)
