"""Where a window is on screen, per OS, so screen capture can follow the call app's window.

- Linux/X11: python-xlib when installed, else the `xwininfo` tool (package x11-utils).
- Windows: user32 EnumWindows / DWM frame bounds through ctypes (nothing to install).
- macOS: Quartz CGWindowListCopyWindowInfo (pyobjc-framework-Quartz); without the Screen
  Recording permission macOS hides window titles, so the owning app's name is shown instead.
- Wayland: applications may not read other windows' positions; capture a monitor or a region.

`window_support()` says in one line why window capture is unavailable (None when it works).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from verification.errors import InputError
from verification.sources.screen_region import ScreenRegion


@dataclass(frozen=True)
class WindowInfo:
    id: int
    title: str
    region: ScreenRegion
    owner: str = ""  # application name where the OS says
    pid: int = 0  # the owning process where the OS says (0: unknown); tells CallShield's own windows apart


class WindowBackend(Protocol):
    def list_windows(self) -> list[WindowInfo]: ...

    def region(self, window_id: int) -> ScreenRegion | None:
        """Current geometry; None once the window is closed, hidden or minimised."""
        ...


class WindowRegion:
    """One window followed by id (titles change: "Zoom Meeting" -> "Zoom Meeting - 2 people")."""

    def __init__(self, window_id: int, title: str = "", backend: WindowBackend | None = None) -> None:
        self.window_id = window_id
        self.title = title
        self._backend = backend

    @classmethod
    def find(cls, title_contains: str, backend: WindowBackend | None = None,
             own_pid: int | None = None) -> WindowRegion:
        """The largest visible window whose title (or app name) contains the text, any case; never one
        of this process's own windows (`own_pid`, default this process): CallShield would watch itself."""
        backend = backend or window_backend()
        needle = title_contains.casefold()
        own_pid = os.getpid() if own_pid is None else own_pid
        found = [w for w in backend.list_windows()
                 if needle in w.title.casefold() or needle in w.owner.casefold()]
        matches = [w for w in found if w.pid != own_pid]
        if found and not matches:
            raise InputError(f"window '{title_contains}': only CallShield's own window has that title; "
                             f"name the call app's window")
        if not matches:
            raise InputError(f"window '{title_contains}': no visible window has that title")
        best = max(matches, key=lambda w: w.region.width * w.region.height)
        return cls(best.id, best.title or best.owner, backend)

    @property
    def label(self) -> str:
        return f"window '{self.title}'" if self.title else f"window {self.window_id:#x}"

    def region(self) -> ScreenRegion | None:
        if self._backend is None:
            self._backend = window_backend()
        return self._backend.region(self.window_id)


def list_windows() -> list[WindowInfo]:
    """Visible, titled top-level windows; InputError where the OS gives no window list."""
    return window_backend().list_windows()


def window_support() -> str | None:
    """Why window capture cannot work here, in one line, or None when it can."""
    if sys.platform == "win32":
        return None
    if sys.platform == "darwin":
        try:
            import Quartz  # noqa: F401
        except ImportError:
            return ("window capture on macOS needs pyobjc-framework-Quartz; "
                    "capture a monitor or screen region instead")
        return None
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY"):
            return ("window capture is not possible on Wayland (apps cannot see other windows); "
                    "capture a monitor or screen region instead")
        return "window capture needs a graphical session (no X display: $DISPLAY is not set)"
    if _xlib_available() or shutil.which("xwininfo"):
        return None
    return "window capture on X11 needs the xwininfo tool (package x11-utils) or python-xlib"


def window_backend() -> WindowBackend:
    reason = window_support()
    if reason is not None:
        raise InputError(reason)
    if sys.platform == "win32":
        return _Win32Windows()
    if sys.platform == "darwin":
        return _QuartzWindows()
    return _XlibWindows() if _xlib_available() else _XwininfoWindows()


# -- X11 through the xwininfo tool ------------------------------------------------------------

_XWININFO_FIELDS = {
    "left": re.compile(r"Absolute upper-left X:\s*(-?\d+)"),
    "top": re.compile(r"Absolute upper-left Y:\s*(-?\d+)"),
    "width": re.compile(r"^\s*Width:\s*(\d+)", re.M),
    "height": re.compile(r"^\s*Height:\s*(\d+)", re.M),
}
_XWININFO_TITLE = re.compile(r'xwininfo: Window id: 0x[0-9a-fA-F]+ "(.*)"\s*$', re.M)
_WINDOW_IDS = re.compile(r"0x[0-9a-fA-F]+")
_NET_WM_PID = re.compile(r"_NET_WM_PID\(CARDINAL\) = (\d+)")


def parse_xwininfo(text: str) -> tuple[str, ScreenRegion, bool] | None:
    """(title, geometry, viewable) from `xwininfo -id` output; None if it is not such output."""
    values: dict[str, int] = {}
    for key, pattern in _XWININFO_FIELDS.items():
        match = pattern.search(text)
        if match is None:
            return None
        values[key] = int(match.group(1))
    title_match = _XWININFO_TITLE.search(text)
    region = ScreenRegion(values["left"], values["top"], values["width"], values["height"])
    return (title_match.group(1) if title_match else "", region, "Map State: IsViewable" in text)


