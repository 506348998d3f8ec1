"""A real top-level Qt window on the X display in $DISPLAY, titled by argv[1] at argv[2] (WxH+X+Y):
stands in for CallShield's own window in the window-capture tests (Qt sets _NET_WM_PID on X11)."""

from __future__ import annotations

import re
import sys

from PySide6.QtWidgets import QApplication, QWidget

if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    width, height, left, top = (int(n) for n in re.fullmatch(r"(\d+)x(\d+)\+(\d+)\+(\d+)", sys.argv[2]).groups())
    window = QWidget()
    window.setWindowTitle(sys.argv[1])
    window.setGeometry(left, top, width, height)
    window.show()
    sys.exit(app.exec())
