"""Where CallShield's windows go on a screen: the main window whole (frame included) on the screen it
belongs to, and the overlay strip on its right edge, below the band at the top where title-bar
buttons, menus, tab bars and "Sign in…" live, and never past the screen's edge when it grows.
Pure geometry on Qt's value types, so it is testable without a display."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen

#: title bar and borders, for a window the window manager has not framed yet (frameGeometry unknown)
FRAME_GUESS = QMargins(8, 38, 8, 8)
#: the strip's distance from the screen's edges
EDGE = 16
#: the top of a screen or window holds title-bar buttons, menus, tab bars, toolbars and CallShield's
#: "Sign in…" and Start/Stop row: the strip starts below
TOP_BAND = 150


def frame_margins(frame: QRect, client: QRect, visible: bool) -> QMargins:
    """The window's frame around its client area; a generous guess until it is shown."""
    if not visible or frame == client:
        return FRAME_GUESS
    return QMargins(client.left() - frame.left(), client.top() - frame.top(),
                    frame.right() - client.right(), frame.bottom() - client.bottom())


def fit_window(available: QRect, preferred: QSize, minimum: QSize, frame: QMargins) -> QRect:
    """The client geometry for a window of `preferred` size, shrunk (not below `minimum`) so that it
    and its frame fit `available`, and centred there."""
    room = available.marginsRemoved(frame)
    width = max(minimum.width(), min(preferred.width(), room.width()))
    height = max(minimum.height(), min(preferred.height(), room.height()))
    left = room.left() + max(0, (room.width() - width) // 2)
    top = room.top() + max(0, (room.height() - height) // 2)
    return QRect(left, top, width, height)


def keep_inside(rect: QRect, available: QRect) -> QPoint:
    """The top-left that moves `rect` the least and keeps it inside `available` (top-left wins
    when it is larger)."""
    x = min(rect.left(), available.right() + 1 - rect.width())
    y = min(rect.top(), available.bottom() + 1 - rect.height())
    return QPoint(max(x, available.left()), max(y, available.top()))


def overlay_spot(available: QRect, size: QSize, window: QRect | None = None) -> QPoint:
    """The strip's first place: against the right edge, below the screen's top band and below the
    top band of CallShield's own `window` (title-bar buttons, menus, tabs, "Sign in…")."""
    top = available.top() + TOP_BAND
    if window is not None and available.intersects(window):
        top = max(top, window.top() + TOP_BAND)
    top = min(top, available.bottom() + 1 - EDGE - size.height())
    return keep_inside(QRect(QPoint(available.right() + 1 - EDGE - size.width(), top), size), available)


def screen_of(rect: QRect, fallback: QScreen) -> QScreen:
    """The screen holding the centre of `rect` (a window dragged to another monitor belongs there)."""
    return QGuiApplication.screenAt(rect.center()) or fallback