class _XwininfoWindows:
    def list_windows(self) -> list[WindowInfo]:
        windows = []
        for window_id in self._top_level_ids():
            parsed = self._query(window_id)
            if parsed is not None and parsed[2] and parsed[0] and parsed[1].width > 1:
                windows.append(WindowInfo(window_id, parsed[0], parsed[1], pid=self._pid(window_id)))
        return windows

    @staticmethod
    def _pid(window_id: int) -> int:
        out = _run(["xprop", "-id", hex(window_id), "_NET_WM_PID"]) if shutil.which("xprop") else None
        match = _NET_WM_PID.search(out or "")
        return int(match.group(1)) if match else 0

    def region(self, window_id: int) -> ScreenRegion | None:
        parsed = self._query(window_id)
        return parsed[1] if parsed is not None and parsed[2] else None

    def _top_level_ids(self) -> list[int]:
        # The window manager's client list holds the app windows (not their frames); without a
        # window manager, the root's children are the windows.
        if shutil.which("xprop"):
            out = _run(["xprop", "-root", "_NET_CLIENT_LIST"])
            if out and "window id" in out:
                return [int(h, 16) for h in _WINDOW_IDS.findall(out.split("#", 1)[1])]
        out = _run(["xwininfo", "-root", "-children"]) or ""
        lines = [line for line in out.splitlines() if '"' in line]  # named windows only
        return [int(m.group(0), 16) for line in lines if (m := _WINDOW_IDS.search(line))]

    @staticmethod
    def _query(window_id: int) -> tuple[str, ScreenRegion, bool] | None:
        out = _run(["xwininfo", "-id", hex(window_id)])
        return parse_xwininfo(out) if out else None


def _run(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# -- X11 through python-xlib -------------------------------------------------------------------

def _xlib_available() -> bool:
    try:
        import Xlib.display  # noqa: F401
    except ImportError:
        return False
    return True


class _XlibWindows:
    def __init__(self) -> None:
        from Xlib import display

        self._display = display.Display()
        self._root = self._display.screen().root

    def list_windows(self) -> list[WindowInfo]:
        from Xlib import X

        atom = self._display.intern_atom("_NET_CLIENT_LIST")
        prop = self._root.get_full_property(atom, X.AnyPropertyType)
        ids = list(prop.value) if prop else [w.id for w in self._root.query_tree().children]
        windows = []
        for window_id in ids:
            region = self.region(window_id)
            title = self._title(window_id)
            if region is not None and title:
                windows.append(WindowInfo(int(window_id), title, region, pid=self._pid(window_id)))
        return windows

    def _pid(self, window_id: int) -> int:
        from Xlib import X, error

        window = self._display.create_resource_object("window", window_id)
        try:
            prop = window.get_full_property(self._display.intern_atom("_NET_WM_PID"), X.AnyPropertyType)
        except error.XError:
            return 0
        return int(prop.value[0]) if prop and len(prop.value) else 0

    def region(self, window_id: int) -> ScreenRegion | None:
        from Xlib import X, error

        window = self._display.create_resource_object("window", window_id)
        try:
            if window.get_attributes().map_state != X.IsViewable:
                return None
            geometry = window.get_geometry()
            origin = self._root.translate_coords(window, 0, 0)  # window (0,0) in root coordinates
        except error.XError:
            return None
        return ScreenRegion(origin.x, origin.y, geometry.width, geometry.height)

    def _title(self, window_id: int) -> str:
        from Xlib import error

        window = self._display.create_resource_object("window", window_id)
        try:
            utf8 = window.get_full_property(self._display.intern_atom("_NET_WM_NAME"), 0)
            name = utf8.value if utf8 else window.get_wm_name()
        except error.XError:
            return ""
        return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name or "")


# -- Windows through user32/dwmapi -------------------------------------------------------------

