"""The main window: one tab per area of work (the monitor today; requests, approvals, admin and
audit join as they are built), a menu bar reachable from the keyboard, and a status line."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPoint, QSize, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QScreen
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from desktop.views.screen_fit import fit_window, frame_margins
from verification import __version__

PREFERRED = QSize(1180, 780)

ABOUT = ("<h3>CallShield {version}</h3>"
         "<p>Watches a video or voice call on this computer for signs of deepfakes and holds high-value "
         "actions until they are confirmed out of band. Everything is analysed locally; nothing is uploaded.</p>"
         "<p>Detectors are one signal. Whatever they say, call back on the number in the directory before "
         "moving money.</p>")


class MainWindow(QMainWindow):
    check_requested = Signal()
    quit_requested = Signal()

    def __init__(self, pages: Sequence[tuple[str, QWidget]], show_overlay: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("CallShield")
        self.resize(PREFERRED)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("CallShield areas")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # one area: no tab bar; more appear as they are built
        for title, page in pages:
            self.tabs.addTab(page, title)
        self.setCentralWidget(self.tabs)

        call_menu = self.menuBar().addMenu("&Call")
        self.start_action = QAction("&Start watching", self)
        self.start_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.stop_action = QAction("S&top watching", self)
        self.stop_action.setShortcut(QKeySequence("Ctrl+."))
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.quit_requested)
        for action in (self.start_action, self.stop_action):
            call_menu.addAction(action)
        call_menu.addSeparator()
        call_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.overlay_action = QAction("Always-on-top &overlay", self)
        self.overlay_action.setCheckable(True)
        self.overlay_action.setChecked(show_overlay)
        self.overlay_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        view_menu.addAction(self.overlay_action)

        help_menu = self.menuBar().addMenu("&Help")
        check_action = QAction("&Check this computer…", self)
        check_action.triggered.connect(self.check_requested)
        about_action = QAction("&About CallShield", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(check_action)
        help_menu.addAction(about_action)

        self.status = QLabel("Loading detector models…")
        self.status.setAccessibleName("Status")
        self.statusBar().addWidget(self.status, 1)

    def fit_to_screen(self, screen: QScreen | None = None) -> None:
        """1180 x 780, or less on a small laptop screen, so that the window and its title bar fit
        whole on its screen (1366 x 768 minus a taskbar), centred there."""
        target = screen or self.screen()
        frame = frame_margins(self.frameGeometry(), self.geometry(), self.isVisible())
        placed = fit_window(target.availableGeometry(), PREFERRED, self.minimumSizeHint(), frame)
        self.resize(placed.size())
        self.move(placed.topLeft() - QPoint(frame.left(), frame.top()))  # move() places the frame

    def page(self, title: str) -> QWidget | None:
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                return self.tabs.widget(i)
        return None

    def set_area_visible(self, title: str, visible: bool) -> None:
        """Show or hide an area's tab (the Admin tab follows the signed-in user's role)."""
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                if not visible and self.tabs.currentIndex() == i:
                    self.tabs.setCurrentIndex(0)
                self.tabs.setTabVisible(i, visible)

    def area_visible(self, title: str) -> bool:
        return any(self.tabs.tabText(i) == title and self.tabs.isTabVisible(i) for i in range(self.tabs.count()))

    def set_status(self, lines: Sequence[str]) -> None:
        self.status.setText(" · ".join(lines))

    def bring_to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _about(self) -> None:
        QMessageBox.about(self, "About CallShield", ABOUT.format(version=__version__))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.quit_requested.emit()
        super().closeEvent(event)
