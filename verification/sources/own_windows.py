"""CallShield's own windows on screen: never a call window to pick or count, and a warning when the
area being captured shows one (CallShield would then judge its own window, not the call).

A window is ours when the OS says our process owns it (X11 _NET_WM_PID, Windows' window thread
process, macOS' owner PID); where the OS does not say (pid 0), it is treated as someone else's."""

from __future__ import annotations

from typing import Iterable

from verification.sources.screen_region import ScreenRegion
from verification.sources.window_lookup import WindowInfo

#: an overlap smaller than this (pixels) is a shadow or an edge, not CallShield shown in the capture
MIN_OVERLAP_PX = 32 * 32


def split_own(windows: Iterable[WindowInfo], own_pid: int) -> tuple[list[WindowInfo], list[WindowInfo]]:
    """(other apps' windows, this process's windows)."""
    others: list[WindowInfo] = []
    own: list[WindowInfo] = []
    for window in windows:
        (own if own_pid and window.pid == own_pid else others).append(window)
    return others, own


def own_window_in(area: ScreenRegion, own: Iterable[WindowInfo]) -> str | None:
    """One line when a CallShield window lies over `area` (so the capture would show CallShield), else None."""
    for window in own:
        shared = area.intersect(window.region)
        if shared is not None and shared.width * shared.height >= MIN_OVERLAP_PX:
            return (f"CallShield's own window '{window.title}' covers {shared.width}x{shared.height} pixels of the "
                    f"captured area: move it off the call, or CallShield will judge its own window")
    return None