class _Win32Windows:
    _DWMWA_EXTENDED_FRAME_BOUNDS = 9
    _DWMWA_CLOAKED = 14
    _WS_EX_TOOLWINDOW = 0x80
    _GWL_EXSTYLE = -20

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes, self._wintypes = ctypes, wintypes
        # Own library objects, so these prototypes do not change ctypes.windll for anyone else.
        self._user32 = ctypes.WinDLL("user32", use_last_error=True)
        self._dwmapi = ctypes.WinDLL("dwmapi")
        hwnd = wintypes.HWND
        self._enum_proc = ctypes.WINFUNCTYPE(wintypes.BOOL, hwnd, wintypes.LPARAM)
        for name, args in (("IsWindow", [hwnd]), ("IsWindowVisible", [hwnd]), ("IsIconic", [hwnd]),
                           ("GetWindowTextLengthW", [hwnd]),
                           ("GetWindowTextW", [hwnd, wintypes.LPWSTR, ctypes.c_int]),
                           ("GetWindowLongW", [hwnd, ctypes.c_int]),
                           ("GetWindowRect", [hwnd, ctypes.POINTER(wintypes.RECT)]),
                           ("GetWindowThreadProcessId", [hwnd, ctypes.POINTER(wintypes.DWORD)]),
                           ("EnumWindows", [self._enum_proc, wintypes.LPARAM])):
            getattr(self._user32, name).argtypes = args
        self._dwmapi.DwmGetWindowAttribute.argtypes = [hwnd, wintypes.DWORD, ctypes.c_void_p,
                                                       wintypes.DWORD]
        self._dwmapi.DwmGetWindowAttribute.restype = ctypes.c_long  # HRESULT
        try:
            # Physical pixels, as mss captures them; otherwise Windows scales rects on HiDPI
            # displays. mss asks for the same awareness, so this changes nothing it relies on.
            ctypes.WinDLL("shcore").SetProcessDpiAwareness(2)
        except (OSError, AttributeError):
            pass

    def list_windows(self) -> list[WindowInfo]:
        found: list[int] = []

        def collect(hwnd: int | None, _lparam: int) -> bool:
            if hwnd:
                found.append(int(hwnd))
            return True

        self._user32.EnumWindows(self._enum_proc(collect), 0)
        windows = []
        for hwnd in found:
            ex_style = self._user32.GetWindowLongW(hwnd, self._GWL_EXSTYLE)
            title = self._title(hwnd)
            region = self.region(hwnd)
            if title and region is not None and not ex_style & self._WS_EX_TOOLWINDOW:
                pid = self._wintypes.DWORD()
                self._user32.GetWindowThreadProcessId(hwnd, self._ctypes.byref(pid))
                windows.append(WindowInfo(hwnd, title, region, pid=int(pid.value)))
        return windows

    def region(self, window_id: int) -> ScreenRegion | None:
        user32, ctypes = self._user32, self._ctypes
        if (not user32.IsWindow(window_id) or not user32.IsWindowVisible(window_id)
                or user32.IsIconic(window_id) or self._cloaked(window_id)):
            return None
        rect = self._wintypes.RECT()
        # DWM bounds exclude the invisible resize border that GetWindowRect includes.
        if self._dwmapi.DwmGetWindowAttribute(window_id, self._DWMWA_EXTENDED_FRAME_BOUNDS,
                                              ctypes.byref(rect), ctypes.sizeof(rect)) != 0:
            if not user32.GetWindowRect(window_id, ctypes.byref(rect)):
                return None
        width, height = rect.right - rect.left, rect.bottom - rect.top
        return ScreenRegion(rect.left, rect.top, width, height) if width > 0 and height > 0 else None

    def _cloaked(self, hwnd: int) -> bool:
        # Windows on other virtual desktops and suspended UWP apps are "cloaked": not on screen.
        value = self._wintypes.DWORD()
        result = self._dwmapi.DwmGetWindowAttribute(hwnd, self._DWMWA_CLOAKED,
                                                    self._ctypes.byref(value), 4)
        return result == 0 and value.value != 0

    def _title(self, hwnd: int) -> str:
        length = self._user32.GetWindowTextLengthW(hwnd)
        if length <= 0:
            return ""
        buffer = self._ctypes.create_unicode_buffer(length + 1)
        self._user32.GetWindowTextW(hwnd, buffer, length + 1)
        return buffer.value


# -- macOS through Quartz ----------------------------------------------------------------------

class _QuartzWindows:
    def __init__(self) -> None:
        import Quartz

        self._q: Any = Quartz

    def list_windows(self) -> list[WindowInfo]:
        q = self._q
        options = q.kCGWindowListOptionOnScreenOnly | q.kCGWindowListExcludeDesktopElements
        windows = []
        for info in q.CGWindowListCopyWindowInfo(options, q.kCGNullWindowID) or []:
            if info.get(q.kCGWindowLayer, 0) != 0:  # menus, dock, overlays
                continue
            region = self._bounds(info)
            owner = str(info.get(q.kCGWindowOwnerName, "") or "")
            title = str(info.get(q.kCGWindowName, "") or "") or owner
            if region is not None and title:
                windows.append(WindowInfo(int(info[q.kCGWindowNumber]), title, region, owner,
                                          int(info.get(q.kCGWindowOwnerPID, 0) or 0)))
        return windows

    def region(self, window_id: int) -> ScreenRegion | None:
        q = self._q
        infos = q.CGWindowListCopyWindowInfo(q.kCGWindowListOptionIncludingWindow, window_id) or []
        for info in infos:
            if int(info[q.kCGWindowNumber]) == window_id and info.get(q.kCGWindowIsOnscreen, False):
                return self._bounds(info)
        return None

    def _bounds(self, info: Any) -> ScreenRegion | None:
        bounds = info.get(self._q.kCGWindowBounds)
        if not bounds:
            return None
        width, height = int(bounds["Width"]), int(bounds["Height"])
        if width <= 0 or height <= 0:
            return None
        return ScreenRegion(int(bounds["X"]), int(bounds["Y"]), width, height)
