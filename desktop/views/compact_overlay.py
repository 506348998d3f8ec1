"""A small always-on-top strip with the call's level and top reason, for while the user works in
the call app. It never takes the keyboard focus from the call app, and can be dragged anywhere.

Screen capture records what is visible: keep the strip off the call's video (it starts at the
right edge, below the title bars and toolbars at the top, on the main window's screen). Whatever it
shows, it stays whole on its screen: growing, it moves in from the edge instead of running off."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.views.level_style import level_pixmap, style_for
from desktop.views.screen_fit import keep_inside, overlay_spot, screen_of
from verification.fusion.verdict import Verdict

WIDTH = 380


class CompactOverlay(QWidget):
    open_main = Signal()
    closed_by_user = Signal()

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle("CallShield overlay")
        self.setAccessibleName("CallShield risk overlay")
        self.setFixedWidth(WIDTH)  # a fixed width: long headlines and reasons wrap, the height follows
        self._drag_from: QPoint | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.frame = QFrame()
        self.frame.setObjectName("overlayFrame")
        outer.addWidget(self.frame)
        column = QVBoxLayout(self.frame)
        column.setContentsMargins(8, 6, 6, 8)
        column.setSpacing(4)
        row = QHBoxLayout()
        column.addLayout(row)
        self.mark = QLabel()
        self.mark.setFixedSize(28, 28)
        row.addWidget(self.mark)
        self.level = QLabel()
        self.level.setAccessibleName("Call risk level")
        self.level.setWordWrap(True)  # a long headline takes two lines, the strip keeps its width
        row.addWidget(self.level, 1)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setFixedWidth(WIDTH - 18)
        self.advice.setAccessibleName("What to do")
        self.advice.setStyleSheet("font-weight: 600;")
        column.addWidget(self.advice)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Main reason")
        column.addWidget(self.reason)
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the CallShield window")
        self.open_button.setToolTip("Open the CallShield window")
        self.open_button.clicked.connect(self.open_main)
        self.close_button = QPushButton("×")
        self.close_button.setFixedWidth(28)
        self.close_button.setAccessibleName("Hide the overlay")
        self.close_button.setToolTip("Hide the overlay (View menu shows it again)")
        self.close_button.clicked.connect(self._close_by_user)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        self.show_idle()

    def _paint(self, level: str, headline: str, reason: str, advice: str | None = None) -> None:
        style = style_for(level)
        self.mark.setPixmap(level_pixmap(level, 28))
        self.level.setText(headline)
        self.level.setStyleSheet(f"font-weight: 700; font-size: 12pt; color: {style.colour};")
        self.advice.setText(advice or "")
        self.advice.setVisible(bool(advice))
        self.reason.setText(reason)
        self.frame.setStyleSheet(f"#overlayFrame {{ background: {style.tint}; border: 2px solid {style.colour};"
                                 " border-radius: 6px; }")
        self.setAccessibleDescription(". ".join(t for t in (headline, advice, reason) if t))
        self.adjustSize()

    def show_idle(self) -> None:
        self._paint("unknown", "CallShield: not watching", "Open CallShield and press Start to watch a call.")

    def show_watching(self, label: str) -> None:
        self._paint("unknown", style_for("unknown").word, f"Watching {label}: the first verdict follows in a few seconds.",
                    style_for("unknown").advice)

    def show_verdict(self, verdict: Verdict) -> None:
        style = style_for(verdict.level)
        self._paint(verdict.level, style.word, verdict.reasons[0] if verdict.reasons else "", style.advice)

    def show_ended(self, verdict: Verdict | None) -> None:
        if verdict is None:
            self.show_idle()
            return
        style = style_for(verdict.level)
        headline = ("Call ended: not judged" if verdict.level == "unknown"
                    else f"Call ended: {style.word.lower()} at worst")
        self._paint(verdict.level, headline, verdict.reasons[0] if verdict.reasons else "", style.advice)

    def place_on(self, screen: QScreen | None = None, window: QRect | None = None) -> None:
        """The strip's first place on `screen`, clear of the top of the main `window` (its frame
        geometry), see `overlay_spot`."""
        self.ensurePolished()
        self.adjustSize()
        available = (screen or self.screen()).availableGeometry()
        self.move(overlay_spot(available, self.frameGeometry().size(), window))

    def keep_on_screen(self) -> None:
        frame = self.frameGeometry()
        available = screen_of(frame, self.screen()).availableGeometry()
        spot = keep_inside(frame, available)
        if spot != frame.topLeft():
            self.move(spot)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self.keep_on_screen()  # a longer reason or headline must not push the × off the screen

    def _close_by_user(self) -> None:
        self.hide()
        self.closed_by_user.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt name
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._drag_from = None
        self.keep_on_screen()  # dropped half off a monitor: pulled back whole onto it
