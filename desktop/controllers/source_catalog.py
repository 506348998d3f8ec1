"""What can be watched and heard on this computer right now, found off the GUI thread.

Listing cameras opens each one and listing windows asks the window system, so `discover()` runs on
a worker thread; each part fails alone and says why in one line instead of emptying the chooser.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Callable, Sequence

from verification.sources import (AudioDeviceInfo, CameraInfo, ScreenRegion, WindowInfo, list_audio_inputs,
                                  list_cameras, list_monitors, list_windows, loopback_hint,
                                  pick_loopback_device, window_support)
from verification.sources.own_windows import split_own


@dataclass(frozen=True)
class SourceInventory:
    windows: list[WindowInfo] = field(default_factory=list)
    monitors: list[ScreenRegion] = field(default_factory=list)
    cameras: list[CameraInfo] = field(default_factory=list)
    audio_inputs: list[AudioDeviceInfo] = field(default_factory=list)
    loopback: AudioDeviceInfo | None = None
    #: one line per kind that is unavailable: "windows", "screen", "cameras", "audio", "loopback"
    problems: dict[str, str] = field(default_factory=dict)
    #: CallShield's own windows: never listed, but a capture that shows one is warned about
    own_windows: list[WindowInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SourceProbes:
    """The functions that ask the system; tests pass stand-ins for hardware they lack."""

    windows: Callable[[], Sequence[WindowInfo]] = list_windows
    monitors: Callable[[], Sequence[ScreenRegion]] = list_monitors
    cameras: Callable[[], Sequence[CameraInfo]] = list_cameras
    audio_inputs: Callable[[], Sequence[AudioDeviceInfo]] = list_audio_inputs
    window_support: Callable[[], str | None] = window_support
    own_pid: Callable[[], int] = os.getpid  # whose windows are CallShield's own
    platform: str = sys.platform


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def discover(probes: SourceProbes, include_cameras: bool = False,
             exclude_titles: Sequence[str] = ("CallShield",)) -> SourceInventory:
    """Everything the chooser lists. Cameras only on request: opening each one to see whether it
    works can light its LED. `exclude_titles`: our own windows are never a call to watch."""
    problems: dict[str, str] = {}
    windows: list[WindowInfo] = []
    own: list[WindowInfo] = []
    reason = probes.window_support()
    if reason is not None:
        problems["windows"] = reason
    else:
        try:
            windows, own = split_own(probes.windows(), probes.own_pid())
            windows = [w for w in windows if w.title and not any(w.title.startswith(t) for t in exclude_titles)]
        except Exception as exc:  # noqa: BLE001 - one failing probe must not hide the others
            problems["windows"] = _one_line(exc)
    monitors: list[ScreenRegion] = []
    try:
        monitors = list(probes.monitors())
    except Exception as exc:  # noqa: BLE001
        problems["screen"] = _one_line(exc)
    cameras: list[CameraInfo] = []
    if include_cameras:
        try:
            cameras = list(probes.cameras())
        except Exception as exc:  # noqa: BLE001
            problems["cameras"] = _one_line(exc)
    inputs: list[AudioDeviceInfo] = []
    try:
        inputs = list(probes.audio_inputs())
    except Exception as exc:  # noqa: BLE001
        problems["audio"] = _one_line(exc)
    loopback = pick_loopback_device(inputs, probes.platform)
    if loopback is None:
        problems["loopback"] = loopback_hint(probes.platform)
    return SourceInventory(windows, monitors, cameras, inputs, loopback, problems, own)
