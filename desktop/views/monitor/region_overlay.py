"""Draw the screen region to watch: a full-screen layer over a still of the screen, dimmed except
where the mouse drags.

The screen is grabbed first and painted dimmed, instead of relying on a see-through window,
because a see-through window needs a compositor that many X11 desktops (and Xvfb) lack.
The overlay covers the screen the main window is on; mouse drag or keyboard (arrows move, Shift+
arrows resize, Enter accepts, Esc cancels) selects. The region is returned in the physical pixels
that screen capture uses (logical Qt pixels times the screen's device pixel ratio).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QScreen
from PySide6.QtWidgets import QWidget

from verification.sources.screen_region import MIN_CAPTURE_SIDE, ScreenRegion

INSTRUCTIONS = ("Drag a rectangle over the call's video. Enter accepts, Esc cancels. "
                "Keyboard: arrows move, Shift+arrows resize.")


def _between(a: QPoint, b: QPoint) -> QRect:
    """The rectangle a drag from a to b covers (QRect(a, b) would count both end pixels)."""
    return QRect(min(a.x(), b.x()), min(a.y(), b.y()), abs(b.x() - a.x()), abs(b.y() - a.y()))


class RegionOverlay(QWidget):
    chosen = Signal(object)  # ScreenRegion, physical pixels
    cancelled = Signal()

    def __init__(self, screen: QScreen | None = None) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.Tool)
        self.setWindowTitle("CallShield: draw the region to watch")
        self.setAccessibleName("Draw the screen region to watch")
        self.setAccessibleDescription(INSTRUCTIONS)
        self._screen = screen or QGuiApplication.primaryScreen()
        self._still: QPixmap = self._screen.grabWindow(0)
        self._origin: QPoint | None = None
        geometry = self._screen.geometry()
        # start with a centred suggestion so keyboard users have something to move
        self.selection = QRect(geometry.width() // 4, geometry.height() // 4, geometry.width() // 2,
                               geometry.height() // 2)
        self.setGeometry(geometry)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def open(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.setFocus()

    def region(self) -> ScreenRegion:
        """The selection in the capture library's physical screen pixels."""
        ratio = self._screen.devicePixelRatio()
        top_left = self._screen.geometry().topLeft()
        sel = self.selection.normalized()
        return ScreenRegion(round((top_left.x() + sel.x()) * ratio), round((top_left.y() + sel.y()) * ratio),
                            round(sel.width() * ratio), round(sel.height() * ratio))

    def accept(self) -> None:
        sel = self.selection.normalized()
        if min(sel.width(), sel.height()) < MIN_CAPTURE_SIDE:
            return  # too small to hold a face: keep drawing
        region = self.region()
        self.close()
        self.chosen.emit(region)

    def cancel(self) -> None:
        self.close()
        self.cancelled.emit()

    # -- input ----------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt name
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self.selection = QRect(self._origin, self._origin)
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None:
            self.selection = _between(self._origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._origin is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selection = _between(self._origin, event.position().toPoint())
            self._origin = None
            self.update()
            self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.cancel()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        step = 20
        dx = {Qt.Key.Key_Left: -step, Qt.Key.Key_Right: step}.get(Qt.Key(key), 0)
        dy = {Qt.Key.Key_Up: -step, Qt.Key.Key_Down: step}.get(Qt.Key(key), 0)
        if not (dx or dy):
            super().keyPressEvent(event)
            return
        sel = QRect(self.selection)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            sel.setWidth(max(MIN_CAPTURE_SIDE, sel.width() + dx))
            sel.setHeight(max(MIN_CAPTURE_SIDE, sel.height() + dy))
        else:
            sel.translate(dx, dy)
        self.selection = sel.intersected(self.rect())
        self.update()

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self._still)
        sel = self.selection.normalized()
        dim = QColor(0, 0, 0, 140)
        for part in (QRect(0, 0, self.width(), sel.top()),
                     QRect(0, sel.bottom() + 1, self.width(), self.height() - sel.bottom() - 1),
                     QRect(0, sel.top(), sel.left(), sel.height()),
                     QRect(sel.right() + 1, sel.top(), self.width() - sel.right() - 1, sel.height())):
            painter.fillRect(part, dim)
        painter.setPen(QPen(QColor("#ffb300"), 3, Qt.PenStyle.DashLine))
        painter.drawRect(sel)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        painter.setFont(font)
        box = QRect(0, 24, self.width(), painter.fontMetrics().height() * 2 + 16)
        painter.fillRect(box.adjusted(self.width() // 8, 0, -self.width() // 8, 0), QColor(20, 24, 28, 220))
        painter.setPen(QColor("white"))
        painter.drawText(box.adjusted(self.width() // 8 + 12, 0, -self.width() // 8 - 12, 0),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, INSTRUCTIONS)
        region = self.region()
        label = f"{region.width} x {region.height}"
        painter.drawText(sel.adjusted(6, 6, -6, -6), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
        painter.end()
